//! The sent-state: which (source, target) pairs were notified, for which
//! version of the post.
//!
//! It lives in `webmentions.json` at the site root, a file the site commits,
//! because a CI build starts from a fresh checkout: state kept in `public/`
//! or a cache directory would be lost and every link re-sent on every deploy.
//! Keys are sorted (BTreeMap) so the committed file diffs cleanly.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::links::BuiltPost;
use crate::error::{Error, Result};

/// The file name at the site root.
pub const STATE_FILE: &str = "webmentions.json";

/// The whole state file.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct State {
    pub version: u32,
    /// Per source (a post's public URL).
    pub sources: BTreeMap<String, SourceState>,
}

/// What was sent for one post.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SourceState {
    /// Per target URL as linked.
    pub targets: BTreeMap<String, TargetState>,
}

/// The last outcome for one (source, target).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TargetState {
    /// Content hash of the post when this was last sent.
    pub hash: String,
    /// `webmention`, `pingback`, `no-endpoint`, `failed`, or `imported`
    /// (recorded by `causerie import`: the old blog already notified it).
    pub result: String,
    /// The endpoint used, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// RFC 3339 time of the attempt.
    pub at: String,
}

/// The result `causerie import` records: sent by the old blog. With an
/// empty hash it counts as sent for whatever the post is when first built.
pub const IMPORTED: &str = "imported";

/// Why a pair is sent this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// First time this post links there.
    New,
    /// The post changed since the last send (or the last send failed).
    Changed,
    /// The link was removed from the post.
    Removed,
    /// The post itself is gone.
    Deleted,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::New => "new",
            Reason::Changed => "changed",
            Reason::Removed => "link removed",
            Reason::Deleted => "post deleted",
        }
    }

    /// Whether the pair leaves the state once notified.
    pub fn drops_pair(self) -> bool {
        matches!(self, Reason::Removed | Reason::Deleted)
    }
}

/// One notification to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub source: String,
    pub target: String,
    /// The post's current hash (empty for a deleted post).
    pub hash: String,
    pub reason: Reason,
}

impl State {
    /// Reads the file, or an empty state when there is none yet.
    pub fn load(site_root: &Path) -> Result<State> {
        let path = site_root.join(STATE_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| Error::one(STATE_FILE, e.line(), format!("invalid sent-state: {e}"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State {
                version: 1,
                sources: BTreeMap::new(),
            }),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// Writes the file atomically (temp file, then rename).
    pub fn save(&self, site_root: &Path) -> Result<()> {
        let path = site_root.join(STATE_FILE);
        let tmp = site_root.join(format!(".{STATE_FILE}.tmp"));
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| Error::Other(format!("{STATE_FILE}: {e}")))?;
        text.push('\n');
        std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))
    }

    /// What to send, given the built posts. Unchanged pairs are counted in
    /// the second value.
    pub fn plan(&self, posts: &[BuiltPost]) -> (Vec<Job>, usize) {
        let mut jobs = Vec::new();
        let mut unchanged = 0;
        let built: BTreeSet<&str> = posts.iter().map(|p| p.source.as_str()).collect();
        for post in posts {
            let previous = self.sources.get(&post.source);
            for target in &post.targets {
                let reason = match previous.and_then(|s| s.targets.get(target)) {
                    None => Some(Reason::New),
                    Some(t) if t.result == IMPORTED && t.hash.is_empty() => None,
                    Some(t) if t.hash != post.hash || t.result == "failed" => Some(Reason::Changed),
                    Some(_) => None,
                };
                match reason {
                    Some(reason) => jobs.push(Job {
                        source: post.source.clone(),
                        target: target.clone(),
                        hash: post.hash.clone(),
                        reason,
                    }),
                    None => unchanged += 1,
                }
            }
            if let Some(previous) = previous {
                for target in previous.targets.keys() {
                    if !post.targets.contains(target) {
                        jobs.push(Job {
                            source: post.source.clone(),
                            target: target.clone(),
                            hash: post.hash.clone(),
                            reason: Reason::Removed,
                        });
                    }
                }
            }
        }
        for (source, previous) in &self.sources {
            if built.contains(source.as_str()) {
                continue;
            }
            for target in previous.targets.keys() {
                jobs.push(Job {
                    source: source.clone(),
                    target: target.clone(),
                    hash: String::new(),
                    reason: Reason::Deleted,
                });
            }
        }
        (jobs, unchanged)
    }

    /// Gives the pairs `causerie import` recorded (empty hash) the hash of
    /// the post as built now. Returns whether anything changed.
    pub fn adopt_imported(&mut self, posts: &[BuiltPost]) -> bool {
        let mut changed = false;
        for post in posts {
            if let Some(s) = self.sources.get_mut(&post.source) {
                for t in s.targets.values_mut() {
                    if t.result == IMPORTED && t.hash.is_empty() {
                        t.hash = post.hash.clone();
                        changed = true;
                    }
                }
            }
        }
        changed
    }

