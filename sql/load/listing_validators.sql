-- The validators of a source's feeds and sitemaps from their last complete reading.
SELECT url, etag, last_modified, children FROM news.http_validators WHERE source = :source
