//! Issue 12, authentication and authorization: the financier role, tokens whose role must
//! match their party's kind, token time claims, staff ids for four eyes, role checks before
//! the body is read, and `nosniff` on every response.

use api::auth::Role;
use jsonwebtoken::{encode, EncodingKey, Header};
use lendline_tests::{party_body, TestApp, TEST_SECRET};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::lending_support::referred_application;

fn sign(claims: &Value) -> String {
    encode(
        &Header::default(),
        claims,
        &EncodingKey::from_secret(TEST_SECRET.as_bytes()),
    )
    .unwrap()
}

/// Valid admin claims issued now for ten minutes; tests bend one claim at a time.
fn admin_claims() -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": "platform", "role": "admin", "iss": "lendline", "aud": "lendline-api",
           "iat": now, "exp": now + 600})
}

#[tokio::test]
async fn a_financier_may_check_the_registry_and_nothing_else() {
    let app = TestApp::spawn().await;
    let merchant = app.create_party("merchant").await;
    let bank = app.token(Role::Financier, "bank-of-elsewhere");
    let (status, body) = app
        .get(&format!("/v1/registry/{}", "0".repeat(64)), &bank)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"registered": false, "encumbered": false}));
    for path in [
        format!("/v1/parties/{merchant}"),
        "/v1/loans".to_string(),
        "/v1/receivables".to_string(),
        "/v1/admin/business-date".to_string(),
    ] {
        let (status, body) = app.get(&path, &bank).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert_eq!(body["error"]["code"], "forbidden");
    }
    let quote = json!({"principal": "100.00"});
    let (status, _) = app.post("/v1/quotes/schedule", &bank, &quote).await;
    assert_eq!(status, 403);
    let (status, _) = app
        .post("/v1/parties", &bank, &party_body("merchant"))
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_financier_token_names_the_bank_not_a_party() {
    let app = TestApp::spawn().await;
    let as_party = api::cli::mint_token(
        &app.config,
        Role::Financier,
        "bank of elsewhere",
        std::time::Duration::from_secs(60),
    );
    assert!(as_party.is_err(), "a financier id is a plain short id");
}

#[tokio::test]
async fn a_token_whose_role_does_not_match_its_party_kind_is_403() {
    let app = TestApp::spawn().await;
    let kinds = [
        (Role::Merchant, "merchant"),
        (Role::Supplier, "supplier"),
        (Role::CoreEnterprise, "core_enterprise"),
        (Role::Shopper, "shopper"),
    ];
    let mut parties = Vec::new();
    for (_, kind) in kinds {
        parties.push(app.create_party(kind).await);
    }
    for (i, (role, kind)) in kinds.iter().enumerate() {
        for (j, party) in parties.iter().enumerate() {
            let token = app.token(*role, &party.to_string());
            let (status, body) = app.get(&format!("/v1/parties/{party}"), &token).await;
            let expected = if i == j { 200 } else { 403 };
            assert_eq!(status, expected, "{kind} token for party {j}: {body}");
        }
    }
}

#[tokio::test]
async fn a_token_naming_no_party_is_401_and_never_names_a_constraint() {
    let app = TestApp::spawn().await;
    let ghost = app.token(Role::Merchant, &Uuid::new_v4().to_string());
    let body = json!({"requested_limit": "30000.00", "currency": "CNY", "purpose": "stock_up",
        "event_name": "Double 11", "event_date": "2026-11-11", "consent_to_sales_data": true});
    let (status, answer) = app
        .post("/v1/credit-line-applications", &ghost, &body)
        .await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(answer["error"]["code"], "unauthorized");
    let text = answer.to_string();
    assert!(
        !text.contains("fkey") && !text.contains("constraint"),
        "{text}"
    );
    let (status, _) = app.get("/v1/loans", &ghost).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn tokens_not_yet_valid_issued_in_the_future_too_long_lived_or_without_subject_are_401() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let bend = |key: &str, value: Value| {
        let mut c = admin_claims();
        c[key] = value;
        c
    };
    let mut too_long = admin_claims();
    too_long["exp"] = json!(now + 25 * 3600);
    let mut backdated = admin_claims();
    backdated["iat"] = json!(now - 30 * 3600);
    for (name, claims) in [
        ("nbf in an hour", bend("nbf", json!(now + 3600))),
        ("iat in an hour", bend("iat", json!(now + 3600))),
        ("25h lifetime", too_long),
        ("iat 30h ago", backdated),
        ("empty sub", bend("sub", json!(""))),
        ("blank sub", bend("sub", json!("  "))),
    ] {
        let (status, body) = app.get("/v1/parties", &sign(&claims)).await;
        assert_eq!(status, 401, "{name}: {body}");
    }
    let fine = bend("nbf", json!(now - 10));
    assert_eq!(app.get("/v1/parties", &sign(&fine)).await.0, 200);
}

