//! Fault results as files and text: faults.csv, failovers.csv, and the fault lines of the
//! terminal summary (a fault that touched nothing is flagged, never silent).

use super::ExperimentResult;
use std::fmt::Write as _;

use super::write::opt3 as opt;

/// Header of faults.csv.
pub const FAULTS_HEADER: &str = "variant,fault,start_s,end_s,occurrences,active_s,touched,lost_in_region,refused,dropped,delayed,reduced_capacity_arrivals,probes_failed,messages_held,replication_delayed,writes_stamped,errors,slowed_arrivals,diverged_keys_at_heal,caught_up_after_s,drain_s,failed_requests,failed_until_recovery,availability_during,rto_s,recovered,no_effect,affected_populations";

/// faults.csv: one row per variant × fault.
pub fn faults_csv(r: &ExperimentResult) -> String {
    let mut out = String::from(FAULTS_HEADER);
    out.push('\n');
    for v in &r.variants {
        for f in &v.faults {
            let _ = writeln!(
                out,
                "{},\"{}\",{},{},{},{:.3},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                v.variant,
                f.fault,
                opt(f.start_s),
                opt(f.end_s),
                f.occurrences,
                f.active_s,
                f.touched,
                f.lost_in_region,
                f.refused,
                f.dropped,
                f.delayed,
                f.reduced_capacity_arrivals,
                f.probes_failed,
                f.messages_held,
                f.replication_delayed,
                f.writes_stamped,
                f.errors,
                f.slowed_arrivals,
                f.diverged_keys_at_heal
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                opt(f.caught_up_after_s),
                opt(f.drain_s),
                f.failed_requests,
                f.failed_until_recovery,
                f.availability_during
                    .map(|a| format!("{a:.6}"))
                    .unwrap_or_default(),
                opt(f.rto_s),
                f.recovered,
                f.no_effect,
                f.affected_populations.join(" "),
            );
        }
    }
    out
}

/// failovers.csv: one row per variant × failover (promotion or planned failback). A failover
/// that had not happened by the end of the run has no `promoted_s` and no `lost_writes`.
pub fn failovers_csv(r: &ExperimentResult) -> String {
    let mut out = String::from("variant,policy,from,to,triggered_s,promoted_s,lost_writes,rpo_s\n");
    for v in &r.variants {
        for f in &v.failovers {
            let _ = writeln!(
                out,
                "{},{},{},{},{:.3},{},{},{}",
                v.variant,
                f.policy,
                f.from,
                f.to.as_deref().unwrap_or(""),
                f.triggered_s,
                opt(f.promoted_s),
                f.promoted_s
                    .map(|_| f.lost_writes.to_string())
                    .unwrap_or_default(),
                opt(f.rpo_s)
            );
        }
    }
    out
}

/// t_visibility.csv: per variant and bin of t (ms since the newest acknowledged write to the
/// key), the reads and the share that saw that write.
pub fn t_visibility_csv(r: &ExperimentResult) -> String {
    let mut out = String::from("variant,t_from_ms,t_to_ms,reads,saw_write,p_visible\n");
    for v in &r.variants {
        for b in &v.data.t_visibility {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{}",
                v.variant,
                b.t_from_ms,
                b.t_to_ms.map(|x| x.to_string()).unwrap_or_default(),
                b.reads,
                b.saw_write,
                b.p_visible.map(|p| format!("{p:.6}")).unwrap_or_default()
            );
        }
    }
    out
}

/// Whether any variant replicates by `Quorum` (its t-visibility is then printed).
pub fn has_quorum(r: &ExperimentResult) -> bool {
    r.variants
        .iter()
        .any(|v| v.data.replication.starts_with("Quorum("))
}

