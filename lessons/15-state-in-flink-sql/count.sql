-- A non-windowed GROUP BY: one accumulator per word in keyed state, a changelog as the counts change.
SELECT word, COUNT(*) AS cnt
FROM words
GROUP BY word;
