-- A known article whose content changed: the new text replaces the row and the version goes up
-- (the previous one was saved by save_version.sql). The canonical URL, first sighting and story stay,
-- and so does a publication time the new extraction did not find (a re-extracted page has no feed hint).
UPDATE news.articles
   SET url = :url, title = :title, lead = :lead, body = :body, captions = :captions, authors = :authors,
       published_at = coalesce(:published_at, published_at), modified_at = :modified_at, section = :section, tags = :tags,
       language = :language, image_url = :image_url, word_count = :word_count, content_hash = :content_hash,
       dateline = :dateline, byline = :byline, published_raw = :published_raw,
       provenance = CAST(:provenance AS jsonb), last_seen_at = now(), run_id = :run_id, version = version + 1,
       source_credit = :source_credit, modified_raw = :modified_raw
 WHERE id = :article_id
RETURNING version
