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
