//! The built-in simulated carriers behind `orderdesk demo` and `orderdesk
//! sim`: starts every simulator on loopback and builds the matching config,
//! so a fresh machine needs no config file and no network.

use std::time::Duration;

use chrono::Utc;

use crate::config::Config;
use crate::config::SecretSource;
use crate::sim::RunningSim;
use crate::sim::faults::Faults;
use crate::sim::lumen_voice::{VoiceSim, VoiceSimOptions};
use crate::sim::tjansteguiden::{SimOptions, TgSim};

/// Knobs for the demo carriers.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Tjänsteguiden orders.
    pub orders: usize,
    /// Lumen Voice orders.
    pub voice_orders: usize,
    pub seed: u64,
    pub latency: Duration,
    /// First port to listen on; 0 picks free ports.
    pub port: u16,
    /// Tjänsteguiden writes are answered after this pause (applied at once).
    pub write_delay: Duration,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            orders: 300,
            voice_orders: 200,
            seed: 1,
            latency: Duration::from_millis(20),
            port: 0,
            write_delay: Duration::ZERO,
        }
    }
}

/// Running simulators and the config that points at them.
pub struct Demo {
    pub config: Config,
    pub tjansteguiden: TgSim,
    pub voice: VoiceSim,
    servers: Vec<RunningSim>,
}

impl Demo {
    /// Starts the simulators.
    pub async fn start(options: &DemoOptions) -> std::io::Result<Demo> {
        let now = Utc::now();
        let sim_options = SimOptions {
            orders: options.orders,
            seed: options.seed,
            now,
            faults: Faults {
                latency: options.latency,
                write_answer_delay: options.write_delay,
                ..Faults::default()
            },
            ..SimOptions::default()
        };
        let (tg, tg_server) = TgSim::spawn(sim_options, options.port).await?;

        let mut config = Config::empty();
        let mut tg_config = tg.carrier_config("tg", &tg_server.origin());
        tg_config.refresh = Duration::from_secs(30);
        config.carriers.push(tg_config);

        let voice_options = VoiceSimOptions {
            orders: options.voice_orders,
            seed: options.seed.wrapping_add(1),
            faults: Faults {
                latency: options.latency,
                ..Faults::default()
            },
            now,
            ..VoiceSimOptions::default()
        };
        let voice_port = if options.port == 0 {
            0
        } else {
            options.port.saturating_add(1)
        };
        let (voice, voice_server) = VoiceSim::spawn(voice_options, voice_port).await?;
        let mut voice_config = voice.carrier_config("voice", &voice_server.origin());
        voice_config.refresh = Duration::from_secs(30);
        config.carriers.push(voice_config);

        Ok(Demo {
            config,
            tjansteguiden: tg,
            voice,
            servers: vec![tg_server, voice_server],
        })
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
        for c in &self.config.carriers {
            out.push_str(&format!(
                "\n[[carrier]]\nname = \"{}\"\nkind = \"{}\"\nbase_url = \"{}\"\n",
                c.name, c.kind, c.base_url
            ));
            if let Some(user) = &c.api_user {
                out.push_str(&format!("api_user = \"{user}\"\nsince = \"2000-01-01\"\n"));
            }
            if let Some(number) = &c.customer_number {
                out.push_str(&format!("customer_number = \"{number}\"\n"));
            }
            if let Some(id) = &c.client_id {
                out.push_str(&format!("client_id = \"{id}\"\n"));
            }
            if let Some(SecretSource::Inline(_)) = &c.client_secret {
                // The simulator's secret is no secret; a command keeps the file shareable.
                out.push_str(&format!(
                    "client_secret_cmd = \"echo {}\"\n",
                    VoiceSimOptions::default().client_secret
                ));
            }
        }
        out
    }

    /// Keeps serving until dropped.
    pub fn servers(&self) -> &[RunningSim] {
        &self.servers
    }
}
