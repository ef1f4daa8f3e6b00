//! The private PostgreSQL server of the pg_* tests (started by packaging/test.sh through
//! packaging/pg-test-server.sh): a fresh database per test, owned by the owner role of
//! packaging/pg-roles.sql. With CI=true a missing server FAILS the test; elsewhere it is skipped
//! with a message.

/// URLs of one fresh test database.
pub struct PgDb {
    /// As the owner role (`db init`, migrations).
    pub owner: String,
    /// As the seats' role (INSERT/SELECT only).
    pub seat: String,
    /// Superuser URL of the server's `postgres` database.
    pub super_url: String,
    /// Database name.
    pub name: String,
}

/// A fresh database `t_<name>` (dropped first if left by an earlier run), or `None` (skipped)
/// when no test server runs outside CI.
pub fn fresh_db(name: &str) -> Option<PgDb> {
    let Ok(super_url) = std::env::var("ONEMAP_TEST_PG_SUPER") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but no PostgreSQL test server: ONEMAP_TEST_PG_SUPER is unset (bash packaging/test.sh starts one with packaging/pg-test-server.sh)"
        );
        eprintln!(
            "skipped {name}: no PostgreSQL test server (bash packaging/test.sh, or eval \"$(bash packaging/pg-test-server.sh start)\")"
        );
        return None;
    };
    let db = format!("t_{name}");
    let mut c = postgres::Client::connect(&super_url, postgres::NoTls).unwrap();
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
        .unwrap();
    c.batch_execute(&format!("CREATE DATABASE {db} OWNER onemap_owner"))
        .unwrap();
    let on_db = super_url.replace("/postgres", &format!("/{db}"));
    let roles = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/packaging/pg-roles.sql"))
        .unwrap()
        .replace("DATABASE onemap", &format!("DATABASE {db}"));
    postgres::Client::connect(&on_db, postgres::NoTls)
        .unwrap()
        .batch_execute(&roles)
        .unwrap();
    Some(PgDb {
        owner: on_db.replace("//onemap@", "//onemap_owner@"),
        seat: on_db.replace("//onemap@", "//onemap_seat@"),
        super_url,
        name: db,
    })
}

/// A plain client on `url` (checks that bypass OneMap).
pub fn client(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap()
}
