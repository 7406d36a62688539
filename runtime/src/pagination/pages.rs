//! [`Items::pages`]: a paged listing page by page, each page's response with its items.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::{FusedStream, Stream};

use super::{Items, State};
use crate::error::Error;
use crate::operation::Operation;

/// One page of a listing: the response, whose items were taken out into `items`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Page<R, T> {
    /// The page's response, without its items (the list field is empty).
    pub response: R,
    /// The page's items.
    pub items: Vec<T>,
}

/// Every page of a list operation `O`, fetched as the stream is polled: what
/// [`Items::pages`] returns. Like [`Items`], it is `Unpin` and has its own
/// [`next`](Pages::next) and [`try_collect`](Pages::try_collect), and it ends after the
/// last page or with one error.
#[must_use = "a stream does nothing unless polled"]
pub struct Pages<O: Operation, T> {
    pub(super) items: Items<O, T>,
}

impl<O: Operation, T> Unpin for Pages<O, T> {}

impl<O, T> Pages<O, T>
where
    O: Operation + 'static,
    O::Output: Send,
{
    /// The next page, `None` after the last one.
    #[allow(clippy::should_implement_trait)] // async: the stream's own, without `StreamExt`
    pub async fn next(&mut self) -> Option<Result<Page<O::Output, T>, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Every remaining page, or the first error.
    pub async fn try_collect(mut self) -> Result<Vec<Page<O::Output, T>>, Error> {
        let mut all = Vec::new();
        while let Some(page) = self.next().await {
            all.push(page?);
        }
        Ok(all)
    }

    /// Pages requested so far.
    pub fn pages_requested(&self) -> u32 {
        self.items.pages
    }
}

impl<O, T> Stream for Pages<O, T>
where
    O: Operation + 'static,
    O::Output: Send,
{
    type Item = Result<Page<O::Output, T>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let items = &mut self.get_mut().items;
        // The rest of a page the item stream had started.
        if let Some(response) = items.current.take()
            && items.buffered.len() > 0
        {
            let rest = std::mem::take(&mut items.buffered).collect();
            return Poll::Ready(Some(Ok(Page {
                response,
                items: rest,
            })));
        }
        items.poll_page(cx)
    }
}

impl<O, T> FusedStream for Pages<O, T>
where
    O: Operation + 'static,
    O::Output: Send,
{
    fn is_terminated(&self) -> bool {
        matches!(self.items.state, State::Done) && self.items.buffered.len() == 0
    }
}

impl<O: Operation, T> fmt::Debug for Pages<O, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("operation", &O::META.name)
            .field("pages", &self.items.pages)
            .field("max_pages", &self.items.max_pages)
            .finish_non_exhaustive()
    }
}
