//! Syntax highlighting of fenced code blocks: tree-sitter grammars and
//! highlight queries from arborium, emitted as `<span class="hl-keyword">…`
//! so the theme's CSS colours them for light and dark.
//!
//! We drive tree-sitter directly rather than through arborium's
//! `Highlighter`: its span list allocates a `String` per capture and is
//! sorted afterwards, which was half of the highlighting time. Here each
//! capture name is mapped once, per grammar, to one of our classes (or to
//! nothing, and the capture is disabled so the query does less work), and
//! the HTML is written in one pass over the captures, which tree-sitter
//! yields in document order.

use arborium::tree_sitter::{
    CaptureQuantifier, Language, Parser, Query, QueryCursor, StreamingIterator,
};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use crate::escape::escape_into;

/// A compiled grammar and query, with a class per capture index.
struct Grammar {
    language: Language,
    query: Query,
    classes: Vec<Option<&'static str>>,
}

type Slot = OnceLock<Option<Grammar>>;

/// One slot per supported language, compiled on first use (once, even when
/// several threads ask at the same time).
fn slots() -> &'static HashMap<&'static str, Slot> {
    static SLOTS: OnceLock<HashMap<&'static str, Slot>> = OnceLock::new();
    SLOTS.get_or_init(|| {
        [
            "rust",
            "python",
            "javascript",
            "bash",
            "json",
            "toml",
            "css",
            "html",
            "c",
            "go",
            "yaml",
            "diff",
            "sql",
        ]
        .into_iter()
        .map(|l| (l, OnceLock::new()))
        .collect()
    })
}

/// The canonical name of a fence's language, if we have a grammar for it.
fn canonical(lang: &str) -> Option<&'static str> {
    let l = lang.to_ascii_lowercase();
    let name = match l.as_str() {
        "rust" | "rs" => "rust",
        "python" | "py" | "python3" => "python",
        "javascript" | "js" | "jsx" | "mjs" | "cjs" | "node" => "javascript",
        "bash" | "sh" | "shell" | "zsh" | "console" | "shell-session" => "bash",
        "json" | "jsonc" | "json5" => "json",
        "toml" => "toml",
        "css" => "css",
        "html" | "htm" | "xhtml" => "html",
        "c" | "h" => "c",
        "go" | "golang" => "go",
        "yaml" | "yml" => "yaml",
        "diff" | "patch" => "diff",
        "sql" => "sql",
        _ => return None,
    };
    Some(name)
}

fn source(name: &str) -> Option<(Language, &'static str)> {
    use arborium as a;
    Some(match name {
        "rust" => (
            a::lang_rust::language().into(),
            a::lang_rust::HIGHLIGHTS_QUERY,
        ),
        "python" => (
            a::lang_python::language().into(),
            a::lang_python::HIGHLIGHTS_QUERY,
        ),
        "javascript" => (
            a::lang_javascript::language().into(),
            a::lang_javascript::HIGHLIGHTS_QUERY,
        ),
        "bash" => (
            a::lang_bash::language().into(),
            a::lang_bash::HIGHLIGHTS_QUERY,
        ),
        "json" => (
            a::lang_json::language().into(),
            a::lang_json::HIGHLIGHTS_QUERY,
        ),
        "toml" => (
            a::lang_toml::language().into(),
            a::lang_toml::HIGHLIGHTS_QUERY,
        ),
        "css" => (
            a::lang_css::language().into(),
            a::lang_css::HIGHLIGHTS_QUERY,
        ),
        "html" => (
            a::lang_html::language().into(),
            a::lang_html::HIGHLIGHTS_QUERY,
        ),
        "c" => (a::lang_c::language().into(), a::lang_c::HIGHLIGHTS_QUERY),
        "go" => (a::lang_go::language().into(), a::lang_go::HIGHLIGHTS_QUERY),
        "yaml" => (
            a::lang_yaml::language().into(),
            a::lang_yaml::HIGHLIGHTS_QUERY,
        ),
        "diff" => (
            a::lang_diff::language().into(),
            a::lang_diff::HIGHLIGHTS_QUERY,
        ),
        "sql" => (
            a::lang_sql::language().into(),
            a::lang_sql::HIGHLIGHTS_QUERY,
        ),
        _ => return None,
    })
}

/// Our CSS class for a tree-sitter capture name (`keyword.return` →
/// `keyword`), or `None` for captures we leave unstyled.
pub fn class_of(capture: &str) -> Option<&'static str> {
    let head = capture.split('.').next().unwrap_or(capture);
    Some(match head {
        "keyword" | "include" | "conditional" | "repeat" | "exception" | "storageclass"
        | "preproc" | "define" | "structure" => "keyword",
        "function" | "method" => {
            if capture.contains("macro") {
                "macro"
            } else {
                "function"
            }
        }
        "string" | "character" => "string",
        "escape" => "constant",
        "comment" => "comment",
        "type" => "type",
        "constant" | "boolean" => "constant",
        "number" | "float" => "number",
        "operator" => "operator",
        // Brackets and delimiters are the most frequent nodes of all; leaving
        // them unstyled makes highlighting a third cheaper and pages smaller.
        "punctuation" if capture.ends_with("special") => "punctuation",
        "property" | "field" => "property",
        "attribute" => "attribute",
        "tag" => "tag",
        "macro" => "macro",
        "label" => "label",
        "namespace" | "module" => "namespace",
        "constructor" => "constructor",
        "embedded" => "embedded",
        "variable" if capture.ends_with("builtin") => "constant",
        "diff" => {
            if capture.contains("plus") || capture.contains("add") {
                "diff-add"
            } else if capture.contains("minus") || capture.contains("delete") {
                "diff-delete"
            } else {
                return None;
            }
        }
        "markup" | "text" => match capture.split('.').nth(1) {
            Some("heading") | Some("title") => "title",
            Some("strong") => "strong",
            Some("italic") | Some("emphasis") => "emphasis",
            Some("link") | Some("uri") => "link",
            Some("strikethrough") => "strikethrough",
            _ => return None,
        },
        _ => return None,
    })
}

