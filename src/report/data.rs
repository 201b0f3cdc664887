//! What a report is drawn from, read back from a results directory: summary.json,
//! timeline.csv, topology.json and manifest.json.
//!
//! Only the fields charts and the report need are read, and every one has a default, so a
//! summary.json from an older or newer regionsim still makes a report.

use super::ReportError;
use crate::model::{RegionId, Scenario};
use crate::results::FaultWindow;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Latency figures of a scope (ms).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LatencyView {
    pub count: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub cdf: Vec<(f64, f64)>,
}

/// Outcomes of a scope.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ScopeView {
    pub name: String,
    pub issued: u64,
    pub ok: u64,
    pub failed: u64,
    /// `failed` by reason (absent in older results: 0).
    pub failed_timeout: u64,
    pub failed_overload: u64,
    pub failed_unreachable: u64,
    pub failed_no_region: u64,
    pub failed_error: u64,
    pub availability: Option<f64>,
    pub all: LatencyView,
}

/// Share of a population's successful requests served by a region.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ShareView {
    pub region: String,
    pub share: f64,
}

/// A population's results.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PopulationView {
    #[serde(flatten)]
    pub scope: ScopeView,
    #[serde(default)]
    pub served_by: Vec<ShareView>,
}

/// A figure for one region (clock offsets).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RegionValueView {
    pub region: String,
    pub value: f64,
}

/// Replication lag of one link (ms).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LinkLagView {
    pub from: String,
    pub to: String,
    pub lag: LatencyView,
}

/// The data layer's figures of a variant (absent in results older than the data layer:
/// every count is then 0).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DataView {
    pub replication: String,
    pub conflict_strategy: String,
    pub writes: u64,
    pub replications_applied: u64,
    pub conflicts: u64,
    pub lost_updates: u64,
    /// The part of `lost_updates` conflict resolution discarded (absent in older results).
    pub lost_to_conflicts: u64,
    pub wrong_winners: u64,
    pub pending_resolutions: u64,
    pub lost_at_failover: u64,
    pub failback_conflicts: u64,
    pub clock_offsets_ms: Vec<RegionValueView>,
    pub replication_lag: Vec<LinkLagView>,
    pub t_visibility: Vec<TVisibilityView>,
    pub reads: u64,
    pub stale_reads: u64,
    pub stale_read_ratio: Option<f64>,
    /// Staleness ages of the stale reads.
    pub staleness: LatencyView,
    pub read_your_writes_violations: u64,
    /// From the last fault's end until its backlog was applied everywhere.
    pub convergence_s: Option<f64>,
    /// The read figures per population of the reader (absent in older results).
    pub by_population: Vec<PopulationDataView>,
}

/// One population's reads in the data layer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PopulationDataView {
    pub population: String,
    pub reads: u64,
    pub stale_reads: u64,
    pub stale_read_ratio: Option<f64>,
}

/// One bin of t-visibility: reads issued between `t_from_ms` and `t_to_ms` after the newest
/// acknowledged write to their key, and how many saw it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TVisibilityView {
    pub t_from_ms: f64,
    pub t_to_ms: Option<f64>,
    pub reads: u64,
    pub saw_write: u64,
    pub p_visible: Option<f64>,
}

/// One fault's effect.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FaultView {
    pub fault: String,
    pub start_s: Option<f64>,
    pub end_s: Option<f64>,
    pub occurrences: u64,
    pub active_s: f64,
    pub failed_requests: u64,
    pub availability_during: Option<f64>,
    pub rto_s: Option<f64>,
    pub recovered: bool,
    pub no_effect: bool,
}

/// One active-passive promotion.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FailoverView {
    pub policy: String,
    pub from: String,
    pub to: Option<String>,
    pub triggered_s: f64,
    /// `None`: not done by the end of the run.
    pub promoted_s: Option<f64>,
    pub lost_writes: u64,
    pub rpo_s: Option<f64>,
}

/// A change of a region's health verdict.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct HealthChangeView {
    pub at_s: f64,
    pub region: String,
    pub healthy: bool,
}

/// One component of the monthly cost (compute, storage, …).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CostLineView {
    pub component: String,
    pub span_usd: f64,
    pub month_usd: f64,
    pub quantity: String,
}

/// A variant's cost (absent in results without prices or older than cost accounting).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CostView {
    pub currency: String,
    pub components: Vec<CostLineView>,
    pub infrastructure_month_usd: f64,
    pub downtime_usd: f64,
    pub downtime_month_usd: f64,
    pub total_month_usd: f64,
    pub per_million_requests_usd: Option<f64>,
    pub downtime_minutes: f64,
    /// The simulated span the month is projected from, seconds (0 in results without it).
    pub span_s: f64,
    /// The experiment's downtime prices (absent in results older than them).
    pub downtime_per_minute_usd: Option<f64>,
    pub downtime_per_failed_request_usd: Option<f64>,
}

