//! Results: per-variant summaries built from a run, and the files they are written to.
//!
//! Every figure here is a pure function of the run's metrics; floats are written with fixed
//! precision so the same run gives byte-identical files.

mod cost;
mod faults;
mod table;
mod write;

use crate::engine::ns_to_ms;
use crate::metrics::{FailReason, LatencySummary, ScopeStats};
use crate::model::Scenario;
use crate::sim::RunOutput;
pub use cost::{JurisdictionSummary, ResidencySummary, cost_csv, has_cost, render_cost_table};
pub use faults::{
    failovers_csv, faults_csv, has_faults, has_quorum, one_seed_note, render_faults,
    render_t_visibility, t_visibility_csv,
};
use serde::{Deserialize, Serialize};
pub use table::{
    failed_share, has_data, render_data, render_failures, render_stats, render_table,
    render_table_styled,
};
pub use write::{remove_stale_temporaries, timeline_csv, write_atomic, write_results};

/// Outcome and latency figures of one scope (SPEC §3).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScopeSummary {
    pub name: String,
    /// Requests issued after the warm-up. For populations and overall this counts every
    /// request issued, so it exceeds ok + failed by those still in flight at the end; a region
    /// sees only requests that reached it, so its figure is ok + failed.
    pub issued: u64,
    pub ok: u64,
    pub failed: u64,
    pub failed_timeout: u64,
    pub failed_overload: u64,
    pub failed_unreachable: u64,
    pub failed_no_region: u64,
    /// Answered with an error (an `ErrorRate` fault).
    #[serde(default)]
    pub failed_error: u64,
    /// ok / (ok + failed); `None` when nothing ended.
    pub availability: Option<f64>,
    /// Share of windows after the warm-up whose availability met the SLO; `None` without data.
    pub time_availability: Option<f64>,
    pub all: LatencySummary,
    pub reads: LatencySummary,
    pub writes: LatencySummary,
}

impl ScopeSummary {
    fn build(
        name: &str,
        s: &ScopeStats,
        issued: Option<u64>,
        time_availability: Option<f64>,
    ) -> Self {
        let mut all = s.latency[0].clone();
        all.merge(&s.latency[1]);
        let f = |r: FailReason| s.failed[0][r as usize] + s.failed[1][r as usize];
        let ok = s.ok_total();
        let failed = s.failed_total();
        ScopeSummary {
            name: name.to_owned(),
            issued: issued.unwrap_or(ok + failed),
            ok,
            failed,
            failed_timeout: f(FailReason::Timeout),
            failed_overload: f(FailReason::Overload),
            failed_unreachable: f(FailReason::Unreachable),
            failed_no_region: f(FailReason::NoRegion),
            failed_error: f(FailReason::Error),
            availability: share(ok, ok + failed),
            time_availability,
            all: all.summary(),
            reads: s.latency[0].summary(),
            writes: s.latency[1].summary(),
        }
    }
}

/// Reads and writes merged: the latency of all successful requests of a scope.
fn all_latency(s: &ScopeStats) -> crate::metrics::LatencyHistogram {
    let mut all = s.latency[0].clone();
    all.merge(&s.latency[1]);
    all
}

/// Share of a population's successful requests that entered a region.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Share {
    pub region: String,
    pub share: f64,
}

/// A population's results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PopulationSummary {
    #[serde(flatten)]
    pub scope: ScopeSummary,
    /// Regions that served it, largest share first.
    pub served_by: Vec<Share>,
    /// DNS queries that missed the resolvers' caches (whole run).
    pub dns_queries: u64,
    /// Attempts sent by a cached DNS answer to a region that was down, unhealthy or no longer
    /// serving, or failed by a cached negative answer when DNS would have answered with a
    /// region (after the warm-up).
    pub stale_dns_answers: u64,
    /// Attempts answered from an entry past its TTL (TTL-violating resolvers).
    pub past_ttl_answers: u64,
}

