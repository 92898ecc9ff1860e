-- The data dictionary's gaps: tables and views of schema news (column_name NULL) and their columns
-- that carry no catalog comment (no row in pg_description). None is the goal.
SELECT c.relname AS relation, a.attname AS column_name
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid AND d.objsubid = a.attnum
WHERE n.nspname = 'news' AND c.relkind IN ('r', 'p', 'v', 'm') AND d.description IS NULL
UNION ALL
SELECT c.relname, NULL
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid AND d.objsubid = 0
WHERE n.nspname = 'news' AND c.relkind IN ('r', 'p', 'v', 'm') AND d.description IS NULL
ORDER BY 1, 2 NULLS FIRST
