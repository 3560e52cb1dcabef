//! Verify mode (`CAUSERIE_VERIFY=1`): the engine checks its own shortcuts.
//!
//! The engine skips a job when its key ([`super::keys`]) is the one it
//! recorded, and reuses a post's list view when its [`super::stamps::summary_key`]
//! matches. Both are only right if the key hashes everything the render
//! reads; a key that misses an input leaves a stale page behind, silently,
//! and the random test finds it only when it happens to make that edit.
//!
//! With the variable set, every build also renders each job it kept as
//! clean with a renderer that has no cached summaries, and compares the
//! files it would write (path and hash, as [`super::FileRec`]) with the
//! ones recorded; it also compares every cached summary with a fresh one.
//! Any difference fails the build, naming the job and the file, before
//! anything is written. The test suite runs with it on (`.cargo/config.toml`
//! `[env]`, `tests/run`), so every incremental build of every test checks
//! that the keys are complete.
//!
//! It costs a full render of the site per build, which is why it is a
//! test-time switch; unset, it is one cached environment lookup.

use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::{Record, file_rec};
use crate::error::{Error, Result};
use crate::render::{Job, Renderer, Summary};
use crate::site::Site;

/// The most differences one error lists (a missing key in a template
/// input makes every page differ; the first few say enough).
const SHOWN: usize = 12;

/// Whether verify mode is on: `CAUSERIE_VERIFY` set to anything but
/// empty or `0`. Read once per process, so a build pays nothing more.
pub(super) fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        std::env::var_os("CAUSERIE_VERIFY").is_some_and(|v| !v.is_empty() && v != "0")
    })
}

/// Renders afresh every job not in `dirty` (`None`: a full build, where
/// nothing was kept) and compares its files with its record in `records`;
/// compares every summary `cached` offers with a fresh one. `keyed` holds
/// each job's name and key, in the order of `jobs`.
pub(super) fn check(
    site: &Site,
    jobs: &[Job],
    keyed: &[(u64, Option<u64>)],
    dirty: Option<&[usize]>,
    records: &HashMap<u64, Record>,
    cached: &(dyn Fn(usize) -> Option<std::sync::Arc<Summary>> + Sync),
    html: crate::render::HtmlSource<'_>,
) -> Result<()> {
    let fresh = Renderer::new(site)
        .map_err(Error::Content)?
        .with_html_source(html);
    let mut found: Vec<String> = (0..site.content.posts.len())
        .into_par_iter()
        .filter_map(|i| {
            let old = cached(i)?;
            (*old != *fresh.summary_made(i)).then(|| {
                format!(
                    "verify: the list view of {} was reused from the last build but is made differently now: summary_key misses a dependency",
                    site.content.posts[i].source
                )
            })
        })
        .collect();
    if let Some(dirty) = dirty {
        let dirty: HashSet<usize> = dirty.iter().copied().collect();
        let clean: Vec<usize> = (0..jobs.len()).filter(|k| !dirty.contains(k)).collect();
        let mut per_job: Vec<Vec<String>> = clean
            .par_iter()
            .map(|&k| compare(&fresh, &jobs[k], keyed[k], records.get(&keyed[k].0)))
            .collect();
        found.extend(per_job.iter_mut().flat_map(std::mem::take));
    }
    if found.is_empty() {
        return Ok(());
    }
    let more = found.len().saturating_sub(SHOWN);
    found.truncate(SHOWN);
    if more > 0 {
        found.push(format!("verify: … and {more} more"));
    }
    found.push(
        "verify: a job's key must hash everything its render reads (generator/src/incremental/keys.rs)"
            .into(),
    );
    Err(Error::Other(found.join("\n")))
}

/// The differences between what `job` renders now and its record.
fn compare(
    fresh: &Renderer<'_>,
    job: &Job,
    (name, key): (u64, Option<u64>),
    record: Option<&Record>,
) -> Vec<String> {
    let key = key
        .map(|k| format!("{k:016x}"))
        .unwrap_or_else(|| "none".into());
    let Some(record) = record else {
        return vec![format!(
            "verify: {job:?} (name {name:016x}, key {key}) was kept as clean but has no record"
        )];
    };
    let outs = match fresh.render(job) {
        Ok(o) => o,
        Err(d) => {
            return vec![format!(
                "verify: {job:?} (key {key}) was kept as clean but fails to render now: {d}"
            )];
        }
    };
    let was: HashMap<&str, u64> = record
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.hash))
        .collect();
    let mut diffs = Vec::new();
    let mut now = HashSet::new();
    for o in &outs {
        let rec = file_rec(o);
        match was.get(rec.path.as_str()) {
            Some(&h) if h == rec.hash => {}
            Some(_) => diffs.push(format!(
                "verify: {} was kept as clean but renders differently: the key of {job:?} (key {key}) misses a dependency",
                rec.path
            )),
            None => diffs.push(format!(
                "verify: {job:?} (key {key}) was kept as clean but now also writes {}",
                rec.path
            )),
        }
        now.insert(rec.path);
    }
    for f in &record.files {
        if !now.contains(&f.path) {
            diffs.push(format!(
                "verify: {job:?} (key {key}) was kept as clean but no longer writes {}",
                f.path
            ));
        }
    }
    diffs
}

#[cfg(test)]
mod tests {
    use super::super::{Engine, keys};
    use super::*;
    use crate::hash::Fp;
    use crate::site::BuildOptions;
    use std::path::Path;

