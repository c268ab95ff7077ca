//! Payment references kept unique through the registry: one stored before keys existed is keyed
//! and registered by the re-keying after the migrations, and a disguised duplicate of it keeps
//! no key (it is reported, not merged).

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Uuid as SqlUuid};
use serde_json::json;
use uuid::Uuid;

use crate::lending_support::*;
use lendline_tests::TestApp;

#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Nullable<Text>)]
    key: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    print: Option<String>,
}

fn stored(conn: &mut PgConnection, reference: &str) -> Stored {
    diesel::sql_query(
        "SELECT id, external_reference_key AS key, reference_fingerprint::text AS print
           FROM loan_transactions WHERE external_reference = $1",
    )
    .bind::<Text, _>(reference)
    .get_result(conn)
    .unwrap()
}

#[tokio::test]
async fn a_payment_reference_stored_before_keys_is_keyed_and_registered_and_its_disguise_is_not() {
    let app = TestApp::spawn().await;
    let (_, token, line) = approved_line(&app, "30000.00").await;
    let loan = draw(&app, &token, line, "10000.00", 30, "bullet").await;
    let path = format!("/v1/loans/{}/repayments", loan["id"].as_str().unwrap());
    for (key, reference) in [("k-1", "WIRE-A-1"), ("k-2", "WIRE-B-1")] {
        let body = json!({"amount": "100.00", "external_reference": reference});
        let (status, answer) = post_keyed(&app, &path, &token, key, &body).await;
        assert_eq!(status, 201, "{answer}");
    }
    // As stored before keys: no key, no registry row; the second written as a disguise of the
    // first.
    let mut conn = persistence::db::connect(&app.database_url).unwrap();
    conn.batch_execute(
        "UPDATE loan_transactions SET external_reference_key = NULL, reference_fingerprint = NULL
          WHERE external_reference IS NOT NULL;
         DELETE FROM registry_entries WHERE kind = 'payment_reference';
         UPDATE loan_transactions SET external_reference = 'wire a 1'
          WHERE external_reference = 'WIRE-B-1';",
    )
    .unwrap();

    let report = persistence::rekey::rekey_identifiers(&mut conn).unwrap();
    assert_eq!((report.rekeyed, report.duplicates), (1, 1), "{report:?}");
    let first = stored(&mut conn, "WIRE-A-1");
    let key = domain::identifier::canonical_key("WIRE-A-1");
    let print = persistence::loans::payment_reference_fingerprint(&key);
    assert_eq!(first.key.as_deref(), Some(key.as_str()));
    assert_eq!(first.print.as_deref(), Some(print.as_str()));
    let subject: Uuid = {
        use persistence::schema::registry_entries::dsl as registry;
        registry::registry_entries
            .find(&print)
            .select(registry::subject_id)
            .first(&mut conn)
            .unwrap()
    };
    assert_eq!(subject, first.id);
    let disguise = stored(&mut conn, "wire a 1");
    assert_eq!((disguise.key, disguise.print), (None, None));
}
