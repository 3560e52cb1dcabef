//! Syntax highlighting of fenced code blocks: tree-sitter grammars from
//! arborium, emitted as `<span class="hl-keyword">…` so the theme's CSS
//! colours them for light and dark.
//!
//! We parse with tree-sitter but do not run its highlight queries. Compiling
//! a query is analysis over the whole grammar: 50 ms for Rust's, before the
//! first block is coloured, and matching it was a third of the rest. Instead
//! one walk over the syntax tree classes each node by its kind and by where
//! it stands (`kinds.rs`): the same classes for a fraction of the time, and
//! nothing to compile, so a small site pays nothing up front.

mod kinds;

use arborium::tree_sitter::{Language, Node, Parser};
use std::cell::RefCell;
use std::collections::HashMap;
use std::num::NonZeroU16;
use std::sync::OnceLock;

use crate::escape::escape_into;
use kinds::Role;

/// A grammar and the role of each of its node kinds.
struct Grammar {
    language: Language,
    roles: Vec<Role>,
    fields: Fields,
}

/// The ids of the fields the walk looks at (absent in some grammars).
#[derive(Default)]
struct Fields {
    name: Option<NonZeroU16>,
    function: Option<NonZeroU16>,
    constructor: Option<NonZeroU16>,
    field: Option<NonZeroU16>,
    property: Option<NonZeroU16>,
    attribute: Option<NonZeroU16>,
    macro_: Option<NonZeroU16>,
    key: Option<NonZeroU16>,
    declarator: Option<NonZeroU16>,
}

type Slot = OnceLock<Option<Grammar>>;

/// One slot per supported language, filled on first use.
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

fn language(name: &str) -> Option<Language> {
    use arborium as a;
    Some(match name {
        "rust" => a::lang_rust::language().into(),
        "python" => a::lang_python::language().into(),
        "javascript" => a::lang_javascript::language().into(),
        "bash" => a::lang_bash::language().into(),
        "json" => a::lang_json::language().into(),
        "toml" => a::lang_toml::language().into(),
        "css" => a::lang_css::language().into(),
        "html" => a::lang_html::language().into(),
        "c" => a::lang_c::language().into(),
        "go" => a::lang_go::language().into(),
        "yaml" => a::lang_yaml::language().into(),
        "diff" => a::lang_diff::language().into(),
        "sql" => a::lang_sql::language().into(),
        _ => return None,
    })
}

fn load(name: &str) -> Option<Grammar> {
    let language = language(name)?;
    let roles = (0..language.node_kind_count() as u16)
        .map(|id| match language.node_kind_for_id(id) {
            Some(kind) => kinds::role(name, kind, language.node_kind_is_named(id)),
            None => Role::Plain,
        })
        .collect();
    let f = |n: &str| language.field_id_for_name(n);
    let fields = Fields {
        name: f("name"),
        function: f("function"),
        constructor: f("constructor"),
        field: f("field"),
        property: f("property"),
        attribute: f("attribute"),
        macro_: f("macro"),
        key: f("key"),
        declarator: f("declarator"),
    };
    Some(Grammar {
        language,
        roles,
        fields,
    })
}

