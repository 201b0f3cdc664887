//! Gray failures (`ErrorRate` faults): a region that stays up and answers a share of its
//! requests with an error fails them at the closed-form rate, writes it refuses are not
//! committed, and only health checks that see the errors take it out of service.

use super::{experiment, run, variant};
use regionsim::results::VariantResult;

/// One region, New York's users beside it, an error rate over the whole run and no health
/// checks: `retries` decides how many attempts a request gets. `name` names the experiment's
/// temporary directory: tests running at once need their own.
fn one_region(name: &str, fraction: f64, write_fraction: f64) -> regionsim::model::Experiment {
    experiment(
        name,
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
    let e = one_region("error-rate", 0.3, 0.0);
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
    let e = one_region("error-rate-writes", 1.0, 1.0);
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
    let err = super::experiment_error(
        "error-rate-bad",
        r#"duration_s: 60,
        design: ActiveActive(regions: ["eastus"]),
        faults: [ErrorRate(region: "eastus", fraction: 1.5, at_s: 0, for_s: 10)],
        populations: { "ny": (lat: 40.71, lon: -74.01, rate_per_s: 10) }"#,
    );
    assert!(
        err.contains("ErrorRate.fraction is the share of requests answered with an error, in (0, 1]; found 1.5"),
        "{err}"
    );
}

#[test]
fn overlapping_error_rates_fail_as_independent_failures() {
    let e = experiment(
        "error-overlap",
        r#"duration_s: 120, warmup_s: 10, window_s: 10,
        design: ActiveActive(regions: ["eastus"]),
        health: (interval_s: 5, failure_threshold: 2, recovery_threshold: 2, timeout_ms: 2000,
                 checkers: ["eastus", "westus2"]),
        client: (timeout_ms: 2000, connect_timeout_ms: 1000, retries: 0, backoff_base_ms: 50,
                 backoff_max_ms: 1000, deadline_ms: 10000, re_resolve_on_failure: false),
        faults: [
            ErrorRate(region: "eastus", fraction: 0.6, at_s: 0, for_s: 120),
            ErrorRate(region: "eastus", fraction: 0.6, at_s: 0, for_s: 120, probes_fail: true),
        ],
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 200,
                         users: 2000, resolvers: 200),
        },"#,
    );
    let r = run(&e.variants[0].1, 5);
    // Each draws on its own: 1 − 0.4 × 0.4 = 0.84 fail, not the 1.2 a sum would cap at 1.
    let (share, tolerance) = failed_share_near(&r, 0.84);
    assert!((share - 0.84).abs() < tolerance, "{share}");
    // The first begun draws first and owns 0.6 of the attempts; the second 0.4 × 0.6 = 0.24.
    let (first, second) = (&r.faults[0], &r.faults[1]);
    let ratio = second.errors as f64 / first.errors as f64;
    assert!((ratio - 0.4).abs() < 0.05, "{ratio}");
    // Only the fault whose probes fail is charged with failed probes.
    assert_eq!(first.probes_failed, 0);
    assert!(second.probes_failed > 0);
}

/// A write the draining primary answers with an error will not commit, like one that
/// commits it may be the last the planned failback waits for: found by the 2026-12-05
/// review, the switchover waited for ever (101 k timeouts charged to no fault) when every
/// write was refused once the old primary was back and the drain began.
#[test]
fn errors_in_a_draining_primary_do_not_hold_a_planned_failback_for_ever() {
    let e = experiment(
        "error-failback",
        r#"duration_s: 1500, warmup_s: 60, window_s: 10,
        dns: (policy: Latency, ttl_s: 30),
        health: (interval_s: 10, failure_threshold: 3, recovery_threshold: 3, timeout_ms: 4000,
                 checkers: ["eastus", "westus2", "northeurope"]),
        client: (timeout_ms: 2000, connect_timeout_ms: 1000, retries: 2, backoff_base_ms: 100,
                 backoff_max_ms: 2000, deadline_ms: 10000, re_resolve_on_failure: true),
        faults: [
            RegionOutage(region: "eastus", at_s: 200, for_s: 200),
            ErrorRate(region: "westus2", fraction: 1.0, at_s: 420, for_s: 1000),
        ],
        design: ActivePassive(primary: "eastus", standbys: ["westus2"],
                              failover: Automatic(promotion_s: 30),
                              failback: Planned(after_s: 60, max_lag_ms: 1000)),
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 300,
                         users: 20000, resolvers: 1000, write_fraction: 0.5),
        },"#,
    );
    let r = run(&e.variants[0].1, 3);
    eprintln!("{:?}", r.failovers);
    let back = r
        .failovers
        .iter()
        .find(|f| f.to.as_deref() == Some("eastus"))
        .expect("a failback to eastus");
    assert!(
        back.promoted_s.is_some(),
        "the failback never finished: {back:?}"
    );
    assert!(
        r.overall.availability.unwrap() > 0.6,
        "{:?}",
        r.overall.availability
    );
}
