//! Runs an experiment's cases × replications in parallel with rayon, in a deterministic order;
//! keeps every finished run as a record so an interrupted sweep resumes, and shards split the
//! work across machines (SPEC §4).
//!
//! Run seeds depend on the master seed and the replication only — never on the case, the
//! thread or the shard — so cases share their arrival, workload, fault and service streams
//! (common random numbers, SPEC §4) and results are identical for any thread count. The
//! results are assembled from run records sorted by (case, replication), whatever order they
//! finished in, so a single run, a resumed run and merged shards write the same bytes.

use crate::model::Experiment;
use crate::results::{ExperimentResult, TimelineRow, VariantResult, write_atomic};
use crate::rng::derive_seed;
use crate::sim::{SimError, run_scenario_until};
use crate::stats::{Estimate, headline, t975};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Wall-clock figures of a run (reported on the terminal, never written to results).
#[derive(Debug, Clone, Copy, Default)]
pub struct Speed {
    pub wall: Duration,
    pub events: u64,
    pub requests: u64,
    /// Runs simulated now (not reused from records).
    pub simulated: u64,
    /// Runs reused from records (`--resume`).
    pub reused: u64,
    /// Of `simulated`, runs whose record was there under `--resume` but not reused: written by
    /// another regionsim version or for another master seed.
    pub replaced: u64,
}

/// Where a run's record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// Read back from its record (`--resume`).
    Reused,
    /// Simulated now; `replaced`: a record was there but did not match.
    Simulated { replaced: bool },
}

impl Speed {
    /// Simulated events per wall-clock second.
    pub fn events_per_s(&self) -> f64 {
        self.events as f64 / self.wall.as_secs_f64().max(1e-9)
    }
    /// Simulated requests per wall-clock second.
    pub fn requests_per_s(&self) -> f64 {
        self.requests as f64 / self.wall.as_secs_f64().max(1e-9)
    }
}

/// The seed of replication `rep` under `master`.
pub fn run_seed(master: u64, rep: u32) -> u64 {
    derive_seed(master, &format!("replication/{rep}"))
}

/// Total simulated nanoseconds the experiment's first `seeds` replications cover (progress).
pub fn total_work(exp: &Experiment) -> u64 {
    exp.variants.iter().map(|(_, s)| s.duration).sum::<u64>() * exp.seeds as u64
}

/// Version of the run-record format; records of another version are not reused. Raised also
/// when what a run computes changes under the same inputs (3: overload for attempts timed out
/// in a queue, quorum egress, per-population data figures; 4: counter and set lost updates
/// after the warm-up only; 5: writes kept from a primary outside the allowed regions counted
/// apart; 6: every pair of concurrent writes a conflict; 7: writes kept by residency left
/// out of pairs; 8: replication lag spent at the target by default, staleness ages from the
/// oldest missed version, counter losses against the primary's lineage; 9: a planned failback
/// waits until the demoted primary is healthy and reachable; 10: and until it lags by at most
/// `max_lag_ms`; 11: not for writes residency keeps from it; 12: `max_lag_ms` bounds the
/// foreseen drain, from the due times of the writes on their way; 13: a drain gives way to a
/// write that would take longer; 14: failovers not done by the end of the run recorded; 15:
/// every failover's fenced range remembered, not only the latest; 16: read-your-writes and
/// sessions over each user's last four keys, not their last write only; 17: a demoted
/// primary at standby capacity, and a read of a version that beat a later one on a skewed
/// clock is stale), so `--resume` does not mix runs of two models. Since records name the
/// build that wrote them (`build`), a record of another build is not reused either; the format
/// now guards the record's own layout.
const RECORD_FORMAT: u32 = 17;

/// One finished run, stored as `runs/<case>-<digest>-r<rep>.json` (SPEC §4: an interrupted
/// sweep loses no finished point). Replication 0 carries the whole result (summary, timeline,
/// faults); the others carry their headline metrics, which is all the statistics need.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord {
    pub format: u32,
    /// The source digest of the build that ran it ([`crate::SOURCE`]); empty in records
    /// written before builds were named, which are never reused.
    #[serde(default)]
    pub build: String,
    pub experiment: String,
    pub case: String,
    pub case_index: usize,
    pub digest: String,
    pub rep: u32,
    pub seed: u64,
    pub events: u64,
    /// The run's event trace digest (engine docs).
    pub event_trace: u64,
    pub requests: u64,
    pub metrics: Vec<(String, Option<f64>)>,
    pub result: Option<VariantResult>,
    pub timeline: Vec<TimelineRow>,
}

