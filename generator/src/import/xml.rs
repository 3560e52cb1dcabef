//! A streaming reader for export files (WXR and Atom) over quick-xml.
//!
//! An export can hold 10 000 posts and 100 000 comments, so the document is
//! never held as a tree: each record (`<item>`, `<entry>`) is built as a
//! small [`Elem`] tree, handed to the caller and dropped. Subtrees the
//! caller does not want (`wp:comment`) are skipped without allocating.
//!
//! The export is hostile input: a DOCTYPE that declares entities is refused,
//! and no entity other than XML's five and character references is ever
//! expanded, so neither external entities nor "billion laughs" can apply.

use quick_xml::Reader;
use quick_xml::events::Event;

/// One element of a record: qualified name as written, attributes, the
/// concatenated text (and CDATA) directly inside it, and its children.
#[derive(Debug, Default, Clone)]
pub struct Elem {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Elem>,
    /// 1-based line of the start tag in the file.
    pub line: usize,
}

impl Elem {
    /// The name without its prefix (`wp:post_name` → `post_name`).
    pub fn local(&self) -> &str {
        self.name.rsplit(':').next().unwrap_or(&self.name)
    }

    /// First child with this qualified name.
    pub fn child(&self, name: &str) -> Option<&Elem> {
        self.children.iter().find(|c| c.name == name)
    }

    /// First child with this local name, whatever its prefix.
    pub fn child_local(&self, local: &str) -> Option<&Elem> {
        self.children.iter().find(|c| c.local() == local)
    }

    /// Trimmed text of the first child named `name`, or "".
    pub fn text_of(&self, name: &str) -> &str {
        self.child(name).map(|c| c.text.trim()).unwrap_or("")
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A problem at a byte offset of the file (turned into line:column by
/// [`position`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    pub offset: usize,
    pub message: String,
}

/// 1-based line and column (in characters) of a byte offset.
pub fn position(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, before[start..].chars().count() + 1)
}

/// Counts lines forward through the file as the reader advances.
struct Lines<'a> {
    text: &'a [u8],
    pos: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset > self.pos {
            self.line += self.text[self.pos..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.pos = offset;
        }
        self.line
    }
}

/// What to read: the root element expected, the name of a record and the
/// names of subtrees to skip.
pub struct Spec<'s> {
    pub root: &'s str,
    pub record: &'s str,
    pub skip: &'s [&'s str],
}

/// Reads `text`, calling `each` with every record in document order.
/// Returns the rest of the document (everything outside records and skipped
/// subtrees) as a tree rooted at the root element.
pub fn read(
    text: &str,
    spec: &Spec<'_>,
    mut each: impl FnMut(Elem) -> Result<(), XmlError>,
) -> Result<Elem, XmlError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut lines = Lines {
        text: text.as_bytes(),
        pos: 0,
        line: 1,
    };
    let mut stack: Vec<Elem> = Vec::new();
    let mut root: Option<Elem> = None;
    let mut skip_depth = 0usize;
    let err = |offset: u64, message: String| XmlError {
        offset: offset as usize,
        message,
    };
    loop {
        let before = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => return Err(err(reader.error_position(), xml_message(&e))),
        };
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(_) | Event::Empty(_) if skip_depth > 0 => {
                if !empty {
                    skip_depth += 1;
                }
            }
            Event::End(_) if skip_depth > 0 => skip_depth -= 1,
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) if skip_depth > 0 => {}
            Event::Start(s) | Event::Empty(s) => {
                let name = s.name().as_ref().to_string();
                if stack.is_empty() && root.is_some() {
                    return Err(err(before, format!("a second root element <{name}>")));
                }
                if stack.is_empty() && name != spec.root {
                    return Err(err(
                        before,
                        format!(
                            "expected <{}> as the root element, found <{name}>",
                            spec.root
                        ),
                    ));
                }
                if spec.skip.contains(&name.as_str()) {
                    if !empty {
                        skip_depth = 1;
                    }
                    continue;
                }
                let mut el = Elem {
                    name,
                    line: lines.at(before as usize + leading_space(text, before as usize)),
                    ..Elem::default()
                };
                for a in s.attributes() {
                    let a = a.map_err(|e| err(before, format!("attribute: {e}")))?;
                    let key = a.key.as_ref().to_string();
                    let value = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| err(before, format!("attribute {key}: {e}")))?;
                    el.attrs.push((key, value.into_owned()));
                }
                if empty {
                    close(el, &mut stack, &mut root, spec, &mut each)?;
                } else {
                    stack.push(el);
                }
            }
            Event::End(_) => match stack.pop() {
                Some(el) => close(el, &mut stack, &mut root, spec, &mut each)?,
                None => return Err(err(before, "a closing tag without its opening tag".into())),
            },
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.into_inner());
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&c.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match quick_xml::escape::resolve_predefined_entity(&r) {
                        Some(s) => s.to_string(),
                        None => {
                            return Err(err(
                                before,
                                format!("undefined entity &{}; (entities are never expanded)", &*r),
                            ));
                        }
                    },
                    Err(e) => return Err(err(before, format!("character reference: {e}"))),
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::DocType(d) => {
                let d = d.into_inner();
                if d.contains("<!ENTITY") || d.contains("SYSTEM") || d.contains("PUBLIC") {
                    return Err(err(
                        before,
                        "a DOCTYPE with entity declarations or an external DTD is refused \
                         (entities and DTDs are never resolved)"
                            .into(),
                    ));
                }
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            Event::Eof => {
                if let Some(open) = stack.last() {
                    return Err(err(
                        text.len() as u64,
                        format!(
                            "unexpected end of file: <{}> (line {}) is not closed; is the export truncated?",
                            open.name, open.line
                        ),
                    ));
                }
                if skip_depth > 0 {
                    return Err(err(
                        text.len() as u64,
                        "unexpected end of file; is the export truncated?".into(),
                    ));
                }
                return root.ok_or_else(|| err(0, "no root element: the file is empty".into()));
            }
        }
    }
}