/// The t-visibility table printed after the summary for `Quorum` variants: per bin of t (ms
/// from a write's commit to a read of its key), the share of reads that saw it, and how many
/// reads fell in the bin (PBS t-visibility, Bailis et al. 2012; an addition to SPEC §3).
pub fn render_t_visibility(r: &ExperimentResult) -> String {
    let vs: Vec<_> = r
        .variants
        .iter()
        .filter(|v| v.data.replication.starts_with("Quorum("))
        .collect();
    let mut out = String::from(
        "t-visibility: probability that a read issued t ms after a write commits sees it (reads)\n",
    );
    let Some(first) = vs.first() else {
        return out;
    };
    let bin = |b: &super::TVisibility| match b.t_to_ms {
        Some(to) => format!("{}-{}", b.t_from_ms, to),
        None => format!("{}+", b.t_from_ms),
    };
    let mut rows: Vec<Vec<String>> = vec![];
    let mut head = vec!["t ms".to_string()];
    head.extend(vs.iter().map(|v| v.variant.clone()));
    rows.push(head);
    for (i, b) in first.data.t_visibility.iter().enumerate() {
        if vs
            .iter()
            .all(|v| v.data.t_visibility.get(i).is_none_or(|b| b.reads == 0))
        {
            continue;
        }
        let mut row = vec![bin(b)];
        for v in &vs {
            row.push(match v.data.t_visibility.get(i) {
                Some(b) if b.reads > 0 => {
                    format!("{:.4} ({})", b.saw_write as f64 / b.reads as f64, b.reads)
                }
                _ => "-".into(),
            });
        }
        rows.push(row);
    }
    let cols = rows[0].len();
    let w: Vec<usize> = (0..cols)
        .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    for row in &rows {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, s)| {
                if c == 0 {
                    format!("{s:<width$}", width = w[c])
                } else {
                    format!("{s:>width$}", width = w[c])
                }
            })
            .collect();
        let _ = writeln!(out, "  {}", line.join("  ").trim_end());
    }
    let _ = writeln!(
        out,
        "  stale reads: {}",
        vs.iter()
            .map(|v| format!("{} {} of {}", v.variant, v.data.stale_reads, v.data.reads))
            .collect::<Vec<_>>()
            .join(", ")
    );
    out
}

/// Whether any variant has faults or failovers to report.
pub fn has_faults(r: &ExperimentResult) -> bool {
    r.variants
        .iter()
        .any(|v| !v.faults.is_empty() || !v.failovers.is_empty())
}

/// The note under a run's tables when every case ran one seed and faults were injected: what
/// a fault costs is one draw. It names only the figures this experiment reports: writes lost
/// at failover and RPO exist only where a failover happened (SPEC §3 RPO).
pub fn one_seed_note(r: &ExperimentResult) -> Option<String> {
    if !has_faults(r) {
        return None;
    }
    let failed_over = r.variants.iter().any(|v| !v.failovers.is_empty());
    let costs = if failed_over {
        "writes lost at failover, RPO, RTO"
    } else {
        "failed requests, RTO"
    };
    Some(format!(
        "one seed per case: what a fault costs ({costs}) varies from seed to seed; `--seeds 10` (or `seeds: 10` in the experiment) gives means with 95% confidence intervals"
    ))
}

