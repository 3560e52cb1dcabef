//! WordPress eXtended RSS (WXR 1.0–1.2, from WordPress.org and
//! WordPress.com) into [`Record`]s.
//!
//! Posts and pages become records; attachments are kept aside for
//! `[gallery]` and `--media`; comments are skipped while reading (they are
//! `causerie-comments import`'s part), so a 100 000-comment export costs
//! little more than its posts.

use std::collections::BTreeMap;

use super::xml::{self, Elem, Spec, XmlError};
use super::{BodyFormat, Export, Record};
use crate::content::Kind;

const SPEC: Spec<'static> = Spec {
    root: "rss",
    record: "item",
    skip: &["wp:comment", "wp:postmeta"],
};

/// Reads a whole WXR file.
pub fn read(text: &str) -> Result<Export, XmlError> {
    let mut records = Vec::new();
    let mut attachments = Vec::new();
    let mut skipped = 0usize;
    let root = xml::read(text, &SPEC, |item| {
        match item.text_of("wp:post_type") {
            "post" | "page" => match record(&item) {
                Some(r) => records.push(r),
                None => skipped += 1,
            },
            "attachment" => {
                let url = item.text_of("wp:attachment_url");
                if !url.is_empty() {
                    attachments.push(super::Attachment {
                        id: item.text_of("wp:post_id").to_string(),
                        parent: item.text_of("wp:post_parent").to_string(),
                        url: url.to_string(),
                    });
                }
            }
            _ => skipped += 1,
        }
        Ok(())
    })?;
    let channel = root.child("channel").ok_or_else(|| XmlError {
        offset: 0,
        message: "not a WordPress export: <rss> has no <channel>".into(),
    })?;
    if channel.child("wp:wxr_version").is_none() && channel.child("wp:base_site_url").is_none() {
        return Err(XmlError {
            offset: 0,
            message: "not a WordPress export (no <wp:wxr_version>): is this an RSS feed?".into(),
        });
    }
    let blog = [
        channel.text_of("wp:base_blog_url"),
        channel.text_of("link"),
        channel.text_of("wp:base_site_url"),
    ]
    .into_iter()
    .find(|s| !s.is_empty())
    .unwrap_or("")
    .to_string();
    // `?p=ID` lives under the blog's own path (`/blog/?p=1` for a blog in a subdirectory).
    let base = super::site_path(&blog).unwrap_or_else(|| "/".into());
    let base = if base.ends_with('/') {
        base
    } else {
        format!("{base}/")
    };
    for r in &mut records {
        let id_alias = match r.kind {
            Kind::Post => format!("{base}?p={}", r.id),
            Kind::Page => format!("{base}?page_id={}", r.id),
        };
        if !r.id.is_empty() && !r.aliases.contains(&id_alias) {
            r.aliases.push(id_alias);
        }
    }
    Ok(Export {
        records,
        attachments,
        skipped,
        old_site: blog,
    })
}

