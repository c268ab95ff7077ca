//! The `lendline` binary.

/// mimalloc for every Rust allocation of the server: see `api::memory`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    api::cli::main()
}
