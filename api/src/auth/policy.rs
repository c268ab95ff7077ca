//! Which roles may call which route, checked by the [gate](super::gate) before any
//! extractor runs (so a wrong role is 403 whatever the body holds).
//!
//! This table is the one statement of who may call what: handlers do not repeat it. A `/v1`
//! route missing from it is refused to everyone (a test holds the table to the OpenAPI
//! document), so a new route cannot be left open by forgetting it here.

use actix_web::http::Method;

use super::Role;

/// The one route a financier may call.
pub const REGISTRY_CHECK: &str = "/v1/registry/{fingerprint}";

const ADMIN: &[Role] = &[Role::Admin];
const STAFF: &[Role] = &[Role::Admin, Role::RiskOfficer];
const OFFICER: &[Role] = &[Role::RiskOfficer];
const MERCHANT: &[Role] = &[Role::Merchant];
const SUPPLIER: &[Role] = &[Role::Supplier];
const CORE: &[Role] = &[Role::CoreEnterprise];
const MERCHANT_OR_STAFF: &[Role] = &[Role::Merchant, Role::RiskOfficer, Role::Admin];
const BORROWERS: &[Role] = &[Role::Merchant, Role::Shopper];
const BORROWERS_OR_STAFF: &[Role] = &[
    Role::Merchant,
    Role::Shopper,
    Role::RiskOfficer,
    Role::Admin,
];
const BUYERS: &[Role] = &[Role::CoreEnterprise, Role::Merchant, Role::Admin];
/// Every authenticated business role and staff (not financiers): routes whose answer
/// depends on what the caller may see (others' objects are "not found"), and calculators.
const ANYONE: &[Role] = &[
    Role::Merchant,
    Role::Supplier,
    Role::CoreEnterprise,
    Role::Shopper,
    Role::RiskOfficer,
    Role::Admin,
];
const SUPPLIER_PARTIES: &[Role] = &[
    Role::Supplier,
    Role::CoreEnterprise,
    Role::RiskOfficer,
    Role::Admin,
];
const SUPPLIER_OR_STAFF: &[Role] = &[Role::Supplier, Role::RiskOfficer, Role::Admin];
const BILL_READERS: &[Role] = &[
    Role::Merchant,
    Role::Supplier,
    Role::CoreEnterprise,
    Role::RiskOfficer,
    Role::Admin,
];
const ORDER_READERS: &[Role] = &[
    Role::Merchant,
    Role::CoreEnterprise,
    Role::RiskOfficer,
    Role::Admin,
];

/// (method, route pattern, roles admitted), as the handlers require them.
const TABLE: &[(&str, &str, &[Role])] = &[
    ("POST", "/v1/parties", ADMIN),
    ("GET", "/v1/parties", STAFF),
    ("GET", "/v1/parties/{id}", ANYONE),
    ("GET", "/v1/decisions/{id}", ANYONE),
    ("POST", "/v1/quotes/schedule", ANYONE),
    ("POST", "/v1/quotes/installment-plan", ANYONE),
    ("POST", "/v1/quotes/bill-discount", ANYONE),
    ("POST", "/v1/quotes/factoring", ANYONE),
    ("GET", "/v1/factoring-programs/{id}", ANYONE),
    (
        "GET",
        "/v1/factoring-programs/{id}/suppliers/{supplier_id}",
        SUPPLIER_PARTIES,
    ),
    ("GET", "/v1/receivables", SUPPLIER_PARTIES),
    ("GET", "/v1/receivables/{id}", ANYONE),
    ("GET", "/v1/factoring-requests", SUPPLIER_OR_STAFF),
    ("GET", "/v1/factoring-requests/{id}", ANYONE),
    ("GET", "/v1/pools", SUPPLIER_OR_STAFF),
    ("GET", "/v1/pools/{id}", ANYONE),
    ("GET", "/v1/bills", BILL_READERS),
    ("GET", "/v1/bills/{id}", ANYONE),
    ("POST", "/v1/bills/{id}/endorsements", ANYONE),
    ("POST", "/v1/bills/{id}/discount", ANYONE),
    ("GET", "/v1/orders", ORDER_READERS),
    ("GET", "/v1/collateral", MERCHANT_OR_STAFF),
    ("GET", "/v1/ledger/trial-balance", ADMIN),
    ("GET", "/v1/ledger/check", ADMIN),
    ("GET", "/v1/ledger/accounts/{account}", STAFF),
    ("GET", "/v1/audit/verify", STAFF),
    ("GET", "/v1/audit/checkpoints/latest", STAFF),
    ("POST", "/v1/audit/checkpoints", ADMIN),
    ("GET", "/v1/audit/events", STAFF),
    ("GET", "/v1/admin/outbox", ADMIN),
    ("POST", "/v1/admin/outbox/{id}/replay", ADMIN),
    ("POST", "/v1/scoring/models", ADMIN),
    ("GET", "/v1/scoring/models", STAFF),
    ("POST", "/v1/scoring/models/{id}/activate", ADMIN),
    ("POST", "/v1/credit/assessments", STAFF),
    ("GET", "/v1/portfolio", STAFF),
    ("GET", "/v1/admin/business-date", STAFF),
    ("PUT", "/v1/admin/business-date", ADMIN),
    ("POST", "/v1/admin/eod", ADMIN),
    ("POST", "/v1/credit-line-applications", MERCHANT),
    (
        "GET",
        "/v1/credit-line-applications/{id}",
        MERCHANT_OR_STAFF,
    ),
    ("GET", "/v1/credit-lines", MERCHANT_OR_STAFF),
    ("GET", "/v1/credit-lines/{id}", MERCHANT_OR_STAFF),
    ("POST", "/v1/credit-lines/{id}/draws", MERCHANT),
    ("GET", "/v1/loans", BORROWERS_OR_STAFF),
    ("GET", "/v1/loans/{id}", BORROWERS_OR_STAFF),
    ("GET", "/v1/loans/{id}/transactions", BORROWERS_OR_STAFF),
    ("GET", "/v1/loans/{id}/payoff", BORROWERS_OR_STAFF),
    ("POST", "/v1/loans/{id}/repayments", BORROWERS),
    ("POST", "/v1/loans/{id}/write-off", OFFICER),
    ("GET", "/v1/reviews", STAFF),
    ("GET", "/v1/reviews/{id}", STAFF),
    ("POST", "/v1/reviews/{id}/claim", STAFF),
    ("POST", "/v1/reviews/{id}/decision", STAFF),
    ("POST", "/v1/reviews/{id}/confirm", STAFF),
    ("POST", "/v1/factoring-programs", ADMIN),
    ("POST", "/v1/factoring-programs/{id}/suppliers", SUPPLIER),
    (
        "POST",
        "/v1/factoring-programs/{id}/suppliers/{supplier_id}/approve",
        STAFF,
    ),
    ("POST", "/v1/receivables", SUPPLIER),
    ("POST", "/v1/receivables/{id}/confirm", CORE),
    ("POST", "/v1/receivables/{id}/dispute", CORE),
    ("POST", "/v1/receivables/{id}/cancel", SUPPLIER),
    ("POST", "/v1/receivables/{id}/payments", ADMIN),
    ("POST", "/v1/receivables/{id}/default", STAFF),
    ("POST", "/v1/factoring-requests", SUPPLIER),
    ("POST", "/v1/pools/{id}/draws", SUPPLIER),
    ("POST", "/v1/bills", SUPPLIER),
    ("POST", "/v1/bills/{id}/accept", CORE),
    ("POST", "/v1/bills/{id}/payment", ADMIN),
    ("POST", "/v1/bills/{id}/dishonour", ADMIN),
    ("POST", "/v1/installment-offers", MERCHANT),
    ("GET", "/v1/installment-offers", MERCHANT_OR_STAFF),
    ("POST", "/v1/installment-plans", MERCHANT),
    ("GET", "/v1/installment-plans", BORROWERS_OR_STAFF),
    ("GET", "/v1/installment-plans/{id}", BORROWERS_OR_STAFF),
    ("POST", "/v1/installment-plans/{id}/refunds", MERCHANT),
    ("POST", "/v1/orders", BUYERS),
    ("GET", "/v1/orders/{id}", ORDER_READERS),
    ("POST", "/v1/orders/{id}/financing", MERCHANT),
    ("POST", "/v1/orders/{id}/settlement", BUYERS),
    ("POST", "/v1/collateral", MERCHANT),
    ("GET", "/v1/collateral/{id}", MERCHANT_OR_STAFF),
    ("POST", "/v1/collateral/{id}/draws", MERCHANT),
    ("POST", "/v1/collateral/{id}/valuations", STAFF),
    ("POST", "/v1/collateral/{id}/release", MERCHANT_OR_STAFF),
];