/// Bytes of whitespace before the `<` of an event that started at `at`.
fn leading_space(text: &str, at: usize) -> usize {
    text.as_bytes()
        .get(at..)
        .map(|b| b.iter().take_while(|c| c.is_ascii_whitespace()).count())
        .unwrap_or(0)
}

fn close(
    el: Elem,
    stack: &mut [Elem],
    root: &mut Option<Elem>,
    spec: &Spec<'_>,
    each: &mut impl FnMut(Elem) -> Result<(), XmlError>,
) -> Result<(), XmlError> {
    if el.name == spec.record && !stack.is_empty() {
        return each(el);
    }
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
    Ok(())
}

/// quick-xml's message, without its Debug noise.
fn xml_message(e: &quick_xml::Error) -> String {
    let m = e.to_string();
    if m.is_empty() {
        "malformed XML".into()
    } else {
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: Spec<'static> = Spec {
        root: "rss",
        record: "item",
        skip: &["wp:comment"],
    };

    fn items(text: &str) -> Result<Vec<Elem>, XmlError> {
        let mut out = Vec::new();
        read(text, &SPEC, |e| {
            out.push(e);
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn records_text_cdata_references_and_skips() {
        let x = "<rss><channel>\n<item><title>A &amp; <![CDATA[<b>]]>&#233;</title>\
                 <wp:comment><x>skip</x></wp:comment></item></channel></rss>";
        let it = items(x).unwrap();
        assert_eq!(it.len(), 1);
        assert_eq!(it[0].text_of("title"), "A & <b>é");
        assert_eq!(it[0].line, 2);
        assert!(it[0].child("wp:comment").is_none());
    }

    #[test]
    fn truncated_file_names_the_open_element() {
        let x = "<rss><channel>\n<item><title>A</title>";
        let e = items(x).unwrap_err();
        assert!(e.message.contains("<item> (line 2) is not closed"), "{e:?}");
        assert_eq!(position(x, e.offset), (2, 23));
    }

    #[test]
    fn entities_are_never_expanded() {
        let x = "<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<rss>&xxe;</rss>";
        assert!(items(x).unwrap_err().message.contains("DOCTYPE"));
        let e = items("<rss>&xxe;</rss>").unwrap_err();
        assert!(e.message.contains("undefined entity &xxe;"), "{e:?}");
    }

    #[test]
    fn wrong_root_and_mismatched_tags() {
        assert!(
            items("<feed></feed>")
                .unwrap_err()
                .message
                .contains("<rss>")
        );
        assert!(items("<rss><a></b></rss>").is_err());
    }
}
