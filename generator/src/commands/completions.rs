//! `causerie completions SHELL`: the completion script clap_complete makes
//! from the same clap definitions the binary parses with, so completions
//! never fall behind the commands.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// Writes the completion script for `shell` to stdout.
pub fn run(shell: Shell) {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "causerie", &mut std::io::stdout());
}
