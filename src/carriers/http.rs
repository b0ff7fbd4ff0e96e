//! Shared HTTP for carrier adapters: one pooled `reqwest::Client` per carrier
//! instance with connect and total timeouts, a cap on response size, bounded
//! concurrency, and retries with jittered exponential backoff for reads
//! (timeouts, 429, 5xx; `Retry-After` honoured). Writes are sent once: the
//! journal, not this module, decides what happens after an unknown outcome.
//!
//! Every request sent (each attempt of a read, each token request) is
//! shown to the process-wide request observer, if one is installed
//! ([`observe_requests`]): carrier, method, outcome (status class, timeout
//! or no answer) and how long it took. `orderdesk sync` installs one for
//! its metrics; the console and the headless commands install none, and
//! then observing costs one uncontended lock read per request.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use futures::StreamExt;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, StatusCode};
use tokio::sync::Semaphore;

use super::CarrierError;

/// Limits of one carrier instance's HTTP client.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub connect_timeout: Duration,
    /// Total time for one request, body included.
    pub timeout: Duration,
    /// Largest response body accepted.
    pub max_body_bytes: usize,
    /// Requests in flight at once.
    pub max_concurrency: usize,
    /// Attempts for a read (1 = no retry).
    pub read_attempts: u32,
    /// First backoff pause; doubled per attempt, with jitter.
    pub backoff_base: Duration,
    /// Longest pause we accept from a `Retry-After` inside one read.
    pub max_retry_wait: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            max_body_bytes: 8 * 1024 * 1024,
            max_concurrency: 8,
            read_attempts: 3,
            backoff_base: Duration::from_millis(250),
            max_retry_wait: Duration::from_secs(10),
        }
    }
}

/// A complete response: status, headers and the (size-capped) body.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl RawResponse {
    /// `Retry-After` in seconds, when present and numeric.
    pub fn retry_after(&self) -> Option<Duration> {
        retry_after(&self.headers)
    }

    /// The body as UTF-8 text, or a protocol error naming the problem.
    pub fn text(&self) -> Result<&str, CarrierError> {
        std::str::from_utf8(&self.body)
            .map_err(|e| CarrierError::protocol(format!("body is not UTF-8 ({e})"), &self.body))
    }
}

/// How one request ended, as the request observer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestOutcome {
    /// An answer with this status (its body read, or refused as too large).
    Status(StatusCode),
    /// No complete answer in time.
    Timeout,
    /// No answer: the connection failed or was cut.
    NoAnswer,
}

impl RequestOutcome {
    /// `2xx`, `3xx`, `4xx`, `429` (the carrier's "slow down", apart from
    /// the other 4xx), `5xx`, `timeout` or `no_answer`.
    pub fn label(self) -> &'static str {
        match self {
            RequestOutcome::Status(s) if s == StatusCode::TOO_MANY_REQUESTS => "429",
            RequestOutcome::Status(s) if s.is_success() => "2xx",
            RequestOutcome::Status(s) if s.is_redirection() => "3xx",
            RequestOutcome::Status(s) if s.is_client_error() => "4xx",
            RequestOutcome::Status(s) if s.is_server_error() => "5xx",
            RequestOutcome::Status(_) => "other",
            RequestOutcome::Timeout => "timeout",
            RequestOutcome::NoAnswer => "no_answer",
        }
    }
}

/// One request to a carrier, as the request observer is shown it.
#[derive(Debug, Clone, Copy)]
pub struct RequestSeen<'a> {
    /// The carrier instance's name (`""` for a client built without one).
    pub carrier: &'a str,
    /// `GET`, `POST`, ...
    pub method: &'a str,
    pub outcome: RequestOutcome,
    /// From sending (a concurrency slot held) to the whole body read.
    pub elapsed: Duration,
}

