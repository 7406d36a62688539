//! Streams over every item of a paged list operation.
//!
//! The generated code says how a list operation pages (offset/limit or a marker) by
//! giving [`items`] two closures: which request fetches the next page, and which items a
//! page holds. The stream stops after the last page, or at the first error (which it
//! yields).

pub use futures_util::stream::Stream;
use futures_util::stream::{self, StreamExt};

use crate::client::ServiceClient;
use crate::error::Error;
use crate::operation::Operation;

/// Every item of every page, fetching pages lazily as the stream is polled.
///
/// `next` sees the request and response of a page and returns the request of the next
/// page, or `None` after the last; `items` takes a page's items out of its response.
pub fn items<O, T>(
    client: ServiceClient,
    first: O,
    next: impl Fn(&O, &O::Output) -> Option<O> + Send + Sync + 'static,
    items: impl Fn(O::Output) -> Vec<T> + Send + Sync + 'static,
) -> impl Stream<Item = Result<T, Error>> + Send
where
    O: Operation + 'static,
    O::Output: Send,
    T: Send + 'static,
{
    let next = std::sync::Arc::new(next);
    let pages = stream::unfold(Some(first), move |request| {
        let client = client.clone();
        let next = next.clone();
        async move {
            let request = request?;
            let response = client.send(&request).await;
            Some(match response {
                Ok(response) => {
                    let following = next(&request, &response);
                    (Ok(response), following)
                }
                // After an error the stream ends: yield it, then stop.
                Err(error) => (Err(error), None),
            })
        }
    });
    let items = std::sync::Arc::new(items);
    pages.flat_map(move |page| {
        let items = items.clone();
        stream::iter(match page {
            Ok(response) => items(response).into_iter().map(Ok).collect::<Vec<_>>(),
            Err(error) => vec![Err(error)],
        })
    })
}

/// The offset of the page after one that started at `offset` and held `fetched` items,
/// or `None` when that page was the last: it was empty, shorter than `limit`, or reached
/// `total`.
pub fn next_offset(
    offset: i64,
    fetched: usize,
    limit: Option<i64>,
    total: Option<i64>,
) -> Option<i64> {
    let fetched = i64::try_from(fetched).ok()?;
    if fetched == 0 {
        return None;
    }
    let next = offset.checked_add(fetched)?;
    match (total, limit) {
        (Some(total), _) if next >= total => None,
        (None, Some(limit)) if fetched < limit => None,
        _ => Some(next),
    }
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
        assert_eq!(next_offset(0, 10, Some(10), Some(25)), Some(10));
        assert_eq!(next_offset(20, 5, Some(10), Some(25)), None);
        assert_eq!(next_offset(0, 10, Some(10), Some(10)), None);
        assert_eq!(next_offset(0, 10, Some(10), None), Some(10));
        assert_eq!(next_offset(10, 3, Some(10), None), None);
        assert_eq!(next_offset(0, 0, None, None), None);
        assert_eq!(next_offset(i64::MAX, 1, None, None), None);
    }

    #[test]
    fn empty_marker_is_the_end() {
        assert_eq!(next_marker(Some(&"abc".to_owned())).as_deref(), Some("abc"));
        assert_eq!(next_marker(Some(&String::new())), None);
        assert_eq!(next_marker(None), None);
    }
}
