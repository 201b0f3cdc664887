//! The summary table printed after a run: per variant and population, who served it and how well.

use super::ExperimentResult;
use std::fmt::Write as _;

/// Renders the per-population summary as an aligned text table.
pub fn render_table(r: &ExperimentResult) -> String {
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
                format!("{:.1}", s.all.p50_ms),
                format!("{:.1}", s.all.p95_ms),
                format!("{:.1}", s.all.p99_ms),
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
    let line = |out: &mut String, cells: &[&str]| {
        for (i, c) in cells.iter().enumerate() {
            let pad = w[i] - c.chars().count();
            if i >= 3 {
                let _ = write!(out, "{}{}", " ".repeat(pad), c);
            } else {
                let _ = write!(out, "{}{}", c, " ".repeat(pad));
            }
            out.push_str(if i + 1 < cells.len() { "  " } else { "\n" });
        }
    };
    line(&mut out, &header);
    let mut last_variant = String::new();
    for row in &rows {
        if !last_variant.is_empty() && row[0] != last_variant {
            out.push('\n');
        }
        last_variant = row[0].clone();
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        line(&mut out, &cells);
    }
    out.push_str(&super::render_cost_table(r));
    out
}
