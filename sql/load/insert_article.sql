-- A new article. Nothing is inserted when another row already has this canonical URL or,
-- for the same source, the same content hash (a duplicate reached by another URL).
INSERT INTO news.articles (source, url, canonical_url, title, lead, body, captions, authors, published_at,
                           modified_at, section, tags, language, image_url, word_count, content_hash,
                           dateline, byline, published_raw, provenance, run_id, source_credit, modified_raw)
VALUES (:source, :url, :canonical_url, :title, :lead, :body, :captions, :authors, :published_at,
        :modified_at, :section, :tags, :language, :image_url, :word_count, :content_hash,
        :dateline, :byline, :published_raw, CAST(:provenance AS jsonb), :run_id, :source_credit, :modified_raw)
ON CONFLICT DO NOTHING
RETURNING id
