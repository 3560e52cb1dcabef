//! `causerie-comments migrate-db --to postgres://…`: copies the SQLite store
//! into PostgreSQL in one transaction, keeping every id, then checks the copy
//! by comparing the export of both.
//!
//! Running it again adds nothing (rows are upserted by their keys). A target
//! that already holds a conversation is refused unless it is a copy of this
//! same store, which the shared signing secret (the `settings` row) tells.

use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};
use tokio_postgres::types::ToSql;

use crate::config::DatabaseUrl;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::rows::ExportPart;

/// What a copy added, table by table (rows that were already there are not counted).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    pub comments: u64,
    pub other_rows: u64,
    /// Comments the source holds.
    pub total: u64,
}

/// Runs the command; prints what was copied and the check on stdout.
pub fn run(db: &Path, to: &DatabaseUrl) -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| Error::Io {
            path: "tokio runtime".into(),
            source,
        })?;
    rt.block_on(async {
        let (copied, items) = copy_and_check(db, to.expose()).await?;
        println!(
            "copied {} to {}: {} new comments ({} in the source), {} other new rows",
            db.display(),
            to.target(),
            copied.comments,
            copied.total,
            copied.other_rows
        );
        println!("checked: the export of both is the same ({items} published items)");
        Ok(())
    })
}

/// Copies `db` into the database at `url` and compares the exports; the
/// count of items in the (equal) exports.
pub async fn copy_and_check(db: &Path, url: &str) -> Result<(Copied, u64)> {
    if !db.exists() {
        return Err(Error::Io {
            path: db.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such database"),
        });
    }
    // Opening migrates the file to this build's schema (as the service would).
    let source = Store::open_beside_service(db, 0)?;
    let target = Store::connect(url, 0).await?;
    let copied = copy(db, &target).await?;
    target.forget_cached_reads();
    let (a, n) = export_digest(&source).await?;
    let (b, m) = export_digest(&target).await?;
    if a != b || n != m {
        return Err(Error::Import {
            at: db.display().to_string(),
            message: format!(
                "the copy's export differs from the source's ({n} items here, {m} there): \
                 the target was changed since an earlier copy"
            ),
        });
    }
    Ok((copied, n))
}

