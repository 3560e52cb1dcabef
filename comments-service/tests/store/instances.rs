//! Several instances on one PostgreSQL database: what was in-process state
//! on SQLite is shared here.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use causerie_comments::config::Moderation;

use crate::fixture::{Backend, Kind, comment};

async fn two() -> (Backend, causerie_comments::store::Store) {
    let b = Backend::new(Kind::Postgres).await;
    let other = b.open().await;
    (b, other)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_write_on_one_instance_moves_the_generation_of_the_other() {
    let (b, other) = two().await;
    let mut lags = Vec::new();
    for i in 0..40 {
        let seen = other.generation();
        let began = Instant::now();
        b.store
            .create_comment(comment("/g/", "Ann", &format!("g{i}"), Moderation::None))
            .await
            .unwrap();
        let acked = began.elapsed();
        while other.generation() == seen {
            assert!(began.elapsed() < Duration::from_secs(5), "never seen");
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        lags.push(began.elapsed().saturating_sub(acked));
        assert_eq!(
            other.page_items("/g/".into()).await.unwrap().len(),
            i + 1,
            "the other instance reads it"
        );
    }
    lags.sort();
    let p50 = lags[lags.len() / 2];
    let p99 = lags[lags.len() * 99 / 100];
    println!(
        "cross-instance visibility lag after the 2xx: p50 {:.2} ms, p99 {:.2} ms",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    assert!(p99 < Duration::from_secs(1), "p99 {p99:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_rebuild_run_is_claimed_by_one_instance() {
    let (b, other) = two().await;
    b.store
        .create_comment(comment("/r/", "Ann", "x", Moderation::None))
        .await
        .unwrap();
    let mine = b.store.claim_rebuild().await.unwrap().expect("free");
    assert!(
        other.claim_rebuild().await.unwrap().is_none(),
        "held by the first"
    );
    assert!(
        b.store.claim_rebuild().await.unwrap().is_none(),
        "not twice either"
    );
    let due = other.rebuild_due().await.unwrap().unwrap();
    b.store.rebuild_finished(due.generation).await.unwrap();
    mine.release().await;
    let theirs = other.claim_rebuild().await.unwrap().expect("free again");
    assert!(
        other.rebuild_due().await.unwrap().is_none(),
        "nothing left to run"
    );
    // a claim dropped without release (its task died) ends with its connection
    drop(theirs);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(b.store.claim_rebuild().await.unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_verification_is_taken_by_one_instance() {
    let (b, other) = two().await;
    for i in 0..30 {
        b.store
            .enqueue_verification(
                format!("https://s{i}.example/"),
                "https://site.example/p/".into(),
            )
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for s in [
        b.store.clone(),
        other.clone(),
        b.store.clone(),
        other.clone(),
    ] {
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            while let Some(job) = s.take_verification().await.unwrap() {
                got.push(job.id);
            }
            got
        }));
    }
    let mut all = HashSet::new();
    for t in tasks {
        for id in t.await.unwrap() {
            assert!(all.insert(id), "job {id} taken twice");
        }
    }
    assert_eq!(all.len(), 30);
    // the instance that took one dies; after the lease another takes it
    let orphan = *all.iter().next().unwrap();
    other.set_verification_lease(Duration::from_millis(1500));
    assert!(other.take_verification().await.unwrap().is_none());
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let mut back = HashSet::new();
    while let Some(job) = other.take_verification().await.unwrap() {
        back.insert(job.id);
    }
    assert!(back.contains(&orphan));
    assert_eq!(back.len(), 30, "every expired lease is taken again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_key_posted_to_two_instances_at_once_makes_one_comment() {
    let (b, other) = two().await;
    for round in 0..10 {
        let key = format!("retry-{round}");
        let n = comment("/k/", "Ann", &format!("k{round}"), Moderation::None);
        let (x, y) = tokio::join!(
            b.store.create_comment_once(n.clone(), Some(key.clone())),
            other.create_comment_once(n, Some(key)),
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        assert_eq!(x.id, y.id, "round {round}");
        assert!(x.replayed != y.replayed, "one made it, one was answered");
    }
    assert_eq!(other.page_items("/k/".into()).await.unwrap().len(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_connection_commits_synchronously() {
    let b = Backend::new(Kind::Postgres).await;
    let pg = b.store.as_postgres().unwrap();
    assert_eq!(pg.server_setting("synchronous_commit").await.unwrap(), "on");
    assert_eq!(pg.server_setting("fsync").await.unwrap(), "on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_listen_connection_is_made_again() {
    let (b, other) = two().await;
    let db = b
        .url
        .as_deref()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let killed = crate::pg::cluster().psql(
        &db,
        &format!(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE application_name = '{}' AND datname = current_database()",
            causerie_comments::store::postgres::LISTENER_NAME
        ),
    );
    assert_eq!(killed, "2", "both instances listen");
    // notifications sent while it was gone may be lost: reconnecting moves
    // the generation anyway, and later writes are seen again
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let seen = other.generation();
    b.store
        .create_comment(comment("/l/", "Ann", "after", Moderation::None))
        .await
        .unwrap();
    let began = Instant::now();
    while other.generation() == seen {
        assert!(
            began.elapsed() < Duration::from_secs(2),
            "not seen after reconnecting"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_pg_dump_restored_elsewhere_serves_the_same_export() {
    let b = Backend::new(Kind::Postgres).await;
    for i in 0..50 {
        b.store
            .create_comment(comment(
                &format!("/d/{}/", i % 4),
                "Ann",
                &format!("d{i}"),
                Moderation::None,
            ))
            .await
            .unwrap();
    }
    let c = crate::pg::cluster();
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("blog.dump");
    let url = b.url.clone().unwrap();
    let run = |tool: &str, args: &[&str]| {
        let out = std::process::Command::new(c.bin.join(tool))
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{tool}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(
        "pg_dump",
        &["-Fc", "-f", dump.to_str().unwrap(), "-d", &url],
    );
    let (_, restored_url) = crate::pg::fresh_named();
    run(
        "pg_restore",
        &["--no-owner", "-d", &restored_url, dump.to_str().unwrap()],
    );
    let restored = causerie_comments::store::Store::connect(&restored_url, 0)
        .await
        .unwrap();
    assert_eq!(export(&restored).await, export(&b.store).await);
    assert_eq!(restored.stored_secret(), b.store.stored_secret());
    // and it goes on from there
    let next = restored
        .create_comment(comment("/d/0/", "Bob", "after restore", Moderation::None))
        .await
        .unwrap();
    assert!(next.id > 50);
}

async fn export(s: &causerie_comments::store::Store) -> Vec<String> {
    use causerie_comments::store::rows::ExportPart;
    let mut rx = s.export_batches(None, ()).await;
    let mut out = Vec::new();
    while let Some(p) = rx.recv().await {
        if let ExportPart::Comments(batch) = p.unwrap() {
            out.extend(batch.iter().map(|c| serde_json::to_string(c).unwrap()));
        }
    }
    assert_eq!(out.len(), 50);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_change_committing_during_the_run_keeps_its_request() {
    let b = Backend::new(Kind::Postgres).await;
    let pg = b.store.as_postgres().unwrap();
    // a write in flight: its request row has the smaller id, its commit comes later
    let mut slow = pg.conn().await.unwrap();
    let tx = slow.transaction().await.unwrap();
    tx.execute(
        "INSERT INTO rebuild_requests (at_us, xact) VALUES (0, pg_current_xact_id()::text::bigint)",
        &[],
    )
    .await
    .unwrap();
    b.store
        .create_comment(comment("/w/", "Ann", "fast", Moderation::None))
        .await
        .unwrap();
    let due = b.store.rebuild_due().await.unwrap().expect("the fast one");
    // the run has begun (it read what to build); now the slow one commits
    tx.commit().await.unwrap();
    b.store.rebuild_finished(due.generation).await.unwrap();
    assert!(
        b.store.rebuild_due().await.unwrap().is_some(),
        "the change that committed during the run still asks for its rebuild"
    );
    let again = b.store.rebuild_due().await.unwrap().unwrap();
    b.store.rebuild_finished(again.generation).await.unwrap();
    assert!(b.store.rebuild_due().await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rate_limit_hits_are_counted_across_instances() {
    let (b, other) = two().await;
    let mut counted = Vec::new();
    for i in 0..6 {
        let s = if i % 2 == 0 { &b.store } else { &other };
        counted.push(s.count_hit("addr-1", 60_000_000).await.unwrap().unwrap());
    }
    assert_eq!(counted, vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(
        other.count_hit("addr-2", 60_000_000).await.unwrap(),
        Some(1)
    );
    assert_eq!(
        b.store.count_hit("addr-1", 120_000_000).await.unwrap(),
        Some(1),
        "a new window"
    );
    assert_eq!(b.store.forget_rate_windows(120_000_000).await.unwrap(), 1);
}
