//! Truncated and mutated WXR and Disqus files never panic the readers or the
//! planner: they are either read or refused with an error.

use std::io::Cursor;
use std::path::Path;

use causerie_comments::import::xml::XmlReader;
use causerie_comments::import::{self, Context, Conversation, disqus, wxr};
use causerie_comments::markdown::Renderer;
use causerie_comments::tokens::Keys;
use proptest::prelude::*;

use super::fixture;

fn parse(kind: &str, bytes: Vec<u8>) {
    let x = XmlReader::new(Cursor::new(bytes), Path::new("fuzz.xml"));
    let mut progress = |_| {};
    let read: causerie_comments::error::Result<Conversation> = match kind {
        "wordpress" => wxr::read(x, &mut progress),
        _ => disqus::read(x, &mut progress),
    };
    if let Ok(conv) = read {
        let renderer = Renderer::new(false);
        let keys = Keys::new(b"fuzz");
        let cx = Context {
            renderer: &renderer,
            keys: &keys,
            matcher: None,
            owner: Some("Ada"),
        };
        let _ = import::plan(conv, &cx);
    }
}

fn sample(kind: &str) -> Vec<u8> {
    let name = if kind == "wordpress" {
        "wordpress-org.xml"
    } else {
        "disqus.xml"
    };
    std::fs::read(fixture(name)).unwrap()
}

const NASTY: &[u8] = b"<>&;\"'/![]-=:#x0 \n\xff\xd8";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn truncated_files_do_not_panic(kind in prop_oneof![Just("wordpress"), Just("disqus")], cut in 0.0f64..1.0) {
        let mut bytes = sample(kind);
        let at = (bytes.len() as f64 * cut) as usize;
        bytes.truncate(at);
        parse(kind, bytes);
    }

    #[test]
    fn mutated_files_do_not_panic(
        kind in prop_oneof![Just("wordpress"), Just("disqus")],
        edits in proptest::collection::vec((0.0f64..1.0, 0usize..NASTY.len(), 0usize..3), 1..12),
    ) {
        let mut bytes = sample(kind);
        for (pos, b, op) in edits {
            if bytes.is_empty() {
                break;
            }
            let i = ((bytes.len() - 1) as f64 * pos) as usize;
            match op {
                0 => bytes[i] = NASTY[b],
                1 => bytes.insert(i, NASTY[b]),
                _ => { bytes.remove(i); }
            }
        }
        parse(kind, bytes);
    }
}
