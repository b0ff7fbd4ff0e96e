//! The daemon's Prometheus metrics (`--metrics ADDR`, text exposition
//! format 0.0.4 on `GET /metrics`): polls and poll errors per carrier, how
//! long polls take (a histogram per carrier), writes by outcome and how
//! long a recorded write takes to settle, open orders by carrier and stage,
//! orders that need attention, and which carriers this daemon polls. The
//! exposition is written by hand: a few counters, gauges and two
//! histograms do not need a metrics crate. Must not: poll, read the store
//! (the daemon hands it what it saw) or decide anything.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

/// Upper bounds (seconds) of the histograms' buckets.
const BUCKETS: [f64; 11] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0];

#[derive(Debug, Clone, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (bound, count) in BUCKETS.iter().zip(self.counts.iter_mut()) {
            if seconds <= *bound {
                *count += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }

    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (bound, count) in BUCKETS.iter().zip(self.counts.iter()) {
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
        self.with(|m| {
            let mut out = String::new();
            let counter = |out: &mut String,
                           name: &str,
                           help: &str,
                           values: &BTreeMap<String, u64>,
                           key: &str| {
                let _ = writeln!(out, "# HELP {name} {help}");
                let _ = writeln!(out, "# TYPE {name} counter");
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
            let name = "orderdesk_poll_duration_seconds";
            let _ = writeln!(
                out,
                "# HELP {name} How long one poll of a carrier took (its requests)."
            );
            let _ = writeln!(out, "# TYPE {name} histogram");
            for (carrier, h) in &m.poll_seconds {
                h.write(&mut out, name, &format!("carrier=\"{}\"", label(carrier)));
            }
            counter(
                &mut out,
                "orderdesk_writes_total",
                "Writes settled by this daemon, by outcome.",
                &m.writes,
                "outcome",
            );
            let name = "orderdesk_write_settle_seconds";
            let _ = writeln!(
                out,
                "# HELP {name} From a write's recording to its outcome."
            );
            let _ = writeln!(out, "# TYPE {name} histogram");
            m.write_seconds.write(&mut out, name, "");
            let name = "orderdesk_open_orders";
            let _ = writeln!(
                out,
                "# HELP {name} Open orders in the team store by carrier and stage."
            );
            let _ = writeln!(out, "# TYPE {name} gauge");
            for ((carrier, stage), v) in &m.open {
                let _ = writeln!(
                    out,
                    "{name}{{carrier=\"{}\",stage=\"{}\"}} {v}",
                    label(carrier),
                    label(stage)
                );
            }
            let name = "orderdesk_attention_orders";
            let _ = writeln!(
                out,
                "# HELP {name} Orders in the team store that need attention."
            );
            let _ = writeln!(out, "# TYPE {name} gauge");
            let _ = writeln!(out, "{name} {}", m.attention);
            let name = "orderdesk_polling";
            let _ = writeln!(
                out,
                "# HELP {name} 1 when this daemon holds the carrier's poller lock."
            );
            let _ = writeln!(out, "# TYPE {name} gauge");
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
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
