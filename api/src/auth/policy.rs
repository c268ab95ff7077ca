//! Which roles may call which route, checked by the [gate](super::gate) before any
//! extractor runs (so a wrong role is 403 whatever the body holds).
//!
//! Handlers keep their own `caller.require(..)`: this table makes the refusal early, the
//! handler keeps it correct. A route missing from the table is therefore still guarded, only
//! after its body is read; add new routes here with the same roles as their handler.

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
const SCF_PARTIES_OR_STAFF: &[Role] = &[
    Role::Supplier,
    Role::CoreEnterprise,
    Role::RiskOfficer,
    Role::Admin,
];
const BUYERS: &[Role] = &[Role::CoreEnterprise, Role::Merchant, Role::Admin];
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
    (
        "GET",
        "/v1/factoring-programs/{id}/suppliers/{supplier_id}",
        SCF_PARTIES_OR_STAFF,
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
/// nothing else; any other role whatever the table admits (everything, for a route not in it).
pub fn allows(role: Role, method: &Method, pattern: &str) -> bool {
    if role == Role::Financier {
        return method == Method::GET && pattern == REGISTRY_CHECK;
    }
    TABLE
        .iter()
        .find(|(m, p, _)| *p == pattern && *m == method.as_str())
        .is_none_or(|(_, _, roles)| roles.contains(&role))
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
