-- The functions of schema news with their arguments, result and catalog comment, for the data dictionary.
SELECT p.proname                                       AS name,
       pg_get_function_identity_arguments(p.oid)       AS arguments,
       pg_get_function_result(p.oid)                   AS result,
       obj_description(p.oid, 'pg_proc')               AS comment
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'news'
ORDER BY p.proname, arguments
