//! `causerie`: parse the arguments, run the command, print errors, exit
//! 0 (success), 1 (content or config errors) or 2 (usage errors).

use clap::Parser;
use std::process::ExitCode;

use causerie::cli::{Cli, Command};
use causerie::commands;
use causerie::error::Error;
use causerie::site::BuildOptions;

fn main() -> ExitCode {
    // Parsing code blocks makes and drops many small tree-sitter nodes on
    // every core; mimalloc's thread-local heaps serve them faster than
    // glibc's (a clean 1 000-post build: 0.48 → 0.38 s in one hyperfine run).
    // Rust's own allocations stay on glibc: mimalloc as the global allocator
    // was faster still but raised the 10 000-post peak RSS from 260 to 360 MB.
    causerie::highlight::use_allocator(
        libmimalloc_sys::mi_malloc,
        libmimalloc_sys::mi_calloc,
        libmimalloc_sys::mi_realloc,
        libmimalloc_sys::mi_free,
    );
    let t0 = std::time::Instant::now();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let r = run(cli);
    causerie::profile::phase("main", t0);
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Content(diags)) => {
            for d in &diags {
                eprintln!("{d}");
            }
            eprintln!(
                "{} error{}",
                diags.len(),
                if diags.len() == 1 { "" } else { "s" }
            );
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Init { dir } => {
            commands::init::run(&dir)?;
            println!(
                "created a new site in {}; build it with: cd {} && causerie build",
                dir.display(),
                dir.display()
            );
        }
        Command::Build {
            root,
            output,
            drafts,
            base_url,
        } => {
            let output = output.unwrap_or_else(|| root.join("public"));
            let outcome = causerie::incremental::build_with_cache(
                &root,
                &output,
                &BuildOptions {
                    drafts,
                    base_url,
                    now: None,
                },
            )?;
            println!(
                "{} → {} ({} of {} outputs rendered)",
                outcome.report,
                output.display(),
                outcome.rendered,
                outcome.jobs
            );
        }
        Command::Serve {
            root,
            port,
            drafts,
            output,
            comments,
            comments_db,
        } => {
            commands::serve::run(commands::serve::Options {
                root,
                output,
                port,
                drafts,
                comments,
                comments_db,
            })?;
        }
        Command::Watch { root, output, port } => {
            commands::serve::watch(commands::serve::WatchOptions { root, output, port })?;
        }
        Command::Check { root, drafts } => {
            let r = commands::check::run(
                &root,
                &BuildOptions {
                    drafts,
                    base_url: None,
                    now: None,
                },
            )?;
            for (src, line, date) in &r.scheduled {
                println!("{src}:{line}: scheduled for {date} (not published yet)");
            }
            println!(
                "checked {} posts and {} pages: no problems",
                r.posts, r.pages
            );
        }
        Command::Webmentions { action } => {
            commands::webmentions::run(action)?;
        }
        Command::Activitypub {
            action: causerie::cli::ActivitypubAction::Send { root },
        } => {
            println!("{}", commands::activitypub::run(root)?);
        }
        Command::Import { from } => {
            let summary = commands::import::run(from)?;
            commands::import::print(&summary);
        }
        Command::Completions { shell } => commands::completions::run(shell),
        Command::New { title, root } => {
            let path = commands::new::run(&root, &title, jiff::Timestamp::now())?;
            println!(
                "wrote {} (a draft: set draft = false to publish)",
                path.display()
            );
        }
    }
    Ok(())
}