/// A region's results: request outcomes and its server pool (queueing figures after warm-up).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegionSummary {
    #[serde(flatten)]
    pub scope: ScopeSummary,
    pub servers: u32,
    /// Requests admitted to the pool per second.
    pub pool_arrival_rate_per_s: f64,
    /// Mean busy servers / servers.
    pub utilization: f64,
    /// Mean wait in queue of requests that were served (ms).
    pub mean_queue_wait_ms: f64,
    /// Mean time in the pool, queue plus service (ms).
    pub mean_time_in_pool_ms: f64,
    /// Time-average number of requests in the pool (L of Little's law).
    pub mean_in_pool: f64,
    pub shed: u64,
    pub abandoned: u64,
    /// Time the region was down after the warm-up, in seconds.
    pub down_s: f64,
}

/// A span of simulated time in which a fault was active, for shading timeline charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultWindow {
    pub label: String,
    pub start_s: f64,
    pub end_s: f64,
}

/// Everything reported about one variant.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VariantResult {
    pub variant: String,
    /// What the variant changes: each override's path and value as written (compact; a sweep
    /// point's values are in stats.json). Empty for the base and until the runner sets it.
    #[serde(default)]
    pub overrides: indexmap::IndexMap<String, String>,
    pub design: String,
    pub serving_regions: Vec<String>,
    /// Scripted faults, shaded on timeline charts.
    #[serde(default)]
    pub fault_windows: Vec<FaultWindow>,
    pub seed: u64,
    pub events: u64,
    /// Whole run, warm-up included: issued = ok + failed + in_flight.
    pub issued_total: u64,
    pub ok_total: u64,
    pub failed_total: u64,
    pub in_flight_at_end: u64,
    pub overall: ScopeSummary,
    pub populations: Vec<PopulationSummary>,
    pub regions: Vec<RegionSummary>,
    /// Resolvers that keep DNS answers past their TTL.
    pub ttl_violators: usize,
    /// Share of the time after the warm-up during which the design had a region serving
    /// (active-active: any region up; active-passive: the current primary up, so a failover's
    /// detection and promotion count as down). Ignores DNS: what users could at best see.
    pub service_up_fraction: f64,
    /// With random outages: the availability of the design if regions failed independently
    /// with the configured MTBF/MTTR and failover were instant, `1 − uᵏ` with
    /// `u = MTTR/(MTBF+MTTR)` and `k` the design's regions that fail (issue #4; a reference
    /// for SPEC §3's observed availability, not a SPEC metric itself).
    pub closed_form_availability: Option<f64>,
    /// The data layer: replication, conflicts, losses, staleness, convergence (SPEC §3).
    pub data: DataSummary,
    /// What every fault touched and how the users came through it.
    pub faults: Vec<FaultReport>,
    /// Active-passive promotions.
    pub failovers: Vec<FailoverReport>,
    /// Changes of a region's health verdict (what DNS and failover saw).
    pub health_changes: Vec<HealthChangeReport>,
    /// Infrastructure, downtime and total cost, when the experiment has prices (SPEC §3 Cost).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<crate::cost::CostReport>,
    /// Residency violations and the price of enforcing the policy (SPEC §3 Residency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residency: Option<ResidencySummary>,
    /// Written to timeline.csv, not to summary.json (run records carry it separately).
    #[serde(skip)]
    pub timeline: Vec<TimelineRow>,
}

