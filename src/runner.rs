//! Runs every variant of an experiment, in parallel with rayon, in a deterministic order.
//!
//! Run seeds depend on the master seed and the replication only — never on the variant or the
//! thread — so variants share their arrival, workload and service streams (common random
//! numbers, SPEC §4) and results are identical for any thread count.

use crate::model::Experiment;
use crate::results::{ExperimentResult, VariantResult};
use crate::rng::derive_seed;
use crate::sim::{SimError, run_scenario};
use rayon::prelude::*;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

/// Wall-clock figures of a run (reported on the terminal, never written to results).
#[derive(Debug, Clone, Copy, Default)]
pub struct Speed {
    pub wall: Duration,
    pub events: u64,
    pub requests: u64,
}

impl Speed {
    /// Simulated events per wall-clock second.
    pub fn events_per_s(&self) -> f64 {
        self.events as f64 / self.wall.as_secs_f64().max(1e-9)
    }
    /// Simulated requests per wall-clock second.
    pub fn requests_per_s(&self) -> f64 {
        self.requests as f64 / self.wall.as_secs_f64().max(1e-9)
    }
}

/// The seed of replication `rep` under `master`.
pub fn run_seed(master: u64, rep: u32) -> u64 {
    derive_seed(master, &format!("replication/{rep}"))
}

/// Total simulated nanoseconds the experiment will cover (for progress bars).
pub fn total_work(exp: &Experiment) -> u64 {
    exp.variants.iter().map(|(_, s)| s.duration).sum()
}

/// Simulates every variant; `progress` advances in simulated nanoseconds.
pub fn run_experiment(
    exp: &Experiment,
    progress: Option<&AtomicU64>,
) -> Result<(ExperimentResult, Speed), SimError> {
    let start = Instant::now();
    let seed = run_seed(exp.seed, 0);
    let outs: Vec<Result<(VariantResult, u64, u64), SimError>> = exp
        .variants
        .par_iter()
        .map(|(name, sc)| {
            let out = run_scenario(sc, seed, progress)?;
            let events = out.events;
            let reqs = out.counts.issued;
            Ok((VariantResult::build(name, sc, seed, &out), events, reqs))
        })
        .collect();
    let mut variants = vec![];
    let mut speed = Speed::default();
    for o in outs {
        let (v, e, r) = o?;
        speed.events += e;
        speed.requests += r;
        variants.push(v);
    }
    speed.wall = start.elapsed();
    Ok((
        ExperimentResult {
            experiment: exp.name.clone(),
            question: exp.question.clone(),
            seed: exp.seed,
            variants,
        },
        speed,
    ))
}
