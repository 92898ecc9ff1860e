-- The CREATE ROLE of a reader login, quoted by the server: a utility statement takes no bound
-- parameters, so format() puts the name (%I) and the password verifier (%L) in. The verifier is the
-- SCRAM-SHA-256 form computed by libpq on the client (what psql's \password sends): the password
-- itself never reaches the server, its statement log or pg_stat_statements.
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I',
              CAST(:name AS text), CAST(:verifier AS text), CAST(:reader_role AS text))
