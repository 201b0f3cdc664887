//! regionsim: a deterministic discrete-event simulator of multi-region service topologies.
//!
//! Layout: [`engine`] (domain-free event loop), [`config`] (RON → raw → validated [`model`]),
//! [`sim`] (the request path of SPEC §2), [`dns`], [`metrics`], [`results`], [`cli`].

pub mod bench;
pub mod budget;
pub mod chart;
pub mod cli;
pub mod config;
pub mod cost;
pub mod data;
pub mod distribution;
pub mod dns;
pub mod engine;
pub mod geo;
pub mod metrics;
pub mod model;
pub mod report;
pub mod residency;
pub mod results;
pub mod rng;
pub mod runner;
pub mod sim;
pub mod stats;

/// The source digest of this build (`build.rs`): sha256 of `src/`, `assets/`, `build.rs`,
/// `Cargo.toml` and `Cargo.lock`, first 16 hex digits. Run records and manifest.json carry it;
/// `--resume` and `merge` reuse only records of the same digest.
pub const SOURCE: &str = env!("REGIONSIM_SOURCE");
