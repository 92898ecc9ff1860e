INSERT INTO news.schema_migrations (version) VALUES (:version)
