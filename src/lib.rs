//! orderdesk: a keyboard-driven terminal console for support staff who triage
//! customer orders across several carriers' partner APIs.
//!
//! Layers (see README "Architecture"): `domain` is the normalized model;
//! `carriers` talks HTTP to each carrier kind; `sync` schedules fetchers;
//! `app` decides (pure `update`); `ui` draws (pure `view`); `runtime` owns the
//! terminal and the event loop and runs effects; `sim` serves faithful
//! simulators of every carrier API on loopback.

pub mod app;
pub mod carriers;
pub mod config;
pub mod demo;
pub mod domain;
pub mod headless;
pub mod journal;
pub mod logging;
pub mod runtime;
pub mod sim;
pub mod store;
pub mod sync;
pub mod ui;
