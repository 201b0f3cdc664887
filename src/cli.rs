//! The command line: `run`, `check` and `bench`, with `anyhow` context at this edge.

use crate::config::{self, Checked, ConfigError, Diagnostic};
use crate::model::TargetCi;
use crate::results::{
    has_data, has_faults, has_quorum, one_seed_note, render_data, render_faults,
    render_t_visibility, write_results,
};
use crate::runner::{self, Outcome, RunOptions, Shard, total_work};
use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// regionsim simulates global multi-region service topologies: every request, DNS lookup and
/// queue, deterministically, so you can compare designs on latency and availability.
///
/// Describe regions and links in a topology file (topologies/*.ron), users and the design in
/// an experiment file (experiments/*.ron), then:
///
///   regionsim run experiments/global-latency.ron
///
/// Results land in results/<experiment>/: summary.csv and summary.json; timeline.csv;
/// data.csv, faults.csv, failovers.csv and cost.csv where they apply; runs.csv, stats.csv,
/// paired.csv (and sensitivity.csv for sweeps) across seeds and cases; topology.json,
/// manifest.json, charts/*.svg and *.png, report.html (README, Outputs). The same files and
/// seed always give byte-identical results. `regionsim report results/<experiment>`
/// redraws the charts and the report from those files without simulating again.
#[derive(Parser, Debug)]
#[command(
    name = "regionsim",
    version = concat!(env!("CARGO_PKG_VERSION"), " (source ", env!("REGIONSIM_SOURCE"), ")"),
    about,
    long_about,
    verbatim_doc_comment
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Output format of the summary printed on stdout.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// An aligned table per variant and population.
    Table,
    /// summary.json's content.
    Json,
    /// summary.csv's content.
    Csv,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate an experiment and write its results.
    ///
    /// Every variant is simulated (in parallel), each with the same random streams for
    /// arrivals and workload, so differences between variants are the design's, not noise.
    #[command(verbatim_doc_comment)]
    Run {
        /// The experiment file (RON).
        experiment: PathBuf,
        /// Master seed; overrides the file's `seed`.
        #[arg(long)]
        seed: Option<u64>,
        /// Results directory [default: results/<experiment name>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
        /// Worker threads (default: one per core). Results do not depend on it.
        #[arg(long, value_parser = at_least_one)]
        threads: Option<usize>,
        /// How to print the summary.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Skip the charts and report.html (results files are still written).
        #[arg(long)]
        no_charts: bool,
        /// Simulate a second time on one thread and fail (exit 1) unless both runs give
        /// byte-identical summaries, timelines and statistics and the same event-trace digest
        /// for every run.
        #[arg(long)]
        check_determinism: bool,
        /// Replications per case; overrides the file's `seeds`.
        #[arg(long)]
        seeds: Option<u32>,
        /// Add replications until METRIC's 95% CI half-width is at most HALF_WIDTH in every
        /// case (at most MAX seeds, default 64): `--target-ci p99_ms=2` or `p99_ms=2:200`.
        #[arg(long, value_name = "METRIC=HALF_WIDTH[:MAX]")]
        target_ci: Option<String>,
        /// Reuse the finished runs kept in <out>/runs (an interrupted or changed experiment
        /// only simulates what is missing or what its changes touch).
        #[arg(long)]
        resume: bool,
        /// Run only slice K of N (K from 0): runs whose index in (case, replication) order is
        /// K mod N. `auto` reads SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or Kubernetes'
        /// JOB_COMPLETION_INDEX (with REGIONSIM_SHARDS). Combine shards with `regionsim merge`.
        #[arg(long, value_name = "K/N|auto")]
        shard: Option<String>,
    },
    /// Combine the outputs of `run --shard K/N` (one directory per shard, or one shared
    /// directory) into the results of the whole experiment, identical to a single run.
    #[command(verbatim_doc_comment)]
    Merge {
        /// The experiment file the shards ran.
        experiment: PathBuf,
        /// Shard output directories (each holding a runs/ directory).
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// The master seed the shards ran with (`run --seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// The replications per case the shards ran (`run --seeds`).
        #[arg(long)]
        seeds: Option<u32>,
        /// Results directory [default: results/<experiment name>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
        /// Skip the charts and report.html.
        #[arg(long)]
        no_charts: bool,
    },
    /// Redraw the charts and report.html of a results directory, without simulating.
    ///
    /// Reads summary.json, timeline.csv, topology.json and manifest.json written by `run`
    /// and writes charts/*.svg, charts/*.png and report.html next to them.
    #[command(verbatim_doc_comment)]
    Report {
        /// The results directory (e.g. results/global-latency).
        dir: PathBuf,
        /// Write SVG charts only, no PNG.
        #[arg(long)]
        no_png: bool,
    },
    /// Validate topology, experiment and price files without simulating.
    ///
    /// A file that does not parse (a syntax error, a misspelt field, a wrong kind of value)
    /// is reported at its first such error; a file that parses has every semantic problem
    /// reported at once (unknown regions, impossible values, bad variant overrides and sweeps).
    /// Exit code 2 when any file has an error.
    #[command(verbatim_doc_comment)]
    Check {
        /// Files to check (topologies, experiments or price files).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Measure simulation speed (simulated events and requests per second, one thread).
    ///
    /// The M/M/c model through the full request path, the engine alone on the same model, and
    /// the shipped experiments; benches/peers/paired.sh sets it beside SimPy.
    #[command(verbatim_doc_comment)]
    Bench {
        /// Customers in the M/M/c benchmark.
        #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
        customers: u64,
        /// Experiment to time as a whole [default: experiments/global-latency.ron, when run
        /// from the repository].
        #[arg(long)]
        experiment: Option<PathBuf>,
    },
}

