//! Same files + seed → byte-identical results, whatever the thread count (SPEC §4).

use super::{regionsim, temp_dir};

const FILES: [&str; 4] = [
    "summary.csv",
    "summary.json",
    "timeline.csv",
    "manifest.json",
];

fn run_into(dir: &std::path::Path, extra: &[&str], env: Option<(&str, &str)>) {
    run_experiment_into("experiments/global-latency.ron", dir, extra, env)
}

fn run_experiment_into(
    experiment: &str,
    dir: &std::path::Path,
    extra: &[&str],
    env: Option<(&str, &str)>,
) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_regionsim"));
    cmd.current_dir(super::root())
        .args(["run", experiment, "--quiet", "--out", dir.to_str().unwrap()])
        .args(extra);
    if let Some((k, v)) = env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn same_seed_gives_byte_identical_results_for_any_thread_count() {
    let a = temp_dir("det-a");
    let b = temp_dir("det-b");
    let c = temp_dir("det-c");
    run_into(&a, &["--threads", "1"], None);
    run_into(&b, &["--threads", "2"], None);
    run_into(&c, &[], Some(("RAYON_NUM_THREADS", "1")));
    for f in FILES {
        let x = std::fs::read(a.join(f)).unwrap();
        assert!(!x.is_empty(), "{f} is empty");
        assert_eq!(
            x,
            std::fs::read(b.join(f)).unwrap(),
            "{f}: 1 thread vs 2 threads"
        );
        assert_eq!(
            x,
            std::fs::read(c.join(f)).unwrap(),
            "{f}: RAYON_NUM_THREADS=1"
        );
    }
}

#[test]
fn another_seed_gives_other_results() {
    let a = temp_dir("seed-a");
    let b = temp_dir("seed-b");
    run_into(&a, &["--seed", "1"], None);
    run_into(&b, &["--seed", "2"], None);
    assert_ne!(
        std::fs::read(a.join("summary.csv")).unwrap(),
        std::fs::read(b.join("summary.csv")).unwrap()
    );
}

#[test]
fn variants_share_arrivals_common_random_numbers() {
    let d = temp_dir("crn");
    run_into(&d, &[], None);
    let s = super::summary(&d);
    let variants = s["variants"].as_array().unwrap();
    assert!(variants.len() >= 3);
    for pop in variants[0]["populations"].as_array().unwrap() {
        let name = pop["name"].as_str().unwrap();
        for v in variants {
            let other = super::population(&s, v["variant"].as_str().unwrap(), name);
            assert_eq!(
                other["issued"], pop["issued"],
                "population {name} issued differs in {}",
                v["variant"]
            );
        }
    }
    let _ = regionsim(&["--version"]);
}

#[test]
fn faults_health_checks_and_failover_are_deterministic_too() {
    // Random outages, probes, TTL violators and promotions all draw from derived streams.
    let a = temp_dir("det-faults-a");
    let b = temp_dir("det-faults-b");
    run_experiment_into(
        "experiments/dns-ttl-failover.ron",
        &a,
        &["--threads", "1"],
        None,
    );
    run_experiment_into(
        "experiments/dns-ttl-failover.ron",
        &b,
        &["--threads", "2"],
        None,
    );
    for f in FILES.iter().chain(&["faults.csv", "failovers.csv"]) {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}: 1 thread vs 2 threads"
        );
    }
}

#[test]
fn check_determinism_mode_runs_twice_and_agrees() {
    let d = temp_dir("check-determinism");
    let out = regionsim(&[
        "run",
        "experiments/lww-clock-skew.ron",
        "--check-determinism",
        "--no-charts",
        "--out",
        d.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("determinism: two runs"), "{stderr}");
    assert!(stderr.contains("event trace(s) included"), "{stderr}");
    // Each run's event trace digest is in runs.csv, 16 hex digits. (Here they are all equal:
    // clock skew changes which write wins, not when or which events happen; the digest covers
    // event instants and kinds, and the results comparison covers the rest: engine docs.)
    let runs = std::fs::read_to_string(d.join("runs.csv")).unwrap();
    let header: Vec<&str> = runs.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "event_trace").unwrap();
    let traces: Vec<&str> = runs
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(col).unwrap())
        .collect();
    assert!(traces.len() > 1);
    assert!(
        traces
            .iter()
            .all(|t| t.len() == 16 && t.chars().all(|c| c.is_ascii_hexdigit())),
        "{traces:?}"
    );
}
