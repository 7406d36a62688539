//! Streams over every item of a paged list operation.
//!
//! The generated `<method>_stream` gives [`items`] three functions: the cursor a request
//! asks for (its marker, offset or page number), the request of the page after a response
//! (`None` after the last page), and the items a response holds. The stream fetches pages
//! lazily as it is polled and ends after the last page, or after yielding one error:
//!
//! - the [`Error`] of a page that failed;
//! - [`Error::Pagination`] when paging cannot end well: the server sent a cursor already
//!   requested (markers `a, b, a, ...` would page forever), more than
//!   [`Items::max_pages`] pages were needed (which also bounds a server that ignores the
//!   cursor and answers full pages forever), or the next offset or page number does not
//!   fit its parameter. See [`PaginationError`].
//!
//! Cursors are remembered as keyed 64-bit hashes, one per page, never the server's marker
//! text: a stream holds at most `max_pages` of them whatever the server sends.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::FusedStream;
pub use futures_util::stream::Stream;

use crate::BoxFuture;
use crate::client::ServiceClient;
use crate::error::Error;
use crate::operation::Operation;

/// The most pages a stream fetches unless [`Items::max_pages`] says otherwise: with the
/// page sizes Huawei APIs allow (tens to thousands of items), more than a listing needs,
/// and a bound on the requests a server that never stops can draw from one stream.
pub const DEFAULT_MAX_PAGES: u32 = 10_000;

/// Where a request starts reading: what the stream remembers of every page it requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cursor<'a> {
    /// A marker; the empty string for none (the first page).
    Marker(&'a str),
    /// An offset or page number; an absent parameter is the value the server assumes.
    Number(i64),
}

/// The next offset or page number does not fit in its parameter's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow;

/// Why a stream stopped before the last page (in [`Error::Pagination`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaginationError {
    /// The server pointed at a page already requested: following it would page forever.
    #[error(
        "the server's next cursor (marker, offset or page number) was already requested for page {first}"
    )]
    RepeatedCursor {
        /// The page (counted from 1) that first requested the cursor.
        first: u32,
    },
    /// The server announced another page after `max` pages.
    #[error(
        "the server announced more pages than the stream's bound of {max} (raise it with `max_pages`)"
    )]
    TooManyPages { max: u32 },
    /// The next offset or page number does not fit in its parameter's type.
    #[error("the next offset or page number does not fit in its parameter's type")]
    Overflow,
}

/// Every item of every page of a list operation `O`, fetched lazily as the stream is
/// polled; what the generated `<method>_stream` methods return.
///
/// ```no_run
/// use futures_util::StreamExt as _;
/// # async fn run<O, T>(stream: hwcloud_runtime::pagination::Items<O, T>) -> Result<(), hwcloud_runtime::Error>
/// # where O: hwcloud_runtime::Operation + 'static, O::Output: Send {
/// // e.g. `let stream = dataarts.list_apis_stream(request);`
/// let mut items = stream.max_pages(100);
/// while let Some(item) = items.next().await {
///     let item = item?;
///     // ...
/// }
/// # Ok(()) }
/// ```
#[must_use = "a stream does nothing unless polled"]
pub struct Items<O: Operation, T> {
    client: ServiceClient,
    paging: Paging<O, T>,
    state: State<O>,
    /// Items of the last page not yet yielded.
    buffered: std::vec::IntoIter<T>,
    /// Hash of each requested cursor -> the page (from 1) that requested it.
    seen: HashMap<u64, u32>,
    /// Keyed per stream, so a server cannot choose markers that collide.
    hasher: RandomState,
    pages: u32,
    max_pages: u32,
}

/// The generated glue: plain functions, as they capture nothing.
struct Paging<O: Operation, T> {
    cursor: fn(&O) -> Cursor<'_>,
    next: fn(&O, &O::Output) -> Result<Option<O>, Overflow>,
    items: fn(O::Output) -> Vec<T>,
}

