//! Faithful simulators of each carrier API, served on loopback by axum. They
//! back `orderdesk demo`, `orderdesk sim`, the integration tests and the
//! benchmarks. Each simulator keeps state that actions change and takes the
//! shared fault knobs ([`faults::Faults`]: latency, error rate, 429 with
//! `Retry-After`, 503, hangs, dropped connections before and after a write,
//! truncated and malformed bodies, token refusals).
//!
//! Every simulator has the same shape: `mod.rs` (the `*Sim` handle, its
//! options with a `faults: Faults`, `spawn`, `carrier_config`, accessors),
//! `routes.rs` (axum handlers and wire encoding, including what each fault
//! looks like for that carrier), `state.rs` (the mutable order state, the
//! rules that change it, and a [`faults::FaultDice`]) and `data.rs` (seeded
//! data).

pub mod faults;
pub mod lla_tmf622;
pub mod lumen_px;
pub mod lumen_voice;
pub mod names;
pub mod oauth;
pub mod spoil;
pub mod tjansteguiden;

use std::net::SocketAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::CarrierConfig;

use tokio::task::JoinHandle;

/// A simulator listening on loopback.
#[derive(Debug)]
pub struct RunningSim {
    /// Where it listens, e.g. `http://127.0.0.1:40123`.
    pub addr: SocketAddr,
    handle: JoinHandle<()>,
}

impl RunningSim {
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops serving.
    pub fn stop(self) {
        self.handle.abort();
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// An answer that is never given: a response whose body fails before its
/// first byte. hyper buffers the status line and headers until the first body
/// bytes, so it closes the connection without writing anything: the client
/// sees the connection dropped with no answer at all (as when a server
/// process dies or a load balancer cuts the connection), never a complete
/// but odd response. The simulators' dropped-connection faults use it.
pub fn dropped_connection() -> axum::response::Response {
    let failing = futures::stream::once(async {
        Err::<axum::body::Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "simulated dropped connection",
        ))
    });
    axum::response::Response::new(axum::body::Body::from_stream(failing))
}

/// Serves `router` on `127.0.0.1:port` (0 = any free port).
pub async fn serve(router: axum::Router, port: u16) -> std::io::Result<RunningSim> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let handle = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!("simulator on {addr} stopped: {e}");
        }
    });
    Ok(RunningSim { addr, handle })
}

/// What a kind's simulator is started with.
#[derive(Debug, Clone)]
pub struct SimStart {
    /// The carrier instance name for the config it returns.
    pub name: String,
    pub orders: usize,
    pub seed: u64,
    /// Added to every answer.
    pub latency: Duration,
    /// The simulated data's "now".
    pub now: DateTime<Utc>,
    /// 0 picks a free port.
    pub port: u16,
    /// Writes are applied at once but answered after this pause, where the
    /// simulator supports it.
    pub write_delay: Duration,
}

/// A running simulator and the carrier config that talks to it.
pub struct StartedSim {
    pub server: RunningSim,
    pub config: CarrierConfig,
    /// The kind's keys for a config file that reaches this simulator, as
    /// TOML lines (no secret inline: a command that prints it).
    pub toml: String,
}
