//! Streams over every item of a paged list operation.
//!
//! The generated `<method>_stream` gives [`items`] the operation's paging [`Style`]
//! ([`ByOffset`], [`ByPage`] or [`ByMarker`], each with the request and response fields
//! it needs) and a function that takes a page's items out of its response. The stream
//! fetches pages lazily as it is polled and ends after the last page, or after yielding
//! one error:
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

mod pages;
mod styles;

pub use pages::{Page, Pages};

pub use styles::{
    ByMarker, ByOffset, ByPage, NextPage, Style, next_marker, next_offset, next_page,
};

use crate::BoxFuture;
use crate::client::ServiceClient;
use crate::error::Error;
pub use crate::error::PaginationError;
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

/// Every item of every page of a list operation `O`, fetched lazily as the stream is
/// polled; what the generated `<method>_stream` methods return.
///
/// It needs neither `futures` nor pinning: [`next`](Items::next) and
/// [`try_collect`](Items::try_collect) are its own methods, and it is `Unpin` (the page
/// in flight is boxed). It is also a [`Stream`] for the combinators of `futures`, and
/// [`pages`](Items::pages) gives the same listing page by page.
///
/// ```no_run
/// async fn names<O, T: std::fmt::Debug>(
///     stream: hwcloud_runtime::pagination::Items<O, T>,
/// ) -> Result<(), hwcloud_runtime::Error>
/// where
///     O: hwcloud_runtime::Operation + 'static,
///     O::Output: Send,
/// {
///     // e.g. `let stream = dataarts.list_apis_stream(request);`
///     let mut items = stream.max_pages(100);
///     while let Some(item) = items.next().await {
///         println!("{:?}", item?);
///     }
///     Ok(())
/// }
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
    /// The response of the page whose items are buffered (its items taken out), so that
    /// [`Items::pages`] can hand the rest of that page on.
    current: Option<O::Output>,
}

/// A page of `O` with items `T`, or the error that ended the listing.
type PageResult<O, T> = Result<Page<<O as Operation>::Output, T>, Error>;

/// The operation's paging: its style, and where a page's items are.
struct Paging<O: Operation, T> {
    style: Box<dyn Style<O>>,
    items: fn(&mut O::Output) -> Vec<T>,
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

/// A stream of every item of every page, starting with the request `first`: `style`
/// says how the operation pages, `items` takes a page's items out of its response.
pub fn items<O, T>(
    client: ServiceClient,
    first: O,
    style: impl Style<O>,
    items: fn(&mut O::Output) -> Vec<T>,
) -> Items<O, T>
where
    O: Operation,
{
    Items {
        client,
        paging: Paging {
            style: Box::new(style),
            items,
        },
        state: State::Next(first),
        buffered: Vec::new().into_iter(),
        seen: HashMap::new(),
        hasher: RandomState::new(),
        pages: 0,
        max_pages: DEFAULT_MAX_PAGES,
        current: None,
    }
}

impl<O: Operation + 'static, T> Items<O, T> {
    /// Fetch at most `max` pages ([`DEFAULT_MAX_PAGES`] unless set); a server announcing
    /// more ends the stream with [`PaginationError::TooManyPages`].
    pub fn max_pages(mut self, max: u32) -> Self {
        self.max_pages = max;
        self
    }

    /// Pages requested so far.
    pub fn pages_requested(&self) -> u32 {
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
        let key = self.hasher.hash_one(self.paging.style.cursor(request));
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

impl<O, T> Items<O, T>
where
    O: Operation + 'static,
    O::Output: Send,
{
    /// The next item, `None` after the last one: `while let Some(item) = items.next().await`.
    #[allow(clippy::should_implement_trait)] // async: the stream's own, without `StreamExt`
    pub async fn next(&mut self) -> Option<Result<T, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Every remaining item, or the first error (a page that failed, or
    /// [`Error::Pagination`]).
    pub async fn try_collect(mut self) -> Result<Vec<T>, Error> {
        let mut all = Vec::new();
        while let Some(item) = self.next().await {
            all.push(item?);
        }
        Ok(all)
    }

    /// The same listing page by page: each [`Page`] has the page's response and its
    /// items. Items already yielded are not repeated; the rest of a page already started
    /// comes first.
    pub fn pages(self) -> Pages<O, T> {
        Pages { items: self }
    }

    /// Polls for the next page's response and items, following the operation's paging.
    fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Option<PageResult<O, T>>> {
        loop {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Done => return Poll::Ready(None),
                State::Failed(error) => return Poll::Ready(Some(Err(error))),
                State::Next(request) => {
                    self.state = match self.admit(&request) {
                        Ok(()) => State::Fetching(self.fetch(request)),
                        Err(reason) => State::Failed(self.error(reason)),
                    };
                }
                State::Fetching(mut page) => match page.as_mut().poll(cx) {
                    Poll::Pending => {
                        self.state = State::Fetching(page);
                        return Poll::Pending;
                    }
                    Poll::Ready((_, Err(error))) => return Poll::Ready(Some(Err(error))),
                    Poll::Ready((request, Ok(mut response))) => {
                        let items = (self.paging.items)(&mut response);
                        let next = self.paging.style.next(&request, &response, items.len());
                        self.state = match next {
                            Ok(Some(next)) => State::Next(next),
                            Ok(None) => State::Done,
                            Err(Overflow) => State::Failed(self.error(PaginationError::Overflow)),
                        };
                        return Poll::Ready(Some(Ok(Page { response, items })));
                    }
                },
            }
        }
    }
}

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
            this.current = None;
            match std::task::ready!(this.poll_page(cx)) {
                None => return Poll::Ready(None),
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                Some(Ok(Page { response, items })) => {
                    this.current = Some(response);
                    this.buffered = items.into_iter();
                }
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
