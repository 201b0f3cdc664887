//! Faults, health checks and DNS under failure (issue #4): availability during an outage,
//! observed RTO against detection + TTL, TTL violators' tail, the closed-form availability of
//! two independent regions, failover, and faults that report what they touched.

use super::validation::mean_ci;
use super::{experiment, root, run, variant};
use regionsim::results::VariantResult;

/// Replications behind each statistical case here, and the level of their intervals.
const REPS: u64 = 10;
const LEVEL: f64 = 0.99;

/// New York (near eastus) and Seattle (near westus2), each at its own region.
const TWO_COASTS: &str = r#"
    populations: {
        "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", jurisdiction: "US", rate_per_s: 30, users: 5000, resolvers: 500),
        "seattle": (lat: 47.61, lon: -122.33, anchor: "westus2", rate_per_s: 70, users: 5000, resolvers: 500),
    },
"#;

#[test]
fn an_outage_without_failover_costs_exactly_the_dead_regions_share() {
    // No health checks: DNS keeps answering eastus, so its users fail for the whole outage.
    // No retries either: with the default client (2 retries after a 1 s connect timeout),
    // New York's requests issued in the outage's last ~2 s succeed on a retry after it, and
    // availability during the outage measured 0.7030 ± 0.0026, not 1 − share.
    let e = experiment(
        "outage-share",
        &format!(
            r#"duration_s: 900, warmup_s: 30, window_s: 10,
            design: ActiveActive(regions: ["eastus", "westus2"]),
            client: (timeout_ms: 2000, connect_timeout_ms: 1000, retries: 0, backoff_base_ms: 50,
                     backoff_max_ms: 1000, deadline_ms: 10000, re_resolve_on_failure: true),
            faults: [RegionOutage(region: "eastus", at_s: 300, for_s: 400)],
            {TWO_COASTS}"#
        ),
    );
    // New York's requests are 30 of every 100, so 0.7 of the outage's requests succeed, in
    // expectation; each run's share is binomial noise around it: 10 runs, 99% t interval.
    let share_east = 30.0 / 100.0;
    let runs: Vec<VariantResult> = (0..REPS).map(|i| run(&e.variants[0].1, 7 + i)).collect();
    let during: Vec<f64> = runs
        .iter()
        .map(|r| r.faults[0].availability_during.unwrap())
        .collect();
    let (m, half) = mean_ci(&during, LEVEL);
    eprintln!(
        "outage share: availability during {m:.4} ± {half:.4} (99% CI, {REPS} runs) vs 1 − share {:.4}",
        1.0 - share_east
    );
    assert!(
        (m - (1.0 - share_east)).abs() <= half,
        "availability during the outage {m:.4} ± {half:.4} vs 1 − share {:.3}",
        1.0 - share_east
    );
    assert!(half < 0.01, "interval {half} too wide to test the share");
    let r = &runs[0];
    let f = &r.faults[0];
    assert!(f.touched > 0 && !f.no_effect);
    assert_eq!(f.affected_populations, vec!["new-york".to_owned()]);
    // It recovers when the region comes back, not before.
    let rto = f.rto_s.unwrap();
    assert!((400.0..=420.0).contains(&rto), "RTO {rto}");
    // Time to drain: users kept trying the dead region until its end.
    assert!(f.drain_s.unwrap() > 390.0);
}

const DNS_FAILOVER: &str = r#"
    duration_s: 900, warmup_s: 30, window_s: 5,
    design: ActiveActive(regions: ["eastus", "westus2"]),
    health: (interval_s: 10, failure_threshold: 3, recovery_threshold: 3, timeout_ms: 2000,
             checkers: ["eastus", "westus2", "northeurope", "japaneast", "brazilsouth"]),
    client: (timeout_ms: 1000, connect_timeout_ms: 500, retries: 1, backoff_base_ms: 50,
             backoff_max_ms: 200, deadline_ms: 5000, re_resolve_on_failure: true),
    faults: [RegionOutage(region: "eastus", at_s: 300, for_s: 500)],
    populations: {
        "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 200, users: 50000, resolvers: 2000),
    },
"#;

#[test]
fn observed_rto_is_at_least_detection_plus_ttl_and_violators_lengthen_the_tail() {
    let e = experiment(
        "rto-ttl",
        &format!(
            r#"{DNS_FAILOVER}
            dns: (ttl_s: 60),
            variants: [
                (name: "honoured", overrides: {{}}),
                (name: "violators", overrides: {{
                    "dns.ttl_violators": (fraction: 0.0874, hold: LogNormal(median_ms: 300000.0, p99_ms: 8900000.0)),
                }}),
            ],"#
        ),
    );
    let detection = 10.0 * 3.0;
    let ttl = 60.0;
    let honoured = run(variant(&e, "honoured"), 11);
    let f = &honoured.faults[0];
    let rto = f.rto_s.expect("recovers once DNS has moved everyone");
    eprintln!("DNS failover: observed RTO {rto} s vs detection {detection} s + TTL {ttl} s");
    assert!(
        rto >= detection + ttl,
        "RTO {rto} s < detection {detection} s + TTL {ttl} s"
    );
    // …and not much more: one probe interval of phase, the probe timeout, one window.
    assert!(rto <= detection + ttl + 10.0 + 2.0 + 10.0, "RTO {rto}");
    assert!(
        honoured
            .health_changes
            .iter()
            .any(|h| !h.healthy && h.region == "eastus")
    );
    let pop = &honoured.populations[0];
    assert!(pop.stale_dns_answers > 0);
    assert_eq!(pop.past_ttl_answers, 0);

    let violators = run(variant(&e, "violators"), 11);
    let g = &violators.faults[0];
    assert!(violators.ttl_violators > 100);
    assert!(violators.populations[0].past_ttl_answers > 0);
    assert!(
        g.failed_requests > f.failed_requests,
        "violators: {} failed vs {} honoured",
        g.failed_requests,
        f.failed_requests
    );
    assert!(
        g.rto_s.is_none_or(|x| x > rto + 60.0),
        "tail RTO {:?}",
        g.rto_s
    );
}

#[test]
fn two_independent_regions_match_the_closed_form_availability() {
    // MTBF 10 h, MTTR 1 h per region: both down 1/121 of the time.
    let (mtbf, mttr): (f64, f64) = (10.0, 1.0);
    let closed: f64 = 1.0 - (mttr / (mtbf + mttr)).powi(2);
    let e = experiment(
        "closed-form",
        &format!(
            r#"duration_s: 3600000, warmup_s: 0, window_s: 3600,
            design: ActiveActive(regions: ["eastus", "westus2"]),
            random_outages: (mtbf_h: {mtbf}, mttr_h: {mttr}),
            populations: {{
                "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 0.001),
            }},"#
        ),
    );
    let sc = &e.variants[0].1;
    let seeds = 12;
    let runs: Vec<VariantResult> = (0..seeds).map(|s| run(sc, 100 + s)).collect();
    let ups: Vec<f64> = runs.iter().map(|r| r.service_up_fraction).collect();
    let (mean, half) = mean_ci(&ups, 0.95);
    eprintln!(
        "two regions: service up {mean:.5} ± {half:.5} (95% CI, 12 runs) vs closed form {closed:.5}"
    );
    assert!(
        (mean - closed).abs() <= half.max(1e-4),
        "simulated {mean:.5} ± {half:.5} vs closed form {closed:.5}"
    );
    assert!(half / closed < 0.01, "interval {half} too wide");
    // Each region alone is down MTTR/(MTBF + MTTR) of the time.
    let downs: Vec<f64> = runs.iter().map(|r| r.faults[0].active_s / 3.6e6).collect();
    let (down, down_half) = mean_ci(&downs, 0.95);
    let one = mttr / (mtbf + mttr);
    eprintln!("  eastus alone: down {down:.5} ± {down_half:.5} (95% CI) vs {one:.5}");
    assert!(
        runs.iter().all(|r| r.faults[0].occurrences > 60),
        "too few outages of eastus"
    );
    assert!(
        (down - one).abs() <= down_half,
        "eastus down {down:.5} ± {down_half:.5} vs {one:.5}"
    );
    assert!(down_half / one < 0.1, "interval {down_half} too wide");
}

