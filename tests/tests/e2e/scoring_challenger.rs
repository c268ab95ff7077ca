//! Champion and challenger: activation rules, and challenger decisions recorded as shadows
//! that are never returned, never acted on and never shown to the party.

use api::auth::Role;
use lendline_tests::TestApp;
use serde_json::json;

use crate::scoring::{activate, assessment, count, model, officer, upload};

#[tokio::test]
async fn a_challenger_decision_is_recorded_as_a_shadow_and_never_used() {
    let app = TestApp::spawn().await;
    let party = app.create_party("merchant").await;
    assert_eq!(upload(&app, &model("champ", 1)).await.0, 201);
    // A much harsher challenger, so that using it by mistake would show.
    let mut harsh = model("chall", 1);
    harsh["intercept_points"] = json!(harsh["intercept_points"].as_f64().unwrap() - 400.0);
    assert_eq!(upload(&app, &harsh).await.0, 201);
    let mut narrow = model("narrow", 1);
    narrow["products"] = json!([narrow["products"][1].clone()]);
    assert_eq!(upload(&app, &narrow).await.0, 201);

    let champion = json!({"product": "stock_up_line", "role": "champion", "version": 1});
    let (status, body) = activate(&app, "champ", champion.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["model_id"], "champ");
    let (status, body) = activate(
        &app,
        "chall",
        json!({"product": "stock_up_line",
        "role": "challenger", "version": 1, "challenger_share_bps": 10000}),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let refusals = [
        (
            "champ",
            json!({"product": "stock_up_line", "role": "champion", "version": 1,
            "challenger_share_bps": 50}),
            422,
        ),
        (
            "chall",
            json!({"product": "stock_up_line", "role": "challenger", "version": 1}),
            422,
        ),
        (
            "chall",
            json!({"product": "stock_up_line", "role": "challenger", "version": 1,
            "challenger_share_bps": 10001}),
            422,
        ),
        (
            "champ",
            json!({"product": "payday", "role": "champion", "version": 1}),
            422,
        ),
        (
            "champ",
            json!({"product": "stock_up_line", "role": "champion", "version": 2}),
            404,
        ),
        ("narrow", champion.clone(), 422),
    ];
    for (id, body, expected) in refusals {
        let (status, answer) = activate(&app, id, body.clone()).await;
        assert_eq!(status, expected, "{id} {body}: {answer}");
    }
    let (status, _) = app
        .post(
            "/v1/scoring/models/champ/activate",
            &officer(&app),
            &champion,
        )
        .await;
    assert_eq!(status, 403);
    let (status, list) = app.get("/v1/scoring/models", &app.admin()).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["assignments"].as_array().unwrap().len(), 2, "{list}");

    let (status, decision) = app
        .post(
            "/v1/credit/assessments",
            &officer(&app),
            &assessment(party, "app-77"),
        )
        .await;
    assert_eq!(status, 201, "{decision}");
    assert_eq!(decision["model_id"], "champ");
    assert_eq!(decision["is_shadow"], false);
    let shadow_id = decision["shadow_decision_id"]
        .as_str()
        .expect("a shadow decision");
    let (status, shadow) = app
        .get(&format!("/v1/decisions/{shadow_id}"), &officer(&app))
        .await;
    assert_eq!(status, 200);
    assert_eq!(shadow["model_id"], "chall");
    assert_eq!(shadow["is_shadow"], true);
    assert_eq!(shadow["champion_decision_id"], decision["id"]);
    assert_ne!(shadow["score"], decision["score"]);
    let merchant = app.token(Role::Merchant, &party.to_string());
    let (status, _) = app
        .get(&format!("/v1/decisions/{shadow_id}"), &merchant)
        .await;
    assert_eq!(status, 404, "a party must never see a shadow decision");
    let (status, own) = app
        .get(
            &format!("/v1/decisions/{}", decision["id"].as_str().unwrap()),
            &merchant,
        )
        .await;
    assert_eq!(status, 200, "{own}");
    assert!(own["outcome"].is_string(), "{own}");
    assert_eq!(own["outcome"], decision["outcome"]);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM credit_decisions WHERE is_shadow"
        ),
        1
    );

    // A zero share keeps the challenger assigned but idle.
    let (status, _) = activate(
        &app,
        "chall",
        json!({"product": "stock_up_line",
        "role": "challenger", "version": 1, "challenger_share_bps": 0}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, idle) = app
        .post(
            "/v1/credit/assessments",
            &officer(&app),
            &assessment(party, "app-78"),
        )
        .await;
    assert_eq!(status, 201, "{idle}");
    assert_eq!(idle["model_id"], "champ", "{idle}");
    assert!(idle.get("shadow_decision_id").is_none(), "{idle}");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM credit_decisions WHERE is_shadow"
        ),
        1
    );
}
