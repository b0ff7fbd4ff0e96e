//! The built-in simulated carriers behind `orderdesk demo` and `orderdesk
//! sim`: starts the simulator of every kind in the carrier registry on
//! loopback and builds the matching config, so a fresh machine needs no
//! config file and no network.
//!
//! It must not know a kind: each simulator, its default order count and the
//! config that reaches it come from the kind's registry entry.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::Utc;

use crate::carriers::registry::{self, Kind, SimStart, toml_string};
use crate::config::Config;
use crate::sim::RunningSim;

/// Knobs for the demo carriers.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Orders per kind.
    pub orders: OrderCounts,
    /// Seed of the first kind's data; the i-th kind's is `seed + i`.
    pub seed: u64,
    pub latency: Duration,
    /// First port to listen on (the i-th kind gets `port + i`); 0 picks
    /// free ports.
    pub port: u16,
    /// Writes are answered after this pause (applied at once), where the
    /// simulator supports it (Tjänsteguiden).
    pub write_delay: Duration,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            orders: OrderCounts::default(),
            seed: 1,
            latency: Duration::from_millis(20),
            port: 0,
            write_delay: Duration::ZERO,
        }
    }
}

/// One `--orders` value: `N` (every kind) or `KIND=N` (one kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderCount {
    Every(usize),
    Kind(&'static str, usize),
}

impl OrderCount {
    /// Parses `N` or `KIND=N`; an unknown kind names the known ones.
    pub fn parse(text: &str) -> Result<OrderCount, String> {
        let number = |n: &str| {
            n.trim()
                .parse::<usize>()
                .map_err(|_| format!("{:?} is not a number of orders (N or KIND=N)", n.trim()))
        };
        match text.split_once('=') {
            None => number(text).map(OrderCount::Every),
            Some((kind, n)) => {
                let kind = kind.trim();
                let known = registry::find(kind).ok_or_else(|| {
                    format!(
                        "unknown carrier kind {kind:?}; known kinds: {}",
                        registry::names().join(", ")
                    )
                })?;
                Ok(OrderCount::Kind(known.name, number(n)?))
            }
        }
    }
}

/// How many orders each kind's simulator generates: a kind's own count
/// (`--orders KIND=N`), else the count for every kind (`--orders N`), else
/// the kind's default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderCounts {
    pub every: Option<usize>,
    pub per_kind: BTreeMap<&'static str, usize>,
}

impl OrderCounts {
    /// The counts the `--orders` values give, later values winning.
    pub fn from_args(counts: &[OrderCount]) -> OrderCounts {
        let mut out = OrderCounts::default();
        for count in counts {
            out.set(*count);
        }
        out
    }

    pub fn set(&mut self, count: OrderCount) {
        match count {
            OrderCount::Every(n) => self.every = Some(n),
            OrderCount::Kind(kind, n) => {
                self.per_kind.insert(kind, n);
            }
        }
    }

    /// The orders `kind`'s simulator generates.
    pub fn for_kind(&self, kind: &Kind) -> usize {
        self.per_kind
            .get(kind.name)
            .copied()
            .or(self.every)
            .unwrap_or(kind.demo_orders)
    }
}

/// One kind's running simulator.
struct DemoSim {
    /// The kind's keys for a config file that reaches it.
    toml: String,
    /// Keeps serving until dropped.
    _server: RunningSim,
}

/// Running simulators and the config that points at them.
pub struct Demo {
    pub config: Config,
    sims: Vec<DemoSim>,
}

impl Demo {
    /// Starts the simulator of every registered kind.
    pub async fn start(options: &DemoOptions) -> std::io::Result<Demo> {
        let now = Utc::now();
        let mut config = Config::empty();
        let mut sims = Vec::new();
        for (i, kind) in registry::KINDS.iter().enumerate() {
            let offset = u16::try_from(i).unwrap_or(u16::MAX);
            let start = SimStart {
                name: kind.demo_name.to_owned(),
                orders: options.orders.for_kind(kind),
                seed: options.seed.wrapping_add(i as u64),
                latency: options.latency,
                now,
                port: if options.port == 0 {
                    0
                } else {
                    options.port.saturating_add(offset)
                },
                write_delay: options.write_delay,
            };
            let started = (kind.simulate)(start).await?;
            let mut carrier = started.config;
            carrier.refresh = Duration::from_secs(30);
            config.carriers.push(carrier);
            sims.push(DemoSim {
                toml: started.toml,
                _server: started.server,
            });
        }
        Ok(Demo { config, sims })
    }

    /// `(carrier name, base URL)` of every simulator.
    pub fn urls(&self) -> Vec<(String, String)> {
        self.config
            .carriers
            .iter()
            .map(|c| (c.name.clone(), c.base_url.clone()))
            .collect()
    }

    /// A config file matching the running simulators.
    pub fn config_toml(&self) -> String {
        let mut out = String::from("# Matches the simulators `orderdesk sim` started.\n");
        for (c, sim) in self.config.carriers.iter().zip(&self.sims) {
            out.push_str(&format!(
                "\n[[carrier]]\nname = {}\nkind = {}\nbase_url = {}\n{}",
                toml_string(&c.name),
                toml_string(&c.kind),
                toml_string(&c.base_url),
                sim.toml
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_take_every_kind_or_one_kind() {
        assert_eq!(OrderCount::parse("5000"), Ok(OrderCount::Every(5000)));
        assert_eq!(
            OrderCount::parse("lumen-voice=100"),
            Ok(OrderCount::Kind("lumen-voice", 100))
        );
        let e = OrderCount::parse("px=3").expect_err("unknown kind");
        assert!(
            e.contains("unknown carrier kind \"px\"") && e.contains("tjansteguiden, lumen-voice"),
            "{e}"
        );
        assert!(OrderCount::parse("tjansteguiden=many").is_err());

        let counts =
            OrderCounts::from_args(&[OrderCount::Kind("lumen-voice", 7), OrderCount::Every(50)]);
        let (Some(tg), Some(voice)) = (
            registry::find("tjansteguiden"),
            registry::find("lumen-voice"),
        ) else {
            panic!("both kinds are registered")
        };
        assert_eq!(counts.for_kind(tg), 50);
        assert_eq!(counts.for_kind(voice), 7, "a kind's own count wins");
        let defaults = OrderCounts::default();
        assert_eq!(defaults.for_kind(tg), tg.demo_orders);
    }
}
