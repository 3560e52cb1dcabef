//! The signed links in mails. A moderation link names the mail it came in,
//! the comment, the action and when it expires, signed with the store's key;
//! a subscriber's link names the subscription. Tokens are never logged.

use crate::store::Action;
use crate::tokens::Keys;

/// How long the owner's moderation links work.
pub const MODERATION_LINK_SECS: i64 = 7 * 86_400;

/// What a moderation link asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModerationLink {
    pub mail: i64,
    pub comment: i64,
    pub action: Action,
    pub expires: i64,
}

/// Why a link is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    Invalid,
    Expired,
}

fn action_name(a: Action) -> &'static str {
    match a {
        Action::Approve => "approve",
        Action::Reject => "reject",
        Action::Spam => "spam",
        Action::Delete => "delete",
    }
}

fn action_of(s: &str) -> Option<Action> {
    Some(match s {
        "approve" => Action::Approve,
        "reject" => Action::Reject,
        "spam" => Action::Spam,
        _ => return None,
    })
}

impl ModerationLink {
    /// The token: `mail.comment.action.expires.signature`.
    pub fn token(&self, keys: &Keys) -> String {
        let data = format!(
            "{}.{}.{}.{}",
            self.mail,
            self.comment,
            action_name(self.action),
            self.expires
        );
        let sig = keys.sign("mail-moderate", &data);
        format!("{data}.{sig}")
    }

    /// Reads and checks a token at `now` (Unix seconds).
    pub fn parse(keys: &Keys, token: &str, now: i64) -> Result<ModerationLink, LinkError> {
        let (data, sig) = token.rsplit_once('.').ok_or(LinkError::Invalid)?;
        if !keys.signed_ok("mail-moderate", data, sig) {
            return Err(LinkError::Invalid);
        }
        let mut parts = data.split('.');
        let mut num = || parts.next().and_then(|p| p.parse::<i64>().ok());
        let (mail, comment) = (num(), num());
        let action = data.split('.').nth(2).and_then(action_of);
        let expires = data.split('.').nth(3).and_then(|p| p.parse::<i64>().ok());
        let (Some(mail), Some(comment), Some(action), Some(expires)) =
            (mail, comment, action, expires)
        else {
            return Err(LinkError::Invalid);
        };
        if now >= expires {
            return Err(LinkError::Expired);
        }
        Ok(ModerationLink {
            mail,
            comment,
            action,
            expires,
        })
    }
}

/// What a subscriber's link is for (part of what is signed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriberLink {
    Confirm,
    Unsubscribe,
    Manage,
}

impl SubscriberLink {
    fn purpose(self) -> &'static str {
        match self {
            SubscriberLink::Confirm => "mail-confirm",
            SubscriberLink::Unsubscribe => "mail-unsubscribe",
            SubscriberLink::Manage => "mail-manage",
        }
    }

    /// The token for subscription `sub`: `sub.signature`.
    pub fn token(self, keys: &Keys, sub: i64) -> String {
        let data = sub.to_string();
        format!("{data}.{}", keys.sign(self.purpose(), &data))
    }

    /// The subscription a token names, if its signature holds.
    pub fn parse(self, keys: &Keys, token: &str) -> Option<i64> {
        let (data, sig) = token.split_once('.')?;
        keys.signed_ok(self.purpose(), data, sig)
            .then(|| data.parse().ok())
            .flatten()
    }
}

/// `base` + `path` with `?t=token`.
pub fn url(base: &url::Url, path: &str, token: &str) -> String {
    let mut u = base.join(path).unwrap_or_else(|_| base.clone());
    u.query_pairs_mut().clear().append_pair("t", token);
    u.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moderation_link_refuses_tampering_and_expiry() {
        let k = Keys::new(b"0123456789abcdef0123");
        let l = ModerationLink {
            mail: 3,
            comment: 9,
            action: Action::Approve,
            expires: 1_000,
        };
        let t = l.token(&k);
        assert_eq!(ModerationLink::parse(&k, &t, 999), Ok(l));
        assert_eq!(
            ModerationLink::parse(&k, &t, 1_000),
            Err(LinkError::Expired)
        );
        let other = t.replacen("3.9.", "3.8.", 1);
        assert_eq!(
            ModerationLink::parse(&k, &other, 999),
            Err(LinkError::Invalid)
        );
        let later = t.replace(".1000.", ".9000.");
        assert_eq!(
            ModerationLink::parse(&k, &later, 999),
            Err(LinkError::Invalid)
        );
    }

    #[test]
    fn subscriber_links_are_bound_to_their_purpose() {
        let k = Keys::new(b"0123456789abcdef0123");
        let t = SubscriberLink::Confirm.token(&k, 5);
        assert_eq!(SubscriberLink::Confirm.parse(&k, &t), Some(5));
        assert_eq!(SubscriberLink::Unsubscribe.parse(&k, &t), None);
        assert_eq!(SubscriberLink::Confirm.parse(&k, "6.00"), None);
    }
}
