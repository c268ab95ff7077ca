//! Keyset pagination: a page of items and the cursor to fetch the next one.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `after` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<Uuid>,
}

impl<T> Page<T> {
    /// A full page may have a successor; a short page is the last.
    pub fn new(items: Vec<T>, limit: i64, id_of: impl Fn(&T) -> Uuid) -> Page<T> {
        let next_cursor = next_cursor(&items, limit, id_of);
        Page { items, next_cursor }
    }
}

/// The cursor after a page of `limit` rows: the last row's key when the page is full (a
/// successor may exist), none when it is short (it is the last).
pub fn next_cursor<T, C>(rows: &[T], limit: i64, key: impl Fn(&T) -> C) -> Option<C> {
    let full = usize::try_from(limit).is_ok_and(|l| rows.len() >= l);
    if full {
        rows.last().map(key)
    } else {
        None
    }
}
