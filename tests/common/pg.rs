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

/// A second seat (its own connection, operator 王五 at seat-2) reports a flood at 景洪 on `url`:
/// the seq it was stored at and the new incident.
pub fn second_seat_reports_incident(url: &str) -> (u64, onemap::model::IncidentId) {
    use onemap::backend::store::{Intent, execute_intent};
    use onemap::model::incident::{Caller, IncidentDraft, IncidentType, Severity};
    use onemap::model::lonlat::LonLat;
    let mut other = onemap::store::Store::open(url).unwrap();
    let done = execute_intent(
        &mut other,
        "王五",
        "seat-2",
        &Intent::ReportIncident(IncidentDraft {
            incident_type: IncidentType::Flood,
            severity: Severity::II,
            lonlat: LonLat::from_deg(100.79, 22.0).unwrap(),
            address: "第二席位记录".into(),
            caller: Caller {
                name: "赵六".into(),
                phone: "2".into(),
            },
            notes: String::new(),
        }),
    )
    .unwrap();
    (done.seq, done.incident.unwrap())
}