/// Writes to stdout. A closed pipe (`regionsim … | head`) ends the program quietly with
/// success instead of a panic; any other write error ends it with failure.
fn write_stdout(s: &str) {
    use std::io::Write as _;
    let mut o = std::io::stdout().lock();
    if let Err(e) = o.write_all(s.as_bytes()).and_then(|_| o.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

macro_rules! outp {
    ($($t:tt)*) => { write_stdout(&format!($($t)*)) };
}
macro_rules! outln {
    () => { write_stdout("\n") };
    ($($t:tt)*) => { write_stdout(&(format!($($t)*) + "\n")) };
}

/// A whole number of at least 1 (`--threads`).
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        Ok(_) => Err("expected at least 1".into()),
        Err(_) => Err(format!("`{s}` is not a whole number")),
    }
}

/// Exit code for bad input (files, values): 2, as for usage errors.
pub const EXIT_INPUT: u8 = 2;

/// A bad option value that clap's parsers cannot see (`--shard 3/3`, `--seeds 0`): exit 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UsageError(String);

macro_rules! usage {
    ($($t:tt)*) => { anyhow::Error::new(UsageError(format!($($t)*))) };
}

macro_rules! bail_usage {
    ($($t:tt)*) => { return Err(usage!($($t)*)) };
}

/// Parses arguments, runs the command and maps errors to exit codes.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            if let Some(ce) = e.downcast_ref::<ConfigError>() {
                print_config_error(ce);
                return ExitCode::from(EXIT_INPUT);
            }
            if let Some(me) = e.downcast_ref::<runner::MergeError>()
                && me.is_input()
            {
                eprintln!("error: {me}");
                return ExitCode::from(EXIT_INPUT);
            }
            if let Some(re) = e.downcast_ref::<runner::RunError>()
                && re.is_input()
            {
                eprintln!("error: {re}");
                return ExitCode::from(EXIT_INPUT);
            }
            if let Some(ue) = e.downcast_ref::<UsageError>() {
                eprintln!("error: {ue}");
                return ExitCode::from(EXIT_INPUT);
            }
            if let Some(re) = e.downcast_ref::<crate::report::ReportError>()
                && re.is_input()
            {
                eprintln!("error: {re}");
                return ExitCode::from(EXIT_INPUT);
            }
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Prints a config error: diagnostics carry their own `error:`, an unreadable file does not.
fn print_config_error(ce: &ConfigError) {
    match ce {
        ConfigError::Invalid(_) => eprintln!("{ce}"),
        ConfigError::Io { .. } => eprintln!("error: {ce}"),
    }
}

