//! What each mail says: the owner's mail about a new or held comment, the
//! subscriber's confirmation, a reply. Text and HTML say the same, in the
//! site's language and direction; every value in the HTML is escaped.

use crate::escape::escape as esc;
use crate::mail::i18n::{Words, dir, fill, words};
use crate::mail::links::{MODERATION_LINK_SECS, ModerationLink, SubscriberLink, url};
use crate::store::Action;
use crate::store::mail::{MailComment, OutboxItem, OutboxKind};
use crate::tokens::Keys;

/// One mail, ready for the transport.
#[derive(Debug, Clone)]
pub struct Letter {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The one-click unsubscribe URL (RFC 8058), for subscribers' mails.
    pub unsubscribe: Option<String>,
}

/// What letters need to know besides the item.
pub struct Context<'a> {
    pub keys: &'a Keys,
    pub language: &'a str,
    pub site: &'a url::Url,
    /// The service's public base URL, for the links.
    pub base: &'a url::Url,
}

/// A paragraph or a link, rendered in both forms.
enum Part {
    Para(String),
    Quote(String),
    Links(Vec<(String, String)>),
    Small(String),
}

impl Context<'_> {
    /// The letter for `item`, or `None` if it has no recipient.
    pub fn letter(&self, item: &OutboxItem) -> Option<Letter> {
        let to = item.recipient.clone()?;
        let w = words(self.language);
        let c = &item.comment;
        let page = c.page.as_str();
        let (subject, parts, unsubscribe) = match item.kind {
            OutboxKind::OwnerNew | OutboxKind::OwnerHeld => {
                (self.owner_subject(w, item), self.owner(w, item), None)
            }
            OutboxKind::Confirm => {
                let sub = item.subscription_id?;
                let link = url(
                    self.base,
                    "mail/confirm",
                    &SubscriberLink::Confirm.token(self.keys, sub),
                );
                let parts = vec![
                    Part::Para(fill(w.confirm_text, page, &c.author)),
                    Part::Links(vec![(w.confirm.to_string(), link)]),
                    Part::Small(w.confirm_ignore.to_string()),
                ];
                (fill(w.subject_confirm, page, &c.author), parts, None)
            }
            OutboxKind::Reply => {
                let sub = item.subscription_id?;
                let unsub = url(
                    self.base,
                    "mail/unsubscribe",
                    &SubscriberLink::Unsubscribe.token(self.keys, sub),
                );
                let manage = url(
                    self.base,
                    "mail/manage",
                    &SubscriberLink::Manage.token(self.keys, sub),
                );
                let parts = vec![
                    Part::Para(fill(w.replied, page, &c.author)),
                    Part::Quote(c.body_md.clone()),
                    Part::Links(vec![(w.read_on_page.to_string(), self.page_url(c))]),
                    Part::Links(vec![
                        (w.unsubscribe.to_string(), unsub.clone()),
                        (w.manage.to_string(), manage),
                    ]),
                ];
                (fill(w.subject_reply, page, &c.author), parts, Some(unsub))
            }
            OutboxKind::Webhook => return None,
        };
        Some(Letter {
            to,
            text: text(&parts),
            html: html(&subject, self.language, &parts),
            subject,
            unsubscribe,
        })
    }

    fn owner_subject(&self, w: &Words, item: &OutboxItem) -> String {
        let t = if item.kind == OutboxKind::OwnerHeld {
            w.subject_held
        } else {
            w.subject_new
        };
        fill(t, &item.comment.page, &item.comment.author)
    }

    fn owner(&self, w: &Words, item: &OutboxItem) -> Vec<Part> {
        let c = &item.comment;
        let mut parts = vec![
            Part::Para(fill(w.wrote, &c.page, &c.author)),
            Part::Quote(c.body_md.clone()),
            Part::Links(vec![(c.page.clone(), self.page_url(c))]),
        ];
        if item.kind == OutboxKind::OwnerHeld {
            let why = match c.held_reason.as_deref() {
                Some("links") => w.reason_links,
                Some("blocklist") => w.reason_blocklist,
                Some("all") => w.reason_all,
                _ => w.reason_first_time,
            };
            parts.push(Part::Para(format!("{}: {why}", w.held_because)));
        }
        let expires = item.created_us / 1_000_000 + MODERATION_LINK_SECS;
        let link = |action| {
            let t = ModerationLink {
                mail: item.id,
                comment: c.id,
                action,
                expires,
            }
            .token(self.keys);
            url(self.base, "mail/moderate", &t)
        };
        let mut actions = Vec::new();
        if item.kind == OutboxKind::OwnerHeld {
            actions.push((w.approve.to_string(), link(Action::Approve)));
        }
        actions.push((w.reject.to_string(), link(Action::Reject)));
        actions.push((w.spam.to_string(), link(Action::Spam)));
        parts.push(Part::Links(actions));
        parts.push(Part::Small(w.links_note.to_string()));
        parts
    }

    fn page_url(&self, c: &MailComment) -> String {
        let mut u = self
            .site
            .join(&c.page)
            .unwrap_or_else(|_| self.site.clone());
        u.set_fragment(Some(&format!("comment-{}", c.id)));
        u.to_string()
    }
}

fn text(parts: &[Part]) -> String {
    let mut out = String::new();
    for p in parts {
        match p {
            Part::Para(s) | Part::Small(s) => out.push_str(s),
            Part::Quote(s) => {
                for line in s.lines() {
                    out.push_str("> ");
                    out.push_str(line);
                    out.push('\n');
                }
            }
            Part::Links(links) => {
                for (label, href) in links {
                    out.push_str(&format!("{label}: {href}\n"));
                }
            }
        }
        out.push_str("\n\n");
    }
    out.trim_end().to_string() + "\n"
}

fn html(title: &str, lang: &str, parts: &[Part]) -> String {
    let d = dir(lang);
    let mut body = String::new();
    for p in parts {
        match p {
            Part::Para(s) => body.push_str(&format!("<p>{}</p>\n", esc(s))),
            Part::Small(s) => body.push_str(&format!("<p><small>{}</small></p>\n", esc(s))),
            Part::Quote(s) => body.push_str(&format!(
                "<blockquote dir=\"auto\" style=\"white-space:pre-wrap;border-inline-start:3px solid #ccc;margin:0;padding-inline-start:1em\">{}</blockquote>\n",
                esc(s)
            )),
            Part::Links(links) => {
                let items: Vec<String> = links
                    .iter()
                    .map(|(l, h)| format!("<a href=\"{}\">{}</a>", esc(h), esc(l)))
                    .collect();
                body.push_str(&format!("<p>{}</p>\n", items.join(" · ")));
            }
        }
    }
    format!(
        "<!doctype html>\n<html lang=\"{}\" dir=\"{d}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body dir=\"{d}\" style=\"font-family:sans-serif\">\n{body}</body></html>\n",
        esc(lang),
        esc(title)
    )
}
