//! Printing an error with its causes.

use std::error::Error as StdError;
use std::fmt;

/// An error and every cause of its `source()` chain on one line, outermost first,
/// separated by `: ` (as the AWS SDK's `DisplayErrorContext`, or `anyhow`'s `{:#}`).
///
/// The SDK's errors follow the Rust API guidelines: a message says what failed at its
/// level and leaves the cause to `source()`, so `{error}` alone does not say why a token
/// could not be obtained or a connection failed. Print this instead:
///
/// ```
/// use hwcloud_runtime::{DisplayErrorContext, Error};
/// # fn report(error: &Error) {
/// eprintln!("{}", DisplayErrorContext(error));
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct DisplayErrorContext<E>(pub E);

impl<E: StdError> fmt::Display for DisplayErrorContext<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(error) = cause {
            write!(f, ": {error}")?;
            cause = error.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[test]
    fn every_cause_is_printed_once_in_order() {
        let inner = Error::Config("no region".to_owned());
        let outer = Error::Credentials {
            message: "could not obtain a token".to_owned(),
            source: Some(Box::new(inner)),
        };
        assert_eq!(
            DisplayErrorContext(&outer).to_string(),
            "credentials: could not obtain a token: invalid client configuration: no region"
        );
    }
}
