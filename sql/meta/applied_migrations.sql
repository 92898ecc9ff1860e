SELECT version FROM news.schema_migrations ORDER BY version
