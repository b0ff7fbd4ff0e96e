//! The daemon's Prometheus metrics (`--metrics ADDR`, text exposition
//! format 0.0.4 on `GET /metrics`): polls and poll errors per carrier, how
//! long polls take (a histogram per carrier), how long each HTTP request
//! to a carrier takes (a histogram per carrier and outcome, fed by the
//! request observer of `carriers::http` that the daemon installs), writes
//! by outcome and how long a recorded write takes to settle, open orders
//! by carrier and stage, orders that need attention, consoles following
//! the team store, and which carriers this daemon polls. The exposition is
//! written by hand: a few counters, gauges and three histograms do not
//! need a metrics crate. Must not: poll, read the store (the daemon hands
//! it what it saw) or decide anything.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

/// Upper bounds (seconds) of the buckets of polls and writes.
const BUCKETS: &[f64] = &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0];
/// Upper bounds (seconds) of the buckets of single HTTP requests.
const REQUEST_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Debug, Clone)]
struct Histogram {
    bounds: &'static [f64],
    counts: Vec<u64>,
    count: u64,
    sum: f64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::new(BUCKETS)
    }
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Self {
        Histogram {
            bounds,
            counts: vec![0; bounds.len()],
            count: 0,
            sum: 0.0,
        }
    }

    fn observe(&mut self, seconds: f64) {
        for (bound, count) in self.bounds.iter().zip(self.counts.iter_mut()) {
            if seconds <= *bound {
                *count += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }

    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (bound, count) in self.bounds.iter().zip(self.counts.iter()) {
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {count}");
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {}", self.sum);
        let _ = writeln!(out, "{name}_count{braces} {}", self.count);
    }
}

#[derive(Debug, Default)]
struct Inner {
    polls: BTreeMap<String, u64>,
    poll_errors: BTreeMap<String, u64>,
    poll_seconds: BTreeMap<String, Histogram>,
    started: BTreeMap<String, Instant>,
    writes: BTreeMap<String, u64>,
    write_seconds: Histogram,
    open: BTreeMap<(String, String), u64>,
    attention: u64,
    polling: BTreeMap<String, bool>,
    /// By (carrier, outcome).
    requests: BTreeMap<(String, String), Histogram>,
    followers: u64,
}

/// What the daemon counts; clones share it.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    inner: Arc<Mutex<Inner>>,
}

