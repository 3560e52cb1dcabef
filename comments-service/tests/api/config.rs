//! Start-up: config errors, schema versions, the backup subcommand.

use std::process::Command;

use crate::helpers::{TestApp, comment, open_config};

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_causerie-comments"))
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn an_unknown_config_key_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        "site_url = \"http://x.example\"\n[limits]\ncomments_per_minit = 3\n",
    )
    .unwrap();
    let (code, _, err) = run(&["--config", cfg.to_str().unwrap(), "--listen", "127.0.0.1:0"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("comments_per_minit") && err.contains("c.toml") && err.contains("line 3"),
        "{err}"
    );
}

#[test]
fn a_missing_site_url_and_a_bad_flag_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "moderation = \"all\"\n").unwrap();
    let (code, _, err) = run(&["--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("site_url"), "{err}");
    let (code, _, _) = run(&["--no-such-flag"]);
    assert_eq!(code, 2);
    std::fs::write(
        &cfg,
        "site_url = \"http://x\"\nmoderation = \"sometimes\"\n",
    )
    .unwrap();
    let (code, _, err) = run(&["--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("sometimes") || err.contains("moderation"),
        "{err}"
    );
}

#[tokio::test]
async fn a_database_from_a_newer_version_is_refused() {
    let mut app = TestApp::spawn(&open_config()).await;
    app.stop();
    let c = rusqlite::Connection::open(&app.db).unwrap();
    c.execute(
        "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (999, 'future', '2030-01-01', '0')",
        [],
    )
    .unwrap();
    drop(c);
    let (code, _, err) = run(&[
        "--config",
        app.config.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--db",
        app.db.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("999") && err.contains("newer"), "{err}");
}

#[tokio::test]
async fn backup_copies_the_live_database() {
    let app = TestApp::spawn(&open_config()).await;
    for i in 0..5 {
        app.post_json(&comment("/b/", "A", &format!("c{i}"))).await;
    }
    let dest = app.dir.path().join("copy.db");
    let (code, out, err) = run(&[
        "backup",
        dest.to_str().unwrap(),
        "--db",
        app.db.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("copy.db"));
    let c = rusqlite::Connection::open(&dest).unwrap();
    let n: i64 = c
        .query_row("SELECT count(*) FROM comments", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 5);
    let (code, _, err) = run(&[
        "backup",
        dest.to_str().unwrap(),
        "--db",
        "/nonexistent/x.db",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("/nonexistent/x.db"), "{err}");
}

#[tokio::test]
async fn an_older_database_is_upgraded_and_keeps_its_comments() {
    let mut app = TestApp::spawn(&open_config()).await;
    app.post_json(&comment("/u/", "A", "kept")).await;
    app.stop();
    app.start();
    assert_eq!(app.thread("/u/").await["count"], 1);
}

#[test]
fn an_unopenable_database_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "site_url = \"http://x.example\"\n").unwrap();
    let (code, _, err) = run(&[
        "--config",
        cfg.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--db",
        "/nonexistent-dir/comments.db",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("/nonexistent-dir/comments.db"), "{err}");
}
