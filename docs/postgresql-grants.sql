-- SetaCare Desktop on a PostgreSQL server: what the application role may do.
-- Run as the OWNER role (setacare_owner) after every `setacare db upgrade`; running it again
-- changes nothing. See docs/deployment-postgresql.md. Rename the roles here if yours differ.

-- Every table: read and write (consultations, drafts, the search index …) …
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO setacare_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO setacare_app;

-- … except the audit trail: append and read only. No UPDATE, DELETE or TRUNCATE, and no
-- trigger of its own; the append-only triggers belong to the owner.
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_event FROM setacare_app;

-- The schema version is the owner's: the application only reads it at start.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM setacare_app;
