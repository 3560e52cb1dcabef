//! Streamed reads: the export and a page's rows come in bounded batches.

use causerie_comments::config::Moderation;
use causerie_comments::store::rows::{BATCH_ROWS, ExportPart, PagePart};
use causerie_comments::store::{Action, now_us};

use crate::both;
use crate::fixture::{Backend, comment};

both!(
    the_export_streams_in_bounded_batches,
    page_rows_follow_the_plan
);

async fn the_export_streams_in_bounded_batches(b: Backend) {
    let s = &b.store;
    let total = BATCH_ROWS * 2 + 10;
    let mut ids = Vec::new();
    for i in 0..total {
        let n = comment(
            &format!("/e/{}/", i % 3),
            "Ann",
            &format!("n{i}"),
            Moderation::None,
        );
        ids.push(s.create_comment(n).await.unwrap().id);
    }
    let (guard, released) = tokio::sync::oneshot::channel::<()>();
    let mut rx = s.export_batches(None, guard).await;
    let (mut seen, mut batches, mut ended) = (Vec::new(), 0, false);
    while let Some(part) = rx.recv().await {
        match part.unwrap() {
            ExportPart::Comments(batch) => {
                assert!(!batch.is_empty() && batch.len() <= BATCH_ROWS);
                batches += 1;
                seen.extend(batch.into_iter().map(|c| c.id));
            }
            ExportPart::Removed(ids) => panic!("a full export lists no removals: {ids:?}"),
            ExportPart::End => ended = true,
        }
    }
    assert!(ended, "the stream says it is complete");
    assert!(batches >= 3, "{batches} batches");
    assert_eq!(seen, ids, "every approved item once, oldest first");
    assert!(
        released.await.is_err(),
        "the guard was dropped when the reader stopped"
    );
    // since: only what changed, and what was removed
    let cut = now_us();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    s.moderate(vec![ids[0]], Action::Reject).await.unwrap();
    s.edit_comment(ids[1], "e".into(), "<p>e</p>".into(), 0)
        .await
        .unwrap();
    let mut rx = s.export_batches(Some(cut), ()).await;
    let (mut changed, mut removed) = (Vec::new(), Vec::new());
    while let Some(part) = rx.recv().await {
        match part.unwrap() {
            ExportPart::Comments(batch) => changed.extend(batch.into_iter().map(|c| c.id)),
            ExportPart::Removed(ids) => removed.extend(ids),
            ExportPart::End => {}
        }
    }
    assert_eq!(changed, vec![ids[1]]);
    assert_eq!(removed, vec![ids[0]]);
}

async fn page_rows_follow_the_plan(b: Backend) {
    let s = &b.store;
    let mut ids = Vec::new();
    for i in 0..5 {
        let n = comment("/t/", "Ann", &format!("c{i}"), Moderation::None);
        ids.push(s.create_comment(n).await.unwrap().id);
    }
    // the plan reverses the order and leaves the last one out
    let mut rx = s
        .page_batches(
            "/t/".into(),
            |shape| {
                assert_eq!(shape.len(), 5);
                shape
                    .iter()
                    .rev()
                    .skip(1)
                    .enumerate()
                    .map(|(i, (id, _))| (*id, i as u32))
                    .collect()
            },
            (),
        )
        .await;
    let mut rows = Vec::new();
    match rx.recv().await.unwrap().unwrap() {
        PagePart::Plan { items, order } => {
            assert_eq!(items, 5);
            assert_eq!(order.len(), 4);
        }
        other => panic!("the plan first, got {other:?}"),
    }
    let mut ended = false;
    while let Some(part) = rx.recv().await {
        match part.unwrap() {
            PagePart::Rows(r) => rows.extend(r.into_iter().map(|c| c.id)),
            PagePart::End => ended = true,
            PagePart::Plan { .. } => panic!("one plan"),
        }
    }
    assert!(ended);
    let want: Vec<i64> = ids.iter().rev().skip(1).copied().collect();
    assert_eq!(rows, want);
}