/// What is called with every request sent (keep it quick: it runs on the
/// request's task).
pub type RequestObserver = Arc<dyn Fn(&RequestSeen<'_>) + Send + Sync>;

static OBSERVER: RwLock<Option<RequestObserver>> = RwLock::new(None);

/// Installs the process-wide request observer (`None` removes it). The
/// daemon installs one for its metrics; nothing else does.
pub fn observe_requests(observer: Option<RequestObserver>) {
    *OBSERVER.write().unwrap_or_else(PoisonError::into_inner) = observer;
}

fn observed(seen: &RequestSeen<'_>) {
    let observer = OBSERVER
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    if let Some(observer) = observer {
        observer(seen);
    }
}

/// The HTTP side of one carrier instance.
#[derive(Debug, Clone)]
pub struct Http {
    client: reqwest::Client,
    limit: Arc<Semaphore>,
    settings: HttpSettings,
    /// The carrier instance's name, for the request observer.
    carrier: Arc<str>,
}

impl Http {
    pub fn new(settings: HttpSettings) -> Result<Self, CarrierError> {
        let client = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .user_agent(concat!("orderdesk/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(settings.max_concurrency.max(1))
            .build()
            .map_err(|e| CarrierError::Local(format!("cannot build HTTP client: {e}")))?;
        Ok(Http {
            client,
            limit: Arc::new(Semaphore::new(settings.max_concurrency.max(1))),
            settings,
            carrier: Arc::from(""),
        })
    }

    /// The same client, its requests observed as the carrier `name`'s.
    pub fn named(mut self, name: &str) -> Self {
        self.carrier = Arc::from(name);
        self
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub fn settings(&self) -> &HttpSettings {
        &self.settings
    }

    /// Sends once and reads the whole body (capped). Any HTTP status is `Ok`;
    /// the adapter maps statuses to errors with the carrier's body in hand.
    pub async fn send_once(&self, request: RequestBuilder) -> Result<RawResponse, CarrierError> {
        let _permit = self
            .limit
            .acquire()
            .await
            .map_err(|_| CarrierError::Local("HTTP client is shut down".into()))?;
        let (client, request) = request.build_split();
        let request = request.map_err(map_send_error)?;
        let method = request.method().clone();
        let start = Instant::now();
        let mut status = None;
        let result = self.exchange(&client, request, &mut status).await;
        let outcome = match (&result, status) {
            (Ok(response), _) => RequestOutcome::Status(response.status),
            (Err(CarrierError::Timeout(_)), _) => RequestOutcome::Timeout,
            // Answered, but too large to take.
            (Err(CarrierError::Protocol { .. }), Some(status)) => RequestOutcome::Status(status),
            _ => RequestOutcome::NoAnswer,
        };
        observed(&RequestSeen {
            carrier: &self.carrier,
            method: method.as_str(),
            outcome,
            elapsed: start.elapsed(),
        });
        result
    }

    /// Sends `request` and reads the answer; `status` is set once known.
    async fn exchange(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        status: &mut Option<StatusCode>,
    ) -> Result<RawResponse, CarrierError> {
        let response = client.execute(request).await.map_err(map_send_error)?;
        let status = *status.insert(response.status());
        let headers = response.headers().clone();
        let max = self.settings.max_body_bytes;
        if let Some(len) = response.content_length() {
            if len as usize > max {
                return Err(too_large(max));
            }
        }
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(map_body_error)?;
            if body.len() + chunk.len() > max {
                return Err(too_large(max));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }

    /// Sends a read, retrying transient failures (timeouts, connection errors,
    /// 429, 5xx) with jittered exponential backoff and `Retry-After`.
    /// `build` makes a fresh request per attempt. Returns the last response
    /// (which may still be a 429/5xx) or the last transport error.
    pub async fn send_read<F>(&self, build: F) -> Result<RawResponse, CarrierError>
    where
        F: Fn() -> RequestBuilder,
    {
        let attempts = self.settings.read_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self.send_once(build()).await;
            let wait = match &result {
                Ok(resp) if is_retryable_status(resp.status) => resp.retry_after(),
                Ok(_) => return result,
                Err(e) if e.is_transient() => e.retry_after(),
                Err(_) => return result,
            };
            if attempt >= attempts {
                return result;
            }
            let pause = match wait {
                Some(wait) if wait > self.settings.max_retry_wait => return result,
                Some(wait) => wait,
                None => backoff(self.settings.backoff_base, attempt),
            };
            tokio::time::sleep(pause).await;
        }
    }
}

fn is_retryable_status(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// Exponential backoff with ±50% jitter: base, 2·base, 4·base, ...
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1 << attempt.saturating_sub(1).min(10));
    let jitter = rand::random_range(0.5..1.5);
    exp.mul_f64(jitter)
}

/// Parses `Retry-After` given in seconds (HTTP dates are ignored).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

fn too_large(max: usize) -> CarrierError {
    CarrierError::Protocol {
        what: format!("response larger than the {} KiB limit", max / 1024),
        excerpt: String::new(),
    }
}

fn map_send_error(e: reqwest::Error) -> CarrierError {
    let e = e.without_url();
    let detail = describe(&e);
    if e.is_timeout() {
        CarrierError::Timeout(detail)
    } else if e.is_connect() {
        // The request never left: safe to say it was not sent.
        CarrierError::Unavailable {
            code: None,
            message: format!("{}{detail}", super::error::NO_ANSWER),
            retry_after: None,
            sent: false,
        }
    } else if e.is_builder() {
        CarrierError::Local(detail)
    } else {
        CarrierError::Unavailable {
            code: None,
            message: format!("{}{detail}", super::error::NO_ANSWER),
            retry_after: None,
            sent: true,
        }
    }
}

fn map_body_error(e: reqwest::Error) -> CarrierError {
    let e = e.without_url();
    if e.is_timeout() {
        CarrierError::Timeout(describe(&e))
    } else {
        CarrierError::Unavailable {
            code: None,
            message: format!("{}{}", super::error::CUT_OFF, describe(&e)),
            retry_after: None,
            sent: true,
        }
    }
}

/// A short description of a transport error (callers strip the URL first:
/// it may carry an API user id).
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter() {
        let base = Duration::from_millis(100);
        for attempt in 1..5 {
            let d = backoff(base, attempt);
            let nominal = base * (1 << (attempt - 1));
            assert!(
                d >= nominal.mul_f64(0.5) && d <= nominal.mul_f64(1.5),
                "{d:?}"
            );
        }
    }

    /// A loopback server that reads each request, answers `answer` (maybe
    /// nothing, maybe a cut-off response) and closes the connection.
    async fn closing_server(answer: &'static [u8]) -> std::net::SocketAddr {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = stream.write_all(answer).await;
            }
        });
        addr
    }

    #[tokio::test]
    async fn a_connection_dropped_after_sending_leaves_the_outcome_unknown() {
        let http = Http::new(HttpSettings::default()).unwrap();
        let post = |addr: std::net::SocketAddr| {
            http.send_once(
                http.client()
                    .post(format!("http://{addr}/write"))
                    .body("{}"),
            )
        };
        // Dropped with no answer at all.
        let err = post(closing_server(b"").await).await.unwrap_err();
        assert!(
            matches!(err, CarrierError::Unavailable { sent: true, .. }),
            "{err:?}"
        );
        assert!(err.outcome_unknown());
        // Dropped in the middle of the answer.
        let cut = b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"status\":";
        let err = post(closing_server(cut).await).await.unwrap_err();
        assert!(
            matches!(&err, CarrierError::Unavailable { sent: true, message, .. } if message.starts_with("answer cut off")),
            "{err:?}"
        );
        assert!(err.outcome_unknown());
        // Nothing listening: the request never left.
        let refused = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap()
        };
        let err = post(refused).await.unwrap_err();
        assert!(
            matches!(err, CarrierError::Unavailable { sent: false, .. }),
            "{err:?}"
        );
        assert!(!err.outcome_unknown());
    }

    #[tokio::test]
    async fn every_request_is_shown_to_the_observer_with_its_carrier_method_and_outcome() {
        use std::sync::Mutex;
        type Seen = (String, String, &'static str, Duration);
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let into = seen.clone();
        // Process-wide: other tests' requests pass by too, with other names.
        observe_requests(Some(Arc::new(move |r: &RequestSeen<'_>| {
            if r.carrier == "observed-tg" {
                into.lock().unwrap().push((
                    r.carrier.to_owned(),
                    r.method.to_owned(),
                    r.outcome.label(),
                    r.elapsed,
                ));
            }
        })));
        let http = Http::new(HttpSettings {
            read_attempts: 2,
            backoff_base: Duration::from_millis(1),
            ..HttpSettings::default()
        })
        .unwrap()
        .named("observed-tg");
        let ok = closing_server(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}").await;
        let busy = closing_server(b"HTTP/1.1 429 Too Many\r\ncontent-length: 0\r\n\r\n").await;
        let gone = closing_server(b"").await;
        http.send_once(http.client().post(format!("http://{ok}/w")))
            .await
            .unwrap();
        // A read retried once: two requests, each observed.
        http.send_read(|| http.client().get(format!("http://{busy}/r")))
            .await
            .unwrap();
        let _ = http
            .send_once(http.client().post(format!("http://{gone}/w")))
            .await;
        observe_requests(None);
        let seen = seen.lock().unwrap().clone();
        let what: Vec<_> = seen
            .iter()
            .map(|(c, m, o, _)| (c.as_str(), m.as_str(), *o))
            .collect();
        assert_eq!(
            what,
            [
                ("observed-tg", "POST", "2xx"),
                ("observed-tg", "GET", "429"),
                ("observed-tg", "GET", "429"),
                ("observed-tg", "POST", "no_answer"),
            ]
        );
        assert!(seen.iter().all(|(.., took)| *took < Duration::from_secs(5)));
    }

    #[test]
    fn outcome_labels_are_status_classes() {
        let label = |code: u16| RequestOutcome::Status(StatusCode::from_u16(code).unwrap()).label();
        assert_eq!(
            [
                label(200),
                label(204),
                label(302),
                label(404),
                label(429),
                label(503)
            ],
            ["2xx", "2xx", "3xx", "4xx", "429", "5xx"]
        );
        assert_eq!(RequestOutcome::Timeout.label(), "timeout");
        assert_eq!(RequestOutcome::NoAnswer.label(), "no_answer");
    }

    #[test]
    fn retry_after_seconds_only() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), None);
    }
}
