//! Series read from variant names (`ttl-60-violators` is x = 60 s on line `ttl-N-violators`), and the sweep chart drawn from them.
//!
//! Until experiments declare sweeps, the parameter of a variant is read from its name:
//!
//! * the name is split at `-`; the first part after the first that is a number, optionally
//!   followed by `ms` or `s` (`60`, `500ms`, `2s`, `0.5s`), is the parameter's value;
//! * the parts before it name the parameter (`ttl`, `lag`, `skew`); the parts after it name
//!   the series (`violators`, `hlc`; none: the plain series);
//! * `ms` is milliseconds, `s` and a bare number are seconds (regionsim's variants vary
//!   durations: `ttl-60` is a 60 s TTL);
//! * the parameter most variants share is the x axis, and the chart is drawn only when at
//!   least [`MIN_POINTS`] variants parse with it; the others (e.g. `semisync`) are left out
//!   and named in the caption.
//!
//! Each point is one run; [`SweepPoint::band`] is the hook for 95% confidence bands once
//! experiments repeat seeds.

use super::data::{ReportData, VariantView};
use crate::chart::style;
use crate::chart::sweep::{SweepChart, SweepPanel, SweepPoint, SweepSeries};

/// Fewest parsed variants that make a sweep chart.
pub const MIN_POINTS: usize = 3;

/// The unit a value was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Ms,
    S,
    Bare,
}

/// A variant name read as a point of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct NamePoint {
    /// The parameter (`ttl`).
    pub param: String,
    /// What follows the value (`violators`), empty for the plain series.
    pub rest: String,
    /// The value in seconds.
    pub x_s: f64,
    pub unit: Unit,
}

impl NamePoint {
    /// The series label: the name with the value replaced by `N` (`ttl-N-violators`).
    pub fn series_label(&self) -> String {
        if self.rest.is_empty() {
            format!("{}-N", self.param)
        } else {
            format!("{}-N-{}", self.param, self.rest)
        }
    }
}

/// Reads `name` by the rule in the module docs; `None` when it holds no parameter value.
pub fn parse_name(name: &str) -> Option<NamePoint> {
    let parts: Vec<&str> = name.split('-').collect();
    for i in 1..parts.len() {
        let p = parts[i];
        let (num, unit) = if let Some(n) = p.strip_suffix("ms") {
            (n, Unit::Ms)
        } else if let Some(n) = p.strip_suffix('s') {
            (n, Unit::S)
        } else {
            (p, Unit::Bare)
        };
        let plain = !num.is_empty()
            && num.chars().all(|c| c.is_ascii_digit() || c == '.')
            && num.chars().next().is_some_and(|c| c.is_ascii_digit());
        if !plain {
            continue;
        }
        let Ok(v) = num.parse::<f64>() else { continue };
        if !v.is_finite() {
            continue;
        }
        return Some(NamePoint {
            param: parts[..i].join("-"),
            rest: parts[i + 1..].join("-"),
            x_s: if unit == Unit::Ms { v / 1000.0 } else { v },
            unit,
        });
    }
    None
}

/// The variants that form a series: (variant index, its point), all with the same
/// parameter, when at least [`MIN_POINTS`] do and they take at least two values.
pub fn series_variants(names: &[&str]) -> Option<Vec<(usize, NamePoint)>> {
    let parsed: Vec<(usize, NamePoint)> = names
        .iter()
        .enumerate()
        .filter_map(|(i, n)| parse_name(n).map(|p| (i, p)))
        .collect();
    // The parameter most variants share (the first such on ties).
    let mut best: Option<(&str, usize)> = None;
    for (_, p) in &parsed {
        let n = parsed.iter().filter(|q| q.1.param == p.param).count();
        if best.is_none_or(|b| n > b.1) {
            best = Some((&p.param, n));
        }
    }
    let (param, n) = best?;
    let param = param.to_owned();
    let chosen: Vec<(usize, NamePoint)> =
        parsed.into_iter().filter(|q| q.1.param == param).collect();
    let mut xs: Vec<f64> = chosen.iter().map(|q| q.1.x_s).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    (n >= MIN_POINTS && xs.len() >= 2).then_some(chosen)
}