/// Creates the results directory `dir` and its runs/ and makes sure files can be written in
/// both, so that a bad `--out` is reported (exit 2) before anything is simulated.
fn ensure_writable(dir: &Path) -> anyhow::Result<()> {
    let runs = dir.join("runs");
    for d in [dir, runs.as_path()] {
        std::fs::create_dir_all(d).map_err(|e| {
            usage!(
                "cannot create the results directory {}: {e} (choose another with --out)",
                d.display()
            )
        })?;
        let probe = d.join(format!(".regionsim-write-test.{}", std::process::id()));
        std::fs::write(&probe, b"").map_err(|e| {
            usage!(
                "cannot write in the results directory {}: {e} (choose another with --out)",
                d.display()
            )
        })?;
        let _ = std::fs::remove_file(&probe);
        // What a killed run was writing when it died.
        crate::results::remove_stale_temporaries(d);
    }
    Ok(())
}

fn print_warnings(w: &[Diagnostic]) {
    for d in w {
        eprintln!("{d}");
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run {
            experiment,
            seed,
            out,
            quiet,
            threads,
            format,
            no_charts,
            check_determinism,
            seeds,
            target_ci,
            resume,
            shard,
        } => run(
            &experiment,
            RunArgs {
                seed,
                out,
                quiet,
                threads,
                format,
                no_charts,
                check_determinism,
                seeds,
                target_ci,
                resume,
                shard,
            },
        ),
        Command::Merge {
            experiment,
            shards,
            seed,
            seeds,
            out,
            quiet,
            no_charts,
        } => merge(&experiment, &shards, (seed, seeds), out, quiet, no_charts),
        Command::Report { dir, no_png } => report(&dir, no_png),
        Command::Check { files } => check(&files),
        Command::Bench {
            customers,
            experiment,
        } => bench(customers, experiment.as_deref()),
    }
}

/// Options of `run`.
struct RunArgs {
    seed: Option<u64>,
    out: Option<PathBuf>,
    quiet: bool,
    threads: Option<usize>,
    format: Format,
    no_charts: bool,
    check_determinism: bool,
    seeds: Option<u32>,
    target_ci: Option<String>,
    resume: bool,
    shard: Option<String>,
}

/// Set by Ctrl-C: runs stop, finished runs are kept.
static STOP: AtomicBool = AtomicBool::new(false);

/// First Ctrl-C: stop cleanly (finished runs are kept); second: leave at once. A second
/// interrupt within a second of the first is the same one delivered twice (`timeout -s INT`
/// and batch systems signal the process and its group), not a person pressing again.
fn install_ctrl_c() {
    static FIRST: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            if FIRST
                .get()
                .is_some_and(|t| t.elapsed() < std::time::Duration::from_secs(1))
            {
                return;
            }
            std::process::exit(130);
        }
        let _ = FIRST.set(std::time::Instant::now());
        eprintln!(
            "\nstopping: runs in progress are dropped, finished runs are kept (Ctrl-C again to quit now)"
        );
    });
}

