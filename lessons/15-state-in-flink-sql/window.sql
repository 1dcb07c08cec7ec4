-- The same count per 5-second tumbling window of event time: one +I row per page and window.
SELECT page, window_start, window_end, COUNT(*) AS cnt
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY page, window_start, window_end;
