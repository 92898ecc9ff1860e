-- `newsetl search`: the articles news.search (migration 0009_search) ranks for a query, best first, with
-- each one's local publication time (its source's time zone) and snippet.
SELECT h.rank, h.id, h.source, h.published_at, (h.published_at AT TIME ZONE s.timezone) AS published_local,
       h.title, h.canonical_url, h.story_id, h.snippet
FROM news.search(:q, source_name => :source, since => :since, max_rows => :limit) h
JOIN news.sources s ON s.name = h.source
ORDER BY h.rank DESC, h.published_at DESC NULLS LAST, h.id DESC