/// `K/N`, or `auto` from the batch system's environment; `auto` also returns where it read
/// the numbers from (printed, so a resubmitted task shows which slice it ran).
fn parse_shard(s: &str) -> anyhow::Result<(Shard, Option<String>)> {
    let var = |k: &str| std::env::var(k).ok();
    let num = |k: &str| -> anyhow::Result<Option<u32>> {
        match var(k) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<u32>()
                .map(Some)
                .map_err(|_| usage!("--shard auto: {k}={v:?} is not a whole number")),
        }
    };
    let (index, count, from) = if s == "auto" {
        if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
            let count = num("SLURM_ARRAY_TASK_COUNT")?.ok_or_else(|| {
                usage!(
                    "--shard auto: SLURM_ARRAY_TASK_ID={id} is set but SLURM_ARRAY_TASK_COUNT is not (Slurm sets both for job arrays)"
                )
            })?;
            // Arrays written `--array=1-N` start at 1, `--array=0-14:2` step by 2.
            let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let step = num("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
            if id < min || (id - min) % step != 0 {
                bail_usage!(
                    "--shard auto: SLURM_ARRAY_TASK_ID={id} is not on the array's grid (MIN={min}, STEP={step})"
                );
            }
            let k = (id - min) / step;
            (
                k,
                count,
                Some(format!(
                    "SLURM_ARRAY_TASK_ID={id} MIN={min} STEP={step} COUNT={count} → shard {k}/{count}"
                )),
            )
        } else if let Some(i) = num("JOB_COMPLETION_INDEX")? {
            let n = num("REGIONSIM_SHARDS")?.ok_or_else(|| {
                usage!(
                    "--shard auto: JOB_COMPLETION_INDEX={i} is set but REGIONSIM_SHARDS (the Job's completions) is not"
                )
            })?;
            (
                i,
                n,
                Some(format!(
                    "JOB_COMPLETION_INDEX={i} REGIONSIM_SHARDS={n} → shard {i}/{n}"
                )),
            )
        } else {
            bail_usage!(
                "--shard auto: neither SLURM_ARRAY_TASK_ID (Slurm job arrays) nor JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs) is set; give the slice as --shard K/N"
            );
        }
    } else {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| usage!("--shard `{s}`: expected K/N, e.g. 0/4, or auto"))?;
        let k: u32 = k
            .trim()
            .parse()
            .map_err(|_| usage!("--shard `{s}`: K must be a whole number"))?;
        let n: u32 = n
            .trim()
            .parse()
            .map_err(|_| usage!("--shard `{s}`: N must be a whole number"))?;
        (k, n, None)
    };
    if count == 0 || index >= count {
        let origin = from.map(|f| format!(" (from {f})")).unwrap_or_default();
        let hint = match count {
            0 => "N must be at least 1".to_owned(),
            1 => "the only shard of 1 is 0/1".to_owned(),
            n => format!(
                "K counts from 0 and must be below N: the shards of {n} are 0/{n} to {}/{n}",
                n - 1
            ),
        };
        bail_usage!("--shard {index}/{count}{origin}: {hint}");
    }
    Ok((Shard { index, count }, from))
}

/// `METRIC=HALF_WIDTH[:MAX]`.
fn parse_target(s: &str) -> anyhow::Result<TargetCi> {
    let (metric, rest) = s
        .split_once('=')
        .ok_or_else(|| usage!("--target-ci `{s}`: expected METRIC=HALF_WIDTH, e.g. p99_ms=2"))?;
    let metric = metric.trim();
    if !crate::stats::is_metric(metric) {
        bail_usage!(
            "--target-ci: unknown metric `{metric}` ({})",
            crate::stats::metric_hint(metric)
        );
    }
    let (hw, max) = match rest.split_once(':') {
        Some((h, m)) => (h, Some(m)),
        None => (rest, None),
    };
    let half_width: f64 = hw
        .trim()
        .parse()
        .ok()
        .filter(|x: &f64| x.is_finite() && *x > 0.0)
        .ok_or_else(|| usage!("--target-ci `{s}`: the half-width must be a positive number"))?;
    let max_seeds = match max {
        Some(m) => m
            .trim()
            .parse()
            .ok()
            .filter(|x: &u32| (2..=crate::config::MAX_SEEDS).contains(x))
            .ok_or_else(|| {
                usage!(
                    "--target-ci `{s}`: MAX must be a whole number from 2 to {}",
                    crate::config::MAX_SEEDS
                )
            })?,
        None => 64,
    };
    Ok(TargetCi {
        metric: metric.to_owned(),
        half_width,
        max_seeds,
    })
}

