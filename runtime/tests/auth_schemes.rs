//! Which credentials an operation accepts (`OperationMeta::auth`, the spec's `auth:`
//! list): credentials of another scheme fail the call with a clear error before anything
//! is sent; an operation with an empty list is sent without credentials; credentials that
//! name no scheme (a caller's own) are not checked.

use bytes::Bytes;
use http::Method;
use hwcloud_runtime::auth::aksk::BasicCredentials;
use hwcloud_runtime::auth::{AuthContext, AuthScheme, Credentials, StaticToken};
use hwcloud_runtime::operation::{OperationMeta, RequestParts, ResponseParts, ServiceMeta};
use hwcloud_runtime::transport::MockTransport;
use hwcloud_runtime::{BoxFuture, Client, Error, Operation, ServiceClient};

static SERVICE: ServiceMeta = ServiceMeta {
    name: "Things",
    endpoint: None,
};

/// `GET /things`, accepting the schemes `AUTH` (0: none, 1: AK/SK, 2: AK/SK or a token).
struct ListThings<const AUTH: u8>;

impl<const AUTH: u8> Operation for ListThings<AUTH> {
    type Output = ();
    const META: OperationMeta = OperationMeta {
        name: "Things.ListThings",
        method: Method::GET,
        path: "/things",
        success: &[200],
        auth: match AUTH {
            0 => &[],
            1 => &[AuthScheme::Aksk],
            _ => &[AuthScheme::Aksk, AuthScheme::Token],
        },
        sensitive_body: false,
        download: false,
        idempotent: false,
    };

    fn encode(&self, _request: &mut RequestParts<'_>) -> Result<(), Error> {
        Ok(())
    }

    fn decode(_response: &ResponseParts) -> Result<(), Error> {
        Ok(())
    }
}

fn ok() -> http::Response<Bytes> {
    http::Response::builder()
        .status(200)
        .body(Bytes::new())
        .unwrap()
}

fn connect(credentials: impl Credentials + 'static) -> (ServiceClient, MockTransport) {
    let transport = MockTransport::new();
    let client = Client::builder()
        .transport(transport.clone())
        .credentials(credentials)
        .build()
        .unwrap();
    let things = ServiceClient::with_endpoint(&client, &SERVICE, "https://things.example").unwrap();
    (things, transport)
}

#[tokio::test]
async fn credentials_of_a_scheme_the_operation_does_not_accept_are_an_error_and_nothing_is_sent() {
    let (things, transport) = connect(StaticToken::iam("tok-123"));
    let error = things
        .send(&ListThings::<1>)
        .await
        .expect_err("an IAM token on an AK/SK-only operation");
    match &error {
        Error::Credentials { message, .. } => assert_eq!(
            message,
            "Things.ListThings accepts AK/SK signing; the client's credentials are an IAM token"
        ),
        other => panic!("{other:?}"),
    }
    assert!(transport.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn accepted_credentials_are_sent() {
    let (things, transport) = connect(StaticToken::iam("tok-123"));
    transport.push_response(ok());
    things.send(&ListThings::<2>).await.unwrap();
    let sent = transport.requests();
    assert_eq!(sent[0].headers()["x-auth-token"], "tok-123");

    let (things, transport) = connect(BasicCredentials::new("AK", "SK"));
    transport.push_response(ok());
    things.send(&ListThings::<1>).await.unwrap();
    let sent = transport.requests();
    assert!(sent[0].headers().contains_key("authorization"), "signed");
}

#[tokio::test]
async fn an_operation_without_schemes_is_sent_without_credentials() {
    let (things, transport) = connect(StaticToken::iam("tok-123"));
    transport.push_response(ok());
    things.send(&ListThings::<0>).await.unwrap();
    assert!(
        !transport.requests()[0]
            .headers()
            .contains_key("x-auth-token")
    );
}

/// Credentials of a caller's own that name no scheme.
#[derive(Debug)]
struct Custom;

impl Credentials for Custom {
    fn authorize<'a>(
        &'a self,
        request: &'a mut http::Request<Bytes>,
        _ctx: &'a AuthContext<'a>,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            request
                .headers_mut()
                .insert("x-custom", http::HeaderValue::from_static("yes"));
            Ok(())
        })
    }
}

#[tokio::test]
async fn credentials_without_a_scheme_are_not_checked() {
    let (things, transport) = connect(Custom);
    transport.push_response(ok());
    things.send(&ListThings::<1>).await.unwrap();
    assert_eq!(transport.requests()[0].headers()["x-custom"], "yes");
}