/// A label value with `\`, `"` and newlines escaped.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.inner.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Every configured carrier, so each series exists from the start.
    pub fn carriers<'a>(&self, names: impl IntoIterator<Item = &'a str>) {
        self.with(|m| {
            for name in names {
                m.polls.entry(name.to_owned()).or_default();
                m.poll_errors.entry(name.to_owned()).or_default();
                m.poll_seconds.entry(name.to_owned()).or_default();
                m.polling.entry(name.to_owned()).or_default();
            }
        });
    }

    pub fn poll_started(&self, carrier: &str) {
        self.with(|m| m.started.insert(carrier.to_owned(), Instant::now()));
    }

    pub fn poll_finished(&self, carrier: &str, ok: bool) {
        self.with(|m| {
            *m.polls.entry(carrier.to_owned()).or_default() += 1;
            if !ok {
                *m.poll_errors.entry(carrier.to_owned()).or_default() += 1;
            }
            if let Some(start) = m.started.remove(carrier) {
                m.poll_seconds
                    .entry(carrier.to_owned())
                    .or_default()
                    .observe(start.elapsed().as_secs_f64());
            }
        });
    }

    /// A write reached `outcome` (`confirmed`, `refused`, `failed`,
    /// `unknown`) after `took` from its recording.
    pub fn write_settled(&self, outcome: &str, took: Option<Duration>) {
        self.with(|m| {
            *m.writes.entry(outcome.to_owned()).or_default() += 1;
            if let Some(took) = took {
                m.write_seconds.observe(took.as_secs_f64());
            }
        });
    }

    /// One HTTP request to `carrier` ended with `outcome` (`2xx`, `429`,
    /// `timeout`, ... see `carriers::http::RequestOutcome::label`) after
    /// `took`.
    pub fn carrier_request(&self, carrier: &str, outcome: &str, took: Duration) {
        self.with(|m| {
            m.requests
                .entry((carrier.to_owned(), outcome.to_owned()))
                .or_insert_with(|| Histogram::new(REQUEST_BUCKETS))
                .observe(took.as_secs_f64());
        });
    }

    /// How many consoles follow the team store now.
    pub fn followers(&self, connected: u64) {
        self.with(|m| m.followers = connected);
    }

    /// Whether this daemon polls `carrier` now (holds its lock).
    pub fn polling(&self, carrier: &str, on: bool) {
        self.with(|m| m.polling.insert(carrier.to_owned(), on));
    }

    /// The open orders by (carrier, stage) and how many need attention.
    pub fn orders(&self, open: BTreeMap<(String, String), u64>, attention: u64) {
        self.with(|m| {
            // A carrier and stage seen before and now empty shows 0.
            let mut all: BTreeMap<(String, String), u64> =
                m.open.keys().map(|k| (k.clone(), 0)).collect();
            all.extend(open);
            m.open = all;
            m.attention = attention;
        });
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        /// A family's `# HELP` and `# TYPE` lines; its name back.
        fn family<'a>(out: &mut String, name: &'a str, help: &str, kind: &str) -> &'a str {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            name
        }
        self.with(|m| {
            let mut out = String::new();
            let counter = |out: &mut String,
                           name: &str,
                           help: &str,
                           values: &BTreeMap<String, u64>,
                           key: &str| {
                family(out, name, help, "counter");
                for (k, v) in values {
                    let _ = writeln!(out, "{name}{{{key}=\"{}\"}} {v}", label(k));
                }
            };
            counter(
                &mut out,
                "orderdesk_polls_total",
                "Polls of a carrier by this daemon, failed ones included.",
                &m.polls,
                "carrier",
            );
            counter(
                &mut out,
                "orderdesk_poll_errors_total",
                "Polls of a carrier that failed.",
                &m.poll_errors,
                "carrier",
            );
            let name = family(
                &mut out,
                "orderdesk_poll_duration_seconds",
                "How long one poll of a carrier took (its requests).",
                "histogram",
            );
            for (carrier, h) in &m.poll_seconds {
                h.write(&mut out, name, &format!("carrier=\"{}\"", label(carrier)));
            }
            let name = family(
                &mut out,
                "orderdesk_carrier_request_seconds",
                "How long one HTTP request to a carrier took (each attempt), by outcome.",
                "histogram",
            );
            for ((carrier, outcome), h) in &m.requests {
                h.write(
                    &mut out,
                    name,
                    &format!(
                        "carrier=\"{}\",outcome=\"{}\"",
                        label(carrier),
                        label(outcome)
                    ),
                );
            }
            counter(
                &mut out,
                "orderdesk_writes_total",
                "Writes settled by this daemon, by outcome.",
                &m.writes,
                "outcome",
            );
            let name = family(
                &mut out,
                "orderdesk_write_settle_seconds",
                "From a write's recording to its outcome.",
                "histogram",
            );
            m.write_seconds.write(&mut out, name, "");
            let name = family(
                &mut out,
                "orderdesk_open_orders",
                "Open orders in the team store by carrier and stage.",
                "gauge",
            );
            for ((carrier, stage), v) in &m.open {
                let _ = writeln!(
                    out,
                    "{name}{{carrier=\"{}\",stage=\"{}\"}} {v}",
                    label(carrier),
                    label(stage)
                );
            }
            let name = family(
                &mut out,
                "orderdesk_attention_orders",
                "Orders in the team store that need attention.",
                "gauge",
            );
            let _ = writeln!(out, "{name} {}", m.attention);
            let name = family(
                &mut out,
                "orderdesk_followers_connected",
                "Consoles following the team store (their LISTEN connections).",
                "gauge",
            );
            let _ = writeln!(out, "{name} {}", m.followers);
            let name = family(
                &mut out,
                "orderdesk_polling",
                "1 when this daemon holds the carrier's poller lock.",
                "gauge",
            );
            for (carrier, on) in &m.polling {
                let _ = writeln!(
                    out,
                    "{name}{{carrier=\"{}\"}} {}",
                    label(carrier),
                    u8::from(*on)
                );
            }
            out
        })
    }

    /// Serves `/metrics` on `addr` until the task is aborted; `Err` when
    /// the address cannot be bound (said in the user's words).
    pub async fn serve(&self, addr: SocketAddr) -> Result<tokio::task::JoinHandle<()>, String> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("--metrics {addr}: cannot listen there: {e}"))?;
        let metrics = self.clone();
        let app = Router::new().route(
            "/metrics",
            get(move || {
                let text = metrics.render();
                async move {
                    (
                        [(
                            header::CONTENT_TYPE,
                            "text/plain; version=0.0.4; charset=utf-8",
                        )],
                        text,
                    )
                        .into_response()
                }
            }),
        );
        Ok(tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "the metrics server stopped");
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_has_every_family_with_its_values() {
        let m = Metrics::default();
        m.carriers(["tg", "px"]);
        m.poll_started("tg");
        m.poll_finished("tg", true);
        m.poll_started("tg");
        m.poll_finished("tg", false);
        m.write_settled("confirmed", Some(Duration::from_millis(300)));
        m.polling("tg", true);
        m.orders(
            BTreeMap::from([(("tg".to_owned(), "new".to_owned()), 4)]),
            2,
        );
        let text = m.render();
        for line in [
            "orderdesk_polls_total{carrier=\"tg\"} 2",
            "orderdesk_polls_total{carrier=\"px\"} 0",
            "orderdesk_poll_errors_total{carrier=\"tg\"} 1",
            "orderdesk_poll_duration_seconds_count{carrier=\"tg\"} 2",
            "orderdesk_poll_duration_seconds_bucket{carrier=\"tg\",le=\"+Inf\"} 2",
            "orderdesk_writes_total{outcome=\"confirmed\"} 1",
            "orderdesk_write_settle_seconds_bucket{le=\"0.25\"} 0",
            "orderdesk_write_settle_seconds_bucket{le=\"0.5\"} 1",
            "orderdesk_open_orders{carrier=\"tg\",stage=\"new\"} 4",
            "orderdesk_attention_orders 2",
            "orderdesk_polling{carrier=\"tg\"} 1",
            "orderdesk_polling{carrier=\"px\"} 0",
        ] {
            assert!(text.lines().any(|l| l == line), "no {line:?} in\n{text}");
        }
        // A stage that emptied shows 0 rather than vanishing.
        m.orders(BTreeMap::new(), 0);
        assert!(
            m.render()
                .contains("orderdesk_open_orders{carrier=\"tg\",stage=\"new\"} 0")
        );
    }

    #[test]
    fn requests_are_a_histogram_per_carrier_and_outcome_and_followers_a_gauge() {
        let m = Metrics::default();
        let text = m.render();
        assert!(text.contains("# TYPE orderdesk_carrier_request_seconds histogram"));
        assert!(text.lines().any(|l| l == "orderdesk_followers_connected 0"));
        m.carrier_request("tg", "2xx", Duration::from_millis(7));
        m.carrier_request("tg", "2xx", Duration::from_millis(300));
        m.carrier_request("tg", "429", Duration::from_millis(40));
        m.carrier_request("px", "timeout", Duration::from_secs(31));
        m.followers(2);
        let text = m.render();
        for line in [
            "orderdesk_carrier_request_seconds_bucket{carrier=\"tg\",outcome=\"2xx\",le=\"0.005\"} 0",
            "orderdesk_carrier_request_seconds_bucket{carrier=\"tg\",outcome=\"2xx\",le=\"0.01\"} 1",
            "orderdesk_carrier_request_seconds_bucket{carrier=\"tg\",outcome=\"2xx\",le=\"0.25\"} 1",
            "orderdesk_carrier_request_seconds_bucket{carrier=\"tg\",outcome=\"2xx\",le=\"0.5\"} 2",
            "orderdesk_carrier_request_seconds_bucket{carrier=\"tg\",outcome=\"2xx\",le=\"+Inf\"} 2",
            "orderdesk_carrier_request_seconds_sum{carrier=\"tg\",outcome=\"2xx\"} 0.307",
            "orderdesk_carrier_request_seconds_count{carrier=\"tg\",outcome=\"2xx\"} 2",
            "orderdesk_carrier_request_seconds_bucket{carrier=\"tg\",outcome=\"429\",le=\"0.05\"} 1",
            "orderdesk_carrier_request_seconds_count{carrier=\"tg\",outcome=\"429\"} 1",
            "orderdesk_carrier_request_seconds_bucket{carrier=\"px\",outcome=\"timeout\",le=\"30\"} 0",
            "orderdesk_carrier_request_seconds_bucket{carrier=\"px\",outcome=\"timeout\",le=\"+Inf\"} 1",
            "orderdesk_followers_connected 2",
        ] {
            assert!(text.lines().any(|l| l == line), "no {line:?} in\n{text}");
        }
        // Polls keep their own buckets.
        assert!(
            !text.contains("orderdesk_poll_duration_seconds_bucket{carrier=\"tg\",le=\"0.005\"}")
        );
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
