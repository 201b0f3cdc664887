//! Statistics across replications: headline metrics of a run, mean and 95% Student-t
//! confidence intervals, paired differences between variants and sweep sensitivity (SPEC §4).

use crate::results::VariantResult;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Headline metrics of the overall scope, in the order stats.csv lists them.
pub const METRICS: &[&str] = &[
    "availability",
    "time_availability",
    "failed",
    "p50_ms",
    "p99_ms",
    "mean_ms",
    "read_p99_ms",
    "write_p99_ms",
    "service_up_fraction",
    "max_rto_s",
    "unrecovered_faults",
    "lost_at_failover",
    "max_rpo_s",
    "lost_updates",
    "conflicts",
    "wrong_winners",
    "stale_read_ratio",
    "read_your_writes_violations",
    "infrastructure_month_usd",
    "downtime_month_usd",
    "total_month_usd",
];

/// A run's headline metrics: (name, value).
pub type Metrics = [(String, Option<f64>)];

/// Metrics also reported per population, as `<metric>@<population>`.
pub const POPULATION_METRICS: &[&str] = &["availability", "p50_ms", "p99_ms"];

/// Whether `name` is a metric of [`METRICS`].
pub fn is_metric(name: &str) -> bool {
    METRICS.contains(&name)
}

/// Help for an unknown metric name: the closest metric (by spelling, else by prefix) as "did
/// you mean …?", else the list of metrics.
pub fn metric_hint(name: &str) -> String {
    crate::config::did_you_mean(name, METRICS.iter().copied())
        .or_else(|| {
            METRICS
                .iter()
                .copied()
                .find(|m| !name.is_empty() && m.starts_with(name))
        })
        .map(|m| format!("did you mean `{m}`?"))
        .unwrap_or_else(|| format!("metrics: {}", METRICS.join(", ")))
}

/// One run's headline metrics: (name, value); `None` where the run measured nothing.
pub fn headline(v: &VariantResult) -> Vec<(String, Option<f64>)> {
    let o = &v.overall;
    let lat = |count: u64, x: f64| (count > 0).then_some(x);
    let max = |xs: Vec<f64>| xs.into_iter().reduce(f64::max);
    let d = &v.data;
    let data = d.writes_total > 0 || d.reads > 0;
    let count = |x: u64| data.then_some(x as f64);
    let mut m: Vec<(String, Option<f64>)> = vec![
        ("availability".into(), o.availability),
        ("time_availability".into(), o.time_availability),
        ("failed".into(), Some(o.failed as f64)),
        ("p50_ms".into(), lat(o.all.count, o.all.p50_ms)),
        ("p99_ms".into(), lat(o.all.count, o.all.p99_ms)),
        ("mean_ms".into(), lat(o.all.count, o.all.mean_ms)),
        ("read_p99_ms".into(), lat(o.reads.count, o.reads.p99_ms)),
        ("write_p99_ms".into(), lat(o.writes.count, o.writes.p99_ms)),
        ("service_up_fraction".into(), Some(v.service_up_fraction)),
        // The largest RTO is undefined in a run where some fault never recovered (it would
        // be the largest of the others): none then, and the run counts in
        // `unrecovered_faults`, so a seed that never recovers cannot vanish unseen.
        (
            "max_rto_s".into(),
            if v.faults.iter().all(|f| f.recovered) {
                max(v.faults.iter().filter_map(|f| f.rto_s).collect())
            } else {
                None
            },
        ),
        (
            "unrecovered_faults".into(),
            (!v.faults.is_empty()).then(|| v.faults.iter().filter(|f| !f.recovered).count() as f64),
        ),
        ("lost_at_failover".into(), count(d.lost_at_failover)),
        // A failover done without losing a write has an RPO of 0 (its `rpo_s` is empty): left
        // out, the mean over seeds would be the mean given a loss. One not done has none.
        (
            "max_rpo_s".into(),
            max(v
                .failovers
                .iter()
                .filter(|f| f.promoted_s.is_some())
                .map(|f| f.rpo_s.unwrap_or(0.0))
                .collect()),
        ),
        ("lost_updates".into(), count(d.lost_updates)),
        ("conflicts".into(), count(d.conflicts)),
        ("wrong_winners".into(), count(d.wrong_winners)),
        ("stale_read_ratio".into(), d.stale_read_ratio),
        (
            "read_your_writes_violations".into(),
            count(d.read_your_writes_violations),
        ),
        (
            "infrastructure_month_usd".into(),
            v.cost.as_ref().map(|c| c.infrastructure_month_usd),
        ),
        (
            "downtime_month_usd".into(),
            v.cost.as_ref().map(|c| c.downtime_month_usd),
        ),
        (
            "total_month_usd".into(),
            v.cost.as_ref().map(|c| c.total_month_usd),
        ),
    ];
    debug_assert_eq!(m.len(), METRICS.len());
    for p in &v.populations {
        let s = &p.scope;
        m.push((format!("availability@{}", s.name), s.availability));
        m.push((format!("p50_ms@{}", s.name), lat(s.all.count, s.all.p50_ms)));
        m.push((format!("p99_ms@{}", s.name), lat(s.all.count, s.all.p99_ms)));
    }
    m
}