/// One fault's effect (SPEC §3 RTO; issue #4 "every fault reports what it touched").
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaultReport {
    pub fault: String,
    /// Scripted faults: start and end in seconds; random outages: `None`.
    pub start_s: Option<f64>,
    pub end_s: Option<f64>,
    pub occurrences: u64,
    /// Total time active, in seconds.
    pub active_s: f64,
    /// Requests and messages the fault changed (sum of the counts below).
    pub touched: u64,
    pub lost_in_region: u64,
    pub refused: u64,
    pub dropped: u64,
    pub delayed: u64,
    pub reduced_capacity_arrivals: u64,
    pub probes_failed: u64,
    /// Last attempt sent to the region while it was down, after the fault's start (seconds).
    pub drain_s: Option<f64>,
    /// Replication messages held back by the fault: each message queued on a link while the
    /// fault held the link's head (delivered when it healed), counted once; under `Quorum`,
    /// each write the fault kept from a replica (a hint, handed off when it healed).
    pub messages_held: u64,
    /// Replication messages slowed by a lag spike.
    pub replication_delayed: u64,
    /// Writes stamped by a clock after it jumped.
    pub writes_stamped: u64,
    /// Attempts answered with an error (`ErrorRate`).
    #[serde(default)]
    pub errors: u64,
    /// Requests that reached a region while it was slowed down (`Slowdown`).
    #[serde(default)]
    pub slowed_arrivals: u64,
    /// A partition between regions: keys whose replicas disagreed when it healed.
    pub diverged_keys_at_heal: Option<u64>,
    /// A partition between regions: seconds from the heal until replication had delivered
    /// everything it held.
    pub caught_up_after_s: Option<f64>,
    /// Populations with failed requests issued while the fault was active.
    pub affected_populations: Vec<String>,
    /// Requests (issued after the warm-up) that finally failed after this fault refused,
    /// dropped or lost one of their attempts.
    pub failed_requests: u64,
    /// Failed requests of the affected populations issued from the fault's start until
    /// recovery (or the end of the run), whatever the cause, in windows that start after the
    /// warm-up; scripted faults only.
    pub failed_until_recovery: u64,
    /// Availability of all requests over the windows that start after the warm-up and lie
    /// wholly inside the fault.
    pub availability_during: Option<f64>,
    /// Observed RTO in seconds (SPEC §3); `None` with `recovered: false` when it never recovered.
    pub rto_s: Option<f64>,
    pub recovered: bool,
    /// Touched nothing: flagged in the summary, never silent.
    pub no_effect: bool,
}

/// The data layer's figures for one variant (SPEC §3).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DataSummary {
    pub replication: String,
    pub conflict_strategy: String,
    pub key_class: String,
    /// Writes committed after the warm-up.
    pub writes: u64,
    pub replications_applied: u64,
    /// Pairs of concurrent writes to one key (accepted in different regions, neither seeing
    /// the other).
    pub conflicts: u64,
    /// Acknowledged writes whose effect is absent from the converged final state (SPEC §3
    /// Lost update): `lost_to_conflicts` + `lost_at_failover`.
    pub lost_updates: u64,
    /// The lost updates that conflict resolution discarded: for counters and sets, the
    /// increments or items the converged state lacks beyond those lost at failover; for
    /// registers and bookings, writes discarded by last-writer-wins.
    #[serde(default)]
    pub lost_to_conflicts: u64,
    /// Lost updates whose winner was earlier in true time (clock skew).
    pub wrong_winners: u64,
    /// Concurrent versions kept for the application to resolve (AppLevel).
    pub pending_resolutions: u64,
    /// Acknowledged writes lost at failovers (also per failover in `failovers`).
    pub lost_at_failover: u64,
    /// An old primary's lost writes that met the new lineage when it came back (reconciled
    /// by overwriting them).
    pub failback_conflicts: u64,
    pub reads: u64,
    pub stale_reads: u64,
    pub stale_read_ratio: Option<f64>,
    /// t − acknowledgement time of the oldest version a stale read missed.
    pub staleness: LatencySummary,
    pub read_your_writes_violations: u64,
    /// The read figures above per population (the reader's).
    #[serde(default)]
    pub by_population: Vec<PopulationData>,
    /// Reads that waited for their replica to catch up (session or bounded staleness).
    pub reads_waited: u64,
    /// Reads sent to the region holding the user's last write (session routing).
    pub reads_routed: u64,
    /// Times a SemiSync origin fell back to asynchronous replication (`fallback_after_ms`).
    #[serde(default)]
    pub semi_sync_fallbacks: u64,
    /// SemiSync writes acknowledged without their replicas' acknowledgements (fallen back).
    #[serde(default)]
    pub acked_without_replicas: u64,
    pub consistency: String,
    /// Keys whose replicas disagree at the end of the run.
    pub diverged_keys_at_end: u64,
    /// Keys that still disagree once every queued message is delivered: the converged final
    /// state lost updates are defined against (0 for every strategy; an old primary's fenced
    /// writes are not counted: they are lost, see `lost_at_failover`).
    pub diverged_keys_after_converging: u64,
    /// Writes committed, warm-up included (for counters: the increments a lossless strategy
    /// keeps in every region's total).
    pub writes_total: u64,
    /// Replication messages still queued at the end (held by a fault, or in flight).
    pub queued_at_end: u64,
    /// Seconds from the end of the last scripted fault until every write committed before it
    /// had been applied at every replica that takes it (SPEC §3 convergence); `None` without
    /// scripted faults or when that had not happened by the end of the run.
    pub convergence_s: Option<f64>,
    /// Per data region, in the converged final state: sum of its keys' values (for counters:
    /// the increments it holds).
    pub totals: Vec<RegionValue>,
    /// Per data region: its clock offset in ms.
    pub clock_offsets_ms: Vec<RegionValue>,
    /// Per replication link: apply time − commit time.
    pub replication_lag: Vec<LinkLag>,
    /// Probability that a read issued t after the newest acknowledged write to its key sees it
    /// (PBS t-visibility), per bin of t.
    pub t_visibility: Vec<TVisibility>,
}

