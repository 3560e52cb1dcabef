//! What `/admin` asks of the store: a filtered, searched list, and per row
//! why it was held and which comment it answers.

use super::AdminItem;
use crate::model::Status;

/// The admin list's filters.
#[derive(Debug, Clone, Default)]
pub struct AdminQuery {
    /// Only this status; `None`: every status but deleted.
    pub status: Option<Status>,
    /// Only this page path.
    pub page: Option<String>,
    /// Text found in the body, the author's name, e-mail or website.
    pub search: Option<String>,
    pub limit: u32,
}

/// One row of the admin list.
#[derive(Debug, Clone)]
pub struct AdminRow {
    pub item: AdminItem,
    /// `links`, `blocklist`, `first-time` or `all` for a held comment.
    pub held_reason: Option<String>,
    /// The author of the comment this one answers.
    pub parent_author: Option<String>,
}