/// Mean, spread and 95% confidence interval of one metric over replications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Replications that measured the metric.
    pub n: u32,
    pub mean: f64,
    /// Sample standard deviation (`None` with fewer than two values).
    pub sd: Option<f64>,
    /// Half-width of the 95% Student-t interval (`None` with fewer than two values).
    pub ci95: Option<f64>,
}

impl Estimate {
    /// "mean ± half-width" (or the mean alone with one value), scaled, to `digits` decimals.
    pub fn show(&self, scale: f64, digits: usize) -> String {
        match self.ci95 {
            Some(h) => format!("{:.digits$} ± {:.digits$}", self.mean * scale, h * scale),
            None => format!("{:.digits$}", self.mean * scale),
        }
    }

    /// The estimate of `xs`; `None` when empty.
    pub fn of(xs: &[f64]) -> Option<Estimate> {
        let n = xs.len();
        if n == 0 {
            return None;
        }
        // Summed in the given (replication) order: the same inputs give the same bits.
        let mean = xs.iter().sum::<f64>() / n as f64;
        if n < 2 {
            return Some(Estimate {
                n: 1,
                mean,
                sd: None,
                ci95: None,
            });
        }
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
        let sd = var.sqrt();
        Some(Estimate {
            n: n as u32,
            mean,
            sd: Some(sd),
            ci95: Some(t975(n - 1) * sd / (n as f64).sqrt()),
        })
    }

    /// (low, high) of the 95% interval, when there is one.
    pub fn band(&self) -> Option<(f64, f64)> {
        self.ci95.map(|h| (self.mean - h, self.mean + h))
    }
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom.
pub fn t975(df: usize) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64)
        .map(|t| t.inverse_cdf(0.975))
        .unwrap_or(f64::NAN)
}

/// The 95% Wilson score interval (low, high) of a proportion: `successes` of `n` trials.
/// Unlike the Wald interval p ± 1.96·√(p(1−p)/n), it stays inside [0, 1] and does not shrink
/// to a point when every trial (or none) succeeded: 5 of 5 gives (0.57, 1), not (1, 1).
/// `None` for no trials.
pub fn wilson95(successes: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let z = 1.959_963_984_540_054;
    let (k, n) = (successes.min(n) as f64, n as f64);
    let p = k / n;
    let z2n = z * z / n;
    let centre = (p + z2n / 2.0) / (1.0 + z2n);
    let half = z / (1.0 + z2n) * (p * (1.0 - p) / n + z2n / (4.0 * n)).sqrt();
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// The value of `metric` in one run's metrics, when measured and finite.
pub fn lookup(m: &Metrics, metric: &str) -> Option<f64> {
    m.iter()
        .find(|(k, _)| k == metric)
        .and_then(|(_, v)| *v)
        .filter(|x| x.is_finite())
}

/// Values of `metric` over runs, skipping runs that did not measure it.
pub fn values(runs: &[&Metrics], metric: &str) -> Vec<f64> {
    runs.iter().filter_map(|m| lookup(m, metric)).collect()
}

/// Paired differences `a − b` over the replications both measured (same seed in both: common
/// random numbers, SPEC §4).
pub fn paired(a: &[&Metrics], b: &[&Metrics], metric: &str) -> Option<Estimate> {
    let diffs: Vec<f64> = a
        .iter()
        .zip(b)
        .filter_map(|(x, y)| Some(lookup(x, metric)? - lookup(y, metric)?))
        .collect();
    Estimate::of(&diffs)
}

/// How finely a run measures `metric` at `value`: latency percentiles come from histogram
/// buckets (a value is known to within [`RELATIVE_RESOLUTION`] of itself, SPEC §3's "≤ 1%
/// relative error"), so seeds that fall in one bucket spread by nothing and a difference
/// within a bucket is no evidence. Other metrics are exact counts or ratios (0).
///
/// [`RELATIVE_RESOLUTION`]: crate::metrics::histogram::RELATIVE_RESOLUTION
pub fn resolution(metric: &str, value: f64) -> f64 {
    let base = metric.split('@').next().unwrap_or(metric);
    match base {
        "p50_ms" | "p99_ms" | "read_p99_ms" | "write_p99_ms" => {
            value.abs() * crate::metrics::histogram::RELATIVE_RESOLUTION
        }
        _ => 0.0,
    }
}

/// Whether the paired difference `d` of `metric`, between means of about `scale`, is real:
/// its 95% interval excludes zero and it is larger than what the metric can tell apart.
pub fn significant(metric: &str, d: &Estimate, scale: f64) -> bool {
    d.band().is_some_and(|(lo, hi)| lo > 0.0 || hi < 0.0)
        && d.mean.abs() > resolution(metric, scale)
}

/// A metric's estimate in one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricEstimate {
    pub metric: String,
    pub estimate: Option<Estimate>,
}

