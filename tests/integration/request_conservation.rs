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
