//! End-to-end tests: the real server over HTTP against a throwaway PostgreSQL cluster.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod platform;
mod schema;