/// Whether `role` may call `method pattern`. A financier may call the registry check and
/// nothing else; any other role what the table admits (nothing, for a route not in it).
pub fn allows(role: Role, method: &Method, pattern: &str) -> bool {
    if role == Role::Financier || pattern == REGISTRY_CHECK {
        return method == Method::GET && pattern == REGISTRY_CHECK;
    }
    match TABLE
        .iter()
        .find(|(m, p, _)| *p == pattern && *m == method.as_str())
    {
        Some((_, _, roles)) => roles.contains(&role),
        // A method the path does not serve: let it through to its JSON 405.
        None => TABLE.iter().any(|(_, p, _)| *p == pattern),
    }
}

/// Every (method, route pattern) the table lists, for the test that holds it to the routes.
pub fn listed() -> impl Iterator<Item = (&'static str, &'static str)> {
    TABLE
        .iter()
        .map(|(m, p, _)| (*m, *p))
        .chain([("GET", REGISTRY_CHECK)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_financier_may_call_the_registry_check_and_nothing_else() {
        assert!(allows(Role::Financier, &Method::GET, REGISTRY_CHECK));
        assert!(!allows(Role::Financier, &Method::GET, "/v1/parties/{id}"));
        assert!(!allows(
            Role::Financier,
            &Method::POST,
            "/v1/quotes/schedule"
        ));
    }

    #[test]
    fn a_merchant_may_not_decide_a_review() {
        let decide = "/v1/reviews/{id}/decision";
        assert!(!allows(Role::Merchant, &Method::POST, decide));
        assert!(allows(Role::RiskOfficer, &Method::POST, decide));
    }

    #[test]
    fn every_documented_route_is_in_the_table() {
        use utoipa::OpenApi;
        let doc = crate::openapi::ApiDoc::openapi();
        let listed: Vec<_> = listed().collect();
        let mut missing = Vec::new();
        for (path, item) in &doc.paths.paths {
            let methods = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("DELETE", item.delete.is_some()),
            ];
            for (method, present) in methods {
                if present && path.starts_with("/v1/") && !listed.contains(&(method, path)) {
                    missing.push(format!("{method} {path}"));
                }
            }
        }
        assert!(missing.is_empty(), "refused to everyone: {missing:?}");
    }

    #[test]
    fn every_route_is_listed_once() {
        for (i, (method, pattern, _)) in TABLE.iter().enumerate() {
            assert!(pattern.starts_with("/v1/"), "{pattern}");
            let twice = TABLE[i + 1..]
                .iter()
                .any(|(m, p, _)| m == method && p == pattern);
            assert!(!twice, "{method} {pattern} is listed twice");
        }
    }
}
