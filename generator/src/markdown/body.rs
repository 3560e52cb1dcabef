//! What the markdown stage gives for one body: its HTML, and a [`Brief`]
//! (summary, word count, links) that list views and the link checker read.
//!
//! A body loaded from the build cache may leave its brief where it is
//! (the incremental engine's markdown log): a build after one edit shows
//! a few dozen summaries of 100 000 posts, and decoding every brief at
//! load took 5–7 % of that build. Such a brief is read on first use, so
//! a reader cannot forget to load it first.

use std::sync::{Arc, OnceLock};

/// The Markdown stage's output for one body.
#[derive(Debug, Clone, Default)]
pub struct RenderedBody {
    pub html: String,
    brief: OnceLock<Brief>,
    /// Where the brief is when it was not decoded yet.
    later: Option<Later>,
}

/// What a body's list view and link check read of it: small next to the HTML.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Brief {
    /// Everything before `<!-- more -->`, else the first paragraph.
    pub summary_html: String,
    /// True when the summary came from a `<!-- more -->` break.
    pub has_more: bool,
    pub words: usize,
    /// Link and image targets with their line in the file.
    pub links: Vec<(String, usize)>,
}

/// Where briefs not decoded yet are read from. `None` means the stored
/// brief is damaged: the source remembers it, and its owner fails the
/// build (the body then shows an empty brief, which is never written).
pub trait BriefSource: Send + Sync {
    fn brief(&self, at: BriefAt) -> Option<Brief>;
}

/// A brief's place in its source: offset, length and checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BriefAt {
    pub at: usize,
    pub len: usize,
    pub sum: u64,
}

#[derive(Clone)]
struct Later {
    source: Arc<dyn BriefSource>,
    at: BriefAt,
}

impl std::fmt::Debug for Later {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Later({:?})", self.at)
    }
}

impl RenderedBody {
    /// A body with everything in memory.
    pub fn new(html: String, brief: Brief) -> RenderedBody {
        RenderedBody {
            html,
            brief: OnceLock::from(brief),
            later: None,
        }
    }

    /// A body whose HTML is `html` (empty if it too is elsewhere) and whose
    /// brief is read from `source` on first use.
    pub fn later(html: String, source: Arc<dyn BriefSource>, at: BriefAt) -> RenderedBody {
        RenderedBody {
            html,
            brief: OnceLock::new(),
            later: Some(Later { source, at }),
        }
    }

    /// The brief, read from its source the first time if it is elsewhere.
    pub fn brief(&self) -> &Brief {
        self.brief.get_or_init(|| {
            (self.later.as_ref())
                .and_then(|l| l.source.brief(l.at))
                .unwrap_or_default()
        })
    }

    /// Whether the brief is in memory (read, or made with the body).
    pub fn brief_is_loaded(&self) -> bool {
        self.brief.get().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counting(AtomicUsize);

    impl BriefSource for Counting {
        fn brief(&self, at: BriefAt) -> Option<Brief> {
            self.0.fetch_add(1, Ordering::Relaxed);
            (at.sum == 1).then(|| Brief {
                words: at.len,
                ..Brief::default()
            })
        }
    }

    #[test]
    fn a_later_brief_is_read_once_on_first_use() {
        let src = Arc::new(Counting(AtomicUsize::new(0)));
        let at = BriefAt {
            at: 0,
            len: 7,
            sum: 1,
        };
        let b = RenderedBody::later(String::new(), src.clone(), at);
        assert!(!b.brief_is_loaded());
        assert_eq!(src.0.load(Ordering::Relaxed), 0, "nothing read at load");
        assert_eq!(b.brief().words, 7);
        assert_eq!(b.clone().brief().words, 7);
        assert_eq!(src.0.load(Ordering::Relaxed), 1);
        let bad = RenderedBody::later(String::new(), src, BriefAt { sum: 2, ..at });
        assert_eq!(*bad.brief(), Brief::default(), "damaged reads as empty");
    }
}
