//! The command line as a user sees it: help, check and the printed summary.

use super::{regionsim, root, run_ok, temp_dir};

#[test]
fn check_reports_what_each_shipped_file_holds() {
    let out = regionsim(&[
        "check",
        "topologies/azure-15.ron",
        "topologies/aws-14.ron",
        "topologies/single-region.ron",
        "experiments/global-latency.ron",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let expected = "\
topologies/azure-15.ron: ok — topology `azure-15`: 15 regions, 210 region pairs from the matrix, 0 estimated
topologies/aws-14.ron: ok — topology `aws-14`: 14 regions, 182 region pairs from the matrix, 0 estimated
topologies/single-region.ron: ok — topology `single-region`: 1 region, 0 region pairs from the matrix, 0 estimated
experiments/global-latency.ron: ok — experiment `global-latency` on topology `azure-15`: 9 population(s), variants: one-region, three-regions, three-regions-ap, all-regions; 1 seed(s) each; about 432000 requests per run; at most about 5.4e6 events and 75.8 MB of memory per run (estimated)
";
    assert_eq!(stdout, expected);
}

#[test]
fn run_prints_a_table_per_population_and_writes_results() {
    let d = temp_dir("cli-table");
    let out = regionsim(&[
        "run",
        "experiments/global-latency.ron",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    // Piped: plain text, no colour codes (colours are for terminals only).
    assert!(!stdout.contains('\x1b'), "{stdout}");
    // Nothing failed: no table of failures.
    assert!(!stdout.contains("failed requests by reason"), "{stdout}");
    let header = stdout
        .lines()
        .find(|l| l.starts_with("variant"))
        .expect("table header");
    for col in [
        "population",
        "served by",
        "requests",
        "avail %",
        "p50 ms",
        "p95 ms",
        "p99 ms",
    ] {
        assert!(header.contains(col), "{header}");
    }
    assert!(
        stdout.lines().any(|l| l.starts_with("all-regions")
            && l.contains("tokyo")
            && l.contains("japaneast 100%")),
        "{stdout}"
    );
    for f in [
        "summary.csv",
        "summary.json",
        "timeline.csv",
        "manifest.json",
    ] {
        assert!(d.join(f).exists(), "{f}");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["master_seed"], 2026);
    let inputs = manifest["inputs"].as_array().unwrap();
    assert!(inputs.iter().any(|i| {
        i["path"]
            .as_str()
            .unwrap()
            .ends_with("azure_rtt_p50_2026-07.csv")
    }));
    assert!(
        inputs
            .iter()
            .all(|i| i["sha256"].as_str().unwrap().len() == 64)
    );
    // Written elsewhere than results/<name>, and the results do not say where (they would
    // differ between directories): the report says how to redraw it from wherever it is.
    let html = std::fs::read_to_string(d.join("report.html")).unwrap();
    assert!(html.contains("<pre>regionsim report DIR</pre>"));
    assert!(html.contains("unless <code>run</code> was given <code>--out</code>"));
}

/// Failed requests are broken down by reason under the summary table, each variant's counts
/// those of its summary.csv row; a variant where nothing failed gets no row, and a run where
/// nothing failed gets no table.
#[test]
fn run_says_why_requests_failed() {
    let d = temp_dir("cli-failures");
    let stdout = run_ok(&root().join("tests/fixtures/overload.ron"), &d);
    let block: Vec<Vec<&str>> = stdout
        .split("failed requests by reason, after the warm-up\n")
        .nth(1)
        .expect("a table of failures")
        .lines()
        .take_while(|l| !l.is_empty())
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect();
    assert_eq!(
        block[0],
        [
            "variant",
            "failed",
            "timeout",
            "overload",
            "unreachable",
            "no region",
            "error",
        ]
    );
    let csv = std::fs::read_to_string(d.join("summary.csv")).unwrap();
    let head: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = |n: &str| head.iter().position(|h| *h == n).unwrap();
    let mut rows = 0;
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[col("scope")] != "overall" {
            continue;
        }
        let printed = block.iter().find(|r| r[0] == f[col("variant")]);
        if f[col("failed")] == "0" {
            assert!(printed.is_none(), "{printed:?}");
            continue;
        }
        let printed = printed.expect("a row for a variant with failures");
        rows += 1;
        assert_eq!(printed[1], f[col("failed")]);
        for (i, reason) in [
            "failed_timeout",
            "failed_overload",
            "failed_unreachable",
            "failed_no_region",
        ]
        .iter()
        .enumerate()
        {
            let count = printed[i + 2].split(' ').next().unwrap();
            assert_eq!(count, f[col(reason)], "{reason}: {printed:?}");
        }
    }
    assert!(rows > 0, "{stdout}");
}

#[test]
fn csv_format_prints_the_summary_file() {
    let d = temp_dir("cli-csv");
    let out = regionsim(&[
        "run",
        "experiments/global-latency.ron",
        "--format",
        "csv",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert_eq!(out.stdout, std::fs::read(d.join("summary.csv")).unwrap());
}

#[test]
fn help_teaches_the_commands() {
    let out = regionsim(&["--help"]);
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    for w in [
        "run",
        "check",
        "bench",
        "regionsim run experiments/global-latency.ron",
    ] {
        assert!(s.contains(w), "{s}");
    }
    let out = regionsim(&["run", "--help"]);
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("--seed") && s.contains("--threads") && s.contains("--out"));
}

/// `check --help` promises what `check` does: a file that does not parse stops at its first
/// syntax error; semantic problems come all at once.
#[test]
fn check_help_says_what_it_reports() {
    let out = regionsim(&["check", "--help"]);
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(!s.contains("every problem at once"), "{s}");
    assert!(
        s.contains("first such error") && s.contains("every semantic problem"),
        "{s}"
    );
}

/// An experiment about data prints the data layer's answer too, not only availability: the
/// figures equal summary.json's.
#[test]
fn run_prints_the_data_layer_when_data_replicates() {
    let d = temp_dir("cli-data");
    let out = regionsim(&[
        "run",
        "experiments/split-brain.ron",
        "--out",
        d.to_str().unwrap(),
        "--no-charts",
    ]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let table = stdout
        .split("data layer, after the warm-up")
        .nth(1)
        .expect("a data layer table");
    let summary = super::summary(&d);
    for v in summary["variants"].as_array().unwrap() {
        let name = v["variant"].as_str().unwrap();
        let row: Vec<&str> = table
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no row for {name}:\n{table}"))
            .split_whitespace()
            .collect();
        let data = &v["data"];
        for (col, key) in [
            (1, "writes"),
            (2, "conflicts"),
            (3, "lost_updates"),
            (4, "wrong_winners"),
        ] {
            assert_eq!(row[col], data[key].to_string(), "{name} {key}");
        }
        assert_eq!(
            row[9],
            format!("{:.3}", data["convergence_s"].as_f64().unwrap()),
            "{name}"
        );
    }
    // One region, nothing to replicate: no data table.
    let d = temp_dir("cli-no-data");
    let out = regionsim(&[
        "run",
        "tests/fixtures/overload.ron",
        "--out",
        d.to_str().unwrap(),
        "--no-charts",
    ]);
    assert!(
        !String::from_utf8(out.stdout)
            .unwrap()
            .contains("data layer")
    );
}

/// The stale-reads-by-population table matches populations by name: a variant may list them in
/// another order or add one (it used to take the first variant's order for every row, and
/// panicked on a population the first variant lacked).
#[test]
fn stale_reads_by_population_match_populations_by_name() {
    let d = temp_dir("cli-pops");
    let pop = |name: &str, lat: f64, lon: f64, anchor: &str, writes: f64| {
        format!(
            r#""{name}": (lat: {lat}, lon: {lon}, anchor: "{anchor}", rate_per_s: 20, write_fraction: {writes}, keys: (count: 100, zipf_s: 0.5)),"#
        )
    };
    let (ny, london, paris) = (
        pop("new-york", 40.71, -74.01, "eastus", 0.5),
        pop("london", 51.51, -0.13, "westeurope", 0.0),
        pop("paris", 48.85, 2.35, "westeurope", 0.0),
    );
    let e = format!(
        r#"Experiment(name: "pops", topology: "{}", duration_s: 300, warmup_s: 10, window_s: 10,
        design: ActivePassive(primary: "eastus", standbys: ["westeurope"], read_local: true, failover: Off),
        data: (replication: (mode: Async, lag: Constant(ms: 2000.0))),
        populations: {{ {ny} {london} }},
        variants: [
            (name: "base", overrides: {{}}),
            (name: "swapped", overrides: {{"populations": {{ {london} {ny} {paris} }}}}),
        ])"#,
        super::root().join("topologies/azure-15.ron").display()
    );
    let f = d.join("pops.ron");
    std::fs::write(&f, e).unwrap();
    let stdout = super::run_ok(&f, &d.join("out"));
    let table = stdout
        .split("stale reads % by population of the reader\n")
        .nth(1)
        .expect("a by-population table");
    let lines: Vec<Vec<&str>> = table
        .lines()
        .take(3)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(lines[0], ["variant", "new-york", "london", "paris"]);
    let csv = std::fs::read_to_string(d.join("out/data.csv")).unwrap();
    let col = csv
        .lines()
        .next()
        .unwrap()
        .split(',')
        .position(|h| h == "stale_read_ratio")
        .expect("a stale_read_ratio column");
    let ratio = |variant: &str, pop: &str| -> String {
        csv.lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|c| c[0] == variant && c[1] == "population" && c[2] == pop)
            .map_or("-".into(), |c| {
                format!("{:.3}", c[col].parse::<f64>().unwrap() * 100.0)
            })
    };
    for row in &lines[1..] {
        for (i, pop) in ["new-york", "london", "paris"].iter().enumerate() {
            assert_eq!(row[i + 1], ratio(row[0], pop), "{} {pop}:\n{table}", row[0]);
        }
    }
    // New York reads at the primary; Londoners at the standby, two seconds behind.
    assert_eq!(lines[1][1], "0.000", "{table}");
    assert_ne!(lines[1][2], "0.000", "{table}");
    assert_eq!(lines[1][3], "-", "{table}");
}

#[test]
fn summary_csv_leaves_latency_empty_where_nothing_succeeded() {
    // Reads only: no write is made, so the write latency columns have nothing to report.
    let dir = temp_dir("csv-empty-latency");
    let file = dir.join("e.ron");
    std::fs::write(
        &file,
        format!(
            r#"Experiment(name: "csv-empty-latency", topology: "{}",
            duration_s: 20, warmup_s: 2, window_s: 2,
            design: ActiveActive(regions: ["eastus"]),
            populations: {{
                "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 20, write_fraction: 0),
            }})"#,
            root().join("topologies/azure-15.ron").display()
        ),
    )
    .unwrap();
    let out = dir.join("out");
    run_ok(&file, &out);
    let csv = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(row[col("scope")], "overall");
    assert!(
        row[col("read_p50_ms")].parse::<f64>().unwrap() > 0.0,
        "{csv}"
    );
    // Before, these read 0.000, as if writes had been answered in no time.
    assert_eq!(row[col("write_p50_ms")], "", "{csv}");
    assert_eq!(row[col("write_p99_ms")], "", "{csv}");
}

/// `bench` outside the repository (no experiments/ there) runs the M/M/c benchmarks and says
/// it timed no experiment, instead of failing before them on its default experiment's path.
#[test]
fn bench_outside_the_repository_runs_the_mmc_benchmarks_and_says_why_no_experiment() {
    let d = temp_dir("bench-elsewhere");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_regionsim"))
        .args(["bench", "--customers", "2000"])
        .current_dir(&d)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(stdout.matches("M/M/c").count(), 2, "{stdout}");
    assert!(stderr.contains("no experiment timed"), "{stderr}");
}

/// A fault's cost is one draw when each case runs under one seed (the architect's failover lost
/// 231 writes against a 10-seed mean of 71): the table says so under a run with faults, and
/// not when there are several seeds or no fault.
#[test]
fn a_single_seed_run_with_faults_says_its_figures_are_one_draw() {
    let note = "one seed per case: what a fault costs";
    let sweep = root().join("tests/fixtures/tiny-sweep.ron");
    let stdout = run_ok(&sweep, &temp_dir("cli-one-seed"));
    assert!(
        stdout.contains("what a fault costs (writes lost at failover, RPO, RTO)"),
        "{stdout}"
    );
    // Without a failover there are no lost writes and no RPO to name.
    let d = temp_dir("cli-one-seed-no-failover");
    let spike = d.join("spike.ron");
    std::fs::write(
        &spike,
        format!(
            r#"Experiment(name: "spike", topology: "{}", duration_s: 30, warmup_s: 2, window_s: 2,
            design: ActiveActive(regions: ["eastus", "westeurope"]),
            faults: [LatencySpike(a: "eastus", at_s: 10, for_s: 10, extra_ms: 300)],
            populations: {{ "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 50) }})"#,
            root().join("topologies/azure-15.ron").display()
        ),
    )
    .unwrap();
    let stdout = run_ok(&spike, &d.join("out"));
    assert!(
        stdout.contains("what a fault costs (failed requests, RTO)") && !stdout.contains("RPO"),
        "{stdout}"
    );
    let d = temp_dir("cli-two-seeds");
    let o = regionsim(&[
        "run",
        sweep.to_str().unwrap(),
        "--seeds",
        "2",
        "--out",
        d.to_str().unwrap(),
        "--no-charts",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success() && !stdout.contains(note), "{stdout}");
    let stdout = run_ok(
        &root().join("tests/fixtures/overload.ron"),
        &temp_dir("cli-no-fault"),
    );
    assert!(!stdout.contains(note), "{stdout}");
}
