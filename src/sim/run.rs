//! Running one scenario to its end and checking that every request is accounted for.

use super::faults::FaultTally;
use super::health::HealthChange;
use super::{Conservation, DnsTally, Event, Failover, World};
use crate::engine::{Engine, SimTime};
use crate::metrics::Metrics;
use crate::model::Scenario;
use crate::sim::pool::PoolStats;
use std::sync::atomic::{AtomicU64, Ordering};

/// Everything one run produced.
pub struct RunOutput {
    pub events: u64,
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
    /// Most request slots ever allocated at once: bounded by requests in flight, not by run length.
    pub peak_request_slots: usize,
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
}

/// Simulates `sc` under `seed`. `progress`, when given, is advanced in simulated nanoseconds.
pub fn run_scenario(
    sc: &Scenario,
    seed: u64,
    progress: Option<&AtomicU64>,
) -> Result<RunOutput, SimError> {
    let mut world = World::new(sc, seed);
    let mut engine: Engine<Event> = Engine::new();
    world.start(engine.scheduler());
    let end = sc.duration;
    let step: SimTime = (end / 100).max(1);
    let mut t = 0;
    while t < end {
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
    let ttl_violators = world.ttl_violators();
    let peak_request_slots = world.request_slots();
    Ok(RunOutput {
        events: engine.delivered(),
        counts: c,
        in_flight,
        metrics: world.metrics,
        pools,
        dns_queries,
        dns: world.dns_tally,
        ttl_violators,
        faults: world.tallies,
        failovers: world.failovers,
        health_changes: world.health_changes,
        region_down,
        service_down,
        peak_request_slots,
    })
}
