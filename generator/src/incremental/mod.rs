//! Incremental builds: render only the outputs whose inputs changed.
//!
//! An [`Engine`] remembers, per job of the last successful build, the job's
//! dependency key ([`keys`]) and the files it wrote with their hashes, plus
//! every entry's rendered markdown by content hash. The next build loads the
//! site, reuses the markdown of unchanged entries, computes every job's key,
//! and renders only the jobs whose key changed; it writes only the files
//! whose bytes changed and deletes the files no job produces any more. When
//! there is no usable memory of the output (first build, another output
//! directory, or most of the site changed) it does a full atomic build.
//!
//! `causerie serve` keeps one engine in memory; `causerie build` saves it
//! under `.causerie/` ([`disk`]) between runs. With `CAUSERIE_VERIFY=1`
//! (on in every test run) each build checks its skipped jobs ([`verify`]).
//!
//! The engine is made of four parts, each with the methods that touch only
//! it: the build records ([`records`]: what is on disk), the markdown cache
//! ([`markdown_cache`]: rendered bodies and the log they are read from),
//! the parsed-entry cache ([`entry_cache`]: entries by file stamp, and the
//! link check's memory) and the kept site ([`kept_site`]: what a resident
//! engine keeps between builds). A build loads (or patches) the site, then
//! plans ([`plan`]), renders ([`rendering`]) and applies ([`apply`]).

mod apply;
mod blob;
mod cached;
mod codec;
mod dir_stamps;
pub mod disk;
mod entries;
mod entry_cache;
mod entry_file;
mod entry_index;
mod entry_pool;
mod frames;
mod journal;
mod kept_site;
pub mod keys;
mod load;
mod log_index;
mod log_scan;
mod markdown_cache;
mod order;
mod outcome;
mod output_check;
mod patch;
mod plan;
mod present;
mod record;
mod records;
mod rekey;
mod rendering;
mod save_delta;
mod spill;
mod stamps;
mod verify;

use apply::file_rec;
pub use cached::build_with_cache;
use entry_cache::EntryCache;
use kept_site::KeptSite;
use markdown_cache::MarkdownCache;
pub use outcome::Outcome;
use patch::Patch;
use plan::Plan;
pub use record::{FileRec, Record};
use records::Records;
use rendering::{Files, Made};
use stamps::{found_stamp, markdown_key, summary_key};

use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::profile::phase;

use crate::config::Slugify;
use crate::content::{Entry, Found, Kind, rel_path};
use crate::error::{Diagnostic, Error, Result};
use crate::hash::{Fp, file_stamp};
use crate::markdown::RenderedBody;
use crate::render::{Body, Job, Output, Renderer, Summary, Templates};
use crate::site::BuildReport;
use crate::site::{BuildOptions, Site};
use crate::write::Stage;

/// Memory of the previous build of one output directory, in its parts.
#[derive(Default)]
pub struct Engine {
    /// What the last build wrote, and where.
    records: Records,
    /// Rendered markdown, and the log on disk it is read from.
    markdown: MarkdownCache,
    /// Parsed entries, by the stamps of their files.
    entries: EntryCache,
    /// The last site and its conversation (a resident engine).
    kept: KeptSite,
    /// Above this share of dirty jobs, a full atomic build is cheaper.
    partial_limit: Option<f64>,
    /// One build and done (`causerie build`): list views are not kept.
    one_shot: bool,
    /// The content walked beside the cache load (`causerie build`), for
    /// the next load to use instead of walking.
    walked: Option<crate::content::Walk>,
}

fn absolute(p: &Path) -> Result<PathBuf> {
    if p.is_absolute() {
        Ok(p.to_path_buf())
    } else {
        Ok(std::env::current_dir()
            .map_err(|e| Error::io(".", e))?
            .join(p))
    }
}

impl Engine {
    pub fn new() -> Engine {
        Engine::default()
    }

    /// Sets the share of dirty jobs (0..=1) above which a build renders
    /// everything into a fresh tree; 1.0 makes every build partial.
    pub fn set_partial_limit(&mut self, share: f64) {
        self.partial_limit = Some(share);
    }

    /// Builds with `[comments] url` set to `url` (a table is added if the
    /// config has none); `None` keeps the config's.
    pub fn set_comments_url(&mut self, url: Option<String>) {
        self.kept.comments_url = url;
    }

    /// Whether the next build fetches the conversation from the comment
    /// service (`true`) or reuses the last one it fetched.
    pub fn sync_conversation_next(&mut self, sync: bool) {
        self.kept.reuse_conversation = !sync;
    }

    /// Forgets what it knows of these files (the watcher saw them change),
    /// so the next build reads them whatever their stamps say.
    pub fn invalidate(&mut self, root: &Path, paths: &[PathBuf]) {
        self.entries.forget(root, paths);
    }

    /// Forgets the output (the next build is a full one) but keeps the
    /// markdown cache.
    pub fn forget_output(&mut self) {
        self.records.forget();
        self.kept.counts = None;
    }

    /// Builds the site at `root` into `output`, rendering only what changed
    /// since this engine's last build. On content errors nothing is written.
    pub fn build(&mut self, root: &Path, output: &Path, opts: &BuildOptions) -> Result<Outcome> {
        self.build_changed(root, output, opts, None)
    }

