//! Sweeps, seeds and where runs happen (issue #6): thread counts and merged shards give the
//! same bytes, confidence intervals shrink like 1/√n, a killed sweep resumes without rerunning
//! finished points, a changed variant reruns alone, and the CI target is met deterministically.

use super::{regionsim, root, temp_dir};
use regionsim::runner::{Outcome, RunOptions, run};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Writes an experiment file into `dir` (the text inside `Experiment( … )`), on azure-15.
fn write_experiment(dir: &Path, name: &str, body: &str) -> PathBuf {
    let topo = root().join("topologies/azure-15.ron");
    let text = format!(
        "Experiment(name: \"{name}\", topology: \"{}\", {body})",
        topo.display()
    );
    let f = dir.join(format!("{name}.ron"));
    std::fs::write(&f, text).unwrap();
    f
}

/// A small failover scenario: two regions, an outage, two variants.
const SMALL: &str = r#"
    seed: 7, duration_s: 300, warmup_s: 10, window_s: 10,
    dns: (policy: Latency, ttl_s: 60),
    health: (interval_s: 10, failure_threshold: 3, checkers: ["eastus", "westus2", "northeurope"]),
    faults: [RegionOutage(region: "eastus", at_s: 100, for_s: 100)],
    design: ActiveActive(regions: ["eastus", "westus2"]),
    populations: {
        "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 20, write_fraction: 0.2),
        "seattle": (lat: 47.61, lon: -122.33, anchor: "westus2", rate_per_s: 10),
    },
"#;

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `regionsim run <exp> --resume --no-charts --out <out>`, which must succeed; its stdout.
fn resume(exp: &Path, out: &Path) -> String {
    ok(&regionsim(&[
        "run",
        s(exp),
        "--resume",
        "--no-charts",
        "--out",
        s(out),
    ]))
}

