//! Writing results: summary.csv, summary.json, timeline.csv, data.csv and manifest.json, each atomically.

use super::{ExperimentResult, ScopeSummary, VariantResult};
use crate::model::Experiment;
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, then a rename,
/// so a reader (or an interrupted run) never sees half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        // Nothing half-written stays behind (a full disk, a directory where the file goes).
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Removes the temporary files [`write_atomic`] left in `dir` when a process writing there
/// was killed (`.{name}.{pid}.tmp`, its pid no longer running), so a resumed or rerun
/// results directory holds only finished files. Where running processes cannot be listed
/// (no `/proc`), nothing is removed: another run may be writing there (shards can share a
/// directory). Returns how many were removed.
pub fn remove_stale_temporaries(dir: &Path) -> usize {
    let proc = Path::new("/proc");
    if !proc.is_dir() {
        return 0;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix('.')
            .and_then(|n| n.strip_suffix(".tmp"))
            .and_then(|n| n.rsplit_once('.'))
            .and_then(|(_, pid)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id()
            && !proc.join(pid.to_string()).exists()
            && std::fs::remove_file(e.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

fn f3(x: f64) -> String {
    format!("{x:.3}")
}
fn opt6(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.6}")).unwrap_or_default()
}
pub(super) fn opt3(x: Option<f64>) -> String {
    x.map(f3).unwrap_or_default()
}

/// Header of summary.csv.
pub const SUMMARY_HEADER: &str = "variant,scope,name,issued,ok,failed,failed_timeout,failed_overload,failed_unreachable,failed_no_region,failed_error,availability,time_availability,min_ms,p50_ms,p90_ms,p95_ms,p99_ms,p999_ms,max_ms,mean_ms,read_p50_ms,read_p99_ms,write_p50_ms,write_p99_ms,served_by";

fn summary_row(
    out: &mut String,
    v: &VariantResult,
    scope: &str,
    s: &ScopeSummary,
    served_by: &str,
) {
    // No successful request, no latency (SPEC §3): an empty cell, as in timeline.csv, not 0.
    let ms = |l: &crate::metrics::histogram::LatencySummary, v: f64| {
        if l.count == 0 { String::new() } else { f3(v) }
    };
    let _ = writeln!(
        out,
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
        v.variant,
        scope,
        s.name,
        s.issued,
        s.ok,
        s.failed,
        s.failed_timeout,
        s.failed_overload,
        s.failed_unreachable,
        s.failed_no_region,
        s.failed_error,
        opt6(s.availability),
        opt6(s.time_availability),
        ms(&s.all, s.all.min_ms),
        ms(&s.all, s.all.p50_ms),
        ms(&s.all, s.all.p90_ms),
        ms(&s.all, s.all.p95_ms),
        ms(&s.all, s.all.p99_ms),
        ms(&s.all, s.all.p999_ms),
        ms(&s.all, s.all.max_ms),
        ms(&s.all, s.all.mean_ms),
        ms(&s.reads, s.reads.p50_ms),
        ms(&s.reads, s.reads.p99_ms),
        ms(&s.writes, s.writes.p50_ms),
        ms(&s.writes, s.writes.p99_ms),
        served_by
    );
}

/// summary.csv: one row per variant × scope (overall, populations, regions).
pub fn summary_csv(r: &ExperimentResult) -> String {
    let mut out = String::from(SUMMARY_HEADER);
    out.push('\n');
    for v in &r.variants {
        summary_row(&mut out, v, "overall", &v.overall, "");
        for p in &v.populations {
            let served: Vec<String> = p
                .served_by
                .iter()
                .map(|s| format!("{}:{:.4}", s.region, s.share))
                .collect();
            summary_row(&mut out, v, "population", &p.scope, &served.join(" "));
        }
        for g in &v.regions {
            summary_row(&mut out, v, "region", &g.scope, "");
        }
    }
    out
}

/// Header of data.csv.
pub const DATA_HEADER: &str = "variant,scope,name,writes,conflicts,lost_updates,lost_to_conflicts,wrong_winners,lost_at_failover,reads,stale_reads,stale_read_ratio,staleness_p50_ms,staleness_p99_ms,read_your_writes_violations,convergence_s";

/// data.csv: the data layer (SPEC §3) per variant, overall and per population. Population rows
/// hold the read figures of that population's users (stale reads, their staleness and
/// read-your-writes violations); writes, conflicts, losses and convergence are overall only.
pub fn data_csv(r: &ExperimentResult) -> String {
    let mut out = String::from(DATA_HEADER);
    out.push('\n');
    let staleness = |s: &crate::metrics::LatencySummary| {
        if s.count == 0 {
            (String::new(), String::new())
        } else {
            (f3(s.p50_ms), f3(s.p99_ms))
        }
    };
    for v in &r.variants {
        let d = &v.data;
        let (p50, p99) = staleness(&d.staleness);
        let _ = writeln!(
            out,
            "{},overall,all,{},{},{},{},{},{},{},{},{},{},{},{},{}",
            v.variant,
            d.writes,
            d.conflicts,
            d.lost_updates,
            d.lost_to_conflicts,
            d.wrong_winners,
            d.lost_at_failover,
            d.reads,
            d.stale_reads,
            opt6(d.stale_read_ratio),
            p50,
            p99,
            d.read_your_writes_violations,
            opt3(d.convergence_s),
        );
        for p in &d.by_population {
            let (p50, p99) = staleness(&p.staleness);
            let _ = writeln!(
                out,
                "{},population,{},,,,,,,{},{},{},{},{},{},",
                v.variant,
                p.population,
                p.reads,
                p.stale_reads,
                opt6(p.stale_read_ratio),
                p50,
                p99,
                p.read_your_writes_violations,
            );
        }
    }
    out
}

/// timeline.csv: one row per variant × window × scope.
pub fn timeline_csv(r: &ExperimentResult) -> String {
    let mut out = String::from(
        "variant,window_start_s,warmup,scope,name,issued,ok,failed,failed_timeout,failed_overload,failed_unreachable,failed_no_region,failed_error,availability,p50_ms,p99_ms\n",
    );
    for v in &r.variants {
        for t in &v.timeline {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                v.variant,
                f3(t.window_start_s),
                t.warmup,
                t.scope,
                t.name,
                t.issued,
                t.ok,
                t.failed.iter().sum::<u64>(),
                t.failed[0],
                t.failed[1],
                t.failed[2],
                t.failed[3],
                t.failed[4],
                opt6(t.availability),
                opt3(t.p50_ms),
                opt3(t.p99_ms)
            );
        }
    }
    out
}

#[derive(Serialize)]
struct ManifestInput<'a> {
    path: &'a str,
    sha256: &'a str,
}

#[derive(Serialize)]
struct ManifestRun<'a> {
    variant: &'a str,
    seed: u64,
}

