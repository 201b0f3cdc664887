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
/// 4.6 ms mean service (4.2 ms reads, 8.4 ms for the default 10% of writes), 2 000 requests/s
/// need 9.2 servers, slowed 184, so the queue grows until clients give up. Shallow probes answer from outside the servers and pass; deep probes wait
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
    // Shallow: no probe fails and eastus keeps its users. The pool serves 32 / (20 × 4.6 ms)
    // ≈ 348 of the 2 000 requests a second, so its queue soon holds the 2 s of work its
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
    let err = super::experiment_error(
        "slowdown-bad",
        r#"duration_s: 60,
        design: ActiveActive(regions: ["eastus"]),
        faults: [Slowdown(region: "eastus", factor: 0.5, at_s: 0, for_s: 10)],
        populations: { "ny": (lat: 40.71, lon: -74.01, rate_per_s: 10) }"#,
    );
    assert!(
        err.contains(
            "Slowdown.factor is how many times longer each service takes, in [1, 1000]; found 0.5"
        ),
        "{err}"
    );
}

/// One region at eastus, New York's users a third of its capacity, no health checks: `faults`
/// are the run's faults.
fn one_region(name: &str, faults: &str) -> regionsim::model::Experiment {
    experiment(
        name,
        &format!(
            r#"duration_s: 500, warmup_s: 10, window_s: 10,
            design: ActiveActive(regions: ["eastus"]),
            client: (timeout_ms: 2000, connect_timeout_ms: 1000, retries: 0, backoff_base_ms: 50,
                     backoff_max_ms: 1000, deadline_ms: 10000, re_resolve_on_failure: false),
            faults: [{faults}],
            populations: {{
                "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 2000,
                             users: 2000, resolvers: 200),
            }},"#
        ),
    )
}

/// Overlapping slowdowns multiply, and the region is exactly as fast as before once the last
/// ends: 2× over 100–300 s and 1.5× over 200–400 s serve every request as 2×, 3× and 1.5× back
/// to back do (the same draws, so the same summary to the last digit).
#[test]
fn overlapping_slowdowns_multiply_and_end_where_they_began() {
    let overlapping = one_region(
        "slow-overlap",
        r#"Slowdown(region: "eastus", factor: 2, at_s: 100, for_s: 200),
           Slowdown(region: "eastus", factor: 1.5, at_s: 200, for_s: 200)"#,
    );
    let in_turn = one_region(
        "slow-in-turn",
        r#"Slowdown(region: "eastus", factor: 2, at_s: 100, for_s: 100),
           Slowdown(region: "eastus", factor: 3, at_s: 200, for_s: 100),
           Slowdown(region: "eastus", factor: 1.5, at_s: 300, for_s: 100)"#,
    );
    let none = one_region(
        "slow-none",
        r#"Slowdown(region: "eastus", factor: 1, at_s: 100, for_s: 300)"#,
    );
    let plain = one_region("slow-plain", "");
    let summary = |e: &regionsim::model::Experiment| {
        let r = run(&e.variants[0].1, 7);
        serde_json::to_string(&r.overall).unwrap()
    };
    let a = summary(&overlapping);
    assert_eq!(a, summary(&in_turn));
    // 3× takes 3 × 4.6 ms × 2 000/s = 27.6 busy servers of 32: slower, not collapsed, and not
    // the same as no slowdown.
    assert_ne!(a, summary(&plain));
    // A factor of 1 is no slowdown at all.
    assert_eq!(summary(&none), summary(&plain));
}

