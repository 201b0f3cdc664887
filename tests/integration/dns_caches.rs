//! Resolver caches: a resolver asks the authoritative servers once for the misses that come
//! while its lookup is in flight, and those attempts get its answer when it comes back.

use crate::{experiment, run, variant};

/// One resolver behind 1 000 requests a second, a TTL of 1 s and lookups of 50 ms: after each
/// expiry about 50 requests miss before the answer is back. One query serves them all, so the
/// resolver asks about once per TTL + lookup (100 s / 1.05 s ≈ 95 times), not once per miss
/// (about 4 800).
#[test]
fn misses_during_a_lookup_wait_for_it_instead_of_asking_again() {
    let e = experiment(
        "dns-coalesce",
        r#"duration_s: 100, warmup_s: 0, window_s: 10,
        dns: (policy: Latency, ttl_s: 1, lookup: Constant(ms: 50.0)),
        design: ActiveActive(regions: ["eastus"]),
        populations: {
            "here": (lat: 36.67, lon: -78.39, last_mile_ms: 0, rate_per_s: 1000, write_fraction: 0.0,
                     users: 1000, resolvers: 1),
        },
        variants: [(name: "v", overrides: {
            "topology.defaults.servers": 100,
            "topology.defaults.read_service": Constant(ms: 1.0),
            "topology.network.jitter": Constant(ms: 0.0),
        })],"#,
    );
    let r = run(variant(&e, "v"), 3);
    let p = &r.populations[0];
    assert_eq!(r.overall.failed, 0);
    assert!(r.overall.issued > 95_000, "{} issued", r.overall.issued);
    // Each cycle: the TTL, the gap to the next request (1 ms on average), the lookup.
    let cycles = 100.0 / (1.0 + 0.001 + 0.05);
    assert!(
        (p.dns_queries as f64 - cycles).abs() <= 3.0,
        "{} queries, expected about {cycles:.0}",
        p.dns_queries
    );
    // About 5% of requests wait for a lookup (50 ms of every 1.05 s), whether they started it
    // or joined it: the p90 of latency is under the lookup, the p99 is not.
    let l = &p.scope.reads;
    assert!(l.p90_ms < 10.0, "p90 {} ms", l.p90_ms);
    assert!(l.p99_ms > 10.0, "p99 {} ms", l.p99_ms);
}
