//! orderdesk: a keyboard-driven terminal console for support staff who triage
//! customer orders across several carriers' partner APIs.
//!
//! Layers (see README "Architecture"): `domain` is the normalized model;
//! `carriers` talks HTTP to each carrier kind; `store` persists behind
//! traits; `engine` runs the fetchers, records what they read and executes
//! writes, with or without a console; `follow` answers a console in team
//! mode from the shared PostgreSQL store instead; `app` decides (pure `update`); `ui`
//! draws (pure `view`); `runtime` owns the terminal and the console's event
//! loop and talks to the engine; `daemon` is `orderdesk sync`, the team's
//! one poller on the team store; `sim` serves faithful simulators of every
//! carrier API on loopback.

pub mod app;
pub mod carriers;
pub mod config;
pub mod daemon;
pub mod demo;
pub mod domain;
pub mod engine;
pub mod follow;
pub mod headless;
pub mod logging;
pub mod preflight;
pub mod registry;
pub mod runtime;
pub mod sim;
pub mod store;
pub mod ui;