/// A swept value of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointOut {
    pub path: String,
    pub value: String,
    pub x: Option<f64>,
}

/// Every metric of one case over its replications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseStats {
    pub case: String,
    pub variant: String,
    pub point: Vec<PointOut>,
    pub seeds: u32,
    pub metrics: Vec<MetricEstimate>,
}

impl CaseStats {
    /// The estimate of `metric`, if measured.
    pub fn get(&self, metric: &str) -> Option<&Estimate> {
        self.metrics
            .iter()
            .find(|m| m.metric == metric)
            .and_then(|m| m.estimate.as_ref())
    }
}

/// A case minus the baseline variant at the same sweep point, replication by replication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paired {
    pub case: String,
    pub baseline: String,
    pub metric: String,
    pub difference: Estimate,
    /// The 95% interval excludes zero.
    pub significant: bool,
}

/// How much one swept parameter moved one metric, for one variant (SPEC §4; issue #6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    pub variant: String,
    pub parameter: String,
    pub metric: String,
    /// Mean of the metric over the cases at each value of the parameter (other swept
    /// parameters averaged out): the lowest and the highest, and the values they were at.
    pub lowest: f64,
    pub lowest_at: String,
    pub highest: f64,
    pub highest_at: String,
    /// highest − lowest.
    pub effect: f64,
    /// Sum of the two extremes' 95% half-widths (`None` with one seed).
    pub uncertainty: Option<f64>,
    /// The effect exceeds the uncertainty (with one seed: the effect is not zero).
    pub measurable: bool,
}

/// Statistics of a whole experiment: per case, paired differences, sensitivity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub master_seed: u64,
    pub cases: Vec<CaseStats>,
    pub paired: Vec<Paired>,
    pub sensitivity: Vec<Sensitivity>,
}