impl CostView {
    /// The downtime prices the experiment set, USD per minute and per failed request; `None`
    /// without downtime or without a price. Results older than the prices in summary.json
    /// give the price per minute read back from the cost (downtime cost / downtime minutes).
    pub fn downtime_prices(&self) -> Option<(f64, f64)> {
        if self.downtime_minutes <= 0.0 {
            return None;
        }
        match (
            self.downtime_per_minute_usd,
            self.downtime_per_failed_request_usd,
        ) {
            (Some(m), Some(r)) => (m > 0.0 || r > 0.0).then_some((m, r)),
            _ => (self.downtime_usd > 0.0)
                .then(|| (self.downtime_usd / self.downtime_minutes, 0.0))
                .filter(|p| p.0.is_finite()),
        }
    }
}

/// A variant's results.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct VariantView {
    pub variant: String,
    /// The variant's overrides (path → value as written); `None` in results written before
    /// summary.json recorded them.
    pub overrides: Option<indexmap::IndexMap<String, String>>,
    pub design: String,
    pub serving_regions: Vec<String>,
    pub fault_windows: Vec<FaultWindow>,
    pub seed: u64,
    pub overall: ScopeView,
    pub populations: Vec<PopulationView>,
    pub ttl_violators: u64,
    pub service_up_fraction: Option<f64>,
    pub closed_form_availability: Option<f64>,
    pub data: DataView,
    pub faults: Vec<FaultView>,
    pub failovers: Vec<FailoverView>,
    pub health_changes: Vec<HealthChangeView>,
    pub cost: Option<CostView>,
}

/// summary.json.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SummaryView {
    pub experiment: String,
    pub question: String,
    pub seed: u64,
    pub variants: Vec<VariantView>,
}

/// One row of timeline.csv (the fields charts use).
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineRowView {
    pub variant: String,
    pub window_start_s: f64,
    pub warmup: bool,
    pub scope: String,
    pub name: String,
    pub availability: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// A place on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceView {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
}

/// topology.json: where regions and populations are and the RTTs between regions, as
/// simulated (the experiment's base scenario).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TopologyView {
    pub name: String,
    pub regions: Vec<PlaceView>,
    pub populations: Vec<PlaceView>,
    /// Directed round-trip time from region `i` to region `j` (ms).
    pub rtt_ms: Vec<Vec<Option<f64>>>,
}

impl TopologyView {
    /// The topology of scenario `sc`.
    pub fn from_scenario(sc: &Scenario) -> Self {
        let n = sc.regions.len();
        TopologyView {
            name: sc.topology_name.clone(),
            regions: sc
                .regions
                .iter()
                .map(|r| PlaceView {
                    name: r.name.clone(),
                    lat: r.lat,
                    lon: r.lon,
                })
                .collect(),
            populations: sc
                .populations
                .iter()
                .map(|p| PlaceView {
                    name: p.name.clone(),
                    lat: p.lat,
                    lon: p.lon,
                })
                .collect(),
            rtt_ms: (0..n)
                .map(|a| {
                    (0..n)
                        .map(|b| {
                            let ns = sc.network.region_rtt(a as RegionId, b as RegionId);
                            Some(crate::engine::ns_to_ms(ns))
                        })
                        .collect()
                })
                .collect(),
        }
    }
}

/// Everything read back from a results directory.
#[derive(Debug, Clone)]
pub struct ReportData {
    pub summary: SummaryView,
    pub timeline: Vec<TimelineRowView>,
    /// `None` when topology.json is missing (results written before it existed).
    pub topology: Option<TopologyView>,
    /// manifest.json as written, `None` when missing.
    pub manifest: Option<serde_json::Value>,
    /// stats.json (statistics across seeds and the sweep), `None` when missing.
    pub stats: Option<crate::stats::Report>,
    /// Files `regionsim run` writes that the directory lacked, with what their absence leaves
    /// empty: the report is still drawn (older or partial directories), and the command line
    /// warns.
    pub missing: Vec<(&'static str, &'static str)>,
}

fn read(path: &Path) -> Result<Option<String>, ReportError> {
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ReportError::Io {
            path: path.to_owned(),
            source: e,
        }),
    }
}

