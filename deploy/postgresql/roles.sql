-- ombuds PostgreSQL roles (docs/deploy.md). Run once as the postgres superuser:
--   sudo -u postgres psql -v ON_ERROR_STOP=1 -f deploy/postgresql/roles.sql
-- then set the two passwords (\password ombuds_owner, \password ombuds_app).
-- ombuds_owner owns the database and its tables and runs migrations; ombuds_app is what the
-- web server, worker and scheduler connect as (DATABASE_URL).
CREATE ROLE ombuds_owner LOGIN;
CREATE ROLE ombuds_app LOGIN;
-- (CREATE DATABASE cannot run inside a transaction block: run it on its own.)
-- CREATE DATABASE ombuds OWNER ombuds_owner;
