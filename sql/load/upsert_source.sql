INSERT INTO news.sources (name, title, homepage, language, timezone)
VALUES (:name, :title, :homepage, :language, :timezone)
ON CONFLICT (name) DO UPDATE
   SET title = EXCLUDED.title, homepage = EXCLUDED.homepage, language = EXCLUDED.language,
       timezone = EXCLUDED.timezone, updated_at = now()
 WHERE (news.sources.title, news.sources.homepage, news.sources.language, news.sources.timezone)
       IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.homepage, EXCLUDED.language, EXCLUDED.timezone)
