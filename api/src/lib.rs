//! Lendline HTTP API.
