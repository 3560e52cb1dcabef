//! Syntax highlighting of fenced code blocks with arborium (tree-sitter),
//! emitted as `<span class="hl-keyword">…` so the theme's CSS can colour it
//! for light and dark. One highlighter per thread, one grammar store shared.

use arborium::{Config, GrammarStore, Highlighter, HtmlFormat};
use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

static STORE: OnceLock<Arc<GrammarStore>> = OnceLock::new();

thread_local! {
    static HL: RefCell<Highlighter> = RefCell::new(Highlighter::with_store_and_config(
        store().clone(),
        Config {
            // Injections (doc comments, regexes in strings) double the cost
            // of a Rust block for little gain in a blog post.
            max_injection_depth: 0,
            html_format: HtmlFormat::ClassNamesWithPrefix("hl".into()),
        },
    ));
}

fn store() -> &'static Arc<GrammarStore> {
    STORE.get_or_init(|| Arc::new(GrammarStore::new()))
}

/// Compiles the grammars of `langs` in parallel before the markdown stage,
/// so two threads never compile the same grammar at once (compiling the
/// Rust queries alone takes ~100 ms).
pub fn prepare<'a>(langs: impl IntoIterator<Item = &'a str>) {
    use rayon::prelude::*;
    let mut v: Vec<String> = langs.into_iter().map(|l| l.to_ascii_lowercase()).collect();
    v.sort();
    v.dedup();
    v.par_iter().for_each(|l| {
        store().get(l);
    });
}

/// Highlighted HTML of `code` in `lang`, or `None` when the language is
/// unknown (the caller then escapes the code as it is).
pub fn highlight(lang: &str, code: &str) -> Option<String> {
    if lang.is_empty() {
        return None;
    }
    HL.with(|h| {
        h.borrow_mut()
            .highlight(&lang.to_ascii_lowercase(), code)
            .ok()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn rust_gets_classes_and_unknown_is_none() {
        let html = super::highlight("rust", "fn main() { let x = \"<b>\"; }").unwrap();
        assert!(html.contains("class=\"hl-keyword\""), "{html}");
        assert!(html.contains("&lt;b&gt;"), "{html}");
        assert!(super::highlight("no-such-language", "x").is_none());
    }
}
