//! Slow regions (`Slowdown` faults): a region that stays up but serves every request a factor
//! slower queues as queueing theory says, the fault owns the failures it causes, and only
//! health checks whose probes go through its servers take it out of service.

use super::experiment;
use super::validation::mean_ci;
use super::{run, variant};
use regionsim::bench::mmc_scenario;
use regionsim::model::{Fault, FaultKind};
use regionsim::rng::derive_seed;
use regionsim::sim::run_scenario;

/// M/M/5 with a 100 ms mean service slowed 2× over the whole run is M/M/5 with a 200 ms mean:
/// at λ = 20/s the offered load is 4 (ρ = 0.8), and the mean wait in queue is Erlang C's
/// C(5, 4) / (5μ − λ) with μ = 5/s. Replications' 95% interval must cover it (and the same
/// queue without the fault waits far less: ρ = 0.4).
#[test]
fn a_slowdown_queues_as_the_slower_service_would() {
    let (lambda, c, duration_s) = (20.0, 5, 4_000.0);
    let mut sc = mmc_scenario(lambda, c, 0.1, duration_s, 200.0);
    sc.faults.push(Fault {
        label: "Slowdown(server, 2×)".into(),
        kind: FaultKind::Slowdown {
            region: 0,
            factor: 2.0,
            probes_slow: false,
        },
        start: 0,
        end: regionsim::engine::s_to_ns(duration_s * 2.0),
    });
    let waits: Vec<f64> = (0..10)
        .map(|i| {
            let out = run_scenario(&sc, derive_seed(1, &format!("slowdown/{i}")), None).unwrap();
            let p = &out.pools[0];
            p.wait_sum as f64 / p.wait_count as f64 / 1e9
        })
        .collect();
    let mu = 1.0 / 0.2;
    let theory = super::queueing_theory::erlang_c(c, lambda / mu) / (c as f64 * mu - lambda);
    let (m, half) = mean_ci(&waits, 0.95);
    eprintln!("M/M/5 slowed 2×: mean wait {m:.4} s ± {half:.4} (95% CI), Erlang C {theory:.4} s");
    assert!(
        (m - theory).abs() <= half,
        "mean wait {m:.4} ± {half:.4} does not cover {theory:.4}"
    );
    assert!(half < 0.1 * theory, "CI half-width {half} too wide");
}

/// New York's users at eastus, which slows 20× for 150 s of a 300 s run: with 32 servers and a
/// 4.2 ms mean read, 2 000 requests/s need 8.4 servers, slowed 167, so the queue grows until
/// clients give up. Shallow probes answer from outside the servers and pass; deep probes wait
/// behind the queue, time out (1 s), and the standby takes over.
fn slow_primary() -> regionsim::model::Experiment {
    experiment(
        "slow-failover",
        r#"duration_s: 300, warmup_s: 10, window_s: 10,
        dns: (policy: Latency, ttl_s: 10),
        health: (interval_s: 5, failure_threshold: 2, recovery_threshold: 2, timeout_ms: 1000,
                 checkers: ["eastus", "westus2", "northeurope"]),
        client: (timeout_ms: 2000, connect_timeout_ms: 1000, retries: 0, backoff_base_ms: 50,
                 backoff_max_ms: 1000, deadline_ms: 10000, re_resolve_on_failure: true),
        design: ActivePassive(primary: "eastus", standbys: ["westus2"],
                              failover: Automatic(promotion_s: 10)),
        faults: [Slowdown(region: "eastus", factor: 20, at_s: 100, for_s: 150)],
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 2000,
                         users: 20000, resolvers: 1000),
        },
        variants: [
            (name: "shallow", overrides: {}),
            (name: "deep", overrides: {"faults.0.probes_slow": true}),
        ],"#,
    )
}

#[test]
fn shallow_checks_miss_a_slow_region_and_deep_ones_fail_over() {
    let e = slow_primary();
    let shallow = run(variant(&e, "shallow"), 3);
    let deep = run(variant(&e, "deep"), 3);
    let (s, d) = (&shallow.faults[0], &deep.faults[0]);
    eprintln!(
        "shallow: failed {} (charged {}, slowed arrivals {}, failovers {}); deep: failed {} \
         (charged {}, probes failed {}, failovers {})",
        shallow.overall.failed,
        s.failed_requests,
        s.slowed_arrivals,
        shallow.failovers.len(),
        deep.overall.failed,
        d.failed_requests,
        d.probes_failed,
        deep.failovers.len()
    );
    assert!(s.fault.starts_with("Slowdown(eastus, 20×"), "{}", s.fault);
    // Shallow: no probe fails and eastus keeps its users. The pool serves 32 / (20 × 4.2 ms)
    // ≈ 380 of the 2 000 requests a second, so its queue soon holds the 2 s of work its
    // clients wait for; from then each request reaches a server as its client's timer fires
    // (FIFO congestion collapse), and nearly every request of the 150 s fails.
    assert!(shallow.failovers.is_empty());
    assert_eq!(s.probes_failed, 0);
    assert!(s.slowed_arrivals > 290_000, "{}", s.slowed_arrivals);
    let failed = shallow.overall.failed as f64;
    assert!(failed > 0.9 * 2000.0 * 150.0, "{failed}");
    // The fault owns its failures (timeouts and overloads at the slowed region).
    assert!(
        s.failed_requests as f64 > 0.95 * failed,
        "{}",
        s.failed_requests
    );
    // Deep: probes fail, eastus is failed over, and far fewer requests fail.
    assert_eq!(deep.failovers.len(), 1, "{:?}", deep.failovers);
    assert_eq!(deep.failovers[0].to.as_deref(), Some("westus2"));
    assert!(d.probes_failed > 0);
    assert!((deep.overall.failed as f64) < 0.3 * failed);
}

/// A slowdown that ends leaves the region as fast as before: the users recover within a few
/// windows of its end (RTO, SPEC §3: back at the SLO for 3 windows of 10 s), and a deep check
/// that fails the region over recovers them well before it ends.
#[test]
fn users_recover_when_a_slowdown_ends_or_a_deep_check_fails_it_over() {
    let e = slow_primary();
    let shallow = run(variant(&e, "shallow"), 4);
    let deep = run(variant(&e, "deep"), 4);
    let (s, d) = (&shallow.faults[0], &deep.faults[0]);
    eprintln!("RTO: shallow {:?} s, deep {:?} s", s.rto_s, d.rto_s);
    assert!(s.recovered && d.recovered);
    let rto = s.rto_s.unwrap();
    assert!((150.0..=190.0).contains(&rto), "shallow RTO {rto}");
    assert!(d.rto_s.unwrap() < 100.0, "deep RTO {:?}", d.rto_s);
}

#[test]
fn a_slowdown_factor_below_one_is_refused() {
    let body = r#"Experiment(name: "bad", topology: "TOPO", duration_s: 60,
        design: ActiveActive(regions: ["eastus"]),
        faults: [Slowdown(region: "eastus", factor: 0.5, at_s: 0, for_s: 10)],
        populations: { "ny": (lat: 40.71, lon: -74.01, rate_per_s: 10) })"#;
    let d = super::temp_dir("slowdown-bad");
    let f = d.join("bad.ron");
    let topo = super::root().join("topologies/azure-15.ron");
    std::fs::write(&f, body.replace("TOPO", &topo.display().to_string())).unwrap();
    let err = regionsim::config::load_experiment(&f)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "Slowdown.factor is how many times longer each service takes, in [1, 1000]; found 0.5"
        ),
        "{err}"
    );
}
