//! Verify mode (`CAUSERIE_VERIFY=1`): the engine checks its own shortcuts.
//!
//! The engine skips a job when its key ([`super::keys`]) is the one it
//! recorded, and reuses a post's list view when its [`super::stamps::summary_key`]
//! matches. Both hash the job's [`crate::render::inputs::Inputs`], the
//! value its render takes, so they are only wrong if a render reads the
//! site around its inputs (or an input's hashing skips a part of it); such
//! a key leaves a stale page behind, silently, and the random test finds
//! it only when it happens to make that edit.
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
    records: &super::records::Jobs,
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
        "verify: a job's render must read the site only through its inputs, which its key hashes (generator/src/render/inputs.rs)"
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
    use crate::render::inputs::{EntryFps, Inputs};
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

    /// [`keys::key`] with a deliberate hole: a post page's inputs are
    /// hashed with its neighbours left out, as if the render read them
    /// from the site instead of from its [`Inputs`]. The seam is the
    /// caller's: the engine's own keys are not touched.
    fn key_without_neighbours(cx: &keys::Ctx<'_>, job: &Job) -> Option<u64> {
        match Inputs::of(cx.site(), job) {
            Inputs::Post {
                post, conversation, ..
            } => {
                let mut fp = Fp::new();
                let holed = Inputs::Post {
                    post,
                    prev: None,
                    next: None,
                    conversation,
                };
                holed.fingerprint(&mut fp, cx).then(|| fp.finish())
            }
            _ => keys::key(cx, job),
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
        let err = check(&now, &jobs, &k, None, &Default::default(), &cached, &|_| {
            Some(String::new())
        })
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("the list view of content/posts/a.md was reused"),
            "{err}"
        );
        let fresh = |_: usize| None;
        check(&now, &jobs, &k, None, &Default::default(), &fresh, &|_| {
            Some(String::new())
        })
        .unwrap();
    }

    /// Entry fingerprints of a build, with one entry's changed.
    struct OneChanged<'a>(&'a keys::Ctx<'a>, (crate::content::Kind, usize));

    impl EntryFps for OneChanged<'_> {
        fn entry(&self, kind: crate::content::Kind, i: usize) -> u64 {
            let fp = self.0.entry(kind, i);
            if (kind, i) == self.1 { !fp } else { fp }
        }
    }

    #[test]
    fn every_body_a_job_shows_is_in_its_key() {
        // The bodies a job loads before it renders (fill_html) and what
        // its key hashes come from the same inputs: an edit of any entry
        // whose HTML a job shows must change that job's key.
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("content/posts")).unwrap();
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::fs::write(
            root.join("causerie.toml"),
            "base_url = \"https://blog.example/\"\ntitle = \"Blog\"\nper_page = 2\n",
        )
        .unwrap();
        for (k, stem) in ["a", "b", "c", "d", "e"].iter().enumerate() {
            let text = format!(
                "+++\ntitle = \"{stem}\"\ndate = \"2025-01-0{}\"\ntags = [\"t\"]\n+++\nBody.\n",
                k + 1
            );
            std::fs::write(root.join(format!("content/posts/{stem}.md")), text).unwrap();
        }
        std::fs::write(
            root.join("content/about.md"),
            "+++\ntitle = \"About\"\n+++\nMe.\n",
        )
        .unwrap();
        let (_, site) = built(root, "public");
        let cx = keys::Ctx::new(&site, 1);
        let mut shown = 0;
        for job in crate::render::jobs_of(&site) {
            let inputs = Inputs::of(&site, &job);
            let mut fp = Fp::new();
            if !inputs.fingerprint(&mut fp, &cx) {
                continue;
            }
            let key = fp.finish();
            let mut bodies = Vec::new();
            inputs.bodies(&mut |k, i| bodies.push((k, i)));
            for b in bodies {
                shown += 1;
                let mut fp = Fp::new();
                inputs.fingerprint(&mut fp, &OneChanged(&cx, b));
                assert_ne!(
                    fp.finish(),
                    key,
                    "{job:?} shows the body of {b:?} but its key misses it"
                );
            }
        }
        // Five post pages, one page, the site's and the term's feeds, …
        assert!(shown >= 6 + 5 + 5, "{shown}");
    }

    #[test]
    fn a_posts_hashtags_follow_the_spelling_of_its_terms() {
        // A post's fediverse object links each tag that names a term; the
        // term's name is the newest post's spelling, so a newer post that
        // spells the tag otherwise (an edit, not a new post: that is a
        // partial build) changes the older post's object. Its
        // inputs carry the terms of its tags, so its key sees that.
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("content/posts")).unwrap();
        std::fs::write(
            root.join("causerie.toml"),
            "base_url = \"https://blog.example/\"\ntitle = \"Blog\"\n[comments]\nurl = \"http://127.0.0.1:9/\"\n[activitypub]\nusername = \"blog\"\n",
        )
        .unwrap();
        let tagged = |stem: &str, tag: &str, date: &str| {
            let text = format!(
                "+++\ntitle = \"{stem}\"\ndate = \"{date}\"\ntags = [\"{tag}\"]\n+++\nBody.\n"
            );
            std::fs::write(root.join(format!("content/posts/{stem}.md")), text).unwrap();
        };
        tagged("a", "rust", "2025-01-01");
        tagged("b", "other", "2025-01-02");
        let out = root.join("public");
        let object = || {
            let p = crate::activitypub::object_path("/posts/a/");
            std::fs::read_to_string(out.join(p.trim_start_matches('/'))).unwrap()
        };
        let mut e = Engine::new();
        // Never a full build: this small site's edit dirties most jobs.
        e.partial_limit = Some(1.0);
        e.build(root, &out, &opts()).unwrap();
        assert!(object().contains("\"#rust\""), "{}", object());
        tagged("b", "Rust", "2025-01-02");
        let o = e.build(root, &out, &opts()).unwrap();
        assert!(!o.full, "{o:?}");
        assert!(!object().contains("Hashtag"), "{}", object());
    }
}
