//! URL slugs, in two modes (`slugify` in causerie.toml, as Zola has them):
//! `on` gives ASCII, lowercase, words joined by `-` (non-Latin text is
//! transliterated with deunicode so every URL is plain ASCII); `safe` keeps
//! the text's own letters, so a Persian title stays readable in its URL.

use crate::config::Slugify;

/// The slug of `text` in `mode`.
pub fn make(text: &str, mode: Slugify) -> String {
    match mode {
        Slugify::On => slugify(text),
        Slugify::Safe => safe(text),
    }
}

/// Non-ASCII characters that separate words (punctuation of other
/// scripts, and the zero-width (non-)joiner, which is not a letter).
const SEPARATORS: &[char] = &[
    '\u{200c}', '\u{200d}', '\u{feff}', '«', '»', '“', '”', '‘', '’', '„', '‹', '›', '–', '—', '…',
    '،', '؛', '؟', '٫', '٬', '۔', '।', '॥', '。', '、', '・', '！', '？', '，', '：', '；', '（',
    '）', '【', '】', '《', '》', '「', '」', '『', '』', '·', '¿', '¡', '§', '°',
];

/// `"سلام دنیا!"` → `"سلام-دنیا"`: letters and digits of any script kept
/// (lowercased), every other character a word break.
fn safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        let keep = if c.is_ascii() {
            c.is_ascii_alphanumeric() || ((c == '_' || c == '.') && !out.is_empty())
        } else {
            !(c.is_whitespace() || c.is_control() || SEPARATORS.contains(&c))
        };
        if keep {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    while out.ends_with(['_', '.']) {
        out.pop();
    }
    out
}

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

    #[test]
    fn safe_keeps_the_letters_of_every_script() {
        use super::{Slugify, make};
        let safe = |t| make(t, Slugify::Safe);
        assert_eq!(safe("سلام دنیا!"), "سلام-دنیا");
        assert_eq!(safe("فارسی"), "فارسی");
        assert_eq!(safe("می\u{200c}خواهم بنویسم"), "می-خواهم-بنویسم");
        assert_eq!(safe("«کتاب‌ها»، ۱۴۰۳"), "کتاب-ها-۱۴۰۳");
        assert_eq!(safe("हिन्दी ब्लॉग"), "हिन्दी-ब्लॉग", "vowel signs are kept");
        assert_eq!(safe("Hello, Wörld! C++"), "hello-wörld-c");
        assert_eq!(safe("Привет Мир"), "привет-мир");
        assert_eq!(safe("a/b?c#d"), "a-b-c-d");
        assert_eq!(safe("!!!"), "");
        assert_eq!(make("سلام", Slugify::On), "slm");
    }
}