#[test]
fn request_availability_tracks_the_closed_form_with_fast_detection() {
    // Fast health checks, a 1 s TTL and re-resolving retries: users move within seconds,
    // so requests see (almost) the time availability of "some region up".
    let e = experiment(
        "closed-form-requests",
        r#"duration_s: 720000, warmup_s: 0, window_s: 600,
        design: ActiveActive(regions: ["eastus", "westus2"]),
        random_outages: (mtbf_h: 10, mttr_h: 1),
        health: (interval_s: 1, failure_threshold: 1, recovery_threshold: 1, timeout_ms: 500,
                 checkers: ["eastus", "westus2", "northeurope"]),
        dns: (ttl_s: 1),
        client: (timeout_ms: 1000, connect_timeout_ms: 300, retries: 4, backoff_base_ms: 500,
                 backoff_max_ms: 2000, deadline_ms: 8000, re_resolve_on_failure: true),
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 2, users: 1000, resolvers: 100),
        },"#,
    );
    // A request can fail while some region is up only if it was issued within one detection
    // (interval × threshold + probe timeout) + TTL + client deadline after a region went down
    // or came back; it can succeed while both are down only if issued within a deadline before
    // one came back. So |request availability − time up| ≤ the requests issued in those
    // windows over all requests: 2 transitions per outage × (1 + 0.5 + 1 + 8 s) × 2 requests/s
    // expected, plus 3 Poisson standard deviations, per run.
    let window_s = 1.0 * 1.0 + 0.5 + 1.0 + 8.0;
    for seed in 0..4 {
        let r = run(&e.variants[0].1, 3 + seed);
        let avail = r.overall.availability.unwrap();
        let outages: u64 = r.faults.iter().map(|f| f.occurrences).sum();
        let exposed = 2.0 * outages as f64 * window_s * 2.0;
        let bound = (exposed + 3.0 * exposed.sqrt()) / r.overall.issued as f64;
        let gap = avail - r.service_up_fraction;
        eprintln!(
            "fast detection: request availability {avail:.5} vs time up {:.5}: gap {gap:+.5}, model bound ±{bound:.5} ({outages} outages)",
            r.service_up_fraction
        );
        assert!(outages > 20, "{outages} outages: too few to test anything");
        assert!(
            gap.abs() <= bound,
            "request availability {avail:.5} vs time up {:.5}: gap {gap:+.5} beyond ±{bound:.5}",
            r.service_up_fraction
        );
    }
}

#[test]
fn automatic_failover_promotes_after_detection_and_manual_after_the_operator() {
    let e = experiment(
        "failover",
        r#"duration_s: 1500, warmup_s: 30, window_s: 10,
        design: ActivePassive(primary: "eastus", standbys: ["westus2"],
                              failover: Automatic(promotion_s: 60), standby_capacity: 0.25, scale_up_s: 120),
        health: (interval_s: 10, failure_threshold: 3, checkers: ["eastus", "westus2", "northeurope"]),
        dns: (ttl_s: 30),
        faults: [RegionOutage(region: "eastus", at_s: 300, for_s: 1200)],
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 50, users: 5000, resolvers: 500),
        },
        variants: [
            (name: "automatic", overrides: {}),
            (name: "manual", overrides: {"design.failover": Manual(delay_s: 600)}),
            (name: "off", overrides: {"design.failover": Off}),
        ],"#,
    );
    let auto = run(variant(&e, "automatic"), 1);
    assert_eq!(auto.failovers.len(), 1);
    let fo = &auto.failovers[0];
    assert_eq!(
        (fo.from.as_str(), fo.to.as_deref()),
        ("eastus", Some("westus2"))
    );
    assert!(fo.triggered_s >= 300.0 + 20.0 && fo.triggered_s <= 300.0 + 40.0);
    assert!((fo.promoted_s.unwrap() - fo.triggered_s - 60.0).abs() < 1e-6);
    let rto_auto = auto.faults[0].rto_s.expect("automatic failover recovers");
    assert!(rto_auto >= fo.promoted_s.unwrap() - 300.0, "RTO {rto_auto}");

    let manual = run(variant(&e, "manual"), 1);
    assert_eq!(manual.failovers[0].promoted_s, Some(900.0));
    let rto_manual = manual.faults[0].rto_s.expect("manual failover recovers");
    assert!(rto_manual >= 600.0 && rto_manual > rto_auto);

    let off = run(variant(&e, "off"), 1);
    assert!(off.failovers.is_empty());
    assert!(
        !off.faults[0].recovered,
        "no failover: down until the end of the run"
    );
    let a = |r: &VariantResult| r.overall.availability.unwrap();
    assert!(a(&auto) > a(&manual) && a(&manual) > a(&off));
}

/// `promote: MostCaughtUp` promotes the standby holding the most of the primary's log; the
/// default promotes the first listed. Japan east is listed first but 3 s behind (a lag spike
/// on its link, the lag spent at the sender): promoting it loses about 3 s of acknowledged
/// writes, promoting West US 2 only those still on the wire. With the lag spent at the target,
/// writes that reached a standby count as held (the promotion applies them first): both hold
/// all that was sent before the outage, and the tie goes to the first listed.
#[test]
fn most_caught_up_promotes_the_standby_that_loses_the_fewest_writes() {
    let body = |lag_at: &str| {
        format!(
            r#"seed: 5, duration_s: 60, warmup_s: 2,
        health: (interval_s: 2, failure_threshold: 2, checkers: ["westus2", "northeurope"]),
        faults: [
            LagSpike(a: "eastus", b: "japaneast", at_s: 0, for_s: 60, extra_ms: 3000),
            RegionOutage(region: "eastus", at_s: 30, for_s: 20),
        ],
        design: ActivePassive(primary: "eastus", standbys: ["japaneast", "westus2"], failover: Automatic(promotion_s: 2)),
        data: (replication: (mode: Async, lag: Constant(ms: 10), lag_at: {lag_at})),
        populations: {{"new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 200, write_fraction: 0.5)}},
        variants: [
            (name: "first-listed", overrides: {{}}),
            (name: "most-caught-up", overrides: {{"design.promote": MostCaughtUp}}),
        ],"#
        )
    };
    let e = experiment("promote-sender", &body("Sender"));
    let first = run(variant(&e, "first-listed"), 5);
    let most = run(variant(&e, "most-caught-up"), 5);
    let (f, m) = (&first.failovers[0], &most.failovers[0]);
    assert_eq!(f.to.as_deref(), Some("japaneast"));
    assert_eq!(m.to.as_deref(), Some("westus2"));
    // 100 writes/s for the 3 s japaneast is behind; West US 2 lacks only the writes of the
    // last ~45 ms before the outage (lag plus one-way delay).
    assert!(f.lost_writes > 200, "{}", f.lost_writes);
    assert!(m.lost_writes < 20, "{}", m.lost_writes);
    assert!(f.rpo_s.unwrap() > 2.9, "{:?}", f.rpo_s);

    let e = experiment("promote-target", &body("Target"));
    let most = run(variant(&e, "most-caught-up"), 5);
    let m = &most.failovers[0];
    assert_eq!(
        m.to.as_deref(),
        Some("japaneast"),
        "a tie goes to the first listed"
    );
    assert_eq!(m.lost_writes, 0);
}

#[test]
fn every_kind_of_fault_reports_what_it_touched_and_idle_ones_are_flagged() {
    let e = experiment(
        "fault-kinds",
        r#"duration_s: 600, warmup_s: 10, window_s: 10,
        design: ActiveActive(regions: ["eastus", "westus2"]),
        faults: [
            Partition(a: "new-york", b: "eastus", at_s: 100, for_s: 60),
            Partition(a: "eastus", b: "westus2", at_s: 100, for_s: 60, one_way: true),
            LatencySpike(a: "westus2", at_s: 200, for_s: 60, extra_ms: 80),
            CapacityLoss(region: "westus2", fraction: 0.5, at_s: 300, for_s: 60),
            RegionOutage(region: "japaneast", at_s: 400, for_s: 60),
        ],
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 20, users: 500, resolvers: 50),
            "seattle": (lat: 47.61, lon: -122.33, anchor: "westus2", rate_per_s: 20, users: 500, resolvers: 50),
        },"#,
    );
    let r = run(&e.variants[0].1, 2);
    let by = |label: &str| {
        r.faults
            .iter()
            .find(|f| f.fault.starts_with(label))
            .unwrap()
    };
    let p = by("Partition(new-york");
    assert!(p.refused > 0 && p.failed_requests > 0, "{p:?}");
    // Nothing crosses eastus → westus2 in an active-active design without replication.
    assert!(by("Partition(eastus").no_effect);
    let s = by("LatencySpike");
    assert!(s.delayed > 0 && !s.no_effect);
    let c = by("CapacityLoss");
    assert!(c.reduced_capacity_arrivals > 0);
    // A region the design does not use: the fault touches nothing and says so.
    assert!(by("RegionOutage(japaneast)").no_effect);
    // The spike shows in Seattle's latency: p99 above the normal path + 2 × 80 ms.
    let seattle = &r.populations[1].scope.all;
    assert!(seattle.max_ms > 160.0, "{}", seattle.max_ms);
}