impl RunRecord {
    /// The record's file name: case index, digest prefix and replication.
    pub fn file_name(case_index: usize, digest: &str, rep: u32) -> String {
        format!(
            "c{case_index:04}-{}-r{rep:05}.json",
            &digest[..digest.len().min(16)]
        )
    }

    /// Whether `name` is a record file of run (case, rep), whatever its inputs' digest.
    pub fn is_file_of(name: &str, case_index: usize, rep: u32) -> bool {
        name.starts_with(&format!("c{case_index:04}-"))
            && name.ends_with(&format!("-r{rep:05}.json"))
    }

    /// Whether the record is the run (case, rep) of `exp` now asks for.
    fn matches(&self, exp: &Experiment, case: usize, rep: u32) -> bool {
        self.is_run_of(exp, case, rep)
            && self.seed == run_seed(exp.seed, rep)
            && (rep > 0 || self.result.is_some())
    }

    /// Whether the record is the run (case, rep) of `exp` under whatever master seed.
    fn is_run_of(&self, exp: &Experiment, case: usize, rep: u32) -> bool {
        self.build == crate::SOURCE && self.is_run_of_some_build(exp, case, rep)
    }

    /// Whether the record is the run (case, rep) of `exp`, by whichever build of regionsim.
    fn is_run_of_some_build(&self, exp: &Experiment, case: usize, rep: u32) -> bool {
        self.format == RECORD_FORMAT
            && self.experiment == exp.name
            && self.case_index == case
            && self.digest == exp.cases[case].digest
            && self.case == exp.variants[case].0
            && self.rep == rep
    }
}

/// A slice of the work: runs whose index in (case, replication) order is `index` mod `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

/// How to run: where records go, whether to reuse them, which slice, how many seeds.
#[derive(Default)]
pub struct RunOptions<'a> {
    /// Directory for run records (`None`: keep nothing on disk).
    pub records: Option<PathBuf>,
    /// Reuse matching records found in `records`.
    pub resume: bool,
    pub shard: Option<Shard>,
    /// Advanced in simulated nanoseconds.
    pub progress: Option<&'a AtomicU64>,
    /// Set to stop: runs in progress are dropped, finished ones are kept.
    pub cancel: Option<&'a AtomicBool>,
    /// Runs finished so far (simulated or reused).
    pub finished: Option<&'a AtomicU64>,
}

/// Errors of a run: a simulation invariant broke, or records could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Sim(#[from] SimError),
    /// The I/O error is this error's `source`, printed after it by `{:#}`.
    #[error("cannot write the run record {path}")]
    Record {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "a CI target (`target_ci` in the file, or `--target-ci`) chooses seeds from results as they come; it cannot be split into shards"
    )]
    ShardedTarget,
}

impl RunError {
    /// True when the command line asked for something that cannot be done (bad input, exit 2).
    pub fn is_input(&self) -> bool {
        matches!(self, RunError::ShardedTarget)
    }
}

/// What a run ended with.
pub enum Outcome {
    /// Every run of the plan finished: the assembled results.
    Done(Box<Assembled>, Speed),
    /// A shard's runs finished (records written; `regionsim merge` assembles them).
    ShardDone { runs: usize, speed: Speed },
    /// Stopped by `cancel`: `finished` of `planned` runs are kept.
    Stopped {
        finished: usize,
        planned: usize,
        speed: Speed,
    },
}

/// Results assembled from every run record: the detailed results of replication 0 of each
/// case, and the statistics across replications.
pub struct Assembled {
    pub result: ExperimentResult,
    pub stats: crate::stats::Report,
    /// (case, replication, seed, headline metrics) of every run, in (case, replication) order.
    pub runs: Vec<RunRecord>,
}

