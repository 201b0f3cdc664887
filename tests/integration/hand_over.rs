//! The engine's hand-over (ordering guarantee 7) changes nothing: every shipped experiment, and
//! cases for the paths they do not take (shed requests, waiting and routed reads, a planned
//! failback), with users moved to zero distance so that requests and responses hop at once,
//! give the same events in the same order and the same results with and without it.

use super::data_layer::{SESSION_READS, SESSION_VARIANTS, ap_failback};
use regionsim::distribution::Dist;
use regionsim::engine::{SimTime, s_to_ns};
use regionsim::model::{Network, Scenario};
use regionsim::results::VariantResult;
use regionsim::sim::{run_scenario, run_scenario_queued};

/// `sc` with every population at zero distance from every region and no jitter; region-to-region
/// links (forwarded writes, replication) keep their delays. Runs are cut to `cap`.
pub(super) fn at_zero_distance(mut sc: Scenario, cap: SimTime) -> Scenario {
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
    let exps = super::shipped_experiments();
    let mut handed_over = 0;
    for exp in &exps {
        for (name, sc) in &exp.variants {
            handed_over += compare(&format!("{} / {name}", exp.name), sc.clone());
        }
    }
    eprintln!(
        "{} experiments, {handed_over} events handed over",
        exps.len()
    );
}

#[test]
fn handing_over_changes_nothing_on_the_paths_the_shipped_experiments_miss() {
    // Shed requests, timeouts and retries.
    let overload = super::root().join("tests/fixtures/overload.ron");
    let (e, _) = regionsim::config::load_experiment(&overload).unwrap();
    for (name, sc) in e.variants {
        compare(&format!("overload / {name}"), sc);
    }
    // Reads that wait for a write or are routed to the writer's region.
    let e = super::experiment(
        "hand-over-session",
        &format!("duration_s: 120, {SESSION_READS} variants: [{SESSION_VARIANTS}],"),
    );
    for (name, sc) in e.variants {
        compare(&format!("session / {name}"), sc);
    }
    // A failover and a planned failback that drains the primary.
    let e = super::experiment(
        "hand-over-failback",
        &format!(
            r#"{} variants: [(name: "failback", overrides: {{}})],"#,
            ap_failback()
        ),
    );
    for (name, sc) in e.variants {
        compare(&format!("failback / {name}"), sc);
    }
}
