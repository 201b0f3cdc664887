//! Running one scenario to its end and checking that every request is accounted for.

use super::faults::FaultTally;
use super::health::HealthChange;
use super::{Conservation, DnsTally, Event, Failover, World};
use crate::engine::{Engine, SimTime};
use crate::metrics::LatencySummary;
use crate::metrics::Metrics;
use crate::model::RegionId;
use crate::model::Scenario;
use crate::sim::pool::PoolStats;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Everything one run produced.
pub struct RunOutput {
    pub events: u64,
    /// Of `events`, those handed over at once instead of queued (engine ordering guarantee 7).
    pub handed_over: u64,
    /// The engine's digest of every delivered event (engine docs: the event trace digest).
    pub trace: u64,
    pub counts: Conservation,
    pub in_flight: u64,
    pub metrics: Metrics,
    pub pools: Vec<PoolStats>,
    pub dns_queries: Vec<u64>,
    /// Stale and past-TTL answers per population.
    pub dns: Vec<DnsTally>,
    /// Resolvers that keep answers past their TTL.
    pub ttl_violators: usize,
    /// What each fault touched: scripted faults, then one record per random-outage region.
    pub faults: Vec<FaultTally>,
    pub failovers: Vec<Failover>,
    pub health_changes: Vec<HealthChange>,
    /// Per region, time spent down after the warm-up (ns).
    pub region_down: Vec<SimTime>,
    /// Time after the warm-up during which the design had no region able to serve (ns).
    pub service_down: SimTime,
    /// The data layer at the end of the run.
    pub data: DataReport,
    /// Most request slots ever allocated at once: bounded by requests in flight, not by run length.
    pub peak_request_slots: usize,
    /// Most synchronous writes, consistent reads and writes a failback drain holds ever
    /// waiting at once (the simulation's entries and the data layer's): bounded by the
    /// attempts in flight, however long a partition or a drain blocks them.
    pub peak_replica_waits: usize,
    /// Cost counters, when the scenario has prices (SPEC §3 Cost).
    pub cost: Option<crate::cost::CostMeter>,
    /// Residency counters, when the scenario has a residency policy (SPEC §3 Residency).
    pub residency: Option<crate::residency::ResidencyTally>,
}

/// What the data layer measured (SPEC §3), ready for the results.
#[derive(Debug, Clone, Default)]
pub struct DataReport {
    pub tally: crate::data::DataTally,
    /// (from, to, apply − commit) per replication link that carried writes.
    pub lag: Vec<(RegionId, RegionId, LatencySummary)>,
    pub staleness: LatencySummary,
    /// Per population: reads, stale reads, read-your-writes violations and staleness.
    pub by_population: Vec<PopulationReadReport>,
    pub diverged_keys: u64,
    /// Keys that still disagree once every queued message is delivered (0 for any strategy
    /// that converges).
    pub diverged_after_converging: u64,
    pub queued_at_end: u64,
    pub writes_total: u64,
    /// SPEC §3 convergence after the last scripted fault ([`crate::data::DataLayer::convergence`]).
    pub convergence: Option<SimTime>,
    /// Per data region, the sum of its keys' values (counters: increments kept).
    pub totals: Vec<(RegionId, i64)>,
    /// Counters and sets: increments of post-warm-up writes kept by the fullest replica.
    pub kept_after_warmup: u64,
    /// Per data region, its clock offset (ns).
    pub clock_offsets: Vec<(RegionId, i64)>,
    /// Per t-visibility bin: (reads, reads that saw the newest acknowledged write).
    pub t_visibility: Vec<(u64, u64)>,
}

/// One population's reads (SPEC §3 stale read, read-your-writes violation).
#[derive(Debug, Clone, Default)]
pub struct PopulationReadReport {
    pub reads: u64,
    pub stale_reads: u64,
    pub ryw_violations: u64,
    pub staleness: LatencySummary,
}

/// A run that broke an invariant: a bug in regionsim, never the user's input.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// SPEC §2 step 7: every issued request ends as exactly one of ok, failed or in flight.
    #[error(
        "internal error: request conservation broken: issued {issued} ≠ ok {ok} + failed {failed} + in flight {in_flight}"
    )]
    Conservation {
        issued: u64,
        ok: u64,
        failed: u64,
        in_flight: u64,
    },
    /// The run was asked to stop (Ctrl-C) before it finished: it has no result.
    #[error("stopped before the end of the run")]
    Cancelled,
}

