//! Splitting a content file into front matter and body, and reading the
//! front matter (TOML between `+++`, YAML between `---`) into [`FrontMatter`].
//!
//! Both formats are first parsed into a generic tree, then the known keys are
//! taken out by hand: that gives one set of messages for both formats, every
//! problem in one pass, and lines counted in the file rather than the block.

use crate::config::{CommentsState, find_key_line, line_of};
use crate::content::date::PostDate;
use crate::error::Diagnostic;

/// The keys a content file may set; anything else is an error.
pub const KEYS: &[&str] = &[
    "title",
    "date",
    "updated",
    "draft",
    "slug",
    "summary",
    "tags",
    "categories",
    "aliases",
    "comments",
    "language",
];

/// Front matter after validation. Absent keys are `None`/empty.
#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub date: Option<PostDate>,
    pub updated: Option<PostDate>,
    pub draft: bool,
    pub slug: Option<String>,
    pub summary: Option<String>,
    pub tags: Vec<String>,
    pub categories: Vec<String>,
    pub aliases: Vec<String>,
    pub comments: Option<CommentsState>,
    /// Language of this entry when it differs from the site's (BCP 47).
    pub language: Option<String>,
    /// Line in the file of each key that was set (for later messages).
    pub lines: Vec<(&'static str, usize)>,
    /// Line of the opening delimiter (1) or 0 when there is no front matter.
    pub start_line: usize,
}

impl FrontMatter {
    /// Line of `key` in the file, else the line of the opening delimiter.
    pub fn line_of(&self, key: &str) -> usize {
        self.lines
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, l)| *l)
            .unwrap_or(self.start_line.max(1))
    }
}

/// A file cut in two: the front-matter text and the body with its first line.
pub struct Split<'a> {
    pub format: Format,
    pub front: &'a str,
    /// 1-based line in the file where `front` starts.
    pub front_line: usize,
    pub body: &'a str,
    /// 1-based line in the file where `body` starts.
    pub body_line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Yaml,
    None,
}

/// Cuts `text` at its front-matter delimiters. A file that opens a block but
/// never closes it is an error at line 1.
pub fn split(text: &str) -> Result<Split<'_>, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (delim, format) = if text.starts_with("+++") {
        ("+++", Format::Toml)
    } else if text.starts_with("---") {
        ("---", Format::Yaml)
    } else {
        return Ok(Split {
            format: Format::None,
            front: "",
            front_line: 1,
            body: text,
            body_line: 1,
        });
    };
    let first_nl = match text.find('\n') {
        Some(i) if text[delim.len()..i].trim().is_empty() => i,
        _ => {
            return Err((
                1,
                format!("front matter: `{delim}` must stand alone on the first line"),
            ));
        }
    };
    let mut pos = first_nl + 1;
    let mut line = 2;
    while pos <= text.len() {
        let end = text[pos..]
            .find('\n')
            .map(|i| pos + i)
            .unwrap_or(text.len());
        let l = text[pos..end].trim_end_matches('\r');
        if l.trim_end() == delim {
            let body_start = (end + 1).min(text.len());
            return Ok(Split {
                format,
                front: &text[first_nl + 1..pos],
                front_line: 2,
                body: &text[body_start..],
                body_line: line + 1,
            });
        }
        if end == text.len() {
            break;
        }
        pos = end + 1;
        line += 1;
    }
    Err((1, format!("front matter: no closing `{delim}` line")))
}

/// The message for a file without front matter: it shows both accepted
/// forms, with `date` for a post (a page needs only its title).
pub fn missing_message(post: bool) -> String {
    let (toml_date, yaml_date) = if post {
        ("\n    date = 2026-12-03", "\n    date: 2026-12-03")
    } else {
        ("", "")
    };
    format!(
        "no front matter: the file must begin with TOML between `+++` lines \
         or YAML between `---` lines, for example\n    \
         +++\n    title = \"My first post\"{toml_date}\n    +++\n\
         or\n    ---\n    title: My first post{yaml_date}\n    ---"
    )
}

