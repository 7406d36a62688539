//! The blocking client (feature `blocking`) from plain `#[test]`s, with no runtime around
//! them, against a loopback server on a thread of its own.

#![cfg(feature = "blocking")]

mod support;

use http::Method;
use hwcloud_runtime::auth::{AuthScheme, StaticToken};
use hwcloud_runtime::operation::{RequestParts, ResponseParts};
use hwcloud_runtime::{Client, Env, Error, Operation, OperationMeta, ServiceClient, ServiceMeta};
use serde_json::Value;
use support::Recorder;

static THINGS: ServiceMeta = ServiceMeta {
    name: "Things",
    endpoint: None,
};

struct GetThing;

impl Operation for GetThing {
    type Output = Value;
    const META: OperationMeta = OperationMeta {
        name: "Things.GetThing",
        method: Method::GET,
        path: "/v1/things/1",
        success: &[200],
        auth: &[AuthScheme::Token],
        sensitive_body: false,
        download: false,
        idempotent: false,
    };
    fn encode(&self, _: &mut RequestParts<'_>) -> Result<(), Error> {
        Ok(())
    }
    fn decode(response: &ResponseParts) -> Result<Value, Error> {
        response.json()
    }
}

fn blocking_client(server: &Recorder) -> hwcloud_runtime::blocking::Client {
    let client = Client::builder()
        .env(Env::empty())
        .endpoint(server.uri())
        .allow_http(true)
        .credentials(StaticToken::iam("token"))
        .build()
        .unwrap();
    hwcloud_runtime::blocking::Client::new(client).unwrap()
}

#[test]
fn a_call_blocks_until_its_typed_result() {
    let server = Recorder::json(r#"{"name":"thing-1"}"#);
    let client = blocking_client(&server);
    let things = ServiceClient::new(client.as_async(), &THINGS).unwrap();
    let thing = client.call(things.call(GetThing)).expect("a typed result");
    assert_eq!(thing["name"], "thing-1");
    // Again, after the first call's connection went back to the pool.
    client.call(things.call(GetThing)).expect("a second call");
    assert_eq!(server.seen().len(), 2);
    assert_eq!(server.seen()[0].headers["x-auth-token"], "token");
}

#[test]
fn calls_from_several_threads_share_the_client() {
    let server = Recorder::json("{}");
    let client = blocking_client(&server);
    let things = ServiceClient::new(client.as_async(), &THINGS).unwrap();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| client.call(things.send(&GetThing)).expect("a call"));
        }
    });
    assert_eq!(server.seen().len(), 4);
}

#[test]
fn errors_are_the_calls_own() {
    let server = Recorder::start(|_| (503, vec![], bytes::Bytes::from_static(b"{}")));
    let client = blocking_client(&server);
    let things = ServiceClient::new(client.as_async(), &THINGS).unwrap();
    let error = client
        .call(things.send(&GetThing))
        .expect_err("a service error");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503), "{error}");
}

#[test]
fn a_call_from_inside_a_runtime_is_a_config_error_not_a_panic() {
    let server = Recorder::json("{}");
    let client = blocking_client(&server);
    let things = ServiceClient::new(client.as_async(), &THINGS).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let error = runtime.block_on(async {
        let error = client.call(things.send(&GetThing)).expect_err("refused");
        // Dropped inside the runtime too: no "cannot drop a runtime" panic.
        drop(client);
        error
    });
    match error {
        Error::Config(message) => assert!(message.contains("inside an async runtime"), "{message}"),
        other => panic!("expected Error::Config, got {other:?}"),
    }
    assert!(server.seen().is_empty());
}
