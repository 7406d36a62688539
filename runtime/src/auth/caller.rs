//! What credentials may do with the client that calls them: send requests of their own
//! (a token login, an IAM id lookup) through it, and read its clock.
//!
//! Credentials see the client only through [`Caller`], which [`crate::Client`] implements:
//! the client depends on credentials to authorise requests, so credentials must not
//! depend on the client (as smithy-rs' identity resolvers get runtime components, never
//! the service client).

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;

use super::Credentials;
use crate::clock::Clock;
use crate::config::Env;
use crate::operation::{Operation, OperationMeta, RequestParts, ServiceMeta, decode_response_with};
use crate::transport::Transport;
use crate::{BoxFuture, Error};

/// Writes an operation's parameters and body into a request being built.
pub type Encode<'a> = dyn Fn(&mut RequestParts<'_>) -> Result<(), Error> + Sync + 'a;

/// Reads the response of the last attempt (with the client's decode budget) into the
/// caller's typed output: typed decoding behind the object-safe [`Caller::execute`].
pub type Decode<'a> =
    dyn FnMut(http::Response<Bytes>, Option<usize>) -> Result<(), Error> + Send + 'a;

/// The client making a call, as credentials see it: its transport, endpoint override,
/// timeouts, retries and clock, to send the requests credentials need themselves.
///
/// Send an operation with [`send`](#method.send) or [`send_to`](#method.send_to).
pub trait Caller: Send + Sync + fmt::Debug {
    /// The current time by the client's clock.
    fn now(&self) -> SystemTime;

    /// The client's clock.
    fn clock(&self) -> Clock;

    /// Where the client reads environment settings.
    fn env(&self) -> &Env;

    /// The client's transport, for credentials that talk to a service outside the API
    /// (the ECS metadata service).
    fn transport(&self) -> Arc<dyn Transport>;

    /// The same client with `credentials` instead of its own and without its call
    /// timeout: for work shared by several calls that must not end with the call that
    /// started it (a token fetch, an id lookup). Attempts keep their timeout.
    fn detached(&self, credentials: Option<Arc<dyn Credentials>>) -> Arc<dyn Caller>;

    /// Runs a call of `service` as [`crate::ServiceClient::send`] does (at `endpoint`,
    /// else the service's endpoint for the client): builds the request with `encode`,
    /// authorises, sends and retries it, and reads the last response with `decode`, all
    /// within the call's span and log lines.
    fn execute<'a>(
        &'a self,
        service: &'static ServiceMeta,
        endpoint: Option<&'a str>,
        meta: &'a OperationMeta,
        encode: &'a Encode<'a>,
        decode: &'a mut Decode<'a>,
    ) -> BoxFuture<'a, Result<(), Error>>;
}

impl dyn Caller + '_ {
    /// Sends `operation` of `service` and decodes its response, as
    /// [`crate::ServiceClient::send`] does.
    pub async fn send<O: Operation>(
        &self,
        service: &'static ServiceMeta,
        operation: &O,
    ) -> Result<O::Output, Error>
    where
        O::Output: Send,
    {
        self.send_at(service, None, operation).await
    }

    /// [`send`](#method.send) to an explicit `endpoint` (`https://host[:port][/path]`).
    pub async fn send_to<O: Operation>(
        &self,
        service: &'static ServiceMeta,
        endpoint: &str,
        operation: &O,
    ) -> Result<O::Output, Error>
    where
        O::Output: Send,
    {
        self.send_at(service, Some(endpoint), operation).await
    }

    async fn send_at<O: Operation>(
        &self,
        service: &'static ServiceMeta,
        endpoint: Option<&str>,
        operation: &O,
    ) -> Result<O::Output, Error>
    where
        O::Output: Send,
    {
        let meta = O::META;
        let mut output = None;
        self.execute(
            service,
            endpoint,
            &meta,
            &|parts| operation.encode(parts),
            &mut |response, budget| {
                output = Some(decode_response_with::<O>(response, budget)?);
                Ok(())
            },
        )
        .await?;
        output.ok_or_else(|| Error::Config(format!("{}: the response was not read", meta.name)))
    }
}
