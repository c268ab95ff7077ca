//! Writes a synthetic merchant population as CSV to stdout.
//!
//! `cargo run -p credit-scoring --example generate_merchants -- --rows 100000 --seed 7`

use std::process::ExitCode;

use credit_scoring::synthetic::{generate_merchants, write_merchants_csv};

fn flag(args: &[String], name: &str, default: u64) -> Result<u64, String> {
    match args.iter().position(|arg| arg == name) {
        None => Ok(default),
        Some(index) => args
            .get(index + 1)
            .and_then(|value| value.parse().ok())
            .ok_or_else(|| format!("{name} needs a whole number")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed =
        flag(&args, "--rows", 100_000).and_then(|rows| Ok((rows, flag(&args, "--seed", 7)?)));
    let (rows, seed) = match parsed {
        Ok(values) => values,
        Err(message) => {
            eprintln!("{message}\nusage: generate_merchants [--rows N] [--seed S]");
            return ExitCode::FAILURE;
        }
    };
    let merchants = generate_merchants(usize::try_from(rows).unwrap_or(usize::MAX), seed);
    match write_merchants_csv(&merchants, std::io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("writing CSV failed: {error}");
            ExitCode::FAILURE
        }
    }
}
