//! report.html: question, inputs, summary table, every chart as inline SVG, and the manifest.

use super::Figure;
use super::data::{ReportData, ScopeView};
use std::fmt::Write as _;

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const STYLE: &str = "
body{font-family:'DejaVu Sans',Verdana,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#222;line-height:1.45}
h1{margin-bottom:.2rem}h2{margin-top:2.4rem;border-bottom:1px solid #ddd}
.question{font-size:1.2rem;color:#333}
table{border-collapse:collapse;font-size:.9rem;margin:.8rem 0}
th,td{border-bottom:1px solid #e4e4e4;padding:.25rem .6rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.all td{font-weight:bold}
.swatch{display:inline-block;width:.9em;height:.9em;margin-right:.4em;vertical-align:-.1em;border-radius:2px}
figure{margin:1.6rem 0}figure svg{width:100%;height:auto;border:1px solid #eee}
figcaption{margin-bottom:.4rem}
code,pre{font-family:'DejaVu Sans Mono',monospace;font-size:.85rem}
pre{background:#f6f6f6;padding:.7rem;overflow-x:auto}
nav a{margin-right:1rem}
";

fn pct(a: Option<f64>) -> String {
    a.filter(|x| x.is_finite())
        .map(|x| format!("{:.3}", x * 100.0))
        .unwrap_or_else(|| "–".into())
}

fn ms(s: &ScopeView, v: f64) -> String {
    if s.all.count > 0 && v.is_finite() {
        format!("{v:.1}")
    } else {
        "–".into()
    }
}

fn secs(x: Option<f64>) -> String {
    x.filter(|v| v.is_finite())
        .map(|v| format!("{v:.1}"))
        .unwrap_or_else(|| "–".into())
}

/// Whether any variant has faults or failovers to tabulate.
fn has_recovery(d: &ReportData) -> bool {
    d.summary
        .variants
        .iter()
        .any(|v| !v.faults.is_empty() || !v.failovers.is_empty())
}

/// The availability and time-to-recover tables: a row per fault, a row per failover.
fn recovery_tables(h: &mut String, d: &ReportData) {
    h.push_str("<h2 id=\"recovery\">Faults and recovery</h2>\n<p>RTO: from the fault's start until every affected population's availability is back at the SLO. Failed requests: requests that finally failed after the fault refused, dropped or lost one of their attempts, answered one with an error, or blocked the replication one waited on. Availability during: all requests, over the windows wholly inside the fault. Service up: the share of time after the warm-up the design had a region serving (active-active: any region up; active-passive: the current primary up, so detection and promotion count as down), whatever DNS did; with random outages, beside the closed form for independent failures and instant failover.</p>\n");
    h.push_str("<table>\n<tr><th>variant</th><th>fault</th><th class=\"n\">start–end s</th><th class=\"n\">RTO s</th><th class=\"n\">failed requests</th><th class=\"n\">avail during %</th><th class=\"n\">service up %</th></tr>\n");
    for v in &d.summary.variants {
        for f in &v.faults {
            let window = match (f.start_s, f.end_s) {
                (Some(a), Some(b)) => format!("{a:.0}–{b:.0}"),
                _ if f.occurrences > 0 => {
                    format!("{}× random, {:.1} h", f.occurrences, f.active_s / 3600.0)
                }
                _ => "–".into(),
            };
            let rto = if f.no_effect {
                "no effect".into()
            } else if !f.recovered {
                "not recovered".into()
            } else {
                secs(f.rto_s)
            };
            let up = match (v.service_up_fraction, v.closed_form_availability) {
                (Some(u), Some(c)) => format!("{:.4} (closed form {:.4})", u * 100.0, c * 100.0),
                (Some(u), None) => format!("{:.4}", u * 100.0),
                _ => "–".into(),
            };
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(&v.variant),
                esc(&f.fault),
                window,
                rto,
                f.failed_requests,
                pct(f.availability_during),
                up
            );
        }
    }
    h.push_str("</table>\n");
    let failovers: usize = d.summary.variants.iter().map(|v| v.failovers.len()).sum();
    if failovers == 0 {
        return;
    }
    const SHOWN: usize = 10;
    h.push_str("<p>Promotions of a standby (active-passive). Lost writes: acknowledged writes of the old primary the new one never applied; RPO: from the oldest of them to the primary's failure.</p>\n");
    h.push_str("<table>\n<tr><th>variant</th><th>policy</th><th>from → to</th><th class=\"n\">triggered s</th><th class=\"n\">promoted s</th><th class=\"n\">lost writes</th><th class=\"n\">RPO s</th></tr>\n");
    for v in &d.summary.variants {
        for f in v.failovers.iter().take(SHOWN) {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{} → {}</td><td class=\"n\">{:.1}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(&v.variant),
                esc(&f.policy),
                esc(&f.from),
                esc(match (&f.to, f.promoted_s) {
                    (Some(to), _) => to,
                    (None, Some(_)) => "(no healthy standby)",
                    (None, None) => "(not chosen by the end)",
                }),
                f.triggered_s,
                f.promoted_s
                    .map_or("not by the end".into(), |p| format!("{p:.1}")),
                f.promoted_s
                    .map_or(String::new(), |_| f.lost_writes.to_string()),
                if f.promoted_s.is_none() {
                    String::new()
                } else if f.lost_writes == 0 {
                    // Nothing lost: no span to measure, as failovers.csv leaves it empty.
                    "–".into()
                } else {
                    secs(f.rpo_s)
                }
            );
        }
        if v.failovers.len() > SHOWN {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td colspan=\"6\">… and {} more (see failovers.csv)</td></tr>",
                esc(&v.variant),
                v.failovers.len() - SHOWN
            );
        }
    }
    h.push_str("</table>\n");
}

/// The whole report page. Deterministic: the same data gives the same bytes.
/// Mean ± 95% Student-t half-width over the seeds of each case (stats.json).
fn stats_table(h: &mut String, st: &crate::stats::Report) {
    let cost = st.cases.iter().any(|c| c.get("total_month_usd").is_some());
    let pm = |e: Option<&crate::stats::Estimate>, scale: f64, digits: usize| {
        e.map_or_else(|| "–".to_owned(), |e| e.show(scale, digits))
    };
    h.push_str("<h3>Across seeds (mean ± 95% CI, Student t)</h3>\n<table>\n<tr><th>case</th><th class=\"n\">seeds</th><th class=\"n\">avail %</th><th class=\"n\">p50 ms</th><th class=\"n\">p99 ms</th><th class=\"n\">lost at failover</th>");
    if cost {
        h.push_str("<th class=\"n\">total USD / month</th>");
    }
    h.push_str("</tr>\n");
    for c in &st.cases {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            esc(&c.case),
            c.seeds,
            pm(c.get("availability"), 100.0, 3),
            pm(c.get("p50_ms"), 1.0, 1),
            pm(c.get("p99_ms"), 1.0, 1),
            pm(c.get("lost_at_failover"), 1.0, 1),
        );
        if cost {
            let _ = write!(
                h,
                "<td class=\"n\">{}</td>",
                pm(c.get("total_month_usd"), 1.0, 2)
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

/// Whether any variant replicates data or lost writes at a failover (as `run` decides to
/// print its data-layer table).
fn has_data_layer(d: &ReportData) -> bool {
    d.summary
        .variants
        .iter()
        .any(|v| v.data.replications_applied > 0 || v.data.lost_at_failover > 0)
}

/// Failed requests by reason, a row per variant with any (SPEC §2); nothing when none failed.
fn failures_table(h: &mut String, d: &ReportData) {
    let failed: Vec<_> = d
        .summary
        .variants
        .iter()
        .filter(|v| v.overall.failed > 0)
        .collect();
    if failed.is_empty() {
        return;
    }
    h.push_str("<h3>Failed requests by reason</h3>\n<p>Timeout: the client's timer fired. Overload: shed by a full queue, or still queued when its deadline expired. Unreachable: the region was down or cut off when the client connected. No region: DNS had no region to give (or none the residency rules allow). Error: the region served it and answered with an error (an <code>ErrorRate</code> fault).</p>\n<table>\n<tr><th>variant</th><th class=\"n\">failed</th><th class=\"n\">timeout</th><th class=\"n\">overload</th><th class=\"n\">unreachable</th><th class=\"n\">no region</th><th class=\"n\">error</th></tr>\n");
    for v in failed {
        let o = &v.overall;
        let cell = |n: u64| crate::results::failed_share(n, o.failed);
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&v.variant),
            o.failed,
            cell(o.failed_timeout),
            cell(o.failed_overload),
            cell(o.failed_unreachable),
            cell(o.failed_no_region),
            cell(o.failed_error)
        );
    }
    h.push_str("</table>\n");
}

/// The data layer per variant (SPEC §3), the figures `run` prints after its summary.
fn data_table(h: &mut String, d: &ReportData) {
    h.push_str("<h2 id=\"data\">Data layer</h2>\n<p>After the warm-up. Lost updates: acknowledged writes absent from the converged state, discarded by conflict resolution (in brackets) or lost at a failover. Wrong winners: last-writer-wins kept the write that was earlier in true time. Stale reads: reads that returned a version older than the newest acknowledged anywhere; staleness runs from the oldest acknowledged version the read missed. Converged: from the last fault's end until its backlog was applied everywhere.</p>\n<table>\n<tr><th>variant</th><th>replication</th><th>conflicts resolved by</th><th class=\"n\">writes</th><th class=\"n\">conflicts</th><th class=\"n\">lost updates (to conflicts)</th><th class=\"n\">wrong winners</th><th class=\"n\">lost at failover</th><th class=\"n\">stale reads %</th><th class=\"n\">staleness p99 s</th><th class=\"n\">read-your-writes violations</th><th class=\"n\">converged s</th></tr>\n");
    for v in &d.summary.variants {
        let x = &v.data;
        let staleness = if x.staleness.count == 0 {
            "–".to_owned()
        } else {
            format!("{:.3}", x.staleness.p99_ms / 1e3)
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{} ({})</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&v.variant),
            esc(&x.replication),
            esc(&x.conflict_strategy),
            x.writes,
            x.conflicts,
            x.lost_updates,
            x.lost_to_conflicts,
            x.wrong_winners,
            x.lost_at_failover,
            pct(x.stale_read_ratio),
            staleness,
            x.read_your_writes_violations,
            x.convergence_s
                .filter(|c| c.is_finite())
                .map_or_else(|| "–".to_owned(), |c| format!("{c:.3}"))
        );
    }
    h.push_str("</table>\n");
}

/// Cost per 30-day month per variant (SPEC §3 Cost), the table `run` prints.
fn cost_table(h: &mut String, d: &ReportData) {
    let costs: Vec<(&str, &super::data::CostView)> = d
        .summary
        .variants
        .iter()
        .filter_map(|v| v.cost.as_ref().map(|c| (v.variant.as_str(), c)))
        .collect();
    let Some((_, first)) = costs.first() else {
        return;
    };
    let _ = writeln!(
        h,
        "<h2 id=\"cost\">Cost</h2>\n<p>Per 30-day month, in {}, scaled to the traffic the run represents. Infrastructure: the components before it (servers, storage, egress between regions and to users, DNS queries, health checks). Downtime minutes: the run's span times its share of failed requests; downtime: their price, with any price per failed request, per month. cost.csv has the span's figures, what each component counted, and a row per region and link.</p>",
        esc(&first.currency)
    );
    h.push_str("<table>\n<tr><th>variant</th>");
    for l in &first.components {
        let _ = write!(
            h,
            "<th class=\"n\">{}</th>",
            esc(&l.component.replace('_', " "))
        );
    }
    h.push_str("<th class=\"n\">infrastructure</th><th class=\"n\">per million requests</th><th class=\"n\">downtime minutes (run)</th><th class=\"n\">downtime</th><th class=\"n\">total</th></tr>\n");
    let money = crate::cost::cents;
    for (name, c) in &costs {
        let _ = write!(h, "<tr><td>{}</td>", esc(name));
        for head in &first.components {
            let cell = c
                .components
                .iter()
                .find(|l| l.component == head.component)
                .map_or_else(|| "–".to_owned(), |l| money(l.month_usd));
            let _ = write!(h, "<td class=\"n\">{cell}</td>");
        }
        let _ = writeln!(
            h,
            "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.1}</td><td class=\"n\">{}</td><td class=\"n\"><b>{}</b></td></tr>",
            money(c.infrastructure_month_usd),
            c.per_million_requests_usd
                .map_or_else(|| "–".to_owned(), money),
            c.downtime_minutes,
            money(c.downtime_month_usd),
            money(c.total_month_usd)
        );
    }
    h.push_str("</table>\n");
}

pub fn report_html(d: &ReportData, figures: &[Figure]) -> String {
    let s = &d.summary;
    let colours = super::variant_colours(d);
    let mut h = String::new();
    let name = esc(&s.experiment);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>regionsim — {name}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    );
    let _ = writeln!(h, "<h1>{name}</h1>");
    if !s.question.is_empty() {
        let _ = writeln!(h, "<p class=\"question\">{}</p>", esc(&s.question));
    }
    let recovery = has_recovery(d);
    let data_layer = has_data_layer(d);
    let costed = s.variants.iter().any(|v| v.cost.is_some());
    let _ = writeln!(
        h,
        "<nav><a href=\"#inputs\">Inputs</a><a href=\"#summary\">Summary</a>{}{}{}<a href=\"#charts\">Charts</a><a href=\"#manifest\">Manifest</a></nav>",
        if recovery {
            "<a href=\"#recovery\">Faults and recovery</a>"
        } else {
            ""
        },
        if data_layer {
            "<a href=\"#data\">Data layer</a>"
        } else {
            ""
        },
        if costed {
            "<a href=\"#cost\">Cost</a>"
        } else {
            ""
        }
    );

    // Inputs.
    h.push_str("<h2 id=\"inputs\">Inputs</h2>\n");
    let topo = d
        .topology
        .as_ref()
        .map(|t| t.name.as_str())
        .filter(|n| !n.is_empty())
        .unwrap_or("(not recorded)");
    let _ = writeln!(
        h,
        "<p>Master seed <code>{}</code>; topology <code>{}</code>; {} variant(s), each simulated with the same random streams (common random numbers), so differences between them are the design's.</p>",
        s.seed,
        esc(topo),
        s.variants.len()
    );
    h.push_str("<table>\n<tr><th>variant</th><th>design</th><th>serving regions</th><th class=\"n\">run seed</th><th>faults</th></tr>\n");
    for (i, v) in s.variants.iter().enumerate() {
        let c = colours[i];
        let faults = if v.fault_windows.is_empty() {
            "none".to_owned()
        } else {
            v.fault_windows
                .iter()
                .map(|f| format!("{} ({}–{} s)", esc(&f.label), f.start_s, f.end_s))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let _ = writeln!(
            h,
            "<tr><td><span class=\"swatch\" style=\"background:#{:02x}{:02x}{:02x}\"></span>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            c.0,
            c.1,
            c.2,
            esc(&v.variant),
            esc(&v.design),
            esc(&v.serving_regions.join(", ")),
            v.seed,
            faults
        );
    }
    h.push_str("</table>\n");

    // Summary.
    let repeated = d
        .stats
        .as_ref()
        .is_some_and(|st| st.cases.iter().any(|c| c.seeds > 1));
    h.push_str(if repeated {
        "<h2 id=\"summary\">Summary</h2>\n<p>Requests issued after the warm-up; latency of successful requests. This table is replication 0 of each case; the next one gives the mean and 95% confidence interval over every seed.</p>\n"
    } else {
        "<h2 id=\"summary\">Summary</h2>\n<p>Requests issued after the warm-up; latency of successful requests. One run per case, so no confidence intervals (set <code>seeds:</code> in the experiment, or pass <code>--seeds N</code>, to get them).</p>\n"
    });
    h.push_str("<table>\n<tr><th>variant</th><th>population</th><th>served by</th><th class=\"n\">requests</th><th class=\"n\">avail %</th><th class=\"n\">p50 ms</th><th class=\"n\">p95 ms</th><th class=\"n\">p99 ms</th></tr>\n");
    for v in &s.variants {
        let rows = v
            .populations
            .iter()
            .map(|p| {
                let served = p
                    .served_by
                    .iter()
                    .map(|x| format!("{} {:.0}%", x.region, x.share * 100.0))
                    .collect::<Vec<_>>()
                    .join(", ");
                (
                    &p.scope,
                    if served.is_empty() {
                        "–".into()
                    } else {
                        served
                    },
                    false,
                )
            })
            .chain(std::iter::once((&v.overall, String::new(), true)));
        for (sc, served, all) in rows {
            let _ = writeln!(
                h,
                "<tr{}><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                if all { " class=\"all\"" } else { "" },
                esc(&v.variant),
                if all { "(all)".into() } else { esc(&sc.name) },
                esc(&served),
                sc.issued,
                pct(sc.availability),
                ms(sc, sc.all.p50_ms),
                ms(sc, sc.all.p95_ms),
                ms(sc, sc.all.p99_ms)
            );
        }
    }
    h.push_str("</table>\n");
    if repeated && let Some(st) = &d.stats {
        stats_table(&mut h, st);
    }

    failures_table(&mut h, d);

    if recovery {
        recovery_tables(&mut h, d);
    }
    if data_layer {
        data_table(&mut h, d);
    }
    if costed {
        cost_table(&mut h, d);
    }

    // Charts.
    h.push_str("<h2 id=\"charts\">Charts</h2>\n<p>Each chart is also in <code>charts/</code> as SVG and PNG. Colours mark the same variant in every chart.</p>\n");
    for f in figures {
        let _ = writeln!(
            h,
            "<figure id=\"{}\">\n<figcaption>{}</figcaption>",
            esc(&f.spec.stem),
            esc(&f.spec.caption)
        );
        h.push_str(f.rendered.svg.trim_end());
        h.push_str("\n</figure>\n");
    }

    // Manifest.
    h.push_str("<h2 id=\"manifest\">Manifest</h2>\n");
    match &d.manifest {
        Some(m) => {
            if let Some(r) = m.get("rerun").and_then(|r| r.as_str()) {
                let _ = writeln!(
                    h,
                    "<p>Rerun the simulation (same files and seed give byte-identical results; it writes to <code>results/{name}</code> unless given <code>--out DIR</code>):</p>\n<pre>{}</pre>",
                    esc(r)
                );
            }
            // The results never name the directory they were written to (they would differ
            // between two directories otherwise).
            let _ = writeln!(
                h,
                "<p>Rebuild this report and its charts from the stored results, without simulating (<code>DIR</code>: the directory holding this report, <code>results/{name}</code> unless <code>run</code> was given <code>--out</code>):</p>\n<pre>regionsim report DIR</pre>"
            );
            let tool = m
                .get("tool")
                .and_then(|t| t.as_str())
                .unwrap_or("regionsim");
            let version = m.get("version").and_then(|t| t.as_str()).unwrap_or("?");
            let _ = writeln!(h, "<p>Made by {} {}.</p>", esc(tool), esc(version));
            if let Some(inputs) = m.get("inputs").and_then(|i| i.as_array()) {
                h.push_str("<table>\n<tr><th>input file</th><th>sha256</th></tr>\n");
                for i in inputs {
                    let p = i.get("path").and_then(|x| x.as_str()).unwrap_or("");
                    let d = i.get("sha256").and_then(|x| x.as_str()).unwrap_or("");
                    let _ = writeln!(
                        h,
                        "<tr><td><code>{}</code></td><td><code>{}</code></td></tr>",
                        esc(p),
                        esc(d)
                    );
                }
                h.push_str("</table>\n");
            }
            let pretty = serde_json::to_string_pretty(m).unwrap_or_default();
            let _ = writeln!(
                h,
                "<details><summary>manifest.json</summary>\n<pre>{}</pre>\n</details>",
                esc(&pretty)
            );
        }
        None => h.push_str("<p>No manifest.json in this results directory.</p>\n"),
    }
    h.push_str("</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
