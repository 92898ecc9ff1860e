-- A new article. Nothing is inserted when another row already has this canonical URL or,
-- for the same source, the same content hash (a duplicate reached by another URL).
-- :row is the record (tasks.records.Article) as one JSON object, and {columns} its field names,
-- filled in once when the writer is imported: each field goes to the column of its name. The
-- columns the record has no field for keep their defaults (id, first_seen_at, last_seen_at,
-- version) or are set by the writer (run_id here, cluster_id by set_cluster.sql).
INSERT INTO news.articles ({columns}, run_id)
SELECT {columns}, :run_id
FROM jsonb_populate_record(CAST(NULL AS news.articles), CAST(:row AS jsonb))
ON CONFLICT DO NOTHING
RETURNING id