#[test]
fn dns_policies_route_as_configured() {
    let e = experiment(
        "dns-policies",
        &format!(
            r#"duration_s: 300, warmup_s: 10, window_s: 10,
            design: ActiveActive(regions: ["eastus", "westus2"]),
            dns: (ttl_s: 0),
            {TWO_COASTS}
            variants: [
                (name: "failover", overrides: {{"dns.policy": Failover(primary: "westus2", secondary: "eastus")}}),
                (name: "geo", overrides: {{"dns.policy": Geo(rules: {{"US": ["westus2"], "*": ["eastus"]}})}}),
                (name: "weighted", overrides: {{"dns.policy": Weighted(weights: {{"eastus": 1, "westus2": 3}})}}),
                (name: "shift", overrides: {{"dns.policy": Weighted(weights: {{"eastus": 1, "westus2": 0}},
                    schedule: [(at_s: 150, weights: {{"eastus": 0, "westus2": 1}})])}}),
            ],"#
        ),
    );
    let share = |r: &VariantResult, pop: usize, region: &str| {
        r.populations[pop]
            .served_by
            .iter()
            .find(|s| s.region == region)
            .map(|s| s.share)
            .unwrap_or(0.0)
    };
    let f = run(variant(&e, "failover"), 1);
    assert_eq!(share(&f, 0, "westus2"), 1.0);
    // New York is in "US": sent west by its rule; Seattle has no jurisdiction: the "*" rule.
    let g = run(variant(&e, "geo"), 1);
    assert_eq!(share(&g, 0, "westus2"), 1.0);
    assert_eq!(share(&g, 1, "eastus"), 1.0);
    // With TTL 0 every request resolves, so each lands on westus2 with the policy's share:
    // 3/4 for weights 1:3, and for the schedule the share of the measured 290 s after 150 s
    // (Poisson arrivals). 10 runs of each, 99% t intervals.
    let shares = |name: &str, pop: usize| -> Vec<f64> {
        (0..REPS)
            .map(|i| share(&run(variant(&e, name), 1 + i), pop, "westus2"))
            .collect()
    };
    for (name, pop, expected) in [("weighted", 1, 0.75), ("shift", 0, 150.0 / 290.0)] {
        let (m, half) = mean_ci(&shares(name, pop), LEVEL);
        eprintln!("{name} DNS: westus2 share {m:.4} ± {half:.4} (99% CI) vs {expected:.4}");
        assert!(
            (m - expected).abs() <= half,
            "{name}: westus2 share {m:.4} ± {half:.4} vs {expected:.4}"
        );
        assert!(half < 0.02, "{name}: interval {half} too wide");
    }
}

#[test]
fn sampled_traffic_estimates_the_availability_of_full_traffic() {
    // The yearly experiment simulates a Poisson sample of the traffic. The outages depend on
    // the seed only (their own random streams), so a sparse and a 100× denser run see the same
    // outages; by PASTA the sparse run's availability is within binomial noise of the dense one.
    let body = |rate: f64| {
        format!(
            r#"duration_s: 720000, warmup_s: 0, window_s: 3600,
            design: ActivePassive(primary: "eastus"),
            random_outages: (mtbf_h: 10, mttr_h: 1),
            client: (timeout_ms: 1000, connect_timeout_ms: 500, retries: 0, backoff_base_ms: 0,
                     backoff_max_ms: 0, deadline_ms: 2000, re_resolve_on_failure: true),
            populations: {{
                "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: {rate}, users: 1000, resolvers: 100),
            }},"#
        )
    };
    let sparse = experiment("sampled-sparse", &body(0.05));
    let dense = experiment("sampled-dense", &body(5.0));
    let s = run(&sparse.variants[0].1, 9);
    let d = run(&dense.variants[0].1, 9);
    assert_eq!(s.faults[0].occurrences, d.faults[0].occurrences);
    let (a_s, a_d) = (
        s.overall.availability.unwrap(),
        d.overall.availability.unwrap(),
    );
    let n = s.overall.issued as f64;
    let se = (a_d * (1.0 - a_d) / n).sqrt();
    eprintln!(
        "sampled traffic: sparse {a_s:.5} vs dense {a_d:.5} (3 se = {:.5}); time up {:.5}",
        3.0 * se,
        d.service_up_fraction
    );
    assert!(
        (a_s - a_d).abs() < 3.0 * se,
        "sampled {a_s:.5} vs full {a_d:.5} (±{:.5})",
        3.0 * se
    );
    // And both estimate the time the region was up.
    assert!((a_d - d.service_up_fraction).abs() < 0.003);
}

#[test]
fn lag_spikes_clock_jumps_and_split_brain_report_their_effect() {
    let e = experiment(
        "data-faults",
        r#"duration_s: 600, warmup_s: 10, window_s: 10,
        design: ActiveActive(regions: ["eastus", "westus2"]),
        data: (class: Counter, conflict: Crdt),
        faults: [
            LagSpike(a: "eastus", at_s: 100, for_s: 60, extra_ms: 2000),
            ClockJump(region: "westus2", at_s: 200, by_ms: -500),
            Partition(a: "eastus", b: "westus2", at_s: 300, for_s: 120),
        ],
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 20, write_fraction: 0.5, keys: (count: 50, zipf_s: 0.0)),
            "seattle": (lat: 47.61, lon: -122.33, anchor: "westus2", rate_per_s: 20, write_fraction: 0.5, keys: (count: 50, zipf_s: 0.0)),
        },"#,
    );
    let r = run(&e.variants[0].1, 2);
    let by = |label: &str| {
        r.faults
            .iter()
            .find(|f| f.fault.starts_with(label))
            .unwrap()
    };
    let spike = by("LagSpike");
    assert!(spike.replication_delayed > 0 && !spike.no_effect);
    let jump = by("ClockJump");
    assert!(jump.writes_stamped > 0 && !jump.no_effect);
    let part = by("Partition");
    assert!(part.messages_held > 0);
    assert!(part.diverged_keys_at_heal.unwrap() > 10, "{part:?}");
    let caught_up = part
        .caught_up_after_s
        .expect("replication caught up after the heal");
    assert!(caught_up < 5.0, "caught up after {caught_up} s");
    // The spike shows in the replication lag east → west: some writes waited 2 s more.
    let lag = r
        .data
        .replication_lag
        .iter()
        .find(|l| l.from == "eastus" && l.to == "westus2")
        .unwrap();
    assert!(lag.lag.max_ms > 2000.0, "{:?}", lag.lag);
    assert_eq!(
        r.data.lost_updates, 0,
        "CRDT counters lose nothing through it all"
    );
}

