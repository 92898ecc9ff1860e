-- The article each page of a batch is, by URL identity: find_article.sql for a whole batch in one round
-- trip. Position i of :canonical_urls and :urls is one page; a row per page that matches, holding i. The
-- matched articles are locked in id order (no deadlock between two batches), as find_article.sql locks one.
WITH keys AS (
    SELECT k.canonical_url, k.url, k.i
    FROM unnest(CAST(:canonical_urls AS text[]), CAST(:urls AS text[])) WITH ORDINALITY AS k(canonical_url, url, i)
), matches AS (
    SELECT k.i, k.canonical_url AS wanted, a.id
    FROM keys k JOIN news.articles a ON a.canonical_url = k.canonical_url
    UNION
    SELECT k.i, k.canonical_url, u.article_id
    FROM keys k JOIN news.article_urls u ON u.url IN (k.canonical_url, k.url)
), locked AS (
    SELECT a.id, a.url, a.canonical_url, a.content_hash, a.cluster_id, a.version
    FROM news.articles a
    WHERE a.id IN (SELECT id FROM matches)
    ORDER BY a.id
    FOR UPDATE OF a
)
SELECT DISTINCT ON (m.i) m.i, l.id, l.url, l.content_hash, l.cluster_id, l.version
FROM matches m JOIN locked l ON l.id = m.id
ORDER BY m.i, (l.canonical_url = m.wanted) DESC, l.id
