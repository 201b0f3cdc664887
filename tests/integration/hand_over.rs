//! The engine's hand-over (ordering guarantee 7) changes nothing: every shipped experiment, with
//! its users moved to zero distance so that requests and responses hop at once, delivers the
//! same events in the same order with and without it.

use regionsim::distribution::Dist;
use regionsim::engine::{SimTime, s_to_ns};
use regionsim::model::{Network, Scenario};
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
            let sc = at_zero_distance(sc, s_to_ns(2.0 * 3600.0));
            let fast = run_scenario(&sc, 7, None).expect("conserves requests");
            let queued = run_scenario_queued(&sc, 7).expect("conserves requests");
            let what = format!("{} / {name}", file.display());
            assert_eq!(queued.handed_over, 0, "{what}");
            assert_eq!(fast.events, queued.events, "{what}: events");
            assert_eq!(fast.trace, queued.trace, "{what}: event trace");
            let (a, b) = (fast.counts, queued.counts);
            assert_eq!(
                (a.issued, a.ok, a.failed),
                (b.issued, b.ok, b.failed),
                "{what}"
            );
            assert_eq!(
                format!("{:?}", fast.pools),
                format!("{:?}", queued.pools),
                "{what}: pools"
            );
            assert_eq!(
                format!("{:?}", fast.faults),
                format!("{:?}", queued.faults),
                "{what}: faults"
            );
            handed_over += fast.handed_over;
        }
    }
    // The comparison means something only if events were handed over.
    assert!(
        handed_over > 1_000_000,
        "only {handed_over} events handed over"
    );
    eprintln!(
        "{} experiments, {handed_over} events handed over",
        files.len()
    );
}