/// The numbers an override sets, each with the field that holds it: `dns.ttl_s: 5` gives
/// (`ttl_s`, 5); `LogNormal(median_ms:100.0 p99_ms:200.0)` gives (`median_ms`, 100) and
/// (`p99_ms`, 200).
fn numbers_set(path: &str, value: &str) -> Vec<(String, f64)> {
    if let Ok(x) = value.parse::<f64>() {
        let field = path.rsplit('.').next().unwrap_or(path);
        return vec![(field.to_owned(), x)];
    }
    value
        .split(|c: char| "()[]{} ,".contains(c))
        .filter_map(|token| {
            let (field, x) = token.split_once(':')?;
            Some((field.to_owned(), x.parse::<f64>().ok()?))
        })
        .collect()
}

/// Whether variant `v` sets the duration its name reads as `p` (`ttl-5` sets `dns.ttl_s: 5`,
/// `lag-1s` a lag of `median_ms: 1000`): a field in milliseconds or seconds holding that
/// value. Names whose number is no duration (`quorum-311`, `one-region-50`) fail. Results
/// written before the overrides were recorded pass.
pub fn sets_value(v: &VariantView, p: &NamePoint) -> bool {
    let Some(overrides) = &v.overrides else {
        return true;
    };
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    overrides.iter().any(|(path, value)| {
        numbers_set(path, value).iter().any(|(field, x)| {
            if field == "ms" || field.ends_with("_ms") {
                close(x / 1000.0, p.x_s)
            } else if field.ends_with("_s") {
                close(*x, p.x_s)
            } else {
                false
            }
        })
    })
}

/// A metric a sweep can show, and the family it belongs to.
struct Metric {
    family: &'static str,
    y_desc: &'static str,
    get: fn(&VariantView) -> Option<f64>,
    /// The same figure in stats.csv (name, scale), when it has one: with repeated seeds the
    /// point is its mean and the band its 95% interval.
    stat: Option<(&'static str, f64)>,
}

fn first_scripted_fault(v: &VariantView) -> Option<&super::data::FaultView> {
    v.faults.iter().find(|f| f.start_s.is_some())
}

const METRICS: [Metric; 8] = [
    Metric {
        family: "faults",
        y_desc: "RTO of the fault (s)",
        stat: None,
        get: |v| first_scripted_fault(v).and_then(|f| f.rto_s),
    },
    Metric {
        family: "faults",
        y_desc: "failed requests (fault)",
        stat: None,
        get: |v| first_scripted_fault(v).map(|f| f.failed_requests as f64),
    },
    Metric {
        family: "failover",
        y_desc: "writes lost at failover",
        stat: Some(("lost_at_failover", 1.0)),
        get: |v| {
            v.failovers
                .iter()
                .any(|f| f.promoted_s.is_some())
                .then_some(v.data.lost_at_failover as f64)
        },
    },
    Metric {
        family: "failover",
        y_desc: "RPO (s)",
        stat: Some(("max_rpo_s", 1.0)),
        get: |v| {
            v.failovers.iter().any(|f| f.promoted_s.is_some()).then(|| {
                v.failovers
                    .iter()
                    .filter_map(|f| f.rpo_s)
                    .fold(0.0, f64::max)
            })
        },
    },
    Metric {
        family: "conflicts",
        y_desc: "wrong winners",
        stat: Some(("wrong_winners", 1.0)),
        get: |v| Some(v.data.wrong_winners as f64),
    },
    Metric {
        family: "conflicts",
        y_desc: "lost updates",
        stat: Some(("lost_updates", 1.0)),
        get: |v| Some(v.data.lost_updates as f64),
    },
    Metric {
        family: "service",
        y_desc: "availability (%)",
        stat: Some(("availability", 100.0)),
        get: |v| v.overall.availability.map(|a| a * 100.0),
    },
    Metric {
        family: "service",
        y_desc: "p99 latency (ms)",
        stat: Some(("p99_ms", 1.0)),
        get: |v| (v.overall.all.count > 0).then_some(v.overall.all.p99_ms),
    },
];

/// Whether `vals` change by more than a quarter of their largest value.
fn varies(vals: &[f64]) -> bool {
    let max = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = vals.iter().copied().fold(f64::INFINITY, f64::min);
    max > 0.0 && (max - min) > 0.25 * max
}

/// The families drawn: those with a metric that changes by more than a quarter across the
/// series (fault RTO, failover losses, conflicts); the service figures (availability, p99)
/// only when no other family does.
fn families(vs: &[&VariantView]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = vec![];
    for m in &METRICS {
        if m.family == "service" || out.contains(&m.family) {
            continue;
        }
        let vals: Vec<f64> = vs.iter().filter_map(|v| (m.get)(v)).collect();
        if varies(&vals) {
            out.push(m.family);
        }
    }
    if out.is_empty() {
        out.push("service");
    }
    out
}

/// A tick label for `x_s` seconds in the unit the axis uses.
fn x_label(x_s: f64, in_ms: bool) -> String {
    if in_ms {
        format!("{} ms", style::tick(x_s * 1000.0))
    } else {
        format!("{} s", style::tick(x_s))
    }
}

/// A case's mean of a stats metric (× scale) and its 95% band, when it ran under several seeds.
fn repeated(d: &ReportData, case: &str, stat: Option<(&str, f64)>) -> Option<(f64, (f64, f64))> {
    let (metric, scale) = stat?;
    let e = d
        .stats
        .as_ref()?
        .cases
        .iter()
        .find(|c| c.case == case)?
        .get(metric)?;
    let (lo, hi) = e.band()?;
    Some((e.mean * scale, (lo * scale, hi * scale)))
}

/// Whether any case of `d` ran under more than one seed.
pub fn has_repeats(d: &ReportData) -> bool {
    d.stats
        .as_ref()
        .is_some_and(|s| s.cases.iter().any(|c| c.seeds > 1))
}

/// Metrics a declared sweep may draw: (stats name, axis, scale).
const SWEEP_METRICS: [(&str, &str, f64); 6] = [
    ("availability", "availability (%)", 100.0),
    ("max_rto_s", "RTO (s)", 1.0),
    ("p99_ms", "p99 latency (ms)", 1.0),
    ("lost_at_failover", "writes lost at failover", 1.0),
    ("lost_updates", "lost updates", 1.0),
    ("stale_read_ratio", "stale reads (%)", 100.0),
];

/// A case's estimate of `m` when every seed of the case measured it. A mean over some seeds
/// only would misdraw the case: an RTO is undefined in a seed where a fault never recovered,
/// and the mean of the other seeds would show a recovery faster than the case's.
fn every_seed<'a>(c: &'a crate::stats::CaseStats, m: &str) -> Option<&'a crate::stats::Estimate> {
    c.get(m).filter(|e| e.n >= c.seeds)
}

