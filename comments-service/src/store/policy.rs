//! The rules the store applies, in plain Rust so every backend applies the
//! same ones: backends only read the facts (is this commenter known? is a
//! rebuild already waiting?) and write the outcome.

use super::{Created, Micros, NewComment};
use crate::config::Moderation;
use crate::error::{Error, Refusal, Result};
use crate::model::Status;

/// What a stored comment says about the post that made it.
pub struct Earlier<'a> {
    pub id: i64,
    pub page: &'a str,
    /// Who posted it: the name and the address, as typed. Not the commenter
    /// key: without a token that is new for every post, a retry included.
    pub author: &'a str,
    pub email: Option<&'a str>,
    pub body_md: &'a str,
    pub parent: Option<i64>,
    pub status: &'a str,
    pub created_us: Micros,
}

/// The answer to a retried post whose idempotency key already made a
/// comment: that comment, if the retry is the same post (submitter, page,
/// parent, text); a key reused for anything else is refused rather than
/// answered with another comment.
pub fn replay(n: &NewComment, e: Earlier<'_>) -> Result<Created> {
    let same = e.page == n.page
        && same_submitter(e.author, e.email, &n.author, n.email.as_deref())
        && e.body_md == n.body_md
        && e.parent == n.parent;
    if !same {
        return Err(Error::refused(
            Refusal::Inconsistent,
            "idempotency-key",
            "this Idempotency-Key was used for another comment",
        ));
    }
    Ok(Created {
        id: e.id,
        status: Status::parse(e.status).unwrap_or(Status::Pending),
        created_us: e.created_us,
        replayed: true,
    })
}

/// The same name and address, ignoring case and surrounding spaces.
fn same_submitter(a: &str, a_email: Option<&str>, b: &str, b_email: Option<&str>) -> bool {
    let norm = |e: Option<&str>| e.unwrap_or("").trim().to_lowercase();
    a.trim().to_lowercase() == b.trim().to_lowercase() && norm(a_email) == norm(b_email)
}

/// The status a new item gets under `mode`; `known` says whether its
/// commenter (or a mention's domain) was approved before.
pub fn status_for(mode: Moderation, known: bool) -> Status {
    match mode {
        Moderation::None => Status::Approved,
        Moderation::All => Status::Pending,
        Moderation::FirstTime if known => Status::Approved,
        Moderation::FirstTime => Status::Pending,
    }
}

/// A stored rebuild request: when its burst began and when it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Debounce {
    pub first_us: Micros,
    pub due_us: Micros,
}

/// How many debounce periods a burst may push its rebuild back: a steady
/// stream of comments still gets baked.
const MAX_DEBOUNCES: Micros = 5;

/// The request after one more change at `now`: due after `debounce_us` of
/// quiet, but no later than five debounces after the burst began, and never
/// earlier than it already was.
pub fn debounce(pending: Option<Debounce>, now: Micros, debounce_us: Micros) -> Debounce {
    match pending {
        None => Debounce {
            first_us: now,
            due_us: now + debounce_us,
        },
        Some(p) => Debounce {
            first_us: p.first_us,
            due_us: p
                .due_us
                .max((now + debounce_us).min(p.first_us + MAX_DEBOUNCES * debounce_us)),
        },
    }
}

/// When a burst of changes made between `first` and `last` is due: what
/// [`debounce`] gives after folding in each change in turn, computed from
/// the two ends alone (backends that keep one row per change use it).
pub fn burst_due(first: Micros, last: Micros, debounce_us: Micros) -> Micros {
    (last + debounce_us).min(first + MAX_DEBOUNCES * debounce_us)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_burst_folded_or_taken_by_its_ends_is_due_at_the_same_time() {
        let d = 100;
        for times in [
            vec![1_000],
            vec![1_000, 1_050, 1_070],
            (1_000..2_500).step_by(37).collect::<Vec<_>>(),
        ] {
            let folded = times
                .iter()
                .fold(None, |p, t| Some(debounce(p, *t, d)))
                .unwrap();
            assert_eq!(
                burst_due(times[0], *times.last().unwrap(), d),
                folded.due_us,
                "{times:?}"
            );
        }
    }

    use super::*;

    #[test]
    fn first_time_moderation_trusts_only_known_commenters() {
        assert_eq!(status_for(Moderation::FirstTime, true), Status::Approved);
        assert_eq!(status_for(Moderation::FirstTime, false), Status::Pending);
        assert_eq!(status_for(Moderation::All, true), Status::Pending);
        assert_eq!(status_for(Moderation::None, false), Status::Approved);
    }

    #[test]
    fn a_burst_pushes_its_rebuild_back_up_to_five_debounces() {
        let d = 100;
        let mut p = debounce(None, 1_000, d);
        assert_eq!(
            p,
            Debounce {
                first_us: 1_000,
                due_us: 1_100
            }
        );
        p = debounce(Some(p), 1_050, d);
        assert_eq!(p.due_us, 1_150, "quiet restarts");
        for t in (1_100..2_000).step_by(50) {
            p = debounce(Some(p), t, d);
        }
        assert_eq!(
            p,
            Debounce {
                first_us: 1_000,
                due_us: 1_500
            },
            "capped"
        );
        // A retry already pushed later is never pulled earlier.
        let later = Debounce {
            first_us: 1_000,
            due_us: 9_000,
        };
        assert_eq!(debounce(Some(later), 1_200, d).due_us, 9_000);
    }
}
