//! Read-only views for index pages: `/api/counts` (the export is in `export`).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::error::{Error, Result};
use crate::model::PagePath;
use crate::routes::comments::json_bytes;
use crate::state::AppState;

/// Most pages one counts request may name.
const MAX_COUNT_PAGES: usize = 200;

/// `GET /api/counts?page=A&page=B…` → `{"counts": {"A": 3, "B": 0}}`
pub async fn counts_index(State(st): State<AppState>, RawQuery(q): RawQuery) -> Result<Response> {
    let mut asked = Vec::new();
    let mut paths = Vec::new();
    for (k, v) in url::form_urlencoded::parse(q.as_deref().unwrap_or("").as_bytes()) {
        if k != "page" {
            continue;
        }
        if asked.len() == MAX_COUNT_PAGES {
            return Err(Error::bad(
                "page",
                format!("ask for at most {MAX_COUNT_PAGES} pages at once"),
            ));
        }
        paths.push(PagePath::parse(&v, &st.cfg.site_url)?.as_str().to_string());
        asked.push(v.into_owned());
    }
    if asked.is_empty() {
        return Err(Error::bad(
            "page",
            "give one or more pages as ?page=/a/&page=/b/",
        ));
    }
    // index pages ask the same question often: answers are cached until the next write
    let key = format!("counts?{}", q.as_deref().unwrap_or(""));
    let generation = st.store.generation();
    if let Some(bytes) = st.cached(&key, generation) {
        return Ok(json_bytes(bytes));
    }
    let counts = st.store.counts(paths).await?;
    let mut out = Map::new();
    for (name, (_, n)) in asked.into_iter().zip(counts) {
        out.insert(name, Value::from(n));
    }
    let bytes = Bytes::from(serde_json::to_vec(&json!({"counts": out})).unwrap_or_default());
    st.cache(key, generation, bytes.clone());
    Ok(json_bytes(bytes))
}