/// Simulates every case once per replication, in memory, and assembles the results.
pub fn run_experiment(
    exp: &Experiment,
    progress: Option<&AtomicU64>,
) -> Result<(ExperimentResult, Speed), RunError> {
    let opts = RunOptions {
        progress,
        ..Default::default()
    };
    match run(exp, &opts)? {
        Outcome::Done(a, speed) => Ok((a.result, speed)),
        Outcome::ShardDone { .. } | Outcome::Stopped { .. } => {
            unreachable!("no shard and no cancel flag")
        }
    }
}

/// Runs the plan of `exp` under `opts`: the first `seeds` replications of every case, then,
/// with a CI target, more replications for the cases whose interval is still too wide.
pub fn run(exp: &Experiment, opts: &RunOptions) -> Result<Outcome, RunError> {
    let start = Instant::now();
    if opts.shard.is_some() && exp.target_ci.is_some() {
        return Err(RunError::ShardedTarget);
    }
    let mut speed = Speed::default();
    let mut records: Vec<RunRecord> = vec![];
    let mut reps = vec![exp.seeds; exp.variants.len()];
    let mut done = vec![0u32; exp.variants.len()];
    loop {
        let mut items: Vec<(usize, u32)> = vec![];
        for (case, &n) in reps.iter().enumerate() {
            for rep in done[case]..n {
                items.push((case, rep));
            }
        }
        if let Some(s) = opts.shard {
            items = items
                .into_iter()
                .enumerate()
                .filter(|(i, _)| *i as u64 % s.count as u64 == s.index as u64)
                .map(|(_, it)| it)
                .collect();
        }
        let planned = items.len();
        let outs: Vec<Result<Option<(RunRecord, Origin)>, RunError>> = items
            .par_iter()
            .map(|&(case, rep)| one_run(exp, case, rep, opts))
            .collect();
        let mut stopped = false;
        for o in outs {
            match o? {
                Some((r, origin)) => {
                    match origin {
                        Origin::Reused => speed.reused += 1,
                        Origin::Simulated { replaced } => {
                            speed.simulated += 1;
                            speed.replaced += u64::from(replaced);
                            speed.events += r.events;
                            speed.requests += r.requests;
                        }
                    }
                    records.push(r);
                }
                None => stopped = true,
            }
        }
        speed.wall = start.elapsed();
        if stopped {
            let finished = records.len();
            return Ok(Outcome::Stopped {
                finished,
                planned: finished.max(planned),
                speed,
            });
        }
        if opts.shard.is_some() {
            return Ok(Outcome::ShardDone {
                runs: records.len(),
                speed,
            });
        }
        done.clone_from(&reps);
        let Some(target) = &exp.target_ci else { break };
        records.sort_by_key(|r| (r.case_index, r.rep));
        let mut more = false;
        for (case, n) in reps.iter_mut().enumerate() {
            let runs: Vec<&crate::stats::Metrics> = records
                .iter()
                .filter(|r| r.case_index == case)
                .map(|r| r.metrics.as_slice())
                .collect();
            let xs = crate::stats::values(&runs, &target.metric);
            let next = next_seeds(&xs, *n, target.half_width, target.max_seeds);
            if next > *n {
                *n = next;
                more = true;
            }
        }
        if !more {
            break;
        }
    }
    records.sort_by_key(|r| (r.case_index, r.rep));
    let a = assemble(exp, records);
    speed.wall = start.elapsed();
    Ok(Outcome::Done(Box::new(a), speed))
}

/// Replications a case needs next for a CI half-width of `target` on `xs` (its values so far,
/// from `n` runs): the sample-size estimate `(t·sd/target)²`, at least one more and at most
/// double, capped at `max`; `n` itself when the target is met, or cannot be judged (the
/// metric was never measured), or `max` is reached.
pub fn next_seeds(xs: &[f64], n: u32, target: f64, max: u32) -> u32 {
    if n >= max || xs.is_empty() {
        return n;
    }
    let Some(e) = Estimate::of(xs) else { return n };
    let Some(hw) = e.ci95 else {
        return 2.max(n).min(max);
    };
    // A zero-width interval from a handful of runs is no evidence: percentiles come from
    // histogram buckets, so two or three runs can land on one value by chance.
    if hw == 0.0 && xs.len() < 5 {
        return (n + 1).max(5.min(n.saturating_mul(2))).min(max);
    }
    if hw <= target {
        return n;
    }
    let sd = e.sd.unwrap_or(0.0);
    let need = (t975(xs.len().saturating_sub(1).max(1)) * sd / target)
        .powi(2)
        .ceil();
    let need = if need.is_finite() {
        need.min(u32::MAX as f64) as u32
    } else {
        max
    };
    need.clamp(n + 1, n.saturating_mul(2)).min(max)
}

