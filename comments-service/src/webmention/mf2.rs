//! A microformats2 parser for what a Webmention needs, built on html5ever
//! (through `scraper`). It follows the mf2 parsing algorithm for root
//! classes, `p-`/`u-`/`dt-`/`e-` properties, nested items and the implied
//! `name`, `photo` and `url`; it leaves out the value-class pattern's finer
//! date joining and `rel` parsing, which Webmention display does not use.
//! (The one maintained Rust mf2 crate is LGPL; this keeps the binary MIT/Apache.)

use std::collections::BTreeMap;

use scraper::{ElementRef, Html};
use url::Url;

/// One microformats2 item (`h-entry`, `h-card`, `h-cite` …).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Item {
    /// Root class names, e.g. `h-entry`.
    pub types: Vec<String>,
    /// Property name (without prefix) to its values, in document order.
    pub props: BTreeMap<String, Vec<Value>>,
    /// Items nested without a property.
    pub children: Vec<Item>,
}

/// A property value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `p-` and `dt-` values, and `u-` values (resolved URLs).
    Text(String),
    /// An `e-` value: the inner HTML and its text.
    Html { html: String, text: String },
    /// A nested item that is also a property value, with its plain value.
    Item(Box<Item>, String),
}

impl Value {
    /// The plain value (text, URL, or a nested item's value).
    pub fn as_str(&self) -> &str {
        match self {
            Value::Text(s) => s,
            Value::Html { text, .. } => text,
            Value::Item(_, v) => v,
        }
    }
}

impl Item {
    /// Whether the item has root class `t` (e.g. `h-entry`).
    pub fn is(&self, t: &str) -> bool {
        self.types.iter().any(|x| x == t)
    }

    /// The first value of property `name`.
    pub fn first(&self, name: &str) -> Option<&Value> {
        self.props.get(name).and_then(|v| v.first())
    }

    /// The first plain value of property `name`.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.first(name)
            .map(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// Every plain value of `name`, including a nested item's `url`.
    pub fn urls(&self, name: &str) -> Vec<&str> {
        let mut out = Vec::new();
        for v in self.props.get(name).into_iter().flatten() {
            out.push(v.as_str());
            if let Value::Item(item, _) = v {
                out.extend(
                    item.props
                        .get("url")
                        .into_iter()
                        .flatten()
                        .map(Value::as_str),
                );
            }
        }
        let mut seen = Vec::new();
        out.retain(|u| {
            let new = !seen.contains(u);
            seen.push(*u);
            new
        });
        out
    }
}

/// Every top-level item of the document at `base`.
pub fn parse(html: &str, base: &Url) -> Vec<Item> {
    let doc = Html::parse_document(html);
    let mut items = Vec::new();
    find_roots(doc.root_element(), base, &mut items, 0);
    items
}

/// The first `h-entry` in the document, at the top level or nested (e.g. in an `h-feed`).
pub fn first_entry(items: &[Item]) -> Option<&Item> {
    for item in items {
        if item.is("h-entry") {
            return Some(item);
        }
        if let Some(found) = first_entry(&item.children) {
            return Some(found);
        }
    }
    None
}

/// Markup nested deeper than this is not read: a hostile page of endless
/// `<div>`s must not exhaust a worker's stack.
const MAX_DEPTH: usize = 200;

fn find_roots(el: ElementRef<'_>, base: &Url, out: &mut Vec<Item>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    for child in el.child_elements() {
        if root_classes(&child).is_empty() {
            find_roots(child, base, out, depth + 1);
        } else {
            out.push(parse_item(child, base, depth + 1));
        }
    }
}

/// `h-*` class names, valid per mf2 (`h-` then lowercase words).
fn root_classes(el: &ElementRef<'_>) -> Vec<String> {
    prefixed(el, "h-")
}

