//! Credit scoring over HTTP: model upload and immutability, champion/challenger activation,
//! assessments that are reproducible and audited, and who may see which part of a decision.

use api::auth::Role;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use lendline_tests::TestApp;
use serde_json::{json, Value};
use uuid::Uuid;

/// The shipped default model under another id and version.
pub(crate) fn model(id: &str, version: u32) -> Value {
    let mut document = credit_scoring::default_model().unwrap();
    document.id = id.into();
    document.version = version;
    document.description = format!("{id} for tests");
    serde_json::to_value(document).unwrap()
}

pub(crate) async fn upload(app: &TestApp, document: &Value) -> (u16, Value) {
    app.post(
        "/v1/scoring/models",
        &app.admin(),
        &json!({ "document": document }),
    )
    .await
}

pub(crate) async fn activate(app: &TestApp, id: &str, body: Value) -> (u16, Value) {
    app.post(
        &format!("/v1/scoring/models/{id}/activate"),
        &app.admin(),
        &body,
    )
    .await
}

pub(crate) fn officer(app: &TestApp) -> String {
    app.token(Role::RiskOfficer, "officer-7")
}

pub(crate) fn assessment(party: Uuid, subject: &str) -> Value {
    json!({"party_id": party, "product": "stock_up_line", "subject": subject,
        "inputs": {"requested_amount": "20000", "current_exposure": "0",
            "max_days_past_due": 0, "past_delinquencies": 0, "blacklisted": false,
            "region": "central"}})
}

#[derive(QueryableByName)]
pub(crate) struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

pub(crate) fn count(app: &TestApp, sql: &str) -> i64 {
    let mut conn = persistence::db::connect(&app.database_url).unwrap();
    diesel::sql_query(sql)
        .get_result::<Count>(&mut conn)
        .unwrap()
        .n
}

/// Decides again from what is stored: the model document and the decision's input snapshot.
fn replay(app: &TestApp, decision: &Value) -> credit_scoring::Decision {
    #[derive(QueryableByName)]
    struct Document {
        #[diesel(sql_type = diesel::sql_types::Text)]
        document: String,
    }
    let mut conn = persistence::db::connect(&app.database_url).unwrap();
    let stored =
        diesel::sql_query("SELECT document FROM scoring_models WHERE id = $1 AND version = $2")
            .bind::<diesel::sql_types::Text, _>(decision["model_id"].as_str().unwrap())
            .bind::<diesel::sql_types::Integer, _>(
                decision["model_version"].as_i64().unwrap() as i32
            )
            .get_result::<Document>(&mut conn)
            .unwrap();
    let model =
        credit_scoring::CompiledModel::compile(&serde_json::from_str(&stored.document).unwrap())
            .unwrap();
    let inputs = credit_scoring::Inputs::from_json(&decision["inputs"]).unwrap();
    let product = decision["product"].as_str().unwrap().parse().unwrap();
    credit_scoring::decide(&model, product, &inputs).unwrap()
}

#[tokio::test]
async fn models_are_validated_on_upload_and_immutable_once_stored() {
    let app = TestApp::spawn().await;
    let (status, body) = upload(&app, &model("merchant-test", 1)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["document_sha256"].as_str().unwrap().len(), 64);

    let (status, body) = upload(&app, &model("merchant-test", 1)).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["field"], "document.version");

    let mut broken = model("merchant-test", 2);
    broken["features"] = json!([]);
    let (status, body) = upload(&app, &broken).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid_model");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("at least one feature"));

    let mut misspelt = model("merchant-test", 2);
    misspelt["rulez"] = json!([]);
    let (status, body) = upload(&app, &misspelt).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["field"], "document.rulez");

    let (status, _) = upload(&app, &json!({"id": 7})).await;
    assert_eq!(status, 422);
    let (status, _) = app
        .post(
            "/v1/scoring/models",
            &officer(&app),
            &json!({"document": model("x", 1)}),
        )
        .await;
    assert_eq!(status, 403);

    let (status, list) = app.get("/v1/scoring/models", &officer(&app)).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["models"].as_array().unwrap().len(), 1);
    assert_eq!(list["models"][0]["id"], "merchant-test");

    let mut conn = persistence::db::connect(&app.database_url).unwrap();
    let changed =
        diesel::sql_query("UPDATE scoring_models SET description = 'rewritten'").execute(&mut conn);
    assert!(changed.is_err(), "a stored model version was changed");
    assert!(diesel::sql_query("DELETE FROM scoring_models")
        .execute(&mut conn)
        .is_err());
}

