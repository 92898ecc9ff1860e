-- Issue 11 (the warehouse for analysts): the read-only role analysts' logins belong to.
--   newsetl_reader  NOLOGIN; `newsetl db reader NAME` creates a login in it. Its name is the setting
--                   NEWSETL_READER_ROLE (default newsetl_reader), which upgrade() hands this script as
--                   the transaction's newsetl.reader_role: two warehouses on one server can keep their
--                   readers apart, and each test session uses a role of its own.
-- Roles belong to the whole server, not to this database: the role may exist already (another
-- database's upgrade made it, or an administrator did), and then it is left as it is. A migration user
-- without CREATEROLE (common on managed Postgres) cannot make it: the upgrade goes on without it, and
-- says so with the statement an administrator runs (tasks/warehouse/db.py: reader_role_missing).
-- What the role may read is granted by sql/meta/grant_reader.sql, applied by every upgrade after the
-- views, so a role made later by an administrator, and every view the upgrade re-creates, is covered.
DO $$
DECLARE
    reader text := current_setting('newsetl.reader_role');
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = reader) THEN
        RETURN;
    END IF;
    IF NOT (SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RAISE NOTICE 'role % not created: % may not create roles', reader, current_user;
        RETURN;
    END IF;
    BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', reader);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;  -- another database's upgrade created it at the same moment
    END;
END
$$;
