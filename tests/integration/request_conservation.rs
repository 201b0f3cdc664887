//! Every issued request ends exactly once as ok, failed(reason) or in flight (SPEC §2 step 7),
//! and memory is bounded by requests in flight, not by requests simulated.

use super::{regionsim, temp_dir};

#[test]
fn overloaded_run_accounts_for_every_request() {
    let d = temp_dir("overload");
    let out = regionsim(&[
        "run",
        "tests/fixtures/overload.ron",
        "--quiet",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = super::summary(&d);
    for v in s["variants"].as_array().unwrap() {
        let (issued, ok, failed, inflight) = (
            v["issued_total"].as_u64().unwrap(),
            v["ok_total"].as_u64().unwrap(),
            v["failed_total"].as_u64().unwrap(),
            v["in_flight_at_end"].as_u64().unwrap(),
        );
        assert_eq!(issued, ok + failed + inflight, "variant {}", v["variant"]);
        let o = &v["overall"];
        let reasons: u64 = [
            "failed_timeout",
            "failed_overload",
            "failed_unreachable",
            "failed_no_region",
            "failed_error",
        ]
        .iter()
        .map(|k| o[*k].as_u64().unwrap())
        .sum();
        assert_eq!(reasons, o["failed"].as_u64().unwrap());
    }
    let tight = &s["variants"][0]["overall"];
    assert!(
        tight["failed_overload"].as_u64().unwrap() > 0,
        "a 50-slot queue at ρ > 1 sheds"
    );
    assert!(
        tight["failed_timeout"].as_u64().unwrap() > 0,
        "impatient clients time out"
    );
    let roomy = &s["variants"][1]["overall"];
    assert!(roomy["availability"].as_f64().unwrap() > tight["availability"].as_f64().unwrap());
}

#[test]
fn request_memory_does_not_grow_with_run_length() {
    let short = regionsim::bench::mmc_scenario(9.0, 10, 1.0, 2_000.0, 0.0);
    let long = regionsim::bench::mmc_scenario(9.0, 10, 1.0, 40_000.0, 0.0);
    let a = regionsim::sim::run_scenario(&short, 3, None).unwrap();
    let b = regionsim::sim::run_scenario(&long, 3, None).unwrap();
    assert!(b.counts.issued > 15 * a.counts.issued);
    // Slots are reused: the peak is set by the longest queue, not by the number of requests.
    assert!(
        b.peak_request_slots < 1_000,
        "peak slots {}",
        b.peak_request_slots
    );
    assert!((b.peak_request_slots as u64) < b.counts.issued / 100);
}

/// SPEC §2 step 4: an attempt that is still waiting for a server when its client's timer fires
/// has outlived its deadline in the queue, which is overload; one already in service when the
/// timer fires is a timeout.
#[test]
fn a_timer_that_fires_in_the_queue_is_overload_and_in_service_a_timeout() {
    let e = super::experiment(
        "fail-reasons",
        r#"duration_s: 60, warmup_s: 5, window_s: 5,
        dns: (ttl_s: 600),
        client: (timeout_ms: 150, retries: 0, deadline_ms: 150),
        design: ActiveActive(regions: ["eastus"]),
        populations: {
            "virginia": (lat: 36.67, lon: -78.39, last_mile_ms: 0, anchor: "eastus", rate_per_s: 50, write_fraction: 0.0),
        },
        variants: [
            // Every request starts service at once and is still in it at 150 ms.
            (name: "in-service", overrides: {
                "topology.defaults.servers": 100,
                "topology.defaults.read_service": Constant(ms: 300.0),
            }),
            // One server, ρ = 5: the queue grows, and waits pass 150 ms.
            (name: "queued", overrides: {
                "topology.defaults.servers": 1,
                "topology.defaults.queue_limit": 1000000,
                "topology.defaults.read_service": Constant(ms: 100.0),
            }),
        ],"#,
    );
    let slow = super::run(super::variant(&e, "in-service"), 1).overall;
    assert!(slow.failed > 2_000, "{slow:?}");
    assert_eq!(slow.failed_overload, 0);
    assert_eq!(slow.failed_timeout, slow.failed);
    let queued = super::run(super::variant(&e, "queued"), 1).overall;
    let (overload, timeout) = (queued.failed_overload, queued.failed_timeout);
    eprintln!(
        "queued: {} failed: {overload} overload, {timeout} timeout",
        queued.failed
    );
    // About 10 of the 50 a second are served (1 server, 100 ms); the rest wait past 150 ms.
    assert!(overload > queued.failed * 3 / 4, "{queued:?}");
    assert_eq!(overload + timeout, queued.failed);
}

/// Synchronous writes and session reads blocked by a partition that lasts past the end time
/// out; what they waited for (replica acknowledgements, a replica applying the user's write)
/// goes with them. Before, each blocked attempt left an entry behind until the partition
/// healed, so a long partition grew memory with every request it blocked.
#[test]
fn replica_waits_do_not_grow_with_a_partitions_length() {
    let body = |duration: u32| {
        format!(
            r#"duration_s: {duration}, warmup_s: 5, window_s: 5,
            client: (timeout_ms: 500, retries: 1, backoff_base_ms: 10, backoff_max_ms: 50, deadline_ms: 2000),
            design: ActivePassive(primary: "eastus", standbys: ["northeurope", "westus2"], read_local: true,
                                  failover: Off),
            faults: [{{FAULTS}}],
            data: (class: Register, replication: (mode: {{MODE}}), consistency: {{CONSISTENCY}}),
            populations: {{
                "dublin": (lat: 53.35, lon: -6.26, anchor: "northeurope", rate_per_s: 40, write_fraction: 0.3,
                           users: 20, keys: (count: 50, zipf_s: 0.0)),
                {{WRITERS}}
            }},"#
        )
    };
    // Sync: New York's writes commit at the primary and wait for the partitioned standby's
    // acknowledgement. Async: Dublin's reads wait for their users' writes to reach Dublin
    // (`SessionWait`). `SessionRoute`: the same reads would go to the primary, which holds
    // those writes, but it is down, and a spike keeps its last writes from being applied at
    // Dublin and Quincy: each read waits for the first of the two to hold them (a route group).
    let new_york = r#""new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 40,
        write_fraction: 0.5, users: 20, keys: (count: 50, zipf_s: 0.0)),"#;
    let partition = r#"Partition(a: "eastus", b: "northeurope", at_s: 10, for_s: 100000),
                       Partition(a: "eastus", b: "westus2", at_s: 10, for_s: 100000)"#;
    let outage = r#"LagSpike(a: "eastus", b: "northeurope", at_s: 5, for_s: 100000, extra_ms: 1e9),
                    LagSpike(a: "eastus", b: "westus2", at_s: 5, for_s: 100000, extra_ms: 1e9),
                    RegionOutage(region: "eastus", at_s: 10, for_s: 100000)"#;
    for (mode, writers, consistency, faults) in [
        ("Sync", new_york, "SessionWait", partition),
        ("Async", "", "SessionWait", partition),
        ("Async", "", "SessionRoute", outage),
    ] {
        let label = format!("{mode} {consistency}");
        let peak = |duration: u32| {
            let e = super::experiment(
                &format!("replica-waits-{mode}-{consistency}-{duration}"),
                &body(duration)
                    .replace("{MODE}", mode)
                    .replace("{CONSISTENCY}", consistency)
                    .replace("{FAULTS}", faults)
                    .replace("{WRITERS}", writers),
            );
            let out = regionsim::sim::run_scenario(&e.variants[0].1, 5, None).unwrap();
            assert_eq!(
                out.counts.issued,
                out.counts.ok + out.counts.failed + out.in_flight
            );
            (out.peak_replica_waits, out.counts.failed)
        };
        let (short, short_failed) = peak(60);
        let (long, long_failed) = peak(600);
        eprintln!(
            "{label}: peak waits {short} over 60 s ({short_failed} failed), {long} over 600 s ({long_failed} failed)"
        );
        assert!(short > 0, "{label}: the partition makes requests wait");
        assert!(
            long_failed > 10 * short_failed / 2,
            "{label}: it blocks them all along"
        );
        // Bounded by the attempts in flight (tens a second, 0.5 s timeouts), not by the tens of
        // thousands of requests blocked (before: 2 025 → 23 693 with Sync, 113 → 1 563 Async;
        // 2 677 → 31 427 with `SessionRoute` when a route group's other waits stay behind).
        assert!(long <= 2 * short + 20, "{label}: {short} → {long}");
        assert!(long < 200, "{label}: {long}");
    }
}

/// A planned failback's drain holds the writes that reach the draining primary until the
/// switchover. Here the drain lasts about a minute (the old primary catches up on a 60 s lag
/// spike; `max_lag_ms` lets it start), and impatient clients time out and retry many times
/// meanwhile: each attempt that ends while held leaves the drain's list with it. Before, every
/// one stayed until the switchover (116 845 over the minute, for 1 200 requests alive at
/// most; now 1 002).
#[test]
fn a_long_drain_holds_only_the_attempts_still_waiting() {
    let e = super::experiment(
        "long-drain-waits",
        r#"duration_s: 600, warmup_s: 10, window_s: 10, dns: (ttl_s: 0),
        design: ActivePassive(primary: "eastus", standbys: ["westus2"],
                              failover: Manual(delay_s: 60),
                              failback: Planned(after_s: 0, max_lag_ms: 600000)),
        data: (replication: (mode: Async, lag: Exponential(mean_ms: 200.0))),
        faults: [RegionOutage(region: "eastus", at_s: 300, for_s: 100),
                 LagSpike(a: "westus2", b: "eastus", at_s: 390, for_s: 300, extra_ms: 60000.0)],
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 100,
                         write_fraction: 1.0, keys: (count: 1000, zipf_s: 0.5),
                         client: (timeout_ms: 500, connect_timeout_ms: 500, retries: 20,
                                  backoff_base_ms: 10, backoff_max_ms: 100, deadline_ms: 120000)),
        },"#,
    );
    let out = regionsim::sim::run_scenario(&e.variants[0].1, 5, None).unwrap();
    let c = &out.counts;
    assert_eq!(c.issued, c.ok + c.failed + out.in_flight);
    let failbacks: Vec<_> = out
        .failovers
        .iter()
        .filter(|f| f.policy == "planned-failback")
        .collect();
    eprintln!(
        "failovers {:?}, peak waits {}, peak slots {}",
        out.failovers
            .iter()
            .map(|f| (
                f.policy,
                f.triggered / 1_000_000_000,
                f.at.map(|t| t / 1_000_000_000)
            ))
            .collect::<Vec<_>>(),
        out.peak_replica_waits,
        out.peak_request_slots
    );
    assert_eq!(failbacks.len(), 1, "the drain completes");
    let drain_s = (failbacks[0].at.unwrap() - failbacks[0].triggered) / 1_000_000_000;
    assert!(drain_s >= 30, "a long drain: {drain_s} s");
    assert!(
        out.peak_replica_waits <= out.peak_request_slots,
        "{} held for {} slots",
        out.peak_replica_waits,
        out.peak_request_slots
    );
}
