//! The deploy artifacts (`deploy/Dockerfile`, the compose files, `deploy/kubernetes/`) parsed
//! and checked against the server's own configuration loader, command line and routes, so that
//! a renamed key, variable, port or probe path fails here rather than in an operator's cluster.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod compose;
mod image;
mod kubernetes;
mod served;
mod support;
