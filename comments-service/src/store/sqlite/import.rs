//! Imported conversation in, and the running service noticing it.
//!
//! Part of the SQLite backend (store/sqlite/) so an import is
//! one job of the ordinary writer: one transaction for the whole plan (all or
//! nothing), `synchronous=FULL`, and the same durable rebuild request a new
//! comment makes. `import` runs as its own process, so the service learns of
//! it by polling `PRAGMA data_version` ([`OutsideWrites`]), which changes
//! whenever another connection commits.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::Ordering;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::Sqlite;
use crate::error::Result;
use crate::model::{Kind, Status};
use crate::store::Micros;

/// One imported comment or mention, parsed and sanitized.
#[derive(Debug, Clone)]
pub struct ImportRow {
    /// The item's id in its export (with the format, the import key).
    pub key: String,
    /// The key of the item it answers (written earlier in the same plan).
    pub parent_key: Option<String>,
    pub page: String,
    pub kind: Kind,
    pub status: Status,
    pub author: String,
    pub email: Option<String>,
    pub website: Option<String>,
    /// A mention's source URL.
    pub source: Option<String>,
    pub body_md: String,
    pub body_html: String,
    pub is_owner: bool,
    pub commenter_key: String,
    pub created_us: Micros,
}

/// What an import added (or, for a dry run, would add).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportCounts {
    pub comments: usize,
    /// Of `comments`, held for moderation.
    pub held: usize,
    pub mentions: usize,
    /// Already in the store from an earlier run (or the same mention).
    pub already: usize,
}

impl Sqlite {
    /// Writes `rows` (parents before replies) in one transaction; items
    /// already imported under the same `format` and key are skipped.
    pub async fn import(&self, format: &'static str, rows: Vec<ImportRow>) -> Result<ImportCounts> {
        self.write(move |ctx| {
            let (counts, approved) = apply(ctx.conn, format, &rows, true, ctx.now_us)?;
            ctx.rebuild |= approved;
            Ok(counts)
        })
        .await
    }

    /// Forgets cached read answers (the store changed behind the writer).
    pub fn forget_cached_reads(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.readers.path
    }

    /// A watch on commits made by other processes.
    pub fn watch_outside_writes(&self) -> Result<OutsideWrites> {
        let conn = Connection::open_with_flags(
            &self.readers.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let last = data_version(&conn)?;
        Ok(OutsideWrites { conn, last })
    }
}

/// Counts what `rows` would add to the database at `db`, writing nothing
/// (the file is not even created when it does not exist).
pub fn import_preview(db: &Path, format: &str, rows: &[ImportRow]) -> Result<ImportCounts> {
    if !db.exists() {
        let conn = Connection::open_in_memory()?;
        return Ok(apply(&conn, format, rows, false, 0)?.0);
    }
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(apply(&conn, format, rows, false, 0)?.0)
}

/// Notices commits of other connections (see the module docs).
pub struct OutsideWrites {
    conn: Connection,
    last: i64,
}

impl OutsideWrites {
    /// True when another connection committed since the last call.
    pub fn changed(&mut self) -> bool {
        match data_version(&self.conn) {
            Ok(v) if v != self.last => {
                self.last = v;
                true
            }
            _ => false,
        }
    }
}

fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA data_version", [], |r| r.get(0))
}

fn has_table(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [name],
        |r| r.get::<_, i64>(0).map(|n| n > 0),
    )
}

/// Writes (or, with `write` false, only counts) `rows`; also says whether
/// anything readers can see was added.
fn apply(
    conn: &Connection,
    format: &str,
    rows: &[ImportRow],
    write: bool,
    now_us: Micros,
) -> Result<(ImportCounts, bool)> {
    let keyed = has_table(conn, "import_keys")?;
    let has_comments = has_table(conn, "comments")?;
    let mut counts = ImportCounts::default();
    let mut approved = false;
    let mut ids: HashMap<&str, i64> = HashMap::with_capacity(rows.len());
    let mut mentions_seen: HashSet<(&str, &str)> = HashSet::new();
    let mut fake_id = 0i64;
    for r in rows {
        if keyed {
            let found: Option<i64> = conn
                .prepare_cached(
                    "SELECT comment_id FROM import_keys WHERE format = ?1 AND source_id = ?2",
                )?
                .query_row(params![format, r.key], |row| row.get(0))
                .optional()?;
            if let Some(id) = found {
                ids.insert(&r.key, id);
                counts.already += 1;
                continue;
            }
        }
        // One row per (source, page) for mentions: a second pingback from the
        // same page, or a Webmention that already arrived, is the same mention.
        if let Some(src) = r.source.as_deref() {
            let existing: Option<i64> = if has_comments {
                conn.prepare_cached("SELECT id FROM comments WHERE source = ?1 AND page = ?2")?
                    .query_row(params![src, r.page], |row| row.get(0))
                    .optional()?
            } else {
                None
            };
            if existing.is_some() || !mentions_seen.insert((src, &r.page)) {
                if let (Some(id), true) = (existing, write) {
                    record_key(conn, format, &r.key, id)?;
                }
                counts.already += 1;
                continue;
            }
        }
        let parent = r.parent_key.as_deref().and_then(|k| ids.get(k).copied());
        let id = if write {
            conn.prepare_cached(
                "INSERT INTO comments (page, parent, kind, status, author, email, website, url, source,
                    body_md, body_html, is_owner, commenter_key, created_us, updated_us)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?
            .execute(params![
                r.page,
                parent,
                r.kind.as_str(),
                r.status.as_str(),
                r.author,
                r.email,
                r.website,
                r.source,
                r.body_md,
                r.body_html,
                r.is_owner,
                r.commenter_key,
                r.created_us,
                // updated now: the generator's `?since=` export picks them up
                now_us
            ])?;
            let id = conn.last_insert_rowid();
            record_key(conn, format, &r.key, id)?;
            if r.status == Status::Approved {
                conn.prepare_cached(
                    "INSERT OR IGNORE INTO trusted_commenters (commenter_key) VALUES (?1)",
                )?
                .execute([&r.commenter_key])?;
            }
            id
        } else {
            fake_id -= 1;
            fake_id
        };
        ids.insert(&r.key, id);
        approved |= r.status == Status::Approved;
        match r.kind {
            Kind::Comment => {
                counts.comments += 1;
                if r.status != Status::Approved {
                    counts.held += 1;
                }
            }
            _ => counts.mentions += 1,
        }
    }
    Ok((counts, approved))
}

fn record_key(conn: &Connection, format: &str, key: &str, id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO import_keys (format, source_id, comment_id) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![format, key, id])?;
    Ok(())
}