/// `--seed` and `--seeds`, of `run` and of `merge`.
fn apply_seed_options(
    exp: &mut crate::model::Experiment,
    seed: Option<u64>,
    seeds: Option<u32>,
) -> anyhow::Result<()> {
    if let Some(s) = seed {
        exp.seed = s;
    }
    if let Some(n) = seeds {
        if n == 0 || n > crate::config::MAX_SEEDS {
            bail_usage!(
                "--seeds {n}: expected a number of replications from 1 to {}",
                crate::config::MAX_SEEDS
            );
        }
        exp.seeds = n;
    }
    Ok(())
}

fn run(path: &Path, a: RunArgs) -> anyhow::Result<ExitCode> {
    let (mut exp, warnings) = config::load_experiment(path)?;
    if !a.quiet {
        print_warnings(&warnings);
    }
    apply_seed_options(&mut exp, a.seed, a.seeds)?;
    if let Some(t) = &a.target_ci {
        exp.target_ci = Some(parse_target(t)?);
    }
    if let Some(t) = &exp.target_ci
        && t.max_seeds < exp.seeds
    {
        bail_usage!(
            "the CI target allows at most {} seeds but {} are asked for",
            t.max_seeds,
            exp.seeds
        );
    }
    let shard = match a.shard.as_deref().map(parse_shard).transpose()? {
        Some((sh, from)) => {
            if let Some(f) = from
                && !a.quiet
            {
                eprintln!("shard auto: {f}");
            }
            Some(sh)
        }
        None => None,
    };
    let pool = {
        let asked = a
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1);
        // Each thread runs one run at a time: no more threads than the memory holds runs.
        let per_run = crate::budget::largest_run(&exp).1;
        let threads = match crate::budget::available_memory() {
            Some(avail) if asked as f64 * per_run > 0.8 * avail => {
                let fit = ((0.8 * avail / per_run) as usize).max(1);
                eprintln!(
                    "note: {asked} threads would need about {} at once ({} per run) but {} is available: using {fit}",
                    crate::budget::human_bytes(asked as f64 * per_run),
                    crate::budget::human_bytes(per_run),
                    crate::budget::human_bytes(avail)
                );
                fit
            }
            _ => asked,
        };
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .context("cannot start worker threads")?
    };
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(&exp.name));
    if a.shard.is_some() && exp.target_ci.is_some() {
        return Err(runner::RunError::ShardedTarget.into());
    }
    ensure_writable(&dir)?;
    install_ctrl_c();
    let progress = AtomicU64::new(0);
    let finished = AtomicU64::new(0);
    let total = total_work(&exp).max(1);
    let planned_runs = exp.variants.len() as u64 * exp.seeds as u64;
    let show = !a.quiet && std::io::stderr().is_terminal();
    let opts = RunOptions {
        records: Some(dir.join("runs")),
        resume: a.resume,
        shard,
        progress: Some(&progress),
        cancel: Some(&STOP),
        finished: Some(&finished),
    };
    let outcome = std::thread::scope(|s| {
        let worker = s.spawn(|| pool.install(|| runner::run(&exp, &opts)));
        let start = Instant::now();
        let mut bar: Option<indicatif::ProgressBar> = None;
        while !worker.is_finished() {
            std::thread::sleep(Duration::from_millis(50));
            if show && bar.is_none() && start.elapsed() > Duration::from_secs(1) {
                let b = indicatif::ProgressBar::new(1000);
                b.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{spinner} simulating [{bar:40}] {percent}% ETA {eta} {msg}",
                    )
                    .expect("static template"),
                );
                bar = Some(b);
            }
            if let Some(b) = &bar {
                b.set_position((progress.load(Ordering::Relaxed) * 1000 / total).min(1000));
                if planned_runs > 1 {
                    b.set_message(format!(
                        "{} of {planned_runs} runs",
                        finished.load(Ordering::Relaxed)
                    ));
                }
            }
        }
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        worker.join().expect("simulation thread does not panic")
    })?;
    let (assembled, speed) = match outcome {
        Outcome::Done(a, speed) => (a, speed),
        Outcome::ShardDone { runs, speed } => {
            if !a.quiet {
                let s = shard.expect("shard outcome");
                // A status, not data: with --format json or csv stdout carries data only.
                let say = |line: String| match a.format {
                    Format::Table => outln!("{line}"),
                    Format::Json | Format::Csv => eprintln!("{line}"),
                };
                say(format!(
                    "shard {}/{}: {runs} run(s) ({} simulated, {} reused) in {:.2} s, records in {}",
                    s.index,
                    s.count,
                    speed.simulated,
                    speed.reused,
                    speed.wall.as_secs_f64(),
                    dir.join("runs").display()
                ));
                let mut same = String::new();
                if let Some(s) = a.seed {
                    same.push_str(&format!(" --seed {s}"));
                }
                if let Some(n) = a.seeds {
                    same.push_str(&format!(" --seeds {n}"));
                }
                say(format!(
                    "when every shard is done: regionsim merge {} {} [the other shards' directories, unless they share this one]{same} --out <results dir>",
                    path.display(),
                    dir.display()
                ));
            }
            return Ok(ExitCode::SUCCESS);
        }
        Outcome::Stopped {
            finished, planned, ..
        } => {
            eprintln!(
                "stopped: {finished} of {planned} run(s) finished and kept in {}; rerun with --resume to finish",
                dir.join("runs").display()
            );
            return Ok(ExitCode::from(130));
        }
    };
    if a.check_determinism {
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .context("cannot start a worker thread")?;
        let again = match one.install(|| runner::run(&exp, &RunOptions::default()))? {
            Outcome::Done(a, _) => a,
            _ => unreachable!("no shard and no cancel flag"),
        };
        let digest = |r: &runner::Assembled| {
            let mut bytes = serde_json::to_vec(&r.result).expect("results serialise");
            bytes.extend(crate::results::timeline_csv(&r.result).into_bytes());
            bytes.extend(r.stats.stats_csv().into_bytes());
            // runs.csv carries each run's event trace digest (engine docs): runs that reach
            // equal results by different event sequences differ here.
            bytes.extend(crate::stats::runs_csv(&r.runs).into_bytes());
            config::digest_hex(&bytes)
        };
        let (x, y) = (digest(&assembled), digest(&again));
        if x != y {
            eprintln!(
                "error: the second run differs from the first (summary+timeline+stats+event traces sha256 {x} vs {y}): \
                 the simulation is not deterministic — please report this as a bug"
            );
            return Ok(ExitCode::FAILURE);
        }
        if !a.quiet {
            eprintln!(
                "determinism: two runs (threads as asked, then 1) agree, {} event trace(s) included: sha256 {x}",
                assembled.runs.len()
            );
        }
    }
    finish(
        &exp,
        &assembled,
        &dir,
        path,
        a.quiet,
        a.format,
        a.no_charts,
        Some(speed),
    )
}

