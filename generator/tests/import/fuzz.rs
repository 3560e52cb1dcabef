//! A proptest of truncated and mutated exports: no panic.

use causerie::import::{blogger, wxr};
use proptest::prelude::*;

fn wxr_text() -> String {
    std::fs::read_to_string(crate::helpers::fixture("wordpress-org.xml")).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// A truncated, or truncated and mutated, export is an error or a
    /// result: never a panic.
    #[test]
    fn truncated_and_mutated_exports_never_panic(
        cut in 0.0f64..1.0,
        at in 0.0f64..1.0,
        byte in prop::sample::select(vec![b'<', b'>', b'&', b'"', b']', b'[', b'/', b'\n', 0xd8, b'x']),
    ) {
        let whole = wxr_text().into_bytes();
        let mut bytes = whole[..(whole.len() as f64 * cut) as usize].to_vec();
        if !bytes.is_empty() {
            let i = ((bytes.len() - 1) as f64 * at) as usize;
            bytes[i] = byte;
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(export) = wxr::read(&text) {
            let none = |_: &str| None;
            for r in &export.records {
                let moved = Default::default();
                let _ = causerie::import::body::convert(
                    r,
                    &causerie::import::shortcodes::Context { by_id: &none, attached: vec![] },
                    &causerie::import::media::Media { dir: None, old_host: String::new(),
                            old_origin: String::new(), moved: &moved },
                );
            }
        }
        let _ = blogger::read(&text);
    }

    /// The same for a Blogger export (the Persian one: multi-byte text cut
    /// anywhere).
    #[test]
    fn truncated_and_mutated_blogger_exports_never_panic(
        cut in 0.0f64..1.0,
        at in 0.0f64..1.0,
        byte in prop::sample::select(vec![b'<', b'>', b'&', b'\'', b';', 0xd8, 0x80]),
    ) {
        let whole = std::fs::read(crate::helpers::fixture("blogger-fa.xml")).unwrap();
        let mut bytes = whole[..(whole.len() as f64 * cut) as usize].to_vec();
        if !bytes.is_empty() {
            let i = ((bytes.len() - 1) as f64 * at) as usize;
            bytes[i] = byte;
        }
        let _ = blogger::read(&String::from_utf8_lossy(&bytes));
    }
}