/// One `<item>` of type post or page; `None` for trash, auto-drafts and
/// revisions.
fn record(item: &Elem) -> Option<Record> {
    let status = item.text_of("wp:status");
    let draft = match status {
        "publish" | "future" => false,
        "draft" | "pending" | "private" => true,
        _ => return None,
    };
    // A password-protected post was not public: it stays a draft.
    let draft = draft || !item.text_of("wp:post_password").is_empty();
    let kind = if item.text_of("wp:post_type") == "page" {
        Kind::Page
    } else {
        Kind::Post
    };
    let date = wp_date(item.text_of("wp:post_date_gmt"))
        .or_else(|| wp_date(item.text_of("wp:post_date")))
        .or_else(|| rfc2822(item.text_of("pubDate")));
    let updated =
        wp_date(item.text_of("wp:post_modified_gmt")).filter(|u| Some(u) != date.as_ref());
    let mut tags = Vec::new();
    let mut categories = Vec::new();
    for c in item.children.iter().filter(|c| c.name == "category") {
        let name = c.text.trim().to_string();
        if name.is_empty() {
            continue;
        }
        match c.attr("domain") {
            Some("post_tag") if !tags.contains(&name) => tags.push(name),
            Some("category")
                if c.attr("nicename") != Some("uncategorized") && !categories.contains(&name) =>
            {
                categories.push(name)
            }
            _ => {}
        }
    }
    let content = item.child("content:encoded");
    let html = content.map(|c| c.text.clone()).unwrap_or_default();
    let format = if html.contains("<!-- wp:") {
        BodyFormat::Blocks
    } else {
        BodyFormat::Classic
    };
    let excerpt = super::plain_text(item.text_of("excerpt:encoded"));
    let mut aliases = Vec::new();
    if let Some(p) = super::site_path(item.text_of("link")) {
        aliases.push(p);
    }
    Some(Record {
        kind,
        id: item.text_of("wp:post_id").to_string(),
        title: item.text_of("title").to_string(),
        slug: super::percent_decode(item.text_of("wp:post_name")),
        date,
        updated,
        draft,
        tags,
        categories,
        summary: (!excerpt.is_empty()).then_some(excerpt),
        comments_closed: item.text_of("wp:comment_status") == "closed",
        aliases,
        html,
        format,
        line: item.line,
        body_line: content.map(|c| c.line).unwrap_or(item.line),
    })
}

/// `2019-05-04 09:12:00` (UTC) → `2019-05-04T09:12:00Z`; the zero date of
/// unpublished drafts is `None`.
fn wp_date(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() || s.starts_with("0000") {
        return None;
    }
    let dt: jiff::civil::DateTime = s.replacen(' ', "T", 1).parse().ok()?;
    Some(format!("{}Z", dt.strftime("%Y-%m-%dT%H:%M:%S")))
}

fn rfc2822(s: &str) -> Option<String> {
    let z = jiff::fmt::rfc2822::parse(s.trim()).ok()?;
    Some(super::utc(z.timestamp()))
}

/// Attachments by id, and the attachments of each post in document order.
pub fn index(
    attachments: &[super::Attachment],
) -> (BTreeMap<&str, &str>, BTreeMap<&str, Vec<&str>>) {
    let mut by_id = BTreeMap::new();
    let mut by_parent: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for a in attachments {
        by_id.insert(a.id.as_str(), a.url.as_str());
        if !a.parent.is_empty() && a.parent != "0" {
            by_parent
                .entry(a.parent.as_str())
                .or_default()
                .push(a.url.as_str());
        }
    }
    (by_id, by_parent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protected_posts_stay_drafts_and_trash_is_skipped() {
        let item = |status: &str, password: &str| {
            format!(
                "<item><title>T</title><wp:post_id>5</wp:post_id><wp:status>{status}</wp:status>\
                 <wp:post_password>{password}</wp:post_password><wp:post_type>post</wp:post_type>\
                 <wp:post_date_gmt>2020-01-01 00:00:00</wp:post_date_gmt></item>"
            )
        };
        let x = format!(
            "<rss><channel><wp:wxr_version>1.2</wp:wxr_version><link>https://o.example/blog</link>{}{}{}</channel></rss>",
            item("publish", "secret"),
            item("publish", ""),
            item("trash", "")
        );
        let e = read(&x).unwrap();
        let drafts: Vec<bool> = e.records.iter().map(|r| r.draft).collect();
        assert_eq!(drafts, [true, false]);
        assert_eq!(e.skipped, 1);
        assert_eq!(e.records[1].aliases, ["/blog/?p=5"]);
    }

    #[test]
    fn dates() {
        assert_eq!(
            wp_date("2019-05-04 09:12:00").as_deref(),
            Some("2019-05-04T09:12:00Z")
        );
        assert_eq!(wp_date("0000-00-00 00:00:00"), None);
        assert_eq!(
            rfc2822("Sat, 04 May 2019 09:12:00 +0200").as_deref(),
            Some("2019-05-04T07:12:00Z")
        );
    }
}