#[derive(Serialize)]
struct ManifestCase<'a> {
    case: &'a str,
    /// sha256 of everything the case depends on: `--resume` reuses its runs while it holds.
    digest: &'a str,
    replications: u32,
}

/// What anyone needs to rerun an experiment (SPEC §4).
#[derive(Serialize)]
struct Manifest<'a> {
    tool: &'static str,
    version: &'static str,
    /// The source digest of the build that wrote these results ([`crate::SOURCE`]).
    source: &'static str,
    experiment: &'a str,
    rerun: String,
    master_seed: u64,
    /// Replication r of every case runs under `derive(master_seed, "replication/r")`.
    replication_seeds: Vec<u64>,
    runs: Vec<ManifestRun<'a>>,
    cases: Vec<ManifestCase<'a>>,
    inputs: Vec<ManifestInput<'a>>,
    outputs: Vec<&'static str>,
}

/// Writes every result file into `dir`; returns the paths written (summary.csv first, then
/// summary.json).
pub fn write_results(
    dir: &Path,
    exp: &Experiment,
    r: &ExperimentResult,
    stats: &crate::stats::Report,
    runs: &[crate::runner::RunRecord],
    experiment_file: &str,
) -> std::io::Result<Vec<PathBuf>> {
    // manifest.json is written last: while the files are being replaced it is absent, so a
    // run killed in between leaves a directory that says it is incomplete rather than an
    // earlier run's manifest beside this run's files.
    match std::fs::remove_file(dir.join("manifest.json")) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut files: Vec<(&'static str, Vec<u8>)> = vec![
        ("summary.csv", summary_csv(r).into_bytes()),
        ("summary.json", to_json(r)),
        ("timeline.csv", timeline_csv(r).into_bytes()),
        ("faults.csv", super::faults_csv(r).into_bytes()),
        ("failovers.csv", super::failovers_csv(r).into_bytes()),
        ("t_visibility.csv", super::t_visibility_csv(r).into_bytes()),
        ("data.csv", data_csv(r).into_bytes()),
        ("stats.csv", stats.stats_csv().into_bytes()),
        ("stats.json", to_json(stats)),
        ("runs.csv", crate::stats::runs_csv(runs).into_bytes()),
    ];
    if super::has_cost(r) {
        files.push(("cost.csv", super::cost_csv(r).into_bytes()));
    }
    if !stats.paired.is_empty() {
        files.push(("paired.csv", stats.paired_csv().into_bytes()));
    }
    if !exp.sweep.is_empty() {
        files.push(("sensitivity.csv", stats.sensitivity_csv().into_bytes()));
    }
    let max_rep = runs.iter().map(|x| x.rep + 1).max().unwrap_or(1);
    let mut outputs: Vec<&'static str> = files.iter().map(|(n, _)| *n).collect();
    outputs.push("manifest.json");
    let manifest = Manifest {
        tool: "regionsim",
        version: env!("CARGO_PKG_VERSION"),
        source: crate::SOURCE,
        experiment: &exp.name,
        rerun: {
            let mut c = format!(
                "regionsim run {experiment_file} --seed {} --seeds {}",
                exp.seed, exp.seeds
            );
            if let Some(t) = &exp.target_ci {
                c.push_str(&format!(
                    " --target-ci {}={}:{}",
                    t.metric, t.half_width, t.max_seeds
                ));
            }
            c
        },
        master_seed: exp.seed,
        replication_seeds: (0..max_rep)
            .map(|k| crate::runner::run_seed(exp.seed, k))
            .collect(),
        runs: r
            .variants
            .iter()
            .map(|v| ManifestRun {
                variant: &v.variant,
                seed: v.seed,
            })
            .collect(),
        cases: exp
            .variants
            .iter()
            .zip(&exp.cases)
            .enumerate()
            .map(|(i, ((name, _), info))| ManifestCase {
                case: name,
                digest: &info.digest,
                replications: runs.iter().filter(|x| x.case_index == i).count() as u32,
            })
            .collect(),
        inputs: exp
            .inputs
            .iter()
            .map(|(p, d)| ManifestInput { path: p, sha256: d })
            .collect(),
        outputs,
    };
    files.push(("manifest.json", to_json(&manifest)));
    let mut written = vec![];
    for (name, bytes) in files {
        let p = dir.join(name);
        write_atomic(&p, &bytes)?;
        written.push(p);
    }
    // An earlier experiment's optional files that this one does not produce would be read
    // as its own.
    for name in OPTIONAL_OUTPUTS {
        let p = dir.join(name);
        if !written.contains(&p) && p.exists() {
            std::fs::remove_file(&p)?;
        }
    }
    Ok(written)
}

