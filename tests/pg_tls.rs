//! TLS to the server (rustls) against the test server's self-signed test CA: a seat connects
//! with `sslmode=require` (encrypted, as the server confirms) and with `verify-full` and the
//! right CA; `verify-full` with an unrelated CA, or naming the host the certificate does not,
//! is refused with a clear message and nothing written. Needs the test server started with
//! openssl installed (packaging/pg-test-server.sh makes the certificates); skipped otherwise.
#![allow(clippy::unwrap_used)]

mod common;

use common::pg::fresh_db;
use common::{fails_with_code, ok, ok_json as json, onemap};

#[test]
fn pg_seat_connects_over_tls_and_a_wrong_ca_is_refused() {
    let Some(db) = fresh_db("tls") else { return };
    let (Ok(ca), Ok(other_ca)) = (
        std::env::var("ONEMAP_TEST_PG_CA"),
        std::env::var("ONEMAP_TEST_PG_OTHER_CA"),
    ) else {
        eprintln!("skipped: the test server has no TLS (openssl was not installed when it started)");
        return;
    };
    let pack = common::xsbn_pack().to_str().unwrap().to_string();
    ok(&onemap(&["db", "init", "--db", &db.owner]));
    // Without sslmode the connection stays plain, as before.
    let plain = json(&onemap(&["db", "status", "--db", &db.seat, "--json"]));
    assert_eq!(plain["tls"], serde_json::Value::Null);
    // sslmode=require: encrypted, the self-signed chain is not checked (libpq's meaning).
    let require = format!("{}?sslmode=require", db.seat);
    ok(&onemap(&["demo", "load", "--db", &require, "--pack", &pack]));
    let st = json(&onemap(&["db", "status", "--db", &require, "--json"]));
    assert!(st["tls"].as_str().unwrap().starts_with("TLSv1."), "{st}");
    let events = st["events"].as_u64().unwrap();
    assert!(events > 300);
    // verify-full with the CA that signed the server's certificate (SAN 127.0.0.1).
    let full = format!("{}?sslmode=verify-full&sslrootcert={ca}", db.seat);
    let st = json(&onemap(&["db", "status", "--db", &full, "--json"]));
    assert!(st["tls"].as_str().unwrap().starts_with("TLSv1."), "{st}");
    // verify-full trusting another CA: refused, clearly, before any statement is sent.
    let wrong = format!("{}?sslmode=verify-full&sslrootcert={other_ca}", db.seat);
    // A refused certificate is a server problem: exit 3 (database/server).
    let line = fails_with_code(&onemap(&["db", "status", "--db", &wrong]), 3, "sslmode=verify-full");
    assert!(
        line.contains("证书未通过验证") && line.contains("UnknownIssuer"),
        "{line}"
    );
    // The right CA but a host name the certificate does not carry (it names 127.0.0.1 only).
    let misnamed = format!("{}?sslmode=verify-full&sslrootcert={ca}", db.seat).replace("127.0.0.1", "localhost");
    let line = fails_with_code(&onemap(&["db", "status", "--db", &misnamed]), 3, "sslmode=verify-full");
    assert!(line.contains("NotValidForName"), "{line}");
    // …which verify-ca accepts (chain only).
    let ca_only = misnamed.replace("verify-full", "verify-ca");
    ok(&onemap(&["db", "status", "--db", &ca_only]));
    // A missing root file is named.
    let missing = format!("{}?sslmode=verify-full&sslrootcert=/nonexistent/ca.crt", db.seat);
    fails_with_code(&onemap(&["db", "status", "--db", &missing]), 3, "/nonexistent/ca.crt");
    let st = json(&onemap(&["db", "status", "--db", &db.owner, "--json"]));
    assert_eq!(
        st["events"].as_u64().unwrap(),
        events,
        "nothing written by the refused seat"
    );
}