impl Report {
    /// Statistics of `records` (sorted by case, then replication).
    pub fn build(exp: &crate::model::Experiment, records: &[crate::runner::RunRecord]) -> Report {
        let per_case: Vec<Vec<&Metrics>> = (0..exp.variants.len())
            .map(|c| {
                records
                    .iter()
                    .filter(|r| r.case_index == c)
                    .map(|r| r.metrics.as_slice())
                    .collect()
            })
            .collect();
        let names = |c: usize| -> Vec<String> {
            let mut v: Vec<String> = vec![];
            for m in &per_case[c] {
                for (k, _) in m.iter() {
                    if !v.contains(k) {
                        v.push(k.clone());
                    }
                }
            }
            v
        };
        let cases: Vec<CaseStats> = exp
            .cases
            .iter()
            .enumerate()
            .map(|(c, info)| CaseStats {
                case: exp.variants[c].0.clone(),
                variant: info.variant.clone(),
                point: info
                    .point
                    .iter()
                    .map(|p| PointOut {
                        path: p.path.clone(),
                        value: p.label.clone(),
                        x: p.x,
                    })
                    .collect(),
                seeds: per_case[c].len() as u32,
                metrics: names(c)
                    .into_iter()
                    .map(|metric| MetricEstimate {
                        estimate: Estimate::of(&values(&per_case[c], &metric)),
                        metric,
                    })
                    .collect(),
            })
            .collect();
        // Paired differences against the first variant at the same point.
        let mut paired = vec![];
        if let Some(first) = exp.cases.first().map(|c| c.variant.clone()) {
            for (c, info) in exp.cases.iter().enumerate() {
                if info.variant == first {
                    continue;
                }
                let Some(b) = exp
                    .cases
                    .iter()
                    .position(|o| o.variant == first && o.point == info.point)
                else {
                    continue;
                };
                for metric in names(c) {
                    if let Some(d) = self::paired(&per_case[c], &per_case[b], &metric) {
                        let mean = |i: usize| cases[i].get(&metric).map_or(0.0, |e| e.mean.abs());
                        let significant = significant(&metric, &d, mean(c).max(mean(b)));
                        paired.push(Paired {
                            case: exp.variants[c].0.clone(),
                            baseline: exp.variants[b].0.clone(),
                            metric,
                            difference: d,
                            significant,
                        });
                    }
                }
            }
        }
        Report {
            master_seed: exp.seed,
            sensitivity: sensitivity(exp, &cases),
            cases,
            paired,
        }
    }
}

/// The swept parameters, those that move together merged (each index list in sweep order):
/// two parameters whose values determine each other over every case (the paths of a `Zip`)
/// cannot be told apart, so they are judged as one.
fn swept_together(exp: &crate::model::Experiment) -> Vec<Vec<usize>> {
    let values = |i: usize| -> Vec<Option<&str>> {
        exp.cases
            .iter()
            .map(|c| c.point.get(i).map(|p| p.label.as_str()))
            .collect()
    };
    // `a` determines `b`: equal values of `a` always come with equal values of `b`.
    let determines = |a: &[Option<&str>], b: &[Option<&str>]| {
        let mut seen: Vec<(Option<&str>, Option<&str>)> = vec![];
        a.iter()
            .zip(b)
            .all(|(x, y)| match seen.iter().find(|(k, _)| k == x) {
                Some((_, v)) => v == y,
                None => {
                    seen.push((*x, *y));
                    true
                }
            })
    };
    let mut out: Vec<Vec<usize>> = vec![];
    for i in 0..exp.sweep.len() {
        let vi = values(i);
        let leader = out.iter_mut().find(|g| {
            let vl = values(g[0]);
            determines(&vl, &vi) && determines(&vi, &vl)
        });
        match leader {
            Some(g) => g.push(i),
            None => out.push(vec![i]),
        }
    }
    out
}

/// A case's values of the parameters `together`, joined as their name is (`5 + 100`).
fn point_value(c: &CaseStats, together: &[usize]) -> Option<String> {
    let vals: Option<Vec<&str>> = together
        .iter()
        .map(|&i| c.point.get(i).map(|p| p.value.as_str()))
        .collect();
    vals.map(|v| v.join(" + "))
}

