//! Latency follows geography: users pay at least the measured RTT to a far region, little to a near one.

use super::{population, regionsim, temp_dir};

/// Azure P50 RTT japaneast → eastus and back (data/azure_rtt_p50_2026-07.csv).
const TOKYO_VIRGINIA_RTT_MS: f64 = 162.0;

#[test]
fn tokyo_users_pay_the_matrix_rtt_to_virginia_and_little_to_tokyo() {
    let d = temp_dir("geo");
    let out = regionsim(&[
        "run",
        "experiments/global-latency.ron",
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

    let far = population(&s, "one-region", "tokyo");
    assert_eq!(far["served_by"][0]["region"], "eastus");
    let min = far["all"]["min_ms"].as_f64().unwrap();
    // Every successful request took at least the round trip (histogram error ≤ 1%).
    assert!(
        min >= TOKYO_VIRGINIA_RTT_MS * 0.99,
        "fastest Tokyo→Virginia request took {min} ms"
    );

    let near = population(&s, "all-regions", "tokyo");
    assert_eq!(near["served_by"][0]["region"], "japaneast");
    let p50 = near["all"]["p50_ms"].as_f64().unwrap();
    assert!(p50 < 20.0, "Tokyo users served in Tokyo: p50 {p50} ms");

    // Forwarding writes to a far primary shows up in the tail, not the median (10% writes).
    let ap = population(&s, "three-regions-ap", "tokyo");
    let aa = population(&s, "three-regions", "tokyo");
    let (ap99, aa99) = (
        ap["all"]["p99_ms"].as_f64().unwrap(),
        aa["all"]["p99_ms"].as_f64().unwrap(),
    );
    assert!(
        ap99 > aa99 + 100.0,
        "active-passive write forwarding: p99 {ap99} vs {aa99}"
    );
    assert!(
        ap["writes"]["p50_ms"].as_f64().unwrap() > aa["writes"]["p50_ms"].as_f64().unwrap() + 100.0
    );
}

#[test]
fn model_rtts_come_from_the_matrix() {
    let (exp, _) =
        regionsim::config::load_experiment(&super::root().join("experiments/global-latency.ron"))
            .unwrap();
    let sc = &exp.variants[0].1;
    let tokyo = sc
        .populations
        .iter()
        .position(|p| p.name == "tokyo")
        .unwrap() as u16;
    let east = sc.region_id("eastus").unwrap();
    let japan = sc.region_id("japaneast").unwrap();
    assert_eq!(sc.network.region_rtt(japan, east), 162_000_000);
    assert!(!sc.network.region_estimated(japan, east));
    let rtt_ms = sc.network.pop_rtt(tokyo, east) as f64 / 1e6;
    assert!(
        (TOKYO_VIRGINIA_RTT_MS..TOKYO_VIRGINIA_RTT_MS + 10.0).contains(&rtt_ms),
        "{rtt_ms}"
    );
    let local_ms = sc.network.pop_rtt(tokyo, japan) as f64 / 1e6;
    assert!(local_ms < 10.0, "{local_ms}");
}
