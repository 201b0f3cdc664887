//! Cost and residency results: the cost block and residency section of summary.json, cost.csv, and their lines in the terminal table (SPEC §3 Cost, Residency violation).

use super::{ExperimentResult, ScopeSummary};
use crate::cost::{CostReport, RequestCounts, cents};
use crate::metrics::{Metrics, ScopeStats};
use crate::model::Scenario;
use crate::residency::ResidencyTally;
use crate::sim::RunOutput;
use serde::Serialize;
use std::fmt::Write as _;

/// One jurisdiction's users: how well they were served (the price of keeping them in).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct JurisdictionSummary {
    pub jurisdiction: String,
    pub allowed_regions: Vec<String>,
    pub populations: Vec<String>,
    #[serde(flatten)]
    pub scope: ScopeSummary,
}

/// The residency section of a variant (SPEC §3 Residency violation).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ResidencySummary {
    pub enforced: bool,
    /// Pinned records committed or replicated outside their allowed regions.
    pub records_stored_outside: u64,
    /// Pinned users' requests served by a region outside their allowed set.
    pub requests_served_outside: u64,
    /// Replication messages not sent because the target was not allowed (enforced).
    pub replications_withheld: u64,
    /// Pinned writes not forwarded to a primary outside the allowed set (enforced).
    pub forwards_refused: u64,
    /// DNS lookups of pinned users that found no allowed region (enforced).
    pub lookups_without_allowed_region: u64,
    /// Pinned requests that failed because no allowed region was up (enforced).
    pub requests_failed_no_allowed_region: u64,
    /// Pinned writes that failed because the primary was outside the allowed regions while an
    /// allowed region was up (enforced; absent from results made before it was counted).
    #[serde(default)]
    pub writes_failed_primary_outside: u64,
    pub jurisdictions: Vec<JurisdictionSummary>,
}

/// The cost report of a run, if its scenario has prices.
pub fn cost_of(sc: &Scenario, out: &RunOutput, overall: &ScopeSummary) -> Option<CostReport> {
    let (cfg, meter) = (sc.cost.as_ref()?, out.cost.as_ref()?);
    Some(crate::cost::report(
        sc,
        cfg,
        meter,
        RequestCounts {
            issued: overall.issued,
            ok: overall.ok,
            failed: overall.failed,
        },
    ))
}

/// The residency section of a run, if its scenario has a policy.
pub fn residency_of(sc: &Scenario, out: &RunOutput, m: &Metrics) -> Option<ResidencySummary> {
    let pol = sc.residency.as_ref()?;
    let t: ResidencyTally = out.residency?;
    let jurisdictions = pol
        .rules
        .iter()
        .map(|(j, allowed)| {
            let mut stats = ScopeStats::default();
            let mut issued = 0;
            let mut pops = vec![];
            for (p, pop) in sc.populations.iter().enumerate() {
                if pop.jurisdiction == *j {
                    stats.merge(&m.populations[p]);
                    issued += m.issued[p][0] + m.issued[p][1];
                    pops.push(pop.name.clone());
                }
            }
            JurisdictionSummary {
                jurisdiction: j.clone(),
                allowed_regions: allowed
                    .iter()
                    .map(|r| sc.regions[*r as usize].name.clone())
                    .collect(),
                populations: pops,
                scope: ScopeSummary::build(j, &stats, Some(issued), None),
            }
        })
        .collect();
    Some(ResidencySummary {
        enforced: pol.enforce,
        records_stored_outside: t.records_stored_outside,
        requests_served_outside: t.requests_served_outside,
        replications_withheld: t.replications_withheld,
        forwards_refused: t.forwards_refused,
        lookups_without_allowed_region: t.lookups_without_allowed_region,
        requests_failed_no_allowed_region: t.requests_failed_no_allowed_region,
        writes_failed_primary_outside: t.writes_failed_primary_outside,
        jurisdictions,
    })
}

/// Whether any variant has a cost section (then cost.csv is written).
pub fn has_cost(r: &ExperimentResult) -> bool {
    r.variants.iter().any(|v| v.cost.is_some())
}

/// cost.csv: per variant, one row per component (scope `component`), the totals (scope
/// `total`), then one row per region and per directed link; money to the cent.
pub fn cost_csv(r: &ExperimentResult) -> String {
    let mut out =
        String::from("variant,scope,name,span_usd,month_usd,per_million_requests_usd,detail\n");
    for v in &r.variants {
        let Some(c) = &v.cost else { continue };
        let per_m = |x: f64| {
            if c.requests > 0.0 {
                cents(x / c.requests * 1e6)
            } else {
                String::new()
            }
        };
        for l in &c.components {
            let _ = writeln!(
                out,
                "{},component,{},{},{},{},{}",
                v.variant,
                l.component,
                cents(l.span_usd),
                cents(l.month_usd),
                per_m(l.span_usd),
                l.quantity
            );
        }
        let months = if c.span_s > 0.0 {
            c.span_s / crate::cost::MONTH_S
        } else {
            1.0
        };
        for (name, span, detail) in [
            (
                "infrastructure",
                c.infrastructure_usd,
                format!("requests={:.0}", c.requests),
            ),
            (
                "downtime",
                c.downtime_usd,
                format!(
                    "failed_requests={:.0} downtime_minutes={:.3}",
                    c.failed_requests, c.downtime_minutes
                ),
            ),
            ("total", c.total_usd, String::new()),
        ] {
            let _ = writeln!(
                out,
                "{},total,{},{},{},{},{}",
                v.variant,
                name,
                cents(span),
                cents(span / months),
                per_m(span),
                detail
            );
        }
        for g in &c.regions {
            let _ = writeln!(
                out,
                "{},region,{},{},{},,compute={} storage={} replication_egress={} forwarding_egress={} client_egress={} server_hours={:.3} stored_gb={:.3} internet_gb={:.3}",
                v.variant,
                g.region,
                cents(g.total_usd),
                cents(g.total_usd / months),
                cents(g.compute_usd),
                cents(g.storage_usd),
                cents(g.replication_egress_usd),
                cents(g.forwarding_egress_usd),
                cents(g.client_egress_usd),
                g.server_hours,
                g.stored_gb,
                g.internet_gb
            );
        }
        for l in &c.links {
            let _ = writeln!(
                out,
                "{},link,{}>{},{},{},,price_per_gb={} replication_gb={:.6} forwarding_gb={:.6}",
                v.variant,
                l.from,
                l.to,
                cents(l.usd),
                cents(l.usd / months),
                l.price_per_gb,
                l.replication_gb,
                l.forwarding_gb
            );
        }
    }
    out
}