/// `regionsim run <exp> --no-charts [extra…] --out <out>`, which must succeed; its stdout.
fn run_ok(exp: &Path, out: &Path, extra: &[&str]) -> String {
    let mut args = vec!["run", s(exp), "--no-charts"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--out", s(out)]);
    ok(&regionsim(&args))
}

const FILES: &[&str] = &[
    "summary.csv",
    "summary.json",
    "timeline.csv",
    "faults.csv",
    "stats.csv",
    "stats.json",
    "paired.csv",
    "sensitivity.csv",
    "runs.csv",
];

fn assert_same_files(a: &Path, b: &Path) {
    for f in FILES {
        let x = std::fs::read(a.join(f)).unwrap_or_else(|_| panic!("{}/{f}", a.display()));
        let y = std::fs::read(b.join(f)).unwrap_or_else(|_| panic!("{}/{f}", b.display()));
        assert!(
            x == y,
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn one_thread_two_threads_and_four_merged_shards_write_identical_files() {
    let d = temp_dir("shards");
    let body = format!(
        "{SMALL} seeds: 3,
        variants: [(name: \"slow-checks\", overrides: {{\"health.interval_s\": 30}}), (name: \"fast-checks\", overrides: {{}})],
        sweep: Grid({{\"dns.ttl_s\": [5, 60, 300]}}),"
    );
    let exp = write_experiment(&d, "shards", &body);
    let one = d.join("one");
    let two = d.join("two");
    ok(&regionsim(&[
        "run",
        s(&exp),
        "--threads",
        "1",
        "--no-charts",
        "--quiet",
        "--out",
        s(&one),
    ]));
    ok(&regionsim(&[
        "run",
        s(&exp),
        "--threads",
        "2",
        "--no-charts",
        "--quiet",
        "--out",
        s(&two),
    ]));
    assert_same_files(&one, &two);
    // Four shards as four processes, each writing its own directory, then merged.
    let children: Vec<_> = (0..4)
        .map(|k| {
            Command::new(env!("CARGO_BIN_EXE_regionsim"))
                .args([
                    "run",
                    s(&exp),
                    "--shard",
                    &format!("{k}/4"),
                    "--quiet",
                    "--no-charts",
                ])
                .args(["--threads", "1", "--out", s(&d.join(format!("shard{k}")))])
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    // A shard writes records only; 6 cases × 3 seeds = 18 runs split 5/5/4/4.
    let counts: Vec<usize> = (0..4)
        .map(|k| {
            std::fs::read_dir(d.join(format!("shard{k}/runs")))
                .unwrap()
                .count()
        })
        .collect();
    assert_eq!(counts, vec![5, 5, 4, 4]);
    assert!(!d.join("shard0/summary.csv").exists());
    // Merging three of four shards is refused, naming what is missing.
    let partial = regionsim(&[
        "merge",
        s(&exp),
        s(&d.join("shard0")),
        s(&d.join("shard1")),
        s(&d.join("shard2")),
        "--out",
        s(&d.join("partial")),
        "--quiet",
    ]);
    assert_eq!(partial.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&partial.stderr).contains("4 of 18 runs are missing"));
    assert!(
        !d.join("partial").exists(),
        "a refused merge writes nothing"
    );
    let merged = d.join("merged");
    let shard_dirs: Vec<String> = (0..4)
        .map(|k| d.join(format!("shard{k}")).display().to_string())
        .collect();
    let mut args = vec!["merge", s(&exp)];
    args.extend(shard_dirs.iter().map(String::as_str));
    args.extend(["--out", s(&merged), "--no-charts", "--quiet"]);
    ok(&regionsim(&args));
    assert_same_files(&one, &merged);
    // The statistics are there: 6 cases, 3 seeds each, intervals on availability.
    let stats = std::fs::read_to_string(one.join("stats.csv")).unwrap();
    let avail: Vec<&str> = stats
        .lines()
        .filter(|l| l.contains(",availability,"))
        .collect();
    assert_eq!(avail.len(), 6);
    for l in avail {
        let cells: Vec<&str> = l.split(',').collect();
        assert_eq!(cells[3], "3", "{l}");
        assert!(!cells[8].is_empty(), "a CI half-width: {l}");
    }
}

#[test]
fn ci_half_width_shrinks_like_one_over_root_n_on_a_shipped_experiment() {
    let (mut exp, _) =
        regionsim::config::load_experiment(&root().join("experiments/failover-sweep.ron")).unwrap();
    exp.variants.truncate(1);
    exp.cases.truncate(1);
    let mut hw = vec![];
    for n in [4u32, 16, 64] {
        exp.seeds = n;
        let Outcome::Done(a, _) = run(&exp, &RunOptions::default()).unwrap() else {
            panic!("done")
        };
        let e = a.stats.cases[0].get("availability").unwrap().clone();
        assert_eq!(e.n, n);
        hw.push(e.ci95.unwrap());
    }
    // E[half-width] ∝ t(0.975, n−1)·σ/√n: from 16 to 64 seeds it should fall by
    // 2·t(15)/t(63) ≈ 2.13. The sample σ of 16 runs has a relative error of about 1/√30 ≈ 18%,
    // so the ratio is accepted within ±40% (over two standard errors), and must fall at each step.
    assert!(hw[0] > hw[1] && hw[1] > hw[2], "{hw:?}");
    let ratio = hw[1] / hw[2];
    assert!(
        (1.3..=3.0).contains(&ratio),
        "16→64 seeds: ratio {ratio} ({hw:?})"
    );
}

#[test]
fn a_killed_sweep_resumes_without_rerunning_finished_points() {
    let d = temp_dir("resume");
    let body = format!("{SMALL} seeds: 150,").replace("duration_s: 300", "duration_s: 900");
    let exp = write_experiment(&d, "resume", &body);
    let out = d.join("out");
    let runs = out.join("runs");
    let mut child = Command::new(env!("CARGO_BIN_EXE_regionsim"))
        .args([
            "run",
            s(&exp),
            "--threads",
            "1",
            "--no-charts",
            "--quiet",
            "--out",
            s(&out),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    // Count finished records only: a record being written is a temporary file first.
    let count = || {
        std::fs::read_dir(&runs)
            .map(|r| {
                r.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                    .count()
            })
            .unwrap_or(0)
    };
    while count() < 5 {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no run finished"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep ended before it was killed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let mut kept: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&runs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    kept.sort();
    let k = kept.len();
    assert!((5..150).contains(&k), "{k} records at the kill");
    assert!(
        !out.join("stats.csv").exists(),
        "killed before any results were written"
    );
    // What a writer killed mid-file leaves (a pid above any Linux limit: never running).
    let torn = runs.join(".c0000-0000000000000000-r00000.json.4000000000.tmp");
    std::fs::write(&torn, b"{\"half").unwrap();
    let resumed = resume(&exp, &out);
    if Path::new("/proc").is_dir() {
        let left: Vec<_> = std::fs::read_dir(&runs)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(
            left.is_empty(),
            "temporary files left after --resume: {left:?}"
        );
    }
    // Every record that existed is reused, byte for byte untouched.
    let reused: usize = resumed
        .split(" reused")
        .next()
        .and_then(|x| x.rsplit('(').next())
        .and_then(|x| x.trim().parse().ok())
        .unwrap_or_else(|| panic!("no reuse count in:\n{resumed}"));
    assert!(reused >= k, "{reused} reused, {k} existed");
    for (p, b) in &kept {
        assert_eq!(&std::fs::read(p).unwrap(), b, "{} rewritten", p.display());
    }
    // And the results equal an uninterrupted run.
    let clean = d.join("clean");
    ok(&regionsim(&[
        "run",
        s(&exp),
        "--no-charts",
        "--quiet",
        "--out",
        s(&clean),
    ]));
    for f in ["summary.csv", "timeline.csv", "stats.csv", "runs.csv"] {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(clean.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn changing_one_variant_reruns_only_that_variant() {
    let d = temp_dir("invalidate");
    let make = |interval: u32| {
        format!(
            "{SMALL} seeds: 2,
            variants: [(name: \"a\", overrides: {{\"dns.ttl_s\": 5}}), (name: \"b\", overrides: {{\"health.interval_s\": {interval}}})],"
        )
    };
    let exp = write_experiment(&d, "inv", &make(30));
    let out = d.join("out");
    let first = ok(&regionsim(&[
        "run",
        s(&exp),
        "--no-charts",
        "--out",
        s(&out),
    ]));
    assert!(!first.contains("reused"), "{first}");
    let again = resume(&exp, &out);
    assert!(again.contains("4 run(s) (4 reused"), "{again}");
    // A record written by another regionsim version is simulated again, and the user is told.
    let record = std::fs::read_dir(out.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .unwrap();
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
    json["format"] = serde_json::json!(1);
    std::fs::write(&record, serde_json::to_vec(&json).unwrap()).unwrap();
    let older = resume(&exp, &out);
    assert!(
        older.contains("4 run(s) (3 reused from earlier runs; 1 simulated again: their records were from another regionsim build"),
        "{older}"
    );
    // Variant b changes: only its two runs are simulated again.
    write_experiment(&d, "inv", &make(10));
    let changed = resume(&exp, &out);
    assert!(changed.contains("4 run(s) (2 reused"), "{changed}");
    let clean = d.join("clean");
    ok(&regionsim(&[
        "run",
        s(&exp),
        "--no-charts",
        "--quiet",
        "--out",
        s(&clean),
    ]));
    for f in ["summary.csv", "stats.csv", "paired.csv", "runs.csv"] {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(clean.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn a_ci_target_adds_seeds_until_met_and_is_deterministic() {
    let d = temp_dir("target");
    let body = format!(
        "{SMALL} seeds: 3, target_ci: (metric: \"availability\", half_width: 0.004, max_seeds: 40),
        variants: [(name: \"ttl-5\", overrides: {{\"dns.ttl_s\": 5}}), (name: \"ttl-300\", overrides: {{\"dns.ttl_s\": 300}})],"
    );
    let exp = write_experiment(&d, "target", &body);
    let (a, b) = (d.join("a"), d.join("b"));
    ok(&regionsim(&[
        "run",
        s(&exp),
        "--threads",
        "2",
        "--no-charts",
        "--quiet",
        "--out",
        s(&a),
    ]));
    ok(&regionsim(&[
        "run",
        s(&exp),
        "--threads",
        "1",
        "--no-charts",
        "--quiet",
        "--out",
        s(&b),
    ]));
    for f in ["stats.csv", "runs.csv", "summary.csv"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    let stats = std::fs::read_to_string(a.join("stats.csv")).unwrap();
    let mut grew = false;
    for l in stats.lines().filter(|l| l.contains(",availability,")) {
        let c: Vec<&str> = l.split(',').collect();
        let seeds: u32 = c[3].parse().unwrap();
        let hw: f64 = c[8].parse().unwrap();
        assert!(hw <= 0.004 || seeds == 40, "{l}");
        grew |= seeds > 3;
    }
    assert!(grew, "three seeds were not enough for ±0.4 pp:\n{stats}");
}

/// Under a sweep, a variant gets a map for its first case and one for each later case that
/// changes who serves whom, not one per case: a TTL of 6 s serves users as 5 s does, while
/// with 3 000 s New York's resolvers keep eastus through the outage.
#[test]
fn a_sweep_draws_a_map_only_where_who_serves_whom_changes() {
    let d = temp_dir("sweep-maps");
    let body = format!(
        "{SMALL} variants: [(name: \"v\", overrides: {{}})], sweep: Grid({{\"dns.ttl_s\": [5, 6, 3000]}}),"
    );
    let exp = write_experiment(&d, "maps", &body);
    let out = d.join("out");
    ok(&regionsim(&["run", s(&exp), "-q", "--out", s(&out)]));
    let mut maps: Vec<String> = std::fs::read_dir(out.join("charts"))
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().into_string().unwrap();
            (n.starts_with("map-") && n.ends_with(".svg")).then_some(n)
        })
        .collect();
    maps.sort();
    assert_eq!(maps, ["map-v-ttl-s-3000.svg", "map-v-ttl-s-5.svg"]);
}

/// A file only a variant names (here an empirical DNS lookup time) is an input of that
/// variant's runs: changing it makes `--resume` simulate them again. Its content used to be
/// left out of the case digest, so the old results were reused beside the new file's hash.
#[test]
fn resume_reruns_a_variant_whose_own_input_file_changed() {
    let d = temp_dir("resume-variant-file");
    let csv = d.join("lookup.csv");
    std::fs::write(&csv, "ms\n10\n").unwrap();
    let exp = write_experiment(
        &d,
        "file",
        r#"duration_s: 20, warmup_s: 0, window_s: 10,
        dns: (policy: Latency, ttl_s: 0, lookup: Constant(ms: 1.0)),
        design: ActiveActive(regions: ["eastus"]),
        populations: {"p": (lat: 36.67, lon: -78.39, rate_per_s: 20)},
        variants: [(name: "const", overrides: {}),
                   (name: "csv", overrides: {"dns.lookup": EmpiricalCsv(path: "lookup.csv")})],"#,
    );
    let out = d.join("out");
    run_ok(&exp, &out, &["--quiet"]);
    std::fs::write(&csv, "ms\n500\n").unwrap();
    let again = resume(&exp, &out);
    assert!(again.contains("2 run(s) (1 reused"), "{again}");
    let clean = d.join("clean");
    run_ok(&exp, &clean, &["--quiet"]);
    assert_eq!(
        std::fs::read_to_string(out.join("summary.csv")).unwrap(),
        std::fs::read_to_string(clean.join("summary.csv")).unwrap()
    );
}

/// Shards run with `--seed`/`--seeds` are merged with the same options, and merging without
/// them is refused with a message that says so. Merge used to take the file's seeds: it
/// silently used 4 of 12 runs after `--seeds 3`, and called every run missing after `--seed`.
#[test]
fn merge_takes_the_seed_options_the_shards_ran_with() {
    let d = temp_dir("merge-seeds");
    let exp = write_experiment(
        &d,
        "ms",
        r#"duration_s: 20, warmup_s: 0, window_s: 10,
        design: ActiveActive(regions: ["eastus"]),
        populations: {"p": (lat: 36.67, lon: -78.39, rate_per_s: 20)},
        variants: [(name: "a", overrides: {}), (name: "b", overrides: {"dns.ttl_s": 5})],"#,
    );
    let shard = |k: u32, extra: &[&str], dir: &str| {
        let mut args = vec!["run", s(&exp), "--shard"];
        let sh = format!("{k}/2");
        args.push(&sh);
        args.extend_from_slice(extra);
        let out = d.join(dir);
        args.extend_from_slice(&["--quiet", "--no-charts", "--out", s(&out)]);
        ok(&regionsim(&args));
    };
    let whole = |extra: &[&str], dir: &str| {
        let out = d.join(dir);
        let mut args = vec!["run", s(&exp), "--no-charts", "--quiet", "--out", s(&out)];
        args.extend_from_slice(extra);
        ok(&regionsim(&args));
    };
    for (extra, tag) in [
        (&["--seeds", "3"][..], "seeds"),
        (&["--seed", "99"][..], "seed"),
    ] {
        for k in 0..2 {
            shard(k, extra, &format!("{tag}-shards"));
        }
        let shards = d.join(format!("{tag}-shards"));
        // Without the option: refused, naming it.
        let plain = regionsim(&[
            "merge",
            s(&exp),
            s(&shards),
            "--quiet",
            "--no-charts",
            "--out",
            s(&d.join(format!("{tag}-plain"))),
        ]);
        let err = String::from_utf8_lossy(&plain.stderr);
        assert!(!plain.status.success(), "{tag}: merged without {extra:?}");
        assert!(err.contains(extra[0]), "{tag}: {err}");
        // With it: the same files as one run with it.
        let mut args = vec!["merge", s(&exp), s(&shards), "--quiet", "--no-charts"];
        args.extend_from_slice(extra);
        let merged = d.join(format!("{tag}-merged"));
        args.extend_from_slice(&["--out", s(&merged)]);
        ok(&regionsim(&args));
        whole(extra, &format!("{tag}-whole"));
        for f in ["summary.csv", "stats.csv", "runs.csv"] {
            assert_eq!(
                std::fs::read_to_string(merged.join(f)).unwrap(),
                std::fs::read_to_string(d.join(format!("{tag}-whole")).join(f)).unwrap(),
                "{tag}: {f}"
            );
        }
    }
    // Merged asking for more seeds than the shards ran: refused, naming the `--seeds` they
    // ran with (it used to say only that runs were missing).
    let more = regionsim(&[
        "merge",
        s(&exp),
        s(&d.join("seeds-shards")),
        "--seeds",
        "5",
        "--quiet",
        "--no-charts",
        "--out",
        s(&d.join("seeds-five")),
    ]);
    let err = String::from_utf8_lossy(&more.stderr);
    assert_eq!(more.status.code(), Some(2), "{err}");
    assert!(
        err.contains("ran 3 replication(s) per case, not 5") && err.contains("`--seeds 3`"),
        "{err}"
    );
}

/// Results written over an earlier experiment's leave none of its optional files behind (a
/// paired.csv or sensitivity.csv the new one does not produce), and the manifest's rerun
/// command repeats the replications and CI target asked for on the command line.
#[test]
fn results_replace_an_earlier_experiments_files_and_the_rerun_command_is_complete() {
    let d = temp_dir("stale-outputs");
    let body = |extra: &str| {
        format!(
            r#"duration_s: 20, warmup_s: 0, window_s: 10,
            design: ActiveActive(regions: ["eastus"]),
            populations: {{"p": (lat: 36.67, lon: -78.39, rate_per_s: 20)}},{extra}"#
        )
    };
    let swept = write_experiment(
        &d,
        "swept",
        &body(
            r#"variants: [(name: "a", overrides: {}), (name: "b", overrides: {"dns.ttl_s": 5})],
            sweep: Grid({"topology.defaults.servers": [2, 4]}),"#,
        ),
    );
    let plain = write_experiment(&d, "plain", &body(""));
    let out = d.join("out");
    run_ok(&swept, &out, &["--quiet"]);
    assert!(out.join("paired.csv").exists() && out.join("sensitivity.csv").exists());
    run_ok(
        &plain,
        &out,
        &["--quiet", "--seeds", "3", "--target-ci", "p99_ms=5:10"],
    );
    assert!(!out.join("paired.csv").exists(), "a stale paired.csv");
    assert!(
        !out.join("sensitivity.csv").exists(),
        "a stale sensitivity.csv"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let rerun = manifest["rerun"].as_str().unwrap();
    assert!(
        rerun.contains("--seeds 3") && rerun.contains("--target-ci p99_ms=5:10"),
        "{rerun}"
    );
}

/// A CI target capped below five seeds, on a metric every run measures as 0: the runner does
/// not count a zero-width interval from fewer than five runs as met, and neither does the
/// terminal, which used to say "met in every case".
#[test]
fn a_zero_width_interval_from_too_few_seeds_is_not_reported_as_met() {
    let d = temp_dir("target-cap");
    let exp = write_experiment(
        &d,
        "cap",
        r#"duration_s: 10, warmup_s: 0, window_s: 10,
        design: ActiveActive(regions: ["eastus"]),
        populations: {"p": (lat: 36.67, lon: -78.39, rate_per_s: 5)},"#,
    );
    let out = run_ok(&exp, &d.join("out"), &["--target-ci", "lost_updates=1:3"]);
    assert!(
        out.contains("CI target lost_updates ± 1 MISSED in 1 of 1 case(s), at most 3 seeds"),
        "{out}"
    );
}

/// An availability target is a fraction while the table shows percentages: the verdict line
/// says the target in both, so "± 0.034" in the table is not read against "± 0.0005".
#[test]
fn a_ratio_target_is_also_said_in_percentage_points() {
    let d = temp_dir("target-ratio");
    let exp = write_experiment(
        &d,
        "ratio",
        r#"duration_s: 10, warmup_s: 0, window_s: 10,
        design: ActiveActive(regions: ["eastus"]),
        populations: {"p": (lat: 36.67, lon: -78.39, rate_per_s: 5)},"#,
    );
    let out = run_ok(
        &exp,
        &d.join("out"),
        &["--target-ci", "availability=0.0005:3"],
    );
    assert!(
        out.contains("CI target availability ± 0.0005 (± 0.05 percentage points)"),
        "{out}"
    );
}

/// A sweep over a single value has nothing to compare: the terminal says so under "What
/// mattered" instead of printing the heading alone.
#[test]
fn a_one_point_sweep_says_there_is_nothing_to_compare() {
    let d = temp_dir("one-point");
    let exp = write_experiment(
        &d,
        "one",
        r#"duration_s: 10, warmup_s: 0, window_s: 10, seeds: 2,
        design: ActiveActive(regions: ["eastus"]),
        populations: {"p": (lat: 36.67, lon: -78.39, rate_per_s: 5)},
        sweep: Grid({"client.retries": [1]}),"#,
    );
    let out = run_ok(&exp, &d.join("out"), &[]);
    let after = &out[out.find("What mattered").expect("the heading")..];
    assert!(
        after.contains("nothing to compare: no swept parameter took two values"),
        "{after}"
    );
}

/// The distinct parameters of a sensitivity.csv (its second column), sorted.
fn parameters(csv: &str) -> Vec<&str> {
    let set: std::collections::BTreeSet<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    set.into_iter().collect()
}

/// The paths of a `Zip` move together, so no run can tell their effects apart:
/// sensitivity.csv judges them as one parameter (`a + b`, at values `x + y`) rather than
/// repeating the same rows under each path. Paths of a `Grid` stay apart.
#[test]
fn zipped_paths_are_one_parameter_in_the_sensitivity_table() {
    let d = temp_dir("zip-sensitivity");
    let body = |sweep: &str| {
        format!(
            r#"duration_s: 20, warmup_s: 0, window_s: 10,
            design: ActiveActive(regions: ["eastus"]),
            populations: {{"p": (lat: 36.67, lon: -78.39, rate_per_s: 20)}},
            sweep: {sweep},"#
        )
    };
    let zip = write_experiment(
        &d,
        "zipped",
        &body(r#"Zip({"client.retries": [0, 2], "dns.ttl_s": [5, 60]})"#),
    );
    run_ok(&zip, &d.join("zip"), &[]);
    let csv = std::fs::read_to_string(d.join("zip/sensitivity.csv")).unwrap();
    assert_eq!(parameters(&csv), ["client.retries + dns.ttl_s"], "{csv}");
    assert!(csv.contains(",0 + 5,") && csv.contains(",2 + 60,"), "{csv}");
    let grid = write_experiment(
        &d,
        "grid",
        &body(r#"Grid({"client.retries": [0, 2], "dns.ttl_s": [5, 60]})"#),
    );
    run_ok(&grid, &d.join("grid"), &[]);
    let csv = std::fs::read_to_string(d.join("grid/sensitivity.csv")).unwrap();
    assert_eq!(parameters(&csv), ["client.retries", "dns.ttl_s"], "{csv}");
}

/// Results are replaced file by file, each atomically, with manifest.json last and the old
/// one removed first: a run that fails (or is killed) while writing leaves a directory with
/// no manifest, not an earlier run's manifest beside half of this run's files.
#[test]
fn a_run_stopped_while_writing_its_results_leaves_no_manifest() {
    let d = temp_dir("no-manifest");
    let exp = write_experiment(
        &d,
        "nm",
        r#"duration_s: 10, warmup_s: 0, window_s: 10,
        design: ActiveActive(regions: ["eastus"]),
        populations: {"p": (lat: 36.67, lon: -78.39, rate_per_s: 5)},"#,
    );
    let out = d.join("out");
    run_ok(&exp, &out, &[]);
    assert!(out.join("manifest.json").exists());
    // timeline.csv cannot be replaced (a directory stands in its place): writing stops there.
    std::fs::remove_file(out.join("timeline.csv")).unwrap();
    std::fs::create_dir(out.join("timeline.csv")).unwrap();
    std::fs::write(out.join("timeline.csv").join("x"), b"x").unwrap();
    let failed = regionsim(&["run", s(&exp), "--no-charts", "--quiet", "--out", s(&out)]);
    assert!(!failed.status.success());
    assert!(
        out.join("summary.csv").exists(),
        "written before the failure"
    );
    assert!(
        !out.join("manifest.json").exists(),
        "an earlier run's manifest beside this run's summary"
    );
}

/// Shards run from other inputs than the merge is given (the experiment edited since): merge
/// says the inputs changed, naming the case, rather than only that runs are missing.
#[test]
fn merge_says_when_the_shards_ran_from_other_inputs() {
    let d = temp_dir("merge-inputs");
    let body = |rate: u32| {
        format!(
            r#"duration_s: 10, warmup_s: 0, window_s: 10,
            design: ActiveActive(regions: ["eastus"]),
            populations: {{"p": (lat: 36.67, lon: -78.39, rate_per_s: {rate})}},"#
        )
    };
    let exp = write_experiment(&d, "mi", &body(20));
    let shards = d.join("shards");
    for k in 0..2 {
        let sh = format!("{k}/2");
        ok(&regionsim(&[
            "run",
            s(&exp),
            "--shard",
            &sh,
            "--quiet",
            "--no-charts",
            "--out",
            s(&shards),
        ]));
    }
    write_experiment(&d, "mi", &body(30));
    let merged = regionsim(&[
        "merge",
        s(&exp),
        s(&shards),
        "--quiet",
        "--no-charts",
        "--out",
        s(&d.join("merged")),
    ]);
    let err = String::from_utf8_lossy(&merged.stderr);
    assert_eq!(merged.status.code(), Some(2), "{err}");
    assert!(err.contains("from other inputs"), "{err}");
}

/// Every run record names the build that ran it (the source digest `--version` prints, also
/// in manifest.json). `--resume` simulates again a run whose record another build wrote, and
/// merge refuses shards of another build, naming both digests: records used to carry only a
/// format number raised by hand, so shards built from different sources merged silently.
#[test]
fn records_of_another_build_are_not_reused_or_merged() {
    let d = temp_dir("other-build");
    let exp = write_experiment(
        &d,
        "ob",
        r#"duration_s: 10, warmup_s: 0, window_s: 10,
        design: ActiveActive(regions: ["eastus"]),
        populations: {"p": (lat: 36.67, lon: -78.39, rate_per_s: 20)},"#,
    );
    let version = ok(&regionsim(&["--version"]));
    let ours = version
        .split("(source ")
        .nth(1)
        .and_then(|v| v.split(')').next())
        .unwrap_or_else(|| panic!("no source digest in {version:?}"))
        .to_string();
    assert_eq!(ours.len(), 16, "{version}");
    let out = d.join("out");
    run_ok(&exp, &out, &["--quiet"]);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["source"], ours.as_str());
    // Pretend another build wrote every record.
    let relabel = |dir: &Path| {
        for e in std::fs::read_dir(dir.join("runs")).unwrap().flatten() {
            let text = std::fs::read_to_string(e.path()).unwrap();
            let needle = format!("\"build\":\"{ours}\"");
            assert!(text.contains(&needle), "{text:.200}");
            std::fs::write(
                e.path(),
                text.replace(&needle, "\"build\":\"0123456789abcdef\""),
            )
            .unwrap();
        }
    };
    relabel(&out);
    let again = resume(&exp, &out);
    assert!(again.contains("1 simulated again"), "{again}");
    let shards = d.join("shards");
    for k in 0..2 {
        let sh = format!("{k}/2");
        ok(&regionsim(&[
            "run",
            s(&exp),
            "--seeds",
            "2",
            "--shard",
            &sh,
            "--quiet",
            "--no-charts",
            "--out",
            s(&shards),
        ]));
    }
    relabel(&shards);
    let merged = regionsim(&[
        "merge",
        s(&exp),
        s(&shards),
        "--seeds",
        "2",
        "--quiet",
        "--no-charts",
        "--out",
        s(&d.join("merged")),
    ]);
    let err = String::from_utf8_lossy(&merged.stderr);
    assert_eq!(merged.status.code(), Some(2), "{err}");
    assert!(
        err.contains("another build of regionsim (source 0123456789abcdef; this is")
            && err.contains(&ours),
        "{err}"
    );
}
