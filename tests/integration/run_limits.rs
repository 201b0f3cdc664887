//! What one file may ask of the machine: the per-run estimate of events and memory against
//! what the shipped experiments really did, and files over a limit refused before running.

use crate::{regionsim, root, shipped_experiments, temp_dir};
use regionsim::budget::{MAX_BYTES_PER_RUN, MAX_EVENTS_PER_RUN, estimate};

/// The event estimate is pessimistic (it never undercounts a shipped run) but not silly (at
/// most 4× the events the run delivered), case by case, against the committed results.
#[test]
fn event_estimates_bound_every_shipped_run_from_above() {
    let mut checked = 0;
    for exp in shipped_experiments() {
        let summary: serde_json::Value = serde_json::from_slice(
            &std::fs::read(root().join("results").join(&exp.name).join("summary.json")).unwrap(),
        )
        .unwrap();
        let runs = summary["variants"].as_array().unwrap();
        assert_eq!(runs.len(), exp.variants.len(), "{}", exp.name);
        for ((name, sc), run) in exp.variants.iter().zip(runs) {
            let actual = run["events"].as_f64().unwrap();
            let b = estimate(sc);
            let ratio = b.events / actual;
            assert!(
                (1.0..=4.0).contains(&ratio),
                "{} / {name}: estimated {:.3e} events, the run delivered {actual:.3e} (ratio {ratio:.2})",
                exp.name,
                b.events
            );
            assert!(b.events < MAX_EVENTS_PER_RUN && b.bytes < MAX_BYTES_PER_RUN);
            checked += 1;
        }
    }
    assert!(checked >= 40, "{checked} cases");
}

/// A file over a limit stops at validation: an error naming the limit, no results, fast.
#[test]
fn a_file_over_a_limit_is_refused_before_anything_runs() {
    let out = temp_dir("over-limit");
    for (file, what) in [
        ("memory-year-in-seconds.ron", "of memory"),
        ("events-replication-too-many.ron", "events"),
    ] {
        let f = root().join("tests/fixtures/bad").join(file);
        let started = std::time::Instant::now();
        let o = regionsim(&[
            "run",
            f.to_str().unwrap(),
            "--quiet",
            "--out",
            out.join(file).to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{file}: {err}");
        assert!(err.contains(what) && err.contains("the limit is"), "{err}");
        assert!(err.contains("nothing was simulated"), "{err}");
        assert!(!out.join(file).exists(), "{file}: results were written");
        // Validation only: well under the time any real run of these files would take.
        assert!(started.elapsed().as_secs() < 20, "{file}");
    }
}

/// Command-line values get the same treatment as values in a file: the seed limit holds, and
/// a bad value is a usage error (exit 2) with a message that says what would be right, before
/// anything runs.
#[test]
fn bad_option_values_are_usage_errors_before_anything_runs() {
    let out = temp_dir("bad-options");
    let out = out.to_str().unwrap();
    for (args, says) in [
        (
            &["--seeds", "100000"][..],
            "--seeds 100000: expected a number of replications from 1 to 10000",
        ),
        (
            &["--seeds", "0"],
            "--seeds 0: expected a number of replications from 1 to 10000",
        ),
        (
            &["--target-ci", "p99_ms=2:20000"],
            "MAX must be a whole number from 2 to 10000",
        ),
        (&["--target-ci", "p99_ms"], "expected METRIC=HALF_WIDTH"),
        (
            &["--shard", "3/3"],
            "--shard 3/3: K counts from 0 and must be below N: the shards of 3 are 0/3 to 2/3",
        ),
        (&["--shard", "0/0"], "--shard 0/0: N must be at least 1"),
        (&["--threads", "0"], "expected at least 1"),
    ] {
        let mut all = vec!["run", "experiments/global-latency.ron", "--out", out, "-q"];
        all.extend_from_slice(args);
        let o = regionsim(&all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!std::path::Path::new(out).join("summary.json").exists());
    }
    let o = regionsim(&["bench", "--customers", "0"]);
    assert_eq!(o.status.code(), Some(2));
}

/// The event estimate holds where the arrivals or the faults are not spread evenly: a run of
/// one hour with a diurnal curve that puts the whole day's traffic into that hour (it used to
/// be estimated at the mean rate: 4.0e5 events for a run of 2.2e6), and random outages every
/// second or so (left out before).
#[test]
fn event_estimates_count_the_diurnal_peak_and_random_outages() {
    let mut curve = vec!["0"; 24];
    curve[0] = "1";
    let e = crate::experiment(
        "busy-hour",
        &format!(
            r#"duration_s: 3600, warmup_s: 0,
            design: ActiveActive(regions: ["eastus", "westus2"]),
            populations: {{"new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 10,
                                        diurnal: [{}])}},
            variants: [
                (name: "busy-hour", overrides: {{}}),
                (name: "flapping", overrides: {{"populations.new-york.diurnal": None,
                    "populations.new-york.rate_per_s": 0.01,
                    "random_outages": (mtbf_h: 0.0003, mttr_h: 0.0003, shape: 1.0)}}),
            ],"#,
            curve.join(", ")
        ),
    );
    for (name, sc) in &e.variants {
        let out = regionsim::sim::run_scenario(sc, 1, None).unwrap();
        let b = estimate(sc);
        let ratio = b.events / out.events as f64;
        eprintln!("{name}: estimated {:.3e}, ran {}", b.events, out.events);
        assert!((1.0..=4.0).contains(&ratio), "{name}: ratio {ratio:.2}");
    }
}