/// Writes a partition held are sent again at the heal, one after another behind the link's
/// bandwidth: catching up takes (writes held one way) × (time to send one). Without the queue
/// they all arrived half a round trip after the heal (under 5 s, as above).
#[test]
fn writes_held_by_a_partition_are_sent_again_behind_the_bandwidth() {
    let e = experiment(
        "resend-bandwidth",
        r#"duration_s: 600, warmup_s: 10, window_s: 10,
        design: ActiveActive(regions: ["eastus", "westus2"]),
        data: (class: Counter, conflict: Crdt,
               replication: (bandwidth: (bytes_per_s: 50000, message_bytes: 1000))),
        faults: [Partition(a: "eastus", b: "westus2", at_s: 200, for_s: 120)],
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 20, write_fraction: 0.5, keys: (count: 50, zipf_s: 0.0)),
            "seattle": (lat: 47.61, lon: -122.33, anchor: "westus2", rate_per_s: 20, write_fraction: 0.5, keys: (count: 50, zipf_s: 0.0)),
        },"#,
    );
    let r = run(&e.variants[0].1, 3);
    let part = &r.faults[0];
    // About 10 writes/s each way for 120 s, 20 ms to send each.
    let held_one_way = part.messages_held as f64 / 2.0;
    assert!(held_one_way > 1000.0, "{part:?}");
    let expected = held_one_way * 0.020;
    let caught_up = part.caught_up_after_s.expect("replication caught up");
    eprintln!(
        "re-sent behind the bandwidth: {} held, caught up after {caught_up:.2} s (≈ {expected:.2} s expected)",
        part.messages_held
    );
    // The direction with more held writes sets the time; the two differ by a few percent.
    assert!(
        (caught_up - expected).abs() < 0.15 * expected,
        "caught up after {caught_up} s, expected about {expected} s"
    );
    assert_eq!(r.data.lost_updates, 0);
}

#[test]
fn every_fault_in_a_shipped_experiment_has_an_effect() {
    let mut checked = 0;
    for entry in std::fs::read_dir(root().join("results")).unwrap() {
        let path = entry.unwrap().path().join("summary.json");
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let s: serde_json::Value = serde_json::from_str(&text).unwrap();
        for v in s["variants"].as_array().unwrap() {
            for f in v["faults"].as_array().into_iter().flatten() {
                checked += 1;
                assert_eq!(
                    f["no_effect"],
                    false,
                    "{}: variant {} fault {} touched nothing",
                    path.display(),
                    v["variant"],
                    f["fault"]
                );
            }
        }
    }
    assert!(checked >= 20, "{checked} faults checked");
}

/// A run whose last fault never recovers has no largest RTO (it is not the largest of the
/// faults that did recover), and counts the fault in `unrecovered_faults`, so the statistics
/// across seeds show it instead of silently leaving the run out.
#[test]
fn a_fault_that_never_recovers_is_counted_not_hidden_in_the_max_rto() {
    let e = experiment(
        "unrecovered",
        &format!(
            r#"duration_s: 900, warmup_s: 30, window_s: 10,
            design: ActiveActive(regions: ["eastus", "westus2"]),
            faults: [RegionOutage(region: "westus2", at_s: 100, for_s: 100),
                     RegionOutage(region: "eastus", at_s: 500, for_s: 400)],
            {TWO_COASTS}"#
        ),
    );
    let r = run(&e.variants[0].1, 3);
    assert!(r.faults[0].recovered && r.faults[0].rto_s.is_some());
    assert!(!r.faults[1].recovered);
    let m = regionsim::stats::headline(&r);
    let get = |k: &str| m.iter().find(|(n, _)| n == k).unwrap().1;
    assert_eq!(get("max_rto_s"), None);
    assert_eq!(get("unrecovered_faults"), Some(1.0));
}

#[test]
fn a_fault_that_touches_nothing_takes_no_other_faults_failures() {
    // eastus, the only region, is down from 100 s to the end; a latency spike on japaneast, which
    // nobody uses, starts during that outage. Its windows are full of the outage's failures.
    let e = experiment(
        "idle-fault-in-an-outage",
        r#"duration_s: 300, warmup_s: 10, window_s: 10,
        design: ActiveActive(regions: ["eastus"]),
        faults: [
            RegionOutage(region: "eastus", at_s: 100, for_s: 200),
            LatencySpike(a: "japaneast", at_s: 150, for_s: 30, extra_ms: 80),
        ],
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 20),
        },"#,
    );
    let r = run(&e.variants[0].1, 3);
    let outage = &r.faults[0];
    assert!(!outage.no_effect && !outage.recovered, "{outage:?}");
    assert_eq!(outage.affected_populations, ["new-york"]);
    let spike = &r.faults[1];
    assert!(spike.no_effect, "{spike:?}");
    // Before, the spike was reported as not recovered, with the outage's population and failures.
    assert!(spike.recovered, "{spike:?}");
    assert!(spike.affected_populations.is_empty(), "{spike:?}");
    assert_eq!(spike.failed_until_recovery, 0);
    assert_eq!(spike.rto_s, Some(0.0));
}

#[test]
fn a_failover_with_no_standby_ready_promotes_the_first_that_recovers() {
    // eastus dies at 300 s for good; its standby westus2 is down from 300 s to 500 s too, so
    // when the promotion falls due (about 360 s) there is nobody to promote.
    let e = experiment(
        "failover-waits-for-a-standby",
        r#"duration_s: 1500, warmup_s: 30, window_s: 10,
        design: ActivePassive(primary: "eastus", standbys: ["westus2"],
                              failover: Automatic(promotion_s: 30)),
        health: (interval_s: 10, failure_threshold: 3, checkers: ["eastus", "westus2", "northeurope"]),
        dns: (ttl_s: 30),
        faults: [
            RegionOutage(region: "eastus", at_s: 300, for_s: 1200),
            RegionOutage(region: "westus2", at_s: 300, for_s: 200),
        ],
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 50, users: 5000, resolvers: 500),
        },
        variants: [
            (name: "automatic", overrides: {}),
            (name: "manual", overrides: {"design.failover": Manual(delay_s: 60), "health": None}),
        ],"#,
    );
    let auto = run(variant(&e, "automatic"), 1);
    assert_eq!(auto.failovers.len(), 1, "{:?}", auto.failovers);
    let fo = &auto.failovers[0];
    assert_eq!(
        (fo.from.as_str(), fo.to.as_deref()),
        ("eastus", Some("westus2"))
    );
    assert!(fo.triggered_s < 400.0, "{fo:?}");
    // Promoted once westus2 is up and its checks have seen it healthy again.
    let promoted = fo.promoted_s.expect("promoted");
    assert!(promoted > 500.0 && promoted <= 560.0, "{fo:?}");
    // Before, nothing was promoted and every request after 300 s failed.
    assert!(
        auto.overall.availability.unwrap() > 0.75,
        "{:?}",
        auto.overall
    );
    assert!(auto.faults[0].recovered, "{:?}", auto.faults[0]);

    // Manual failover without health checks: the operator's promotion waits for westus2 too.
    let manual = run(variant(&e, "manual"), 1);
    let fo = &manual.failovers[0];
    assert_eq!(fo.to.as_deref(), Some("westus2"), "{fo:?}");
    assert_eq!(fo.promoted_s, Some(500.0), "{fo:?}");
}

#[test]
fn a_lookup_that_finds_no_region_is_not_charged_to_an_earlier_attempts_region() {
    // eastus, the only region, dies at 300 s; DNS does not fail open, so once the checks mark
    // it unhealthy a lookup finds no region. A request refused by eastus whose retry re-resolves
    // to nothing fails `no_region`: that failure belongs to no region.
    let e = experiment(
        "no-region-after-a-refusal",
        r#"duration_s: 900, warmup_s: 30, window_s: 10,
        design: ActiveActive(regions: ["eastus"]),
        health: (interval_s: 10, failure_threshold: 3, checkers: ["eastus", "westus2", "northeurope"]),
        dns: (ttl_s: 30, fail_open: false),
        client: (timeout_ms: 2000, connect_timeout_ms: 1000, retries: 2, backoff_base_ms: 100,
                 backoff_max_ms: 2000, deadline_ms: 10000, re_resolve_on_failure: true),
        faults: [RegionOutage(region: "eastus", at_s: 300, for_s: 600)],
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 50, users: 5000, resolvers: 500),
        },"#,
    );
    let r = run(&e.variants[0].1, 1);
    assert!(r.overall.failed_no_region > 0, "{:?}", r.overall);
    let eastus = r.regions.iter().find(|g| g.scope.name == "eastus").unwrap();
    assert!(eastus.scope.failed_unreachable > 0, "{:?}", eastus.scope);
    // Before, eastus was charged the no-region failures of retries after its refusals.
    assert_eq!(eastus.scope.failed_no_region, 0, "{:?}", eastus.scope);
}