enum State<O: Operation> {
    /// The next page's request, sent once the items before it are consumed.
    Next(O),
    /// A page in flight, with its request (the next one is derived from it).
    Fetching(BoxFuture<'static, (O, Result<O::Output, Error>)>),
    /// Yielded once the buffered items are out; then the stream ends.
    Failed(Error),
    Done,
}

/// A stream of every item of every page, starting with the request `first`.
///
/// `cursor` says where a request starts reading; `next` gives the request of the page
/// after a response (`None` after the last page, [`Overflow`] when its offset or page
/// number does not fit); `items` takes a page's items out of its response.
pub fn items<O, T>(
    client: ServiceClient,
    first: O,
    cursor: fn(&O) -> Cursor<'_>,
    next: fn(&O, &O::Output) -> Result<Option<O>, Overflow>,
    items: fn(O::Output) -> Vec<T>,
) -> Items<O, T>
where
    O: Operation,
{
    Items {
        client,
        paging: Paging {
            cursor,
            next,
            items,
        },
        state: State::Next(first),
        buffered: Vec::new().into_iter(),
        seen: HashMap::new(),
        hasher: RandomState::new(),
        pages: 0,
        max_pages: DEFAULT_MAX_PAGES,
    }
}

impl<O: Operation, T> Items<O, T> {
    /// Fetch at most `max` pages ([`DEFAULT_MAX_PAGES`] unless set); a server announcing
    /// more ends the stream with [`PaginationError::TooManyPages`].
    pub fn max_pages(mut self, max: u32) -> Self {
        self.max_pages = max;
        self
    }

    /// Pages requested so far.
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// Counts the page `request` asks for, unless it is one too many or its cursor was
    /// requested before.
    fn admit(&mut self, request: &O) -> Result<(), PaginationError> {
        if self.pages >= self.max_pages {
            return Err(PaginationError::TooManyPages {
                max: self.max_pages,
            });
        }
        let key = self.hasher.hash_one((self.paging.cursor)(request));
        let page = self.pages + 1;
        match self.seen.entry(key) {
            Entry::Occupied(first) => Err(PaginationError::RepeatedCursor {
                first: *first.get(),
            }),
            Entry::Vacant(slot) => {
                slot.insert(page);
                self.pages = page;
                Ok(())
            }
        }
    }

    fn error(&self, reason: PaginationError) -> Error {
        Error::Pagination {
            operation: O::META.name,
            pages: self.pages,
            reason,
        }
    }
}

impl<O, T> Items<O, T>
where
    O: Operation + 'static,
    O::Output: Send,
{
    fn fetch(&self, request: O) -> BoxFuture<'static, (O, Result<O::Output, Error>)> {
        let client = self.client.clone();
        Box::pin(async move {
            let response = client.send(&request).await;
            (request, response)
        })
    }
}

// No field is ever pinned in place: the page in flight is boxed.
impl<O: Operation, T> Unpin for Items<O, T> {}

impl<O, T> Stream for Items<O, T>
where
    O: Operation + 'static,
    O::Output: Send,
{
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffered.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match std::mem::replace(&mut this.state, State::Done) {
                State::Done => return Poll::Ready(None),
                State::Failed(error) => return Poll::Ready(Some(Err(error))),
                State::Next(request) => {
                    this.state = match this.admit(&request) {
                        Ok(()) => State::Fetching(this.fetch(request)),
                        Err(reason) => State::Failed(this.error(reason)),
                    };
                }
                State::Fetching(mut page) => match page.as_mut().poll(cx) {
                    Poll::Pending => {
                        this.state = State::Fetching(page);
                        return Poll::Pending;
                    }
                    Poll::Ready((_, Err(error))) => return Poll::Ready(Some(Err(error))),
                    Poll::Ready((request, Ok(response))) => {
                        this.state = match (this.paging.next)(&request, &response) {
                            Ok(Some(next)) => State::Next(next),
                            Ok(None) => State::Done,
                            Err(Overflow) => State::Failed(this.error(PaginationError::Overflow)),
                        };
                        this.buffered = (this.paging.items)(response).into_iter();
                    }
                },
            }
        }
    }
}

impl<O, T> FusedStream for Items<O, T>
where
    O: Operation + 'static,
    O::Output: Send,
{
    fn is_terminated(&self) -> bool {
        matches!(self.state, State::Done) && self.buffered.len() == 0
    }
}

impl<O: Operation, T> fmt::Debug for Items<O, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("operation", &O::META.name)
            .field("pages", &self.pages)
            .field("max_pages", &self.max_pages)
            .finish_non_exhaustive()
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
pub fn next_marker(marker: Option<&String>) -> Option<String> {
    marker.filter(|m| !m.is_empty()).cloned()
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
        assert_eq!(next_marker(Some(&"abc".to_owned())).as_deref(), Some("abc"));
        assert_eq!(next_marker(Some(&String::new())), None);
        assert_eq!(next_marker(None), None);
    }
}