/// One run: reused from its record when resuming, else simulated and recorded. `None` when
/// stopped by the cancel flag.
fn one_run(
    exp: &Experiment,
    case: usize,
    rep: u32,
    opts: &RunOptions,
) -> Result<Option<(RunRecord, Origin)>, RunError> {
    let (name, sc) = &exp.variants[case];
    let digest = &exp.cases[case].digest;
    let seed = run_seed(exp.seed, rep);
    let path = opts
        .records
        .as_ref()
        .map(|d| d.join(RunRecord::file_name(case, digest, rep)));
    let mut replaced = false;
    if opts.resume
        && let Some(p) = &path
        && p.exists()
    {
        match read_record(p) {
            Some(r) if r.matches(exp, case, rep) => {
                if let Some(pr) = opts.progress {
                    pr.fetch_add(sc.duration, Ordering::Relaxed);
                }
                if let Some(f) = opts.finished {
                    f.fetch_add(1, Ordering::Relaxed);
                }
                return Ok(Some((r, Origin::Reused)));
            }
            _ => replaced = true,
        }
    }
    if opts.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
        return Ok(None);
    }
    let out = match run_scenario_until(sc, seed, opts.progress, opts.cancel) {
        Ok(o) => o,
        Err(SimError::Cancelled) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut v = VariantResult::build(name, sc, seed, &out);
    v.overrides = exp.cases[case].overrides.iter().cloned().collect();
    let metrics = headline(&v);
    let timeline = if rep == 0 {
        std::mem::take(&mut v.timeline)
    } else {
        vec![]
    };
    let record = RunRecord {
        format: RECORD_FORMAT,
        build: crate::SOURCE.to_string(),
        experiment: exp.name.clone(),
        case: name.clone(),
        case_index: case,
        digest: digest.clone(),
        rep,
        seed,
        events: out.events,
        event_trace: out.trace,
        requests: out.counts.issued,
        metrics,
        result: (rep == 0).then_some(v),
        timeline,
    };
    if let Some(p) = &path {
        let bytes = serde_json::to_vec(&record).expect("run records serialise");
        write_atomic(p, &bytes).map_err(|source| RunError::Record {
            path: p.clone(),
            source,
        })?;
    }
    if let Some(f) = opts.finished {
        f.fetch_add(1, Ordering::Relaxed);
    }
    Ok(Some((record, Origin::Simulated { replaced })))
}

/// A record file, if it exists and reads; anything else (missing, torn, older format) is
/// simply not reused.
pub fn read_record(path: &Path) -> Option<RunRecord> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Why shard outputs cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error(
        "{missing} of {planned} runs are missing from the shard directories (first: case `{first_case}`, replication {first_rep}); run every shard `--shard K/N` for K = 0..N-1 first"
    )]
    Missing {
        missing: usize,
        planned: usize,
        first_case: String,
        first_rep: u32,
    },
    /// The I/O error is this error's `source`, printed after it by `{:#}`.
    #[error("cannot copy run records into {path}")]
    Copy {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`--target-ci` experiments choose seeds as they run and cannot be merged from shards")]
    Target,
    #[error(
        "the shards ran case `{case}`, replication {rep} under another master seed: pass merge the `--seed` the shards ran with"
    )]
    OtherSeed { case: String, rep: u32 },
    #[error(
        "the shards ran more than {seeds} replication(s) per case: pass merge the `--seeds` the shards ran with"
    )]
    MoreSeeds { seeds: u32 },
    #[error(
        "the shards ran case `{case}` from other inputs (its records are there under another digest): the experiment, its topology or a file they read changed since the shards ran; rerun the shards, or merge with the files they ran"
    )]
    OtherInputs { case: String },
    #[error(
        "the shards ran case `{case}`, replication {rep} with another build of regionsim (source {theirs}; this is {ours}, see `regionsim --version`): rerun the shards with this build, or merge with the build that ran them"
    )]
    OtherBuild {
        case: String,
        rep: u32,
        theirs: String,
        ours: &'static str,
    },
    #[error(
        "the shards ran {ran} replication(s) per case, not {seeds}: every case has replications 0 to {last} and none after; pass merge the `--seeds {ran}` the shards ran with"
    )]
    FewerSeeds { ran: u32, seeds: u32, last: u32 },
    #[error("shard directory {path} does not exist (or is not a directory)")]
    NoShardDir { path: PathBuf },
    #[error(
        "shard directory {path} has no runs/ directory: give the --out directory of each `regionsim run --shard K/N`"
    )]
    NoRuns { path: PathBuf },
}

