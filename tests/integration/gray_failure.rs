//! Gray failures (`ErrorRate` faults): a region that stays up and answers a share of its
//! requests with an error fails them at the closed-form rate, writes it refuses are not
//! committed, and only health checks that see the errors take it out of service.

use super::{experiment, run, variant};
use regionsim::results::VariantResult;

/// One region, New York's users beside it, an error rate over the whole run and no health
/// checks: `retries` decides how many attempts a request gets.
fn one_region(fraction: f64, write_fraction: f64) -> regionsim::model::Experiment {
    experiment(
        "error-rate",
        &format!(
            r#"duration_s: 120, warmup_s: 10, window_s: 10,
            design: ActiveActive(regions: ["eastus"]),
            client: (timeout_ms: 2000, connect_timeout_ms: 1000, retries: 0, backoff_base_ms: 50,
                     backoff_max_ms: 1000, deadline_ms: 10000, re_resolve_on_failure: false),
            faults: [ErrorRate(region: "eastus", fraction: {fraction}, at_s: 0, for_s: 120)],
            populations: {{
                "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 200,
                             users: 2000, resolvers: 200, write_fraction: {write_fraction}),
            }},
            variants: [
                (name: "no-retries", overrides: {{}}),
                (name: "two-retries", overrides: {{"client.retries": 2}}),
            ],"#
        ),
    )
}

/// The share of ended requests that failed, and how far it may lie from `p` in a binomial
/// sample of that many: 4.5 standard deviations (a false alarm about once in 150 000 runs).
fn failed_share_near(r: &VariantResult, p: f64) -> (f64, f64) {
    let ended = (r.overall.ok + r.overall.failed) as f64;
    let share = r.overall.failed as f64 / ended;
    (share, 4.5 * (p * (1.0 - p) / ended).sqrt())
}

#[test]
fn an_error_rate_fails_requests_at_the_closed_form_rate() {
    let e = one_region(0.3, 0.0);
    // Each attempt is answered with an error with probability 0.3, independently: a request
    // with n retries (all back to the same region, well within its deadline) fails with
    // probability 0.3^(n + 1).
    for (name, p) in [("no-retries", 0.3), ("two-retries", 0.3f64.powi(3))] {
        let r = run(variant(&e, name), 4);
        let (share, tolerance) = failed_share_near(&r, p);
        eprintln!(
            "{name}: {} of {} ended requests failed ({share:.4}, expected {p:.4} ± {tolerance:.4})",
            r.overall.failed,
            r.overall.ok + r.overall.failed
        );
        assert!((share - p).abs() < tolerance, "{name}: {share} vs {p}");
        // Every failure is an error answer, and the fault owns it.
        assert_eq!(r.overall.failed_error, r.overall.failed);
        let f = &r.faults[0];
        assert!(f.fault.starts_with("ErrorRate(eastus, 30%"), "{}", f.fault);
        assert_eq!(f.failed_requests, r.overall.failed);
        assert!(f.errors >= r.overall.failed && !f.no_effect);
    }
}

#[test]
fn a_write_answered_with_an_error_is_not_committed() {
    let e = one_region(1.0, 1.0);
    let r = run(variant(&e, "two-retries"), 1);
    assert!(r.overall.failed > 10_000, "{}", r.overall.failed);
    assert_eq!(r.overall.ok, 0);
    assert_eq!(
        r.data.writes, 0,
        "a write refused with an error was committed"
    );
}

#[test]
fn shallow_health_checks_miss_a_gray_failure_and_deep_ones_fail_over() {
    let e = experiment(
        "gray-failover",
        r#"duration_s: 300, warmup_s: 10, window_s: 10,
        dns: (policy: Latency, ttl_s: 10),
        health: (interval_s: 5, failure_threshold: 2, recovery_threshold: 2, timeout_ms: 2000,
                 checkers: ["eastus", "westus2", "northeurope"]),
        client: (timeout_ms: 2000, connect_timeout_ms: 1000, retries: 0, backoff_base_ms: 50,
                 backoff_max_ms: 1000, deadline_ms: 10000, re_resolve_on_failure: true),
        design: ActivePassive(primary: "eastus", standbys: ["westus2"],
                              failover: Automatic(promotion_s: 10)),
        faults: [ErrorRate(region: "eastus", fraction: 1.0, at_s: 100, for_s: 150)],
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 100,
                         users: 2000, resolvers: 200),
        },
        variants: [
            (name: "shallow", overrides: {}),
            (name: "deep", overrides: {"faults": [ErrorRate(region: "eastus", fraction: 1.0,
                                                             at_s: 100, for_s: 150, probes_fail: true)]}),
        ],"#,
    );
    let shallow = run(variant(&e, "shallow"), 2);
    let deep = run(variant(&e, "deep"), 2);
    eprintln!(
        "errors: shallow {} (failovers {}), deep {} (failovers {}, probes failed {})",
        shallow.overall.failed_error,
        shallow.failovers.len(),
        deep.overall.failed_error,
        deep.failovers.len(),
        deep.faults[0].probes_failed
    );
    // Shallow probes keep passing: no failover, and every request of the 150 s fails.
    assert!(shallow.failovers.is_empty());
    assert_eq!(shallow.faults[0].probes_failed, 0);
    let expected = 100.0 * 150.0;
    let e_shallow = shallow.overall.failed_error as f64;
    assert!((e_shallow / expected - 1.0).abs() < 0.05, "{e_shallow}");
    // Deep probes fail: eastus is marked unhealthy within two intervals and the standby is
    // promoted 10 s later; once the resolvers' 10 s TTL has run out users reach westus2.
    // Errors stop within about 5 × 2 + 10 + 10 + a probe's offset ≈ 35 s of the 150.
    assert_eq!(deep.failovers.len(), 1, "{:?}", deep.failovers);
    assert_eq!(deep.failovers[0].to.as_deref(), Some("westus2"));
    assert!(deep.faults[0].probes_failed > 0);
    let e_deep = deep.overall.failed_error as f64;
    assert!(e_deep < 0.3 * e_shallow, "{e_deep} vs {e_shallow}");
}

#[test]
fn an_error_rate_outside_zero_to_one_is_refused() {
    let body = r#"Experiment(name: "bad", topology: "TOPO", duration_s: 60,
        design: ActiveActive(regions: ["eastus"]),
        faults: [ErrorRate(region: "eastus", fraction: 1.5, at_s: 0, for_s: 10)],
        populations: { "ny": (lat: 40.71, lon: -74.01, rate_per_s: 10) })"#;
    let d = super::temp_dir("error-rate-bad");
    let f = d.join("bad.ron");
    let topo = super::root().join("topologies/azure-15.ron");
    std::fs::write(&f, body.replace("TOPO", &topo.display().to_string())).unwrap();
    let err = regionsim::config::load_experiment(&f)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("ErrorRate.fraction is the share of requests answered with an error, in (0, 1]; found 1.5"),
        "{err}"
    );
}
