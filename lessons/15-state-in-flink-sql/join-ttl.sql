-- The same join, its state kept for 1 second after each write (Flink's table.exec.state.ttl).
SET 'table.exec.state.ttl' = '1 s';

SELECT v.user_id, v.ts AS visit_ts, l.ts AS login_ts, l.success
FROM visits v JOIN logins l ON v.user_id = l.user_id;