#[test]
fn a_promotion_waits_its_full_delay_after_the_primary_fails_again() {
    // eastus fails at 300 s, recovers at 340 s and fails for good at 380 s. The promotion the
    // first failure called for is void once eastus is back: the second failure earns its own,
    // a full delay after it.
    let e = experiment(
        "failover-after-a-second-failure",
        r#"duration_s: 900, warmup_s: 30, window_s: 10,
        design: ActivePassive(primary: "eastus", standbys: ["westus2"],
                              failover: Automatic(promotion_s: 120)),
        health: (interval_s: 10, failure_threshold: 3, checkers: ["eastus", "westus2", "northeurope"]),
        dns: (ttl_s: 30),
        faults: [
            RegionOutage(region: "eastus", at_s: 300, for_s: 40),
            RegionOutage(region: "eastus", at_s: 380, for_s: 520),
        ],
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 50, users: 5000, resolvers: 500),
        },
        variants: [
            (name: "automatic", overrides: {}),
            (name: "manual", overrides: {"design.failover": Manual(delay_s: 120), "health": None}),
        ],"#,
    );
    for (name, first_fail) in [("automatic", 380.0), ("manual", 380.0)] {
        let r = run(variant(&e, name), 1);
        assert_eq!(r.failovers.len(), 1, "{name}: {:?}", r.failovers);
        let fo = &r.failovers[0];
        assert!(fo.triggered_s >= first_fail, "{name}: {fo:?}");
        let promoted = fo.promoted_s.expect("promoted");
        // Before, the first failure's promotion fired at its own time (about 420 s or 450 s),
        // well under 120 s after the failure that was still in effect.
        assert!(promoted - fo.triggered_s >= 120.0 - 1e-9, "{name}: {fo:?}");
        assert_eq!(fo.to.as_deref(), Some("westus2"), "{name}: {fo:?}");
    }
}

#[test]
fn a_late_probe_failure_does_not_undo_a_newer_success() {
    // Probes time out after 25 s but go out every 10 s, so a probe sent during the outage
    // reports its failure after newer probes, sent once eastus was back, have succeeded.
    let e = experiment(
        "probe-timeout-beyond-the-interval",
        r#"duration_s: 900, warmup_s: 30, window_s: 10,
        design: ActiveActive(regions: ["eastus", "westus2"]),
        health: (interval_s: 10, failure_threshold: 3, recovery_threshold: 2, timeout_ms: 25000,
                 checkers: ["eastus", "westus2", "northeurope"]),
        dns: (ttl_s: 30),
        faults: [RegionOutage(region: "eastus", at_s: 300, for_s: 100)],
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 20, users: 5000, resolvers: 500),
        },"#,
    );
    let r = run(&e.variants[0].1, 1);
    let changes: Vec<_> = r
        .health_changes
        .iter()
        .filter(|h| h.region == "eastus")
        .collect();
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert!(!changes[0].healthy && changes[1].healthy, "{changes:?}");
    // The first checker to probe after 400 s sees two good probes within 20 s (plus the RTT).
    // Before, each late failure reset its count and eastus came back after 430 s.
    assert!(changes[1].at_s <= 421.0, "{changes:?}");
}

/// A lookup slower than the client's timeout: the resolver still caches the answer when it
/// comes back, as a real resolver does whatever its client did meanwhile, so the next request
/// from its users is answered from the cache. Before, the answer was thrown away with the
/// attempt that had given up, every attempt missed the cache, and nothing was ever served.
#[test]
fn a_resolver_caches_an_answer_its_client_gave_up_on() {
    let e = experiment(
        "slow-lookup",
        r#"duration_s: 300, warmup_s: 0, window_s: 10,
        dns: (policy: Latency, ttl_s: 300, lookup: Constant(ms: 2500.0)),
        client: (timeout_ms: 2000, connect_timeout_ms: 1000, retries: 2, backoff_base_ms: 100,
                 backoff_max_ms: 2000, deadline_ms: 10000, re_resolve_on_failure: true),
        design: ActiveActive(regions: ["eastus", "westus2"]),
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 50, users: 1000, resolvers: 10),
        },"#,
    );
    let r = run(variant(&e, "base"), 5);
    let p = &r.populations[0];
    eprintln!(
        "availability {:?}, {} DNS queries from 10 resolvers",
        p.scope.availability, p.dns_queries
    );
    // Each resolver's first lookups (the requests of its first 2.5 s) miss; then its cache
    // holds the answer for the rest of the 300 s run (TTL 300 s, less the 2.5 s).
    assert!(p.dns_queries < 2_000, "{} queries", p.dns_queries);
    assert!(
        p.scope.availability.unwrap() > 0.98,
        "{:?}",
        p.scope.availability
    );
}

/// A region that loses all its servers for a while, with no other fault: every request that
/// fails fails because of it, and faults.csv says so (before, the loss owned none of them).
#[test]
fn a_capacity_loss_owns_the_failures_it_causes() {
    let e = experiment(
        "capacity-loss-owns",
        r#"duration_s: 600, warmup_s: 10, window_s: 10,
        design: ActiveActive(regions: ["eastus", "westus2"]),
        faults: [CapacityLoss(region: "eastus", fraction: 1.0, at_s: 200, for_s: 120)],
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 20, users: 500, resolvers: 50),
        },"#,
    );
    let r = run(&e.variants[0].1, 2);
    let loss = &r.faults[0];
    eprintln!(
        "{} failed overall, {} owned by the capacity loss ({} arrivals at reduced capacity)",
        r.overall.failed, loss.failed_requests, loss.reduced_capacity_arrivals
    );
    assert!(r.overall.failed > 1000, "{}", r.overall.failed);
    assert_eq!(loss.failed_requests, r.overall.failed);
}

/// Resolver caches start warm, their ages spread over the TTL as in a service that has been
/// running for a while, so how many users a failure hurts does not depend on when in the
/// caches' cycle it falls. Before, every cache filled in the first second and expired in step
/// with the others for many TTLs: the same outage failed 40 503 to 55 757 requests as its start
/// moved by 15 s steps (now 48 015 to 49 028).
#[test]
fn an_outage_hurts_as_much_whenever_it_starts_in_the_resolvers_cycle() {
    let e = experiment(
        "dns-phase",
        r#"duration_s: 900, warmup_s: 0, window_s: 10,
        dns: (policy: Latency, ttl_s: 60, lookup: Constant(ms: 20.0)),
        health: (interval_s: 30, failure_threshold: 3, recovery_threshold: 3, timeout_ms: 4000,
                 checkers: ["westus2", "brazilsouth", "northeurope", "westeurope"]),
        client: (timeout_ms: 2000, connect_timeout_ms: 1000, retries: 2, backoff_base_ms: 100,
                 backoff_max_ms: 2000, deadline_ms: 10000, re_resolve_on_failure: true),
        design: ActiveActive(regions: ["eastus", "westus2"]),
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 400, users: 4000, resolvers: 400),
        },
        variants: [
            (name: "at300", overrides: {"faults": [RegionOutage(region: "eastus", at_s: 300, for_s: 300)]}),
            (name: "at315", overrides: {"faults": [RegionOutage(region: "eastus", at_s: 315, for_s: 300)]}),
            (name: "at330", overrides: {"faults": [RegionOutage(region: "eastus", at_s: 330, for_s: 300)]}),
            (name: "at345", overrides: {"faults": [RegionOutage(region: "eastus", at_s: 345, for_s: 300)]}),
        ],"#,
    );
    let failed: Vec<u64> = ["at300", "at315", "at330", "at345"]
        .iter()
        .map(|v| run(variant(&e, v), 5).faults[0].failed_requests)
        .collect();
    eprintln!("failed requests by outage start: {failed:?}");
    let (lo, hi) = (*failed.iter().min().unwrap(), *failed.iter().max().unwrap());
    // Four hundred resolvers: the mean remaining TTL over them varies by about 3% (one
    // standard deviation) from one start to another.
    assert!(hi as f64 <= 1.08 * lo as f64, "{failed:?}");
}

