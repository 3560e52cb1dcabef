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

pub mod disk;
mod entries;
pub mod keys;
mod verify;

use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

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

/// What one build did.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub report: BuildReport,
    /// Jobs rendered (out of `jobs`).
    pub rendered: usize,
    pub jobs: usize,
    /// Files written (created or changed) and removed.
    pub written: usize,
    pub removed: usize,
    /// True when everything was rendered into a fresh tree.
    pub full: bool,
    /// Output paths written, relative to the output root.
    pub changed: Vec<String>,
    /// The site was patched in memory rather than loaded again.
    pub patched: bool,
}

impl Outcome {
    /// The one-line summary `serve` and `build` print; its "Total in N ms"
    /// is what the benchmark script reads.
    pub fn summary(&self) -> String {
        let ms = self.report.elapsed.as_secs_f64() * 1000.0;
        format!(
            "{} of {} outputs rendered, {} files written, {} removed ({} posts). Total in {:.0} ms",
            self.rendered, self.jobs, self.written, self.removed, self.report.posts, ms
        )
    }
}

/// `causerie build`: an incremental build with the engine saved under
/// `.causerie/` of the site (loaded before, saved after). For a process
/// that ends after it: the site and engine are left for the exit to free.
pub fn build_with_cache(root: &Path, output: &Path, opts: &BuildOptions) -> Result<Outcome> {
    // Only a site gets a cache: a mistyped `--root` must create nothing.
    let config_path = root.join(crate::config::FILE);
    if let Err(e) = std::fs::read(&config_path) {
        return Err(Error::Content(vec![crate::config::unreadable(
            root,
            &config_path,
            &e,
        )]));
    }
    let t = Instant::now();
    let (mut engine, mut log) = disk::load(root);
    engine.one_shot = true;
    phase("cache load", t);
    let mut r = engine.build(root, output, opts);
    if engine.damaged {
        // Found only when a page needed the HTML: build again without the log.
        eprintln!("warning: the build cache in .causerie/ is damaged; rebuilding without it");
        engine = Engine::new();
        engine.one_shot = true;
        log = disk::LogState::default();
        r = engine.build(root, output, opts);
    }
    let t = Instant::now();
    if let Some(site) = engine.site.take() {
        engine.dissolve(site);
    }
    phase("dissolve", t);
    let t = Instant::now();
    // Even a failed build leaves a valid cache (its markdown is reusable).
    if let Err(e) = disk::save(root, &engine, &mut log) {
        eprintln!("warning: cannot save the build cache in .causerie/: {e}");
    }
    phase("cache save", t);
    // The process ends after this build: freeing a 10 000-post site piece
    // by piece took 60 ms, and the kernel takes it back at exit anyway.
    std::mem::forget(engine);
    r
}

/// An order-free hash of a set of site paths.
fn known_hash(known: &HashSet<String>) -> u64 {
    known.iter().fold(known.len() as u64, |h, p| {
        h.wrapping_add(Fp::new().str(p).finish())
    })
}

/// Key of a post's summary: the post and everything global.
fn summary_key(global: u64, post: u64) -> u64 {
    Fp::new().num(global).num(post).finish()
}

/// What decides whether a file found by the walk parses to the same entry
/// as last time: its place in the tree, its size and mtime, and how slugs
/// are made (the entry's path comes from its slug).
fn found_stamp(f: &Found, slugs: Slugify) -> Option<u64> {
    let m = std::fs::metadata(&f.src).ok()?;
    let mtime = m
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos() as u64;
    let mut fp = Fp::new();
    fp.str(&f.stem)
        .num(u64::from(f.bundle))
        .num(u64::from(f.kind == crate::content::Kind::Post))
        .num(m.len())
        .num(mtime);
    // Only `safe` adds to the stamp, so caches made before it existed stay valid.
    if slugs == Slugify::Safe {
        fp.num(1);
    }
    Some(fp.finish())
}

