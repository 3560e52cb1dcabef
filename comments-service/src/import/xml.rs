//! A streaming XML reader for exports: elements as they open and close, each
//! leaf's text, and errors that name `FILE:line:column`.
//!
//! Exports are hostile input. A DOCTYPE is skipped, never read: entities it
//! declares are not resolved (an unknown `&name;` stays as that literal text,
//! which the sanitizer then shows as text), so neither external files nor
//! "billion laughs" expansions can reach the store. Only the five predefined
//! entities and character references are decoded.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::error::{Error, Result};

/// One step through the document.
#[derive(Debug)]
pub enum Ev {
    /// An element opened (empty elements give `Open` then `Close`).
    Open(Element),
    /// An element closed; `text` is the text directly inside it (CDATA included).
    Close { name: String, text: String },
    /// The end of the document.
    Eof,
}

/// An opened element: local name and attributes (local names, decoded values).
#[derive(Debug)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
}

impl Element {
    /// The value of the attribute with local name `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one export file event by event.
pub struct XmlReader<R: BufRead> {
    reader: Reader<R>,
    path: PathBuf,
    buf: Vec<u8>,
    /// Open elements: local name and the byte offset where each opened.
    stack: Vec<(String, u64)>,
    text: String,
    /// A `Close` owed for an empty element.
    pending_close: Option<String>,
}

impl XmlReader<BufReader<File>> {
    /// Opens `path` for reading.
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        Ok(Self::new(BufReader::with_capacity(1 << 16, file), path))
    }
}

impl<R: BufRead> XmlReader<R> {
    /// Reads from `input`; `path` names it in errors (and is re-read to find
    /// the line and column of an error).
    pub fn new(input: R, path: &Path) -> Self {
        let mut reader = Reader::from_reader(input);
        let cfg = reader.config_mut();
        cfg.check_end_names = true;
        cfg.trim_text(false);
        XmlReader {
            reader,
            path: path.to_path_buf(),
            buf: Vec::with_capacity(1 << 12),
            stack: Vec::new(),
            text: String::new(),
            pending_close: None,
        }
    }

    /// Bytes read so far (for the progress bar).
    pub fn position(&self) -> u64 {
        self.reader.buffer_position()
    }

    /// How many elements are open (1 inside the root element).
    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    /// The next event.
    pub fn next_event(&mut self) -> Result<Ev> {
        if let Some(name) = self.pending_close.take() {
            self.stack.pop();
            let text = std::mem::take(&mut self.text);
            return Ok(Ev::Close { name, text });
        }
        loop {
            self.buf.clear();
            let ev = match self.reader.read_event_into(&mut self.buf) {
                Ok(ev) => ev,
                Err(e) => {
                    let at = self.reader.error_position();
                    return Err(self.error_at(at, format!("not well-formed XML: {e}")));
                }
            };
            match ev {
                Event::Start(e) => {
                    let el = element(&e);
                    self.stack
                        .push((el.name.clone(), self.reader.buffer_position()));
                    self.text.clear();
                    return Ok(Ev::Open(el));
                }
                Event::Empty(e) => {
                    let el = element(&e);
                    self.stack
                        .push((el.name.clone(), self.reader.buffer_position()));
                    self.text.clear();
                    self.pending_close = Some(el.name.clone());
                    return Ok(Ev::Open(el));
                }
                Event::End(e) => {
                    let name = e.local_name().as_ref().to_string();
                    self.stack.pop();
                    let text = std::mem::take(&mut self.text);
                    return Ok(Ev::Close { name, text });
                }
                Event::Text(t) => self.text.push_str(&t.xml10_content()),
                Event::CData(c) => self.text.push_str(&c.xml10_content()),
                Event::GeneralRef(r) => {
                    match crate::escape::xml_reference(&r) {
                        Some(c) => self.text.push(c),
                        // Declared in a DTD (or nowhere): never expanded.
                        None => {
                            self.text.push('&');
                            self.text.push_str(r.as_ref());
                            self.text.push(';');
                        }
                    }
                }
                Event::Eof => {
                    if let Some((name, opened)) = self.stack.last() {
                        let (l, c) = line_col(&self.path, *opened);
                        let msg = format!(
                            "the file ends inside <{name}> (opened at line {l}, column {c}): is it truncated?"
                        );
                        return Err(self.error_at(self.reader.buffer_position(), msg));
                    }
                    return Ok(Ev::Eof);
                }
                // Declarations, processing instructions, comments and the
                // DOCTYPE (skipped unread, see the module docs).
                _ => {}
            }
        }
    }

    /// An error at byte `offset` of the file: `FILE:line:column: message`.
    pub fn error_at(&self, offset: u64, message: impl Into<String>) -> Error {
        let (line, column) = line_col(&self.path, offset);
        Error::Import {
            at: format!("{}:{line}:{column}", self.path.display()),
            message: message.into(),
        }
    }

    /// An error about the element just read (a bad field value).
    pub fn error_here(&self, message: impl Into<String>) -> Error {
        self.error_at(self.reader.buffer_position(), message)
    }
}

fn element(e: &BytesStart) -> Element {
    let name = e.local_name().as_ref().to_string();
    let attrs = e
        .attributes()
        .with_checks(false)
        .flatten()
        .map(|a| {
            let key = a.key.local_name().as_ref().to_string();
            // Predefined entities and character references only (module docs).
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.to_string());
            (key, value)
        })
        .collect();
    Element { name, attrs }
}

/// Line and column (1-based, column in characters) of byte `offset` in the
/// file at `path`, found by reading it again: only errors pay for this.
pub fn line_col(path: &Path, offset: u64) -> (u64, u64) {
    let Ok(f) = File::open(path) else {
        return (0, 0);
    };
    let mut prefix = Vec::new();
    if f.take(offset).read_to_end(&mut prefix).is_err() {
        return (0, 0);
    }
    let line = prefix.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    let start = prefix
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&prefix[start..]).chars().count() as u64 + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(xml: &str) -> Result<Vec<String>> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.xml");
        std::fs::write(&p, xml).unwrap();
        let mut r = XmlReader::open(&p)?;
        let mut out = Vec::new();
        loop {
            match r.next_event()? {
                Ev::Open(e) => out.push(format!("<{}", e.name)),
                Ev::Close { name, text } => out.push(format!("{name}>{text}")),
                Ev::Eof => return Ok(out),
            }
        }
    }

    #[test]
    fn declared_entities_stay_unexpanded() {
        let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<r><a>&x; &amp; &#233;</a></r>";
        let ev = all(xml).unwrap();
        assert!(ev.contains(&"a>&x; & é".to_string()), "{ev:?}");
    }

    #[test]
    fn truncation_names_line_and_column() {
        let e = all("<r>\n  <a>one</a>\n  <b>tw").unwrap_err().to_string();
        assert!(e.contains("x.xml:3:"), "{e}");
    }

    #[test]
    fn empty_elements_close() {
        let ev = all("<r><a k=\"v\"/></r>").unwrap();
        assert_eq!(ev, ["<r", "<a", "a>", "r>"]);
    }
}
