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

/// EU users pinned to westeurope, which does not serve (the primary is in Virginia): DNS has no
/// region for them. Their resolvers cache that answer for the negative TTL (RFC 2308), as real
/// ones do, so each of 10 resolvers asks about once a minute, 600 s / (60 s + 0.1 s to the next
/// request + 20 ms of lookup) ≈ 10 times; with `negative_ttl_s: 0` every attempt asks again.
#[test]
fn negative_answers_are_cached_for_the_negative_ttl() {
    let e = experiment(
        "dns-negative",
        r#"duration_s: 600, warmup_s: 0, window_s: 10,
        dns: (policy: Latency, ttl_s: 60, lookup: Constant(ms: 20.0)),
        design: ActivePassive(primary: "eastus", standbys: ["westeurope"], failover: Off),
        populations: {
            "london": (lat: 51.51, lon: -0.13, anchor: "northeurope", jurisdiction: "EU",
                       rate_per_s: 100, write_fraction: 0.0, resolvers: 10),
        },
        residency: (enforce: true, allow: {"EU": ["westeurope"]}),
        variants: [
            (name: "cached", overrides: {}),
            (name: "not-cached", overrides: {"dns.negative_ttl_s": 0}),
        ],"#,
    );
    let cached = run(variant(&e, "cached"), 5);
    let not_cached = run(variant(&e, "not-cached"), 5);
    for r in [&cached, &not_cached] {
        let p = &r.populations[0].scope;
        assert!(p.issued > 55_000, "{} issued", p.issued);
        assert_eq!(p.ok, 0);
        assert_eq!(p.failed, p.failed_no_region, "every failure is no_region");
        let res = r.residency.as_ref().unwrap();
        assert!(res.lookups_without_allowed_region >= p.issued);
    }
    let (q, q0) = (
        cached.populations[0].dns_queries,
        not_cached.populations[0].dns_queries,
    );
    eprintln!("negative answers cached: {q} queries; not cached: {q0}");
    // Ten resolvers, each starting with a warmed entry of random age.
    assert!((90..=115).contains(&q), "{q} queries, expected about 100");
    assert!(
        q0 > not_cached.populations[0].scope.issued / 2,
        "{q0} queries"
    );
}

/// The primary (Virginia) fails at 300 s and westeurope, the EU's allowed region, is promoted
/// about 20 s later. Until then DNS has no region for EU users, and their resolvers cache that
/// answer: with a negative TTL of 300 s each of 100 resolvers keeps it for a uniform residual of
/// 0–300 s after the promotion (mean 150 s, standard error of the mean over 100 resolvers
/// about 9 s), so about 150 s × 100 requests/s more fail than with a negative TTL of 1 s.
#[test]
fn a_cached_negative_answer_delays_recovery_by_its_remaining_life() {
    let e = experiment(
        "dns-negative-recovery",
        r#"duration_s: 900, warmup_s: 0, window_s: 10,
        dns: (policy: Latency, ttl_s: 60, negative_ttl_s: 300, lookup: Constant(ms: 20.0)),
        health: (interval_s: 10, failure_threshold: 2, checkers: ["westus2", "northeurope", "japaneast"]),
        design: ActivePassive(primary: "eastus", standbys: ["westeurope"],
                              failover: Automatic(promotion_s: 0)),
        faults: [RegionOutage(region: "eastus", at_s: 300, for_s: 600)],
        populations: {
            "london": (lat: 51.51, lon: -0.13, anchor: "northeurope", jurisdiction: "EU",
                       rate_per_s: 100, write_fraction: 0.0, resolvers: 100),
        },
        residency: (enforce: true, allow: {"EU": ["westeurope"]}),
        variants: [
            (name: "long", overrides: {}),
            (name: "short", overrides: {"dns.negative_ttl_s": 1}),
        ],"#,
    );
    let long = run(variant(&e, "long"), 8);
    let short = run(variant(&e, "short"), 8);
    let (fl, fs) = (
        long.populations[0].scope.failed_no_region,
        short.populations[0].scope.failed_no_region,
    );
    let extra_s = (fl as f64 - fs as f64) / 100.0;
    eprintln!(
        "no_region failures: negative TTL 300 s {fl}, 1 s {fs}: recovery {extra_s:.0} s later"
    );
    // Before the promotion both fail every request.
    assert!(fs as f64 > 100.0 * 300.0, "{fs}");
    assert!((100.0..=200.0).contains(&extra_s), "{extra_s:.0} s");
    assert_eq!(long.populations[0].scope.failed, fl);
    // The attempts a cached negative answer fails after the promotion are stale answers
    // (DNS would have answered westeurope); those before it are not (it had nothing). Each
    // request the long negative TTL fails besides made all its attempts against it.
    let (sl, ss) = (
        long.populations[0].stale_dns_answers,
        short.populations[0].stale_dns_answers,
    );
    let attempts = f64::from(variant(&e, "long").populations[0].client.retries + 1);
    let per_extra_failure = (sl - ss) as f64 / (fl - fs) as f64;
    eprintln!(
        "stale DNS answers: negative TTL 300 s {sl}, 1 s {ss}: {per_extra_failure:.3} per extra failed request of {attempts} attempts"
    );
    assert!(
        (per_extra_failure - attempts).abs() <= 0.03 * attempts,
        "{per_extra_failure:.3} stale answers per extra failure, expected {attempts}"
    );
    // A 1 s negative TTL outlives the promotion by at most a second: at most 100 requests'
    // attempts.
    assert!(ss as f64 <= 100.0 * attempts, "{ss}");
}