/// The result files only some experiments produce.
const OPTIONAL_OUTPUTS: [&str; 3] = ["cost.csv", "paired.csv", "sensitivity.csv"];

fn to_json<T: Serialize>(v: &T) -> Vec<u8> {
    let mut s = serde_json::to_vec_pretty(v).expect("results serialise");
    s.push(b'\n');
    s
}

#[cfg(test)]
mod tests {
    use super::{remove_stale_temporaries, write_atomic};

    #[test]
    fn a_dead_writers_temporary_files_are_removed_and_a_live_ones_kept() {
        let dir = std::env::temp_dir().join(format!("regionsim-stale-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // Pid 4 000 000 000 is above any Linux pid limit: never running.
        let dead = dir.join(".summary.csv.4000000000.tmp");
        let live = dir.join(format!(".summary.csv.{}.tmp", std::process::id()));
        let other = dir.join("summary.csv");
        for f in [&dead, &live, &other] {
            std::fs::write(f, b"x").unwrap();
        }
        let removed = remove_stale_temporaries(&dir);
        if std::path::Path::new("/proc").is_dir() {
            assert_eq!(removed, 1);
            assert!(!dead.exists());
        } else {
            assert_eq!(removed, 0);
        }
        assert!(live.exists() && other.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_failed_write_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("regionsim-atomic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        // The target is a non-empty directory: the rename fails.
        let target = dir.join("summary.csv");
        std::fs::create_dir_all(target.join("inside")).unwrap();
        assert!(write_atomic(&target, b"a,b\n").is_err());
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, vec!["summary.csv".to_owned()], "{left:?}");
        // And a good write is whole, with nothing else left.
        let ok = dir.join("ok.csv");
        write_atomic(&ok, b"x\n").unwrap();
        assert_eq!(std::fs::read(&ok).unwrap(), b"x\n");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