/// A front-matter value, format-independent.
enum Val {
    Str(String),
    Bool(bool),
    Date(String),
    List(Vec<Val>),
    Other(&'static str),
}

fn from_toml(v: toml::Value) -> Val {
    match v {
        toml::Value::String(s) => Val::Str(s),
        toml::Value::Boolean(b) => Val::Bool(b),
        toml::Value::Datetime(d) => Val::Date(d.to_string()),
        toml::Value::Array(a) => Val::List(a.into_iter().map(from_toml).collect()),
        toml::Value::Integer(_) => Val::Other("a number"),
        toml::Value::Float(_) => Val::Other("a number"),
        toml::Value::Table(_) => Val::Other("a table"),
    }
}

fn from_yaml(v: serde_norway::Value) -> Val {
    use serde_norway::Value as Y;
    match v {
        Y::String(s) => Val::Str(s),
        Y::Bool(b) => Val::Bool(b),
        Y::Sequence(a) => Val::List(a.into_iter().map(from_yaml).collect()),
        Y::Number(_) => Val::Other("a number"),
        Y::Mapping(_) => Val::Other("a mapping"),
        Y::Null => Val::Other("null"),
        Y::Tagged(t) => from_yaml(t.value),
    }
}

fn type_name(v: &Val) -> &'static str {
    match v {
        Val::Str(_) => "a string",
        Val::Bool(_) => "a boolean",
        Val::Date(_) => "a date",
        Val::List(_) => "a list",
        Val::Other(t) => t,
    }
}

