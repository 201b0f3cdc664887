//! The summary table printed after a run: per variant and population, who served it and how well.

use super::ExperimentResult;
use std::fmt::Write as _;

/// Metrics that are fractions (a CI target's half-width is a fraction too) and that the
/// tables show as percentages.
const RATIO_METRICS: [&str; 4] = [
    "availability",
    "time_availability",
    "service_up_fraction",
    "stale_read_ratio",
];

/// Renders the per-population summary as an aligned text table.
pub fn render_table(r: &ExperimentResult) -> String {
    render_table_styled(r, false)
}

/// ANSI styles for a terminal: bold header and variant names, availability green at or above
/// 99.9%, yellow at or above 99%, red below (SPEC §3 availability).
fn paint(text: &str, col: usize, row: &[String], colour: bool) -> String {
    if !colour {
        return text.to_owned();
    }
    let code = match col {
        0 => "1",
        4 => match row[4].trim().parse::<f64>() {
            Ok(a) if a >= 99.9 => "32",
            Ok(a) if a >= 99.0 => "33",
            Ok(_) => "31",
            Err(_) => return text.to_owned(),
        },
        _ => return text.to_owned(),
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// [`render_table`], with ANSI colours when `colour` (stdout is a terminal and `NO_COLOR` is
/// unset): the text is the same, only styled.
pub fn render_table_styled(r: &ExperimentResult, colour: bool) -> String {
    let header = [
        "variant",
        "population",
        "served by",
        "requests",
        "avail %",
        "p50 ms",
        "p95 ms",
        "p99 ms",
    ];
    let mut rows: Vec<[String; 8]> = vec![];
    for v in &r.variants {
        let mut scopes: Vec<(&str, String, &super::ScopeSummary)> = v
            .populations
            .iter()
            .map(|p| {
                let served = p
                    .served_by
                    .iter()
                    .take(2)
                    .map(|s| format!("{} {:.0}%", s.region, s.share * 100.0))
                    .collect::<Vec<_>>()
                    .join(", ");
                let more = if p.served_by.len() > 2 {
                    format!(" +{}", p.served_by.len() - 2)
                } else {
                    String::new()
                };
                (p.scope.name.as_str(), format!("{served}{more}"), &p.scope)
            })
            .collect();
        scopes.push(("(all)", String::new(), &v.overall));
        for (name, served, s) in scopes {
            rows.push([
                v.variant.clone(),
                name.to_owned(),
                if served.is_empty() && name != "(all)" {
                    "-".into()
                } else {
                    served
                },
                s.issued.to_string(),
                s.availability
                    .map(|a| format!("{:.3}", a * 100.0))
                    .unwrap_or_else(|| "-".into()),
                ms(s.all.count, s.all.p50_ms),
                ms(s.all.count, s.all.p95_ms),
                ms(s.all.count, s.all.p99_ms),
            ]);
        }
    }
    let mut w = [0usize; 8];
    for (i, h) in header.iter().enumerate() {
        w[i] = h.chars().count();
    }
    for row in &rows {
        for (i, c) in row.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: &[&str], styled: Option<&[String]>| {
        for (i, c) in cells.iter().enumerate() {
            let pad = w[i] - c.chars().count();
            let text = match styled {
                Some(row) => paint(c, i, row, colour),
                None if colour => format!("\x1b[1m{c}\x1b[0m"),
                None => (*c).to_owned(),
            };
            if i >= 3 {
                let _ = write!(out, "{}{}", " ".repeat(pad), text);
            } else {
                let _ = write!(out, "{}{}", text, " ".repeat(pad));
            }
            out.push_str(if i + 1 < cells.len() { "  " } else { "\n" });
        }
    };
    line(&mut out, &header, None);
    let mut last_variant = String::new();
    for row in &rows {
        if !last_variant.is_empty() && row[0] != last_variant {
            out.push('\n');
        }
        last_variant = row[0].clone();
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        line(&mut out, &cells, Some(row.as_slice()));
    }
    out.push_str(&super::render_cost_table(r));
    out
}

/// `n` of `failed` failed requests: the count, and its share when there are any (the failure
/// tables of `run` and report.html).
pub fn failed_share(n: u64, failed: u64) -> String {
    if n == 0 {
        "0".to_owned()
    } else {
        format!("{n} ({:.0}%)", n as f64 * 100.0 / failed as f64)
    }
}

/// The failed requests of each variant that had any, by reason (SPEC §2: a timeout, overload
/// — a full queue or a deadline that expired in it —, a region unreachable, no region to
/// ask, an error answer), so that a low availability in the summary table says where it came from. Empty when
/// every request of every variant succeeded.
pub fn render_failures(r: &ExperimentResult) -> String {
    let rows: Vec<Vec<String>> = r
        .variants
        .iter()
        .filter(|v| v.overall.failed > 0)
        .map(|v| {
            let o = &v.overall;
            let cell = |n: u64| failed_share(n, o.failed);
            vec![
                v.variant.clone(),
                o.failed.to_string(),
                cell(o.failed_timeout),
                cell(o.failed_overload),
                cell(o.failed_unreachable),
                cell(o.failed_no_region),
                cell(o.failed_error),
            ]
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let header = [
        "variant",
        "failed",
        "timeout",
        "overload",
        "unreachable",
        "no region",
        "error",
    ];
    format!(
        "failed requests by reason, after the warm-up\n{}",
        aligned(&header, &rows, 1)
    )
}

/// Whether any variant replicates data or lost writes at a failover: its data-layer figures
/// are then printed after the summary table.
pub fn has_data(r: &ExperimentResult) -> bool {
    r.variants
        .iter()
        .any(|v| v.data.replications_applied > 0 || v.data.lost_at_failover > 0)
}

/// The data layer per variant (SPEC §3): what was written, what conflicted and was lost, how
/// stale reads were, and how long replication took to converge after the last fault.
pub fn render_data(r: &ExperimentResult) -> String {
    // Convergence is timed from the last fault's end: without one, no column for it.
    let converges = r.variants.iter().any(|v| v.data.convergence_s.is_some());
    let header = [
        "variant",
        "writes",
        "conflicts",
        "lost updates",
        "wrong winners",
        "lost at failover",
        "stale reads %",
        "staleness p99 s",
        "ryw violations",
        "converged s",
    ];
    let rows: Vec<Vec<String>> = r
        .variants
        .iter()
        .map(|v| {
            let d = &v.data;
            let mut row = vec![
                v.variant.clone(),
                d.writes.to_string(),
                d.conflicts.to_string(),
                d.lost_updates.to_string(),
                d.wrong_winners.to_string(),
                d.lost_at_failover.to_string(),
                d.stale_read_ratio
                    .map_or_else(|| "-".into(), |x| format!("{:.3}", x * 100.0)),
                if d.staleness.count == 0 {
                    "-".into()
                } else {
                    format!("{:.3}", d.staleness.p99_ms / 1e3)
                },
                d.read_your_writes_violations.to_string(),
            ];
            if converges {
                row.push(
                    d.convergence_s
                        .map_or_else(|| "-".into(), |c| format!("{c:.3}")),
                );
            }
            row
        })
        .collect();
    let mut out = String::from(if converges {
        "data layer, after the warm-up (converged: from the last fault's end until its backlog was applied everywhere)\n"
    } else {
        "data layer, after the warm-up\n"
    });
    let columns = if converges {
        &header[..]
    } else {
        &header[..header.len() - 1]
    };
    out.push_str(&aligned(columns, &rows, 1));
    out.push_str(&render_data_by_population(r));
    out
}

/// Stale reads per population (the reader's), when some population had any and there are two
/// populations or more: who sees the stale data (data.csv has the counts and staleness). Columns
/// are every population of any variant, in order of first appearance, matched by name (a
/// variant may override the populations); `-` where a variant has no such population or it
/// read nothing.
fn render_data_by_population(r: &ExperimentResult) -> String {
    let mut pops: Vec<&str> = vec![];
    for v in &r.variants {
        for p in &v.data.by_population {
            if !pops.contains(&p.population.as_str()) {
                pops.push(&p.population);
            }
        }
    }
    let any_stale = r
        .variants
        .iter()
        .any(|v| v.data.by_population.iter().any(|p| p.stale_reads > 0));
    if pops.len() < 2 || !any_stale {
        return String::new();
    }
    let mut header = vec!["variant"];
    header.extend(&pops);
    let rows: Vec<Vec<String>> = r
        .variants
        .iter()
        .map(|v| {
            let mut row = vec![v.variant.clone()];
            row.extend(pops.iter().map(|name| {
                v.data
                    .by_population
                    .iter()
                    .find(|p| p.population == *name)
                    .and_then(|p| p.stale_read_ratio)
                    .map_or_else(|| "-".into(), |x| format!("{:.3}", x * 100.0))
            }));
            row
        })
        .collect();
    let mut out = String::from("\nstale reads % by population of the reader\n");
    out.push_str(&aligned(&header, &rows, 1));
    out
}

/// Rows under a header, columns aligned; columns from `right_from` on are right-aligned.
fn aligned(header: &[&str], rows: &[Vec<String>], right_from: usize) -> String {
    let mut w: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        for (i, c) in cells.iter().enumerate() {
            let pad = " ".repeat(w[i] - c.chars().count());
            if i >= right_from {
                let _ = write!(out, "{pad}{c}");
            } else {
                let _ = write!(out, "{c}{pad}");
            }
            out.push_str(if i + 1 < cells.len() { "  " } else { "\n" });
        }
    };
    line(header.to_vec());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
    out
}

/// `mean ± half-width` with `digits` decimals (× `scale`), or the mean alone with one seed.
fn pm(e: Option<&crate::stats::Estimate>, scale: f64, digits: usize) -> String {
    e.map_or_else(|| "-".into(), |e| e.show(scale, digits))
}

/// Across-seed statistics for the terminal: mean ± 95% CI per case, paired differences
/// against the first variant, and what each swept parameter moved. Empty for a single run
/// of a single case per variant without a sweep (the summary table says it all).
pub fn render_stats(exp: &crate::model::Experiment, s: &crate::stats::Report) -> String {
    let repeated = s.cases.iter().any(|c| c.seeds > 1);
    if !repeated && exp.sweep.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let seeds: Vec<u32> = s.cases.iter().map(|c| c.seeds).collect();
    let (lo, hi) = (
        seeds.iter().min().copied().unwrap_or(1),
        seeds.iter().max().copied().unwrap_or(1),
    );
    let n = if lo == hi {
        format!("{lo}")
    } else {
        format!("{lo}–{hi}")
    };
    let _ = writeln!(
        out,
        "Across {n} seed(s) per case: mean ± 95% confidence half-width (Student t)"
    );
    let data = s
        .cases
        .iter()
        .any(|c| c.get("lost_at_failover").is_some() || c.get("lost_updates").is_some());
    let mut header = vec!["case", "seeds", "avail %", "p50 ms", "p99 ms"];
    if data {
        header.extend(["lost at failover", "lost updates", "stale reads %"]);
    }
    let rows: Vec<Vec<String>> = s
        .cases
        .iter()
        .map(|c| {
            let mut r = vec![
                c.case.clone(),
                c.seeds.to_string(),
                pm(c.get("availability"), 100.0, 3),
                pm(c.get("p50_ms"), 1.0, 1),
                pm(c.get("p99_ms"), 1.0, 1),
            ];
            if data {
                r.push(pm(c.get("lost_at_failover"), 1.0, 1));
                r.push(pm(c.get("lost_updates"), 1.0, 1));
                r.push(pm(c.get("stale_read_ratio"), 100.0, 2));
            }
            r
        })
        .collect();
    out.push_str(&aligned(&header, &rows, 1));
    if let Some(t) = &exp.target_ci {
        let missed: Vec<String> = s
            .cases
            .iter()
            .filter_map(|c| {
                let e = c.get(&t.metric);
                let hw = e.and_then(|e| e.ci95);
                // As the runner judges it: a zero-width interval from fewer than five runs is
                // no evidence (runner::next_seeds).
                let judged = e.is_some_and(|e| !(e.ci95 == Some(0.0) && e.n < 5));
                (!judged || hw.is_none_or(|h| h > t.half_width)).then(|| {
                    format!(
                        "{} (± {}, {} seeds)",
                        c.case,
                        hw.map_or_else(|| "-".into(), |h| format!("{h:.4}")),
                        c.seeds
                    )
                })
            })
            .collect();
        // Ratios are targeted as fractions but shown as percentages in the table above.
        let target = if RATIO_METRICS.contains(&t.metric.as_str()) {
            format!(
                "{} ± {} (± {} percentage points)",
                t.metric,
                t.half_width,
                t.half_width * 100.0
            )
        } else {
            format!("{} ± {}", t.metric, t.half_width)
        };
        if missed.is_empty() {
            let _ = writeln!(out, "CI target {target} met in every case.");
        } else {
            let _ = writeln!(
                out,
                "CI target {target} MISSED in {} of {} case(s), at most {} seeds each: {}",
                missed.len(),
                s.cases.len(),
                t.max_seeds,
                missed.join("; ")
            );
        }
    }
    let shown = ["availability", "p99_ms"];
    let pairs: Vec<&crate::stats::Paired> = s
        .paired
        .iter()
        .filter(|p| shown.contains(&p.metric.as_str()) && p.difference.ci95.is_some())
        .collect();
    if !pairs.is_empty() {
        let _ = writeln!(
            out,
            "\nPaired differences (same seeds: common random numbers), case − baseline"
        );
        let rows: Vec<Vec<String>> = pairs
            .iter()
            .map(|p| {
                let scale = if p.metric == "availability" {
                    100.0
                } else {
                    1.0
                };
                let unit = if p.metric == "availability" {
                    " pp"
                } else {
                    " ms"
                };
                vec![
                    p.case.clone(),
                    p.baseline.clone(),
                    p.metric.clone(),
                    format!("{}{unit}", pm(Some(&p.difference), scale, 3)),
                    if p.significant { "yes" } else { "no" }.into(),
                ]
            })
            .collect();
        out.push_str(&aligned(
            &["case", "baseline", "metric", "difference", "significant"],
            &rows,
            3,
        ));
    }
    if !exp.sweep.is_empty() {
        let _ = writeln!(out, "\nWhat mattered (effect of each swept parameter)");
        if s.sensitivity.iter().any(|x| x.uncertainty.is_none()) {
            let _ = writeln!(
                out,
                "  note: one seed, so no confidence interval: every effect that is not zero counts as measurable; run with --seeds 5 or more to tell effects from noise"
            );
        }
        let quiet = s.no_effect();
        for (variant, param) in &quiet {
            let _ = writeln!(
                out,
                "  note: `{param}` had no measurable effect on any headline metric ({variant})"
            );
        }
        let rows: Vec<Vec<String>> = s
            .sensitivity
            .iter()
            .filter(|x| {
                x.measurable
                    && [
                        "availability",
                        "p99_ms",
                        "lost_at_failover",
                        "lost_updates",
                        "max_rto_s",
                        "unrecovered_faults",
                        "stale_read_ratio",
                    ]
                    .contains(&x.metric.as_str())
            })
            .map(|x| {
                // In the units of the other tables: shares in %, latency in ms, RTO in s.
                let value = |v: f64| match x.metric.as_str() {
                    m if RATIO_METRICS.contains(&m) => format!("{:.3}%", v * 100.0),
                    "p99_ms" => format!("{v:.1} ms"),
                    "max_rto_s" => format!("{v:.1} s"),
                    _ => format!("{v:.1}"),
                };
                vec![
                    x.variant.clone(),
                    x.parameter.clone(),
                    x.metric.clone(),
                    format!("{} at {}", value(x.lowest), x.lowest_at),
                    format!("{} at {}", value(x.highest), x.highest_at),
                ]
            })
            .collect();
        if !rows.is_empty() {
            out.push_str(&aligned(
                &["variant", "parameter", "metric", "lowest", "highest"],
                &rows,
                5,
            ));
        } else if s.sensitivity.is_empty() {
            // A parameter swept over one value has no effect to measure.
            let _ = writeln!(
                out,
                "  nothing to compare: no swept parameter took two values in a variant"
            );
        } else if quiet.is_empty() {
            let _ = writeln!(
                out,
                "  no measurable effect on the metrics shown here; every metric is in sensitivity.csv"
            );
        }
    }
    out
}

/// A latency cell: `-` when no request succeeded, rather than a 0.0 that reads as instant.
fn ms(count: u64, v: f64) -> String {
    if count == 0 {
        "-".into()
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::{ms, paint};

    #[test]
    fn availability_is_coloured_by_threshold_and_plain_without_colour() {
        let row = |a: &str| -> Vec<String> {
            ["v", "p", "-", "1", a, "1", "1", "1"]
                .iter()
                .map(|s| s.to_string())
                .collect()
        };
        assert_eq!(
            paint("99.950", 4, &row("99.950"), true),
            "\x1b[32m99.950\x1b[0m"
        );
        assert_eq!(
            paint("99.500", 4, &row("99.500"), true),
            "\x1b[33m99.500\x1b[0m"
        );
        assert_eq!(
            paint("80.000", 4, &row("80.000"), true),
            "\x1b[31m80.000\x1b[0m"
        );
        assert_eq!(paint("-", 4, &row("-"), true), "-");
        assert_eq!(paint("v", 0, &row("1"), true), "\x1b[1mv\x1b[0m");
        assert_eq!(paint("80.000", 4, &row("80.000"), false), "80.000");
    }

    #[test]
    fn latency_reads_as_a_dash_when_nothing_succeeded() {
        assert_eq!(ms(0, 0.0), "-");
        assert_eq!(ms(3, 12.34), "12.3");
    }
}
