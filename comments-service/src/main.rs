//! `causerie-comments`: see `cli` for the flags.
fn main() -> std::process::ExitCode {
    causerie_comments::cli::main()
}