/// Two outages of one region, the second inside the first: the region stays down until the
/// first ends, and what the outage does is charged to the fault that took the region down,
/// for as long as it lasts. It used to go to whichever started last, even after that one had
/// ended (the inner 20 s fault was charged 53 011 refusals and a drain 53 s past its end).
#[test]
fn an_outage_inside_another_is_not_charged_with_the_outer_ones_effects() {
    let e = experiment(
        "overlap",
        r#"duration_s: 600, warmup_s: 10, window_s: 10,
        dns: (policy: Latency, ttl_s: 30),
        health: (interval_s: 10, failure_threshold: 3, checkers: ["westus2", "northeurope"]),
        faults: [RegionOutage(region: "eastus", at_s: 100, for_s: 300),
                 RegionOutage(region: "eastus", at_s: 120, for_s: 20)],
        design: ActiveActive(regions: ["eastus", "westus2"]),
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 50),
        },"#,
    );
    let r = run(variant(&e, "base"), 3);
    let (outer, inner) = (&r.faults[0], &r.faults[1]);
    eprintln!("outer {outer:?}\ninner {inner:?}");
    assert!(
        outer.refused > 1000 && outer.failed_requests > 100,
        "{outer:?}"
    );
    assert!(outer.probes_failed > 0);
    assert_eq!(
        (
            inner.refused,
            inner.failed_requests,
            inner.probes_failed,
            inner.drain_s
        ),
        (0, 0, 0, None),
        "{inner:?}"
    );
}

/// A latency spike that makes probes of a region slower than the health check's timeout fails
/// those probes, and faults.csv charges them to the spike, as it does the probes a cut or an
/// outage fails. They used to be left out: the spike below failed 24 probes and was charged 0.
#[test]
fn probes_a_latency_spike_fails_are_charged_to_it() {
    let e = experiment(
        "spike-probes",
        r#"duration_s: 400, warmup_s: 10, window_s: 10,
        dns: (policy: Latency, ttl_s: 30),
        health: (interval_s: 10, failure_threshold: 3, timeout_ms: 2000,
                 checkers: ["westus2", "northeurope"]),
        faults: [LatencySpike(a: "eastus", at_s: 100, for_s: 120, extra_ms: 3000)],
        design: ActiveActive(regions: ["eastus", "westus2"]),
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 20),
        },"#,
    );
    let r = run(variant(&e, "base"), 1);
    let spike = &r.faults[0];
    eprintln!("{spike:?}");
    // Two checkers, one round each per 10 s, for 120 s: about 24 probes of eastus (some
    // answered before the spike began come back in it and are not failed by it).
    assert!(
        (20..=26).contains(&spike.probes_failed),
        "{}",
        spike.probes_failed
    );
}

/// A promotion fences off the writes the new primary lacks, and the demoted primary never
/// acknowledges them, even when a replica's acknowledgement reaches it later. Here eastus
/// (semi-synchronous to one of westus2 and northeurope) is cut from westus2 at 100 s, its link
/// to northeurope is 60 s slower each way, and its only health checker loses it at 150 s:
/// westus2 is promoted at about 172 s. Northeurope applies the writes of 100–112 s before the
/// promotion, and its acknowledgements come back after it. Before, eastus acknowledged those
/// 240 fenced writes 120 s late, and the run reported no write lost; now their clients time
/// out (SPEC §3: only acknowledged writes are lost, and none of these was).
#[test]
fn a_demoted_primary_never_acknowledges_a_write_fenced_off_at_its_failover() {
    let e = experiment(
        "fenced-acks",
        r#"duration_s: 600, warmup_s: 10, window_s: 10, dns: (ttl_s: 0),
        health: (interval_s: 5, failure_threshold: 3, recovery_threshold: 3, timeout_ms: 2000,
                 checkers: ["japaneast"], healthy_above: 0.5),
        client: (timeout_ms: 300000, connect_timeout_ms: 1000, retries: 0, deadline_ms: 400000),
        design: ActivePassive(primary: "eastus", standbys: ["westus2", "northeurope"],
                              failover: Automatic(promotion_s: 5)),
        data: (replication: (mode: SemiSync(1))),
        faults: [
            Partition(a: "eastus", b: "westus2", at_s: 100, for_s: 1000),
            LatencySpike(a: "eastus", b: "northeurope", at_s: 100, for_s: 1000, extra_ms: 60000),
            Partition(a: "eastus", b: "japaneast", at_s: 150, for_s: 1000),
        ],
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 20, write_fraction: 1.0),
        },"#,
    );
    let out = regionsim::sim::run_scenario(variant(&e, "base"), 1, None).unwrap();
    let fo = &out.failovers[0];
    let promoted_s = fo.at.expect("westus2 is promoted") / 1_000_000_000;
    assert!((165..=180).contains(&promoted_s), "{promoted_s}");
    // The writes committed just before the cut, acknowledged by northeurope before the spike
    // but on their way to westus2 when the cut began, are lost (acknowledged before the
    // promotion: SPEC §3 RPO).
    assert!(fo.lost_writes < 10, "{}", fo.lost_writes);
    assert!(
        out.data.tally.fenced_writes > 1_000,
        "{}",
        out.data.tally.fenced_writes
    );
    // Every write issued from 100 s until the promotion committed at eastus and was fenced:
    // none succeeds (before: 240 did, 120 s late).
    let tl = &out.metrics.timeline;
    for w in 10..16 {
        let s = tl.overall(w);
        assert!(s.issued > 100, "window {w}: {}", s.issued);
        assert_eq!((s.ok, s.failed[0]), (0, s.issued), "window {w}");
    }
    // After the promotion writes succeed at westus2 again.
    assert_eq!(tl.overall(20).ok, tl.overall(20).issued);
}

/// Health checks every 10 s, two failures to flip; New York near eastus; no retries.
const QUICK_CHECKS: &str = r#"dns: (policy: Latency, ttl_s: 5, lookup: Constant(ms: 20)),
    health: (interval_s: 10, failure_threshold: 2, recovery_threshold: 2, timeout_ms: 1000,
             checkers: ["eastus", "westus2", "northeurope", "japaneast"]),
    client: (retries: 0),
    populations: {
        "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 50, users: 5000, resolvers: 100),
    },"#;

/// A standby's short outage inside the primary's long one is charged with none of the
/// primary's failures, so it affected nobody. It used to take every population that failed in
/// its windows, and with them the primary outage's 310 s RTO and 15 050 failed requests.
#[test]
fn a_fault_is_not_charged_with_an_overlapping_faults_failures() {
    let e = experiment(
        "overlapping-rto",
        &format!(
            r#"duration_s: 600, warmup_s: 0, window_s: 10, {QUICK_CHECKS}
            faults: [RegionOutage(region: "westus2", at_s: 100, for_s: 20),
                     RegionOutage(region: "eastus", at_s: 110, for_s: 300)],
            design: ActivePassive(primary: "eastus", standbys: ["westus2"]),"#
        ),
    );
    let r = run(variant(&e, "base"), 7);
    let (standby, primary) = (&r.faults[0], &r.faults[1]);
    eprintln!("{standby:?}\n{primary:?}");
    assert!(standby.affected_populations.is_empty());
    assert_eq!(
        (standby.rto_s, standby.failed_until_recovery),
        (Some(0.0), 0)
    );
    assert_eq!(primary.affected_populations, vec!["new-york".to_string()]);
    assert!(primary.rto_s.unwrap() >= 300.0, "{:?}", primary.rto_s);
    assert!(primary.failed_until_recovery > 10_000);
}

/// `FirstListed` is a fixed runbook: after eastus → westus2 and a planned failback home, the
/// next failover goes to westus2 again (it is up and healthy). The failback used to leave the
/// list as [northeurope, westus2], and the second failover went to Dublin.
#[test]
fn first_listed_follows_the_designs_order_after_a_failback() {
    let e = experiment(
        "runbook-order",
        &format!(
            r#"duration_s: 1200, warmup_s: 0, window_s: 10, {QUICK_CHECKS}
            faults: [RegionOutage(region: "eastus", at_s: 100, for_s: 200),
                     RegionOutage(region: "eastus", at_s: 600, for_s: 200)],
            design: ActivePassive(primary: "eastus", standbys: ["westus2", "northeurope"],
                failover: Automatic(promotion_s: 30), failback: Planned(after_s: 60, max_lag_ms: 1000)),
            data: (replication: (mode: Async, lag: Constant(ms: 100))),"#
        ),
    );
    let r = run(variant(&e, "base"), 7);
    let path: Vec<(&str, &str, Option<&str>)> = r
        .failovers
        .iter()
        .map(|f| (f.policy.as_str(), f.from.as_str(), f.to.as_deref()))
        .collect();
    eprintln!("{path:?}");
    assert_eq!(
        path[..3],
        [
            ("automatic", "eastus", Some("westus2")),
            ("planned-failback", "westus2", Some("eastus")),
            ("automatic", "eastus", Some("westus2")),
        ]
    );
}

