//! The `Backend` fixture: a fresh store on SQLite (a temp file) or on
//! PostgreSQL (a fresh database of the throw-away cluster), and the macro
//! that runs one test body against both.

use std::path::PathBuf;

use causerie_comments::config::Moderation;
use causerie_comments::store::{NewComment, Store};

use crate::pg;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// One fresh store, and how to open it again.
pub struct Backend {
    /// Which backend (tests that differ by design say why).
    #[allow(dead_code)]
    pub kind: Kind,
    pub store: Store,
    _dir: tempfile::TempDir,
    db: PathBuf,
    pub url: Option<String>,
}

impl Backend {
    /// A fresh, empty store of `kind` (rebuild debounce 0).
    pub async fn new(kind: Kind) -> Backend {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        let url = (kind == Kind::Postgres).then(pg::fresh_database);
        let mut b = Backend {
            kind,
            store: Store::open(&db, 0).unwrap(),
            _dir: dir,
            db,
            url,
        };
        if kind == Kind::Postgres {
            b.store = b.open().await;
        }
        b
    }

    /// Another handle on the same data: a reopened SQLite file, or a second
    /// instance on the same PostgreSQL database.
    pub async fn open(&self) -> Store {
        match &self.url {
            Some(url) => Store::connect(url, 0).await.unwrap(),
            None => Store::open(&self.db, 0).unwrap(),
        }
    }
}

/// A reader comment on `page` by `author`.
pub fn comment(page: &str, author: &str, body: &str, moderation: Moderation) -> NewComment {
    NewComment {
        page: page.into(),
        parent: None,
        author: author.into(),
        email: Some(format!("{}@example.org", author.to_lowercase())),
        website: None,
        body_md: body.into(),
        body_html: format!("<p>{body}</p>\n"),
        is_owner: false,
        commenter_key: format!("key:{author}"),
        client_addr: Some("192.0.2.0".into()),
        hold: false,
        moderation,
        notices: Default::default(),
        verified: false,
        signed_in_as: None,
    }
}

/// Runs `async fn $name(b: Backend)` once per backend, as `$name::sqlite`
/// and `$name::postgres`.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use $crate::fixture::{Backend, Kind};
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$name(Backend::new(Kind::Sqlite).await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                super::$name(Backend::new(Kind::Postgres).await).await
            }
        }
    )*};
}
