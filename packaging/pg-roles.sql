-- OneMap on a PostgreSQL server: the owner and the seats' role.
-- Run once as a superuser in the centre's database (psql -d onemap -f pg-roles.sql), then
--   onemap db init --db postgres://onemap_owner@SERVER/onemap   (creates the schema as its owner)
-- and give every workstation  --db postgres://onemap_seat@SERVER/onemap  (or a role of its own
-- that is a member of onemap_seat). Passwords: set them here with \password, and give each
-- workstation a ~/.pgpass line (mode 600) — never in --db or on the command line.
--
-- onemap_owner: owns the tables, runs the migrations (`db init`).
-- onemap_seat:  SELECT and INSERT only. The server refuses UPDATE/DELETE/TRUNCATE on the log
--               twice: the seats' role has no such privilege, and a trigger refuses them for
--               everyone (the owner included).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'onemap_owner') THEN
        CREATE ROLE onemap_owner LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'onemap_seat') THEN
        CREATE ROLE onemap_seat LOGIN;
    END IF;
END $$;

GRANT CONNECT, TEMPORARY ON DATABASE onemap TO onemap_seat;
GRANT USAGE ON SCHEMA public TO onemap_seat;
GRANT CREATE, USAGE ON SCHEMA public TO onemap_owner;
-- Every table onemap_owner creates (events, snapshots, onemap_meta) is readable and
-- appendable by the seats, nothing more.
ALTER DEFAULT PRIVILEGES FOR ROLE onemap_owner IN SCHEMA public
    GRANT SELECT, INSERT ON TABLES TO onemap_seat;
REVOKE UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public FROM onemap_seat;
