-- Bookkeeping for `newsetl db upgrade`: which files of sql/migrations have been applied.
CREATE SCHEMA IF NOT EXISTS news;
CREATE TABLE IF NOT EXISTS news.schema_migrations (
    version    text PRIMARY KEY,           -- file name without .sql, e.g. 0001_create_warehouse
    applied_at timestamptz NOT NULL DEFAULT now()
);
