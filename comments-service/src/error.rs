//! The crate's one error type, and how it becomes an HTTP answer.
//!
//! A refused input names the field it is about (`{"error": {"field", "message"}}`
//! with a 4xx status); anything internal is logged and answered with a bare 500
//! that carries no detail.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Everything that can go wrong in the service.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A client sent something we refuse; `field` names the input.
    #[error("{field}: {message}")]
    Field {
        status: StatusCode,
        field: &'static str,
        message: String,
    },
    /// The store refused a request on the domain's grounds (no such comment,
    /// the edit window closed, a parent on another page); the HTTP status is
    /// chosen here, not in the store, so every backend says the same.
    #[error("{field}: {message}")]
    Refused {
        why: Refusal,
        field: &'static str,
        message: String,
    },
    /// Too many new comments from one address.
    #[error("rate limit: retry after {retry_after}s")]
    RateLimited { retry_after: u64 },
    /// The configuration file or flags are wrong.
    #[error("{0}")]
    Config(String),
    /// The database file was written by a newer version of the service.
    #[error(
        "database {path}: schema version {found} is newer than this build supports ({supported}); upgrade causerie-comments"
    )]
    SchemaTooNew {
        path: String,
        found: i64,
        supported: i64,
    },
    /// The database file cannot be opened or set up.
    #[error("database {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    /// SQLite failed.
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    /// PostgreSQL failed (messages of the server or the driver; they never
    /// carry the connection URL, so never its password).
    #[error("database: {0}")]
    Pg(#[from] tokio_postgres::Error),
    /// No PostgreSQL connection could be had: `target` is `host:port/dbname`
    /// (see `store::postgres::target`), never the URL with its password.
    #[error("database {target}: {message}")]
    Connect { target: String, message: String },
    /// The store cannot do this on its backend (e.g. `backup` on PostgreSQL).
    #[error("{0}")]
    Unsupported(String),
    /// A migration failed.
    #[error("database migration: {0}")]
    Migration(#[from] refinery::Error),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// An export being imported is malformed: `at` is `FILE:line:column`
    /// (or `FILE` for a database), `message` says what is wrong.
    #[error("{at}: {message}")]
    Import { at: String, message: String },
    /// The writer thread or a background task is gone (shutting down).
    #[error("the store is shutting down")]
    Closed,
    /// Too many heavy answers (the export) in flight; see `heavy`.
    #[error("busy: retry after {retry_after}s")]
    Busy { retry_after: u64 },
}

impl Error {
    /// A 400 naming `field`.
    pub fn bad(field: &'static str, message: impl Into<String>) -> Self {
        Self::field(StatusCode::BAD_REQUEST, field, message)
    }

    /// A refusal with a chosen status naming `field`.
    pub fn field(status: StatusCode, field: &'static str, message: impl Into<String>) -> Self {
        Error::Field {
            status,
            field,
            message: message.into(),
        }
    }

    /// A refusal of the store's, naming `field`.
    pub fn refused(why: Refusal, field: &'static str, message: impl Into<String>) -> Self {
        Error::Refused {
            why,
            field,
            message: message.into(),
        }
    }

    /// The field and message a reader may see, if this is a refusal.
    pub fn public(&self) -> Option<(StatusCode, &'static str, String)> {
        match self {
            Error::Field {
                status,
                field,
                message,
            } => Some((*status, field, message.clone())),
            Error::Refused {
                why,
                field,
                message,
            } => Some((why.status(), field, message.clone())),
            Error::RateLimited { retry_after } => Some((
                StatusCode::TOO_MANY_REQUESTS,
                "page",
                format!("too many comments from your address; try again in {retry_after} seconds"),
            )),
            _ => None,
        }
    }
}

/// Why the store said no, in the domain's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The thing named does not exist (or is not live).
    Missing,
    /// It exists, but the time for changing it has passed.
    Closed,
    /// It refers to something that does not fit (a parent on another page).
    Inconsistent,
}

impl Refusal {
    fn status(self) -> StatusCode {
        match self {
            Refusal::Missing => StatusCode::NOT_FOUND,
            Refusal::Closed => StatusCode::FORBIDDEN,
            Refusal::Inconsistent => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Busy { retry_after } = self {
            // not the client's fault and no field to name; it may come back
            let body = serde_json::json!({"error": {"field": null, "message": format!("the server is busy; try again in {retry_after} seconds")}});
            let mut res = (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response();
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            return res;
        }
        let Some((status, field, message)) = self.public() else {
            tracing::error!(error = %self, "internal error");
            let body = serde_json::json!({"error": {"field": null, "message": "internal error"}});
            return (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response();
        };
        let body = serde_json::json!({"error": {"field": field, "message": message}});
        let mut res = (status, axum::Json(body)).into_response();
        if let Error::RateLimited { retry_after } = self {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        res
    }
}
