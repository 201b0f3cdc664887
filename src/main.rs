//! The `regionsim` binary: a thin wrapper that returns the CLI's exit code.

fn main() -> std::process::ExitCode {
    regionsim::cli::main()
}
