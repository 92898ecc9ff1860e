-- A known article whose content changed: the new text replaces the row and the version goes up
-- (the previous one was saved by save_version.sql). The canonical URL, first sighting and story stay,
-- and so does a publication time the new extraction did not find (a re-extracted page has no feed hint).
-- :row is the record (tasks.records.Article) as one JSON object, and {columns} its field names, filled
-- in once when the writer is imported. jsonb_populate_record(a, ...) takes each field the JSON names
-- and keeps the row's own value for a field it leaves out: so the kept fields are left out of it.
WITH given AS (
    SELECT CAST(:row AS jsonb) - 'canonical_url' AS fields
), new AS (
    SELECT CASE WHEN fields ->> 'published_at' IS NULL THEN fields - 'published_at' ELSE fields END AS fields
    FROM given
)
UPDATE news.articles a
   SET ({columns}) = (SELECT {columns} FROM jsonb_populate_record(a, new.fields)),
       last_seen_at = now(), run_id = :run_id, version = a.version + 1
  FROM new
 WHERE a.id = :article_id
RETURNING a.version
