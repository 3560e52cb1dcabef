//! Times syntax highlighting per language over the fenced code blocks of a
//! directory of markdown files: `cargo run --release --example hlbench DIR`.

use std::collections::BTreeMap;
use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: hlbench DIR");
    let mut blocks: Vec<(String, String)> = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        let mut lang: Option<String> = None;
        let mut code = String::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("```") {
                match lang.take() {
                    Some(l) => blocks.push((l, std::mem::take(&mut code))),
                    None => lang = Some(rest.trim().to_string()),
                }
            } else if lang.is_some() {
                code.push_str(line);
                code.push('\n');
            }
        }
    }
    {
        let mut per: BTreeMap<String, (usize, f64)> = BTreeMap::new();
        for (l, c) in &blocks {
            let t = Instant::now();
            let _ = causerie::highlight::highlight(l, c);
            let e = per.entry(l.clone()).or_default();
            e.0 += 1;
            e.1 += t.elapsed().as_secs_f64();
        }
        for (l, (n, s)) in &per {
            println!(
                "causerie {l}: {n} blocks, {:.3} ms each",
                s * 1e3 / *n as f64
            );
        }
    }
    let store = std::sync::Arc::new(arborium::GrammarStore::new());
    let mut per: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    for lang in ["rust", "python", "js", "bash"] {
        let t = Instant::now();
        store.get(lang);
        println!("compile {lang}: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    }
    for depth in [0u32, 1] {
        let mut hl = arborium::Highlighter::with_store_and_config(
            store.clone(),
            arborium::Config {
                max_injection_depth: depth,
                html_format: arborium::HtmlFormat::ClassNamesWithPrefix("hl".into()),
            },
        );
        per.clear();
        for (l, c) in &blocks {
            let t = Instant::now();
            let _ = hl.highlight(l, c);
            let e = per.entry(l.clone()).or_default();
            e.0 += 1;
            e.1 += t.elapsed().as_secs_f64();
        }
        for (l, (n, s)) in &per {
            println!(
                "depth {depth} {l}: {n} blocks, {:.3} ms each",
                s * 1e3 / *n as f64
            );
        }
        let mut spans = 0;
        let t = Instant::now();
        for (l, c) in &blocks {
            spans += hl.highlight_spans(l, c).map(|s| s.len()).unwrap_or(0);
        }
        println!(
            "depth {depth} spans only: {:.3} ms each ({spans} spans)",
            t.elapsed().as_secs_f64() * 1e3 / blocks.len() as f64
        );
    }
}