/// Every table, in one transaction.
async fn copy(db: &Path, target: &Store) -> Result<Copied> {
    let src = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    src.busy_timeout(std::time::Duration::from_secs(10))?;
    let read = src.unchecked_transaction()?;
    let pg = target
        .as_postgres()
        .ok_or_else(|| Error::Config("migrate-db: --to must be a postgres:// URL".into()))?;
    let mut c = pg.conn().await?;
    let tx = c.transaction().await?;
    // One copy at a time; the advisory lock also keeps instances out of the check.
    tx.execute("SELECT pg_advisory_xact_lock(6381677347020803)", &[])
        .await?;
    refuse_foreign(&read, &tx, db).await?;
    let mut copied = Copied::default();
    let tables: &[(&str, &str, &str)] = &[
        (
            "settings",
            "key, value",
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        ),
        (
            "comments",
            "id, page, parent, kind, status, author, email, website, author_photo, url, source, body_md, \
             body_html, is_owner, commenter_key, client_addr, created_us, updated_us, held_reason, edited_us, \
             verified, signed_in_as",
            "ON CONFLICT (id) DO UPDATE SET page = EXCLUDED.page, parent = EXCLUDED.parent, kind = EXCLUDED.kind, \
             status = EXCLUDED.status, author = EXCLUDED.author, email = EXCLUDED.email, website = EXCLUDED.website, \
             author_photo = EXCLUDED.author_photo, url = EXCLUDED.url, source = EXCLUDED.source, \
             body_md = EXCLUDED.body_md, body_html = EXCLUDED.body_html, is_owner = EXCLUDED.is_owner, \
             commenter_key = EXCLUDED.commenter_key, client_addr = EXCLUDED.client_addr, \
             created_us = EXCLUDED.created_us, updated_us = EXCLUDED.updated_us, \
             held_reason = EXCLUDED.held_reason, edited_us = EXCLUDED.edited_us, \
             verified = EXCLUDED.verified, signed_in_as = EXCLUDED.signed_in_as",
        ),
        (
            "trusted_commenters",
            "commenter_key",
            "ON CONFLICT DO NOTHING",
        ),
        (
            "import_keys",
            "format, source_id, comment_id",
            "ON CONFLICT DO NOTHING",
        ),
        (
            "idempotency_keys",
            "key, comment_id, created_us",
            "ON CONFLICT DO NOTHING",
        ),
        (
            "mention_queue",
            "id, source, target, received_us, not_before_us, taken_us, attempts",
            "ON CONFLICT (id) DO UPDATE SET not_before_us = EXCLUDED.not_before_us, \
             taken_us = EXCLUDED.taken_us, attempts = EXCLUDED.attempts",
        ),
        (
            "subscriptions",
            "id, comment_id, email, created_us, confirmed_us",
            "ON CONFLICT (id) DO UPDATE SET confirmed_us = EXCLUDED.confirmed_us",
        ),
        (
            "outbox",
            "id, kind, comment_id, subscription_id, recipient, created_us, not_before_us, \
             taken_us, attempts, sent_us, acted_us",
            "ON CONFLICT (id) DO UPDATE SET recipient = EXCLUDED.recipient, \
             not_before_us = EXCLUDED.not_before_us, taken_us = EXCLUDED.taken_us, \
             attempts = EXCLUDED.attempts, sent_us = EXCLUDED.sent_us, acted_us = EXCLUDED.acted_us",
        ),
        // the fediverse (the actor's key pair is a `settings` row)
        (
            "ap_followers",
            "actor, inbox, shared_inbox, created_us",
            "ON CONFLICT (actor) DO UPDATE SET inbox = EXCLUDED.inbox, shared_inbox = EXCLUDED.shared_inbox",
        ),
        (
            "ap_published",
            "object_id, version",
            "ON CONFLICT (object_id) DO UPDATE SET version = EXCLUDED.version",
        ),
        (
            "ap_deliveries",
            "id, activity_id, activity, inbox, created_us, not_before_us, taken_us, attempts, done_us",
            "ON CONFLICT (id) DO UPDATE SET not_before_us = EXCLUDED.not_before_us, \
             taken_us = EXCLUDED.taken_us, attempts = EXCLUDED.attempts, done_us = EXCLUDED.done_us",
        ),
    ];
    for (table, cols, conflict) in tables {
        let n = cols.split(',').count();
        let marks: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
        let insert = tx
            .prepare(&format!(
                "INSERT INTO {table} ({cols}) VALUES ({}) {conflict} RETURNING (xmax = 0)",
                marks.join(", ")
            ))
            .await?;
        let types = insert.params().to_vec();
        let order = if *table == "comments" {
            " ORDER BY id"
        } else {
            ""
        };
        let mut st = read.prepare(&format!("SELECT {cols} FROM {table}{order}"))?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let values = (0..n)
                .map(|i| value(r.get_ref(i)?, &types[i]))
                .collect::<Result<Vec<_>>>()?;
            let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_sql()).collect();
            // DO NOTHING answers no row; an update answers false
            let fresh = match tx.query_opt(&insert, &refs).await? {
                Some(r) => r.try_get::<_, bool>(0)?,
                None => false,
            };
            if *table == "comments" {
                copied.total += 1;
                copied.comments += fresh as u64;
            } else {
                copied.other_rows += fresh as u64;
            }
        }
    }
    // The removal log has no key: add the entries the target lacks.
    let mut st = read.prepare("SELECT comment_id, at_us FROM removals")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let (id, at): (i64, i64) = (r.get(0)?, r.get(1)?);
        copied.other_rows += tx
            .execute(
                "INSERT INTO removals (comment_id, at_us) SELECT $1, $2
                 WHERE NOT EXISTS (SELECT 1 FROM removals WHERE comment_id = $1 AND at_us = $2)",
                &[&id, &at],
            )
            .await?;
    }
    // A waiting rebuild becomes one request of the PostgreSQL kind (one row
    // per change, see the postgres V3 migration), made when its burst began.
    let pending: Option<i64> = read
        .query_row(
            "SELECT first_us FROM rebuild_pending WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .ok();
    if let Some(first) = pending {
        copied.other_rows += tx
            .execute(
                "INSERT INTO rebuild_requests (at_us, xact) SELECT $1, pg_current_xact_id()::text::bigint
                 WHERE NOT EXISTS (SELECT 1 FROM rebuild_requests WHERE at_us = $1)",
                &[&first],
            )
            .await?;
    }
    for table in [
        "comments",
        "mention_queue",
        "subscriptions",
        "outbox",
        "ap_deliveries",
    ] {
        tx.execute(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                   GREATEST((SELECT max(id) FROM {table}), 1))"
            ),
            &[],
        )
        .await?;
    }
    tx.execute(
        "SELECT pg_notify($1, 'rebuild')",
        &[&crate::store::postgres::CHANNEL],
    )
    .await?;
    tx.commit().await?;
    Ok(copied)
}