/// One population's reads in the data layer (SPEC §3 stale read, read-your-writes violation).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PopulationData {
    pub population: String,
    pub reads: u64,
    pub stale_reads: u64,
    pub stale_read_ratio: Option<f64>,
    pub staleness: LatencySummary,
    pub read_your_writes_violations: u64,
}

/// One bin of t-visibility.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TVisibility {
    pub t_from_ms: f64,
    /// `None`: the open last bin.
    pub t_to_ms: Option<f64>,
    pub reads: u64,
    pub saw_write: u64,
    pub p_visible: Option<f64>,
}

/// A figure for one region.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegionValue {
    pub region: String,
    pub value: f64,
}

/// Replication lag of one link.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkLag {
    pub from: String,
    pub to: String,
    pub lag: LatencySummary,
}

/// One active-passive promotion.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FailoverReport {
    pub policy: String,
    pub from: String,
    /// `None`: no standby was up and healthy at promotion time.
    pub to: Option<String>,
    /// When the policy noticed (health verdict, or the outage for a manual failover), seconds.
    pub triggered_s: f64,
    /// `None`: it had not happened by the end of the run (a promotion still waiting for its
    /// delay, a planned failback still waiting for the old primary to catch up, or draining).
    pub promoted_s: Option<f64>,
    /// Acknowledged writes of the old primary the new one never applied (SPEC §3 RPO).
    pub lost_writes: u64,
    /// Seconds from the oldest lost write to the primary's failure.
    pub rpo_s: Option<f64>,
}

/// A region's health verdict changed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HealthChangeReport {
    pub at_s: f64,
    pub region: String,
    pub healthy: bool,
}

/// One timeline row: a scope in a window.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineRow {
    pub window_start_s: f64,
    pub warmup: bool,
    pub scope: &'static str,
    pub name: String,
    pub issued: u64,
    pub ok: u64,
    pub failed: [u64; 5],
    pub availability: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// Results of a whole experiment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExperimentResult {
    pub experiment: String,
    pub question: String,
    pub seed: u64,
    pub variants: Vec<VariantResult>,
}

