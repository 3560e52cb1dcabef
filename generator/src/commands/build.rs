//! `causerie build`: load → markdown → check → render → write, in that order.

use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::profile::phase;

use crate::error::{Diagnostic, Error, Result};
use crate::render::{Body, Renderer};
use crate::site::{BuildOptions, BuildReport, Site};
use crate::write::Stage;

/// Loads the site and runs every check; returns the site ready to render,
/// or every problem found.
pub fn prepare(root: &Path, opts: &BuildOptions) -> Result<Site> {
    let t = Instant::now();
    let (mut site, mut errors) = Site::load_rendered(root, opts).map_err(Error::Content)?;
    phase("load", t);
    let t = Instant::now();
    site.render_markdown();
    phase("markdown", t);
    let t = Instant::now();
    errors.extend(site.check_links());
    phase("links", t);
    if !errors.is_empty() {
        errors.sort();
        errors.dedup();
        return Err(Error::Content(errors));
    }
    Ok(site)
}

/// Builds the site at `root` into `output`, atomically.
pub fn run(root: &Path, output: &Path, opts: &BuildOptions) -> Result<BuildReport> {
    let start = Instant::now();
    let mut site = prepare(root, opts)?;
    let t = Instant::now();
    site.conversation = crate::conversation::sync(&site.root, &site.config);
    phase("conversation", t);
    let t = Instant::now();
    let renderer = Renderer::new(&site).map_err(Error::Content)?;
    let jobs = renderer.jobs();
    phase("renderer", t);
    let t = Instant::now();
    let stage = Stage::new(output)?;
    let progress = Progress::new(jobs.len());
    let counts: Vec<std::result::Result<(usize, usize), Error>> = jobs
        .par_iter()
        .map(|job| {
            let outs = renderer.render(job).map_err(|d| Error::Content(vec![d]))?;
            let mut pages = 0;
            let mut files = 0;
            for o in &outs {
                stage.write(o)?;
                if o.path.ends_with(".html") && matches!(o.body, Body::Bytes(_)) {
                    pages += 1;
                } else {
                    files += 1;
                }
            }
            progress.tick();
            Ok((pages, files))
        })
        .collect();
    progress.done();
    phase("render+write", t);
    let mut pages = 0;
    let mut files = 0;
    let mut errors: Vec<Diagnostic> = Vec::new();
    for c in counts {
        match c {
            Ok((p, f)) => {
                pages += p;
                files += f;
            }
            Err(Error::Content(mut d)) => errors.append(&mut d),
            Err(e) => return Err(e),
        }
    }
    if !errors.is_empty() {
        errors.sort();
        errors.dedup();
        return Err(Error::Content(errors));
    }
    let t = Instant::now();
    stage.commit()?;
    phase("commit", t);
    if let Some(w) = &site.conversation.warning {
        // After the build, so diagnostics of a failed build come first.
        eprintln!("warning: comments: {w}");
    }
    Ok(BuildReport {
        pages,
        files,
        posts: site.content.posts.len(),
        drafts: site.content.drafts,
        scheduled: site.content.scheduled.len(),
        elapsed: start.elapsed(),
    })
}

/// A progress line on stderr, only on a terminal and only for big builds.
struct Progress {
    total: usize,
    done: AtomicUsize,
    show: bool,
}

impl Progress {
    fn new(total: usize) -> Progress {
        Progress {
            total,
            done: AtomicUsize::new(0),
            show: total >= 5000 && std::io::stderr().is_terminal(),
        }
    }
    fn tick(&self) {
        let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if self.show && n.is_multiple_of((self.total / 50).max(1)) {
            let pct = n * 100 / self.total;
            let bar = "#".repeat(pct / 4);
            eprint!("\r[{bar:<25}] {pct:>3}% {n}/{}", self.total);
        }
    }
    fn done(&self) {
        if self.show {
            eprint!("\r{}\r", " ".repeat(60));
        }
    }
}