/// When a capacity loss and a slowdown of one region overlap, the one begun last owns the
/// failures (as each kind does among its own), each counts the arrivals, and a deep probe that
/// finds no server left is charged to the loss.
#[test]
fn overlapping_capacity_loss_and_slowdown_charge_the_one_begun_last() {
    let e = experiment(
        "slow-and-loss",
        r#"duration_s: 400, warmup_s: 10, window_s: 10,
        health: (interval_s: 5, failure_threshold: 2, recovery_threshold: 2, timeout_ms: 1000,
                 checkers: ["eastus", "westus2"]),
        design: ActiveActive(regions: ["eastus"]),
        client: (timeout_ms: 2000, connect_timeout_ms: 1000, retries: 0, backoff_base_ms: 50,
                 backoff_max_ms: 1000, deadline_ms: 10000, re_resolve_on_failure: false),
        faults: [
            Slowdown(region: "eastus", factor: 1.2, at_s: 100, for_s: 300, probes_slow: true),
            CapacityLoss(region: "eastus", fraction: 1.0, at_s: 150, for_s: 100),
        ],
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 500,
                         users: 2000, resolvers: 200),
        },"#,
    );
    let r = run(&e.variants[0].1, 3);
    let (slow, loss) = (&r.faults[0], &r.faults[1]);
    eprintln!(
        "slowdown: failed {}, probes {}; loss: failed {}, probes {}",
        slow.failed_requests, slow.probes_failed, loss.failed_requests, loss.probes_failed
    );
    // Every server lost for 100 s: 500 requests a second fail, and the loss (begun last) owns
    // them, not the mild slowdown.
    assert!(loss.failed_requests > 40_000, "{}", loss.failed_requests);
    assert!(slow.failed_requests < loss.failed_requests / 100);
    assert!(loss.reduced_capacity_arrivals > 40_000 && slow.slowed_arrivals > 140_000);
    assert!(loss.probes_failed > 0);
    assert_eq!(slow.probes_failed, 0);
}

#[test]
fn a_slowdown_factor_that_is_not_a_number_in_range_is_refused() {
    for (factor, found) in [("NaN", "NaN"), ("inf", "inf"), ("1001", "1001")] {
        let err = super::experiment_error(
            &format!("slowdown-bad-{factor}"),
            &format!(
                r#"duration_s: 60,
                design: ActiveActive(regions: ["eastus"]),
                faults: [Slowdown(region: "eastus", factor: {factor}, at_s: 0, for_s: 10)],
                populations: {{ "ny": (lat: 40.71, lon: -74.01, rate_per_s: 10) }}"#
            ),
        );
        assert!(
            err.contains(&format!("in [1, 1000]; found {found}")),
            "{factor}: {err}"
        );
    }
}

/// A `Quorum` replica in a slowed region does its part of reads (the R phase) that many times
/// slower, so reads coordinated elsewhere that must hear from it (r = 3 of 3) wait for it:
/// Amsterdam's users, served by westeurope, read slower while japaneast is slowed 1 000×
/// (a 0.5 ms median R phase becomes 0.5 s), with no other change.
#[test]
fn a_slowed_quorum_replica_slows_the_reads_that_wait_for_it() {
    let e = experiment(
        "slow-quorum",
        r#"duration_s: 200, warmup_s: 10, window_s: 10,
        dns: (policy: Latency, ttl_s: 60),
        design: ActiveActive(regions: ["eastus", "westeurope", "japaneast"]),
        data: (class: Register, conflict: Lww,
               replication: (mode: Quorum(n: 3, r: 3, w: 1,
                   write_ms: LogNormal(median_ms: 1.0, p99_ms: 10.0),
                   ack_ms: LogNormal(median_ms: 1.0, p99_ms: 10.0),
                   read_ms: LogNormal(median_ms: 0.5, p99_ms: 5.0),
                   response_ms: LogNormal(median_ms: 0.5, p99_ms: 5.0)))),
        client: (timeout_ms: 5000, connect_timeout_ms: 1000, retries: 0, backoff_base_ms: 50,
                 backoff_max_ms: 1000, deadline_ms: 10000, re_resolve_on_failure: false),
        populations: {
            "amsterdam": (lat: 52.37, lon: 4.90, anchor: "westeurope", rate_per_s: 50,
                          users: 2000, resolvers: 200, write_fraction: 0.0),
        },
        variants: [
            (name: "fast", overrides: {}),
            (name: "slowed", overrides: {"faults": [Slowdown(region: "japaneast", factor: 1000,
                                                              at_s: 0, for_s: 200)]}),
        ],"#,
    );
    let fast = run(variant(&e, "fast"), 2);
    let slowed = run(variant(&e, "slowed"), 2);
    let p50 = |r: &regionsim::results::VariantResult| r.overall.all.p50_ms;
    eprintln!(
        "Amsterdam p50: {} ms fast, {} ms slowed",
        p50(&fast),
        p50(&slowed)
    );
    // Japan's part of each read: 0.5 ms median becomes 500 ms.
    assert!(p50(&slowed) > p50(&fast) + 300.0);
    // Its tail (a 5 ms p99 becomes 5 s) meets the clients' 5 s timer now and then.
    assert_eq!(fast.overall.failed, 0);
    assert!(slowed.overall.failed * 50 < slowed.overall.issued);
}