/// Simulates `sc` under `seed`. `progress`, when given, is advanced in simulated nanoseconds.
pub fn run_scenario(
    sc: &Scenario,
    seed: u64,
    progress: Option<&AtomicU64>,
) -> Result<RunOutput, SimError> {
    run_scenario_until(sc, seed, progress, None)
}

/// [`run_scenario`] that gives up with [`SimError::Cancelled`] once `cancel` is set (checked
/// every hundredth of the run).
pub fn run_scenario_until(
    sc: &Scenario,
    seed: u64,
    progress: Option<&AtomicU64>,
    cancel: Option<&AtomicBool>,
) -> Result<RunOutput, SimError> {
    run(sc, seed, progress, cancel, true)
}

/// [`run_scenario`] with every event through the engine's queue (the hand-over of the engine's
/// ordering guarantee 7 switched off): for tests that the hand-over changes nothing.
pub fn run_scenario_queued(sc: &Scenario, seed: u64) -> Result<RunOutput, SimError> {
    run(sc, seed, None, None, false)
}

fn run(
    sc: &Scenario,
    seed: u64,
    progress: Option<&AtomicU64>,
    cancel: Option<&AtomicBool>,
    hand_over: bool,
) -> Result<RunOutput, SimError> {
    let mut world = World::new(sc, seed);
    let mut engine: Engine<Event> = Engine::new();
    engine.set_hand_over(hand_over);
    world.start(engine.scheduler());
    let end = sc.duration;
    let step: SimTime = (end / 100).max(1);
    let mut t = 0;
    while t < end {
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(SimError::Cancelled);
        }
        let next = (t + step).min(end);
        engine.run_until(&mut world, next);
        if let Some(p) = progress {
            p.fetch_add(next - t, Ordering::Relaxed);
        }
        t = next;
    }
    let c = world.counts;
    let in_flight = world.in_flight();
    if c.issued != c.ok + c.failed + in_flight {
        return Err(SimError::Conservation {
            issued: c.issued,
            ok: c.ok,
            failed: c.failed,
            in_flight,
        });
    }
    let pools = world.finish_pools(end);
    let dns_queries = world.dns_queries().to_vec();
    let (region_down, service_down) = world.finish_clocks(end);
    world.promotions_unfinished();
    world.failback_unfinished();
    let ttl_violators = world.ttl_violators();
    let data = {
        let diverged_before = world.data.diverged_keys();
        let queued_at_end = world.data.queued() as u64;
        world.quorum_flush();
        let convergence = world.data.convergence();
        world.data.converge(end);
        let dl = &world.data;
        let n = dl.len();
        let mut lag = vec![];
        for a in 0..n {
            for b in 0..n {
                let h = &dl.lag_hist[a * n + b];
                if h.count() > 0 {
                    lag.push((dl.regions[a], dl.regions[b], h.summary()));
                }
            }
        }
        DataReport {
            // Losses and conflicts include what converging surfaced; replication counts and
            // lag cover the run only.
            tally: dl.tally.clone(),
            lag,
            staleness: dl.staleness.summary(),
            by_population: dl
                .by_population
                .iter()
                .map(|p| PopulationReadReport {
                    reads: p.reads,
                    stale_reads: p.stale_reads,
                    ryw_violations: p.ryw_violations,
                    staleness: p.staleness.summary(),
                })
                .collect(),
            diverged_keys: diverged_before,
            diverged_after_converging: dl.diverged_keys(),
            queued_at_end,
            convergence,
            writes_total: dl.writes_total,
            totals: (0..n)
                .map(|x| (dl.regions[x], dl.total_value(x as u8)))
                .collect(),
            kept_after_warmup: dl.kept_after_warmup(world.primary_data_region()),
            t_visibility: dl.t_visibility.clone(),
            clock_offsets: (0..n)
                .map(|x| (dl.regions[x], dl.clock_offset(x as u8)))
                .collect(),
        }
    };
    let peak_request_slots = world.request_slots();
    let peak_replica_waits = world.peak_waits();
    let mut cost = world.cost.take();
    if let Some(m) = &mut cost {
        m.finish(end);
    }
    let residency = sc.residency.as_ref().map(|_| world.residency_tally);
    Ok(RunOutput {
        events: engine.delivered(),
        handed_over: engine.handed_over(),
        trace: engine.trace_digest(),
        counts: c,
        in_flight,
        metrics: world.metrics.finish(),
        pools,
        dns_queries,
        dns: world.dns_tally,
        data,
        ttl_violators,
        faults: world.tallies,
        failovers: world.failovers,
        health_changes: world.health_changes,
        region_down,
        service_down,
        peak_request_slots,
        peak_replica_waits,
        cost,
        residency,
    })
}
