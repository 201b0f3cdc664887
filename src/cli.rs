//! The command line: `run`, `check` and `bench`, with `anyhow` context at this edge.

use crate::config::{self, Checked, ConfigError, Diagnostic};
use crate::results::{
    has_faults, has_quorum, render_faults, render_t_visibility, render_table, write_results,
};
use crate::runner::{run_experiment, total_work};
use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// regionsim simulates global multi-region service topologies: every request, DNS lookup and
/// queue, deterministically, so you can compare designs on latency and availability.
///
/// Describe regions and links in a topology file (topologies/*.ron), users and the design in
/// an experiment file (experiments/*.ron), then:
///
///   regionsim run experiments/global-latency.ron
///
/// Results land in results/<experiment>/ (summary.csv, summary.json, timeline.csv,
/// topology.json, manifest.json, charts/*.svg and *.png, report.html). The same files and
/// seed always give byte-identical results. `regionsim report results/<experiment>`
/// redraws the charts and the report from those files without simulating again.
#[derive(Parser, Debug)]
#[command(name = "regionsim", version, about, long_about, verbatim_doc_comment)]
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
        #[arg(long)]
        threads: Option<usize>,
        /// How to print the summary.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Skip the charts and report.html (results files are still written).
        #[arg(long)]
        no_charts: bool,
        /// Simulate a second time on one thread and fail (exit 1) unless both runs give
        /// byte-identical summaries and timelines.
        #[arg(long)]
        check_determinism: bool,
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
    /// Validate topology and experiment files, reporting every problem at once.
    Check {
        /// Files to check (topologies or experiments).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Measure simulation speed (simulated events and requests per second, one thread).
    Bench {
        /// Customers in the M/M/c benchmark.
        #[arg(long, default_value_t = 1_000_000)]
        customers: u64,
        /// Experiment to time as a whole.
        #[arg(long, default_value = "experiments/global-latency.ron")]
        experiment: PathBuf,
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

/// Exit code for bad input (files, values): 2, as for usage errors.
pub const EXIT_INPUT: u8 = 2;

/// Parses arguments, runs the command and maps errors to exit codes.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            if let Some(ce) = e.downcast_ref::<ConfigError>() {
                eprintln!("{ce}");
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
        } => run(
            &experiment,
            seed,
            out,
            quiet,
            threads,
            format,
            (no_charts, check_determinism),
        ),
        Command::Report { dir, no_png } => report(&dir, no_png),
        Command::Check { files } => check(&files),
        Command::Bench {
            customers,
            experiment,
        } => bench(customers, &experiment),
    }
}

fn run(
    path: &Path,
    seed: Option<u64>,
    out: Option<PathBuf>,
    quiet: bool,
    threads: Option<usize>,
    format: Format,
    (no_charts, check_determinism): (bool, bool),
) -> anyhow::Result<ExitCode> {
    let (mut exp, warnings) = config::load_experiment(path)?;
    if !quiet {
        print_warnings(&warnings);
    }
    if let Some(s) = seed {
        exp.seed = s;
    }
    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(t) = threads {
            b = b.num_threads(t.max(1));
        }
        b.build().context("cannot start worker threads")?
    };
    let progress = AtomicU64::new(0);
    let total = total_work(&exp).max(1);
    let show = !quiet && std::io::stderr().is_terminal();
    let (result, speed) = std::thread::scope(|s| {
        let worker = s.spawn(|| pool.install(|| run_experiment(&exp, Some(&progress))));
        let start = Instant::now();
        let mut bar: Option<indicatif::ProgressBar> = None;
        while !worker.is_finished() {
            std::thread::sleep(Duration::from_millis(50));
            if show && bar.is_none() && start.elapsed() > Duration::from_secs(1) {
                let b = indicatif::ProgressBar::new(1000);
                b.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{spinner} simulating [{bar:40}] {percent}% ETA {eta}",
                    )
                    .expect("static template"),
                );
                bar = Some(b);
            }
            if let Some(b) = &bar {
                b.set_position(progress.load(Ordering::Relaxed) * 1000 / total);
            }
        }
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        worker.join().expect("simulation thread does not panic")
    })?;
    if check_determinism {
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .context("cannot start a worker thread")?;
        let (again, _) = one.install(|| run_experiment(&exp, None))?;
        let digest = |r: &crate::results::ExperimentResult| {
            let mut bytes = serde_json::to_vec(r).expect("results serialise");
            bytes.extend(crate::results::timeline_csv(r).into_bytes());
            config::digest_hex(&bytes)
        };
        let (a, b) = (digest(&result), digest(&again));
        if a != b {
            eprintln!(
                "error: the second run differs from the first (summary+timeline sha256 {a} vs {b}): \
                 the simulation is not deterministic — please report this as a bug"
            );
            return Ok(ExitCode::FAILURE);
        }
        if !quiet {
            eprintln!("determinism: two runs (threads as asked, then 1) agree: sha256 {a}");
        }
    }
    let dir = out.unwrap_or_else(|| PathBuf::from("results").join(&exp.name));
    let files = write_results(&dir, &exp, &result, &path.display().to_string())
        .with_context(|| format!("cannot write results to {}", dir.display()))?;
    crate::report::write_topology(&dir, &exp)?;
    let report = if no_charts {
        None
    } else {
        crate::report::build(&dir, true)?;
        Some(dir.join("report.html"))
    };
    if !quiet {
        match format {
            Format::Table => {
                if !exp.question.is_empty() {
                    outln!("{}\n", exp.question);
                }
                outp!("{}", render_table(&result));
                outln!();
                if has_faults(&result) {
                    outp!("{}", render_faults(&result));
                    outln!();
                }
                if has_quorum(&result) {
                    outp!("{}", render_t_visibility(&result));
                    outln!();
                }
                outln!(
                    "{} variant(s), {} requests, {} events in {:.2} s ({:.2} M events/s); results in {}",
                    result.variants.len(),
                    speed.requests,
                    speed.events,
                    speed.wall.as_secs_f64(),
                    speed.events_per_s() / 1e6,
                    dir.display()
                );
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

fn report(dir: &Path, no_png: bool) -> anyhow::Result<ExitCode> {
    let written = crate::report::build(dir, !no_png)?;
    let charts = written
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
                            "{}: ok — topology `{}`: {n} regions, {} region pairs from the matrix, {est} estimated",
                            f.display(),
                            t.name,
                            n * (n - 1) - est
                        );
                    }
                    Checked::Experiment(e) => {
                        let names: Vec<&str> = e.variants.iter().map(|(n, _)| n.as_str()).collect();
                        let sc = &e.variants[0].1;
                        let reqs: f64 = sc.populations.iter().map(|p| p.rate_per_s).sum::<f64>()
                            * sc.duration as f64
                            / 1e9;
                        outln!(
                            "{}: ok — experiment `{}` on topology `{}`: {} population(s), variants: {}; about {:.0} requests per variant",
                            f.display(),
                            e.name,
                            sc.topology_name,
                            sc.populations.len(),
                            names.join(", "),
                            reqs
                        );
                    }
                }
            }
            Err(e) => {
                eprintln!("{e}");
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

fn bench(customers: u64, experiment: &Path) -> anyhow::Result<ExitCode> {
    let a = crate::bench::bench_mmc(customers);
    outln!(
        "{:<40} {:>12} events {:>10.2} M events/s {:>10.2} M requests/s",
        a.name,
        a.events,
        a.events_per_s() / 1e6,
        a.requests_per_s() / 1e6
    );
    let (exp, _) = config::load_experiment(experiment)?;
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
