//! Where a template's block tags stop matching.
//!
//! Tera reports an unclosed `{% if %}` where its parser gives up: at the
//! next `{% endblock %}`, often the last line, as "Unknown tag". When tera
//! rejects the templates, this scan finds the tag that was opened and never
//! closed (or an `end` tag that closes nothing) so the message names the
//! line the author has to fix.

use crate::theme::Template;

/// Tags that need an `end<tag>`.
const PAIRED: [&str; 6] = ["if", "for", "block", "filter", "macro", "component"];

/// One `{% … %}` tag: its first word and its 1-based line.
struct Tag<'a> {
    name: &'a str,
    line: usize,
}

/// The block tags of `text`, in order, skipping comments and `raw` sections.
fn tags(text: &str) -> Vec<Tag<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    let mut raw = false;
    while let Some(i) = rest.find("{%").into_iter().chain(rest.find("{#")).min() {
        let comment = rest[i..].starts_with("{#");
        let close = if comment { "#}" } else { "%}" };
        let Some(end) = rest[i + 2..].find(close).map(|e| i + 2 + e) else {
            break;
        };
        let inner = &rest[i + 2..end];
        let line = 1 + text[..offset + i].matches('\n').count();
        if !comment {
            let name = inner
                .trim_matches(|c: char| c == '-' || c.is_whitespace())
                .split(|c: char| c.is_whitespace() || c == '(')
                .next()
                .unwrap_or("");
            if raw {
                raw = name != "endraw";
            } else if name == "raw" {
                raw = true;
            } else if !name.is_empty() {
                out.push(Tag { name, line });
            }
        }
        offset += end + 2;
        rest = &rest[end + 2..];
    }
    out
}

/// The first mismatch in `t`: a tag left open, or an end tag that closes
/// nothing open. `(line, message)`.
pub fn mismatch(t: &Template) -> Option<(usize, String)> {
    let mut open: Vec<Tag<'_>> = Vec::new();
    for tag in tags(&t.text) {
        if PAIRED.contains(&tag.name) {
            open.push(tag);
        } else if let Some(closed) = tag.name.strip_prefix("end").filter(|n| PAIRED.contains(n)) {
            match open.pop() {
                Some(o) if o.name == closed => {}
                Some(o) => {
                    return Some((
                        o.line,
                        format!(
                            "`{{% {} %}}` is not closed: `{{% end{} %}}` is missing before the `{{% {} %}}` on line {}",
                            o.name, o.name, tag.name, tag.line
                        ),
                    ));
                }
                None => {
                    return Some((
                        tag.line,
                        format!("`{{% {} %}}` closes nothing that is open", tag.name),
                    ));
                }
            }
        }
    }
    open.pop().map(|o| {
        (
            o.line,
            format!(
                "`{{% {} %}}` is not closed: `{{% end{} %}}` is missing",
                o.name, o.name
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tpl(text: &str) -> Template {
        Template {
            name: "post.html".into(),
            text: text.into(),
            origin: "templates/post.html".into(),
        }
    }

    #[test]
    fn an_unclosed_if_is_found_at_its_own_line() {
        let mut text = String::from(
            "{% extends \"base.html\" %}\n{% block main %}\n<p>a</p>\n<p>b</p>\n{%- if x %}\n",
        );
        for i in 0..30 {
            text.push_str(&format!("<p>{i}</p>\n"));
        }
        text.push_str("{% endblock main %}\n");
        let (line, msg) = mismatch(&tpl(&text)).unwrap();
        assert_eq!(line, 5);
        assert!(msg.starts_with("`{% if %}` is not closed"), "{msg}");
        assert!(msg.contains("line 36"), "{msg}");
    }

    #[test]
    fn balanced_templates_comments_and_raw_pass() {
        let text = "{# {% if %} #}{% raw %}{% for %}{% endraw %}{% for a in b %}{% if a %}x{% else %}y{% endif %}{% endfor %}{% set z = 1 %}";
        assert_eq!(mismatch(&tpl(text)), None);
        assert_eq!(
            mismatch(&tpl("a\n{% endif %}")).map(|m| m.0),
            Some(2),
            "a stray end tag is named at its line"
        );
        assert_eq!(mismatch(&tpl("{% for x in y %}\n")).map(|m| m.0), Some(1));
    }
}