/// Key of an entry's rendered markdown: its source and everything
/// [`crate::markdown::Options`] takes.
fn markdown_key(e: &Entry, base_path: &str, highlight: bool) -> u64 {
    Fp::new()
        .num(e.hash)
        .str(&e.source)
        .str(&e.path)
        .str(base_path)
        .num(u64::from(highlight))
        .finish()
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

    /// Applies edits of existing entries to the kept site. `No` leaves the
    /// site as it was; `Spoilt` means it was changed but cannot be used.
    fn patch(
        &mut self,
        site: &mut Site,
        root: &Path,
        opts: &BuildOptions,
        paths: &[PathBuf],
    ) -> Patch {
        let now = opts.now.unwrap_or_else(jiff::Timestamp::now);
        // A scheduled post came due: the set of posts changes, load it all.
        if !opts.drafts && site.content.scheduled.iter().any(|s| s.2.ts <= now) {
            return Patch::No;
        }
        let Some(known) = &self.known else {
            return Patch::No;
        };
        // First parse every changed file; nothing is touched unless all fit.
        let mut edits: Vec<(Kind, usize, Entry, u64)> = Vec::new();
        let mut seen = HashSet::new();
        for p in paths {
            let source = rel_path(root, p);
            if !seen.insert(source.clone()) {
                continue;
            }
            if !source.starts_with("content/") || !source.ends_with(".md") {
                return Patch::No;
            }
            let found = |list: &[Entry]| list.iter().position(|e| e.source == source);
            let (kind, i) = match (found(&site.content.posts), found(&site.content.pages)) {
                (Some(i), _) => (Kind::Post, i),
                (None, Some(i)) => (Kind::Page, i),
                _ => return Patch::No,
            };
            let old = match kind {
                Kind::Post => &site.content.posts[i],
                Kind::Page => &site.content.pages[i],
            };
            let f = Found {
                kind,
                src: p.clone(),
                stem: stem_of(&old.source),
                bundle: old.source.ends_with("/index.md"),
            };
            let Some(stamp) = found_stamp(&f, site.config.slug_mode()) else {
                return Patch::No;
            };
            let Ok(text) = std::fs::read_to_string(p) else {
                return Patch::No;
            };
            let Ok(mut e) = crate::content::parse_entry(
                source,
                kind,
                &f.stem,
                f.bundle,
                &text,
                site.config.slug_mode(),
            ) else {
                return Patch::No;
            };
            let hidden = e.draft || (kind == Kind::Post && e.date.is_some_and(|d| d.ts > now));
            if (hidden && !opts.drafts) || e.path != old.path || e.aliases != old.aliases {
                return Patch::No;
            }
            e.assets = old.assets.clone();
            edits.push((kind, i, e, stamp));
        }
        site.now = now;
        if edits.is_empty() {
            // Only the clock or the conversation moved (a comment arrived).
            return Patch::Done;
        }
        let mut sources = HashSet::new();
        for (kind, i, e, stamp) in edits {
            self.stamps.insert(e.source.clone(), stamp);
            sources.insert(e.source.clone());
            match kind {
                Kind::Post => site.content.posts[i] = e,
                Kind::Page => site.content.pages[i] = e,
            }
        }
        site.render_markdown_where(|e| sources.contains(&e.source));
        // Same order as a fresh load: newest first, ties by source.
        site.content
            .posts
            .sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.source.cmp(&b.source)));
        site.reindex_terms();
        // Paths did not change, so only the edited entries' links can break.
        if !site
            .check_links_where(known, |e| sources.contains(&e.source))
            .is_empty()
        {
            return Patch::Spoilt;
        }
        Patch::Done
    }

    /// Loads the site, taking unchanged entries from the last build.
    fn load(&mut self, root: &Path, opts: &BuildOptions) -> Result<(Site, Vec<Diagnostic>)> {
        self.reused.clear();
        // Read before the site loads: the stamps that decide reuse need it.
        let slugs = std::fs::read_to_string(root.join(crate::config::FILE))
            .ok()
            .and_then(|t| crate::config::Config::parse(crate::config::FILE, &t).ok())
            .map(|c| c.slug_mode())
            .unwrap_or_default();
        if self.entries.is_empty() {
            // Nothing to reuse; still note the stamps for the next build.
            let stamps: Mutex<HashMap<String, u64>> = Mutex::new(HashMap::new());
            let note = |f: &Found| -> Option<Entry> {
                let stamp = found_stamp(f, slugs)?;
                stamps.lock().ok()?.insert(rel_path(root, &f.src), stamp);
                None
            };
            // With no markdown cached either (a cold build), render while
            // reading: peak memory then holds the HTML, never all sources.
            let loaded = if self.markdown.is_empty() {
                Site::load_reusing_rendered(root, opts, &note)
            } else {
                Site::load_reusing(root, opts, &note)
            }
            .map_err(Error::Content);
            self.stamps = stamps.into_inner().unwrap_or_default();
            return loaded;
        }
        let pool = Mutex::new(std::mem::take(&mut self.entries));
        let stamps: Mutex<HashMap<String, u64>> = Mutex::new(HashMap::new());
        let reused = Mutex::new(HashSet::new());
        let reuse = |f: &Found| -> Option<Entry> {
            let stamp = found_stamp(f, slugs)?;
            let source = rel_path(root, &f.src);
            stamps.lock().ok()?.insert(source.clone(), stamp);
            let hit = match pool.lock().ok()?.remove(&source) {
                Some((s, e)) if s == stamp => Some(e),
                _ => None,
            };
            if hit.is_some() {
                reused.lock().ok()?.insert(source);
            }
            hit
        };
        let loaded = Site::load_reusing(root, opts, &reuse).map_err(Error::Content);
        self.stamps = stamps.into_inner().unwrap_or_default();
        let (site, errors) = loaded?;
        // A reused entry has no body: if its markdown is not cached (the
        // config changed how markdown renders), read everything again.
        let reused = reused.into_inner().unwrap_or_default();
        let base = site.config.base_path().to_string();
        let hl = site.config.highlight;
        let complete = site
            .content
            .posts
            .iter()
            .chain(site.content.pages.iter())
            .filter(|e| reused.contains(&e.source))
            .all(|e| self.markdown.contains_key(&markdown_key(e, &base, hl)));
        if complete {
            self.reused = reused;
            Ok((site, errors))
        } else {
            self.stamps.clear();
            Site::load(root, opts).map_err(Error::Content)
        }
    }

    /// Keeps this build's entries (without body, markdown or assets) for
    /// the next build.
    fn keep_entries(&mut self, site: &mut Site) {
        self.entries.clear();
        let posts = std::mem::take(&mut site.content.posts);
        let pages = std::mem::take(&mut site.content.pages);
        let stamps = std::mem::take(&mut self.stamps);
        for mut e in posts.into_iter().chain(pages) {
            // The stamp taken just before the file was read.
            if let Some(&stamp) = stamps.get(&e.source) {
                e.body = String::new();
                e.assets.clear();
                self.entries.insert(e.source.clone(), (stamp, e));
            }
        }
    }

    /// Fills every entry's rendered markdown from the cache, rendering the misses.
    fn markdown_in(&mut self, site: &mut Site) {
        let base = site.config.base_path().to_string();
        let hl = site.config.highlight;
        let mut hits = HashSet::new();
        for e in site
            .content
            .posts
            .iter_mut()
            .chain(site.content.pages.iter_mut())
        {
            let k = markdown_key(e, &base, hl);
            if let Some(r) = self.markdown.remove(&k) {
                e.rendered = r;
                e.body = String::new();
                hits.insert(k);
            }
        }
        // Entries rendered while loading have no body left: skip them.
        site.render_markdown_where(|e| {
            !e.body.is_empty() && !hits.contains(&markdown_key(e, &base, hl))
        });
    }

    /// Moves the rendered markdown of this build's entries into the cache
    /// (and drops entries that are gone).
    fn markdown_out(&mut self, site: &mut Site) {
        let base = site.config.base_path().to_string();
        let hl = site.config.highlight;
        self.markdown.clear();
        for e in site
            .content
            .posts
            .iter_mut()
            .chain(site.content.pages.iter_mut())
        {
            self.markdown
                .insert(markdown_key(e, &base, hl), std::mem::take(&mut e.rendered));
        }
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
            let needed: Vec<&Job> = dirty.iter().map(|&k| &jobs[k]).collect();
            if !self.fill_html(site, full || verify::enabled(), &needed) {
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
        if verify::enabled() {
            let kept = (!full).then_some(&dirty[..]);
            verify::check(site, &jobs, &keyed, kept, &self.records, &cached)?;
        }
        let t = Instant::now();
        let (written, removed, changed) = if full {
            self.full(&renderer, &jobs, keyed, output)?
        } else {
            self.partial(&renderer, &jobs, keyed, &dirty, output)?
        };
        phase("render+write", t);
        self.seen_output = true;
        if !self.one_shot {
            // Kept for the next build; those no job made are made when needed.
            self.summaries = skeys
                .iter()
                .enumerate()
                .filter_map(|(i, k)| Some((*k, renderer.summary(i)?)))
                .collect();
        }
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

    /// Loads from the disk log the HTML of the entries the given jobs show
    /// (every entry when `all`): pages show their entry, feeds the entries
    /// they list; list pages and the rest use summaries only. A job this
    /// engine does not know gets every entry. False when a body's HTML in
    /// the log is damaged.
    fn fill_html(&self, site: &mut Site, all: bool, jobs: &[&Job]) -> bool {
        let c = &site.content;
        let limit = site.config.feed_limit;
        let mut posts: HashSet<usize> = HashSet::new();
        let mut pages: HashSet<usize> = HashSet::new();
        let mut everything = all;
        for job in jobs {
            match job {
                Job::Post(i) => {
                    posts.insert(*i);
                }
                Job::Page(i) => {
                    pages.insert(*i);
                }
                Job::SiteFeeds => posts.extend(0..c.posts.len().min(limit)),
                Job::TermFeeds(tax, t) => {
                    posts.extend(site.terms(*tax)[*t].posts.iter().take(limit).copied())
                }
                Job::Index(_)
                | Job::Terms(_)
                | Job::Term(..)
                | Job::CommentsFeed(_)
                | Job::SiteCommentsFeed
                | Job::Aliases(..)
                | Job::Assets(..)
                | Job::Sitemap
                | Job::Robots
                | Job::NotFound
                | Job::Manifest
                | Job::RedirectMap
                | Job::ThemeStatic
                | Job::Files => {}
                #[allow(unreachable_patterns)]
                _ => everything = true,
            }
        }
        let base = site.config.base_path().to_string();
        let hl = site.config.highlight;
        let fill = |e: &mut Entry| -> bool {
            if e.rendered.html.is_empty()
                && let Some(l) = self.lazy.get(&markdown_key(e, &base, hl))
            {
                match disk::html(&self.blob, l) {
                    Some(h) => e.rendered.html = h,
                    None => return false,
                }
            }
            true
        };
        let mut ok = true;
        for (i, e) in site.content.posts.iter_mut().enumerate() {
            if everything || posts.contains(&i) {
                ok &= fill(e);
            }
        }
        for (i, e) in site.content.pages.iter_mut().enumerate() {
            if everything || pages.contains(&i) {
                ok &= fill(e);
            }
        }
        ok
    }

    /// Renders every job into a fresh stage and swaps it in.
    fn full(
        &mut self,
        renderer: &Renderer<'_>,
        jobs: &[Job],
        keyed: Vec<(u64, Option<u64>)>,
        output: &Path,
    ) -> Result<(usize, usize, Vec<String>)> {
        let stage = Stage::new(output)?;
        let done: Vec<Result<Vec<FileRec>>> = jobs
            .par_iter()
            .map(|job| {
                let outs = renderer.render(job).map_err(|d| Error::Content(vec![d]))?;
                outs.iter()
                    .map(|o| {
                        stage.write(o)?;
                        Ok(file_rec(o))
                    })
                    .collect()
            })
            .collect();
        let mut records = HashMap::with_capacity(jobs.len());
        let mut errors: Vec<Diagnostic> = Vec::new();
        let mut written = 0;
        for ((name, key), r) in keyed.into_iter().zip(done) {
            match r {
                Ok(files) => {
                    written += files.len();
                    records.insert(name, Record { key, files });
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
        stage.commit()?;
        self.records = records;
        Ok((written, 0, Vec::new()))
    }

    /// Renders the dirty jobs in memory, then (only if all succeeded)
    /// writes the files whose bytes changed and removes orphans.
    fn partial(
        &mut self,
        renderer: &Renderer<'_>,
        jobs: &[Job],
        keyed: Vec<(u64, Option<u64>)>,
        dirty: &[usize],
        output: &Path,
    ) -> Result<(usize, usize, Vec<String>)> {
        let rendered: Vec<std::result::Result<Vec<Output>, Diagnostic>> = dirty
            .par_iter()
            .map(|&k| renderer.render(&jobs[k]))
            .collect();
        let mut errors = Vec::new();
        let mut outs = Vec::with_capacity(dirty.len());
        for r in rendered {
            match r {
                Ok(o) => outs.push(o),
                Err(d) => errors.push(d),
            }
        }
        if !errors.is_empty() {
            errors.sort();
            errors.dedup();
            return Err(Error::Content(errors));
        }
        let mut old = std::mem::take(&mut self.records);
        let mut records = HashMap::with_capacity(jobs.len());
        let is_dirty: HashSet<usize> = dirty.iter().copied().collect();
        for (k, (name, _)) in keyed.iter().enumerate() {
            // A clean job has a record by definition (its key matched one).
            if !is_dirty.contains(&k)
                && let Some(r) = old.remove(name)
            {
                records.insert(*name, r);
            }
        }
        // Files of the dirty and vanished jobs, as last written.
        let before: HashMap<String, u64> = old
            .into_values()
            .flat_map(|r| r.files.into_iter().map(|f| (f.path, f.hash)))
            .collect();
        let mut now_made: HashSet<String> = HashSet::new();
        let mut to_write: Vec<(&Output, FileRec)> = Vec::new();
        for (&k, o) in dirty.iter().zip(&outs) {
            let (name, key) = &keyed[k];
            let files: Vec<FileRec> = o.iter().map(file_rec).collect();
            for (out, rec) in o.iter().zip(&files) {
                now_made.insert(rec.path.clone());
                if before.get(&rec.path) != Some(&rec.hash) || !output.join(&rec.path).exists() {
                    to_write.push((out, rec.clone()));
                }
            }
            records.insert(*name, Record { key: *key, files });
        }
        to_write
            .par_iter()
            .try_for_each(|(o, _)| write_in_place(output, o))?;
        let mut removed = 0;
        let gone: Vec<&String> = before.keys().filter(|p| !now_made.contains(*p)).collect();
        // A kept job may own the same file (two jobs writing one path).
        let kept: HashSet<&str> = if gone.is_empty() {
            HashSet::new()
        } else {
            records
                .values()
                .flat_map(|r| r.files.iter().map(|f| f.path.as_str()))
                .collect()
        };
        for path in gone {
            if !kept.contains(path.as_str()) {
                let file = output.join(path);
                if std::fs::remove_file(&file).is_ok() {
                    removed += 1;
                    prune_dirs(output, &file);
                }
            }
        }
        self.records = records;
        let changed = to_write
            .into_iter()
            .map(|(_, r)| r.path)
            .collect::<Vec<_>>();
        Ok((changed.len(), removed, changed))
    }
}

fn file_rec(o: &Output) -> FileRec {
    let hash = match &o.body {
        Body::Bytes(b) => crate::content::content_hash(b),
        Body::Static(b) => crate::content::content_hash(b),
        Body::Copy(src) => {
            let mut fp = Fp::new();
            file_stamp(&mut fp, src);
            fp.finish()
        }
    };
    FileRec {
        path: o.path.clone(),
        hash,
        page: o.path.ends_with(".html") && matches!(o.body, Body::Bytes(_)),
    }
}

/// Writes one output straight into the live output tree (through a
/// temporary file and a rename, so a reader never sees half a page).
fn write_in_place(root: &Path, o: &Output) -> Result<()> {
    if o.path.split('/').any(|s| s == "..") || o.path.starts_with('/') {
        return Err(Error::Other(format!(
            "refusing to write outside the output: {}",
            o.path
        )));
    }
    let file = root.join(&o.path);
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let tmp = file.with_file_name(format!(
        ".{}.tmp-{}",
        file.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        std::process::id()
    ));
    match &o.body {
        Body::Bytes(b) => std::fs::write(&tmp, b).map_err(|e| Error::io(&tmp, e))?,
        Body::Static(b) => std::fs::write(&tmp, b).map_err(|e| Error::io(&tmp, e))?,
        Body::Copy(src) => {
            std::fs::copy(src, &tmp).map_err(|e| Error::io(src, e))?;
        }
    }
    std::fs::rename(&tmp, &file).map_err(|e| Error::io(&file, e))
}

/// Removes the now-empty directories between a deleted file and the root.
fn prune_dirs(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// With `CAUSERIE_PROFILE` set, prints how long each stage took (stderr).
fn phase(name: &str, since: Instant) {
    if std::env::var_os("CAUSERIE_PROFILE").is_some() {
        eprintln!(
            "{name:>14}: {:7.1} ms",
            since.elapsed().as_secs_f64() * 1000.0
        );
    }
}
