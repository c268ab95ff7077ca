//! Platform basics: health, OpenAPI, metrics, parties, error shapes and limits.

use lendline_tests::{party_body, TestApp};
use serde_json::json;

#[tokio::test]
async fn health_endpoints_answer_and_readiness_checks_the_database() {
    let app = TestApp::spawn().await;
    let live = app
        .client
        .get(app.url("/health/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
    let ready = app
        .client
        .get(app.url("/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(
        ready.json::<serde_json::Value>().await.unwrap()["status"],
        "ready"
    );
}

#[tokio::test]
async fn the_openapi_document_covers_every_route() {
    let app = TestApp::spawn().await;
    let (status, doc) = lendline_tests::read(
        app.client
            .get(app.url("/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let routes = routes_in_route_table();
    assert!(routes.len() > 30, "{routes:?}");
    for (path, method) in routes {
        assert!(
            doc["paths"][&path][&method].is_object(),
            "{method} {path} missing from OpenAPI"
        );
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern_and_status() {
    let app = TestApp::spawn().await;
    let id = app.create_party("merchant").await;
    app.get(&format!("/v1/parties/{id}"), &app.admin()).await;
    let text = app
        .client
        .get(format!("{}/metrics", app.management))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(
            r#"http_requests_total{method="GET",route="/v1/parties/{id}",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("db_pool_connections"), "{text}");
}

#[tokio::test]
async fn an_admin_onboards_a_party_and_reads_it_back() {
    let app = TestApp::spawn().await;
    let body = party_body("supplier");
    let (status, created) = app.post("/v1/parties", &app.admin(), &body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    let (status, read) = app.get(&format!("/v1/parties/{id}"), &app.admin()).await;
    assert_eq!(status, 200);
    assert_eq!(read, created);
    assert_eq!(read["monthly_sales"][2]["amount"], "171500.50");
    assert_eq!(read["kind"], "supplier");
}

#[tokio::test]
async fn a_party_reads_itself_but_another_partys_record_is_not_found() {
    let app = TestApp::spawn().await;
    let me = app.create_party("merchant").await;
    let other = app.create_party("merchant").await;
    let token = app.token(api::auth::Role::Merchant, &me.to_string());
    assert_eq!(app.get(&format!("/v1/parties/{me}"), &token).await.0, 200);
    let (status, body) = app.get(&format!("/v1/parties/{other}"), &token).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn a_duplicate_registration_in_the_same_country_is_a_conflict() {
    let app = TestApp::spawn().await;
    let body = party_body("merchant");
    assert_eq!(app.post("/v1/parties", &app.admin(), &body).await.0, 201);
    let (status, err) = app.post("/v1/parties", &app.admin(), &body).await;
    assert_eq!(status, 409);
    assert_eq!(err["error"]["code"], "duplicate");
    assert_eq!(err["error"]["field"], "registration_number");
    let mut abroad = body.clone();
    abroad["country"] = json!("SG");
    assert_eq!(app.post("/v1/parties", &app.admin(), &abroad).await.0, 201);
}

#[tokio::test]
async fn malformed_json_is_a_400_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/v1/parties"))
        .bearer_auth(app.admin())
        .header("content-type", "application/json")
        .body("{\"kind\": \"merchant\", ")
        .send()
        .await
        .unwrap();
    let (status, body) = lendline_tests::read(res).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "malformed_json");
    let (_, list) = app.get("/v1/parties", &app.admin()).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn unknown_fields_are_refused_and_named() {
    let app = TestApp::spawn().await;
    let mut body = party_body("merchant");
    body["id"] = json!("00000000-0000-0000-0000-000000000001");
    let (status, err) = app.post("/v1/parties", &app.admin(), &body).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["code"], "unknown_field");
    assert_eq!(err["error"]["field"], "id");
}

#[tokio::test]
async fn invalid_values_are_refused_with_the_field_named() {
    let app = TestApp::spawn().await;
    let cases = [
        ("contact_email", json!("not-an-email")),
        ("country", json!("China")),
        ("currency", json!("XXX")),
        ("returns_rate", json!("1.5")),
        ("name", json!("   ")),
    ];
    for (field, value) in cases {
        let mut body = party_body("merchant");
        body[field] = value;
        let (status, err) = app.post("/v1/parties", &app.admin(), &body).await;
        assert_eq!(status, 422, "{field}: {err}");
        assert_eq!(err["error"]["field"], field);
    }
    let mut body = party_body("merchant");
    body["monthly_sales"][0]["amount"] = json!("12.345");
    let (status, err) = app.post("/v1/parties", &app.admin(), &body).await;
    assert_eq!(status, 422);
    assert_eq!(err["error"]["field"], "monthly_sales.amount");
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let app = TestApp::spawn().await;
    let mut body = party_body("merchant");
    body["name"] = json!("x".repeat(70 * 1024));
    let (status, err) = app.post("/v1/parties", &app.admin(), &body).await;
    assert_eq!(status, 413);
    assert_eq!(err["error"]["code"], "payload_too_large");
}

#[tokio::test]
async fn lists_are_paginated_with_a_capped_page_size() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        app.create_party("merchant").await;
    }
    app.create_party("supplier").await;
    let (status, page) = app
        .get("/v1/parties?kind=merchant&limit=2", &app.admin())
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap();
    let (_, rest) = app
        .get(
            &format!("/v1/parties?kind=merchant&limit=2&after={cursor}"),
            &app.admin(),
        )
        .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert!(rest.get("next_cursor").is_none());
    let (_, capped) = app.get("/v1/parties?limit=100000", &app.admin()).await;
    assert_eq!(capped["items"].as_array().unwrap().len(), 4);
    let (status, _) = app.get("/v1/parties?limit=abc", &app.admin()).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn unknown_routes_answer_404_in_the_error_shape() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get("/v1/nothing-here", &app.admin()).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
}

/// Every (path, method) of the route table in api/src/routes.rs, read from its source, so a
/// route added without OpenAPI documentation fails this test.
fn routes_in_route_table() -> Vec<(String, String)> {
    let source = include_str!("../../../api/src/routes.rs");
    let (outside, scoped) = source.split_once(".service(").unwrap();
    let mut routes = Vec::new();
    for (prefix, part) in [("", outside), ("/v1", scoped)] {
        for chunk in part.split(".route(").skip(1) {
            let path = chunk.split('"').nth(1).unwrap();
            let method = chunk
                .split("web::")
                .nth(1)
                .unwrap()
                .split("()")
                .next()
                .unwrap();
            if path != "/metrics" && path != "/openapi.json" {
                routes.push((format!("{prefix}{path}"), method.to_string()));
            }
        }
    }
    routes
}

#[tokio::test]
async fn a_caller_over_its_rate_is_told_when_to_retry_others_are_not_and_probes_never_are() {
    let app = TestApp::spawn_with(|c| {
        c.limits.requests_per_second = 1;
        c.limits.burst = 2;
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(
            app.client
                .get(app.url("/v1/parties"))
                .bearer_auth(app.admin())
                .send()
                .await
                .unwrap(),
        );
    }
    let limited = statuses.pop().unwrap();
    assert!(statuses.iter().all(|r| r.status() == 200));
    assert_eq!(limited.status(), 429);
    let wait: u32 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    let body: serde_json::Value = limited.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    // Another caller from the same address has its own quota: a quota is the token's subject.
    let other = app.token(api::auth::Role::RiskOfficer, "officer-1");
    let status = app
        .client
        .get(app.url("/v1/parties"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200, "not limited by the admin's use");
    for _ in 0..5 {
        assert_eq!(
            app.client
                .get(app.url("/health/live"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
}

#[tokio::test]
async fn the_factoring_quote_preview_and_the_receivable_settlement_are_distinct_schemas() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["SettlementPreview"].is_object());
    assert!(schemas["SettlementView"].is_object());
}
