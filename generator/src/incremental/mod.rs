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

mod apply;
mod blob;
mod cached;
pub mod disk;
mod entries;
pub mod keys;
mod load;
mod outcome;
mod patch;
mod spill;
mod stamps;
mod verify;

use apply::file_rec;
pub use cached::build_with_cache;
pub use outcome::Outcome;
use stamps::{found_stamp, known_hash, markdown_key, summary_key};

use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use crate::profile::phase;

use crate::config::Slugify;
use crate::content::{Entry, Found, Kind, rel_path};
use crate::error::{Diagnostic, Error, Result};
use crate::hash::{Fp, file_stamp};
use crate::markdown::RenderedBody;
use crate::render::{Body, Job, Output, Renderer, Summary};
use crate::site::BuildReport;
use crate::site::{BuildOptions, Site};
use crate::write::Stage;

/// One file a job wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRec {
    /// Relative to the output root.
    pub path: String,
    /// Hash of the bytes (or, for copied files, of the source's stamp).
    pub hash: u64,
    /// An HTML page (counts as a page in the summary).
    pub page: bool,
}

/// What the last build did for one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// `None`: the job is rendered every time.
    pub key: Option<u64>,
    pub files: Vec<FileRec>,
}

/// Memory of the previous build of one output directory.
#[derive(Default)]
pub struct Engine {
    /// Absolute output directory the records describe.
    output: Option<PathBuf>,
    /// Job name → record.
    records: HashMap<u64, Record>,
    /// Markdown cache key → rendered body.
    markdown: HashMap<u64, RenderedBody>,
    /// Above this share of dirty jobs, a full atomic build is cheaper.
    partial_limit: Option<f64>,
    /// Overrides `[comments] url` (serve's local comment service).
    comments_url: Option<String>,
    /// The conversation of the last build, reused until the next sync.
    conversation: Option<crate::conversation::Conversations>,
    /// Skip fetching the comment service's export on the next build
    /// (`serve` fetches only at start and when the service calls back).
    reuse_conversation: bool,
    /// Parsed entries of the last build by source path, with the stamp
    /// (size, mtime, place in the tree) of the file they came from; an
    /// unchanged file is not read again. Bodies and markdown are not kept
    /// here (the markdown cache has the rendering).
    entries: HashMap<String, (u64, Entry)>,
    /// Post summaries (list views) by [`summary_key`].
    summaries: HashMap<u64, Summary>,
    /// Stamps of the files the current build read, by source path.
    stamps: HashMap<String, u64>,
    /// Hash of the site paths of the last build that passed the link check
    /// (see [`known_hash`]): while they stay the same, only entries not
    /// reused unchanged from that build can have broken links.
    links_ok: Option<u64>,
    /// Sources of the entries this build took from the last one unchanged.
    reused: HashSet<String>,
    /// This engine has seen every file of the output in place (it checked
    /// them, or wrote them). A resident engine (`serve`, `watch`) checks the
    /// output once, at its first build: stat-ing all 23 606 files of a
    /// 10 000-post site on every rebuild cost 35 ms of a comment's 130.
    seen_output: bool,
    /// One build and done (`causerie build`): list views are not kept.
    one_shot: bool,
    /// The markdown log as loaded from disk, and where each body's HTML is
    /// in it: bodies from disk carry empty HTML until a job needs it.
    blob: disk::Blob,
    lazy: HashMap<u64, disk::Lazy>,
    /// A body's HTML in the log failed its checksum during this build.
    damaged: bool,
    /// The markdown log a cold one-shot build wrote while loading
    /// ([`spill`]), to be moved in place by [`disk::save`].
    spilled: Option<disk::LogState>,
    /// Keep the HTML in memory (a spill failed; this build starts over).
    no_spill: bool,
    /// The site of the last good build, kept whole for the patch path.
    site: Option<Site>,
    /// Its [`Site::known_paths`].
    known: Option<HashSet<String>>,
}

/// What [`Engine::patch`] made of the kept site.
enum Patch {
    Done,
    No,
    Spoilt,
}

