//! WordPress shortcodes: the common ones become HTML (or code blocks held
//! aside until the markdown is made, so nothing reformats the code); the
//! others stay as text and are reported, since their output lived in a
//! plugin the new site does not have.

use crate::escape::decode_entities;

/// What the shortcodes of one post need to know.
pub struct Context<'a> {
    /// Attachment URLs by attachment id (`[gallery ids="…"]`).
    pub by_id: &'a dyn Fn(&str) -> Option<String>,
    /// This post's attached images, in document order (`[gallery]`).
    pub attached: Vec<String>,
}

/// A code block taken out of the body: its language and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub lang: String,
    pub text: String,
}

/// The placeholder paragraph that stands for code block `i`.
pub fn placeholder(i: usize) -> String {
    format!("CAUSERIECODEBLOCK{i}X")
}

/// The result of expanding one body.
#[derive(Debug, Default)]
pub struct Expanded {
    pub html: String,
    pub code: Vec<Code>,
    /// Unknown shortcodes: (byte offset in the input, name).
    pub unknown: Vec<(usize, String)>,
}

/// Expands the shortcodes of `html`.
pub fn expand(html: &str, cx: &Context<'_>) -> Expanded {
    let mut out = Expanded {
        html: String::with_capacity(html.len()),
        ..Expanded::default()
    };
    let mut rest = html;
    let mut offset = 0;
    while let Some(i) = rest.find('[') {
        out.html.push_str(&rest[..i]);
        let here = &rest[i..];
        // `[[name]]` is WordPress's escape for a literal `[name]`.
        if here.starts_with("[[")
            && let Some(end) = here.find("]]")
        {
            out.html.push_str(&here[1..end + 1]);
            offset += i + end + 2;
            rest = &here[end + 2..];
            continue;
        }
        match parse_open(here) {
            Some(tag) => {
                let after = &here[tag.len..];
                let close = format!("[/{}]", tag.name);
                let (inner, used) = match after.find(&close) {
                    Some(j) if !tag.self_closing => (Some(&after[..j]), tag.len + j + close.len()),
                    _ => (None, tag.len),
                };
                match render(&tag, inner, cx, &mut out.code) {
                    Some(html) => out.html.push_str(&html),
                    None => {
                        if inner.is_some() || !tag.attrs.is_empty() || tag.self_closing {
                            out.unknown.push((offset + i, tag.name.clone()));
                        }
                        out.html.push_str(&here[..used]);
                    }
                }
                offset += i + used;
                rest = &here[used..];
            }
            None => {
                out.html.push('[');
                offset += i + 1;
                rest = &here[1..];
            }
        }
    }
    out.html.push_str(rest);
    out
}

struct Open {
    name: String,
    attrs: Vec<(String, String)>,
    self_closing: bool,
    /// Bytes of the opening tag.
    len: usize,
}

/// `[name a="b" c=d e]` at the start of `s`.
fn parse_open(s: &str) -> Option<Open> {
    let body = &s[1..];
    let end = body.find([']', '[', '\n'])?;
    if body.as_bytes().get(end) != Some(&b']') {
        return None;
    }
    let inside = &body[..end];
    let name_len = inside
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(inside.len());
    let name = &inside[..name_len];
    if name.is_empty() || !name.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    let mut tail = inside[name_len..].trim();
    if !tail.is_empty() && !inside[name_len..].starts_with(char::is_whitespace) && tail != "/" {
        return None;
    }
    let self_closing = tail.ends_with('/');
    tail = tail.trim_end_matches('/');
    Some(Open {
        name: name.to_ascii_lowercase(),
        attrs: attrs(tail),
        self_closing,
        len: end + 2,
    })
}

/// `a="b" c='d' e=f g` → pairs (a bare value gets an empty key).
fn attrs(mut s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    loop {
        s = s.trim_start();
        if s.is_empty() {
            return out;
        }
        let key_end = s
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(s.len());
        let key = s[..key_end].to_ascii_lowercase();
        s = &s[key_end..];
        if let Some(v) = s.strip_prefix('=') {
            let (val, rest) = match v.chars().next() {
                Some(q @ ('"' | '\'' | '\u{201d}' | '\u{2033}')) => {
                    let v = &v[q.len_utf8()..];
                    let e = v.find([q, '"', '\u{201d}', '\u{2033}']).unwrap_or(v.len());
                    let close = v[e..].chars().next().map(char::len_utf8).unwrap_or(0);
                    (&v[..e], &v[e + close..])
                }
                _ => {
                    let e = v.find(char::is_whitespace).unwrap_or(v.len());
                    (&v[..e], &v[e..])
                }
            };
            out.push((key, decode_entities(val)));
            s = rest;
        } else {
            out.push((String::new(), key));
        }
    }
}