/// A declared sweep's cases as lines: the x axis (index into each case's point, and its
/// path) and, in first-seen order, a line per variant and value of the other parameters
/// (its label, its cases).
pub struct DeclaredSeries<'a> {
    pub px: usize,
    pub path: String,
    pub series: Vec<(String, Vec<&'a crate::stats::CaseStats>)>,
}

/// The lines of the declared sweep in `st`: x is the numeric parameter with the most distinct
/// values (the first on ties); `None` without at least two swept cases and such a parameter.
pub fn declared_series(st: &crate::stats::Report) -> Option<DeclaredSeries<'_>> {
    let cases: Vec<&crate::stats::CaseStats> =
        st.cases.iter().filter(|c| !c.point.is_empty()).collect();
    if cases.len() < 2 {
        return None;
    }
    let params = cases[0].point.len();
    let mut best: Option<(usize, usize)> = None;
    for p in 0..params {
        if cases
            .iter()
            .any(|c| c.point.get(p).and_then(|v| v.x).is_none())
        {
            continue;
        }
        let mut xs: Vec<f64> = cases.iter().filter_map(|c| c.point[p].x).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        if xs.len() >= 2 && best.is_none_or(|(_, n)| xs.len() > n) {
            best = Some((p, xs.len()));
        }
    }
    let (px, _) = best?;
    let path = cases[0].point[px].path.clone();
    let mut series: Vec<(String, Vec<&crate::stats::CaseStats>)> = vec![];
    for c in cases {
        let mut label = c.variant.clone();
        for (i, p) in c.point.iter().enumerate() {
            if i != px {
                let short = p.path.rsplit('.').next().unwrap_or(&p.path);
                label.push_str(&format!(", {short}={}", p.value));
            }
        }
        match series.iter_mut().find(|s| s.0 == label) {
            Some(s) => s.1.push(c),
            None => series.push((label, vec![c])),
        }
    }
    Some(DeclaredSeries { px, path, series })
}