fn prefixed(el: &ElementRef<'_>, prefix: &str) -> Vec<String> {
    let mut v: Vec<String> = el
        .value()
        .classes()
        .filter_map(|c| c.strip_prefix(prefix))
        .filter(|name| {
            !name.is_empty()
                && name.split('-').all(|w| !w.is_empty())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
        .map(str::to_string)
        .collect();
    v.sort();
    v.dedup();
    v
}

fn parse_item(el: ElementRef<'_>, base: &Url, depth: usize) -> Item {
    let mut item = Item {
        types: root_classes(&el)
            .into_iter()
            .map(|n| format!("h-{n}"))
            .collect(),
        ..Item::default()
    };
    let mut explicit = Explicit::default();
    collect_props(el, base, &mut item, &mut explicit, depth);
    imply(el, base, &mut item, &explicit);
    item
}

/// Which kinds of explicit properties an item had (the implied rules need it).
#[derive(Default)]
struct Explicit {
    p_or_e: bool,
    u: bool,
    nested: bool,
}

fn collect_props(
    el: ElementRef<'_>,
    base: &Url,
    item: &mut Item,
    explicit: &mut Explicit,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    for child in el.child_elements() {
        let p = prefixed(&child, "p-");
        let u = prefixed(&child, "u-");
        let dt = prefixed(&child, "dt-");
        let e = prefixed(&child, "e-");
        explicit.p_or_e |= !p.is_empty() || !e.is_empty();
        explicit.u |= !u.is_empty();
        if !root_classes(&child).is_empty() {
            explicit.nested = true;
            let nested = parse_item(child, base, depth + 1);
            if p.is_empty() && u.is_empty() && dt.is_empty() && e.is_empty() {
                item.children.push(nested);
                continue;
            }
            for name in &p {
                let v = nested
                    .text("name")
                    .map(str::to_string)
                    .unwrap_or_else(|| text_of(child));
                push(item, name, Value::Item(Box::new(nested.clone()), v));
            }
            for name in &u {
                let v = nested
                    .text("url")
                    .map(str::to_string)
                    .unwrap_or_else(|| u_value(child, base));
                push(item, name, Value::Item(Box::new(nested.clone()), v));
            }
            for name in dt.iter().chain(&e) {
                let v = text_of(child);
                push(item, name, Value::Item(Box::new(nested.clone()), v));
            }
            continue;
        }
        for name in &p {
            push(item, name, Value::Text(p_value(child)));
        }
        for name in &u {
            push(item, name, Value::Text(u_value(child, base)));
        }
        for name in &dt {
            push(item, name, Value::Text(dt_value(child)));
        }
        for name in &e {
            push(
                item,
                name,
                Value::Html {
                    html: child.inner_html().trim().to_string(),
                    text: text_of(child),
                },
            );
        }
        collect_props(child, base, item, explicit, depth + 1);
    }
}

fn push(item: &mut Item, name: &str, value: Value) {
    item.props.entry(name.to_string()).or_default().push(value);
}

fn attr<'a>(el: ElementRef<'a>, name: &str) -> Option<&'a str> {
    el.value().attr(name)
}

fn tag(el: ElementRef<'_>) -> &str {
    el.value().name()
}

