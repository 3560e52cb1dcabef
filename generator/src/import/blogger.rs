//! Blogger exports (an Atom feed) into [`Record`]s, in both forms: the
//! classic "Back up content" export, where an entry's kind is a
//! `<category scheme="http://schemas.google.com/g/2005#kind">` and drafts
//! carry `<app:control><app:draft>yes`, and the Takeout form, with
//! `<blogger:type>`, `<blogger:status>` and `<blogger:filename>`.
//!
//! Settings, templates and comments are skipped (comments are
//! `causerie-comments import`'s part). Text is taken as it is: a Persian
//! blog's words reach the markdown byte for byte.

use super::xml::{self, Elem, Spec, XmlError};
use super::{BodyFormat, Export, Record};
use crate::content::Kind;

const SPEC: Spec<'static> = Spec {
    root: "feed",
    record: "entry",
    skip: &[],
};

const KIND_SCHEME: &str = "http://schemas.google.com/g/2005#kind";

/// Reads a whole Blogger export.
pub fn read(text: &str) -> Result<Export, XmlError> {
    let mut records = Vec::new();
    let mut skipped = 0usize;
    let mut old_site = String::new();
    let root = xml::read(text, &SPEC, |entry| {
        match record(&entry) {
            Some(r) => {
                if old_site.is_empty() {
                    old_site = alternate(&entry)
                        .and_then(|u| url::Url::parse(u).ok())
                        .map(|u| u.origin().ascii_serialization())
                        .unwrap_or_default();
                }
                records.push(r)
            }
            None => skipped += 1,
        }
        Ok(())
    })?;
    if root.local() != "feed" {
        return Err(XmlError {
            offset: 0,
            message: "not a Blogger export: the root is not an Atom <feed>".into(),
        });
    }
    Ok(Export {
        records,
        attachments: Vec::new(),
        skipped,
        old_site,
    })
}

fn kind_of(entry: &Elem) -> Option<&str> {
    if let Some(t) = entry
        .child_local("type")
        .filter(|t| t.name.contains("blogger"))
    {
        return Some(match t.text.trim() {
            "POST" => "post",
            "PAGE" => "page",
            _ => "other",
        });
    }
    entry
        .children
        .iter()
        .filter(|c| c.local() == "category" && c.attr("scheme") == Some(KIND_SCHEME))
        .find_map(|c| c.attr("term"))
        .map(|t| t.rsplit('#').next().unwrap_or(t))
}

fn alternate(entry: &Elem) -> Option<&str> {
    entry
        .children
        .iter()
        .find(|c| c.local() == "link" && c.attr("rel") == Some("alternate"))
        .and_then(|c| c.attr("href"))
}

fn record(entry: &Elem) -> Option<Record> {
    let kind = match kind_of(entry)? {
        "post" => Kind::Post,
        "page" => Kind::Page,
        _ => return None,
    };
    let status = entry
        .child_local("status")
        .map(|s| s.text.trim())
        .unwrap_or("");
    if matches!(status, "DELETED" | "SOFT_TRASHED") {
        return None;
    }
    let draft = status == "DRAFT"
        || entry
            .child_local("control")
            .and_then(|c| c.child_local("draft"))
            .is_some_and(|d| d.text.trim() == "yes");
    let mut tags = Vec::new();
    for c in entry.children.iter().filter(|c| c.local() == "category") {
        let scheme = c.attr("scheme").unwrap_or("");
        if scheme == KIND_SCHEME {
            continue;
        }
        if let Some(t) = c.attr("term").map(str::trim)
            && !t.is_empty()
            && !tags.iter().any(|x| x == t)
        {
            tags.push(t.to_string());
        }
    }
    // The old address: the alternate link, or Takeout's file name.
    let path = alternate(entry).and_then(super::site_path).or_else(|| {
        entry
            .child_local("filename")
            .map(|f| f.text.trim().to_string())
            .filter(|f| f.starts_with('/'))
    });
    let slug = path
        .as_deref()
        .and_then(|p| p.rsplit('/').next())
        .map(|n| n.trim_end_matches(".html").to_string())
        .unwrap_or_default();
    let content = entry.child_local("content");
    let date = [entry.child_local("published"), entry.child_local("updated")]
        .into_iter()
        .flatten()
        .find_map(|d| atom_date(&d.text));
    let updated = entry
        .child_local("updated")
        .and_then(|d| atom_date(&d.text))
        .filter(|u| Some(u) != date.as_ref());
    let id = entry
        .child_local("id")
        .map(|i| i.text.trim())
        .unwrap_or("")
        .rsplit(['-', '.'])
        .next()
        .unwrap_or("")
        .to_string();
    Some(Record {
        kind,
        id,
        title: entry
            .child_local("title")
            .map(|t| t.text.trim().to_string())
            .unwrap_or_default(),
        slug,
        date,
        updated,
        draft,
        tags,
        categories: Vec::new(),
        summary: None,
        comments_closed: false,
        aliases: path.into_iter().collect(),
        html: content.map(|c| c.text.clone()).unwrap_or_default(),
        format: BodyFormat::Html,
        line: entry.line,
        body_line: content.map(|c| c.line).unwrap_or(entry.line),
    })
}

/// An Atom date (`2019-05-04T11:12:00.000+02:00`) in UTC, to the second.
fn atom_date(s: &str) -> Option<String> {
    let ts: jiff::Timestamp = s.trim().parse().ok()?;
    Some(super::utc(ts))
}

#[cfg(test)]
mod tests {
    #[test]
    fn atom_dates_in_utc() {
        assert_eq!(
            super::atom_date("2019-05-04T11:12:00.000+02:00").as_deref(),
            Some("2019-05-04T09:12:00Z")
        );
    }
}
