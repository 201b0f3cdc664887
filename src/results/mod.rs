//! Results: per-variant summaries built from a run, and the files they are written to.
//!
//! Every figure here is a pure function of the run's metrics; floats are written with fixed
//! precision so the same run gives byte-identical files.

mod table;
mod write;

use crate::engine::ns_to_ms;
use crate::metrics::{FailReason, LatencySummary, ScopeStats};
use crate::model::Scenario;
use crate::sim::RunOutput;
use serde::{Deserialize, Serialize};
pub use table::render_table;
pub use write::{write_atomic, write_results};

/// Outcome and latency figures of one scope (SPEC §3).
#[derive(Debug, Clone, Serialize)]
pub struct ScopeSummary {
    pub name: String,
    /// Requests issued after the warm-up (populations; for regions and overall, ok + failed).
    pub issued: u64,
    pub ok: u64,
    pub failed: u64,
    pub failed_timeout: u64,
    pub failed_overload: u64,
    pub failed_unreachable: u64,
    pub failed_no_region: u64,
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
            availability: (ok + failed > 0).then(|| ok as f64 / (ok + failed) as f64),
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
#[derive(Debug, Clone, Serialize)]
pub struct Share {
    pub region: String,
    pub share: f64,
}

/// A population's results.
#[derive(Debug, Clone, Serialize)]
pub struct PopulationSummary {
    #[serde(flatten)]
    pub scope: ScopeSummary,
    /// Regions that served it, largest share first.
    pub served_by: Vec<Share>,
    /// DNS queries that missed the resolvers' caches (whole run).
    pub dns_queries: u64,
}

/// A region's results: request outcomes and its server pool (queueing figures after warm-up).
#[derive(Debug, Clone, Serialize)]
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
}

/// A span of simulated time in which a fault was active, for shading timeline charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultWindow {
    pub label: String,
    pub start_s: f64,
    pub end_s: f64,
}

/// Everything reported about one variant.
#[derive(Debug, Clone, Serialize)]
pub struct VariantResult {
    pub variant: String,
    pub design: String,
    pub serving_regions: Vec<String>,
    /// Faults active during the run, shaded on timeline charts (none yet).
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
    #[serde(skip)]
    pub timeline: Vec<TimelineRow>,
}

/// One timeline row: a scope in a window.
#[derive(Debug, Clone)]
pub struct TimelineRow {
    pub window_start_s: f64,
    pub warmup: bool,
    pub scope: &'static str,
    pub name: String,
    pub issued: u64,
    pub ok: u64,
    pub failed: [u64; 4],
    pub availability: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// Results of a whole experiment.
#[derive(Debug, Clone, Serialize)]
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
        let time_avail = |get: &dyn Fn(usize) -> Option<f64>| {
            let vals: Vec<f64> = (first_window..tl.n_windows).filter_map(get).collect();
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
        VariantResult {
            variant: name.to_owned(),
            design: sc.design.kind().to_owned(),
            serving_regions: sc
                .design
                .serving_regions()
                .iter()
                .map(|r| sc.regions[*r as usize].name.clone())
                .collect(),
            fault_windows: vec![],
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
