//! The borrowing base of a pool of 10,000 receivables over 200 debtors (with the concentration
//! excess per debtor), and the registry fingerprint of one receivable.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use domain::factoring::{borrowing_base, Receivable};
use domain::money::{Currency, Money};
use domain::rate::Rate;
use domain::receivable_fingerprint::{receivable_fingerprint, ReceivableKey};

fn pool(size: usize, debtors: usize) -> Vec<Receivable> {
    (0..size)
        .map(|i| Receivable {
            debtor: format!("debtor-{:04}", i % debtors),
            // 1,000.00 to 100,999.00, deterministic.
            eligible: Money::from_minor(
                100_000 + (i as i64 * 7_919 % 10_000) * 1_000,
                Currency::Cny,
            ),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let receivables = pool(10_000, 200);
    let advance = Rate::parse("0.80").unwrap();
    let concentration = Rate::parse("0.02").unwrap();
    c.bench_function("borrowing_base_10k_receivables_200_debtors", |b| {
        b.iter(|| borrowing_base(black_box(&receivables), advance, concentration).unwrap())
    });
    let key = ReceivableKey {
        debtor_registration: "91110000100000000X",
        number: "INV-2026-000123",
        amount: Money::from_minor(10_000_000, Currency::Cny),
        issue_date: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
    };
    c.bench_function("receivable_fingerprint", |b| {
        b.iter(|| receivable_fingerprint(black_box(&key)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