/// The chart of a declared sweep (`sweep:` in the experiment, read from stats.json): the
/// metrics that change against the first numeric swept parameter, a line per variant and
/// value of the other parameters, each point the mean over seeds with its 95% band.
pub fn declared_sweep_chart(d: &ReportData) -> Option<SweepChart> {
    let st = d.stats.as_ref()?;
    let DeclaredSeries { px, path, series } = declared_series(st)?;
    let cases: Vec<&crate::stats::CaseStats> =
        st.cases.iter().filter(|c| !c.point.is_empty()).collect();
    let colours = super::colours::sweep_line_colours(d, series.len());
    let panels: Vec<SweepPanel> = SWEEP_METRICS
        .iter()
        .filter(|(m, _, _)| {
            let vals: Vec<f64> = cases
                .iter()
                .filter_map(|c| every_seed(c, m).map(|e| e.mean))
                .collect();
            // Drawn when it changes, and (with a sensitivity table) by more than the noise.
            let judged = st.sensitivity.iter().any(|x| x.metric == *m);
            // A case without a value (an RTO where some fault never recovered) is a gap.
            vals.len() >= 2
                && vals.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                    > vals.iter().copied().fold(f64::INFINITY, f64::min)
                && (!judged
                    || st
                        .sensitivity
                        .iter()
                        .any(|x| x.metric == *m && x.measurable))
        })
        .take(4)
        .map(|(m, desc, scale)| SweepPanel {
            y_desc: if cases.iter().all(|c| every_seed(c, m).is_some()) {
                (*desc).to_owned()
            } else {
                let gap = match (*m == "max_rto_s", cases.iter().any(|c| c.seeds > 1)) {
                    (true, true) => "never recovered in some seed",
                    (true, false) => "never recovered",
                    (false, true) => "no value in some seed",
                    (false, false) => "no value",
                };
                match desc.strip_suffix(')') {
                    Some(d) => format!("{d}; gap = {gap})"),
                    None => format!("{desc} (gap = {gap})"),
                }
            },
            series: series
                .iter()
                .enumerate()
                .map(|(i, (label, cs))| SweepSeries {
                    label: label.clone(),
                    colour: colours[i],
                    points: cs
                        .iter()
                        .map(|c| {
                            let e = every_seed(c, m);
                            SweepPoint {
                                x: c.point[px].x.unwrap_or(f64::NAN),
                                y: e.map(|e| e.mean * scale),
                                band: e
                                    .and_then(|e| e.band())
                                    .map(|(lo, hi)| (lo * scale, hi * scale)),
                            }
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    if panels.is_empty() {
        return None;
    }
    let mut xs: Vec<f64> = cases.iter().filter_map(|c| c.point[px].x).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let (lo, hi) = (xs[0], xs[xs.len() - 1]);
    let log_x = lo > 0.0 && hi / lo >= 20.0;
    let seeds: Vec<u32> = cases.iter().map(|c| c.seeds).collect();
    let (smin, smax) = (
        seeds.iter().min().copied().unwrap_or(1),
        seeds.iter().max().copied().unwrap_or(1),
    );
    let seeds = if smin == smax {
        format!("{smin}")
    } else {
        format!("{smin}–{smax}")
    };
    let plural = if smax == 1 { "" } else { "s" };
    // A reader's name where one is known; the x axis keeps the path, to find it in the file.
    let short = path.rsplit('.').next().unwrap_or(&path);
    let faults = d
        .summary
        .variants
        .first()
        .map(|v| v.faults.as_slice())
        .unwrap_or_default();
    let (short, x_desc) = match reader_name(&path, faults) {
        Some((name, unit)) => {
            let unit = if unit.is_empty() {
                String::new()
            } else {
                format!("{unit}, ")
            };
            (
                name.to_owned(),
                format!(
                    "{name} ({unit}{path}{})",
                    if log_x { ", log scale" } else { "" }
                ),
            )
        }
        None => (
            short.to_owned(),
            format!("{path}{}", if log_x { " (log scale)" } else { "" }),
        ),
    };
    Some(SweepChart {
        title: format!(
            "{} against {short} (mean and 95% CI of {seeds} seed{plural})",
            panels
                .iter()
                .map(|p| p.y_desc.split(" (").next().unwrap_or(&p.y_desc).to_owned())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        x_desc,
        log_x,
        x_ticks: xs.iter().map(|x| (*x, style::tick(*x))).collect(),
        panels,
    })
}

/// What a reader calls the swept field at `path`, and its unit (empty: a count or a share),
/// for the fields an architect sweeps most; `None` for the others, which keep their path. A
/// field of a scripted fault (`faults.0.fraction`, `faults.0.ErrorRate.fraction`) is named
/// after the fault `faults` (the first variant's, in order) lists at that index.
fn reader_name(path: &str, faults: &[super::data::FaultView]) -> Option<(String, &'static str)> {
    if let Some(rest) = path.strip_prefix("faults.") {
        let mut parts = rest.split('.');
        let index: usize = parts.next()?.parse().ok()?;
        let field = parts.next_back()?;
        let label = &faults.get(index)?.fault;
        let (kind, args) = label.split_once('(')?;
        // The fault's place: a region, or a link written `a <-> b`.
        let place = args.split([',', ')']).next().unwrap_or_default();
        let on = if place.contains(' ') { "on" } else { "at" };
        return Some(match (kind, field) {
            ("ErrorRate", "fraction") => (format!("error share at {place}"), ""),
            ("CapacityLoss", "fraction") => (format!("share of servers lost at {place}"), ""),
            ("Slowdown", "factor") => (format!("slowdown at {place}"), "×"),
            ("LatencySpike", "extra_ms") => (format!("extra latency {on} {place}"), "ms"),
            ("LagSpike", "extra_ms") => (format!("extra replication lag {on} {place}"), "ms"),
            ("ClockJump", "by_ms") => (format!("clock jump at {place}"), "ms"),
            (_, "for_s") => (format!("{kind} duration"), "s"),
            (_, "at_s") => (format!("{kind} start"), "s"),
            _ => return None,
        });
    }
    let (name, unit) = match path {
        "dns.ttl_s" => ("DNS TTL", "s"),
        "dns.negative_ttl_s" => ("DNS negative-answer TTL", "s"),
        "health.interval_s" => ("health-check interval", "s"),
        "health.failure_threshold" => ("health-check failure threshold", ""),
        "health.recovery_threshold" => ("health-check recovery threshold", ""),
        "health.timeout_ms" => ("health-check timeout", "ms"),
        "client.timeout_ms" => ("client timeout", "ms"),
        "client.retries" => ("client retries", ""),
        _ => return None,
    };
    Some((name.to_owned(), unit))
}

/// The sweep chart of `d` and the variants left out of it, or `None` when no variants form
/// a series.
pub fn sweep_chart(d: &ReportData) -> Option<(SweepChart, Vec<String>)> {
    let vs = &d.summary.variants;
    // Only names whose number the variant really sets: no name-read sweep of `quorum-311`.
    let names: Vec<&str> = vs
        .iter()
        .map(|v| match parse_name(&v.variant) {
            Some(p) if sets_value(v, &p) => v.variant.as_str(),
            _ => "",
        })
        .collect();
    let chosen = series_variants(&names)?;
    let colours = super::variant_colours(d);
    let param = chosen[0].1.param.clone();
    let in_ms = chosen.iter().all(|c| c.1.unit == Unit::Ms) || chosen.iter().all(|c| c.1.x_s < 1.0);
    let mut xs: Vec<f64> = chosen.iter().map(|c| c.1.x_s).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let (lo, hi) = (xs[0], xs[xs.len() - 1]);
    let log_x = lo > 0.0 && hi / lo >= 20.0;
    // Series in first-seen order, coloured like their first variant.
    let mut series: Vec<(String, usize, Vec<usize>)> = vec![];
    for (k, (i, p)) in chosen.iter().enumerate() {
        match series.iter_mut().find(|s| s.0 == p.rest) {
            Some(s) => s.2.push(k),
            None => series.push((p.rest.clone(), *i, vec![k])),
        }
    }
    let members: Vec<&VariantView> = chosen.iter().map(|c| &vs[c.0]).collect();
    let fams = families(&members);
    let panels = METRICS
        .iter()
        .filter(|m| fams.contains(&m.family))
        .map(|m| SweepPanel {
            y_desc: m.y_desc.to_owned(),
            series: series
                .iter()
                .map(|(_, first, ks)| SweepSeries {
                    label: chosen[ks[0]].1.series_label(),
                    colour: colours[*first],
                    points: ks
                        .iter()
                        .map(|k| {
                            let v = &vs[chosen[*k].0];
                            let x = chosen[*k].1.x_s * if in_ms { 1000.0 } else { 1.0 };
                            match repeated(d, &v.variant, m.stat) {
                                Some((y, band)) => SweepPoint {
                                    x,
                                    y: Some(y),
                                    band: Some(band),
                                },
                                None => SweepPoint {
                                    x,
                                    y: (m.get)(v),
                                    band: None,
                                },
                            }
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let scale = if in_ms { 1000.0 } else { 1.0 };
    let left_out: Vec<String> = vs
        .iter()
        .enumerate()
        .filter(|(i, _)| !chosen.iter().any(|c| c.0 == *i))
        .map(|(_, v)| v.variant.clone())
        .collect();
    Some((
        SweepChart {
            title: format!(
                "{} against {param}",
                METRICS
                    .iter()
                    .filter(|m| fams.contains(&m.family))
                    .map(|m| m.y_desc.split(" (").next().unwrap_or(m.y_desc))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            x_desc: format!(
                "{param} ({}{}, read from the variant names)",
                if in_ms { "ms" } else { "s" },
                if log_x { ", log scale" } else { "" }
            ),
            log_x,
            x_ticks: xs.iter().map(|x| (x * scale, x_label(*x, in_ms))).collect(),
            panels,
        },
        left_out,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_swept_fault_field_is_named_after_its_fault() {
        let fault = |label: &str| super::super::data::FaultView {
            fault: label.into(),
            ..Default::default()
        };
        let faults = [
            fault("RegionOutage(eastus)"),
            fault("ErrorRate(eastus, 30%, probes fail)"),
            fault("LatencySpike(eastus <-> westus2, +80 ms)"),
        ];
        let name = |path: &str| reader_name(path, &faults);
        assert_eq!(
            name("faults.1.fraction"),
            Some(("error share at eastus".into(), ""))
        );
        assert_eq!(
            name("faults.1.ErrorRate.fraction"),
            Some(("error share at eastus".into(), ""))
        );
        assert_eq!(
            name("faults.0.for_s"),
            Some(("RegionOutage duration".into(), "s"))
        );
        assert_eq!(
            name("faults.2.extra_ms"),
            Some(("extra latency on eastus <-> westus2".into(), "ms"))
        );
        // No such fault, a field without a reader's name, not an index: the path stays.
        assert_eq!(name("faults.3.fraction"), None);
        assert_eq!(name("faults.0.region"), None);
        assert_eq!(name("faults.x.fraction"), None);
        assert_eq!(name("dns.ttl_s"), Some(("DNS TTL".into(), "s")));
    }

    fn np(param: &str, rest: &str, x_s: f64, unit: Unit) -> Option<NamePoint> {
        Some(NamePoint {
            param: param.into(),
            rest: rest.into(),
            x_s,
            unit,
        })
    }

    #[test]
    fn names_read_as_points() {
        assert_eq!(parse_name("ttl-60"), np("ttl", "", 60.0, Unit::Bare));
        assert_eq!(
            parse_name("ttl-60-violators"),
            np("ttl", "violators", 60.0, Unit::Bare)
        );
        assert_eq!(parse_name("lag-500ms"), np("lag", "", 0.5, Unit::Ms));
        assert_eq!(parse_name("lag-2s"), np("lag", "", 2.0, Unit::S));
        assert_eq!(parse_name("lag-0.5s"), np("lag", "", 0.5, Unit::S));
        assert_eq!(
            parse_name("skew-100ms-hlc"),
            np("skew", "hlc", 0.1, Unit::Ms)
        );
        assert_eq!(
            parse_name("read-lag-10ms-x-y"),
            np("read-lag", "x-y", 0.01, Unit::Ms)
        );
        for n in [
            "semisync",
            "60",
            "ttl",
            "three-regions",
            "a-s",
            "a-ms",
            "a-.5s",
            "a-1.2.3",
            "a-1e3",
        ] {
            assert_eq!(parse_name(n), None, "{n}");
        }
        assert_eq!(
            np("ttl", "violators", 60.0, Unit::Bare)
                .unwrap()
                .series_label(),
            "ttl-N-violators"
        );
    }

    /// A name's number counts only when the variant sets it as a duration: `quorum-311`
    /// (which sets `w: 2`) and `one-region-5000` (a price) were drawn as 311 s and 5000 s.
    #[test]
    fn a_name_is_read_only_when_the_variant_sets_its_value() {
        let view = |name: &str, overrides: &[(&str, &str)]| VariantView {
            variant: name.into(),
            overrides: Some(
                overrides
                    .iter()
                    .map(|(p, v)| (p.to_string(), v.to_string()))
                    .collect(),
            ),
            ..Default::default()
        };
        let sets = |name: &str, overrides: &[(&str, &str)]| {
            sets_value(&view(name, overrides), &parse_name(name).unwrap())
        };
        assert!(sets("ttl-5", &[("dns.ttl_s", "5")]));
        assert!(sets(
            "lag-1s",
            &[(
                "data.replication.lag",
                "LogNormal(median_ms:1000.0 p99_ms:2000.0)"
            )]
        ));
        assert!(sets("skew-0ms", &[("data.clock_skew", "Constant(ms:0.0)")]));
        assert!(sets(
            "skew-10ms",
            &[("data.clock_skew", "Uniform(min_ms:0.0 max_ms:10.0)")]
        ));
        assert!(!sets("quorum-312", &[("data.replication.mode.w", "2")]));
        assert!(!sets("quorum-311", &[]));
        assert!(!sets(
            "one-region-5000",
            &[("cost.downtime.per_minute_usd", "5000")]
        ));
        assert!(!sets("ttl-60", &[("dns.ttl_s", "30")]));
        // Results from before overrides were recorded: the name alone, as before.
        let old = VariantView {
            variant: "ttl-60".into(),
            ..Default::default()
        };
        assert!(sets_value(&old, &parse_name("ttl-60").unwrap()));
    }

    #[test]
    fn a_series_needs_three_variants_of_one_parameter() {
        let s = series_variants(&["lag-100ms", "lag-1s", "lag-5s", "semisync"]).unwrap();
        assert_eq!(s.iter().map(|x| x.0).collect::<Vec<_>>(), vec![0, 1, 2]);
        assert!(series_variants(&["lag-100ms", "lag-1s", "semisync"]).is_none());
        assert!(series_variants(&["lag-1s", "ttl-5", "skew-1ms", "x-2"]).is_none());
        // Three variants but one value: no line to draw.
        assert!(series_variants(&["ttl-5", "ttl-5-a", "ttl-5-b"]).is_none());
        // The parameter most variants share wins.
        let s = series_variants(&["a-1", "ttl-5", "ttl-30", "ttl-60-v", "a-2"]).unwrap();
        assert_eq!(s.iter().map(|x| x.0).collect::<Vec<_>>(), vec![1, 2, 3]);
    }

    #[test]
    fn a_case_is_drawn_only_from_a_value_every_seed_measured() {
        let case = |n: u32| crate::stats::CaseStats {
            case: "c".into(),
            variant: "v".into(),
            point: vec![],
            seeds: 8,
            metrics: vec![crate::stats::MetricEstimate {
                metric: "max_rto_s".into(),
                estimate: Some(crate::stats::Estimate {
                    n,
                    mean: 40.0,
                    sd: None,
                    ci95: None,
                }),
            }],
        };
        // 3 of 8 seeds never recovered: the mean of the other 5 is not the case's RTO.
        assert!(every_seed(&case(5), "max_rto_s").is_none());
        assert_eq!(every_seed(&case(8), "max_rto_s").unwrap().mean, 40.0);
        assert!(every_seed(&case(8), "p99_ms").is_none());
    }

    #[test]
    fn families_follow_what_changes() {
        assert!(varies(&[0.0, 102.0, 8862.0]));
        assert!(!varies(&[12792.0, 13186.0, 15233.0]));
        assert!(!varies(&[0.0, 0.0]));
        assert!(!varies(&[]));
    }
}
