//! The engine's hand-over (ordering guarantee 7) changes nothing: every shipped experiment, and
//! cases for the paths they do not take (shed requests, waiting and routed reads, a planned
//! failback), with users moved to zero distance so that requests and responses hop at once,
//! give the same events in the same order and the same results with and without it.

use regionsim::distribution::Dist;
use regionsim::engine::{SimTime, s_to_ns};
use regionsim::model::{Network, Scenario};
use regionsim::results::VariantResult;
use regionsim::sim::{run_scenario, run_scenario_queued};
use std::path::Path;

/// `sc` with every population at zero distance from every region and no jitter; region-to-region
/// links (forwarded writes, replication) keep their delays. Runs are cut to `cap`.
fn at_zero_distance(mut sc: Scenario, cap: SimTime) -> Scenario {
    let n = sc.regions.len();
    let p = sc.populations.len();
    let (mut rtt, mut estimated) = (Vec::with_capacity(n * n), Vec::with_capacity(n * n));
    for a in 0..n as u16 {
        for b in 0..n as u16 {
            rtt.push(sc.network.region_rtt(a, b));
            estimated.push(sc.network.region_estimated(a, b));
        }
    }
    sc.network = Network::new(
        n,
        rtt,
        estimated,
        vec![0; p * n],
        vec![0; p * n],
        Dist::Constant(0),
    );
    sc.duration = sc.duration.min(cap);
    sc.warmup = sc.warmup.min(sc.duration / 10);
    sc
}

/// Runs `sc` at zero distance with the hand-over on and off and compares everything; returns how
/// many events were handed over (at least one, or the comparison would mean nothing).
fn compare(what: &str, sc: Scenario) -> u64 {
    let sc = at_zero_distance(sc, s_to_ns(2.0 * 3600.0));
    let fast = run_scenario(&sc, 7, None).expect("conserves requests");
    let queued = run_scenario_queued(&sc, 7).expect("conserves requests");
    assert_eq!(queued.handed_over, 0, "{what}");
    assert!(fast.handed_over > 0, "{what}: nothing handed over");
    assert_eq!(fast.events, queued.events, "{what}: events");
    assert_eq!(fast.trace, queued.trace, "{what}: event trace");
    // The digest sees times and kinds, not which request: the results see the rest.
    let summary = |out| serde_json::to_string(&VariantResult::build("v", &sc, 7, out)).unwrap();
    assert_eq!(summary(&fast), summary(&queued), "{what}: results");
    fast.handed_over
}

#[test]
fn handing_zero_delay_hops_over_changes_no_shipped_experiment() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    let mut handed_over = 0;
    for file in &files {
        let (exp, _) =
            regionsim::config::load_experiment(file).expect("a shipped experiment loads");
        for (name, sc) in exp.variants {
            handed_over += compare(&format!("{} / {name}", file.display()), sc);
        }
    }
    eprintln!(
        "{} experiments, {handed_over} events handed over",
        files.len()
    );
}

#[test]
fn handing_over_changes_nothing_on_the_paths_the_shipped_experiments_miss() {
    // Shed requests, timeouts and retries.
    let overload = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/overload.ron");
    let (e, _) = regionsim::config::load_experiment(&overload).unwrap();
    for (name, sc) in e.variants {
        compare(&format!("overload / {name}"), sc);
    }
    // Reads that wait for a write or are routed to the writer's region.
    let e = super::experiment(
        "hand-over-session",
        r#"duration_s: 120, warmup_s: 10, window_s: 10,
        design: ActivePassive(primary: "eastus", standbys: ["westeurope"], read_local: true),
        data: (replication: (lag: Constant(ms: 500.0))),
        populations: {
            "london": (lat: 51.51, lon: -0.13, anchor: "northeurope", rate_per_s: 50, write_fraction: 0.5,
                       users: 20, keys: (count: 5, zipf_s: 0.0)),
        },
        variants: [
            (name: "wait", overrides: {"data.consistency": SessionWait}),
            (name: "route", overrides: {"data.consistency": SessionRoute}),
            (name: "bounded", overrides: {"data.consistency": BoundedStaleness(max_ms: 100.0)}),
        ],"#,
    );
    for (name, sc) in e.variants {
        compare(&format!("session / {name}"), sc);
    }
    // A failover and a planned failback that drains the primary.
    let e = super::experiment(
        "hand-over-failback",
        r#"duration_s: 900, warmup_s: 10, window_s: 10,
        design: ActivePassive(primary: "eastus", standbys: ["westus2", "northeurope"],
                              failover: Automatic(promotion_s: 30), failback: Planned(after_s: 0)),
        health: (interval_s: 10, failure_threshold: 3, checkers: ["westus2", "northeurope", "japaneast"]),
        faults: [RegionOutage(region: "eastus", at_s: 300, for_s: 400)],
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 100, write_fraction: 1.0,
                         keys: (count: 1000, zipf_s: 0.5)),
        },
        data: (replication: (mode: Async, lag: Exponential(mean_ms: 200.0))),
        variants: [(name: "failback", overrides: {})],"#,
    );
    for (name, sc) in e.variants {
        compare(&format!("failback / {name}"), sc);
    }
}