/// An amount for the terminal table: to the cent, except that an amount that rounds to 0.00
/// but is not zero (a default 10 MB data set's storage) reads `<0.01`, not as free. The
/// CSVs keep plain numbers.
fn table_cents(x: f64) -> String {
    if x > 0.0 && x < 0.005 {
        "<0.01".into()
    } else {
        cents(x)
    }
}

/// The cost and residency lines of the terminal table (empty without either).
pub fn render_cost_table(r: &ExperimentResult) -> String {
    let mut out = String::new();
    if has_cost(r) {
        let header = [
            "variant",
            "compute",
            "storage",
            "repl egress",
            "fwd egress",
            "client egress",
            "dns",
            "checks",
            "infra/month",
            "per M req",
            "downtime/month",
            "total/month",
        ];
        let mut rows: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
        for v in &r.variants {
            let Some(c) = &v.cost else { continue };
            let mut row = vec![v.variant.clone()];
            row.extend(c.components.iter().map(|l| table_cents(l.month_usd)));
            row.push(table_cents(c.infrastructure_month_usd));
            row.push(
                c.per_million_requests_usd
                    .map(table_cents)
                    .unwrap_or_else(|| "-".into()),
            );
            row.push(table_cents(c.downtime_month_usd));
            row.push(table_cents(c.total_month_usd));
            rows.push(row);
        }
        let currency = r
            .variants
            .iter()
            .find_map(|v| v.cost.as_ref().map(|c| c.currency.clone()))
            .unwrap_or_default();
        let _ = writeln!(out, "\ncost per 30-day month ({currency}):");
        out.push_str(&align(&rows));
    }
    if r.variants.iter().any(|v| v.residency.is_some()) {
        // Shown when some variant's primary lies outside a jurisdiction's allowed regions.
        let kept_from_primary = r.variants.iter().any(|v| {
            v.residency
                .as_ref()
                .is_some_and(|res| res.writes_failed_primary_outside > 0)
        });
        let mut header = vec![
            "variant",
            "enforced",
            "jurisdiction",
            "requests",
            "avail %",
            "p50 ms",
            "p99 ms",
            "failed: no allowed region",
        ];
        if kept_from_primary {
            header.push("failed: primary outside");
        }
        header.extend(["stored outside", "served outside"]);
        let mut rows = vec![header.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
        for v in &r.variants {
            let Some(res) = &v.residency else { continue };
            // The counters are the run's, over every pinned record: on the jurisdiction's row
            // when there is one, otherwise on a row of their own.
            let one = res.jurisdictions.len() == 1;
            let counters = || {
                let mut c = vec![res.requests_failed_no_allowed_region.to_string()];
                if kept_from_primary {
                    c.push(res.writes_failed_primary_outside.to_string());
                }
                c.extend([
                    res.records_stored_outside.to_string(),
                    res.requests_served_outside.to_string(),
                ]);
                c
            };
            let dashes = counters()
                .iter()
                .map(|_| "-".to_owned())
                .collect::<Vec<_>>();
            for j in &res.jurisdictions {
                let mut row = vec![
                    v.variant.clone(),
                    res.enforced.to_string(),
                    j.jurisdiction.clone(),
                    j.scope.issued.to_string(),
                    j.scope
                        .availability
                        .map(|a| format!("{:.3}", a * 100.0))
                        .unwrap_or_else(|| "-".into()),
                    format!("{:.1}", j.scope.all.p50_ms),
                    format!("{:.1}", j.scope.all.p99_ms),
                ];
                row.extend(if one { counters() } else { dashes.clone() });
                rows.push(row);
            }
            if !one {
                let mut row = vec![
                    v.variant.clone(),
                    res.enforced.to_string(),
                    "(all)".to_owned(),
                ];
                row.extend(["-", "-", "-", "-"].map(str::to_owned));
                row.extend(counters());
                rows.push(row);
            }
        }
        out.push_str("\nresidency:\n");
        out.push_str(&align(&rows));
    }
    out
}

/// Left-aligns the first column, right-aligns the others.
fn align(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut w = vec![0usize; cols];
    for row in rows {
        for (i, c) in row.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        for (i, c) in row.iter().enumerate() {
            let pad = " ".repeat(w[i] - c.chars().count());
            if i == 0 {
                let _ = write!(out, "{c}{pad}");
            } else {
                let _ = write!(out, "{pad}{c}");
            }
            out.push_str(if i + 1 < row.len() { "  " } else { "\n" });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::table_cents;

    #[test]
    fn an_amount_below_a_cent_is_not_shown_as_free() {
        assert_eq!(table_cents(0.0), "0.00");
        assert_eq!(table_cents(0.0012), "<0.01");
        assert_eq!(table_cents(0.005), "0.01");
        assert_eq!(table_cents(12.5), "12.50");
    }
}
