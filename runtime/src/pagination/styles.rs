//! The paging styles the specs declare (`pagination:` of an operation): offset and
//! limit, page number and size, marker. Each is a [`Style`]: where a request starts
//! reading, and the request of the next page. The generated `<method>_stream` gives a
//! style the few request and response fields it needs as plain functions; the arithmetic
//! (when a page is the last, checked against overflow) is here, written once.

use std::fmt;

use super::{Cursor, Overflow};
use crate::operation::Operation;

/// How a list operation pages: what [`items`](super::items) asks of each page.
pub trait Style<O: Operation>: Send + Sync + 'static {
    /// Where `request` starts reading: what the stream remembers of every page it
    /// requested, to notice a server sending it back to one.
    fn cursor<'a>(&self, request: &'a O) -> Cursor<'a>;

    /// The request of the page after the one `request` fetched, which held `fetched`
    /// items; `None` after the last page, [`Overflow`] when the next offset or page
    /// number does not fit its parameter.
    fn next(
        &self,
        request: &O,
        response: &O::Output,
        fetched: usize,
    ) -> Result<Option<O>, Overflow>;
}

/// Offset and limit parameters (`pagination: { offset, limit, total }`): the next page
/// starts at offset + items received.
pub struct ByOffset<O: Operation, N> {
    /// The request's offset (absent: 0).
    pub offset: fn(&O) -> Option<N>,
    /// Sets the offset of the next page's request.
    pub set_offset: fn(&mut O, N),
    /// The request's limit: the most items a page holds.
    pub limit: fn(&O) -> Option<N>,
    /// The count of every item that the response announces, if it has one.
    pub total: fn(&O::Output) -> Option<i64>,
}

impl<O, N> Style<O> for ByOffset<O, N>
where
    O: Operation + Clone + 'static,
    N: Copy + Into<i64> + TryFrom<i64> + 'static,
{
    fn cursor<'a>(&self, request: &'a O) -> Cursor<'a> {
        Cursor::Number((self.offset)(request).map_or(0, Into::into))
    }

    fn next(
        &self,
        request: &O,
        response: &O::Output,
        fetched: usize,
    ) -> Result<Option<O>, Overflow> {
        let offset = next_offset(
            (self.offset)(request),
            fetched,
            (self.limit)(request),
            (self.total)(response),
        )?;
        Ok(offset.map(|offset| {
            let mut following = request.clone();
            (self.set_offset)(&mut following, offset);
            following
        }))
    }
}

/// Page number and size parameters (`pagination: { page, size, first_page, total }`).
pub struct ByPage<O: Operation, N> {
    /// The request's page number (absent: [`first`](Self::first)).
    pub page: fn(&O) -> Option<N>,
    /// The request's page size.
    pub size: fn(&O) -> Option<N>,
    /// Sets the page number and size of the next page's request.
    pub set: fn(&mut O, NextPage<N>),
    /// The number of the first page (0 or 1).
    pub first: N,
    /// The count of every item that the response announces, if it has one.
    pub total: fn(&O::Output) -> Option<i64>,
}

impl<O, N> Style<O> for ByPage<O, N>
where
    O: Operation + Clone + 'static,
    N: Copy + Into<i64> + TryFrom<i64> + Send + Sync + 'static,
{
    fn cursor<'a>(&self, request: &'a O) -> Cursor<'a> {
        Cursor::Number((self.page)(request).unwrap_or(self.first).into())
    }

    fn next(
        &self,
        request: &O,
        response: &O::Output,
        fetched: usize,
    ) -> Result<Option<O>, Overflow> {
        let page = next_page(
            (self.page)(request),
            self.first,
            fetched,
            (self.size)(request),
            (self.total)(response),
        )?;
        Ok(page.map(|page| {
            let mut following = request.clone();
            (self.set)(&mut following, page);
            following
        }))
    }
}

/// A marker parameter set from a field of each page (`pagination: { marker,
/// next_marker }`): the listing ends when the next marker is absent or empty.
pub struct ByMarker<O: Operation> {
    /// The request's marker (absent on the first page).
    pub marker: fn(&O) -> Option<&String>,
    /// Sets the marker of the next page's request.
    pub set_marker: fn(&mut O, String),
    /// The response's marker of the next page, as the text the marker parameter sends
    /// (an integer marker in its decimal form).
    pub next: fn(&O::Output) -> Option<String>,
}

