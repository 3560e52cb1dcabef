//! Running the real binary over fixture sites.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_causerie"))
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fresh copy of a fixture in a temp dir (tests may edit it).
pub fn copy_fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path().join(name);
    copy_dir(&fixture(name), &dst);
    (tmp, dst)
}

pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

pub fn run(args: &[&str], cwd: &Path) -> Output {
    bin().args(args).current_dir(cwd).output().unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `check` on a broken fixture: exit 1 and exactly these diagnostic lines.
pub fn assert_check_errors(name: &str, expected: &[&str]) {
    // A copy: builds write a `.causerie/` cache into the site.
    let (_guard, site) = copy_fixture(name);
    let o = run(&["check"], &site);
    assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(&o));
    let lines: Vec<String> = stderr(&o)
        .lines()
        .filter(|l| l.contains(": "))
        .map(String::from)
        .collect();
    assert_eq!(lines, expected, "{name}");
    // build reports the same and writes nothing
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let o = run(&["build", "--output", out.to_str().unwrap()], &site);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(expected[0]), "{}", stderr(&o));
    assert!(!out.exists(), "a failed build must not create the output");
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "no staging debris"
    );
}

pub fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", p.as_ref().display()))
}

/// Every file under `dir` with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut m = BTreeMap::new();
    fn walk(root: &Path, d: &Path, m: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                walk(root, &e.path(), m);
            } else {
                let rel = e
                    .path()
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                m.insert(rel, std::fs::read(e.path()).unwrap());
            }
        }
    }
    walk(dir, dir, &mut m);
    m
}
