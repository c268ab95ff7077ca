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
        let full = usize::try_from(limit).is_ok_and(|l| items.len() >= l);
        let next_cursor = if full { items.last().map(id_of) } else { None };
        Page { items, next_cursor }
    }
}