/// Refuses a target holding a conversation that is not a copy of this store.
async fn refuse_foreign(
    read: &rusqlite::Transaction<'_>,
    tx: &deadpool_postgres::Transaction<'_>,
    db: &Path,
) -> Result<()> {
    let held: i64 = tx
        .query_one(
            "SELECT (SELECT count(*) FROM comments) + (SELECT count(*) FROM mention_queue)
                  + (SELECT count(*) FROM import_keys)",
            &[],
        )
        .await?
        .try_get(0)?;
    if held == 0 {
        return Ok(());
    }
    let ours: Option<Vec<u8>> = read
        .query_row("SELECT value FROM settings WHERE key = 'secret'", [], |r| {
            r.get(0)
        })
        .ok();
    let theirs: Option<Vec<u8>> = tx
        .query_opt("SELECT value FROM settings WHERE key = 'secret'", &[])
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
    if ours.is_some() && ours == theirs {
        return Ok(());
    }
    Err(Error::Config(format!(
        "migrate-db: the target database already holds {held} rows of another conversation \
         (its signing secret is not the one of {}); copy into an empty database",
        db.display()
    )))
}

/// One SQLite value, typed for the PostgreSQL column.
enum Value {
    NullInt(Option<i64>),
    NullInt4(Option<i32>),
    NullBool(Option<bool>),
    NullText(Option<String>),
    NullBytes(Option<Vec<u8>>),
    Int(i64),
    Int4(i32),
    Bool(bool),
    Text(String),
    Bytes(Vec<u8>),
}

impl Value {
    fn as_sql(&self) -> &(dyn ToSql + Sync) {
        match self {
            Value::NullInt(v) => v,
            Value::NullInt4(v) => v,
            Value::NullBool(v) => v,
            Value::NullText(v) => v,
            Value::NullBytes(v) => v,
            Value::Int(v) => v,
            Value::Int4(v) => v,
            Value::Bool(v) => v,
            Value::Text(v) => v,
            Value::Bytes(v) => v,
        }
    }
}

fn value(v: ValueRef<'_>, ty: &tokio_postgres::types::Type) -> Result<Value> {
    use tokio_postgres::types::Type;
    let bad = || Error::Config(format!("migrate-db: a value does not fit a {ty} column"));
    Ok(match (v, ty) {
        (ValueRef::Null, &Type::INT8) => Value::NullInt(None),
        (ValueRef::Null, &Type::INT4) => Value::NullInt4(None),
        (ValueRef::Null, &Type::BOOL) => Value::NullBool(None),
        (ValueRef::Null, &Type::BYTEA) => Value::NullBytes(None),
        (ValueRef::Null, _) => Value::NullText(None),
        (ValueRef::Integer(i), &Type::BOOL) => Value::Bool(i != 0),
        (ValueRef::Integer(i), &Type::INT4) => Value::Int4(i32::try_from(i).map_err(|_| bad())?),
        (ValueRef::Integer(i), _) => Value::Int(i),
        (ValueRef::Blob(b), &Type::BYTEA) | (ValueRef::Text(b), &Type::BYTEA) => {
            Value::Bytes(b.to_vec())
        }
        (ValueRef::Text(t), _) | (ValueRef::Blob(t), _) => {
            Value::Text(String::from_utf8(t.to_vec()).map_err(|_| bad())?)
        }
        (ValueRef::Real(_), _) => return Err(bad()),
    })
}

/// SHA-256 of the export's JSON (batch by batch) and its item count.
async fn export_digest(store: &Store) -> Result<([u8; 32], u64)> {
    let mut rx = store.export_batches(None, ()).await;
    let mut h = Sha256::new();
    let mut n = 0u64;
    while let Some(part) = rx.recv().await {
        match part? {
            ExportPart::Comments(batch) => {
                for c in &batch {
                    let json = serde_json::to_vec(c).map_err(|e| Error::Config(e.to_string()))?;
                    h.update(&json);
                    h.update(b"\n");
                    n += 1;
                }
            }
            ExportPart::Removed(ids) => {
                for id in ids {
                    h.update(id.to_le_bytes());
                }
            }
            ExportPart::End => return Ok((h.finalize().into(), n)),
        }
    }
    Err(Error::Closed)
}