fn compile(name: &str) -> Option<Grammar> {
    let (language, text) = source(name)?;
    let mut query = Query::new(&language, text).ok()?;
    let names: Vec<String> = query
        .capture_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let classes: Vec<Option<&'static str>> = names
        .iter()
        .map(|n| {
            if n.starts_with('_') {
                None
            } else {
                class_of(n)
            }
        })
        .collect();
    // Patterns that only capture unstyled things (every identifier as
    // `@variable`, every bracket) are switched off: the cursor then never
    // matches them, which is most of the saving.
    for p in 0..query.pattern_count() {
        let styled = query
            .capture_quantifiers(p)
            .iter()
            .zip(&classes)
            .any(|(q, c)| *q != CaptureQuantifier::Zero && c.is_some());
        if !styled {
            query.disable_pattern(p);
        }
    }
    for (n, c) in names.iter().zip(&classes) {
        if c.is_none() {
            query.disable_capture(n);
        }
    }
    Some(Grammar {
        language,
        query,
        classes,
    })
}

fn grammar(name: &'static str) -> Option<&'static Grammar> {
    slots().get(name)?.get_or_init(|| compile(name)).as_ref()
}

/// Compiles the grammars of `langs` in parallel before the markdown stage
/// (compiling the Rust queries alone takes ~100 ms).
pub fn prepare<'a>(langs: impl IntoIterator<Item = &'a str>) {
    use rayon::prelude::*;
    let mut v: Vec<&'static str> = langs.into_iter().filter_map(canonical).collect();
    v.sort_unstable();
    v.dedup();
    v.par_iter().for_each(|l| {
        grammar(l);
    });
}

thread_local! {
    static STATE: RefCell<(Parser, QueryCursor)> = RefCell::new((Parser::new(), QueryCursor::new()));
}

/// Highlighted HTML of `code` in `lang`, or `None` when the language is
/// unknown (the caller then escapes the code as it is).
pub fn highlight(lang: &str, code: &str) -> Option<String> {
    let g = grammar(canonical(lang)?)?;
    STATE.with(|st| {
        let mut st = st.borrow_mut();
        let (parser, cursor) = &mut *st;
        parser.set_language(&g.language).ok()?;
        let tree = parser.parse(code, None)?;
        let mut out = String::with_capacity(code.len() * 3);
        let bytes = code.as_bytes();
        // Open spans (end byte), innermost last; `pos` is what is written so far.
        let mut open: Vec<usize> = Vec::with_capacity(8);
        let mut pos = 0usize;
        let mut last = (usize::MAX, usize::MAX);
        let mut caps = cursor.captures(&g.query, tree.root_node(), bytes);
        while let Some((m, i)) = caps.next() {
            let cap = m.captures[*i];
            let Some(class) = g.classes.get(cap.index as usize).copied().flatten() else {
                continue;
            };
            let (start, end) = (cap.node.start_byte(), cap.node.end_byte());
            if start >= end || (start, end) == last || start < pos {
                continue; // empty, a second capture of the same node, or overlapping text already written
            }
            // Close the spans that end before this one starts.
            while let Some(&e) = open.last() {
                if e > start {
                    break;
                }
                escape_into(&mut out, &code[pos..e]);
                out.push_str("</span>");
                pos = e;
                open.pop();
            }
            if open.last().is_some_and(|&e| end > e) {
                continue; // would cross an open span
            }
            escape_into(&mut out, &code[pos..start]);
            out.push_str("<span class=\"hl-");
            out.push_str(class);
            out.push_str("\">");
            pos = start;
            open.push(end);
            last = (start, end);
        }
        while let Some(e) = open.pop() {
            escape_into(&mut out, &code[pos..e]);
            out.push_str("</span>");
            pos = e;
        }
        escape_into(&mut out, &code[pos..]);
        Some(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_gets_classes_and_unknown_is_none() {
        let html = highlight("rust", "fn main() { let x = \"<b>\"; }").unwrap();
        assert!(
            html.contains("<span class=\"hl-keyword\">fn</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-string\">&quot;&lt;b&gt;&quot;</span>"),
            "{html}"
        );
        assert!(highlight("no-such-language", "x").is_none());
    }

    #[test]
    fn text_is_kept_exactly() {
        for (lang, code) in [
            ("python", "def f(x):\n    return x + 1  # one\n"),
            ("bash", "echo \"$HOME\" | grep -v x > /dev/null\n"),
            ("js", "const a = `t ${b}`; // c\n"),
            ("rust", "#[derive(Debug)]\nstruct S<'a> { r: &'a str }\n"),
        ] {
            let html = highlight(lang, code).unwrap();
            let text = crate::escape::strip_tags(&html);
            let want: String = code.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(text, want, "{lang}: {html}");
            assert_eq!(
                html.matches("<span").count(),
                html.matches("</span>").count()
            );
        }
    }

    #[test]
    fn classes() {
        assert_eq!(class_of("keyword.return"), Some("keyword"));
        assert_eq!(class_of("function.macro"), Some("macro"));
        assert_eq!(class_of("variable"), None);
        assert_eq!(class_of("variable.builtin"), Some("constant"));
    }
}