/// Text content with whitespace squeezed; `<img alt>` stands for the image.
fn text_of(el: ElementRef<'_>) -> String {
    let mut out = String::new();
    text_into(el, &mut out);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Iterative (a deep tree must not exhaust the stack); skips script and
/// style text.
fn text_into(el: ElementRef<'_>, out: &mut String) {
    let mut stack: Vec<_> = el.children().collect();
    stack.reverse();
    while let Some(node) = stack.pop() {
        if let Some(t) = node.value().as_text() {
            out.push_str(t);
        } else if let Some(child) = ElementRef::wrap(node) {
            match tag(child) {
                "script" | "style" | "template" => {}
                "img" => {
                    if let Some(alt) = attr(child, "alt") {
                        out.push(' ');
                        out.push_str(alt);
                        out.push(' ');
                    }
                }
                _ => {
                    let at = stack.len();
                    stack.extend(child.children());
                    stack[at..].reverse();
                }
            }
        }
    }
}

fn p_value(el: ElementRef<'_>) -> String {
    match tag(el) {
        "abbr" | "link" => attr(el, "title").map(str::to_string),
        "data" | "input" => attr(el, "value").map(str::to_string),
        "img" | "area" => attr(el, "alt").map(str::to_string),
        _ => None,
    }
    .unwrap_or_else(|| text_of(el))
    .trim()
    .to_string()
}

fn u_value(el: ElementRef<'_>, base: &Url) -> String {
    let raw = match tag(el) {
        "a" | "area" | "link" => attr(el, "href"),
        "img" | "audio" | "video" | "source" | "iframe" => attr(el, "src"),
        "object" => attr(el, "data"),
        "abbr" => attr(el, "title"),
        "data" | "input" => attr(el, "value"),
        _ => None,
    };
    match raw {
        Some(r) => resolve(base, r),
        None => text_of(el),
    }
}

fn dt_value(el: ElementRef<'_>) -> String {
    match tag(el) {
        "time" | "ins" | "del" => attr(el, "datetime"),
        "abbr" => attr(el, "title"),
        "data" | "input" => attr(el, "value"),
        _ => None,
    }
    .map(str::to_string)
    .unwrap_or_else(|| text_of(el))
    .trim()
    .to_string()
}

fn resolve(base: &Url, raw: &str) -> String {
    base.join(raw.trim())
        .map(|u| u.to_string())
        .unwrap_or_else(|_| raw.trim().to_string())
}

/// The only child element, if there is exactly one (text aside).
fn only_child(el: ElementRef<'_>) -> Option<ElementRef<'_>> {
    let mut kids = el.child_elements();
    let first = kids.next()?;
    kids.next().is_none().then_some(first)
}

/// The implied `name`, `photo` and `url` of mf2 §1.3.
fn imply(el: ElementRef<'_>, base: &Url, item: &mut Item, explicit: &Explicit) {
    if !item.props.contains_key("name") && !explicit.p_or_e && !explicit.nested {
        let name = match tag(el) {
            "img" | "area" => attr(el, "alt").map(str::to_string),
            "abbr" => attr(el, "title").map(str::to_string),
            _ => only_child(el)
                .filter(|c| matches!(tag(*c), "img" | "area"))
                .and_then(|c| attr(c, "alt").map(str::to_string))
                .filter(|alt| !alt.trim().is_empty()),
        }
        .unwrap_or_else(|| text_of(el));
        if !name.is_empty() {
            push(item, "name", Value::Text(name));
        }
    }
    if !item.props.contains_key("photo") && !explicit.u {
        let photo = match tag(el) {
            "img" => attr(el, "src"),
            "object" => attr(el, "data"),
            _ => only_child(el).and_then(|c| match tag(c) {
                "img" => attr(c, "src"),
                "object" => attr(c, "data"),
                _ => None,
            }),
        };
        if let Some(p) = photo {
            push(item, "photo", Value::Text(resolve(base, p)));
        }
    }
    if !item.props.contains_key("url") && !explicit.u {
        let url = match tag(el) {
            "a" | "area" => attr(el, "href"),
            _ => only_child(el)
                .filter(|c| matches!(tag(*c), "a" | "area"))
                .and_then(|c| attr(c, "href")),
        };
        if let Some(u) = url {
            push(item, "url", Value::Text(resolve(base, u)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://alice.example/notes/1").unwrap()
    }

    #[test]
    fn parses_a_reply_with_a_nested_author_card() {
        let html = r#"<html><body><div class="h-feed"><article class="h-entry">
          <a class="p-author h-card" href="/"><img src="/me.jpg" alt="">Alice Example</a>
          <a class="u-in-reply-to" href="https://bob.example/post">Bob's post</a>
          <div class="e-content"><p>Great <b>post</b>!</p></div>
          <time class="dt-published" datetime="2026-11-20T10:00:00Z">Nov 20</time>
          <a class="u-url" href="/notes/1">permalink</a>
        </article></div></body></html>"#;
        let items = parse(html, &base());
        let entry = first_entry(&items).expect("an h-entry inside the h-feed");
        assert_eq!(entry.urls("in-reply-to"), ["https://bob.example/post"]);
        assert_eq!(entry.text("published"), Some("2026-11-20T10:00:00Z"));
        assert_eq!(entry.text("url"), Some("https://alice.example/notes/1"));
        match entry.first("content") {
            Some(Value::Html { html, text }) => {
                assert_eq!(html, "<p>Great <b>post</b>!</p>");
                assert_eq!(text, "Great post!");
            }
            other => panic!("content: {other:?}"),
        }
        let Some(Value::Item(card, value)) = entry.first("author") else {
            panic!("author is an h-card");
        };
        assert_eq!(value, "Alice Example");
        assert_eq!(card.text("url"), Some("https://alice.example/"));
        assert_eq!(card.text("photo"), Some("https://alice.example/me.jpg"));
        // The entry has explicit properties: no implied name from its whole text.
        assert_eq!(entry.text("name"), None);
    }

    #[test]
    fn implied_properties_of_a_minimal_card() {
        let html =
            r#"<a class="h-card" href="https://c.example/"><img src="c.png" alt="Carol"></a>"#;
        let items = parse(html, &base());
        assert_eq!(items[0].text("name"), Some("Carol"));
        assert_eq!(
            items[0].text("photo"),
            Some("https://alice.example/notes/c.png")
        );
        assert_eq!(items[0].text("url"), Some("https://c.example/"));
    }

    #[test]
    fn like_and_repost_of_nested_citations() {
        let html = r#"<div class="h-entry"><div class="u-like-of h-cite"><a class="u-url" href="https://t.example/a">A</a></div>
            <a class="u-repost-of" href="https://t.example/b">B</a></div>"#;
        let items = parse(html, &base());
        let e = first_entry(&items).unwrap();
        assert_eq!(e.urls("like-of"), ["https://t.example/a"]);
        assert_eq!(e.urls("repost-of"), ["https://t.example/b"]);
    }

    #[test]
    fn invalid_class_names_are_not_microformats() {
        let items = parse(
            r#"<div class="h-Entry h- h-entry-"><p class="p-name">x</p></div>"#,
            &base(),
        );
        assert!(items.is_empty(), "{items:?}");
    }

    #[test]
    fn deep_nesting_does_not_exhaust_the_stack() {
        let deep = format!(
            r#"<div class="h-entry"><p class="p-name">x</p>{}<a class="u-like-of" href="https://t.example/">t</a></div>"#,
            "<div class=\"p-x\">".repeat(20_000)
        );
        let handle = std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(move || parse(&deep, &Url::parse("https://a.example/").unwrap()))
            .unwrap();
        let items = handle.join().expect("no stack overflow");
        assert_eq!(items[0].text("name"), Some("x"));
    }

    #[test]
    fn script_text_is_not_content() {
        let items = parse(
            r#"<div class="h-entry"><div class="p-name">Hi<script>alert(1)</script></div></div>"#,
            &base(),
        );
        assert_eq!(items[0].text("name"), Some("Hi"));
    }
}