#[tokio::test]
async fn an_assessment_is_a_full_reproducible_decision_sealed_in_the_audit_trail() {
    let app = TestApp::spawn().await;
    let party = app.create_party("merchant").await;
    let officer = officer(&app);
    let (status, first) = app
        .post(
            "/v1/credit/assessments",
            &officer,
            &assessment(party, "application-1"),
        )
        .await;
    assert_eq!(status, 201, "{first}");
    // No champion assigned: the shipped default model decides, stored like any other.
    assert_eq!(first["model_id"], "default-merchant");
    assert_eq!(first["inputs"]["monthly_sales_avg"], "161166.83");
    assert_eq!(first["inputs"]["sector"], "apparel");
    assert!(!first["feature_points"].as_array().unwrap().is_empty());
    assert!(first["score"].is_number());
    assert_eq!(first["currency"], "CNY");

    let (status, second) = app
        .post(
            "/v1/credit/assessments",
            &officer,
            &assessment(party, "application-1"),
        )
        .await;
    assert_eq!(status, 201);
    assert_ne!(first["id"], second["id"]);
    for field in [
        "outcome",
        "score",
        "grade",
        "probability_of_default",
        "credit_limit",
        "rate_annual",
        "reasons",
        "inputs",
        "feature_points",
        "rules_fired",
        "model_version",
    ] {
        assert_eq!(
            first[field], second[field],
            "{field} differs between identical requests"
        );
    }
    let (status, list) = app.get("/v1/scoring/models", &officer).await;
    assert_eq!(status, 200);
    assert_eq!(list["models"].as_array().unwrap().len(), 1, "{list}");
    // The stored model and the stored inputs are enough to make the same decision again.
    let replayed = replay(&app, &first);
    // Scores are shown rounded to two decimals.
    assert_eq!(json!(api::views::score(replayed.score)), first["score"]);
    // Limits are whole currency units, shown with the currency's minor units.
    assert_eq!(
        format!("{}.00", replayed.credit_limit),
        first["credit_limit"].as_str().unwrap()
    );
    assert_eq!(
        json!(replayed.reasons.len()),
        json!(first["reasons"].as_array().unwrap().len())
    );

    let id = first["id"].as_str().unwrap();
    let (status, events) = app
        .get(
            &format!("/v1/audit/events?entity=decision:{id}"),
            &app.admin(),
        )
        .await;
    assert_eq!(status, 200, "{events}");
    assert_eq!(events["items"][0]["action"], "credit.decided");
    assert_eq!(events["items"][0]["payload"]["id"], id);
    assert_eq!(events["items"][0]["payload"]["outcome"], first["outcome"]);

    let mut blacklisted = assessment(party, "application-2");
    blacklisted["inputs"]["blacklisted"] = json!(true);
    let (status, declined) = app
        .post("/v1/credit/assessments", &officer, &blacklisted)
        .await;
    assert_eq!(status, 201);
    assert_eq!(declined["outcome"], "decline");
    assert_eq!(declined["reasons"][0]["code"], "R_BLACKLISTED");
    assert_eq!(declined["credit_limit"], "0.00");

    let merchant = app.token(Role::Merchant, &party.to_string());
    let (status, _) = app
        .post(
            "/v1/credit/assessments",
            &merchant,
            &assessment(party, "a-3"),
        )
        .await;
    assert_eq!(status, 403);
    let (status, body) = app
        .post(
            "/v1/credit/assessments",
            &officer,
            &assessment(Uuid::new_v4(), "a-4"),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (422, json!("party_id"))
    );
    let mut unreadable = assessment(party, "a-5");
    unreadable["inputs"]["requested_amount"] = json!("lots");
    let (status, body) = app
        .post("/v1/credit/assessments", &officer, &unreadable)
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["field"], "inputs.requested_amount");
    let mut unknown = assessment(party, "a-6");
    unknown["score"] = json!(900);
    let (status, _) = app.post("/v1/credit/assessments", &officer, &unknown).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_party_sees_only_outcome_limit_rate_and_reasons_of_its_own_decision() {
    let app = TestApp::spawn().await;
    let party = app.create_party("merchant").await;
    let other = app.create_party("merchant").await;
    let (status, decision) = app
        .post(
            "/v1/credit/assessments",
            &officer(&app),
            &assessment(party, "app-9"),
        )
        .await;
    assert_eq!(status, 201, "{decision}");
    let path = format!("/v1/decisions/{}", decision["id"].as_str().unwrap());

    let (status, seen) = app
        .get(&path, &app.token(Role::Merchant, &party.to_string()))
        .await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen["outcome"], decision["outcome"]);
    assert_eq!(seen["credit_limit"], decision["credit_limit"]);
    assert_eq!(seen["rate_annual"], decision["rate_annual"]);
    assert!(seen["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .all(Value::is_string));
    for hidden in [
        "score",
        "grade",
        "probability_of_default",
        "feature_points",
        "inputs",
        "rules_fired",
        "model_id",
        "model_version",
        "decided_by",
    ] {
        assert!(
            seen.get(hidden).is_none(),
            "the party can see {hidden}: {seen}"
        );
    }

    let (status, _) = app
        .get(&path, &app.token(Role::Merchant, &other.to_string()))
        .await;
    assert_eq!(status, 404);
    let (status, full) = app.get(&path, &officer(&app)).await;
    assert_eq!(status, 200);
    assert_eq!(full["feature_points"], decision["feature_points"]);
    assert_eq!(full["score"], decision["score"]);
    let (status, _) = app
        .get(&format!("/v1/decisions/{}", Uuid::new_v4()), &officer(&app))
        .await;
    assert_eq!(status, 404);
}
