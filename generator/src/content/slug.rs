//! URL slugs: ASCII, lowercase, words joined by `-` (non-Latin text is
//! transliterated with deunicode so every URL is plain ASCII).

/// `"Hello, Wörld!"` → `"hello-world"`.
pub fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text);
    let mut out = String::with_capacity(ascii.len());
    let mut dash = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else if c == '_' || c == '.' {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            if !out.is_empty() {
                out.push(c);
            }
        } else {
            dash = true;
        }
    }
    while out.ends_with(['_', '.']) {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn cases() {
        assert_eq!(slugify("Hello, Wörld!"), "hello-world");
        assert_eq!(slugify("  rust  2024 "), "rust-2024");
        assert_eq!(slugify("C++"), "c");
        assert_eq!(slugify("static-sites"), "static-sites");
        assert_eq!(slugify("سلام"), "slm");
        assert_eq!(slugify("!!!"), "");
    }
}
