//! Persistence: diesel schema, repositories, migrations runner and the embedded PostgreSQL launcher.
