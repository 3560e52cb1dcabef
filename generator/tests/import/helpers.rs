//! Shared by the import tests: fresh sites, running the binary, file trees.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// A fresh site (config only) in a temp dir.
pub fn site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        root.join("causerie.toml"),
        "base_url = \"https://new.example/\"\ntitle = \"Moved\"\nlanguage = \"en\"\n",
    )
    .unwrap();
    (tmp, root)
}

pub fn causerie(args: &[&str], root: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_causerie"))
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .unwrap()
}

pub fn import(kind: &str, file: &Path, root: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["import", kind, file.to_str().unwrap()];
    args.extend_from_slice(extra);
    causerie(&args, root)
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn ok(o: Output) -> Output {
    assert!(o.status.success(), "{}", text(&o));
    o
}

pub fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every file under `dir` with its bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walk(dir) {
        let rel = e.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        out.insert(rel, std::fs::read(&e).unwrap());
    }
    out
}

pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

pub fn wordpress_site() -> (tempfile::TempDir, PathBuf, Output) {
    let (tmp, root) = site();
    let media = fixture("uploads");
    let o = ok(import(
        "wordpress",
        &fixture("wordpress-org.xml"),
        &root,
        &["--media", media.to_str().unwrap()],
    ));
    (tmp, root, o)
}
