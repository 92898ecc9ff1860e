-- The data dictionary from the catalog: every table and view of schema news with its comment, and
-- each of its columns with type, nullability and comment, in table then column order.
SELECT c.relname                                     AS relation,
       CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE 'table' END AS kind,
       obj_description(c.oid, 'pg_class')            AS relation_comment,
       a.attname                                     AS column_name,
       format_type(a.atttypid, a.atttypmod)          AS data_type,
       a.attnotnull                                  AS not_null,
       col_description(c.oid, a.attnum)              AS column_comment
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = 'news' AND c.relkind IN ('r', 'p', 'v', 'm')
ORDER BY c.relkind <> 'r' AND c.relkind <> 'p', c.relname, a.attnum