impl MergeError {
    /// True when the command line named something that is not there (bad input, exit 2).
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            MergeError::NoShardDir { .. }
                | MergeError::NoRuns { .. }
                | MergeError::Target
                | MergeError::OtherSeed { .. }
                | MergeError::MoreSeeds { .. }
                | MergeError::FewerSeeds { .. }
                | MergeError::OtherInputs { .. }
                | MergeError::OtherBuild { .. }
        )
    }
}

/// Combines the run records of shard output directories (each with a `runs/` directory) into
/// the results of the whole plan, copying the records into `into` (so `--resume` works there).
/// Nothing is written unless every planned run is found.
pub fn merge(exp: &Experiment, dirs: &[PathBuf], into: &Path) -> Result<Assembled, MergeError> {
    let records = collect_shards(exp, dirs)?;
    store_records(&records, into)?;
    Ok(assemble(exp, records))
}

/// Reads the run record of every planned (case, replication) from the shard directories'
/// `runs/`, writing nothing: an error names a directory that is not a shard's, or counts
/// the runs that none of them holds.
pub fn collect_shards(exp: &Experiment, dirs: &[PathBuf]) -> Result<Vec<RunRecord>, MergeError> {
    if exp.target_ci.is_some() {
        return Err(MergeError::Target);
    }
    for d in dirs {
        if !d.is_dir() {
            return Err(MergeError::NoShardDir { path: d.clone() });
        }
        if !d.join("runs").is_dir() {
            return Err(MergeError::NoRuns { path: d.clone() });
        }
    }
    // The record of (case, rep) in some shard directory that `ok` accepts.
    let find = |case: usize, rep: u32, ok: &dyn Fn(&RunRecord) -> bool| {
        let name = RunRecord::file_name(case, &exp.cases[case].digest, rep);
        dirs.iter()
            .filter_map(|d| read_record(&d.join("runs").join(&name)))
            .find(|r| ok(r))
    };
    let mut records = vec![];
    let mut missing = vec![];
    for case in 0..exp.variants.len() {
        for rep in 0..exp.seeds {
            match find(case, rep, &|r| r.matches(exp, case, rep)) {
                Some(r) => records.push(r),
                None => missing.push((case, rep)),
            }
        }
    }
    // A run of another build is no run of this one: say so first, since the checks below
    // would read its records as missing.
    if let Some(&(case, rep)) = missing.first()
        && let Some(r) = find(case, rep, &|r| {
            r.build != crate::SOURCE && r.is_run_of_some_build(exp, case, rep)
        })
    {
        return Err(MergeError::OtherBuild {
            case: exp.variants[case].0.clone(),
            rep,
            theirs: if r.build.is_empty() {
                "not recorded".into()
            } else {
                r.build
            },
            ours: crate::SOURCE,
        });
    }
    // The record of (case, rep) in some shard directory, whatever its seed.
    let any_seed = |case: usize, rep: u32| find(case, rep, &|r| r.is_run_of(exp, case, rep));
    if let Some(&(case, rep)) = missing.first()
        && any_seed(case, rep).is_some()
    {
        return Err(MergeError::OtherSeed {
            case: exp.variants[case].0.clone(),
            rep,
        });
    }
    if missing.is_empty()
        && (0..exp.variants.len()).any(|c| {
            any_seed(c, exp.seeds).is_some_and(|r| r.seed == run_seed(exp.seed, exp.seeds))
        })
    {
        return Err(MergeError::MoreSeeds { seeds: exp.seeds });
    }
    // Every case holds its first `ran` replications and none after: run with fewer seeds.
    let ran = missing.iter().map(|&(_, r)| r).min().unwrap_or(exp.seeds);
    if ran > 0
        && ran < exp.seeds
        && missing.len() == exp.variants.len() * (exp.seeds - ran) as usize
        && missing.iter().all(|&(_, r)| r >= ran)
    {
        return Err(MergeError::FewerSeeds {
            ran,
            seeds: exp.seeds,
            last: ran - 1,
        });
    }
    if let Some(&(case, rep)) = missing.first() {
        // The same case and replication under another digest: the inputs changed.
        let ours = RunRecord::file_name(case, &exp.cases[case].digest, rep);
        let elsewhere = dirs.iter().any(|d| {
            std::fs::read_dir(d.join("runs")).is_ok_and(|entries| {
                entries.flatten().any(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    RunRecord::is_file_of(&n, case, rep) && n != ours
                })
            })
        });
        if elsewhere {
            return Err(MergeError::OtherInputs {
                case: exp.variants[case].0.clone(),
            });
        }
        return Err(MergeError::Missing {
            missing: missing.len(),
            planned: exp.variants.len() * exp.seeds as usize,
            first_case: exp.variants[case].0.clone(),
            first_rep: rep,
        });
    }
    Ok(records)
}

