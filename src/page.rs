//! Paging shared by every list page and API: 1-based page numbers, a bounded page size.

use serde::Serialize;

/// Which slice of a list to return.
#[derive(Clone, Copy, Debug)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl PageRequest {
    /// Clamps user-supplied numbers: page ≥ 1, 1 ≤ per_page ≤ 200 (default 20).
    pub fn new(page: Option<u32>, per_page: Option<u32>) -> PageRequest {
        PageRequest {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(20).clamp(1, 200),
        }
    }

    /// The API's paging: out of range is a field error, not silently clamped (the document states
    /// the bounds).
    pub fn checked(page: Option<u32>, per_page: Option<u32>) -> crate::error::Result<PageRequest> {
        let mut fe = crate::error::FieldErrors::default();
        if page.is_some_and(|p| !(1..=100_000).contains(&p)) {
            fe.add("page", crate::error::Msg::new("list.page_range"));
        }
        if per_page.is_some_and(|n| !(1..=200).contains(&n)) {
            fe.add("per_page", crate::error::Msg::new("list.per_page_range"));
        }
        fe.into_result()?;
        Ok(PageRequest::new(page, per_page))
    }

    /// SQL `limit`.
    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }

    /// SQL `offset`.
    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }
}

/// One page of results and the total count behind it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    /// A page of `items` out of an exact `total`.
    pub fn new(items: Vec<T>, total: i64, req: PageRequest) -> Page<T> {
        Page {
            items,
            total,
            page: req.page,
            per_page: req.per_page,
        }
    }

    /// Number of pages (at least 1).
    pub fn pages(&self) -> u32 {
        let pp = i64::from(self.per_page.max(1));
        u32::try_from(((self.total + pp - 1) / pp).max(1)).unwrap_or(u32::MAX)
    }

    /// True when there is a page before this one.
    pub fn has_prev(&self) -> bool {
        self.page > 1
    }

    /// True when there is a page after this one.
    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }
}
