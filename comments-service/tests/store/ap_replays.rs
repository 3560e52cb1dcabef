//! The inbox's memory of accepted signatures, on both backends: a hash is
//! taken once until it expires, by any handle (a second instance on
//! PostgreSQL), and expired rows are forgotten.

use causerie_comments::store::now_us;

use crate::both;
use crate::fixture::Backend;

both!(a_signature_is_taken_once_by_any_instance_until_it_expires);

async fn a_signature_is_taken_once_by_any_instance_until_it_expires(b: Backend) {
    let (s, other) = (&b.store, b.open().await);
    let now = now_us();
    let until = now + 600_000_000;
    let h = vec![7u8; 32];
    assert!(s.ap_signature_first(h.clone(), now, until).await.unwrap());
    assert!(
        !other
            .ap_signature_first(h.clone(), now, until)
            .await
            .unwrap(),
        "the other instance sees the replay"
    );
    assert!(
        !s.ap_signature_first(h.clone(), now + 1, until)
            .await
            .unwrap()
    );
    assert!(
        s.ap_signature_first(vec![8u8; 32], now, until)
            .await
            .unwrap()
    );
    // after it expired the same hash is taken again (its date is refused anyway)
    assert!(
        s.ap_signature_first(h.clone(), until, until + 600_000_000)
            .await
            .unwrap()
    );
    assert!(
        !other
            .ap_signature_first(h.clone(), until + 1, until + 1)
            .await
            .unwrap()
    );
    // many at once: exactly one wins
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let s = if i % 2 == 0 { s.clone() } else { other.clone() };
            tokio::spawn(async move {
                s.ap_signature_first(vec![9u8; 32], now, until)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut won = 0;
    for t in tasks {
        won += usize::from(t.await.unwrap());
    }
    assert_eq!(won, 1);
    // housekeeping forgets only what has expired
    assert_eq!(
        s.ap_forget_signatures(until).await.unwrap(),
        2,
        "7… moved on; 8… and 9… expire at `until`"
    );
    assert!(
        !s.ap_signature_first(h, until + 2, until + 2).await.unwrap(),
        "kept"
    );
}
