//! WordPress's `wpautop` for classic (pre-block-editor) posts: their stored
//! HTML has no `<p>`; WordPress adds paragraphs at display time from blank
//! lines, and `<br>` from single newlines. Without this a classic post would
//! become one run-on paragraph.
//!
//! A simplified, faithful-enough version: blocks that already start with a
//! block-level tag are left as they are, and `<pre>` is never touched.

const BLOCK: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Adds `<p>` and `<br />` to a classic post's HTML.
pub fn autop(html: &str) -> String {
    let text = html.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    // Split around <pre>…</pre> so preformatted text keeps its newlines.
    let mut rest = text.as_str();
    while let Some(start) = find_ci(rest, "<pre") {
        paragraphs(&rest[..start], &mut out);
        let end = find_ci(&rest[start..], "</pre>")
            .map(|e| start + e + 6)
            .unwrap_or(rest.len());
        out.push_str(&rest[start..end]);
        out.push('\n');
        rest = &rest[end..];
    }
    paragraphs(rest, &mut out);
    out
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn paragraphs(text: &str, out: &mut String) {
    let mut block = String::new();
    let flush = |block: &mut String, out: &mut String| {
        let b = block.trim();
        if !b.is_empty() {
            if starts_block(b) {
                out.push_str(b);
            } else {
                out.push_str("<p>");
                let lines: Vec<&str> = b.lines().map(str::trim_end).collect();
                out.push_str(&lines.join("<br />"));
                out.push_str("</p>");
            }
            out.push('\n');
        }
        block.clear();
    };
    for line in text.split('\n') {
        if line.trim().is_empty() {
            flush(&mut block, out);
        } else {
            block.push_str(line);
            block.push('\n');
        }
    }
    flush(&mut block, out);
}

fn starts_block(b: &str) -> bool {
    let Some(tag) = b.strip_prefix('<') else {
        return false;
    };
    let tag = tag.trim_start_matches('/');
    let name: String = tag
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    BLOCK.contains(&name.as_str())
}

#[cfg(test)]
mod tests {
    use super::autop;

    #[test]
    fn blank_lines_make_paragraphs_and_newlines_breaks() {
        assert_eq!(
            autop("One\ntwo\n\nThree\r\n\r\n<ul><li>x</li></ul>\n\n<pre>a\n\nb</pre>"),
            "<p>One<br />two</p>\n<p>Three</p>\n<ul><li>x</li></ul>\n<pre>a\n\nb</pre>\n"
        );
    }
}