    fn post(root: &Path, stem: &str, title: &str, date: &str) {
        let text = format!("+++\ntitle = \"{title}\"\ndate = \"{date}\"\n+++\nBody of {stem}.\n");
        std::fs::write(root.join(format!("content/posts/{stem}.md")), text).unwrap();
    }

    fn opts() -> BuildOptions {
        BuildOptions {
            drafts: false,
            base_url: None,
            now: Some("2026-03-01T00:00:00Z".parse().unwrap()),
        }
    }

    /// A built engine (with its kept site) for the site at `root`.
    fn built(root: &Path, out: &str) -> (Engine, Site) {
        let mut e = Engine::new();
        e.build(root, &root.join(out), &opts()).unwrap();
        let site = e.kept.site.take().unwrap();
        (e, site)
    }

    /// [`keys::key`] with a deliberate hole: a post page's key forgets its
    /// neighbours, whose titles the page shows as prev/next links. The
    /// seam is the caller's: the engine's own keys are not touched.
    fn key_without_neighbours(cx: &keys::Ctx<'_>, job: &Job) -> Option<u64> {
        match job {
            Job::Post(i) => Some(Fp::new().str("post").num(cx.post(*i)).finish()),
            other => keys::key(cx, other),
        }
    }

    type KeyFn = fn(&keys::Ctx<'_>, &Job) -> Option<u64>;
    /// Every job, its name and key, and which ones a build would render.
    type Plan = (Vec<Job>, Vec<(u64, Option<u64>)>, Vec<usize>);

    /// Names and keys of every job of `site` under `key`.
    fn keyed(site: &Site, key: KeyFn) -> (Vec<Job>, Vec<(u64, Option<u64>)>) {
        let jobs = crate::render::jobs_of(site);
        let cx = keys::Ctx::new(site, 1);
        let keyed = jobs
            .iter()
            .map(|j| (keys::name(site, j), key(&cx, j)))
            .collect();
        (jobs, keyed)
    }

    /// Which jobs of `now` a build would skip: those whose key under `key`
    /// is the one `before` had.
    fn dirty(before: &Site, now: &Site, key: KeyFn) -> Plan {
        let (_, old) = keyed(before, key);
        let old: HashMap<u64, Option<u64>> = old.into_iter().collect();
        let (jobs, keyed) = keyed(now, key);
        let dirty = (0..jobs.len())
            .filter(|&k| {
                let (name, key) = keyed[k];
                key.is_none() || old.get(&name) != Some(&key)
            })
            .collect();
        (jobs, keyed, dirty)
    }

    #[test]
    fn a_key_that_misses_an_input_fails_verification() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("content/posts")).unwrap();
        std::fs::write(
            root.join("causerie.toml"),
            "base_url = \"https://blog.example/\"\ntitle = \"Blog\"\n",
        )
        .unwrap();
        post(root, "a", "Alpha", "2025-01-01");
        post(root, "b", "Beta", "2025-01-02");
        post(root, "c", "Gamma", "2025-01-03");
        let (engine, before) = built(root, "public");
        // Rename the middle post: its neighbours' pages link to it by title.
        post(root, "b", "Beta renamed", "2025-01-02");
        let (_, now) = built(root, "public-2");
        let none = |_: usize| None;

        // The engine's keys see it: verification of what they keep passes.
        let (jobs, k, d) = dirty(&before, &now, keys::key);
        assert!(d.iter().any(|&j| jobs[j] == Job::Post(0)), "{d:?}");
        check(
            &now,
            &jobs,
            &k,
            Some(&d),
            &engine.records.jobs,
            &none,
            &|_| Some(String::new()),
        )
        .unwrap();

        // A key without the neighbours keeps the pages of a and c: caught.
        let (jobs, k, d) = dirty(&before, &now, key_without_neighbours);
        assert!(!d.iter().any(|&j| jobs[j] == Job::Post(0)), "{d:?}");
        let err = check(
            &now,
            &jobs,
            &k,
            Some(&d),
            &engine.records.jobs,
            &none,
            &|_| Some(String::new()),
        )
        .unwrap_err()
        .to_string();
        for page in ["posts/a/index.html", "posts/c/index.html"] {
            assert!(
                err.contains(&format!(
                    "verify: {page} was kept as clean but renders differently"
                )),
                "{err}"
            );
        }
        assert!(!err.contains("posts/b/"), "{err}");
    }

    #[test]
    fn a_stale_cached_summary_fails_verification() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("content/posts")).unwrap();
        std::fs::write(
            root.join("causerie.toml"),
            "base_url = \"https://blog.example/\"\ntitle = \"Blog\"\n",
        )
        .unwrap();
        post(root, "a", "Alpha", "2025-01-01");
        let (_, before) = built(root, "public");
        let stale = Renderer::new(&before).unwrap().summary_made(0);
        post(root, "a", "Alpha renamed", "2025-01-01");
        let (_, now) = built(root, "public-2");
        let (jobs, k, _) = dirty(&before, &now, keys::key);
        // A summary cache that kept the old title under the new post.
        let cached = |_: usize| Some(stale.clone());
        let err = check(&now, &jobs, &k, None, &HashMap::new(), &cached, &|_| {
            Some(String::new())
        })
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("the list view of content/posts/a.md was reused"),
            "{err}"
        );
        let fresh = |_: usize| None;
        check(&now, &jobs, &k, None, &HashMap::new(), &fresh, &|_| {
            Some(String::new())
        })
        .unwrap();
    }
}