/// Effect of each swept parameter on each headline metric, per variant.
fn sensitivity(exp: &crate::model::Experiment, cases: &[CaseStats]) -> Vec<Sensitivity> {
    let mut out = vec![];
    let mut variants: Vec<&str> = vec![];
    for c in &exp.cases {
        if !variants.contains(&c.variant.as_str()) {
            variants.push(&c.variant);
        }
    }
    let params = swept_together(exp);
    for v in variants {
        let mine: Vec<&CaseStats> = cases.iter().filter(|c| c.variant == v).collect();
        for together in &params {
            let param = together
                .iter()
                .map(|&i| exp.sweep[i].as_str())
                .collect::<Vec<_>>()
                .join(" + ");
            for metric in METRICS {
                // Per value of the parameter: the mean of the cases' means, and the combined
                // half-width of that mean.
                let mut groups: Vec<(String, Vec<&Estimate>)> = vec![];
                let mut complete = true;
                for c in &mine {
                    let Some(val) = point_value(c, together) else {
                        complete = false;
                        break;
                    };
                    let Some(e) = c.get(metric) else {
                        complete = false;
                        break;
                    };
                    match groups.iter_mut().find(|(k, _)| *k == val) {
                        Some((_, es)) => es.push(e),
                        None => groups.push((val, vec![e])),
                    }
                }
                if !complete || groups.len() < 2 {
                    continue;
                }
                let summary: Vec<(String, f64, Option<f64>)> = groups
                    .into_iter()
                    .map(|(k, es)| {
                        let n = es.len() as f64;
                        let mean = es.iter().map(|e| e.mean).sum::<f64>() / n;
                        let hw = es
                            .iter()
                            .map(|e| e.ci95.map(|h| h * h))
                            .sum::<Option<f64>>()
                            .map(|s| s.sqrt() / n);
                        (k, mean, hw)
                    })
                    .collect();
                let lo = summary
                    .iter()
                    .min_by(|a, b| a.1.total_cmp(&b.1))
                    .expect("two groups");
                let hi = summary
                    .iter()
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .expect("two groups");
                let effect = hi.1 - lo.1;
                // Never finer than the histogram's resolution at the higher mean.
                let floor = resolution(metric, hi.1.abs().max(lo.1.abs()));
                let uncertainty = lo.2.zip(hi.2).map(|(a, b)| (a + b).max(floor));
                let measurable = match uncertainty {
                    Some(u) => effect > u,
                    None => effect > floor,
                };
                out.push(Sensitivity {
                    variant: v.to_owned(),
                    parameter: param.clone(),
                    metric: (*metric).to_owned(),
                    lowest: lo.1,
                    lowest_at: lo.0.clone(),
                    highest: hi.1,
                    highest_at: hi.0.clone(),
                    effect,
                    uncertainty,
                    measurable,
                });
            }
        }
    }
    out
}

/// A number for CSV cells: 6 decimals, empty when absent.
fn num(x: Option<f64>) -> String {
    x.filter(|x| x.is_finite())
        .map(|x| format!("{x:.6}"))
        .unwrap_or_default()
}

impl Report {
    /// stats.csv: one row per case × metric.
    pub fn stats_csv(&self) -> String {
        let mut s = String::from("case,variant,point,seeds,metric,n,mean,sd,ci95,low,high\n");
        for c in &self.cases {
            let point = c
                .point
                .iter()
                .map(|p| format!("{}={}", p.path, p.value))
                .collect::<Vec<_>>()
                .join("; ");
            for m in &c.metrics {
                let e = m.estimate.as_ref();
                let band = e.and_then(Estimate::band);
                s.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{},{}\n",
                    c.case,
                    c.variant,
                    point,
                    c.seeds,
                    m.metric,
                    e.map(|e| e.n).unwrap_or(0),
                    num(e.map(|e| e.mean)),
                    num(e.and_then(|e| e.sd)),
                    num(e.and_then(|e| e.ci95)),
                    num(band.map(|b| b.0)),
                    num(band.map(|b| b.1)),
                ));
            }
        }
        s
    }

    /// paired.csv: each case minus the first variant at the same point, per metric.
    pub fn paired_csv(&self) -> String {
        let mut s =
            String::from("case,baseline,metric,n,mean_difference,ci95,low,high,significant\n");
        for p in &self.paired {
            let d = &p.difference;
            let band = d.band();
            s.push_str(&format!(
                "{},{},{},{},{},{},{},{},{}\n",
                p.case,
                p.baseline,
                p.metric,
                d.n,
                num(Some(d.mean)),
                num(d.ci95),
                num(band.map(|b| b.0)),
                num(band.map(|b| b.1)),
                if d.ci95.is_none() {
                    "unknown"
                } else if p.significant {
                    "yes"
                } else {
                    "no"
                }
            ));
        }
        s
    }

    /// sensitivity.csv: per variant, swept parameter and headline metric.
    pub fn sensitivity_csv(&self) -> String {
        let mut s = String::from(
            "variant,parameter,metric,lowest_mean,lowest_at,highest_mean,highest_at,effect,uncertainty,measurable\n",
        );
        for x in &self.sensitivity {
            s.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{}\n",
                x.variant,
                x.parameter,
                x.metric,
                num(Some(x.lowest)),
                x.lowest_at,
                num(Some(x.highest)),
                x.highest_at,
                num(Some(x.effect)),
                num(x.uncertainty),
                if x.measurable { "yes" } else { "no" }
            ));
        }
        s
    }

    /// Parameters that moved no headline metric measurably, per variant: (variant, parameter,
    /// metrics examined).
    pub fn no_effect(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = vec![];
        for x in &self.sensitivity {
            let key = (x.variant.clone(), x.parameter.clone());
            if out.contains(&key) {
                continue;
            }
            let any = self
                .sensitivity
                .iter()
                .filter(|y| y.variant == x.variant && y.parameter == x.parameter)
                .any(|y| y.measurable);
            if !any {
                out.push(key);
            }
        }
        out
    }
}

