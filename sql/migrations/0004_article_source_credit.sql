-- Issue 3 (extraction): the outlet a piece is taken from, and the raw modified-date string.
--   source_credit  'TTXVN' from a closing 'Theo TTXVN', 'Medical News Today' from 'SONG NHI (Theo Medical News Today)',
--                  or an organisation given as the author in JSON-LD ('dpa'); never a person's name
--   modified_raw   the modified-date string the page printed, as published_raw does for publication
-- Per-field provenance (which signal gave each field) stays in the existing provenance jsonb column;
-- its key 'published_tz' says where the publication time's offset came from
-- ('page', 'source', 'page-sibling' or 'assumed-utc').
ALTER TABLE news.articles ADD COLUMN source_credit text;
ALTER TABLE news.articles ADD COLUMN modified_raw text;