/// Writes results, charts and report, and prints the summary.
#[allow(clippy::too_many_arguments)]
fn finish(
    exp: &crate::model::Experiment,
    assembled: &runner::Assembled,
    dir: &Path,
    path: &Path,
    quiet: bool,
    format: Format,
    no_charts: bool,
    speed: Option<runner::Speed>,
) -> anyhow::Result<ExitCode> {
    let result = &assembled.result;
    let files = write_results(
        dir,
        exp,
        result,
        &assembled.stats,
        &assembled.runs,
        &path.display().to_string(),
    )
    .with_context(|| format!("cannot write results to {}", dir.display()))?;
    crate::report::write_topology(dir, exp)?;
    let report = if no_charts {
        None
    } else {
        crate::report::build(dir, true)?;
        Some(dir.join("report.html"))
    };
    if !quiet {
        match format {
            Format::Table => {
                if !exp.question.is_empty() {
                    outln!("{}\n", exp.question);
                }
                let colour = std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
                outp!("{}", crate::results::render_table_styled(result, colour));
                outln!();
                let failures = crate::results::render_failures(result);
                if !failures.is_empty() {
                    outp!("{failures}");
                    outln!();
                }
                if has_faults(result) {
                    outp!("{}", render_faults(result));
                    outln!();
                }
                if has_data(result) {
                    outp!("{}", render_data(result));
                    outln!();
                }
                if has_quorum(result) {
                    outp!("{}", render_t_visibility(result));
                    outln!();
                }
                let st = crate::results::render_stats(exp, &assembled.stats);
                if !st.is_empty() {
                    outp!("{st}");
                    outln!();
                }
                if let Some(note) = one_seed_note(result)
                    && assembled.stats.cases.iter().all(|c| c.seeds <= 1)
                {
                    // The figures above are one draw: a failover's lost writes, say, can be
                    // several times another seed's.
                    outln!("{note}");
                    outln!();
                }
                if let Some(speed) = speed {
                    let runs = speed.simulated + speed.reused;
                    let mut notes = vec![];
                    if speed.reused > 0 {
                        notes.push(format!("{} reused from earlier runs", speed.reused));
                    }
                    if speed.replaced > 0 {
                        notes.push(format!(
                            "{} simulated again: their records were from another regionsim build or master seed, or unreadable",
                            speed.replaced
                        ));
                    }
                    let reused = if notes.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", notes.join("; "))
                    };
                    outln!(
                        "{} case(s), {runs} run(s){reused}, {} requests, {} events in {:.2} s ({:.2} M events/s); results in {}",
                        result.variants.len(),
                        speed.requests,
                        speed.events,
                        speed.wall.as_secs_f64(),
                        speed.events_per_s() / 1e6,
                        dir.display()
                    );
                } else {
                    outln!(
                        "{} case(s), {} run(s); results in {}",
                        result.variants.len(),
                        assembled.runs.len(),
                        dir.display()
                    );
                }
                if let Some(r) = &report {
                    outln!("report: {}", r.display());
                }
            }
            Format::Json => outp!("{}", std::fs::read_to_string(&files[1])?),
            Format::Csv => outp!("{}", std::fs::read_to_string(&files[0])?),
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn merge(
    path: &Path,
    shards: &[PathBuf],
    (seed, seeds): (Option<u64>, Option<u32>),
    out: Option<PathBuf>,
    quiet: bool,
    no_charts: bool,
) -> anyhow::Result<ExitCode> {
    let (mut exp, warnings) = config::load_experiment(path)?;
    if !quiet {
        print_warnings(&warnings);
    }
    apply_seed_options(&mut exp, seed, seeds)?;
    let dir = out.unwrap_or_else(|| PathBuf::from("results").join(&exp.name));
    // Every record is read before --out is created: a refused merge leaves nothing behind.
    let records = runner::collect_shards(&exp, shards)?;
    ensure_writable(&dir)?;
    runner::store_records(&records, &dir)?;
    let assembled = runner::assemble(&exp, records);
    finish(
        &exp,
        &assembled,
        &dir,
        path,
        quiet,
        Format::Table,
        no_charts,
        None,
    )
}

fn report(dir: &Path, no_png: bool) -> anyhow::Result<ExitCode> {
    let built = crate::report::build(dir, !no_png)?;
    let removed = built
        .removed
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .count();
    if no_png && removed > 0 {
        eprintln!(
            "note: removed {removed} PNG(s) of {} drawn from earlier data (--no-png draws SVG only; run without it to redraw them)",
            dir.join("charts").display()
        );
    }
    for (file, lack) in &built.missing {
        eprintln!("warning: {} has no {file}: {lack}", dir.display());
    }
    let charts = built
        .written
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .count();
    outln!(
        "{} chart(s) and {} written",
        charts,
        dir.join("report.html").display()
    );
    Ok(ExitCode::SUCCESS)
}

fn check(files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    for f in files {
        match config::check_file(f) {
            Ok((checked, warnings)) => {
                print_warnings(&warnings);
                match checked {
                    Checked::Topology(t) => {
                        let n = t.regions.len();
                        let est = t.estimated.iter().filter(|e| **e).count();
                        outln!(
                            "{}: ok — topology `{}`: {n} region{}, {} region pairs from the matrix, {est} estimated",
                            f.display(),
                            t.name,
                            if n == 1 { "" } else { "s" },
                            n * (n - 1) - est
                        );
                    }
                    Checked::Prices { name, currency } => {
                        outln!("{}: ok — price list `{name}` ({currency})", f.display());
                    }
                    Checked::Experiment(e) => {
                        let names: Vec<&str> = e.variants.iter().map(|(n, _)| n.as_str()).collect();
                        let mut vnames: Vec<&str> = vec![];
                        for c in &e.cases {
                            if !vnames.contains(&c.variant.as_str()) {
                                vnames.push(&c.variant);
                            }
                        }
                        let listed = if e.sweep.is_empty() {
                            format!("variants: {}", names.join(", "))
                        } else {
                            format!(
                                "variants: {}; sweep over {}: {} case(s)",
                                vnames.join(", "),
                                e.sweep.join(", "),
                                names.len()
                            )
                        };
                        let sc = &e.variants[0].1;
                        let reqs: f64 = sc.populations.iter().map(|p| p.rate_per_s).sum::<f64>()
                            * sc.duration as f64
                            / 1e9;
                        let (events, bytes) = crate::budget::largest_run(&e);
                        outln!(
                            "{}: ok — experiment `{}` on topology `{}`: {} population(s), {listed}; {} seed(s) each{}; about {:.0} requests per run; at most about {:.1e} events and {} of memory per run (estimated)",
                            f.display(),
                            e.name,
                            sc.topology_name,
                            sc.populations.len(),
                            e.seeds,
                            if e.target_ci.is_some() {
                                " (more until the CI target is met)"
                            } else {
                                ""
                            },
                            reqs,
                            events,
                            crate::budget::human_bytes(bytes)
                        );
                    }
                }
            }
            Err(e) => {
                print_config_error(&e);
                failed = true;
            }
        }
    }
    Ok(if failed {
        ExitCode::from(EXIT_INPUT)
    } else {
        ExitCode::SUCCESS
    })
}

fn bench(customers: u64, experiment: Option<&Path>) -> anyhow::Result<ExitCode> {
    // The shipped experiment when run from the repository; elsewhere the M/M/c benchmarks
    // alone, saying so.
    const SHIPPED: &str = "experiments/global-latency.ron";
    let experiment = experiment.or_else(|| Some(Path::new(SHIPPED)).filter(|p| p.is_file()));
    if experiment.is_none() {
        eprintln!(
            "note: no experiment timed: {SHIPPED} is not here (run from the repository, or pass --experiment FILE)"
        );
    }
    // A bad experiment file is reported before any time is spent on the M/M/c benchmarks.
    let exp = experiment
        .map(config::load_experiment)
        .transpose()?
        .map(|(e, _)| e);
    for a in [
        crate::bench::bench_mmc(customers),
        crate::bench::bench_engine_mmc(customers),
    ] {
        outln!(
            "{:<40} {:>12} events {:>10.2} M events/s {:>10.2} M requests/s",
            a.name,
            a.events,
            a.events_per_s() / 1e6,
            a.requests_per_s() / 1e6
        );
    }
    let Some(exp) = exp else {
        return Ok(ExitCode::SUCCESS);
    };
    for (name, sc) in &exp.variants {
        let r = crate::bench::time_scenario(name, sc, 1);
        outln!(
            "{:<40} {:>12} events {:>10.2} M events/s {:>10.2} M requests/s",
            format!("{} / {}", exp.name, r.name),
            r.events,
            r.events_per_s() / 1e6,
            r.requests_per_s() / 1e6
        );
    }
    Ok(ExitCode::SUCCESS)
}
