-- A known canonical URL whose content changed: overwrite the record (revisions come later).
UPDATE news.articles
   SET url = :url, title = :title, lead = :lead, body = :body, captions = :captions, authors = :authors,
       published_at = :published_at, modified_at = :modified_at, section = :section, tags = :tags,
       language = :language, image_url = :image_url, word_count = :word_count, content_hash = :content_hash,
       dateline = :dateline, byline = :byline, published_raw = :published_raw,
       provenance = CAST(:provenance AS jsonb), last_seen_at = now(), run_id = :run_id,
       source_credit = :source_credit, modified_raw = :modified_raw
 WHERE canonical_url = :canonical_url AND content_hash <> :content_hash
RETURNING id
