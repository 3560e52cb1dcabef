//! The random edit sequences, the CLI cache and verify mode, each checked against a clean build.

use super::*;

fn run(seed: u64, steps: usize, mode: Mode) {
    let always_partial = mode != Mode::Plain;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    let inc = tmp.path().join("inc");
    let full = tmp.path().join("full");
    let mut site = SiteGen::new(root.clone(), seed);
    let opts = fixed_clock();
    let mut engine = Engine::new();
    if always_partial {
        engine.set_partial_limit(1.0);
    }
    let mut history = Vec::new();
    let mut partial_builds = 0;
    let mut patched_builds = 0;
    for step in 0..=steps {
        let before = sources(&root);
        let what = if step == 0 {
            "first build".to_string()
        } else {
            site.step()
        };
        let after = sources(&root);
        let touched: Vec<PathBuf> = before
            .iter()
            .filter(|(p, b)| after.get(*p) != Some(*b))
            .map(|(p, _)| p.clone())
            .chain(after.keys().filter(|p| !before.contains_key(*p)).cloned())
            .collect();
        history.push(what);
        let label = format!("seed {seed} step {step}: {}", history.join("; "));
        let a = if mode == Mode::Told && step > 0 {
            engine.build_changed(&root, &inc, &opts, Some(&touched))
        } else {
            engine.build(&root, &inc, &opts)
        };
        if full.exists() {
            std::fs::remove_dir_all(&full).unwrap();
        }
        let b = build::run(&root, &full, &opts);
        match (a, b) {
            (Ok(o), Ok(_)) => {
                if !o.full {
                    partial_builds += 1;
                }
                if o.patched {
                    patched_builds += 1;
                }
                assert_same(&inc, &full, &label);
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{label}"),
            (a, b) => panic!("{label}: incremental {:?} vs full {:?}", a.err(), b.err()),
        }
    }
    // A small site often crosses the "most of it changed" line (full
    // builds); the always-partial runs cover the partial path everywhere.
    if mode == Mode::Told {
        assert!(
            patched_builds >= steps / 5,
            "seed {seed}: only {patched_builds} patched builds"
        );
    }
    let want = if always_partial { steps / 2 } else { 1 };
    assert!(
        partial_builds >= want,
        "seed {seed}: too few partial builds ({partial_builds})"
    );
}

#[test]
fn random_edits_match_a_clean_build() {
    for seed in [1, 2, 3] {
        run(seed * 7919, 30, Mode::Plain);
    }
}

#[test]
fn random_edits_match_a_clean_build_always_partial() {
    for seed in [4, 5, 6] {
        run(seed * 104_729, 30, Mode::AlwaysPartial);
    }
}

#[test]
fn random_edits_match_a_clean_build_when_told_what_changed() {
    for seed in [7, 8, 9] {
        run(seed * 1_299_709, 40, Mode::Told);
    }
}

/// `causerie build` (the binary) keeps its engine under `.causerie/`: a
/// rebuild renders less and still matches a clean build; a damaged or
/// foreign cache is ignored.
#[test]
fn cli_build_reuses_its_cache_and_matches_a_clean_build() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    let inc = tmp.path().join("inc");
    let full = tmp.path().join("full");
    let mut site = SiteGen::new(root.clone(), 99);
    let opts = BuildOptions::default();
    let mut partial = 0;
    for step in 0..=16 {
        let what = match step {
            0 => "first build".to_string(),
            6 => {
                // Damage the cache: it must be ignored, not trusted.
                for f in ["build-records.bin", "build-markdown.bin"] {
                    let p = root.join(".causerie").join(f);
                    let mut b = std::fs::read(&p).unwrap();
                    let n = b.len();
                    for i in (40..n).step_by(97) {
                        b[i] ^= 0x5a;
                    }
                    std::fs::write(&p, b).unwrap();
                }
                site.step()
            }
            11 => {
                // A cache from another Causerie: ignored.
                for f in ["build-records.bin", "build-markdown.bin"] {
                    std::fs::write(
                        root.join(".causerie").join(f),
                        b"causerie-cache\n\x07\0\0\0",
                    )
                    .unwrap();
                }
                site.step()
            }
            _ => site.step(),
        };
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_causerie"))
            .args(["build", "--root"])
            .arg(&root)
            .arg("--output")
            .arg(&inc)
            .output()
            .unwrap();
        if full.exists() {
            std::fs::remove_dir_all(&full).unwrap();
        }
        let clean = build::run(&root, &full, &opts);
        let label = format!("cli step {step}: {what}");
        match (out.status.success(), clean) {
            (true, Ok(_)) => {
                let stdout = String::from_utf8_lossy(&out.stdout);
                let (rendered, jobs) = stdout
                    .split(" outputs rendered")
                    .next()
                    .and_then(|s| s.rsplit('(').next())
                    .and_then(|s| s.split_once(" of "))
                    .map(|(a, b)| (a.parse::<usize>().unwrap(), b.parse::<usize>().unwrap()))
                    .unwrap_or_else(|| panic!("{label}: {stdout}"));
                if rendered < jobs {
                    partial += 1;
                }
                assert_same(&inc, &full, &label);
            }
            (false, Err(_)) => {}
            (a, b) => panic!(
                "{label}: binary ok={a} ({}) vs clean {:?}",
                String::from_utf8_lossy(&out.stderr),
                b.err()
            ),
        }
    }
    assert!(partial >= 5, "only {partial} partial CLI builds");
}

/// Every build in the test suite runs in verify mode (`.cargo/config.toml`
/// `[env]`, `tests/run`): the engine renders the jobs it keeps as clean and
/// fails on a difference. Without it the tests above would check the keys
/// only where their own comparisons look.
#[test]
fn the_suite_runs_in_verify_mode() {
    assert_eq!(
        std::env::var("CAUSERIE_VERIFY").as_deref(),
        Ok("1"),
        "run the tests through cargo (test or nextest) from the workspace, or tests/run"
    );
}