    /// Records the outcome of a job. A removal or deletion that reached the
    /// target (or found no endpoint) leaves the state; a failed one stays so
    /// the next run retries it.
    pub fn record(&mut self, job: &Job, result: &str, endpoint: Option<String>, at: String) {
        let source = self.sources.entry(job.source.clone()).or_default();
        if job.reason.drops_pair() && result != "failed" {
            source.targets.remove(&job.target);
        } else {
            let hash = if job.reason.drops_pair() {
                // Keep the old hash: the pair is still pending removal.
                source
                    .targets
                    .get(&job.target)
                    .map(|t| t.hash.clone())
                    .unwrap_or_default()
            } else {
                job.hash.clone()
            };
            source.targets.insert(
                job.target.clone(),
                TargetState {
                    hash,
                    result: result.to_string(),
                    endpoint,
                    at,
                },
            );
        }
        if source.targets.is_empty() {
            self.sources.remove(&job.source);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(source: &str, hash: &str, targets: &[&str]) -> BuiltPost {
        BuiltPost {
            source: source.into(),
            hash: hash.into(),
            targets: targets.iter().map(|t| t.to_string()).collect(),
            file: "x".into(),
        }
    }

    fn reasons(jobs: &[Job]) -> Vec<(String, Reason)> {
        jobs.iter().map(|j| (j.target.clone(), j.reason)).collect()
    }

    #[test]
    fn lifecycle_new_unchanged_changed_removed_deleted() {
        let mut state = State::load(Path::new("/nonexistent")).unwrap();
        let (jobs, _) = state.plan(&[post("s", "h1", &["a", "b"])]);
        assert_eq!(
            reasons(&jobs),
            [("a".into(), Reason::New), ("b".into(), Reason::New)]
        );
        for j in &jobs {
            state.record(j, "webmention", None, "t".into());
        }
        let (jobs, unchanged) = state.plan(&[post("s", "h1", &["a", "b"])]);
        assert!(jobs.is_empty());
        assert_eq!(unchanged, 2);

        let (jobs, _) = state.plan(&[post("s", "h2", &["a"])]);
        assert_eq!(
            reasons(&jobs),
            [("a".into(), Reason::Changed), ("b".into(), Reason::Removed)]
        );
        // The removal fails once: it stays pending.
        state.record(&jobs[0], "webmention", None, "t".into());
        state.record(&jobs[1], "failed", None, "t".into());
        let (jobs, _) = state.plan(&[post("s", "h2", &["a"])]);
        assert_eq!(reasons(&jobs), [("b".into(), Reason::Removed)]);
        state.record(&jobs[0], "no-endpoint", None, "t".into());
        assert_eq!(state.sources["s"].targets.len(), 1);

        let (jobs, _) = state.plan(&[]);
        assert_eq!(reasons(&jobs), [("a".into(), Reason::Deleted)]);
        state.record(&jobs[0], "webmention", None, "t".into());
        assert!(state.sources.is_empty());
    }

    #[test]
    fn imported_links_count_as_sent_until_the_post_changes() {
        let mut state = State::default();
        state.sources.entry("s".into()).or_default().targets.insert(
            "a".into(),
            TargetState {
                hash: String::new(),
                result: IMPORTED.into(),
                endpoint: None,
                at: "t".into(),
            },
        );
        let (jobs, unchanged) = state.plan(&[post("s", "h1", &["a"])]);
        assert!(jobs.is_empty());
        assert_eq!(unchanged, 1);
        assert!(state.adopt_imported(&[post("s", "h1", &["a"])]));
        let (jobs, _) = state.plan(&[post("s", "h2", &["a"])]);
        assert_eq!(reasons(&jobs), [("a".into(), Reason::Changed)]);
    }

    #[test]
    fn failed_sends_are_retried() {
        let mut state = State::default();
        let (jobs, _) = state.plan(&[post("s", "h", &["a"])]);
        state.record(&jobs[0], "failed", None, "t".into());
        let (jobs, _) = state.plan(&[post("s", "h", &["a"])]);
        assert_eq!(reasons(&jobs), [("a".into(), Reason::Changed)]);
    }

    #[test]
    fn round_trips_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = State::load(dir.path()).unwrap();
        let (jobs, _) = state.plan(&[post("s", "h", &["a"])]);
        state.record(
            &jobs[0],
            "webmention",
            Some("https://e/".into()),
            "t".into(),
        );
        state.save(dir.path()).unwrap();
        assert_eq!(State::load(dir.path()).unwrap(), state);
        std::fs::write(
            dir.path().join(STATE_FILE),
            "{\n \"version\": 1,\n \"oops\": 2}",
        )
        .unwrap();
        let err = State::load(dir.path()).unwrap_err().to_string();
        assert!(
            matches!(State::load(dir.path()), Err(Error::Content(_))),
            "{err}"
        );
    }
}
