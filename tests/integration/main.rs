//! The integration-test binary: one module per behaviour.

mod bad_input;
mod bad_input_golden;
mod charts;
mod cli_output;
mod cost_and_residency;
mod data_layer;
mod determinism;
mod dns_caches;
mod docs_quote_results;
mod faults_and_failover;
mod gray_failure;
mod hand_over;
mod latency_geography;
mod loader_fuzz;
mod queueing_theory;
mod quorum;
mod request_conservation;
mod run_limits;
mod sim_fuzz;
mod slowdown;
mod sweeps_and_seeds;
mod validation;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the regionsim binary with `args` from the repository root.
pub fn regionsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_regionsim"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the regionsim binary runs")
}

/// `regionsim run <file> --out <out> --no-charts`, which must succeed; its stdout.
pub fn run_ok(file: &Path, out: &Path) -> String {
    let o = regionsim(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--no-charts",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    stdout
}

/// The `.ron` files of `dir` (relative to the repository root), sorted by name.
pub fn ron_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    files
}

/// Every shipped experiment, loaded from experiments/, in file-name order.
pub fn shipped_experiments() -> Vec<regionsim::model::Experiment> {
    let paths = ron_files("experiments");
    assert!(paths.len() >= 7, "{paths:?}");
    paths
        .iter()
        .map(|p| regionsim::config::load_experiment(p).unwrap().0)
        .collect()
}

/// A fresh, empty directory under the system temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("regionsim-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Loads an experiment written from `body` (the text inside `Experiment( … )`) on azure-15.
pub fn experiment(name: &str, body: &str) -> regionsim::model::Experiment {
    experiment_and_warnings(name, body).0
}

/// [`experiment`], with the warnings the loader gave.
pub fn experiment_and_warnings(
    name: &str,
    body: &str,
) -> (
    regionsim::model::Experiment,
    Vec<regionsim::config::Diagnostic>,
) {
    match regionsim::config::load_experiment(&write_experiment(name, body)) {
        Ok(loaded) => loaded,
        Err(e) => panic!("{e}"),
    }
}

/// The loader's errors for an experiment written from `body` on azure-15, which must not load.
pub fn experiment_error(name: &str, body: &str) -> String {
    match regionsim::config::load_experiment(&write_experiment(name, body)) {
        Ok(_) => panic!("`{name}` loaded"),
        Err(e) => e.to_string(),
    }
}

/// Writes `Experiment(name: …, topology: azure-15, body)` into a fresh directory; its path.
pub fn write_experiment(name: &str, body: &str) -> PathBuf {
    let d = temp_dir(name);
    let topo = root().join("topologies/azure-15.ron");
    let text = format!(
        "Experiment(name: \"{name}\", topology: \"{}\", {body})",
        topo.display()
    );
    let f = d.join("e.ron");
    std::fs::write(&f, text).unwrap();
    f
}

/// The scenario of variant `name`.
pub fn variant<'a>(
    e: &'a regionsim::model::Experiment,
    name: &str,
) -> &'a regionsim::model::Scenario {
    &e.variants.iter().find(|(n, _)| n == name).unwrap().1
}

/// Simulates `sc` under `seed` and summarises it.
pub fn run(sc: &regionsim::model::Scenario, seed: u64) -> regionsim::results::VariantResult {
    let out = regionsim::sim::run_scenario(sc, seed, None).unwrap();
    regionsim::results::VariantResult::build("v", sc, seed, &out)
}

/// Reads summary.json of a results directory.
pub fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

/// The population entry `name` of variant `variant` in a summary.
pub fn population<'a>(
    s: &'a serde_json::Value,
    variant: &str,
    name: &str,
) -> &'a serde_json::Value {
    let v = s["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["variant"] == variant)
        .unwrap_or_else(|| panic!("variant {variant}"));
    v["populations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("population {name}"))
}
