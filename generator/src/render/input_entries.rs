//! Which entries a job's key reads, for a resident engine that re-keys
//! only the jobs an edit touches (`incremental::rekey`). Beside
//! [`Inputs::fingerprint`] in spirit: every variant is named, so a new one
//! is a compile error here too.

use crate::content::{Entry, Kind};
use crate::hash::Fp;
use crate::render::inputs::{EntryRef, Inputs, Slice, TermRef, hash_date};

/// What a job that [`Inputs::listing`] names reads of one entry: its path,
/// dates, aliases and comment setting (not its text). A body or title edit
/// leaves it alone, so such a job need not be keyed again: hashing the
/// paths of 100 000 entries for the sitemap and the manifest was most of
/// re-keying a one-post edit.
pub fn listing_fp(e: &Entry) -> u64 {
    let mut fp = Fp::new();
    fp.str(&e.path);
    hash_date(&mut fp, e.date);
    hash_date(&mut fp, e.updated);
    fp.num(e.aliases.len() as u64);
    for a in &e.aliases {
        fp.str(a);
    }
    fp.str(e.comments.map_or("-", |c| c.as_str()));
    fp.finish()
}

impl Inputs<'_> {
    /// Calls `each(kind, index)` for every entry whose fingerprint (or
    /// title and path, for a post's neighbours) this job's key reads.
    /// False when the key also reads something else that an edit of an
    /// entry's body can change (the whole site, the clock, files on disk):
    /// such a job is re-keyed on every build.
    ///
    /// Valid only while the set of jobs, the order of the posts and the
    /// terms stay as they were when it was asked.
    pub fn entries(&self, each: &mut dyn FnMut(Kind, usize)) -> bool {
        let entry = |each: &mut dyn FnMut(Kind, usize), e: &EntryRef<'_>| each(e.kind, e.i);
        match self {
            Inputs::Post {
                post,
                prev: _,
                next: _,
                conversation: _,
            } => {
                // The neighbours' titles and paths are in their own
                // fingerprints.
                entry(each, post);
                each(Kind::Post, post.i + 1);
                if let Some(n) = post.i.checked_sub(1) {
                    each(Kind::Post, n);
                }
            }
            Inputs::Page(e) | Inputs::Aliases(e) | Inputs::CommentsFeed(e, _) => entry(each, e),
            // The hashtag terms come from the post's tags and the terms,
            // both unchanged while the order is.
            Inputs::ApObject(e, _) => entry(each, e),
            Inputs::Index(Slice { ids, .. }) | Inputs::Term(TermRef { .. }, Slice { ids, .. }) => {
                ids.iter().for_each(|i| each(Kind::Post, i))
            }
            Inputs::SiteFeeds(_, r) => r.clone().for_each(|i| each(Kind::Post, i)),
            Inputs::TermFeeds(_, _, ids) => ids.iter().for_each(|&i| each(Kind::Post, i)),
            // Asset files are stamped from disk.
            Inputs::Assets(_)
            | Inputs::NotFound
            | Inputs::Robots
            | Inputs::Terms(..)
            | Inputs::SiteCommentsFeed(..)
            | Inputs::ApActor(_)
            | Inputs::ApOutbox(..)
            | Inputs::Sitemap(_)
            | Inputs::Manifest(_)
            | Inputs::RedirectMap(_)
            | Inputs::ThemeStatic(_)
            | Inputs::Files(_) => return false,
        }
        true
    }

    /// For a job that reads more than entries ([`Inputs::entries`] is
    /// false): `Some` when the rest is only every entry's [`listing_fp`]
    /// and the terms (unchanged while the order is), `Some(true)` when it
    /// also reads the clock (comment states, with `[comments]`).
    pub fn listing(&self) -> Option<bool> {
        match self {
            // Paths and last changes; the terms' slugs and newest posts.
            Inputs::Sitemap(_) => Some(false),
            // Paths and aliases.
            Inputs::RedirectMap(_) => Some(false),
            // Paths, aliases and comment states.
            Inputs::Manifest(_) => Some(true),
            _ => None,
        }
    }
}
