-- Serialise near-duplicate checks that could see each other: one transaction-scoped advisory
-- lock per LSH bucket, taken in ascending order so that two batches never deadlock on them.
SELECT count(pg_advisory_xact_lock(b))
FROM (SELECT DISTINCT b FROM unnest(CAST(:buckets AS bigint[])) AS u(b) ORDER BY b) AS s
