-- A regular join: every visit and every login stays in the join's state, for ever.
SELECT v.user_id, v.ts AS visit_ts, l.ts AS login_ts, l.success
FROM visits v JOIN logins l ON v.user_id = l.user_id;