#[tokio::test]
async fn the_token_command_refuses_a_lifetime_above_the_maximum() {
    let app = TestApp::spawn().await;
    let day = std::time::Duration::from_secs(24 * 3600);
    assert!(api::cli::mint_token(&app.config, Role::Admin, "ops", day).is_ok());
    let longer = day + std::time::Duration::from_secs(1);
    let refused = api::cli::mint_token(&app.config, Role::Admin, "ops", longer);
    assert!(refused.is_err());
    let short = TestApp::spawn_with(|c| {
        c.jwt.max_lifetime = std::time::Duration::from_secs(300);
    })
    .await;
    assert!(api::cli::mint_token(&short.config, Role::Admin, "ops", day).is_err());
    // A token minted for ten minutes elsewhere is refused by a server that allows five.
    let (status, _) = short.get("/v1/parties", &sign(&admin_claims())).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn one_officer_in_two_spellings_cannot_decide_and_confirm() {
    let app = TestApp::spawn().await;
    let lower = app.token(Role::RiskOfficer, "officer-7");
    let upper = app.token(Role::RiskOfficer, "OFFICER-7");
    let (_, _, case) = referred_application(&app, "40000.00", &lower).await;
    let case_id = case["id"].as_str().unwrap();
    let claim = format!("/v1/reviews/{case_id}/claim");
    assert_eq!(app.post(&claim, &lower, &json!({})).await.0, 200);
    let decision = json!({"decision": "approve", "approved_amount": "25000", "approved_rate": "0.18", "note": "known seller"});
    let (status, decided) = app
        .post(
            &format!("/v1/reviews/{case_id}/decision"),
            &upper,
            &decision,
        )
        .await;
    assert_eq!(status, 200, "the claim is the same officer's: {decided}");
    assert_eq!(decided["decided_by"], "officer-7");
    let (status, own) = app
        .post(
            &format!("/v1/reviews/{case_id}/confirm"),
            &lower,
            &json!({}),
        )
        .await;
    assert_eq!(status, 422, "{own}");
    assert_eq!(own["error"]["code"], "own_decision");
}

#[tokio::test]
async fn a_wrong_role_is_403_whatever_the_body() {
    let app = TestApp::spawn().await;
    let merchant = app.create_party("merchant").await;
    let token = app.token(Role::Merchant, &merchant.to_string());
    let shopper = app.create_party("shopper").await;
    let shopper = app.token(Role::Shopper, &shopper.to_string());
    let case = Uuid::new_v4();
    let junk = json!({"bogus": true});
    for (path, who) in [
        (format!("/v1/reviews/{case}/decision"), &token),
        ("/v1/parties".to_string(), &token),
        ("/v1/scoring/models".to_string(), &token),
        (format!("/v1/receivables/{case}/payments"), &token),
        (format!("/v1/bills/{case}/dishonour"), &token),
        ("/v1/credit-line-applications".to_string(), &shopper),
        ("/v1/receivables".to_string(), &token),
    ] {
        let (status, body) = app.post(&path, who, &junk).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert_eq!(body["error"]["code"], "forbidden");
        let res = app
            .client
            .post(app.url(&path))
            .bearer_auth(who)
            .header("Content-Type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{path} with a malformed body");
    }
    let (status, _) = app
        .client
        .put(app.url("/v1/admin/business-date"))
        .bearer_auth(&token)
        .json(&json!({"business_date": "not a date"}))
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(status, 403);
}

#[tokio::test]
async fn every_response_says_nosniff() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    let requests = [
        app.client.get(app.url("/health/live")),
        app.client.get(app.url("/openapi.json")),
        app.client.get(app.url("/v1/parties")),
        app.client.get(app.url("/v1/parties")).bearer_auth(&admin),
        app.client.get(app.url("/no/such/path")),
        app.client
            .post(app.url("/v1/parties"))
            .bearer_auth(&admin)
            .header("Content-Type", "application/json")
            .body("{not json"),
        app.client
            .post(app.url("/v1/parties"))
            .bearer_auth(&admin)
            .json(&json!({"kind": "merchant"})),
    ];
    for request in requests {
        let res = request.send().await.unwrap();
        let status = res.status();
        assert_eq!(
            res.headers()
                .get("x-content-type-options")
                .map(|v| v.to_str().unwrap()),
            Some("nosniff"),
            "{} {status}",
            res.url()
        );
    }
}

#[tokio::test]
async fn a_rate_limited_answer_says_nosniff_too() {
    let app = TestApp::spawn_with(|c| {
        c.limits.requests_per_second = 1;
        c.limits.burst = 1;
    })
    .await;
    let mut limited = None;
    for _ in 0..5 {
        let res = app.client.get(app.url("/v1/parties")).send().await.unwrap();
        if res.status() == 429 {
            limited = Some(res);
            break;
        }
    }
    let res = limited.expect("a 429 within five requests");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
}
