//! `causerie-comments import --database-url`: the real binary imports into
//! PostgreSQL in one transaction, a dry run writes nothing, a second run
//! adds nothing, and a running instance sees the import at once (NOTIFY).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use causerie_comments::store::Store;

use crate::pg;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn import(url: &str, extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_causerie-comments"))
        .args(["import", "wordpress"])
        .arg(fixture("wordpress-org.xml"))
        .arg("--pages")
        .arg(fixture("causerie-pages.json"))
        .args(["--database-url", url])
        .args(extra)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains(&pg::cluster().password), "{err}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_import_into_postgres_is_whole_once_and_seen_by_running_instances() {
    let url = pg::fresh_database();
    let service = Store::connect(&url, 0).await.unwrap();
    let dry = import(&url, &["--dry-run"]);
    assert!(dry.contains("6 comments (1 held)"), "{dry}");
    assert_eq!(service.export_count().await, 0, "a dry run writes nothing");
    let seen = service.generation();
    let first = import(&url, &[]);
    assert!(first.starts_with("imported 6 comments (1 held)"), "{first}");
    let began = Instant::now();
    while service.generation() == seen {
        assert!(
            began.elapsed() < Duration::from_secs(2),
            "the running instance never heard"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(service.export_count().await, 5);
    assert!(
        service.rebuild_due().await.unwrap().is_some(),
        "it asks for a rebuild"
    );
    let again = import(&url, &[]);
    assert!(again.contains("imported 0 comments"), "{again}");
    assert_eq!(service.export_count().await, 5);
}

trait ExportCount {
    async fn export_count(&self) -> usize;
}

impl ExportCount for Store {
    async fn export_count(&self) -> usize {
        use causerie_comments::store::rows::ExportPart;
        let mut rx = self.export_batches(None, ()).await;
        let mut n = 0;
        while let Some(p) = rx.recv().await {
            if let ExportPart::Comments(b) = p.unwrap() {
                n += b.len();
            }
        }
        n
    }
}
