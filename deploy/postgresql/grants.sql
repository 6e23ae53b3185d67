-- ombuds: what the application role may do (docs/deploy.md, docs/audit.md). Run as
-- ombuds_owner in the ombuds database after every `ombuds migrate` (new tables get no rights
-- until it runs):
--   psql -v ON_ERROR_STOP=1 "postgres://ombuds_owner@127.0.0.1/ombuds" -f deploy/postgresql/grants.sql
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO ombuds_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ombuds_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ombuds_app;
-- The audit log is append-only for the application: it cannot edit, delete or truncate an
-- entry or a checkpoint, nor drop the triggers that refuse it (it owns nothing).
REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditentry, audit_auditcheckpoint FROM ombuds_app;
REVOKE DELETE, TRUNCATE ON audit_auditchainhead FROM ombuds_app;
REVOKE UPDATE, TRUNCATE ON audit_pendingauditentry FROM ombuds_app;