fn attr<'t>(tag: &'t Open, names: &[&str]) -> Option<&'t str> {
    names.iter().find_map(|n| {
        tag.attrs
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
    })
}

fn render(
    tag: &Open,
    inner: Option<&str>,
    cx: &Context<'_>,
    code: &mut Vec<Code>,
) -> Option<String> {
    let esc = crate::escape::escape;
    Some(match tag.name.as_str() {
        "caption" | "wp_caption" => {
            let inner = inner.unwrap_or("");
            // The image (often inside a link) comes first, the caption text after it.
            let split = inner.rfind('>').map(|j| j + 1).unwrap_or(0);
            let (media, text) = inner.split_at(split);
            let text = match attr(tag, &["caption"]) {
                Some(c) if text.trim().is_empty() => c.to_string(),
                _ => text.trim().to_string(),
            };
            format!("<figure>{media}<figcaption>{text}</figcaption></figure>")
        }
        "gallery" => {
            let urls: Vec<String> = match attr(tag, &["ids", "include"]) {
                Some(ids) => ids
                    .split(',')
                    .filter_map(|id| (cx.by_id)(id.trim()))
                    .collect(),
                None => cx.attached.clone(),
            };
            urls.iter()
                .map(|u| format!("\n<p><img src=\"{}\" alt=\"\"></p>\n", esc(u)))
                .collect()
        }
        "embed" => {
            let url = inner
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .or_else(|| attr(tag, &["src", "url"]))?;
            let url = decode_entities(url);
            format!("\n<p><a href=\"{0}\">{0}</a></p>\n", esc(&url))
        }
        "code" | "sourcecode" | "source" => {
            let text = decode_entities(inner?.trim_matches('\n'));
            let lang = attr(tag, &["language", "lang", ""]).unwrap_or("");
            let lang = lang
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '#' | '_'))
                .collect::<String>()
                .to_ascii_lowercase();
            code.push(Code { lang, text });
            format!("\n\n<p>{}</p>\n\n", placeholder(code.len() - 1))
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(html: &str) -> Expanded {
        let by_id = |id: &str| {
            (id == "7").then(|| "https://old.example/wp-content/uploads/a.jpg".to_string())
        };
        expand(
            html,
            &Context {
                by_id: &by_id,
                attached: vec!["https://old.example/b.png".into()],
            },
        )
    }

    #[test]
    fn caption_gallery_embed_code() {
        let e = run("[caption id=\"x\" align=\"alignleft\"]<img src=\"i.jpg\"> The sea[/caption]");
        assert_eq!(
            e.html,
            "<figure><img src=\"i.jpg\"><figcaption>The sea</figcaption></figure>"
        );
        let e = run("[gallery ids=\"7\"] [gallery]");
        assert!(
            e.html.contains("uploads/a.jpg") && e.html.contains("b.png"),
            "{}",
            e.html
        );
        let e = run("[embed]https://video.example/v?a=1&amp;b=2[/embed]");
        assert!(
            e.html
                .contains("href=\"https://video.example/v?a=1&amp;b=2\""),
            "{}",
            e.html
        );
        let e = run("x [code language=\"python\"]if a &lt; b:\n    pass[/code] y");
        assert_eq!(
            e.code,
            [Code {
                lang: "python".into(),
                text: "if a < b:\n    pass".into()
            }]
        );
        assert!(e.html.contains(&placeholder(0)));
    }

    #[test]
    fn unknown_and_plain_brackets() {
        let e = run("see [1] and [sic] but [contact-form-7 id=\"3\"] and [[gallery]]");
        assert_eq!(e.unknown, [(22, "contact-form-7".to_string())]);
        assert!(e.html.ends_with("and [gallery]"), "{}", e.html);
        assert!(e.html.contains("[1] and [sic]"));
    }
}
