//! The service's one HTML/XML escaper, for text it writes into markup itself
//! (its own pages, XML-RPC answers, Webmention excerpts), and the one reading
//! of XML references, for what it reads (XML-RPC calls, imported exports).

/// Escapes text for HTML or XML content and quoted attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The character an XML reference stands for: the five predefined entities
/// and character references. Anything else would need a DTD, which is never
/// read, so it stays unresolved (`None`).
pub fn xml_reference(r: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    match r.as_ref() {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => r.resolve_char_ref().ok().flatten(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_markup_character_is_escaped() {
        assert_eq!(
            super::escape(r#"<a href="x" title='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }
}
