//! Issue 12, §1: keys stored before the canonical key v2 are re-keyed after the migrations: a
//! receivable's fingerprint moves to the v2 recipe (its paper follows), a disguised duplicate
//! registered by another seller keeps its old key, orders get their key; then the server
//! refuses a new disguised submission of the same invoice.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use domain::money::{Currency, Money};
use domain::receivable_fingerprint::{receivable_fingerprint, ReceivableKey};
use persistence::schema::{orders, receivables, registry_entries};
use uuid::Uuid;

const SETUP: &str = "
INSERT INTO parties (id, kind, name, registration_number, country, sector, onboarded_on,
                     contact_email, currency)
VALUES ('01900000-0000-7000-8000-000000000001', 'core_enterprise', 'Core', '9111-0000X', 'CN',
        'retail', '2025-01-01', 'c@example.com', 'CNY'),
       ('01900000-0000-7000-8000-000000000002', 'supplier', 'S1', 'S-1', 'CN', 'apparel',
        '2025-01-01', 's1@example.com', 'CNY'),
       ('01900000-0000-7000-8000-000000000003', 'supplier', 'S2', 'S-2', 'CN', 'apparel',
        '2025-01-01', 's2@example.com', 'CNY'),
       ('01900000-0000-7000-8000-000000000004', 'merchant', 'M', 'M-1', 'CN', 'apparel',
        '2025-01-01', 'm@example.com', 'CNY');
INSERT INTO factoring_programs (id, core_enterprise_id, currency, advance_rate,
    discount_rate_annual, service_fee_rate, recourse, max_tenor_days, grace_days, debtor_limit,
    supplier_limit, concentration_limit, confirmation_required)
VALUES ('01900000-0000-7000-8000-000000000010', '01900000-0000-7000-8000-000000000001', 'CNY',
        0.8, 0.06, 0.005, true, 180, 10, 1000000, 100000, 0.25, true);
INSERT INTO registry_entries (fingerprint, kind, subject_id, registered_at)
VALUES (repeat('a', 64), 'receivable', '01900000-0000-7000-8000-000000000020', now() - interval '2 days'),
       (repeat('b', 64), 'receivable', '01900000-0000-7000-8000-000000000021', now() - interval '1 day');
INSERT INTO receivables (id, supplier_id, debtor_id, program_id, invoice_number, issue_date,
                         due_date, amount, currency, fingerprint, state)
VALUES ('01900000-0000-7000-8000-000000000020', '01900000-0000-7000-8000-000000000002',
        '01900000-0000-7000-8000-000000000001', '01900000-0000-7000-8000-000000000010',
        'INV-2026-0001', '2026-10-01', '2026-12-01', 1000, 'CNY', repeat('a', 64), 'submitted'),
       ('01900000-0000-7000-8000-000000000021', '01900000-0000-7000-8000-000000000003',
        '01900000-0000-7000-8000-000000000001', '01900000-0000-7000-8000-000000000010',
        E'INV\\u200B-2026-1', '2026-10-01', '2026-12-01', 1000, 'CNY', repeat('b', 64), 'submitted');
INSERT INTO orders (id, merchant_id, buyer_id, order_number, kind, currency, order_value,
                    expected_settlement_on, status, created_at)
VALUES ('01900000-0000-7000-8000-000000000030', '01900000-0000-7000-8000-000000000004',
        '01900000-0000-7000-8000-000000000001', 'po 2027 0002', 'purchase_order', 'CNY', 500,
        '2026-12-31', 'confirmed', now());
";

#[test]
fn stored_keys_are_rekeyed_and_a_stored_duplicate_keeps_its_old_key() {
    let url = lendline_tests::fresh_plain_database_url();
    let mut conn = persistence::db::connect(&url).unwrap();
    loop {
        let reverted = persistence::db::revert_last_migration(&mut conn).unwrap();
        if reverted.contains("000101") {
            break;
        }
    }
    conn.batch_execute(SETUP).unwrap();
    persistence::db::run_migrations(&mut conn).unwrap();

    let expected = receivable_fingerprint(&ReceivableKey {
        debtor_registration: "9111-0000X",
        number: "INV-2026-0001",
        amount: Money::parse_positive("1000", Currency::Cny).unwrap(),
        issue_date: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
    });
    let first: Uuid = "01900000-0000-7000-8000-000000000020".parse().unwrap();
    let duplicate: Uuid = "01900000-0000-7000-8000-000000000021".parse().unwrap();
    let print = |conn: &mut PgConnection, id: Uuid| -> (String, String, i16) {
        let paper: String = receivables::table
            .find(id)
            .select(receivables::fingerprint)
            .first(conn)
            .unwrap();
        let (entry, version) = registry_entries::table
            .filter(registry_entries::subject_id.eq(id))
            .select((registry_entries::fingerprint, registry_entries::key_version))
            .first(conn)
            .unwrap();
        (paper, entry, version)
    };
    assert_eq!(
        print(&mut conn, first),
        (expected.clone(), expected, 2),
        "the earlier registration holds the v2 key and its paper follows"
    );
    assert_eq!(
        print(&mut conn, duplicate),
        ("b".repeat(64), "b".repeat(64), 1),
        "the stored duplicate keeps its v1 key"
    );
    let order_key: Option<String> = orders::table
        .select(orders::order_key)
        .first(&mut conn)
        .unwrap();
    assert_eq!(order_key.as_deref(), Some("PO2027-2"));
    // Running the migrations again changes nothing.
    let again = persistence::rekey::rekey_identifiers(&mut conn).unwrap();
    assert_eq!((again.rekeyed, again.duplicates), (0, 1));
}
