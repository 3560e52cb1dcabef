//! The fediverse actor's half in the service (docs/activitypub.md): the key
//! pair is made once and kept across restarts, the export carries its public
//! key and the follower count, `/activitypub/followers` counts, the private
//! key never shows; without `[activitypub]` none of it exists.

use crate::helpers::*;
use crate::pg;

fn config() -> String {
    format!("{}\n[activitypub]\nusername = \"blog\"\n", open_config())
}

async fn exported_key(app: &TestApp) -> serde_json::Value {
    let (s, _, v) = app.get("/api/export").await;
    assert_eq!(s, 200, "{v}");
    v["activitypub"].clone()
}

#[tokio::test]
async fn the_key_is_made_once_kept_across_restarts_and_exported() {
    let mut app = TestApp::spawn(&config()).await;
    let ap = exported_key(&app).await;
    let pem = ap["public_key_pem"].as_str().unwrap().to_string();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{pem}");
    assert!(pem.ends_with("-----END PUBLIC KEY-----\n"));
    assert!(pem.len() > 400, "an RSA-2048 key: {pem}");
    assert_eq!(ap["followers"], 0);
    assert_eq!(exported_key(&app).await["public_key_pem"], pem.as_str());
    let log = app.kill9();
    assert!(!log.contains("PRIVATE KEY"), "{log}");
    app.start();
    assert_eq!(
        exported_key(&app).await["public_key_pem"],
        pem.as_str(),
        "the same key after a restart"
    );
    let (s, h, v) = app.get("/activitypub/followers").await;
    assert_eq!(s, 200);
    assert_eq!(h["content-type"], "application/activity+json");
    assert_eq!(v["type"], "OrderedCollection");
    assert_eq!(v["totalItems"], 0);
    assert!(v.get("orderedItems").is_none(), "counts only: {v}");
    assert!(
        v["id"]
            .as_str()
            .unwrap()
            .ends_with("/activitypub/followers")
    );
    let log = app.stop();
    assert!(!log.contains("PRIVATE KEY"), "{log}");
}

#[tokio::test]
async fn without_activitypub_there_is_no_key_and_no_collection() {
    let app = TestApp::spawn(&open_config()).await;
    let (s, _, v) = app.get("/api/export").await;
    assert_eq!(s, 200);
    assert!(v.get("activitypub").is_none(), "{v}");
    assert_eq!(app.get("/activitypub/followers").await.0, 404);
}

#[tokio::test]
async fn a_bad_username_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        format!(
            "{}\n[activitypub]\nusername = \"Blog Name\"\n",
            open_config()
        ),
    )
    .unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_causerie-comments"))
        .arg("--config")
        .arg(&cfg)
        .args(["--listen", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("c.db"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("activitypub.username"), "{err}");
}

#[tokio::test]
async fn instances_on_one_postgres_database_share_one_key() {
    let db = pg::fresh_database();
    // top-level keys come before the tables
    let cfg = format!("database_url = \"{db}\"\n{}", config());
    let (a, b) = tokio::join!(TestApp::spawn(&cfg), TestApp::spawn(&cfg));
    let (ka, kb) = tokio::join!(exported_key(&a), exported_key(&b));
    assert!(
        ka["public_key_pem"]
            .as_str()
            .unwrap()
            .contains("BEGIN PUBLIC KEY")
    );
    assert_eq!(ka["public_key_pem"], kb["public_key_pem"]);
}
