//! Lendline HTTP API: handlers, auth, error mapping, configuration, telemetry and the
//! `lendline` command line. `main.rs` only calls [`cli::main`].

pub mod admission;
pub mod app;
pub mod auth;
pub mod checkout;
pub mod cli;
pub mod cli_scoring;
pub mod config;
pub mod console;
pub mod decimal_text;
pub mod edge;
pub mod error;
pub mod extract;
pub mod filters;
pub mod group_commit;
pub mod handlers;
pub mod idempotency;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod open_files;
pub mod openapi;
pub mod pagination;
pub mod progress;
pub mod rate_limit;
pub mod request;
pub mod routes;
pub mod shutdown;
pub mod state;
pub mod strict_json;
pub mod supervisor;
pub mod telemetry;
pub mod text;
pub mod unattended;
pub mod usecases;
pub mod views;
