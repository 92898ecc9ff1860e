-- A new article with the URLs that led to it, its LSH buckets and its story, in one statement. Nothing
-- is written when another row already has this canonical URL or, for the same source, the same content
-- hash (a duplicate reached by another URL): then no id comes back, and the writer decides again.
-- :row is the record (tasks.records.Article) as one JSON object, and {columns} its field names,
-- filled in once when the writer is imported: each field goes to the column of its name. The
-- columns the record has no field for keep their defaults (first_seen_at, last_seen_at, version)
-- or are set here: the id drawn first, so that :cluster_id NULL (a story of its own) can be that id.
WITH new_id AS (
    SELECT nextval(pg_get_serial_sequence('news.articles', 'id')) AS article_id
), inserted AS (
    INSERT INTO news.articles ({columns}, run_id, id, cluster_id)
    SELECT {columns}, :run_id, new_id.article_id, coalesce(CAST(:cluster_id AS bigint), new_id.article_id)
    FROM new_id, jsonb_populate_record(CAST(NULL AS news.articles), CAST(:row AS jsonb))
    ON CONFLICT DO NOTHING
    RETURNING id
), urls AS (
    INSERT INTO news.article_urls (url, article_id)
    SELECT DISTINCT t.u, inserted.id FROM inserted, unnest(CAST(:urls AS text[])) AS t(u)
    ON CONFLICT (url) DO NOTHING
), buckets AS (
    INSERT INTO news.article_buckets (bucket, article_id)
    SELECT DISTINCT t.b, inserted.id FROM inserted, unnest(CAST(:buckets AS bigint[])) AS t(b)
    ON CONFLICT DO NOTHING
)
SELECT id FROM inserted
