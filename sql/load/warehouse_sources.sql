SELECT name, title, homepage, language, timezone FROM news.sources ORDER BY name
