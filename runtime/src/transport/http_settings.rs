//! What the default transport is built with: connect timeout, proxies (with their
//! exceptions) and TLS. Set through [`crate::ClientBuilder`]; a transport of the caller's
//! own is configured by the caller.

// Without `reqwest` there is no default transport to apply the settings to; the builder
// still takes them (and refuses them at `build` with the missing-transport error).
#![cfg_attr(not(feature = "reqwest"), allow(dead_code))]

use std::fmt;
use std::time::Duration;

use crate::config::Env;

/// Default time to establish a connection (TCP and TLS handshakes), separate from the
/// attempt timeout that bounds the whole exchange.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The ECS metadata service's address: never reached through a proxy (it is link-local,
/// and a proxy would see the temporary keys it answers with).
pub(crate) const METADATA_HOST: &str = "169.254.169.254";

/// The default transport's settings.
#[derive(Debug, Clone)]
pub(crate) struct HttpSettings {
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) proxies: Proxies,
    pub(crate) tls: Tls,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            proxies: Proxies::FromEnv,
            tls: Tls::default(),
        }
    }
}

/// Which proxies requests go through.
#[derive(Debug, Clone, Default)]
pub(crate) enum Proxies {
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (or their lowercase forms)
    /// from the client's [`Env`].
    #[default]
    FromEnv,
    /// None, whatever the environment says.
    Disabled,
    /// These, and not the environment's.
    Explicit(Vec<Proxy>),
}

/// A proxy for the default transport: `http://[user:password@]host:port`
/// (or `https://`, `socks5://` where reqwest supports it).
///
/// ```
/// use hwcloud_runtime::transport::Proxy;
/// let proxy = Proxy::all("http://proxy.internal:3128").no_proxy("localhost,.internal,10.0.0.0/8");
/// assert!(format!("{proxy:?}").contains("proxy.internal"));
/// ```
#[derive(Clone)]
pub struct Proxy {
    url: String,
    scope: ProxyScope,
    no_proxy: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProxyScope {
    All,
    Http,
    Https,
}

impl Proxy {
    /// A proxy for every request.
    pub fn all(url: impl Into<String>) -> Self {
        Self::new(url.into(), ProxyScope::All)
    }

    /// A proxy for `http://` requests only.
    pub fn http(url: impl Into<String>) -> Self {
        Self::new(url.into(), ProxyScope::Http)
    }

    /// A proxy for `https://` requests only.
    pub fn https(url: impl Into<String>) -> Self {
        Self::new(url.into(), ProxyScope::Https)
    }

    fn new(url: String, scope: ProxyScope) -> Self {
        Proxy {
            url,
            scope,
            no_proxy: None,
        }
    }

