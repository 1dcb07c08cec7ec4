/** The SQL page's starting queries (each runs as it is; test/app/sql-examples.test.ts plans them all). */

export interface SqlExample {
  id: 'count' | 'tumble' | 'join';
  /** Key of its name in messages.ts. */
  nameKey: 'exampleCount' | 'exampleTumble' | 'exampleJoin';
  script: string;
}

export const SQL_EXAMPLES: readonly SqlExample[] = [
  {
    id: 'count',
    nameKey: 'exampleCount',
    script: `-- A non-windowed GROUP BY keeps one count per word in keyed state (GroupAggregate)
-- and updates its result: every further "to" retracts the old row (-U) and emits the new one (+U).
SELECT word, COUNT(*) AS cnt
FROM words
GROUP BY word;
`,
  },
  {
    id: 'tumble',
    nameKey: 'exampleTumble',
    script: `-- A window aggregation emits each window once (+I only) when the watermark passes its end,
-- then frees the window's state: compare its state readout with the GROUP BY count's.
SELECT window_start, window_end, page, COUNT(*) AS clicks
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY window_start, window_end, page;
`,
  },
  {
    id: 'join',
    nameKey: 'exampleJoin',
    script: `-- A regular join keeps every row of both inputs in state, forever unless a TTL is set.
-- Run it, then remove the SET line and run it again: watch the state readout.
SET 'table.exec.state.ttl' = '5 s';

SELECT v.user_id, v.ts AS visit_time, l.ts AS failed_login
FROM visits v JOIN logins l ON v.user_id = l.user_id
WHERE l.success = FALSE;
`,
  },
];

export const DEFAULT_SQL = SQL_EXAMPLES[0].script;