/// Copies run records into `into/runs/` (atomically, one file each).
pub fn store_records(records: &[RunRecord], into: &Path) -> Result<(), MergeError> {
    for r in records {
        let p = into
            .join("runs")
            .join(RunRecord::file_name(r.case_index, &r.digest, r.rep));
        let bytes = serde_json::to_vec(r).expect("run records serialise");
        write_atomic(&p, &bytes).map_err(|source| MergeError::Copy { path: p, source })?;
    }
    Ok(())
}

/// The results of finished runs sorted by (case, replication): replication 0's detailed
/// results per case, and statistics over all replications.
pub fn assemble(exp: &Experiment, mut records: Vec<RunRecord>) -> Assembled {
    records.sort_by_key(|r| (r.case_index, r.rep));
    let mut variants = vec![];
    for r in records.iter_mut().filter(|r| r.rep == 0) {
        if let Some(mut v) = r.result.take() {
            v.timeline = std::mem::take(&mut r.timeline);
            variants.push(v);
        }
    }
    let stats = crate::stats::Report::build(exp, &records);
    Assembled {
        result: ExperimentResult {
            experiment: exp.name.clone(),
            question: exp.question.clone(),
            seed: exp.seed,
            variants,
        },
        stats,
        runs: records,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_seeds_grows_toward_the_target_and_stops() {
        // Met: no more.
        assert_eq!(next_seeds(&[1.0, 1.1, 0.9], 3, 10.0, 64), 3);
        // Wide: sd 1, target 0.1 needs ~ (2.1/0.1)² ≈ 440: capped at double.
        let xs = [0.0, 1.0, 2.0, 1.0, 0.0, 2.0];
        assert_eq!(next_seeds(&xs, 6, 0.1, 64), 12);
        assert_eq!(next_seeds(&xs, 6, 0.1, 8), 8);
        // At the cap, or nothing measured: stays.
        assert_eq!(next_seeds(&xs, 64, 0.1, 64), 64);
        assert_eq!(next_seeds(&[], 4, 0.1, 64), 4);
        // One value: a second one first.
        assert_eq!(next_seeds(&[3.0], 1, 0.1, 64), 2);
        // Slightly wide: at least one more.
        let ys = [1.0, 1.2, 0.8, 1.1, 0.9];
        let e = Estimate::of(&ys).unwrap();
        let n = next_seeds(&ys, 5, e.ci95.unwrap() * 0.99, 64);
        assert!((6..=10).contains(&n), "{n}");
        // Two or three runs on one histogram bucket: a zero-width interval is no evidence,
        // so more runs, up to five; from five equal values on, the value is taken as settled.
        assert_eq!(next_seeds(&[147.8, 147.8], 2, 2.0, 64), 4);
        assert_eq!(next_seeds(&[147.8; 4], 4, 2.0, 64), 5);
        assert_eq!(next_seeds(&[147.8; 2], 2, 2.0, 3), 3);
        assert_eq!(next_seeds(&[147.8; 5], 5, 2.0, 64), 5);
    }
}