impl<O> Style<O> for ByMarker<O>
where
    O: Operation + Clone + 'static,
{
    fn cursor<'a>(&self, request: &'a O) -> Cursor<'a> {
        Cursor::Marker((self.marker)(request).map_or("", String::as_str))
    }

    fn next(
        &self,
        request: &O,
        response: &O::Output,
        _fetched: usize,
    ) -> Result<Option<O>, Overflow> {
        Ok(next_marker((self.next)(response)).map(|marker| {
            let mut following = request.clone();
            (self.set_marker)(&mut following, marker);
            following
        }))
    }
}

// The fields are functions: their names say all `Debug` could.
impl<O: Operation, N: fmt::Debug> fmt::Debug for ByOffset<O, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByOffset").finish_non_exhaustive()
    }
}

impl<O: Operation, N: fmt::Debug> fmt::Debug for ByPage<O, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByPage")
            .field("first", &self.first)
            .finish_non_exhaustive()
    }
}

impl<O: Operation> fmt::Debug for ByMarker<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByMarker").finish_non_exhaustive()
    }
}

/// The offset of the page after one that started at `offset` (absent: 0) and held
/// `fetched` items; `None` when that page was the last: it was empty, reached `total`, or,
/// without a total, was shorter than `limit`.
pub fn next_offset<N>(
    offset: Option<N>,
    fetched: usize,
    limit: Option<N>,
    total: Option<i64>,
) -> Result<Option<N>, Overflow>
where
    N: Copy + Into<i64> + TryFrom<i64>,
{
    if fetched == 0 {
        return Ok(None);
    }
    let fetched = i64::try_from(fetched).map_err(|_| Overflow)?;
    let offset = offset.map_or(0, Into::into);
    let next = offset.checked_add(fetched).ok_or(Overflow)?;
    // A total wins over a short page: servers cap `limit` without saying so.
    let last = match (total, limit) {
        (Some(total), _) => next >= total,
        (None, Some(limit)) => fetched < limit.into(),
        (None, None) => false,
    };
    if last {
        return Ok(None);
    }
    N::try_from(next).map(Some).map_err(|_| Overflow)
}

/// The page after a page of a page-number listing, and the page size to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextPage<N> {
    pub number: N,
    pub size: N,
}

/// The page after page `page` (absent: `first`, the number of the first page) that held
/// `fetched` items when `size` items were asked for; `None` when that page was the last:
/// it was empty, reached `total` (counting every earlier page as full), or, without a
/// total, was shorter than `size`.
///
/// Without a `size` the server chose the page size; the next request asks for that size
/// (`fetched`) explicitly, so that pages keep one size (IAM wants both `page` and
/// `per_page`, or neither) and a server that ignored the page number ends with an empty
/// page instead of repeating itself.
pub fn next_page<N>(
    page: Option<N>,
    first: N,
    fetched: usize,
    size: Option<N>,
    total: Option<i64>,
) -> Result<Option<NextPage<N>>, Overflow>
where
    N: Copy + Into<i64> + TryFrom<i64>,
{
    if fetched == 0 {
        return Ok(None);
    }
    let fetched = i64::try_from(fetched).map_err(|_| Overflow)?;
    let page = page.unwrap_or(first).into();
    let size_asked = size.map_or(fetched, Into::into);
    let last = match total {
        Some(total) => {
            // Items up to the end of this page; i128 holds any product of two i64.
            let before = (i128::from(page) - i128::from(first.into())) * i128::from(size_asked);
            before + i128::from(fetched) >= i128::from(total)
        }
        None => fetched < size_asked,
    };
    if last {
        return Ok(None);
    }
    let number = page.checked_add(1).ok_or(Overflow)?;
    Ok(Some(NextPage {
        number: N::try_from(number).map_err(|_| Overflow)?,
        size: match size {
            Some(size) => size,
            None => N::try_from(fetched).map_err(|_| Overflow)?,
        },
    }))
}

