-- What the read-only role (NEWSETL_READER_ROLE, here the transaction's newsetl.reader_role) may do:
-- use schema news and SELECT every table and view in it, now and (default privileges of the user
-- running the upgrade) every table and view created later. Nothing else: no INSERT, UPDATE, DELETE,
-- TRUNCATE, and no CREATE in news. Applied by every upgrade, after the migrations and views; a
-- no-op while the role does not exist (see migration 0007_reader_role).
DO $$
DECLARE
    reader text := current_setting('newsetl.reader_role');
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = reader) THEN
        RETURN;
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA news TO %I', reader);
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA news TO %I', reader);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA news GRANT SELECT ON TABLES TO %I', reader);
END
$$;