/// Parses the front matter of `split` for the file `path`.
/// Returns the front matter and every problem found (possibly several).
pub fn parse(path: &str, split: &Split<'_>) -> (FrontMatter, Vec<Diagnostic>) {
    let mut fm = FrontMatter {
        start_line: if split.format == Format::None { 0 } else { 1 },
        ..Default::default()
    };
    let mut errors = Vec::new();
    let off = split.front_line - 1;
    let entries: Vec<(String, Val)> = match split.format {
        Format::None => Vec::new(),
        Format::Toml => match toml::from_str::<toml::Table>(split.front) {
            Ok(t) => t.into_iter().map(|(k, v)| (k, from_toml(v))).collect(),
            Err(e) => {
                let line = e.span().map(|s| line_of(split.front, s.start)).unwrap_or(1);
                let msg = e.message().lines().next().unwrap_or("").trim().to_string();
                errors.push(Diagnostic::new(
                    path,
                    off + line,
                    format!("front matter: {msg}"),
                ));
                return (fm, errors);
            }
        },
        Format::Yaml => match serde_norway::from_str::<serde_norway::Value>(split.front) {
            Ok(serde_norway::Value::Mapping(m)) => m
                .into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        serde_norway::Value::String(s) => s,
                        other => format!("{other:?}"),
                    };
                    (key, from_yaml(v))
                })
                .collect(),
            Ok(serde_norway::Value::Null) => Vec::new(),
            Ok(_) => {
                errors.push(Diagnostic::new(
                    path,
                    off + 1,
                    "front matter: expected `key: value` lines",
                ));
                return (fm, errors);
            }
            Err(e) => {
                let line = e.location().map(|l| l.line()).unwrap_or(1);
                let msg = e.to_string();
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                errors.push(Diagnostic::new(
                    path,
                    off + line,
                    format!("front matter: {msg}"),
                ));
                return (fm, errors);
            }
        },
    };

    for (key, val) in entries {
        let line = off + find_key_line(split.front, &key).max(1);
        let Some(&known) = KEYS.iter().find(|k| **k == key) else {
            errors.push(Diagnostic::new(
                path,
                line,
                format!(
                    "unknown front matter key `{key}` (expected one of: {})",
                    KEYS.join(", ")
                ),
            ));
            continue;
        };
        fm.lines.push((known, line));
        let mut bad = |expected: &str, v: &Val| {
            errors.push(Diagnostic::new(
                path,
                line,
                format!("{known}: expected {expected}, found {}", type_name(v)),
            ));
        };
        match known {
            "title" | "slug" | "summary" | "language" => match val {
                Val::Str(s) => {
                    let s = Some(s);
                    match known {
                        "title" => fm.title = s,
                        "slug" => fm.slug = s,
                        "language" => fm.language = s,
                        _ => fm.summary = s,
                    }
                }
                v => bad("a string", &v),
            },
            "date" | "updated" => {
                let text = match &val {
                    Val::Str(s) | Val::Date(s) => s.clone(),
                    v => {
                        bad("a date (RFC 3339 or YYYY-MM-DD)", v);
                        continue;
                    }
                };
                match PostDate::parse(&text) {
                    Some(d) if known == "date" => fm.date = Some(d),
                    Some(d) => fm.updated = Some(d),
                    None => errors.push(Diagnostic::new(
                        path,
                        line,
                        format!("{known}: expected RFC 3339 or YYYY-MM-DD, found {text:?}"),
                    )),
                }
            }
            "draft" => match val {
                Val::Bool(b) => fm.draft = b,
                v => bad("true or false", &v),
            },
            "tags" | "categories" | "aliases" => {
                let list = match val {
                    Val::List(items) => {
                        let mut out = Vec::new();
                        for item in items {
                            match item {
                                Val::Str(s) if !s.trim().is_empty() => {
                                    out.push(s.trim().to_string())
                                }
                                v => {
                                    bad("a list of non-empty strings", &v);
                                }
                            }
                        }
                        out
                    }
                    v => {
                        bad("a list of strings", &v);
                        continue;
                    }
                };
                match known {
                    "tags" => fm.tags = list,
                    "categories" => fm.categories = list,
                    _ => fm.aliases = list,
                }
            }
            "comments" => match &val {
                Val::Str(s) if s == "open" => fm.comments = Some(CommentsState::Open),
                Val::Str(s) if s == "closed" => fm.comments = Some(CommentsState::Closed),
                Val::Bool(true) => fm.comments = Some(CommentsState::Open),
                Val::Bool(false) => fm.comments = Some(CommentsState::Closed),
                Val::Str(s) => errors.push(Diagnostic::new(
                    path,
                    line,
                    format!("comments: expected \"open\" or \"closed\", found {s:?}"),
                )),
                v => bad("\"open\" or \"closed\"", v),
            },
            _ => {}
        }
    }
    (fm, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (FrontMatter, Vec<Diagnostic>) {
        let s = split(text).unwrap();
        parse("p.md", &s)
    }

    #[test]
    fn toml_lines_count_in_the_file() {
        let (_, e) = run("+++\ntitle = \"Bad\"\ndate = \"soon\"\n+++\nbody\n");
        assert_eq!(e.len(), 1);
        assert_eq!(
            e[0].to_string(),
            "p.md:3: date: expected RFC 3339 or YYYY-MM-DD, found \"soon\""
        );
    }

    #[test]
    fn yaml_unknown_key_and_bad_date_are_both_reported() {
        let (_, e) = run("---\ntitle: Hi\ntitel: x\ndate: 2024-13-45\n---\n");
        let lines: Vec<usize> = e.iter().map(|d| d.line).collect();
        assert_eq!(lines, vec![3, 4], "{e:?}");
        assert!(e[0].message.starts_with("unknown front matter key `titel`"));
    }

    #[test]
    fn toml_native_date_and_lists() {
        let (fm, e) = run(
            "+++\ntitle = \"T\"\ndate = 2024-05-01\ntags = [\"a\", \"b\"]\ncomments = \"closed\"\n+++\n",
        );
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(fm.date.unwrap().rfc3339(), "2024-05-01T00:00:00Z");
        assert_eq!(fm.tags, vec!["a", "b"]);
        assert_eq!(fm.comments, Some(CommentsState::Closed));
    }

    #[test]
    fn body_line_follows_the_block() {
        let s = split("+++\ntitle = \"T\"\n+++\nfirst body line\n").unwrap();
        assert_eq!(s.body_line, 4);
        assert_eq!(s.body, "first body line\n");
    }

    #[test]
    fn toml_syntax_error_line() {
        let (_, e) = run("+++\ntitle = \"T\"\n\ndate = = 3\n+++\n");
        assert_eq!(e[0].line, 4, "{e:?}");
    }

    #[test]
    fn unclosed_block_is_an_error() {
        assert!(split("+++\ntitle = \"x\"\n").is_err());
    }
}