/// The marker of the next page: `None` (last page) when absent or empty.
pub fn next_marker(marker: Option<String>) -> Option<String> {
    marker.filter(|m| !m.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_stop_at_the_last_page() {
        assert_eq!(next_offset(Some(0), 10, Some(10), Some(25)), Ok(Some(10)));
        assert_eq!(next_offset(Some(20), 5, Some(10), Some(25)), Ok(None));
        assert_eq!(next_offset(Some(0), 10, Some(10), Some(10)), Ok(None));
        assert_eq!(next_offset(Some(0), 10, Some(10), None), Ok(Some(10)));
        assert_eq!(next_offset(Some(10), 3, Some(10), None), Ok(None));
        assert_eq!(next_offset::<i64>(None, 0, None, None), Ok(None));
        assert_eq!(next_offset::<i64>(None, 4, None, None), Ok(Some(4)));
        // A short page does not end the listing while the total says there is more.
        assert_eq!(next_offset(Some(0), 3, Some(10), Some(25)), Ok(Some(3)));
    }

    #[test]
    fn an_offset_that_does_not_fit_is_an_overflow_not_the_end() {
        assert_eq!(next_offset(Some(i64::MAX), 1, None, None), Err(Overflow));
        assert_eq!(
            next_offset(Some(i32::MAX - 1), 2, Some(2), None),
            Err(Overflow)
        );
        assert_eq!(
            next_offset(Some(i32::MAX - 2), 2, Some(2), None),
            Ok(Some(i32::MAX))
        );
    }

    #[test]
    fn page_numbers_stop_at_the_last_page() {
        let next = |number, size| Ok(Some(NextPage { number, size }));
        // Full pages continue; a short or empty page ends.
        assert_eq!(next_page(Some(1), 1, 10, Some(10), None), next(2, 10));
        assert_eq!(next_page(Some(2), 1, 4, Some(10), None), Ok(None));
        assert_eq!(next_page(Some(2), 1, 0, Some(10), None), Ok(None));
        // The total counts every earlier page as full.
        assert_eq!(next_page(Some(2), 1, 10, Some(10), Some(25)), next(3, 10));
        assert_eq!(next_page(Some(3), 1, 5, Some(10), Some(25)), Ok(None));
        assert_eq!(next_page(Some(2), 1, 10, Some(10), Some(20)), Ok(None));
        // ... and wins over a short page (a capped page size).
        assert_eq!(next_page(Some(1), 1, 5, Some(10), Some(25)), next(2, 10));
        // Zero-based pages.
        assert_eq!(next_page(None, 0, 10, Some(10), Some(20)), next(1, 10));
        assert_eq!(next_page(Some(1), 0, 10, Some(10), Some(20)), Ok(None));
    }

    #[test]
    fn without_a_page_size_the_server_s_size_is_asked_for_next() {
        assert_eq!(
            next_page::<i32>(None, 1, 7, None, None),
            Ok(Some(NextPage { number: 2, size: 7 }))
        );
        assert_eq!(next_page::<i32>(None, 1, 7, None, Some(7)), Ok(None));
    }

    #[test]
    fn page_arithmetic_is_checked() {
        assert_eq!(
            next_page(Some(i32::MAX), 1, 1, Some(1), None),
            Err(Overflow)
        );
        assert_eq!(
            next_page(Some(i64::MAX), 1, 1, Some(1), None),
            Err(Overflow)
        );
        // A page size the server chose that does not fit the parameter.
        assert_eq!(
            next_page::<i32>(None, 1, 1 << 31, None, None),
            Err(Overflow)
        );
        // Products beyond i64 are compared exactly.
        assert_eq!(
            next_page(
                Some(i64::MAX - 1),
                i64::MIN,
                1,
                Some(i64::MAX),
                Some(i64::MAX)
            ),
            Ok(None)
        );
    }

    #[test]
    fn empty_marker_is_the_end() {
        assert_eq!(next_marker(Some("abc".to_owned())).as_deref(), Some("abc"));
        assert_eq!(next_marker(Some(String::new())), None);
        assert_eq!(next_marker(None), None);
    }
}
