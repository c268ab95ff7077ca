//! Issue 12 §2, bills: no endorsement before acceptance, and a dishonoured discounted bill
//! gives recourse against the seller who discounted it as well as the drawer and endorsers.

use api::auth::Role;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::scf_support::{assert_books_sound, in_days, post_key, program};
use lendline_tests::TestApp;

/// Registers a bill drawn by a fresh supplier on a fresh core enterprise (with a program to
/// price discounts) to a fresh payee; answers the bill id and the parties.
async fn registered(app: &TestApp, number: &str) -> (String, Parties) {
    let (core, core_token, _) = program(app, json!({"discount_rate_annual": "0.03"})).await;
    let parties = Parties {
        core_token,
        drawer: app.create_party("supplier").await,
        payee: app.create_party("supplier").await,
        second: app.create_party("supplier").await,
    };
    let body = json!({"bill_number": number, "acceptor_id": core, "payee_id": parties.payee,
        "face_value": "80000.00", "currency": "CNY", "issue_date": in_days(-1),
        "maturity_date": in_days(90), "medium": "electronic"});
    let (status, bill) = app
        .post("/v1/bills", &parties.token(app, parties.drawer), &body)
        .await;
    assert_eq!(status, 201, "{bill}");
    assert_eq!(bill["state"], "registered", "{bill}");
    (bill["id"].as_str().unwrap().to_string(), parties)
}

struct Parties {
    core_token: String,
    drawer: Uuid,
    payee: Uuid,
    second: Uuid,
}

impl Parties {
    fn token(&self, app: &TestApp, party: Uuid) -> String {
        app.token(Role::Supplier, &party.to_string())
    }
}

async fn endorse(app: &TestApp, bill: &str, token: &str, to: Uuid) -> (u16, Value) {
    app.post(
        &format!("/v1/bills/{bill}/endorsements"),
        token,
        &json!({"to_party_id": to}),
    )
    .await
}

async fn accept(app: &TestApp, bill: &str, parties: &Parties) {
    let (status, b) = app
        .post(
            &format!("/v1/bills/{bill}/accept"),
            &parties.core_token,
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(b["state"], "accepted", "{b}");
}

#[tokio::test]
async fn a_bill_cannot_be_endorsed_before_its_acceptor_accepts_it() {
    let app = TestApp::spawn().await;
    let (bill, parties) = registered(&app, "CA-2026-1201").await;
    let payee = parties.token(&app, parties.payee);
    let (status, body) = endorse(&app, &bill, &payee, parties.second).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "bill_not_accepted", "{body}");
    let (_, view) = app.get(&format!("/v1/bills/{bill}"), &payee).await;
    assert_eq!(view["holder_id"], json!(parties.payee), "{view}");
    assert_eq!(view["endorsements"], json!([]), "{view}");

    accept(&app, &bill, &parties).await;
    let (status, body) = endorse(&app, &bill, &payee, parties.second).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["holder_id"], json!(parties.second), "{body}");
}

#[tokio::test]
async fn a_dishonoured_bill_gives_recourse_against_the_seller_who_discounted_it() {
    let app = TestApp::spawn().await;
    let (bill, parties) = registered(&app, "CA-2026-1202").await;
    accept(&app, &bill, &parties).await;
    let payee = parties.token(&app, parties.payee);
    let (status, body) = endorse(&app, &bill, &payee, parties.second).await;
    assert_eq!(status, 201, "{body}");
    // The second holder, who never endorsed, sells the bill to the platform.
    let seller = parties.token(&app, parties.second);
    let (status, d) = post_key(
        &app,
        &format!("/v1/bills/{bill}/discount"),
        &seller,
        &json!({}),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["state"], "discounted", "{d}");
    // Dishonour is booked on its day: the platform's date moves to maturity first.
    crate::lending_support::set_date(&app, &in_days(91)).await;
    let (status, d) = post_key(
        &app,
        &format!("/v1/bills/{bill}/dishonour"),
        &app.admin(),
        &json!({"business_date": in_days(91)}),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["state"], "dishonoured", "{d}");

    let (status, events) = app
        .get(
            &format!("/v1/audit/events?entity=bill:{bill}"),
            &app.admin(),
        )
        .await;
    assert_eq!(status, 200, "{events}");
    let claims = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "bill.recourse_claims")
        .map(|e| e["payload"].clone())
        .expect("recourse claims recorded");
    assert_eq!(
        claims,
        json!([
            {"party": parties.drawer, "role": "drawer"},
            {"party": parties.payee, "role": "endorser"},
            {"party": parties.second, "role": "discounting_seller"}
        ]),
        "{claims}"
    );
    assert_books_sound(&app).await;
}