/// runs.csv: one row per run with its events, its event trace digest and the headline metrics
/// (the raw data behind stats.csv). The digests make any change of behaviour show in review.
pub fn runs_csv(records: &[crate::runner::RunRecord]) -> String {
    let mut s = String::from("case,replication,seed,events,event_trace");
    for m in METRICS {
        s.push(',');
        s.push_str(m);
    }
    s.push('\n');
    for r in records {
        s.push_str(&format!(
            "{},{},{},{},{:016x}",
            r.case, r.rep, r.seed, r.events, r.event_trace
        ));
        for m in METRICS {
            s.push(',');
            s.push_str(&num(lookup(&r.metrics, m)));
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_interval_matches_published_values_and_never_collapses() {
        // Newcombe (1998), Table I: 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605; 0/20 →
        // 0–0.1611; 1/29 → 0.0061–0.1718.
        for (k, n, lo, hi) in [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ] {
            let (a, b) = wilson95(k, n).unwrap();
            assert!(
                (a - lo).abs() < 5e-5 && (b - hi).abs() < 5e-5,
                "{k}/{n}: {a} {b}"
            );
        }
        // All successes: a band below 1, not the Wald interval's point.
        let (a, b) = wilson95(5, 5).unwrap();
        assert!((a - 0.5655).abs() < 5e-4 && b == 1.0, "{a} {b}");
        assert_eq!(wilson95(0, 0), None);
    }

    #[test]
    fn t_quantiles_match_tables() {
        // Student-t tables: t(0.975; 1) = 12.706, t(0.975; 9) = 2.262, t(0.975; 30) = 2.042.
        assert!((t975(1) - 12.706).abs() < 1e-3);
        assert!((t975(9) - 2.262).abs() < 1e-3);
        assert!((t975(30) - 2.042).abs() < 1e-3);
    }

    #[test]
    fn estimate_of_known_values() {
        let e = Estimate::of(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(e.n, 4);
        assert!((e.mean - 2.5).abs() < 1e-12);
        let sd = (5.0f64 / 3.0).sqrt();
        assert!((e.sd.unwrap() - sd).abs() < 1e-12);
        assert!((e.ci95.unwrap() - t975(3) * sd / 2.0).abs() < 1e-12);
        let one = Estimate::of(&[7.0]).unwrap();
        assert_eq!((one.n, one.sd, one.ci95), (1, None, None));
        assert!(Estimate::of(&[]).is_none());
    }

    #[test]
    fn a_difference_within_one_histogram_bucket_is_not_significant() {
        // Three seeds whose p99 fell in the same bucket: zero spread, a 0.52 ms difference at
        // 123 ms (one bucket there is 123 / 128 = 0.96 ms) is no evidence; 5 ms is.
        let small = Estimate::of(&[0.52, 0.52, 0.52]).unwrap();
        assert_eq!(small.ci95, Some(0.0));
        assert!(!significant("p99_ms", &small, 123.2));
        assert!(!significant("p99_ms@london", &small, 123.2));
        let large = Estimate::of(&[5.0, 5.0, 5.0]).unwrap();
        assert!(significant("p99_ms", &large, 123.2));
        // Counts and ratios are exact: any difference beyond the interval counts.
        let failed = Estimate::of(&[2.0, 3.0, 2.5]).unwrap();
        assert!(significant("failed", &failed, 1e6));
        assert!(!significant(
            "failed",
            &Estimate::of(&[-1.0, 1.0, 0.5]).unwrap(),
            10.0
        ));
    }
}