    /// Hosts reached directly, in `NO_PROXY` syntax: comma-separated host names (a
    /// leading `.` or none matches subdomains too), IP addresses and CIDR blocks, `*` for
    /// all. The metadata service's `169.254.169.254` is always among them.
    pub fn no_proxy(mut self, hosts: impl Into<String>) -> Self {
        self.no_proxy = Some(hosts.into());
        self
    }
}

impl Proxy {
    /// The exception list with the metadata address added; `None` for `*` (every host
    /// is an exception, so the proxy is not used: reqwest's matcher applies `*` to host
    /// names only, not to IP addresses as curl does).
    fn no_proxy_hosts(&self) -> Option<String> {
        let hosts = self.no_proxy.as_deref().map(str::trim).unwrap_or_default();
        if hosts.split(',').any(|host| host.trim() == "*") {
            return None;
        }
        Some(if hosts.is_empty() {
            METADATA_HOST.to_owned()
        } else {
            format!("{hosts},{METADATA_HOST}")
        })
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("url", &redacted(&self.url))
            .field("scope", &self.scope)
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// `url` with its user information (a proxy password) replaced by `***`.
fn redacted(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

/// How the default transport makes TLS connections.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Tls {
    /// rustls, trusting the Mozilla roots compiled into the program (`webpki-roots`):
    /// the same on every machine, updated with the SDK. The default.
    #[default]
    BundledRoots,
    /// rustls, trusting the operating system's store (`rustls-native-certs`): for a
    /// corporate root CA installed on the machine. Needs the `native-roots` feature.
    SystemRoots,
    /// The platform's TLS library (OpenSSL, SChannel, Security.framework) and its
    /// store. Needs the `native-tls` feature.
    Native,
}

/// The proxies the environment names, in reqwest's order of precedence; `HTTP_PROXY`
/// is skipped when `REQUEST_METHOD` is set (a CGI program, where a request's `Proxy:`
/// header would become `HTTP_PROXY`: "httpoxy").
fn env_proxies(env: &Env) -> Vec<Proxy> {
    let no_proxy = env.first(&["NO_PROXY", "no_proxy"]);
    let cgi = env.get("REQUEST_METHOD").is_some();
    let http_names: &[&str] = if cgi {
        &["http_proxy"]
    } else {
        &["HTTP_PROXY", "http_proxy"]
    };
    let found = [
        (
            env.first(&["HTTPS_PROXY", "https_proxy"]),
            ProxyScope::Https,
        ),
        (env.first(http_names), ProxyScope::Http),
        (env.first(&["ALL_PROXY", "all_proxy"]), ProxyScope::All),
    ];
    found
        .into_iter()
        .filter_map(|(url, scope)| {
            let mut proxy = Proxy::new(url?, scope);
            proxy.no_proxy = no_proxy.clone();
            Some(proxy)
        })
        .collect()
}

impl Proxies {
    /// The proxies to configure, explicit or from `env`.
    fn resolve(&self, env: &Env) -> Vec<Proxy> {
        match self {
            Proxies::FromEnv => env_proxies(env),
            Proxies::Disabled => Vec::new(),
            Proxies::Explicit(proxies) => proxies.clone(),
        }
    }
}

#[cfg(feature = "reqwest")]
mod reqwest_settings {
    use super::*;
    use crate::Error;

    impl HttpSettings {
        /// A reqwest client with these settings (no redirects: a 3xx is the service's
        /// answer). Proxies come from here only: reqwest's own reading of the process
        /// environment is turned off, so that the client's [`Env`] is the one source.
        pub(crate) fn reqwest_client(&self, env: &Env) -> Result<reqwest::Client, Error> {
            let mut builder = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy();
            if let Some(timeout) = self.connect_timeout {
                builder = builder.connect_timeout(timeout);
            }
            for proxy in self.proxies.resolve(env) {
                if let Some(proxy) = proxy.to_reqwest()? {
                    builder = builder.proxy(proxy);
                }
            }
            builder = tls(builder, self.tls)?;
            builder
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
        }
    }

    impl Proxy {
        /// The reqwest proxy; `None` when every host is an exception.
        fn to_reqwest(&self) -> Result<Option<reqwest::Proxy>, Error> {
            let Some(exceptions) = self.no_proxy_hosts() else {
                return Ok(None);
            };
            let proxy = match self.scope {
                ProxyScope::All => reqwest::Proxy::all(&self.url),
                ProxyScope::Http => reqwest::Proxy::http(&self.url),
                ProxyScope::Https => reqwest::Proxy::https(&self.url),
            }
            .map_err(|_| {
                // reqwest's message may quote the URL, password included.
                Error::Config(format!(
                    "proxy {:?} is not a valid proxy URL",
                    redacted(&self.url)
                ))
            })?;
            Ok(Some(
                proxy.no_proxy(reqwest::NoProxy::from_string(&exceptions)),
            ))
        }
    }

    fn tls(builder: reqwest::ClientBuilder, tls: Tls) -> Result<reqwest::ClientBuilder, Error> {
        #[cfg(not(all(feature = "native-roots", feature = "native-tls")))]
        let missing = |feature: &str| {
            Error::Config(format!(
                "Tls::{tls:?} needs the `{feature}` feature of hwcloud (or hwcloud-runtime)"
            ))
        };
        match tls {
            Tls::BundledRoots => {
                #[cfg(feature = "native-roots")]
                let builder = builder.tls_built_in_native_certs(false);
                Ok(builder.use_rustls_tls())
            }
            Tls::SystemRoots => {
                #[cfg(feature = "native-roots")]
                return Ok(builder.use_rustls_tls().tls_built_in_webpki_certs(false));
                #[cfg(not(feature = "native-roots"))]
                return Err(missing("native-roots"));
            }
            Tls::Native => {
                #[cfg(feature = "native-tls")]
                return Ok(builder.use_native_tls());
                #[cfg(not(feature = "native-tls"))]
                return Err(missing("native-tls"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_debug_hides_the_password() {
        let proxy = Proxy::all("http://user:pa55word@proxy.internal:3128/x");
        let shown = format!("{proxy:?}");
        assert!(
            !shown.contains("pa55word") && !shown.contains("user"),
            "{shown}"
        );
        assert!(shown.contains("***@proxy.internal:3128/x"), "{shown}");
        assert_eq!(redacted("http://proxy:1"), "http://proxy:1");
    }

    #[test]
    fn the_metadata_address_is_always_an_exception() {
        let hosts = |list: &str| Proxy::all("http://p:1").no_proxy(list).no_proxy_hosts();
        assert_eq!(
            Proxy::all("http://p:1").no_proxy_hosts().unwrap(),
            METADATA_HOST
        );
        assert_eq!(hosts("").unwrap(), METADATA_HOST);
        assert_eq!(hosts("a.example").unwrap(), "a.example,169.254.169.254");
        assert_eq!(hosts(" * "), None);
        assert_eq!(hosts("a.example, *"), None);
    }

    #[test]
    fn environment_proxies_follow_reqwest_names_and_skip_httpoxy() {
        let env = Env::from_pairs([
            ("https_proxy", "http://s:1"),
            ("HTTP_PROXY", "http://p:2"),
            ("NO_PROXY", "localhost"),
        ]);
        let found: Vec<_> = env_proxies(&env)
            .into_iter()
            .map(|p| (p.url, p.scope, p.no_proxy))
            .collect();
        let no = Some("localhost".to_owned());
        assert_eq!(
            found,
            [
                ("http://s:1".to_owned(), ProxyScope::Https, no.clone()),
                ("http://p:2".to_owned(), ProxyScope::Http, no),
            ]
        );
        let cgi = Env::from_pairs([("HTTP_PROXY", "http://evil:1"), ("REQUEST_METHOD", "GET")]);
        assert!(env_proxies(&cgi).is_empty());
        assert!(Proxies::Disabled.resolve(&env).is_empty());
    }
}