/// Whether DNS would answer with a region, and whether it could answer with a given one, asked
/// without a draw (to tell a stale negative or positive answer), agree with what it answers,
/// for every policy, over random sets of healthy and
/// serving regions at random times (a weighted schedule changes the listed regions at 100 s).
#[test]
fn would_answer_agrees_with_the_answer_for_every_policy() {
    let policies = [
        "Latency",
        r#"Geo(rules: {"EU": ["westeurope", "westus2"], "*": ["eastus"]})"#,
        r#"Weighted(weights: {"eastus": 1.0, "westus2": 0.0}, schedule: [(at_s: 100, weights: {"japaneast": 2.0})])"#,
        r#"Failover(primary: "eastus", secondary: "westeurope")"#,
    ];
    for (k, policy) in policies.iter().enumerate() {
        for fail_open in [false, true] {
            let e = experiment(
                &format!("would-answer-{k}-{fail_open}"),
                &format!(
                    r#"duration_s: 200,
                    dns: (policy: {policy}, fail_open: {fail_open}),
                    design: ActiveActive(regions: ["eastus", "westus2", "westeurope", "japaneast"]),
                    populations: {{
                        "london": (lat: 51.51, lon: -0.13, jurisdiction: "EU", rate_per_s: 1),
                        "tokyo": (lat: 35.68, lon: 139.69, rate_per_s: 1),
                    }},"#
                ),
            );
            let sc = &e.variants[0].1;
            let n = sc.regions.len();
            let mut dns = regionsim::dns::Dns::new(sc, 1);
            let mut masks = regionsim::rng::stream(7, "masks");
            let mut draws = regionsim::rng::stream(7, "draws");
            let (mut some, mut none) = (0, 0);
            for i in 0..4000 {
                // Sparse masks, so that "nothing fits" comes up often.
                let mut eligible = vec![false; n];
                let mut serving = vec![false; n];
                for r in 0..n {
                    serving[r] = regionsim::rng::unit(&mut masks) < 0.3;
                    eligible[r] = serving[r] && regionsim::rng::unit(&mut masks) < 0.5;
                }
                let pop = (i % 2) as u16;
                let now = regionsim::engine::s_to_ns(regionsim::rng::unit(&mut masks) * 200.0);
                let answer = dns.answer(pop, &eligible, &serving, now, &mut draws);
                assert_eq!(
                    dns.would_answer(pop, &eligible, &serving, now),
                    answer.is_some(),
                    "{policy}, fail_open {fail_open}, population {pop} at {now} ns: eligible {eligible:?}, serving {serving:?}"
                );
                // A cached answer is stale when DNS could not give it now: it could give what it
                // gave, nothing else unless it draws (weighted), and nothing when it answers none.
                let could: Vec<u16> = (0..n as u16)
                    .filter(|r| dns.could_answer_with(pop, &eligible, &serving, now, *r))
                    .collect();
                match answer {
                    Some(a) if policy.starts_with("Weighted") => assert!(
                        could.contains(&a),
                        "{policy}: answered {a}, could {could:?}"
                    ),
                    Some(a) => assert_eq!(could, [a], "{policy}: answered {a}"),
                    None => assert!(could.is_empty(), "{policy}: none, could {could:?}"),
                }
                if answer.is_some() {
                    some += 1;
                } else {
                    none += 1;
                }
            }
            assert!(
                some > 100 && none > 100,
                "{policy}: {some} answered, {none} not"
            );
        }
    }
}

/// A cached answer DNS itself still gives is not stale. One region, failing open: every
/// cached answer during its outage is what DNS answers too (it used to count about 68 000
/// stale answers for New York over a 20-minute outage); failing closed, DNS answers nothing
/// once the checks fail it, and the cached answers then are stale. With a second region, the
/// cached answers to eastus before the checks see it down are what DNS gives too: only those
/// after detection, for at most a TTL, are stale.
#[test]
fn only_answers_dns_would_no_longer_give_are_stale() {
    let e = experiment(
        "stale-answers",
        r#"duration_s: 1200, warmup_s: 60, window_s: 10,
        dns: (policy: Latency, ttl_s: 60, lookup: Constant(ms: 20)),
        health: (interval_s: 30, failure_threshold: 3, recovery_threshold: 3, timeout_ms: 4000,
                 checkers: ["westus2", "northeurope", "japaneast"]),
        client: (timeout_ms: 2000, connect_timeout_ms: 1000, retries: 2, backoff_base_ms: 100,
                 backoff_max_ms: 2000, deadline_ms: 10000, re_resolve_on_failure: true),
        faults: [RegionOutage(region: "eastus", at_s: 300, for_s: 600)],
        design: ActiveActive(regions: ["eastus"]),
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 20, users: 6000,
                         resolvers: 300),
        },
        variants: [
            (name: "open", overrides: {}),
            (name: "closed", overrides: {"dns.fail_open": false}),
            (name: "two-regions", overrides: {"design": ActiveActive(regions: ["eastus", "westus2"])}),
        ],"#,
    );
    let stale = |v: &str| run(variant(&e, v), 4).populations[0].stale_dns_answers;
    let (open, closed, two) = (stale("open"), stale("closed"), stale("two-regions"));
    eprintln!("stale DNS answers: fail-open {open}, fail-closed {closed}, two regions {two}");
    assert_eq!(open, 0);
    // Failing closed: the resolvers' cached eastus after the checks fail it (about 90 s into
    // the outage) until their entries expire (60 s), and again after it is back until the
    // checks pass it: 20 requests a second, three attempts each.
    assert!(closed > 500, "{closed}");
    // Two regions: after detection DNS answers westus2, and the eastus entries last at most a
    // TTL: at most 20 requests a second × 3 attempts × 61 s. Counting the 90 s before
    // detection too gave about twice that.
    assert!((300..=3660).contains(&two), "{two}");
}