    /// [`Engine::build`] told which files changed since the last build
    /// (`serve` knows from the watcher). When they are only edits of
    /// existing entries, the site of the last build is patched in memory
    /// instead of being loaded again.
    pub fn build_changed(
        &mut self,
        root: &Path,
        output: &Path,
        opts: &BuildOptions,
        changed: Option<&[PathBuf]>,
    ) -> Result<Outcome> {
        let start = Instant::now();
        let output = absolute(output)?;
        if let (Some(paths), Some(mut site)) = (changed, self.kept.site.take()) {
            match self.patch(&mut site, root, opts, paths) {
                Patch::Done => return self.build_patched(site, opts, &output, start),
                Patch::No => self.dissolve(site),
                // Half-patched: its markdown cannot be trusted; start over.
                Patch::Spoilt => {
                    self.entries.clear_parsed();
                    self.markdown.clear_bodies();
                }
            }
        }
        self.build_loaded(root, opts, &output, start)
    }

    /// Builds the kept site after [`Engine::patch`] brought it up to date.
    fn build_patched(
        &mut self,
        mut site: Site,
        opts: &BuildOptions,
        output: &Path,
        start: Instant,
    ) -> Result<Outcome> {
        phase("patch", start);
        let t = Instant::now();
        self.kept.resync(&mut site);
        let global = keys::global(&site, opts);
        phase("global", t);
        let r = self
            .run(&mut site, global, output, start)
            .map(|o| Outcome { patched: true, ..o });
        if r.is_ok() {
            self.kept.site = Some(site);
        } else {
            self.dissolve(site);
        }
        r
    }

    /// Loads the site through the caches, checks it, and builds it.
    fn build_loaded(
        &mut self,
        root: &Path,
        opts: &BuildOptions,
        output: &Path,
        start: Instant,
    ) -> Result<Outcome> {
        let check = output_check::Background::start(std::mem::take(&mut self.records), output);
        let loaded = self.load(root, opts);
        let (mut site, mut errors) = match loaded {
            Ok(l) => l,
            Err(e) => {
                self.records = check.join();
                return Err(e);
            }
        };
        phase("load", start);
        self.kept.override_comments_url(&mut site);
        let t = Instant::now();
        site.conversation = self.kept.conversation_for(&site);
        phase("conversation", t);
        let t = Instant::now();
        self.markdown.fill(&mut site);
        phase("markdown", t);
        let t = Instant::now();
        // A resident engine keeps the known paths for its patches.
        let known = (!self.one_shot).then(|| site.known_paths());
        self.entries.check_links(&site, known.as_ref(), &mut errors);
        phase("links", t);
        let t = Instant::now();
        self.records = check.join();
        phase("output check", t);
        let result = if errors.is_empty() {
            let global = keys::global(&site, opts);
            self.run(&mut site, global, output, start)
        } else {
            errors.sort();
            errors.dedup();
            Err(Error::Content(errors))
        };
        if let Some(w) = site.conversation.warning.take() {
            eprintln!("warning: comments: {w}");
        }
        if result.is_ok() {
            if !self.one_shot {
                self.kept.index.make(&site);
            }
            self.kept.known = known;
            self.kept.site = Some(site);
        } else {
            self.dissolve(site);
        }
        result
    }

    /// Takes a kept site apart into the caches the full load path uses
    /// (parsed entries, markdown, conversation).
    fn dissolve(&mut self, mut site: Site) {
        self.kept.known = None;
        // The records may not hold the last keys: the next plan keys all.
        self.kept.keys = None;
        self.markdown.take_from(&mut site, self.one_shot);
        self.entries.keep(&mut site);
        self.kept.conversation = Some(std::mem::take(&mut site.conversation));
    }

    /// Plan (what is dirty), render (the dirty jobs), apply (write and record).
    fn run(
        &mut self,
        site: &mut Site,
        global: u64,
        output: &Path,
        start: Instant,
    ) -> Result<Outcome> {
        let plan = self.plan(site, global, output)?;
        let t = Instant::now();
        let made = self.render(site, &plan, output);
        let applied = made.and_then(|made| self.apply(made, &plan, output));
        phase("render+write", t);
        Ok(self.outcome(site, &plan, applied?, start))
    }

    /// What the build did, for `serve`, `watch` and `build` to report.
    fn outcome(
        &self,
        site: &Site,
        plan: &Plan,
        applied: apply::Applied,
        start: Instant,
    ) -> Outcome {
        let (written, removed, changed) = applied;
        let (pages, files) = self.kept.counts.unwrap_or_else(|| self.records.counts());
        Outcome {
            report: BuildReport {
                pages,
                files,
                posts: site.content.posts.len(),
                drafts: site.content.drafts,
                scheduled: site.content.scheduled.len(),
                elapsed: start.elapsed(),
            },
            rendered: plan.rendered(),
            jobs: plan.jobs.len(),
            written,
            removed,
            full: plan.full,
            changed,
            patched: false,
        }
    }

    /// Writes what [`Engine::render`] made into `output` and records it.
    fn apply(&mut self, made: Made, plan: &Plan, output: &Path) -> Result<apply::Applied> {
        let before = self.kept.counts.take();
        let (applied, counts) = match made.files {
            Files::Staged(stage, files) => {
                (self.records.apply_full(stage, &plan.keyed, files)?, None)
            }
            Files::Dirty(outs) => {
                (self.records).apply_partial(&plan.keyed, &plan.dirty, outs, output, before)?
            }
        };
        let counts = counts.unwrap_or_else(|| self.records.counts());
        if verify::enabled() && counts != self.records.counts() {
            return Err(Error::Other(
                "verify: the pages and files counted after a partial build are wrong".into(),
            ));
        }
        self.kept.counts = Some(counts);
        if let Some(s) = made.summaries {
            self.kept.keep_summaries(s, &plan.skeys);
        }
        self.records.describe(output);
        Ok(applied)
    }
}