/// Of two overlapping capacity losses, each is charged only while it is the last begun still
/// active: a one-second 10% loss begun with a 300 s total one is charged with a second's
/// arrivals, not the total loss's 300 s of failures (which left the total loss "no effect").
#[test]
fn overlapping_capacity_losses_are_each_charged_while_they_last() {
    let e = experiment(
        "overlapping-losses",
        &format!(
            r#"duration_s: 600, warmup_s: 0, window_s: 10, {QUICK_CHECKS}
            faults: [CapacityLoss(region: "eastus", fraction: 1.0, at_s: 100, for_s: 300),
                     CapacityLoss(region: "eastus", fraction: 0.1, at_s: 100, for_s: 1)],
            design: ActiveActive(regions: ["eastus"]),"#
        ),
    );
    let r = run(variant(&e, "base"), 7);
    let (total, short) = (&r.faults[0], &r.faults[1]);
    eprintln!(
        "total: {} arrivals, {} failed; short: {} arrivals, {} failed",
        total.reduced_capacity_arrivals,
        total.failed_requests,
        short.reduced_capacity_arrivals,
        short.failed_requests
    );
    // 50 a second: about 15 000 arrivals in 300 s, about 50 in the short loss's second.
    assert!(total.failed_requests > 14_000, "{}", total.failed_requests);
    assert!(!total.no_effect);
    assert!(short.reduced_capacity_arrivals < 100);
}

/// A link cut by two overlapping partitions heals when the second ends, and only that one
/// reports a heal. The first used to report "diverged at heal, caught up 200 s later" while
/// the link was still cut.
#[test]
fn only_the_last_of_overlapping_partitions_heals_the_link() {
    let e = experiment(
        "overlapping-partitions",
        r#"duration_s: 600, warmup_s: 0, window_s: 10, dns: (ttl_s: 5), client: (retries: 0),
        faults: [Partition(a: "eastus", b: "westus2", at_s: 100, for_s: 100),
                 Partition(a: "eastus", b: "westus2", at_s: 150, for_s: 250)],
        design: ActiveActive(regions: ["eastus", "westus2"]),
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 50),
            "seattle": (lat: 47.61, lon: -122.33, anchor: "westus2", rate_per_s: 50),
        },"#,
    );
    let r = run(variant(&e, "base"), 7);
    let (first, second) = (&r.faults[0], &r.faults[1]);
    assert_eq!(
        (first.diverged_keys_at_heal, first.caught_up_after_s),
        (None, None)
    );
    assert!(second.diverged_keys_at_heal.unwrap() > 0);
    assert!(second.caught_up_after_s.unwrap() < 5.0);
}

/// Time availability judges windows of `window_s`: with a 125 s run in 10 s windows the last
/// 5 s (mostly requests still in flight when an outage begins at 121 s) are left out. They
/// used to count as a failed window (11 of 12).
#[test]
fn a_last_window_cut_short_is_not_judged() {
    let e = experiment(
        "partial-window",
        r#"duration_s: 125, warmup_s: 10, window_s: 10,
        client: (retries: 0, timeout_ms: 2000, connect_timeout_ms: 1000),
        faults: [RegionOutage(region: "eastus", at_s: 121, for_s: 10)],
        design: ActivePassive(primary: "eastus"),
        populations: { "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 200) },"#,
    );
    let r = run(variant(&e, "base"), 7);
    assert!(r.overall.failed > 0, "the outage fails requests");
    assert_eq!(r.overall.time_availability, Some(1.0));
}

/// SemiSync(1) with one standby, which is down for a minute: every write waits for its
/// acknowledgement until the client gives up. Those timeouts are the outage's doing and are
/// charged to it (they read "failed requests that no fault touched" before), so its RTO and
/// failed requests count them.
#[test]
fn writes_timing_out_behind_a_dead_replica_are_charged_to_its_outage() {
    let e = experiment(
        "semisync-dead-replica",
        r#"duration_s: 180, warmup_s: 10, window_s: 10,
        dns: (policy: Latency, ttl_s: 60),
        faults: [RegionOutage(region: "westus2", at_s: 60, for_s: 60)],
        design: ActivePassive(primary: "eastus", standbys: ["westus2"], failover: Off),
        data: (replication: (mode: SemiSync(1))),
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 100, write_fraction: 0.5),
        },"#,
    );
    let r = run(variant(&e, "base"), 3);
    let f = &r.faults[0];
    eprintln!(
        "{}: {} failed of {} failed overall, RTO {:?} s",
        f.fault, f.failed_requests, r.overall.failed, f.rto_s
    );
    // About half the requests of the minute are writes, all timing out.
    assert!(f.failed_requests > 2_000, "{}", f.failed_requests);
    assert_eq!(
        f.failed_requests, r.overall.failed,
        "every failure is the outage's"
    );
}

/// SemiSync(1) with `fallback_after_ms` (MySQL's `rpl_semi_sync_source_timeout`): when its
/// only standby dies, the first write waits 2 s and the primary then replicates
/// asynchronously, so writes succeed through the outage (without it, every write of the
/// minute times out, as above); once the standby is back and acknowledges, writes wait for it
/// again. The fallback is counted, and so are the writes acknowledged without a replica.
#[test]
fn semi_sync_falls_back_to_async_after_its_timeout_and_back_when_a_replica_returns() {
    let e = experiment(
        "semisync-fallback",
        r#"duration_s: 180, warmup_s: 10, window_s: 10,
        dns: (policy: Latency, ttl_s: 60),
        faults: [RegionOutage(region: "westus2", at_s: 60, for_s: 60)],
        design: ActivePassive(primary: "eastus", standbys: ["westus2"], failover: Off),
        data: (replication: (mode: SemiSync(1), fallback_after_ms: 2000)),
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 100, write_fraction: 0.5),
        },
        variants: [
            (name: "fallback", overrides: {}),
            (name: "none", overrides: {"data.replication.fallback_after_ms": None}),
        ],"#,
    );
    let with = run(variant(&e, "fallback"), 3);
    let without = run(variant(&e, "none"), 3);
    eprintln!(
        "fallback: {} failed, {} fallbacks, {} writes acknowledged without a replica; none: {} failed",
        with.overall.failed,
        with.data.semi_sync_fallbacks,
        with.data.acked_without_replicas,
        without.overall.failed
    );
    assert_eq!(with.data.semi_sync_fallbacks, 1);
    // About 50 writes a second for the minute, less the 2 s the first waited.
    assert!(
        with.data.acked_without_replicas > 2_500 && with.data.acked_without_replicas < 3_100,
        "{}",
        with.data.acked_without_replicas
    );
    assert!(without.overall.failed > 2_000, "{}", without.overall.failed);
    assert!(
        with.overall.failed < without.overall.failed / 20,
        "{} against {}",
        with.overall.failed,
        without.overall.failed
    );
    assert_eq!(without.data.semi_sync_fallbacks, 0);
    // Half the requests are writes: a window's p99 is a write's. While fallen back it is
    // below the round trip to Washington; once Washington is back, writes wait for it again.
    let sc = variant(&e, "fallback");
    let rtt_ms = sc.network.region_rtt(
        sc.region_id("eastus").unwrap(),
        sc.region_id("westus2").unwrap(),
    ) as f64
        / 1e6;
    let p99 = |from: f64, to: f64| overall_p99s(&with, from, to);
    let during = p99(70.0, 120.0);
    let after = p99(130.0, 180.0);
    eprintln!("p99 while fallen back {during:?}, after {after:?}, RTT {rtt_ms} ms");
    assert!(during.iter().all(|&p| p < rtt_ms), "{during:?}");
    assert!(
        !after.is_empty() && after.iter().all(|&p| p >= rtt_ms),
        "{after:?}"
    );
}