fn grammar(name: &'static str) -> Option<&'static Grammar> {
    slots().get(name)?.get_or_init(|| load(name)).as_ref()
}

/// Makes tree-sitter allocate through the given functions (the binary's
/// global allocator) instead of libc's. Call before any highlighting.
pub fn use_allocator(
    malloc: unsafe extern "C" fn(usize) -> *mut std::ffi::c_void,
    calloc: unsafe extern "C" fn(usize, usize) -> *mut std::ffi::c_void,
    realloc: unsafe extern "C" fn(*mut std::ffi::c_void, usize) -> *mut std::ffi::c_void,
    free: unsafe extern "C" fn(*mut std::ffi::c_void),
) {
    // SAFETY: called once from `main` before any tree-sitter object exists,
    // so no block is freed by a different allocator than the one that made it.
    unsafe {
        arborium::tree_sitter::set_allocator(Some(malloc), Some(calloc), Some(realloc), Some(free));
    }
}

thread_local! {
    static PARSER: RefCell<Parser> = RefCell::new(Parser::new());
}

/// Highlighted HTML of `code` in `lang`, or `None` when the language is
/// unknown (the caller then escapes the code as it is).
pub fn highlight(lang: &str, code: &str) -> Option<String> {
    let g = grammar(canonical(lang)?)?;
    let tree = PARSER.with(|p| {
        let mut parser = p.borrow_mut();
        parser.set_language(&g.language).ok()?;
        parser.parse(code, None)
    })?;
    let mut w = Writer {
        code,
        out: String::with_capacity(code.len() * 2),
        pos: 0,
        open: Vec::with_capacity(8),
    };
    walk(g, tree.root_node(), code, &mut w);
    Some(w.finish())
}

/// What the walk knows about an ancestor.
#[derive(Clone, Copy)]
struct Frame {
    role: Role,
    /// This node is the callee of a call (`a.b` in `a.b()`).
    callee: bool,
    /// Inside a string literal: only escapes and interpolated code count.
    string: bool,
    /// A JavaScript declarator whose value is a function.
    fn_value: bool,
}

const ROOT: Frame = Frame {
    role: Role::Plain,
    callee: false,
    string: false,
    fn_value: false,
};

/// Visits the tree in document order, opening a span for each classed node.
fn walk(g: &Grammar, root: Node<'_>, code: &str, w: &mut Writer<'_>) {
    let mut cursor = root.walk();
    let mut frames: Vec<Frame> = Vec::with_capacity(32);
    loop {
        let node = cursor.node();
        let parent = frames.last().copied().unwrap_or(ROOT);
        let field = cursor.field_id();
        let role = g
            .roles
            .get(node.kind_id() as usize)
            .copied()
            .unwrap_or(Role::Plain);
        let (class, descend, frame) = classify(g, node, code, role, field, parent);
        if let Some(class) = class {
            w.open(node.start_byte(), node.end_byte(), class);
        }
        if descend && cursor.goto_first_child() {
            frames.push(frame);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            frames.pop();
        }
    }
}

/// The class of a node (if any), whether to visit its children, and what
/// they should know of it.
fn classify(
    g: &Grammar,
    node: Node<'_>,
    code: &str,
    role: Role,
    field: Option<NonZeroU16>,
    parent: Frame,
) -> (Option<&'static str>, bool, Frame) {
    let f = &g.fields;
    let is = |id: Option<NonZeroU16>| field.is_some() && field == id;
    let mut frame = Frame {
        role,
        callee: false,
        string: parent.string,
        fn_value: false,
    };
    if parent.string {
        return match role {
            Role::Class("constant") => (Some("constant"), false, frame),
            Role::Code => {
                frame.string = false;
                (None, true, frame)
            }
            _ => (None, true, frame),
        };
    }
    let ident = matches!(role, Role::Ident(_));
    // Where the node stands.
    let placed = match parent.role {
        Role::Pair if is(f.key) => Some("property"),
        Role::Macro if is(f.macro_) => Some("macro"),
        Role::FnDef if ident && (is(f.name) || is(f.declarator)) => Some("function"),
        Role::TypeDef if ident && is(f.name) => Some("type"),
        Role::VarDecl if ident && parent.fn_value && is(f.name) => Some("function"),
        Role::Call if is(f.function) || is(f.constructor) => {
            if ident {
                Some("function")
            } else {
                frame.callee = role == Role::Access;
                None
            }
        }
        Role::Access
            if parent.callee
                && (is(f.field) || is(f.property) || is(f.attribute) || is(f.name)) =>
        {
            ident.then_some("function")
        }
        Role::Access if parent.callee && is(f.function) => {
            // `f::<T>()`: the callee of a generic function is inside it.
            if ident {
                Some("function")
            } else {
                frame.callee = role == Role::Access;
                None
            }
        }
        _ => None,
    };
    if placed.is_some() {
        return (placed, false, frame);
    }
    match role {
        Role::Class(c) => (Some(c), false, frame),
        Role::Text => {
            frame.string = true;
            let digit = code.as_bytes()[node.start_byte()].is_ascii_digit();
            (Some(if digit { "number" } else { "string" }), true, frame)
        }
        Role::Ident(default) => {
            let text = &code[node.start_byte()..node.end_byte()];
            (kinds::by_case(text).or(default), false, frame)
        }
        Role::VarDecl => {
            frame.fn_value = node.child_by_field_name("value").is_some_and(|v| {
                matches!(
                    v.kind(),
                    "arrow_function" | "function_expression" | "function" | "generator_function"
                )
            });
            (None, true, frame)
        }
        _ => (None, true, frame),
    }
}

/// Writes the code with spans, escaping as it goes. Spans nest as the nodes
/// do; a node of the same class as the span around it gets no span of its own.
struct Writer<'a> {
    code: &'a str,
    out: String,
    /// Bytes of `code` written so far.
    pos: usize,
    /// Open spans (end byte, class), innermost last.
    open: Vec<(usize, &'static str)>,
}

impl Writer<'_> {
    fn open(&mut self, start: usize, end: usize, class: &'static str) {
        if start >= end || start < self.pos {
            return;
        }
        self.close_until(start);
        if let Some(&(e, c)) = self.open.last()
            && (end > e || c == class)
        {
            return; // would cross the open span, or repeat it
        }
        escape_into(&mut self.out, &self.code[self.pos..start]);
        self.out.push_str("<span class=\"hl-");
        self.out.push_str(class);
        self.out.push_str("\">");
        self.pos = start;
        self.open.push((end, class));
    }

    /// Closes the spans that end at or before `at`.
    fn close_until(&mut self, at: usize) {
        while let Some(&(e, _)) = self.open.last() {
            if e > at {
                break;
            }
            escape_into(&mut self.out, &self.code[self.pos..e]);
            self.out.push_str("</span>");
            self.pos = e;
            self.open.pop();
        }
    }

    fn finish(mut self) -> String {
        self.close_until(usize::MAX);
        escape_into(&mut self.out, &self.code[self.pos..]);
        self.out
    }
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

    /// The text of every span of `class` in the highlighted `code`.
    fn spans(lang: &str, code: &str, class: &str) -> Vec<String> {
        let html = highlight(lang, code).unwrap();
        let tag = format!("<span class=\"hl-{class}\">");
        html.split(&tag)
            .skip(1)
            .map(|rest| crate::escape::strip_tags(rest.split("</span>").next().unwrap()))
            .collect()
    }

    #[test]
    fn classes_come_from_kind_and_place() {
        let rust = "fn main() { let v = Vec::new(); v.push(MAX); println!(\"{}\\n\", x.len()); }";
        assert_eq!(spans("rust", rust, "function"), ["main", "new", "push"]); // not inside a macro
        assert_eq!(spans("rust", rust, "keyword"), ["fn", "let"]);
        assert_eq!(spans("rust", rust, "macro"), ["println"]);
        assert_eq!(spans("rust", rust, "constant"), ["MAX", "\\n"]);
        assert_eq!(spans("rust", rust, "type"), ["Vec"]);
        let py = "@cached\ndef f(x: int) -> str:\n    return os.path.join(x, None)  # hi\n";
        assert_eq!(spans("python", py, "function"), ["f", "join"]);
        assert_eq!(spans("python", py, "attribute"), ["@cached"]);
        assert_eq!(spans("python", py, "comment"), ["# hi"]);
        assert_eq!(spans("python", py, "constant"), ["None"]);
        let js = "const go = async (u) => { await fetch(`${u}/x`); }; class A { m() {} }";
        assert_eq!(spans("js", js, "function"), ["go", "fetch", "m"]);
        assert_eq!(spans("js", js, "type"), ["A"]);
        assert_eq!(spans("json", "{\"a\": [1, true]}", "property"), ["\"a\""]);
        assert_eq!(
            spans("bash", "echo \"$HOME\" | grep -v x", "function"),
            ["echo", "grep"]
        );
        assert_eq!(spans("bash", "echo \"$HOME\"", "property"), ["HOME"]);
        assert_eq!(
            spans("sql", "SELECT a FROM t WHERE b = 'x'", "keyword"),
            ["SELECT", "FROM", "WHERE"]
        );
    }
}
