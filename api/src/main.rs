//! The `lendline` binary.

fn main() -> std::process::ExitCode {
    api::cli::main()
}
