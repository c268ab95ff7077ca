//! `embed_migrations!` reads the migration files at compile time, but cargo only learns of the
//! files it has read: a new migration directory would be left out of the binary until something
//! else changed. Watching the directory rebuilds this crate when one is added.

fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
