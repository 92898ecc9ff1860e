-- The read-only role's name (NEWSETL_READER_ROLE) for the migrations and grants of this upgrade's transaction.
SELECT set_config('newsetl.reader_role', :role, true)
