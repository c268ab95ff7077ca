//! Authentication and authorization: every way a token can be wrong, and role checks.

use api::auth::Role;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{encode, EncodingKey, Header};
use lendline_tests::{party_body, TestApp, TEST_SECRET};
use serde_json::json;

fn claims(iss: &str, aud: &str, exp_offset_seconds: i64) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": "platform", "role": "admin", "iss": iss, "aud": aud, "iat": now,
           "exp": now + exp_offset_seconds})
}

fn sign(claims: &serde_json::Value, secret: &str) -> String {
    encode(
        &Header::default(),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn status_with(app: &TestApp, token: &str) -> (u16, serde_json::Value) {
    app.get("/v1/parties", token).await
}

#[tokio::test]
async fn a_request_without_a_token_is_401() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/v1/parties")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn a_well_formed_token_is_accepted() {
    let app = TestApp::spawn().await;
    let token = sign(&claims("lendline", "lendline-api", 600), TEST_SECRET);
    assert_eq!(status_with(&app, &token).await.0, 200);
}

#[tokio::test]
async fn expired_forged_unsigned_and_misaddressed_tokens_are_401() {
    let app = TestApp::spawn().await;
    let expired = sign(&claims("lendline", "lendline-api", -3600), TEST_SECRET);
    let forged = sign(
        &claims("lendline", "lendline-api", 600),
        "another-secret-that-is-long-enough-xxxxxx",
    );
    let wrong_aud = sign(&claims("lendline", "someone-else", 600), TEST_SECRET);
    let wrong_iss = sign(&claims("evil", "lendline-api", 600), TEST_SECRET);
    // alg:none: header {"alg":"none","typ":"JWT"}, valid claims, empty signature.
    let b64 = |v: &serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let unsigned = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&claims("lendline", "lendline-api", 600))
    );
    for (name, token) in [
        ("expired", expired),
        ("forged", forged),
        ("wrong aud", wrong_aud),
        ("wrong iss", wrong_iss),
        ("alg none", unsigned),
        ("garbage", "not.a.token".to_string()),
    ] {
        let (status, body) = status_with(&app, &token).await;
        assert_eq!(status, 401, "{name}: {body}");
    }
}

#[tokio::test]
async fn a_business_role_token_must_name_a_party_id() {
    let app = TestApp::spawn().await;
    let mut c = claims("lendline", "lendline-api", 600);
    c["role"] = json!("merchant");
    c["sub"] = json!("not-a-uuid");
    let (status, _) = app
        .get(
            "/v1/parties/00000000-0000-0000-0000-000000000000",
            &sign(&c, TEST_SECRET),
        )
        .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_wrong_role_is_403() {
    let app = TestApp::spawn().await;
    let merchant = app.create_party("merchant").await;
    let token = app.token(Role::Merchant, &merchant.to_string());
    let (status, body) = app
        .post("/v1/parties", &token, &party_body("merchant"))
        .await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "forbidden");
    assert_eq!(app.get("/v1/parties", &token).await.0, 403);
    let officer = app.token(Role::RiskOfficer, "officer-7");
    assert_eq!(
        app.post("/v1/parties", &officer, &party_body("merchant"))
            .await
            .0,
        403
    );
    assert_eq!(app.get("/v1/parties", &officer).await.0, 200);
}
