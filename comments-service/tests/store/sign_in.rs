//! Sign-in records: single-use flows (taken once, expired ones never) and
//! sessions (found until they expire or are deleted), on both backends.

use causerie_comments::store::now_us;
use causerie_comments::store::sign_in::SessionRow;

use causerie_comments::config::Moderation;

use crate::both;
use crate::fixture::{Backend, comment};

both!(
    a_flow_is_taken_once_and_never_after_it_expired,
    a_session_is_found_until_it_is_revoked_or_expires,
    a_signed_in_comment_is_verified_and_keeps_its_signer,
);

async fn a_flow_is_taken_once_and_never_after_it_expired(b: Backend) {
    let s = &b.store;
    let now = now_us();
    s.put_flow("state-1", r#"{"pkce":"v"}"#, now + 60_000_000)
        .await
        .unwrap();
    // another handle (a second instance on PostgreSQL) sees it and takes it
    let other = b.open().await;
    assert_eq!(
        other.take_flow("state-1", now).await.unwrap().as_deref(),
        Some(r#"{"pkce":"v"}"#)
    );
    assert_eq!(s.take_flow("state-1", now).await.unwrap(), None, "once");
    s.put_flow("state-2", "{}", now + 1_000).await.unwrap();
    assert_eq!(
        s.take_flow("state-2", now + 1_000).await.unwrap(),
        None,
        "expired"
    );
    assert_eq!(s.take_flow("unknown", now).await.unwrap(), None);
    // taking at once from many tasks: exactly one wins
    s.put_flow("race", "x", now + 60_000_000).await.unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.take_flow("race", now).await.unwrap() })
        })
        .collect();
    let mut won = 0;
    for t in tasks {
        won += usize::from(t.await.unwrap().is_some());
    }
    assert_eq!(won, 1);
    s.put_flow("old", "x", now - 1).await.unwrap();
    assert!(s.forget_expired_sign_ins(now).await.unwrap() >= 1);
}

async fn a_session_is_found_until_it_is_revoked_or_expires(b: Backend) {
    let s = &b.store;
    let now = now_us();
    let row = SessionRow {
        id_hash: "h1".into(),
        identity: r#"{"name":"Ada"}"#.into(),
        csrf: "c1".into(),
        created_us: now,
        expires_us: now + 60_000_000,
    };
    s.put_session(row.clone()).await.unwrap();
    assert_eq!(s.session("h1", now).await.unwrap(), Some(row.clone()));
    assert_eq!(s.session("h1", now + 60_000_000).await.unwrap(), None);
    assert_eq!(s.session("h2", now).await.unwrap(), None);
    assert!(s.delete_session("h1").await.unwrap());
    assert!(!s.delete_session("h1").await.unwrap());
    assert_eq!(s.session("h1", now).await.unwrap(), None, "revoked");
    s.put_session(SessionRow {
        id_hash: "h3".into(),
        expires_us: now - 1,
        ..row
    })
    .await
    .unwrap();
    assert_eq!(s.forget_expired_sign_ins(now).await.unwrap(), 1);
}

async fn a_signed_in_comment_is_verified_and_keeps_its_signer(b: Backend) {
    let s = &b.store;
    let mut signed = comment("/v/", "Ada", "signed", Moderation::None);
    signed.verified = true;
    signed.signed_in_as = Some("signer-key".into());
    let a = s.create_comment(signed).await.unwrap();
    let anon = s
        .create_comment(comment("/v/", "Bob", "anonymous", Moderation::None))
        .await
        .unwrap();
    let items = s.page_items("/v/".into()).await.unwrap();
    let flags: Vec<(i64, bool)> = items.iter().map(|c| (c.id, c.verified)).collect();
    assert_eq!(flags, [(a.id, true), (anon.id, false)]);
    let (own, _) = s.own_comment(a.id).await.unwrap().unwrap();
    assert!(own.verified);
    assert_eq!(
        s.signed_in_as(a.id).await.unwrap().as_deref(),
        Some("signer-key")
    );
    assert_eq!(s.signed_in_as(anon.id).await.unwrap(), None);
    assert_eq!(s.signed_in_as(999_999).await.unwrap(), None);
    let mut rx = s.export_batches(None, ()).await;
    let mut exported = Vec::new();
    while let Some(part) = rx.recv().await {
        if let causerie_comments::store::rows::ExportPart::Comments(cs) = part.unwrap() {
            exported.extend(cs.into_iter().map(|c| (c.id, c.verified)));
        }
    }
    assert_eq!(exported, flags, "the export carries the mark");
}