/// `SemiSync(2)` with one of its two standbys dead: the origin falls back once and stays
/// asynchronous until both standbys have caught up again (as MySQL's source switches semi-sync
/// back on only once `wait_for_replica_count` replicas acknowledge). It used to switch back on
/// the live standby's first acknowledgement, so every write after it waited out the 2 s
/// timeout again: a fallback every few seconds, and writes at 2 s for the whole outage.
#[test]
fn semi_sync_waits_for_k_replicas_to_catch_up_before_it_waits_again() {
    let e = experiment(
        "semisync-two",
        r#"duration_s: 180, warmup_s: 10, window_s: 10,
        dns: (policy: Latency, ttl_s: 60),
        faults: [RegionOutage(region: "westus2", at_s: 60, for_s: 60)],
        design: ActivePassive(primary: "eastus", standbys: ["westus2", "brazilsouth"], failover: Off),
        data: (replication: (mode: SemiSync(2), fallback_after_ms: 2000)),
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 100, write_fraction: 0.5),
        },"#,
    );
    let r = run(variant(&e, "base"), 5);
    eprintln!(
        "{} fallbacks, {} writes acknowledged without waiting, {} failed",
        r.data.semi_sync_fallbacks, r.data.acked_without_replicas, r.overall.failed
    );
    assert_eq!(r.data.semi_sync_fallbacks, 1);
    // About 50 writes a second for the minute, less the 2 s the first waited.
    assert!(
        r.data.acked_without_replicas > 2_500 && r.data.acked_without_replicas < 3_100,
        "{}",
        r.data.acked_without_replicas
    );
    // While fallen back no write waits for a replica: every window's p99 of the outage is
    // below the round trip to the nearer standby. Once Washington is back, writes wait for
    // both standbys, so for the further one.
    let sc = variant(&e, "base");
    let rtt = |a: &str, b: &str| {
        sc.network
            .region_rtt(sc.region_id(a).unwrap(), sc.region_id(b).unwrap()) as f64
            / 1e6
    };
    let (a, b) = (rtt("eastus", "westus2"), rtt("eastus", "brazilsouth"));
    let (near, far) = (a.min(b), a.max(b));
    let p99 = |from: f64, to: f64| overall_p99s(&r, from, to);
    let during = p99(70.0, 120.0);
    let after = p99(130.0, 180.0);
    eprintln!("p99 while fallen back {during:?}, after {after:?}, RTT {near} and {far} ms");
    assert!(during.iter().all(|&p| p < near), "{during:?}");
    assert!(
        !after.is_empty() && after.iter().all(|&p| p >= far),
        "{after:?}"
    );
}

/// `SemiSync(2)` under enforced residency: London's EU writes may reach only Dublin, so each
/// waits for Dublin alone (`min(k, replicas allowed)`), and a fallback is judged by that. A
/// review found the first version of the k-replica rule judging every write by k = 2: the
/// first write's timer fell back and the origin never returned, every write acknowledged
/// without a replica.
#[test]
fn semi_sync_judges_a_write_residency_keeps_from_replicas_by_those_it_may_reach() {
    let e = experiment(
        "semisync-residency",
        r#"duration_s: 180, warmup_s: 10, window_s: 10,
        dns: (policy: Latency, ttl_s: 60),
        faults: [RegionOutage(region: "northeurope", at_s: 60, for_s: 60)],
        design: ActivePassive(primary: "westeurope", standbys: ["northeurope", "eastus"], failover: Off),
        data: (replication: (mode: SemiSync(2), fallback_after_ms: 2000)),
        populations: {
            "london": (lat: 51.51, lon: -0.13, anchor: "westeurope", jurisdiction: "EU", rate_per_s: 100, write_fraction: 0.5),
        },
        residency: (enforce: true, allow: {"EU": ["westeurope", "northeurope"]}),
        variants: [
            (name: "dublin-dies", overrides: {}),
            (name: "no-fault", overrides: {"faults": []}),
        ],"#,
    );
    let calm = run(variant(&e, "no-fault"), 3);
    assert_eq!(calm.data.semi_sync_fallbacks, 0);
    assert_eq!(calm.data.acked_without_replicas, 0);
    let r = run(variant(&e, "dublin-dies"), 3);
    eprintln!(
        "{} fallbacks, {} writes acknowledged without waiting",
        r.data.semi_sync_fallbacks, r.data.acked_without_replicas
    );
    assert_eq!(r.data.semi_sync_fallbacks, 1);
    assert!(
        r.data.acked_without_replicas > 2_500 && r.data.acked_without_replicas < 3_100,
        "{}",
        r.data.acked_without_replicas
    );
    // Before and after Dublin's outage a write waits for Dublin: the windows' p99 (half the
    // requests are writes) is then longer than while fallen back by most of the round trip
    // there (17 ms; London's own ~50 ms to Amsterdam is in every window).
    let sc = variant(&e, "dublin-dies");
    let rtt = sc.network.region_rtt(
        sc.region_id("westeurope").unwrap(),
        sc.region_id("northeurope").unwrap(),
    ) as f64
        / 1e6;
    let p99 = |from: f64, to: f64| overall_p99s(&r, from, to);
    let (before, during, after) = (p99(10.0, 60.0), p99(70.0, 120.0), p99(130.0, 180.0));
    eprintln!("p99 before {before:?}, while fallen back {during:?}, after {after:?}, RTT {rtt} ms");
    let fallen = during.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert!(!during.is_empty());
    for w in [&before, &after] {
        assert!(
            !w.is_empty() && w.iter().all(|&p| p >= fallen + rtt / 2.0),
            "{w:?} against {fallen} + {rtt} / 2"
        );
    }
}

/// A fallback begun in the warm-up and still in effect after it is counted once, as the
/// writes it acknowledges after the warm-up are: `semi_sync_fallbacks` 0 beside thousands of
/// `acked_without_replicas` read as a contradiction (found in review).
#[test]
fn a_semi_sync_fallback_from_the_warm_up_is_counted_when_it_acknowledges_after_it() {
    let e = experiment(
        "semisync-warmup",
        r#"duration_s: 180, warmup_s: 60, window_s: 10,
        dns: (policy: Latency, ttl_s: 60),
        faults: [RegionOutage(region: "westus2", at_s: 30, for_s: 60)],
        design: ActivePassive(primary: "eastus", standbys: ["westus2"], failover: Off),
        data: (replication: (mode: SemiSync(1), fallback_after_ms: 2000)),
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 100, write_fraction: 0.5),
        },"#,
    );
    let r = run(variant(&e, "base"), 3);
    // About 50 writes a second for the 30 s of the outage after the warm-up.
    assert!(
        r.data.acked_without_replicas > 1_200 && r.data.acked_without_replicas < 1_800,
        "{}",
        r.data.acked_without_replicas
    );
    assert_eq!(r.data.semi_sync_fallbacks, 1);
}

/// The p99 (ms) of every overall window of `r` that starts in `[from, to)` s and has one.
fn overall_p99s(r: &regionsim::results::VariantResult, from: f64, to: f64) -> Vec<f64> {
    r.timeline
        .iter()
        .filter(|w| w.scope == "overall" && w.window_start_s >= from && w.window_start_s < to)
        .filter_map(|w| w.p99_ms)
        .collect()
}

/// A replica that lags by more than `fallback_after_ms` (a 3 s latency spike on the link, a
/// 1 s fallback): the origin falls back, and acknowledgements of writes from before the fallback
/// do not switch it back while the replica is still behind; nor does the timer of a write an
/// earlier fallback released start another. Both did: 988 fallbacks in this minute (found in
/// review), each new write waiting out the timeout again.
#[test]
fn a_lagging_replica_does_not_make_semi_sync_flap() {
    let e = experiment(
        "semisync-flap",
        r#"duration_s: 180, warmup_s: 10, window_s: 10,
        dns: (policy: Latency, ttl_s: 60),
        faults: [LatencySpike(a: "eastus", b: "westus2", extra_ms: 3000, at_s: 60, for_s: 60)],
        design: ActivePassive(primary: "eastus", standbys: ["westus2"], failover: Off),
        data: (replication: (mode: SemiSync(1), fallback_after_ms: 1000)),
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 100, write_fraction: 0.5),
        },"#,
    );
    let r = run(variant(&e, "base"), 7);
    eprintln!(
        "{} fallbacks, {} writes acknowledged without a replica",
        r.data.semi_sync_fallbacks, r.data.acked_without_replicas
    );
    assert!(
        r.data.semi_sync_fallbacks >= 1 && r.data.semi_sync_fallbacks < 30,
        "{}",
        r.data.semi_sync_fallbacks
    );
    assert!(
        r.data.acked_without_replicas > 2_000,
        "{}",
        r.data.acked_without_replicas
    );
}
