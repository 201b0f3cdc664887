//! Request metrics of SPEC §3: bounded latency histograms, outcome counters and the timeline.
//!
//! Memory depends on the number of scopes and windows, never on the number of requests.

pub mod histogram;
pub mod recovery;
pub mod timeline;

use crate::engine::SimTime;
pub use histogram::{LatencyCounts, LatencyHistogram, LatencySummary};
use serde::Serialize;
pub use timeline::Timeline;

/// Read or write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Op {
    Read = 0,
    Write = 1,
}

/// Why an attempt or a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FailReason {
    /// No response within the client's timeout, the attempt not waiting in a queue (in
    /// service, on the wire, or lost at a dead region).
    Timeout = 0,
    /// Shed by a full queue, or still waiting for a server when the client's timer fired: an
    /// expired deadline (SPEC §2 step 4). The client's timer never runs past the deadline, so
    /// it, not the server, notices the expiry.
    Overload = 1,
    /// The region was down or partitioned away: connect timeout.
    Unreachable = 2,
    /// DNS had no permitted healthy region to answer with.
    NoRegion = 3,
    /// The region served the request and answered with an error: an `ErrorRate` fault (a
    /// gray failure, which health checks may not see). Our extension of SPEC §2.
    Error = 4,
}

impl FailReason {
    /// All reasons, in column order.
    pub const ALL: [FailReason; 5] = [
        FailReason::Timeout,
        FailReason::Overload,
        FailReason::Unreachable,
        FailReason::NoRegion,
        FailReason::Error,
    ];
    /// Column name.
    pub fn as_str(self) -> &'static str {
        match self {
            FailReason::Timeout => "timeout",
            FailReason::Overload => "overload",
            FailReason::Unreachable => "unreachable",
            FailReason::NoRegion => "no_region",
            FailReason::Error => "error",
        }
    }
}

/// Outcome counters and latency of one scope (a population, a region, or everything).
#[derive(Clone, Default)]
pub struct ScopeStats {
    pub latency: [LatencyHistogram; 2],
    pub ok: [u64; 2],
    pub failed: [[u64; 5]; 2],
}

impl ScopeStats {
    /// Adds another scope's counts and histograms into this one.
    pub fn merge(&mut self, other: &ScopeStats) {
        for op in 0..2 {
            self.latency[op].merge(&other.latency[op]);
            self.ok[op] += other.ok[op];
            for r in 0..FailReason::ALL.len() {
                self.failed[op][r] += other.failed[op][r];
            }
        }
    }
    /// Failed requests of either kind.
    pub fn failed_total(&self) -> u64 {
        self.failed.iter().flatten().sum()
    }
    /// Successful requests of either kind.
    pub fn ok_total(&self) -> u64 {
        self.ok[0] + self.ok[1]
    }
}

/// Everything measured about requests during one run.
pub struct Metrics {
    warmup: SimTime,
    n_regions: usize,
    pub populations: Vec<ScopeStats>,
    pub regions: Vec<ScopeStats>,
    /// Successful requests per (population, entry region) (after [`Metrics::finish`]).
    pub served_by: Vec<u64>,
    /// Requests issued after the warm-up, per population and operation.
    pub issued: Vec<[u64; 2]>,
    pub timeline: Timeline,
    /// Latency of successful requests per (population, entry region) and operation, allocated
    /// on first use: each request is recorded once, here, and [`Metrics::finish`] adds these
    /// into the population and region scopes (adding counts is exact, so the result equals
    /// recording into both).
    pair_latency: Vec<Option<Box<[LatencyCounts; 2]>>>,
}

impl Metrics {
    /// Empty metrics for a run.
    pub fn new(
        n_pops: usize,
        n_regions: usize,
        warmup: SimTime,
        window: SimTime,
        end: SimTime,
    ) -> Metrics {
        Metrics {
            warmup,
            n_regions,
            populations: vec![ScopeStats::default(); n_pops],
            regions: vec![ScopeStats::default(); n_regions],
            served_by: vec![0; n_pops * n_regions],
            issued: vec![[0; 2]; n_pops],
            timeline: Timeline::new(window, end, n_pops, n_regions),
            pair_latency: vec![None; n_pops * n_regions],
        }
    }

    /// Completes the metrics when the run ends: the population and region latency histograms
    /// and success counts (and `served_by`) from the per-pair ones, the timeline's overall
    /// latencies from the populations'. Read latencies and success counts only after this.
    pub fn finish(mut self) -> Metrics {
        for (i, cell) in self.pair_latency.iter().enumerate() {
            let Some(cell) = cell else { continue };
            let (p, r) = (i / self.n_regions, i % self.n_regions);
            for op in 0..2 {
                // Each success after the warm-up is one count in its pair's histogram, so the
                // pair's total is its number of successes (see `ok`).
                let n = cell[op].count();
                self.populations[p].ok[op] += n;
                self.regions[r].ok[op] += n;
                self.served_by[i] += n;
                let h = cell[op].histogram();
                self.populations[p].latency[op].merge(&h);
                self.regions[r].latency[op].merge(&h);
            }
        }
        self.pair_latency = vec![];
        self.timeline.finish();
        self
    }

    /// A request was issued at `t0`.
    #[inline]
    pub fn issued(&mut self, pop: u16, op: Op, t0: SimTime) {
        if t0 >= self.warmup {
            self.issued[pop as usize][op as usize] += 1;
        }
        self.timeline.issued(t0, pop);
    }

    /// A request issued at `t0` succeeded with `latency`, having entered at `region`.
    #[inline]
    pub fn ok(&mut self, pop: u16, region: u16, op: Op, t0: SimTime, latency: SimTime) {
        self.timeline.ok(t0, pop, region, latency);
        if t0 < self.warmup {
            return;
        }
        let (p, r, o) = (pop as usize, region as usize, op as usize);
        let pair = p * self.n_regions + r;
        // The only record of the success: `finish` counts the population's and the region's
        // successes and `served_by` from the pair's histogram (one count per record).
        self.pair_latency[pair].get_or_insert_with(Default::default)[o].record(latency);
    }

    /// A request issued at `t0` failed; `region` is where its last attempt went, if anywhere;
    /// `charged`: a fault is charged with it (see [`timeline::WindowStats::charged`]).
    #[inline]
    pub fn failed(
        &mut self,
        pop: u16,
        region: Option<u16>,
        op: Op,
        t0: SimTime,
        reason: FailReason,
        charged: bool,
    ) {
        self.timeline.failed(t0, pop, region, reason, charged);
        if t0 < self.warmup {
            return;
        }
        self.populations[pop as usize].failed[op as usize][reason as usize] += 1;
        if let Some(r) = region {
            self.regions[r as usize].failed[op as usize][reason as usize] += 1;
        }
    }

    /// All populations merged: the overall scope.
    pub fn overall(&self) -> ScopeStats {
        let mut all = ScopeStats::default();
        for p in &self.populations {
            all.merge(p);
        }
        all
    }
}
