//! The kept site: what a resident engine (`serve`, `watch`) keeps between
//! builds beyond the caches: the last good site whole, for the patch path,
//! its conversation, the list views of its posts, the template engine, and
//! what lets a one-post edit cost as much as the edit, not the site (the
//! last keys, where each entry is, the records' counts).

use super::*;

use crate::conversation::Conversations;

/// The site of the last build and what goes with it.
#[derive(Default)]
pub(super) struct KeptSite {
    /// The site of the last good build, kept whole for the patch path.
    pub(super) site: Option<Site>,
    /// Its [`Site::known_paths`].
    pub(super) known: Option<HashSet<String>>,
    /// Overrides `[comments] url` (serve's local comment service).
    pub(super) comments_url: Option<String>,
    /// The conversation of the last build, reused until the next sync.
    pub(super) conversation: Option<Conversations>,
    /// Skip fetching the comment service's export on the next build
    /// (`serve` fetches only at start and when the service calls back).
    pub(super) reuse_conversation: bool,
    /// Post summaries (list views) by [`summary_key`].
    pub(super) summaries: HashMap<u64, std::sync::Arc<Summary>>,
    /// The pages and other files the records hold, kept up to date by
    /// each build's apply (`None`: count them).
    pub(super) counts: Option<super::apply::Counts>,
    /// The template engine, with the global key it was made for.
    pub(super) templates: Option<(u64, Templates)>,
    /// The keys of the last plan, for re-keying only what an edit touched.
    pub(super) keys: Option<super::rekey::LastKeys>,
    /// The last patch kept the order of the posts and the terms: the next
    /// plan may re-key only what changed.
    pub(super) order_kept: bool,
    /// Where each entry of the kept site is, for the patch.
    pub(super) index: super::entry_index::EntryIndex,
    /// The entries that patch replaced (by kind and index): the only ones
    /// whose fingerprint can have changed, comments aside.
    pub(super) touched: Option<Vec<(Kind, usize)>>,
}

impl KeptSite {
    /// Adds the list views a build made (by [`summary_key`]) to those kept.
    /// The views of edited posts stay under their old keys until the map
    /// outgrows the posts by a quarter; then only `skeys` (each post's key
    /// now) are kept. (Collecting a new map of every view on each build was
    /// a tenth of a one-post edit at 100 000 posts.)
    pub(super) fn keep_summaries(
        &mut self,
        made: Vec<(u64, std::sync::Arc<Summary>)>,
        skeys: &[u64],
    ) {
        self.summaries.extend(made);
        if self.summaries.len() > skeys.len() + skeys.len() / 4 + 64 {
            let now: HashSet<u64> = skeys.iter().copied().collect();
            self.summaries.retain(|k, _| now.contains(k));
        }
    }

    /// Sets `[comments] url` of `site` to the override, if any (a table is
    /// added if the config has none).
    pub(super) fn override_comments_url(&self, site: &mut Site) {
        let Some(url) = &self.comments_url else {
            return;
        };
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

    /// The conversation for a freshly loaded `site`: the last one, or
    /// fetched again when a sync is due.
    pub(super) fn conversation_for(&mut self, site: &Site) -> Conversations {
        match self.conversation.take() {
            Some(c) if self.reuse_conversation => c,
            previous => crate::conversation::sync_from(&site.root, &site.config, previous),
        }
    }

    /// Fetches the conversation of a patched `site` again when a sync is due.
    pub(super) fn resync(&self, site: &mut Site) {
        if self.reuse_conversation {
            return;
        }
        let previous = std::mem::take(&mut site.conversation);
        site.conversation =
            crate::conversation::sync_from(&site.root, &site.config, Some(previous));
        if let Some(w) = site.conversation.warning.take() {
            eprintln!("warning: comments: {w}");
        }
    }
}
