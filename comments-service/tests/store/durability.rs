//! What is acknowledged is kept: reopened stores (a restarted service, or
//! another instance) see every acknowledged write, and the same secret.

use causerie_comments::config::Moderation;

use crate::both;
use crate::fixture::{Backend, comment};

both!(
    an_acknowledged_write_survives_reopening,
    the_secret_is_made_once
);

async fn an_acknowledged_write_survives_reopening(b: Backend) {
    let mut ids = Vec::new();
    for i in 0..20 {
        let n = comment("/d/", "Ann", &format!("d{i}"), Moderation::None);
        ids.push(b.store.create_comment(n).await.unwrap().id);
    }
    let Backend { store, .. } = &b;
    drop(store.clone());
    let again = b.open().await;
    let got: Vec<i64> = again
        .page_items("/d/".into())
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(got, ids);
    assert!(
        again.rebuild_due().await.unwrap().is_some(),
        "the rebuild request too"
    );
}

async fn the_secret_is_made_once(b: Backend) {
    let first = b.store.stored_secret().to_vec();
    assert_eq!(first.len(), 32);
    let again = b.open().await;
    assert_eq!(again.stored_secret(), first.as_slice());
}