/// The walk's stem of a source (`content/posts/a.md` → `posts/a`).
fn stem_of(source: &str) -> String {
    source
        .trim_start_matches("content/")
        .trim_end_matches(".md")
        .trim_end_matches("/index")
        .to_string()
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
        self.comments_url = url;
    }

    /// Whether the next build fetches the conversation from the comment
    /// service (`true`) or reuses the last one it fetched.
    pub fn sync_conversation_next(&mut self, sync: bool) {
        self.reuse_conversation = !sync;
    }

    /// Forgets what it knows of these files (the watcher saw them change),
    /// so the next build reads them whatever their stamps say.
    pub fn invalidate(&mut self, root: &Path, paths: &[PathBuf]) {
        for p in paths {
            self.entries.remove(&rel_path(root, p));
        }
    }

    /// Forgets the output (the next build is a full one) but keeps the
    /// markdown cache.
    pub fn forget_output(&mut self) {
        self.output = None;
        self.seen_output = false;
        self.records.clear();
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
        if let (Some(paths), Some(mut site)) = (changed, self.site.take()) {
            match self.patch(&mut site, root, opts, paths) {
                Patch::Done => {
                    phase("patch", start);
                    if !self.reuse_conversation {
                        let previous = std::mem::take(&mut site.conversation);
                        site.conversation = crate::conversation::sync_from(
                            &site.root,
                            &site.config,
                            Some(previous),
                        );
                        if let Some(w) = site.conversation.warning.take() {
                            eprintln!("warning: comments: {w}");
                        }
                    }
                    let global = keys::global(&site, opts);
                    let r = self
                        .render(&mut site, global, &output, start)
                        .map(|o| Outcome { patched: true, ..o });
                    if r.is_ok() {
                        self.site = Some(site);
                    } else {
                        self.dissolve(site);
                    }
                    return r;
                }
                Patch::No => self.dissolve(site),
                // Half-patched: its markdown cannot be trusted; start over.
                Patch::Spoilt => {
                    self.entries.clear();
                    self.markdown.clear();
                }
            }
        }
        let (mut site, mut errors) = self.load(root, opts)?;
        phase("load", start);
        if let Some(url) = &self.comments_url {
            match &mut site.config.comments {
                Some(c) => c.url = url.clone(),
                None => {
                    site.config.comments = Some(crate::config::Comments {
                        url: url.clone(),
                        default: crate::config::CommentsState::Open,
                        close_after_days: 0,
                    })
                }
            }
        }
        let t = Instant::now();
        site.conversation = match self.conversation.take() {
            Some(c) if self.reuse_conversation => c,
            previous => crate::conversation::sync_from(&site.root, &site.config, previous),
        };
        phase("conversation", t);
        let t = Instant::now();
        self.markdown_in(&mut site);
        phase("markdown", t);
        let t = Instant::now();
        let known = site.known_paths();
        let kh = known_hash(&known);
        if self.links_ok == Some(kh) {
            // A reused entry is the file that build read, and checked.
            let reused = std::mem::take(&mut self.reused);
            errors.extend(site.check_links_where(&known, |e| !reused.contains(&e.source)));
        } else {
            errors.extend(site.check_links_where(&known, |_| true));
        }
        self.links_ok = errors.is_empty().then_some(kh);
        phase("links", t);
        let result = if errors.is_empty() {
            let global = keys::global(&site, opts);
            self.render(&mut site, global, &output, start)
        } else {
            errors.sort();
            errors.dedup();
            Err(Error::Content(errors))
        };
        if let Some(w) = site.conversation.warning.take() {
            eprintln!("warning: comments: {w}");
        }
        if result.is_ok() {
            self.known = Some(known);
            self.site = Some(site);
        } else {
            self.dissolve(site);
        }
        result
    }

    /// Takes a kept site apart into the caches the full load path uses
    /// (parsed entries, markdown, conversation).
    fn dissolve(&mut self, mut site: Site) {
        self.known = None;
        self.markdown_out(&mut site);
        self.keep_entries(&mut site);
        self.conversation = Some(std::mem::take(&mut site.conversation));
    }

    fn render(
        &mut self,
        site: &mut Site,
        global: u64,
        output: &Path,
        start: Instant,
    ) -> Result<Outcome> {
        let t = Instant::now();
        let jobs = crate::render::jobs_of(site);
        let cx = keys::Ctx::new(site, global);
        let skeys: Vec<u64> = (0..site.content.posts.len())
            .map(|i| summary_key(global, cx.post(i)))
            .collect();
        let keyed: Vec<(u64, Option<u64>)> = jobs
            .par_iter()
            .map(|j| (keys::name(site, j), keys::key(&cx, j)))
            .collect();
        drop(cx);
        phase("keys", t);
        let usable = self.output.as_deref() == Some(output)
            && !self.records.is_empty()
            && output.join("index.html").is_file();
        // A job is dirty when its key changed, or when a file it wrote is no
        // longer in the output (deleted by hand or by another tool): the
        // output must always be the whole site, not only what changed.
        let dirty: Vec<usize> = (0..jobs.len())
            .into_par_iter()
            .filter(|&k| {
                let (name, key) = &keyed[k];
                if !usable || key.is_none() {
                    return true;
                }
                match self.records.get(name) {
                    Some(r) if r.key == *key => {
                        !self.seen_output && !r.files.iter().all(|f| output.join(&f.path).exists())
                    }
                    _ => true,
                }
            })
            .collect();
        let limit = self.partial_limit.unwrap_or(1.0 / 3.0);
        let full = !usable || dirty.len() as f64 > limit * jobs.len() as f64;
        if !self.lazy.is_empty() {
            // A full build's pages read their HTML from the log one by one
            // (all of it at once was most of a 100 000-post build's
            // memory); feeds and a partial build's jobs get it here.
            let mut needed: Vec<&Job> = Vec::new();
            if !full {
                needed.extend(dirty.iter().map(|&k| &jobs[k]));
            }
            if full || verify::enabled() {
                needed.extend(
                    jobs.iter()
                        .filter(|j| !matches!(j, Job::Post(_) | Job::Page(_))),
                );
            }
            if !self.fill_html(site, false, &needed) {
                self.damaged = true;
                return Err(Error::Other(
                    "the build cache in .causerie/ is damaged".into(),
                ));
            }
        }
        let site: &Site = site;
        let t = Instant::now();
        let cached = |i: usize| self.summaries.get(&skeys[i]).cloned();
        let renderer = Renderer::with_summaries(site, &cached).map_err(Error::Content)?;
        debug_assert_eq!(renderer.jobs(), jobs);
        phase("renderer", t);
        let t = Instant::now();
        let (blob, lazy) = (
            std::mem::take(&mut self.blob),
            std::mem::take(&mut self.lazy),
        );
        let damaged = std::sync::atomic::AtomicBool::new(false);
        let (base, hl) = (site.config.base_path(), site.config.highlight);
        let source = |e: &Entry| match lazy.get(&markdown_key(e, base, hl)) {
            Some(l) => {
                let h = disk::html(&blob, l);
                if h.is_none() {
                    damaged.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                h
            }
            None => Some(String::new()),
        };
        let mut renderer = renderer.with_html_source(&source);
        if self.one_shot && full {
            renderer.free_summaries_after_use();
        }
        let checked = if verify::enabled() {
            let kept = (!full).then_some(&dirty[..]);
            verify::check(site, &jobs, &keyed, kept, &self.records, &cached, &source)
        } else {
            Ok(())
        };
        let applied = checked.and_then(|()| {
            if full {
                self.full(&renderer, &jobs, keyed, output)
            } else {
                self.partial(&renderer, &jobs, keyed, &dirty, output)
            }
        });
        phase("render+write", t);
        if !self.one_shot && applied.is_ok() {
            // Kept for the next build; those no job made are made when needed.
            self.summaries = skeys
                .iter()
                .enumerate()
                .filter_map(|(i, k)| Some((*k, renderer.summary(i)?)))
                .collect();
        }
        drop(renderer);
        (self.blob, self.lazy) = (blob, lazy);
        if damaged.into_inner() {
            self.damaged = true;
            return Err(Error::Other(
                "the build cache in .causerie/ is damaged".into(),
            ));
        }
        let (written, removed, changed) = applied?;
        self.seen_output = true;
        let (mut pages, mut files) = (0, 0);
        for r in self.records.values() {
            for f in &r.files {
                if f.page {
                    pages += 1;
                } else {
                    files += 1;
                }
            }
        }
        self.output = Some(output.to_path_buf());
        Ok(Outcome {
            report: BuildReport {
                pages,
                files,
                posts: site.content.posts.len(),
                drafts: site.content.drafts,
                scheduled: site.content.scheduled.len(),
                elapsed: start.elapsed(),
            },
            rendered: if full { jobs.len() } else { dirty.len() },
            jobs: jobs.len(),
            written,
            removed,
            full,
            changed,
            patched: false,
        })
    }
}
