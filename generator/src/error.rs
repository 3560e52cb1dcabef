//! The crate's one error type and the `path:line: message` diagnostics.
//!
//! Content and config problems are collected as [`Diagnostic`]s so that one
//! run reports all of them (ripgrep style); [`Error`] wraps them together with
//! the few failures that stop a run outright (I/O, templates, usage).

use std::fmt;
use std::path::PathBuf;

/// One problem in one file, printed as `path:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// Path relative to the site root, with `/` separators.
    pub path: String,
    /// 1-based line in the file (not in the front-matter block); 0 = unknown.
    pub line: usize,
    pub message: String,
}

impl Diagnostic {
    pub fn new(path: impl Into<String>, line: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(f, "{}:{}: {}", self.path, self.line, self.message)
        }
    }
}

/// Everything that can make a command fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Content or config problems: exit status 1, each printed on its own line.
    #[error("{} error(s) in the site", .0.len())]
    Content(Vec<Diagnostic>),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A template failed to parse or render.
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
    /// Anything else, with a plain message (exit status 1).
    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn one(path: impl Into<String>, line: usize, message: impl Into<String>) -> Self {
        Error::Content(vec![Diagnostic::new(path, line, message)])
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Renders a tera error with its whole `source()` chain on one line.
pub fn tera_message(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        let s_text = s.to_string();
        if !msg.contains(&s_text) {
            msg.push_str(": ");
            msg.push_str(&s_text);
        }
        src = s.source();
    }
    msg
}