impl VariantResult {
    /// Summarises a finished run of scenario `sc`.
    pub fn build(name: &str, sc: &Scenario, seed: u64, out: &RunOutput) -> Self {
        let m = &out.metrics;
        let tl = &m.timeline;
        let first_window = (sc.warmup.div_ceil(tl.window)) as usize;
        // SPEC §3 judges windows of `window_s`: a shorter last one (a duration that is not a
        // multiple of it), mostly requests still in flight, is left out.
        let last_window = tl.judged_windows(first_window);
        let time_avail = |get: &dyn Fn(usize) -> Option<f64>| {
            let vals: Vec<f64> = (first_window..last_window).filter_map(get).collect();
            (!vals.is_empty())
                .then(|| vals.iter().filter(|a| **a >= sc.slo).count() as f64 / vals.len() as f64)
        };
        let n_reg = sc.regions.len();
        let populations = sc
            .populations
            .iter()
            .enumerate()
            .map(|(p, pop)| {
                let stats = &m.populations[p];
                let ta = time_avail(&|w| tl.population(w, p).availability());
                let total: u64 = (0..n_reg).map(|r| m.served_by[p * n_reg + r]).sum();
                let mut served: Vec<(usize, u64)> = (0..n_reg)
                    .map(|r| (r, m.served_by[p * n_reg + r]))
                    .filter(|x| x.1 > 0)
                    .collect();
                served.sort_by_key(|&(r, c)| (std::cmp::Reverse(c), r));
                let mut scope = ScopeSummary::build(
                    &pop.name,
                    stats,
                    Some(m.issued[p][0] + m.issued[p][1]),
                    ta,
                );
                scope.all.cdf = all_latency(stats).cdf_points();
                PopulationSummary {
                    scope,
                    served_by: served
                        .into_iter()
                        .map(|(r, c)| Share {
                            region: sc.regions[r].name.clone(),
                            share: c as f64 / total as f64,
                        })
                        .collect(),
                    dns_queries: out.dns_queries[p],
                    stale_dns_answers: out.dns[p].stale_answers,
                    past_ttl_answers: out.dns[p].past_ttl_answers,
                }
            })
            .collect();
        let regions = sc
            .regions
            .iter()
            .enumerate()
            .filter(|(r, _)| {
                m.regions[*r].ok_total() + m.regions[*r].failed_total() > 0
                    || out.pools[*r].arrivals > 0
            })
            .map(|(r, reg)| {
                let ps = &out.pools[r];
                let span = ps.span.max(1) as f64;
                RegionSummary {
                    scope: ScopeSummary::build(
                        &reg.name,
                        &m.regions[r],
                        None,
                        time_avail(&|w| tl.region(w, r).availability()),
                    ),
                    servers: reg.servers,
                    pool_arrival_rate_per_s: ps.arrivals as f64 / (span / 1e9),
                    utilization: ps.busy_area as f64 / span / reg.servers as f64,
                    mean_queue_wait_ms: if ps.wait_count > 0 {
                        ns_to_ms((ps.wait_sum / ps.wait_count as u128) as u64)
                    } else {
                        0.0
                    },
                    mean_time_in_pool_ms: if ps.sojourn_count > 0 {
                        ps.sojourn_sum as f64 / ps.sojourn_count as f64 / 1e6
                    } else {
                        0.0
                    },
                    mean_in_pool: ps.present_area as f64 / span,
                    shed: ps.shed,
                    abandoned: ps.abandoned,
                    down_s: out.region_down[r] as f64 / 1e9,
                }
            })
            .collect::<Vec<_>>();
        let overall_stats = m.overall();
        let issued_after_warmup: u64 = m.issued.iter().map(|i| i[0] + i[1]).sum();
        let mut overall = ScopeSummary::build(
            "all",
            &overall_stats,
            Some(issued_after_warmup),
            time_avail(&|w| tl.overall(w).availability()),
        );
        overall.all.cdf = all_latency(&overall_stats).cdf_points();
        // Timeline rows: overall, populations, and regions that saw traffic.
        let active_regions: Vec<usize> = regions
            .iter()
            .map(|r| {
                sc.regions
                    .iter()
                    .position(|x| x.name == r.scope.name)
                    .expect("region exists")
            })
            .collect();
        let mut timeline = vec![];
        for w in 0..tl.n_windows {
            let start = w as f64 * tl.window as f64 / 1e9;
            let warm = (w as u64) * tl.window < sc.warmup;
            let mut push =
                |scope: &'static str, name: &str, s: &crate::metrics::timeline::WindowStats| {
                    timeline.push(TimelineRow {
                        window_start_s: start,
                        warmup: warm,
                        scope,
                        name: name.to_owned(),
                        issued: s.issued,
                        ok: s.ok,
                        failed: s.failed,
                        availability: s.availability(),
                        p50_ms: s.quantile_ms(0.5),
                        p99_ms: s.quantile_ms(0.99),
                    });
                };
            push("overall", "all", tl.overall(w));
            for (p, pop) in sc.populations.iter().enumerate() {
                push("population", &pop.name, tl.population(w, p));
            }
            for &r in &active_regions {
                push("region", &sc.regions[r].name, tl.region(w, r));
            }
        }
        let labels = crate::sim::faults::fault_labels(sc);
        let faults = out
            .faults
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let scripted = sc.faults.get(i);
                let touched = t.touched();
                let rec = scripted.map(|f| {
                    let mut rec = crate::metrics::recovery::recovery(
                        tl,
                        sc.populations.len(),
                        &t.failed_by_population,
                        f.start,
                        f.end.min(sc.duration),
                        sc.slo,
                        first_window,
                    );
                    if touched == 0 {
                        // A fault that touched nothing (a spike on an unused link, a fault
                        // after the end) affected nobody: failures in its windows belong to
                        // something else and must not become its RTO.
                        rec.affected.clear();
                        rec.rto = Some(0);
                        rec.visible = false;
                        rec.failed = 0;
                    }
                    rec
                });
                FaultReport {
                    fault: labels[i].clone(),
                    start_s: scripted.map(|f| f.start as f64 / 1e9),
                    end_s: scripted.map(|f| f.end as f64 / 1e9),
                    occurrences: t.occurrences,
                    active_s: t.active_time as f64 / 1e9,
                    touched,
                    lost_in_region: t.lost_in_region,
                    refused: t.refused,
                    dropped: t.dropped,
                    delayed: t.delayed,
                    reduced_capacity_arrivals: t.reduced_capacity_arrivals,
                    probes_failed: t.probes_failed,
                    drain_s: match (scripted, t.last_attempt_while_down) {
                        (Some(f), Some(last)) => Some(last.saturating_sub(f.start) as f64 / 1e9),
                        _ => None,
                    },
                    messages_held: t.messages_held,
                    replication_delayed: t.replication_delayed,
                    writes_stamped: t.writes_stamped,
                    errors: t.errors,
                    slowed_arrivals: t.slowed_arrivals,
                    diverged_keys_at_heal: t.diverged_keys_at_heal,
                    caught_up_after_s: t.caught_up_after.map(|x| x as f64 / 1e9),
                    affected_populations: rec
                        .as_ref()
                        .map(|r| {
                            r.affected
                                .iter()
                                .map(|p| sc.populations[*p].name.clone())
                                .collect()
                        })
                        .unwrap_or_default(),
                    failed_requests: t.requests_failed,
                    failed_until_recovery: rec.as_ref().map(|r| r.failed).unwrap_or(0),
                    availability_during: rec.as_ref().and_then(|r| r.availability_during),
                    rto_s: rec.as_ref().and_then(|r| r.rto).map(|x| x as f64 / 1e9),
                    recovered: rec.as_ref().is_none_or(|r| r.rto.is_some()),
                    no_effect: touched == 0,
                }
            })
            .collect();
        let name_of = |r: crate::model::RegionId| sc.regions[r as usize].name.clone();
        let failovers = out
            .failovers
            .iter()
            .map(|f| FailoverReport {
                policy: f.policy.to_owned(),
                from: name_of(f.from),
                to: f.to.map(name_of),
                triggered_s: f.triggered as f64 / 1e9,
                promoted_s: f.at.map(|t| t as f64 / 1e9),
                lost_writes: f.lost_writes,
                rpo_s: f.rpo_span.map(|x| x as f64 / 1e9),
            })
            .collect();
        let health_changes = out
            .health_changes
            .iter()
            .map(|h| HealthChangeReport {
                at_s: h.at as f64 / 1e9,
                region: name_of(h.region),
                healthy: h.healthy,
            })
            .collect();
        let span = sc.duration.saturating_sub(sc.warmup).max(1) as f64;
        let closed_form_availability = sc.random_outages.as_ref().map(|ro| {
            let u = ro.mttr_h / (ro.mtbf_h + ro.mttr_h);
            let fails = |r: &crate::model::RegionId| ro.regions.contains(r);
            let k = match &sc.design {
                crate::model::Design::ActivePassive {
                    primary,
                    standbys,
                    failover,
                    ..
                } => {
                    if !fails(primary) {
                        0
                    } else if *failover == crate::model::FailoverPolicy::Off {
                        1
                    } else if standbys.iter().all(fails) {
                        1 + standbys.len()
                    } else {
                        0
                    }
                }
                crate::model::Design::ActiveActive { regions } => {
                    if regions.iter().all(fails) {
                        regions.len()
                    } else {
                        0
                    }
                }
            };
            if k == 0 { 1.0 } else { 1.0 - u.powi(k as i32) }
        });
        let dr = &out.data;
        let lost_to_conflicts = match sc.data.class {
            // Every write adds one: what the converged state lacks of the writes after the
            // warm-up was lost (SPEC §3), minus what failovers account for (the acknowledged
            // ones are `lost_at_failover`; the others were never owed to anyone).
            crate::model::KeyClass::Counter | crate::model::KeyClass::Set => dr
                .tally
                .writes
                .saturating_sub(dr.kept_after_warmup)
                .saturating_sub(dr.tally.fenced_writes),
            crate::model::KeyClass::Register | crate::model::KeyClass::Booking => {
                dr.tally.lost_updates
            }
        };
        let data = DataSummary {
            replication: match sc.data.mode {
                crate::model::ReplicationMode::Quorum { n, r, w } => {
                    format!("Quorum(n: {n}, r: {r}, w: {w})")
                }
                _ => format!("{:?} {:?}", sc.data.mode, sc.data.shape),
            },
            conflict_strategy: format!("{:?}", sc.data.conflict),
            key_class: format!("{:?}", sc.data.class),
            writes: dr.tally.writes,
            replications_applied: dr.tally.replications_applied,
            conflicts: dr.tally.conflicts,
            lost_updates: lost_to_conflicts + dr.tally.lost_at_failover,
            lost_to_conflicts,
            wrong_winners: dr.tally.wrong_winners,
            pending_resolutions: dr.tally.pending_resolutions,
            lost_at_failover: dr.tally.lost_at_failover,
            failback_conflicts: dr.tally.failback_conflicts,
            reads: dr.tally.reads,
            stale_reads: dr.tally.stale_reads,
            stale_read_ratio: share(dr.tally.stale_reads, dr.tally.reads),
            staleness: dr.staleness.clone(),
            read_your_writes_violations: dr.tally.ryw_violations,
            by_population: dr
                .by_population
                .iter()
                .zip(&sc.populations)
                .map(|(d, p)| PopulationData {
                    population: p.name.clone(),
                    reads: d.reads,
                    stale_reads: d.stale_reads,
                    stale_read_ratio: share(d.stale_reads, d.reads),
                    staleness: d.staleness.clone(),
                    read_your_writes_violations: d.ryw_violations,
                })
                .collect(),
            reads_waited: dr.tally.reads_waited,
            reads_routed: dr.tally.reads_routed,
            semi_sync_fallbacks: dr.tally.semi_sync_fallbacks,
            acked_without_replicas: dr.tally.acked_without_replicas,
            consistency: format!("{:?}", sc.data.consistency),
            diverged_keys_at_end: dr.diverged_keys,
            diverged_keys_after_converging: dr.diverged_after_converging,
            writes_total: dr.writes_total,
            queued_at_end: dr.queued_at_end,
            convergence_s: dr.convergence.map(|t| t as f64 / 1e9),
            totals: dr
                .totals
                .iter()
                .map(|(r, v)| RegionValue {
                    region: name_of(*r),
                    value: *v as f64,
                })
                .collect(),
            clock_offsets_ms: dr
                .clock_offsets
                .iter()
                .map(|(r, v)| RegionValue {
                    region: name_of(*r),
                    value: *v as f64 / 1e6,
                })
                .collect(),
            t_visibility: dr
                .t_visibility
                .iter()
                .enumerate()
                .map(|(i, (reads, saw))| {
                    let edges = crate::data::T_VISIBILITY_EDGES_MS;
                    TVisibility {
                        t_from_ms: if i == 0 { 0.0 } else { edges[i - 1] },
                        t_to_ms: edges.get(i).copied(),
                        reads: *reads,
                        saw_write: *saw,
                        p_visible: share(*saw, *reads),
                    }
                })
                .collect(),
            replication_lag: dr
                .lag
                .iter()
                .map(|(a, b, l)| LinkLag {
                    from: name_of(*a),
                    to: name_of(*b),
                    lag: l.clone(),
                })
                .collect(),
        };
        let cost = cost::cost_of(sc, out, &overall);
        let residency = cost::residency_of(sc, out, m);
        VariantResult {
            overrides: indexmap::IndexMap::new(),
            cost,
            residency,
            data,
            closed_form_availability,
            ttl_violators: out.ttl_violators,
            service_up_fraction: 1.0 - out.service_down as f64 / span,
            faults,
            failovers,
            health_changes,
            variant: name.to_owned(),
            design: sc.design.kind().to_owned(),
            serving_regions: sc
                .design
                .serving_regions()
                .iter()
                .map(|r| sc.regions[*r as usize].name.clone())
                .collect(),
            fault_windows: sc
                .faults
                .iter()
                .map(|f| FaultWindow {
                    label: f.label.clone(),
                    start_s: f.start as f64 / 1e9,
                    end_s: f.end.min(sc.duration) as f64 / 1e9,
                })
                .collect(),
            seed,
            events: out.events,
            issued_total: out.counts.issued,
            ok_total: out.counts.ok,
            failed_total: out.counts.failed,
            in_flight_at_end: out.in_flight,
            overall,
            populations,
            regions,
            timeline,
        }
    }
}

