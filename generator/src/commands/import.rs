//! `causerie import wordpress|blogger FILE`: the command-line face of
//! [`crate::import`].

use std::io::IsTerminal;

use crate::cli::ImportFrom;
use crate::error::Result;
use crate::import::{self, Options, Source, Summary};

/// Runs the import the arguments describe.
pub fn run(from: ImportFrom) -> Result<Summary> {
    let progress = std::io::stderr().is_terminal();
    let opts = match from {
        ImportFrom::Wordpress {
            file,
            root,
            media,
            dry_run,
            send_webmentions,
        } => Options {
            source: Source::WordPress,
            file,
            root,
            media,
            dry_run,
            send_webmentions,
            progress,
        },
        ImportFrom::Blogger {
            file,
            root,
            dry_run,
            send_webmentions,
        } => Options {
            source: Source::Blogger,
            file,
            root,
            media: None,
            dry_run,
            send_webmentions,
            progress,
        },
    };
    import::run(&opts)
}

/// Notes on stderr (`FILE:line: …`), then the summary and what was kept.
pub fn print(s: &Summary) {
    for n in &s.notes {
        eprintln!("warning: {n}");
    }
    println!("{s}");
    if s.media_left > 0 {
        println!(
            "{} media link{} left pointing to the old site (give --media DIR to copy the files)",
            s.media_left,
            if s.media_left == 1 { "" } else { "s" }
        );
    }
    if !s.kept.is_empty() {
        println!(
            "kept {} file{} you edited since the last import: {}",
            s.kept.len(),
            if s.kept.len() == 1 { "" } else { "s" },
            s.kept.join(", ")
        );
    }
    if s.mentions > 0 {
        println!(
            "recorded {} link{} as already notified in webmentions.json",
            s.mentions,
            if s.mentions == 1 { "" } else { "s" }
        );
    }
    if !s.dry_run {
        println!("wrote {} files, {} unchanged", s.written, s.unchanged);
    }
}