/// What a fault's `touched` adds up, when it is more than one kind of thing: request
/// attempts, health probes and replication messages are counted together.
fn touched_parts(f: &super::FaultReport) -> String {
    let parts: Vec<String> = [
        (f.lost_in_region, "lost in the region"),
        (f.refused, "refused"),
        (f.dropped, "dropped"),
        (f.delayed, "delayed"),
        (f.reduced_capacity_arrivals, "arrivals at reduced capacity"),
        (f.probes_failed, "probes failed"),
        (f.messages_held, "replication messages held"),
        (f.replication_delayed, "replication delayed"),
        (f.writes_stamped, "writes stamped"),
        (f.errors, "answered with an error"),
        (f.slowed_arrivals, "arrivals while slowed"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if parts.len() > 1 {
        format!(" ({})", parts.join(", "))
    } else {
        parts
            .first()
            .map(|p| format!(" ({})", p.split_once(' ').map_or("", |x| x.1)))
            .unwrap_or_default()
    }
}

/// The length of `v`'s timeline windows in seconds, when it has two.
fn window_s(v: &super::VariantResult) -> Option<f64> {
    let first = v.timeline.first()?.window_start_s;
    v.timeline
        .iter()
        .map(|r| r.window_start_s)
        .find(|s| *s > first)
        .map(|s| s - first)
}

/// The fault lines printed after the summary table.
pub fn render_faults(r: &ExperimentResult) -> String {
    let mut out = String::new();
    for v in &r.variants {
        if v.faults.is_empty() && v.failovers.is_empty() {
            continue;
        }
        let closed = v
            .closed_form_availability
            .map(|c| format!(" (closed form, independent regions: {:.5}%)", c * 100.0))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{}: service up {:.5}% of the time{closed}",
            v.variant,
            v.service_up_fraction * 100.0
        );
        for f in &v.faults {
            if f.no_effect {
                let _ = writeln!(
                    out,
                    "  {}: NO EFFECT — it touched no request, message or probe",
                    f.fault
                );
                continue;
            }
            let rto = match (f.recovered, f.rto_s) {
                (false, _) => "not recovered".to_owned(),
                (true, Some(x)) if f.start_s.is_some() && x == 0.0 => {
                    "no window below the SLO".to_owned()
                }
                // SPEC §3 judges recovery by window: with windows longer than its default
                // 10 s, the RTO is a whole number of long windows, and says so.
                (true, Some(x)) if f.start_s.is_some() => match window_s(v) {
                    Some(w) if w > 10.0 => format!("RTO {x:.0} s (in {w:.0} s windows)"),
                    _ => format!("RTO {x:.0} s"),
                },
                _ => "RTO per occurrence not computed".to_owned(),
            };
            let drain = f
                .drain_s
                .map(|d| format!(", last attempt to it at +{d:.0} s"))
                .unwrap_or_default();
            let during = f
                .availability_during
                .map(|a| format!(", availability during {:.3}%", a * 100.0))
                .unwrap_or_default();
            let times = if f.occurrences > 1 {
                format!(" ×{} ({:.1} h down)", f.occurrences, f.active_s / 3600.0)
            } else {
                String::new()
            };
            let heal = match (f.diverged_keys_at_heal, f.caught_up_after_s) {
                (Some(k), Some(c)) => format!(
                    ", {} replication messages held, {k} keys diverged at heal, caught up {c:.1} s later",
                    f.messages_held
                ),
                (Some(k), None) => format!(
                    ", {} replication messages held, {k} keys diverged at heal, not caught up by the end",
                    f.messages_held
                ),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "  {}{times}: touched {}{}, {} failed requests, {rto}{during}{drain}{heal}",
                f.fault,
                f.touched,
                touched_parts(f),
                f.failed_requests
            );
        }
        // A request's failure belongs to at most one fault (the last that touched it): the
        // rest failed on their own, overloaded while a promoted standby scaled up, say.
        let owned: u64 = v.faults.iter().map(|f| f.failed_requests).sum();
        if !v.faults.is_empty() && v.overall.failed > owned {
            let _ = writeln!(
                out,
                "  {} more failed requests that no fault touched (overload or timeouts of their own: see failed requests by reason)",
                v.overall.failed - owned
            );
        }
        const SHOWN: usize = 4;
        if v.failovers.len() > SHOWN {
            let _ = writeln!(
                out,
                "  {} failovers (see failovers.csv); the first {SHOWN}:",
                v.failovers.len()
            );
        }
        for f in v.failovers.iter().take(SHOWN) {
            let Some(promoted_s) = f.promoted_s else {
                let _ = writeln!(
                    out,
                    "  failover ({}): {} triggered at {:.0} s, not done by the end of the run",
                    f.policy,
                    match &f.to {
                        Some(to) => format!("{} → {to}", f.from),
                        None => format!("from {}", f.from),
                    },
                    f.triggered_s,
                );
                continue;
            };
            match &f.to {
                Some(to) => {
                    let _ = writeln!(
                        out,
                        "  failover ({}): {} → {} at {:.0} s (triggered at {:.0} s), {} acknowledged writes lost{}",
                        f.policy,
                        f.from,
                        to,
                        promoted_s,
                        f.triggered_s,
                        f.lost_writes,
                        f.rpo_s
                            .map(|r| format!(", RPO {r:.1} s"))
                            .unwrap_or_default()
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        "  failover ({}) from {} at {:.0} s found no healthy standby",
                        f.policy, f.from, promoted_s
                    );
                }
            }
        }
    }
    out
}