/// A timeline row as read back from a run record (its scope kind still a string).
#[derive(Deserialize)]
struct OwnedTimelineRow {
    window_start_s: f64,
    warmup: bool,
    scope: String,
    name: String,
    issued: u64,
    ok: u64,
    failed: [u64; 5],
    availability: Option<f64>,
    p50_ms: Option<f64>,
    p99_ms: Option<f64>,
}

impl<'de> Deserialize<'de> for TimelineRow {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        TimelineRow::try_from(OwnedTimelineRow::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<OwnedTimelineRow> for TimelineRow {
    type Error = String;
    fn try_from(r: OwnedTimelineRow) -> Result<Self, String> {
        let scope = ["overall", "population", "region"]
            .into_iter()
            .find(|k| *k == r.scope)
            .ok_or_else(|| format!("unknown timeline scope `{}`", r.scope))?;
        Ok(TimelineRow {
            window_start_s: r.window_start_s,
            warmup: r.warmup,
            scope,
            name: r.name,
            issued: r.issued,
            ok: r.ok,
            failed: r.failed,
            availability: r.availability,
            p50_ms: r.p50_ms,
            p99_ms: r.p99_ms,
        })
    }
}

/// `part / whole`, or `None` when `whole` is 0 (a ratio of nothing is not 0).
fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}