fn json<T: for<'de> Deserialize<'de>>(path: &Path, s: &str) -> Result<T, ReportError> {
    serde_json::from_str(s).map_err(|e| ReportError::Json {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

impl ReportData {
    /// Reads a results directory; only summary.json is required (`missing` says what the
    /// charts then lack).
    pub fn load(dir: &Path) -> Result<Self, ReportError> {
        if dir.is_file() {
            return Err(ReportError::NotADir {
                file: dir.to_owned(),
                stem: dir
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            });
        }
        if !dir.is_dir() {
            return Err(ReportError::NoDir {
                dir: dir.to_owned(),
            });
        }
        let sp = dir.join("summary.json");
        let summary = match read(&sp)? {
            Some(s) => json(&sp, &s)?,
            None => {
                return Err(ReportError::NoSummary {
                    dir: dir.to_owned(),
                });
            }
        };
        let mut missing = vec![];
        let tp = dir.join("timeline.csv");
        let timeline = match read(&tp)? {
            Some(s) => parse_timeline(&s).map_err(|(line, message)| ReportError::Csv {
                path: tp.clone(),
                line,
                message,
            })?,
            None => {
                missing.push(("timeline.csv", "the timeline charts have nothing to plot"));
                vec![]
            }
        };
        let gp = dir.join("topology.json");
        let topology = read(&gp)?.map(|s| json(&gp, &s)).transpose()?;
        if topology.is_none() {
            missing.push(("topology.json", "the map and RTT charts lack the topology"));
        }
        let mp = dir.join("manifest.json");
        let manifest = read(&mp)?.map(|s| json(&mp, &s)).transpose()?;
        if manifest.is_none() {
            missing.push((
                "manifest.json",
                "it is written last, so these results may be incomplete (a run stopped while writing them): rerun to be sure",
            ));
        }
        let xp = dir.join("stats.json");
        let stats = read(&xp)?.map(|s| json(&xp, &s)).transpose()?;
        Ok(ReportData {
            summary,
            timeline,
            topology,
            manifest,
            stats,
            missing,
        })
    }
}

/// Parses timeline.csv by column name (extra columns are ignored); errors carry the line.
pub fn parse_timeline(s: &str) -> Result<Vec<TimelineRowView>, (usize, String)> {
    let mut lines = s.lines();
    let Some(header) = lines.next() else {
        return Ok(vec![]);
    };
    let cols: Vec<&str> = header.split(',').collect();
    let col = |name: &str| {
        cols.iter()
            .position(|c| *c == name)
            .ok_or((1, format!("no `{name}` column")))
    };
    let (iv, it, iw, is, iname, ia, ip) = (
        col("variant")?,
        col("window_start_s")?,
        col("warmup")?,
        col("scope")?,
        col("name")?,
        col("availability")?,
        col("p99_ms")?,
    );
    let mut out = vec![];
    for (k, line) in lines.enumerate() {
        let n = k + 2;
        if line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != cols.len() {
            return Err((n, format!("{} fields, expected {}", f.len(), cols.len())));
        }
        let num = |i: usize| -> Result<Option<f64>, (usize, String)> {
            if f[i].is_empty() {
                return Ok(None);
            }
            f[i].parse::<f64>()
                .map(Some)
                .map_err(|_| (n, format!("`{}` is not a number", f[i])))
        };
        out.push(TimelineRowView {
            variant: f[iv].to_owned(),
            window_start_s: num(it)?.ok_or((n, "empty window_start_s".to_owned()))?,
            warmup: f[iw] == "true",
            scope: f[is].to_owned(),
            name: f[iname].to_owned(),
            availability: num(ia)?,
            p99_ms: num(ip)?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeline_rows_are_read_by_column_name() {
        let s = "variant,window_start_s,warmup,scope,name,extra,availability,p99_ms\n\
                 a,0.000,true,overall,all,1,,\n\
                 a,10.000,false,overall,all,2,0.999000,42.500\n";
        let rows = parse_timeline(s).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].availability, Some(0.999));
        assert_eq!(rows[1].p99_ms, Some(42.5));
        assert!(rows[0].warmup && rows[0].p99_ms.is_none());
        assert_eq!(parse_timeline("variant\n").unwrap_err().0, 1);
        let bad = "variant,window_start_s,warmup,scope,name,availability,p99_ms\na,x,false,overall,all,,\n";
        assert_eq!(parse_timeline(bad).unwrap_err().0, 2);
    }

    #[test]
    fn a_minimal_summary_is_enough() {
        let s: SummaryView = serde_json::from_str(
            r#"{"experiment":"e","variants":[{"variant":"v","populations":[{"name":"p","future_field":1}]}]}"#,
        )
        .unwrap();
        assert_eq!(s.variants[0].populations[0].scope.name, "p");
        assert!(s.variants[0].populations[0].scope.all.cdf.is_empty());
        assert!(s.variants[0].cost.is_none(), "no cost block: no cost");
    }
}
