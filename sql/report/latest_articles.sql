-- The newest articles, for `newsetl demo` and a quick look after a run.
SELECT source, published_local, title, authors, section, word_count
FROM news.rpt_articles
ORDER BY published_at DESC NULLS LAST, id DESC
LIMIT :limit
