//! Cost and residency (issue #5): a hand-computed bill to the cent, replication egress that scales with writes, and residency counters over runs with faults.

use super::{experiment, run, temp_dir, variant};
use regionsim::cost::cents;

/// A price file with round numbers, so the bill can be computed by hand.
fn price_file(name: &str) -> String {
    let d = temp_dir(&format!("prices-{name}"));
    let f = d.join("p.ron");
    std::fs::write(
        &f,
        r#"Prices(
            name: "round",
            defaults: (server_hour: 0.5, storage_gb_month: 1.0, internet_egress_gb: 10.0),
            regions: {"westeurope": (server_hour: 0.25)},
            egress: (same_continent_gb: 0.02, inter_continent_gb: 0.05),
            links: {"eastus": {"westeurope": 0.04}},
            dns_per_million: (latency: 1000000.0, geo: 0.7, weighted: 0.4, failover: 0.4),
            health_check_month: 720.0,
        )"#,
    )
    .unwrap();
    f.display().to_string()
}

/// The replication GB billed on the directed link `from → to` (0 when it carried nothing:
/// such a link has no row).
fn replication_gb(r: &regionsim::results::VariantResult, from: &str, to: &str) -> f64 {
    r.cost
        .as_ref()
        .unwrap()
        .links
        .iter()
        .find(|l| l.from == from && l.to == to)
        .map_or(0.0, |l| l.replication_gb)
}

/// One region, reads only, every delay zero: every request issued is answered at once, so the
/// bill follows from the number of requests and the prices alone.
#[test]
fn a_hand_computed_bill_matches_to_the_cent() {
    let prices = price_file("hand");
    let e = experiment(
        "cost-hand",
        &format!(
            r#"duration_s: 3600, warmup_s: 0, window_s: 60,
            dns: (ttl_s: 0, lookup: Constant(ms: 0.0)),
            health: (interval_s: 30, checkers: ["eastus"]),
            design: ActiveActive(regions: ["eastus"]),
            populations: {{
                "here": (lat: 36.67, lon: -78.39, last_mile_ms: 0, rate_per_s: 100, write_fraction: 0.0,
                         users: 10, resolvers: 1),
            }},
            cost: (
                prices: "{prices}",
                sizes: (record_bytes: {{"Register": 900}}, response_bytes: 100),
                dataset_gb: 720,
                downtime: (per_failed_request_usd: 1.0, per_minute_usd: 100.0),
            ),
            variants: [(name: "v", overrides: {{
                "topology.defaults.servers": 4,
                "topology.defaults.read_service": Constant(ms: 0.0),
                "topology.network.jitter": Constant(ms: 0.0),
            }})],"#
        ),
    );
    let r = run(variant(&e, "v"), 7);
    let c = r.cost.as_ref().expect("a cost section");
    assert_eq!(r.in_flight_at_end, 0, "zero delays: nothing in flight");
    assert_eq!(r.overall.failed, 0);
    let n = r.overall.issued as f64;
    assert!(n > 300_000.0, "about 360 000 requests, got {n}");
    // By hand: 4 servers × 1 h × $0.50; 720 GB × $1/GB-month × 1 h / 720 h; one DNS query
    // per request (a TTL of 0: nothing is cached) at $1 000 000 per million; one health check
    // at $720/month for an hour; each response 1 000 bytes at $10/GB.
    let compute = 4.0 * 1.0 * 0.5;
    let storage = 720.0 * 1.0 / 720.0;
    let dns = n;
    let checks = 720.0 / 720.0;
    let egress = n * 1000.0 / 1e9 * 10.0;
    let infra = compute + storage + dns + checks + egress;
    let by_name = |k: &str| {
        c.components
            .iter()
            .find(|l| l.component == k)
            .unwrap()
            .span_usd
    };
    eprintln!(
        "hand bill: {} requests, infra ${} (compute {}, storage {}, dns {}, checks {}, egress {})",
        n,
        cents(c.infrastructure_usd),
        cents(by_name("compute")),
        cents(by_name("storage")),
        cents(by_name("dns")),
        cents(by_name("health_checks")),
        cents(by_name("client_egress"))
    );
    assert_eq!(cents(by_name("compute")), cents(compute));
    assert_eq!(cents(by_name("storage")), cents(storage));
    assert_eq!(cents(by_name("dns")), cents(dns));
    assert_eq!(cents(by_name("health_checks")), cents(checks));
    assert_eq!(cents(by_name("client_egress")), cents(egress));
    assert_eq!(cents(by_name("replication_egress")), "0.00");
    assert_eq!(cents(c.infrastructure_usd), cents(infra));
    // A 30-day month is 720 of these hours; per million requests: infra / n × 1e6.
    assert_eq!(cents(c.infrastructure_month_usd), cents(infra * 720.0));
    assert_eq!(
        cents(c.per_million_requests_usd.unwrap()),
        cents(infra / n * 1e6)
    );
    assert_eq!(cents(c.downtime_usd), "0.00");
    assert_eq!(cents(c.total_usd), cents(infra));
}

/// Two active regions, writes only, asynchronous mesh without lag: each write sends exactly one
/// replication message to the other region.
fn writes_experiment(name: &str) -> regionsim::model::Experiment {
    let prices = price_file(name);
    experiment(
        name,
        &format!(
            r#"duration_s: 600, warmup_s: 10, window_s: 10,
            design: ActiveActive(regions: ["eastus", "westeurope"]),
            populations: {{
                "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 100, write_fraction: 1.0,
                             keys: (count: 1000, zipf_s: 0.5)),
            }},
            cost: (prices: "{prices}", sizes: (record_bytes: {{"Register": 1000}}, replication_overhead_bytes: 24)),
            variants: [
                (name: "x1", overrides: {{}}),
                (name: "x2", overrides: {{"populations.new-york.rate_per_s": 200}}),
            ],"#
        ),
    )
}

#[test]
fn doubling_the_write_rate_doubles_replication_egress() {
    let e = writes_experiment("cost-double");
    let (a, b) = (run(variant(&e, "x1"), 3), run(variant(&e, "x2"), 3));
    let egress = |r: &regionsim::results::VariantResult| {
        r.cost
            .as_ref()
            .unwrap()
            .components
            .iter()
            .find(|l| l.component == "replication_egress")
            .unwrap()
            .span_usd
    };
    // Exactly: every write committed after the warm-up ships one 1 024-byte message over
    // eastus → westeurope, priced $0.04/GB by the price file's link exception.
    for r in [&a, &b] {
        let expected = r.data.writes as f64 * 1024.0 / 1e9 * 0.04;
        assert!(
            (egress(r) - expected).abs() < 1e-9,
            "egress {} vs writes × size × price {expected}",
            egress(r)
        );
    }
    // Doubling: the write count is Poisson with mean ≈ 59 000 (x1), so its relative standard
    // deviation is ≈ 0.4%; the ratio of the two runs is within 2% of 2 with a margin of about
    // five standard deviations.
    let ratio = egress(&b) / egress(&a);
    eprintln!(
        "replication egress ${:.4} → ${:.4}: ratio {ratio:.4}",
        egress(&a),
        egress(&b)
    );
    assert!((ratio - 2.0).abs() < 0.04, "ratio {ratio}");
}

/// EU and US users; the EU region (westeurope) goes down and the Atlantic is partitioned for a
/// while. `design` and `enforce` vary.
fn residency_experiment(name: &str, design: &str) -> regionsim::model::Experiment {
    experiment(
        name,
        &format!(
            r#"duration_s: 900, warmup_s: 10, window_s: 10,
            design: {design},
            health: (interval_s: 10, failure_threshold: 2, checkers: ["westus2", "northeurope", "japaneast"]),
            faults: [
                RegionOutage(region: "westeurope", at_s: 200, for_s: 300),
                Partition(a: "northeurope", b: "eastus", at_s: 600, for_s: 60),
            ],
            populations: {{
                "london": (lat: 51.51, lon: -0.13, anchor: "northeurope", jurisdiction: "EU", rate_per_s: 50,
                           write_fraction: 0.3, keys: (count: 1000, zipf_s: 0.5)),
                "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", jurisdiction: "US", rate_per_s: 50,
                             write_fraction: 0.3, keys: (count: 1000, zipf_s: 0.5)),
            }},
            residency: (enforce: false, allow: {{"EU": ["westeurope", "northeurope"]}}),
            variants: [
                (name: "counted", overrides: {{}}),
                (name: "enforced", overrides: {{"residency.enforce": true}}),
            ],"#
        ),
    )
}

#[test]
fn enforced_residency_never_stores_or_serves_eu_records_outside_the_eu() {
    for (name, design) in [
        (
            "res-aa",
            r#"ActiveActive(regions: ["westeurope", "eastus"])"#,
        ),
        (
            "res-aa3",
            r#"ActiveActive(regions: ["westeurope", "northeurope", "eastus"])"#,
        ),
        (
            "res-ap",
            r#"ActivePassive(primary: "westeurope", standbys: ["eastus", "northeurope"], read_local: true,
                              failover: Automatic(promotion_s: 20))"#,
        ),
    ] {
        let e = residency_experiment(name, design);
        let counted = run(variant(&e, "counted"), 11);
        let enforced = run(variant(&e, "enforced"), 11);
        let (c, f) = (
            counted.residency.as_ref().unwrap(),
            enforced.residency.as_ref().unwrap(),
        );
        eprintln!(
            "{name}: not enforced: {} records stored and {} requests served outside; enforced: {} / {}, {} replications withheld, {} forwards refused, {} EU requests failed for want of an allowed region (EU availability {:?} → {:?})",
            c.records_stored_outside,
            c.requests_served_outside,
            f.records_stored_outside,
            f.requests_served_outside,
            f.replications_withheld,
            f.forwards_refused,
            f.requests_failed_no_allowed_region,
            c.jurisdictions[0].scope.availability,
            f.jurisdictions[0].scope.availability,
        );
        assert!(c.records_stored_outside > 0, "{name}: violations counted");
        assert_eq!(f.records_stored_outside, 0, "{name}");
        assert_eq!(f.requests_served_outside, 0, "{name}");
        assert!(f.replications_withheld > 0, "{name}");
        assert!(!c.enforced && f.enforced);
    }
}

#[test]
fn writes_kept_from_a_primary_outside_the_allowed_regions_are_not_counted_as_no_region_up() {
    // The primary is in Virginia; EU users reach Amsterdam or Dublin, whose forwards of their
    // writes residency refuses. EU regions stay up (one of them always), so none of these
    // failures is for want of an allowed region (SPEC §3): they are the price of a primary the
    // rule forbids, counted apart.
    let e = residency_experiment(
        "res-ap-us",
        r#"ActivePassive(primary: "eastus", standbys: ["westeurope", "northeurope"], read_local: true,
                          failover: Off)"#,
    );
    let counted = run(variant(&e, "counted"), 11);
    let enforced = run(variant(&e, "enforced"), 11);
    let (c, f) = (
        counted.residency.as_ref().unwrap(),
        enforced.residency.as_ref().unwrap(),
    );
    let eu = &enforced.populations[0].scope;
    eprintln!(
        "primary outside the EU, enforced: {} forwards refused, {} writes failed for it, {} requests failed for want of an allowed region; London: {} issued, {} failed ({} no_region)",
        f.forwards_refused,
        f.writes_failed_primary_outside,
        f.requests_failed_no_allowed_region,
        eu.issued,
        eu.failed,
        eu.failed_no_region,
    );
    assert_eq!(eu.name, "london");
    assert_eq!(
        c.writes_failed_primary_outside, 0,
        "not enforced: forwarded"
    );
    assert_eq!(c.forwards_refused, 0);
    // About 30% of London's requests are writes; all of them fail.
    assert!(
        f.writes_failed_primary_outside as f64 > 0.25 * eu.issued as f64,
        "{} of {}",
        f.writes_failed_primary_outside,
        eu.issued
    );
    assert!(f.writes_failed_primary_outside <= f.forwards_refused);
    assert!(f.writes_failed_primary_outside <= eu.failed_no_region);
    assert_eq!(f.requests_failed_no_allowed_region, 0);
}

/// The primary (westeurope) fails at 120 s and eastus, the first-listed standby, is promoted:
/// EU records are pinned to westeurope and northeurope, so eastus never held one, and every
/// acknowledged EU write is lost at that failover (README: Residency), whether northeurope
/// had applied it (`applied`: its log record had retired) or not (`in-flight`). Before, a
/// retired record was forgotten: `applied` counted 0 lost against `in-flight`'s 1 348.
#[test]
fn promoting_a_standby_residency_kept_writes_from_loses_them_all_however_far_the_others_got() {
    let e = experiment(
        "res-failover",
        r#"seed: 7, duration_s: 300, warmup_s: 0, window_s: 10,
        dns: (policy: Latency, ttl_s: 5),
        health: (interval_s: 10, failure_threshold: 2, checkers: ["westus2", "japaneast", "brazilsouth"]),
        faults: [RegionOutage(region: "westeurope", at_s: 120, for_s: 170)],
        design: ActivePassive(primary: "westeurope", standbys: ["eastus", "northeurope"],
                              failover: Automatic(promotion_s: 10)),
        data: (replication: (mode: Async, lag: Constant(ms: 50.0))),
        populations: {
            "london": (lat: 51.51, lon: -0.13, anchor: "northeurope", jurisdiction: "EU",
                       rate_per_s: 20, write_fraction: 1.0, keys: (count: 100000, zipf_s: 0.0)),
        },
        residency: (enforce: true, allow: {"EU": ["westeurope", "northeurope"]}),
        variants: [
            (name: "applied", overrides: {}),
            (name: "in-flight", overrides: {"data.replication.lag": Constant(ms: 100000.0)}),
        ],"#,
    );
    for name in ["applied", "in-flight"] {
        let r = run(variant(&e, name), 7);
        let f = &r.failovers[0];
        eprintln!(
            "{name}: {} writes, {} → {:?} at {:?} s, {} lost, RPO {:?} s",
            r.data.writes, f.from, f.to, f.promoted_s, f.lost_writes, f.rpo_s
        );
        assert_eq!(f.to.as_deref(), Some("eastus"));
        // Every write was acknowledged before the outage; none was possible after it.
        assert!(r.data.writes > 2_000, "{}", r.data.writes);
        assert_eq!(f.lost_writes, r.data.writes, "{name}");
        assert_eq!(r.data.lost_at_failover, r.data.writes);
        assert_eq!(r.data.lost_updates, r.data.writes, "each counted once");
        // From the first write, at the start, to the failure at 120 s.
        let rpo = f.rpo_s.unwrap();
        assert!((119.0..=120.0).contains(&rpo), "{rpo}");
    }
}

#[test]
fn cost_and_residency_inputs_are_checked() {
    let d = temp_dir("cost-bad");
    let topo = super::root().join("topologies/azure-15.ron");
    let prices = d.join("p.ron");
    std::fs::write(
        &prices,
        r#"Prices(name: "x", defaults: (server_hour: -1.0, storage_gb_month: 0.1, internet_egress_gb: 0.1),
            regions: {"eastuss": (server_hour: 0.1)},
            egress: (same_continent_gb: 0.02, inter_continent_gb: 0.05),
            dns_per_million: (latency: 0.6, geo: 0.7, weighted: 0.4, failover: 0.4),
            health_check_month: 0.5)"#,
    )
    .unwrap();
    let exp = d.join("e.ron");
    std::fs::write(
        &exp,
        format!(
            r#"Experiment(name: "bad", topology: "{}", duration_s: 60,
                design: ActiveActive(regions: ["eastus"]),
                populations: {{"p": (lat: 40.0, lon: -74.0, jurisdiction: "EU", rate_per_s: 1)}},
                residency: (enforce: true, allow: {{"EU": ["westeurop"]}}),
                cost: (prices: "p.ron", sizes: (record_bytes: {{"Registr": 10}}, replication_compression: 2.0)),
            )"#,
            topo.display()
        ),
    )
    .unwrap();
    let err = regionsim::config::load_experiment(&exp)
        .unwrap_err()
        .to_string();
    eprintln!("{err}");
    for needle in [
        "did you mean `westeurope`?",
        "did you mean `Register`?",
        "replication_compression",
        "server_hour must be a finite number at least 0",
        "p.ron",
        "did you mean `eastus`?",
    ] {
        assert!(err.contains(needle), "missing `{needle}` in:\n{err}");
    }
    // A missing price file is an error with its path, not a panic.
    std::fs::write(
        &exp,
        format!(
            r#"Experiment(name: "bad", topology: "{}", duration_s: 60,
                design: ActiveActive(regions: ["eastus"]),
                populations: {{"p": (lat: 40.0, lon: -74.0, rate_per_s: 1)}},
                cost: (prices: "nowhere.ron"),
            )"#,
            topo.display()
        ),
    )
    .unwrap();
    let err = regionsim::config::load_experiment(&exp)
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot read the price file"), "{err}");
}

/// The shipped price files load against the topologies they were written for, with no
/// warning, and their provider rules give the links the prices FACTS.md §2.2 lists.
#[test]
fn shipped_price_files_resolve_against_their_topologies() {
    let d = temp_dir("cost-shipped-prices");
    for (topology, prices, a, b, want) in [
        ("azure-15", "azure-2026", "eastus", "westus2", 0.02),
        ("azure-15", "azure-2026", "eastus", "westeurope", 0.05),
        ("aws-14", "aws-2026", "us-east-1", "eu-west-1", 0.02),
        ("aws-14", "aws-2026", "sa-east-1", "us-east-1", 0.138),
    ] {
        let root = super::root();
        let exp = d.join(format!("{topology}.ron"));
        std::fs::write(
            &exp,
            format!(
                r#"Experiment(name: "p", topology: "{}", duration_s: 60,
                    design: ActiveActive(regions: ["{a}", "{b}"]),
                    populations: {{"p": (lat: 40.0, lon: -74.0, rate_per_s: 1)}},
                    cost: (prices: "{}"),
                )"#,
                root.join(format!("topologies/{topology}.ron")).display(),
                root.join(format!("topologies/prices/{prices}.ron"))
                    .display(),
            ),
        )
        .unwrap();
        let (e, warnings) = regionsim::config::load_experiment(&exp).unwrap();
        assert!(warnings.is_empty(), "{prices}: {warnings:?}");
        let sc = &e.variants[0].1;
        let c = sc.cost.as_ref().unwrap();
        let (ia, ib) = (sc.region_id(a).unwrap(), sc.region_id(b).unwrap());
        let n = sc.regions.len();
        assert_eq!(
            c.prices.link_gb[ia as usize * n + ib as usize],
            want,
            "{prices}: {a} → {b}"
        );
        assert_eq!(c.prices.link_gb[ia as usize * n + ia as usize], 0.0);
    }
}

/// `regionsim check` accepts the shipped price files and locates a bad figure in one.
#[test]
fn check_reads_price_files() {
    let out = super::regionsim(&[
        "check",
        "topologies/prices/aws-2026.ron",
        "topologies/prices/azure-2026.ron",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("price list `aws-2026` (USD)"), "{stdout}");
    let d = temp_dir("cost-check-prices");
    let f = d.join("bad.ron");
    std::fs::write(
        &f,
        "Prices(\n  name: \"x\",\n  defaults: (server_hour: 0.1, storage_gb_month: 0.1, internet_egress_gb: 0.1),\n  egress: (same_continent_gb: 0.02, inter_continent_gb: -0.05),\n  dns_per_million: (latency: 0.6, geo: 0.7, weighted: 0.4, failover: 0.4),\n  health_check_month: 0.5,\n)\n",
    )
    .unwrap();
    let out = super::regionsim(&["check", f.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("bad.ron:4:") && stderr.contains("inter_continent_gb"),
        "{stderr}"
    );
}

/// Leaderless quorum over three regions, coordinated in Virginia: every message it sends to
/// another region is billed by its sender at its size (it billed nothing before).
#[test]
fn quorum_bills_every_message_between_regions() {
    let prices = price_file("quorum");
    let e = experiment(
        "cost-quorum",
        &format!(
            r#"duration_s: 300, warmup_s: 10, window_s: 10,
            dns: (policy: Latency, ttl_s: 60),
            design: ActiveActive(regions: ["eastus", "westeurope", "japaneast"]),
            data: (replication: (mode: Quorum(n: 3, r: 2, w: 2))),
            populations: {{
                "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 200, write_fraction: 0.5,
                             keys: (count: 1000, zipf_s: 0.5)),
            }},
            cost: (prices: "{prices}", sizes: (record_bytes: {{"Register": 1000}},
                   replication_overhead_bytes: 24, ack_bytes: 100, request_bytes: 500, response_bytes: 200)),"#
        ),
    );
    let r = run(variant(&e, "base"), 5);
    let gb = |from: &str, to: &str| replication_gb(&r, from, to);
    let (w, rd) = (r.data.writes as f64, r.data.reads as f64);
    assert!(w > 20_000.0 && rd > 20_000.0, "writes {w}, reads {rd}");
    // Each write sends a 1 024-byte message to both other replicas, each of which acks with
    // 100 bytes; each read asks both (500 bytes) and each answers with the record (1 200).
    for far in ["westeurope", "japaneast"] {
        let out = (w * 1024.0 + rd * 500.0) / 1e9;
        let back = (w * 100.0 + rd * 1200.0) / 1e9;
        eprintln!(
            "eastus ⇄ {far}: {:.6} GB out (expected {out:.6}), {:.6} GB back (expected {back:.6})",
            gb("eastus", far),
            gb(far, "eastus")
        );
        // Messages of operations that straddle the warm-up or the end: well under 0.5%.
        assert!((gb("eastus", far) / out - 1.0).abs() < 0.005);
        assert!((gb(far, "eastus") / back - 1.0).abs() < 0.005);
    }
    assert_eq!(gb("westeurope", "japaneast"), 0.0);
    let egress = r
        .cost
        .as_ref()
        .unwrap()
        .components
        .iter()
        .find(|l| l.component == "replication_egress")
        .unwrap()
        .span_usd;
    assert!(egress > 0.0);
}

/// A quorum write to a replica that is down is held as a hint and crosses once, when the
/// hint is handed off after the replica is back: it is billed once, like a write a cut holds
/// (it used to be billed at its send too, although nothing crosses to a dead region). Every
/// write reaches Tokyo exactly once, directly or as a hint, so the write bytes Virginia bills
/// towards Tokyo are the writes × their size, outage or not.
#[test]
fn a_quorum_write_held_for_a_dead_replica_is_billed_once() {
    let prices = price_file("quorum-hints");
    let e = experiment(
        "cost-quorum-hints",
        &format!(
            r#"duration_s: 300, warmup_s: 10, window_s: 10,
            dns: (policy: Latency, ttl_s: 60),
            design: ActiveActive(regions: ["eastus", "westeurope", "japaneast"]),
            data: (replication: (mode: Quorum(n: 3, r: 1, w: 2))),
            faults: [RegionOutage(region: "japaneast", at_s: 100, for_s: 100)],
            populations: {{
                "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 200, write_fraction: 1.0,
                             keys: (count: 1000, zipf_s: 0.5)),
            }},
            cost: (prices: "{prices}", sizes: (record_bytes: {{"Register": 1000}},
                   replication_overhead_bytes: 24, ack_bytes: 100, request_bytes: 500, response_bytes: 200)),"#
        ),
    );
    let r = run(variant(&e, "base"), 5);
    let gb = |from: &str, to: &str| replication_gb(&r, from, to);
    let w = r.data.writes as f64;
    assert!(w > 40_000.0, "writes {w}");
    let expected = w * 1024.0 / 1e9;
    for far in ["westeurope", "japaneast"] {
        let billed = gb("eastus", far);
        eprintln!("eastus → {far}: {billed:.6} GB (expected {expected:.6})");
        // Writes that straddle the warm-up or the end: well under 0.5%. Billing the writes
        // sent during the outage twice would add a third.
        assert!(
            (billed / expected - 1.0).abs() < 0.005,
            "{far}: {billed} GB against {expected}"
        );
    }
}

/// SPEC §3 prices downtime per failed request or per unavailable minute; setting both adds
/// them, which `check` says (once, not once per variant), and one alone says nothing.
#[test]
fn downtime_priced_both_ways_is_warned_about() {
    let body = |downtime: &str| {
        format!(
            r#"duration_s: 60, warmup_s: 0,
            design: ActiveActive(regions: ["eastus"]),
            populations: {{"here": (lat: 36.67, lon: -78.39, rate_per_s: 10)}},
            cost: (prices: "{}", downtime: {downtime}),
            variants: [(name: "a", overrides: {{}}), (name: "b", overrides: {{}})],"#,
            price_file("downtime")
        )
    };
    let (_, both) = super::experiment_and_warnings(
        "downtime-both",
        &body("(per_failed_request_usd: 1.0, per_minute_usd: 100.0)"),
    );
    let priced_twice: Vec<_> = both
        .iter()
        .filter(|w| w.message.contains("downtime is priced twice"))
        .collect();
    assert_eq!(priced_twice.len(), 1, "{both:?}");
    assert!(priced_twice[0].message.contains("$1") && priced_twice[0].message.contains("$100"));
    let (_, one) = super::experiment_and_warnings("downtime-one", &body("(per_minute_usd: 100.0)"));
    assert!(
        !one.iter().any(|w| w.message.contains("priced twice")),
        "{one:?}"
    );
    // A one-minute run's failures count 43 200 times in the monthly projection: said once.
    let projected: Vec<_> = one
        .iter()
        .filter(|w| w.message.contains("projected from the simulated 60 s"))
        .collect();
    assert_eq!(projected.len(), 1, "{one:?}");
    assert!(projected[0].message.contains("43200 times"), "{one:?}");
    // A month's run is not warned about.
    let month = body("(per_minute_usd: 100.0)")
        .replace("duration_s: 60,", "duration_s: 2592000, window_s: 86400,");
    let (_, m) = super::experiment_and_warnings("downtime-month", &month);
    assert!(!m.iter().any(|w| w.message.contains("projected")), "{m:?}");
}

/// SPEC §1/§3: a standby runs, and is billed, at its capacity factor. After a failover the
/// demoted primary is a standby: from the promotion on it runs a quarter of its servers (it
/// used to keep all of them, billed in full); the promoted one runs a quarter until its
/// scale-up, then all.
#[test]
fn a_demoted_primary_is_billed_as_a_standby() {
    let prices = price_file("demoted");
    let e = experiment(
        "cost-demoted",
        &format!(
            r#"duration_s: 1800, warmup_s: 0, window_s: 60,
            health: (interval_s: 10, failure_threshold: 2, checkers: ["westus2", "northeurope"]),
            design: ActivePassive(primary: "eastus", standbys: ["westeurope"],
                                  failover: Automatic(promotion_s: 30), standby_capacity: 0.25, scale_up_s: 120),
            faults: [RegionOutage(region: "eastus", at_s: 600, for_s: 600)],
            populations: {{
                "here": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 5, write_fraction: 0.1),
            }},
            cost: (prices: "{prices}", dataset_gb: 1),
            variants: [(name: "v", overrides: {{"topology.defaults.servers": 8}})],"#
        ),
    );
    let r = run(variant(&e, "v"), 3);
    let promoted = r
        .failovers
        .first()
        .and_then(|f| f.promoted_s)
        .expect("a promotion");
    assert!(promoted > 600.0 && promoted < 700.0, "{promoted}");
    let c = r.cost.as_ref().expect("a cost section");
    let hours = |name: &str| {
        c.regions
            .iter()
            .find(|g| g.region == name)
            .unwrap()
            .server_hours
    };
    // Servers round to whole ones: 8 × 0.25 = 2.
    let east = (8.0 * promoted + 2.0 * (1800.0 - promoted)) / 3600.0;
    let west = (2.0 * (promoted + 120.0) + 8.0 * (1800.0 - promoted - 120.0)) / 3600.0;
    eprintln!(
        "promoted at {promoted:.3} s; eastus {:.4} h (expected {east:.4}), westeurope {:.4} h (expected {west:.4})",
        hours("eastus"),
        hours("westeurope")
    );
    assert!((hours("eastus") - east).abs() < 1e-6, "{}", hours("eastus"));
    assert!((hours("westeurope") - west).abs() < 1e-6);
}

/// A promoted standby that is demoted again before its scale-up ends stays at standby
/// capacity: the scale-up that was under way does not bill it in full as a standby.
#[test]
fn a_standby_demoted_during_its_scale_up_stays_at_standby_capacity() {
    let prices = price_file("demoted-twice");
    let e = experiment(
        "cost-demoted-twice",
        &format!(
            r#"duration_s: 1800, warmup_s: 0, window_s: 60,
            health: (interval_s: 10, failure_threshold: 2, checkers: ["northeurope", "japaneast"]),
            design: ActivePassive(primary: "eastus", standbys: ["westeurope", "westus2"],
                                  failover: Automatic(promotion_s: 30), standby_capacity: 0.25, scale_up_s: 120),
            faults: [RegionOutage(region: "eastus", at_s: 600, for_s: 1200),
                     RegionOutage(region: "westeurope", at_s: 700, for_s: 1100)],
            populations: {{
                "here": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 5, write_fraction: 0.1),
            }},
            cost: (prices: "{prices}", dataset_gb: 1),
            variants: [(name: "v", overrides: {{"topology.defaults.servers": 8}})],"#
        ),
    );
    let r = run(variant(&e, "v"), 3);
    let promoted: Vec<(String, f64)> = r
        .failovers
        .iter()
        .filter_map(|f| Some((f.to.clone()?, f.promoted_s?)))
        .collect();
    assert_eq!(promoted.len(), 2, "{promoted:?}");
    let ((first, p1), (second, p2)) = (&promoted[0], &promoted[1]);
    assert_eq!((first.as_str(), second.as_str()), ("westeurope", "westus2"));
    // westeurope is demoted before its scale-up (120 s after its promotion) ends.
    assert!(*p2 < p1 + 120.0, "{p1} {p2}");
    let c = r.cost.as_ref().expect("a cost section");
    let hours = |name: &str| {
        c.regions
            .iter()
            .find(|g| g.region == name)
            .unwrap()
            .server_hours
    };
    // 8 × 0.25 = 2 servers on standby. westeurope never reaches full capacity.
    let east = (8.0 * p1 + 2.0 * (1800.0 - p1)) / 3600.0;
    let west_eu = 2.0 * 1800.0 / 3600.0;
    let west_us = (2.0 * (p2 + 120.0) + 8.0 * (1800.0 - p2 - 120.0)) / 3600.0;
    eprintln!(
        "promoted at {p1:.3} s and {p2:.3} s; eastus {:.4} h ({east:.4}), westeurope {:.4} h ({west_eu:.4}), westus2 {:.4} h ({west_us:.4})",
        hours("eastus"),
        hours("westeurope"),
        hours("westus2")
    );
    assert!((hours("eastus") - east).abs() < 1e-6);
    assert!((hours("westeurope") - west_eu).abs() < 1e-6);
    assert!((hours("westus2") - west_us).abs() < 1e-6);
}

/// A read-local standby forwards every write to the primary over a link that is cut for the
/// whole run: no forwarded write crosses, so none is billed (the attempts are dropped at the
/// cut, and their retries too); without the cut every forwarded write is billed once.
#[test]
fn a_write_forwarded_into_a_cut_is_not_billed() {
    let prices = price_file("fwd-cut");
    let e = experiment(
        "cost-fwd-cut",
        &format!(
            r#"duration_s: 300, warmup_s: 0, window_s: 10,
            client: (timeout_ms: 2000, connect_timeout_ms: 1000, retries: 2, backoff_base_ms: 100,
                     backoff_max_ms: 1000, deadline_ms: 20000, re_resolve_on_failure: false),
            design: ActivePassive(primary: "eastus", standbys: ["westus2"], read_local: true),
            data: (replication: (mode: Async, lag: Constant(ms: 300.0))),
            populations: {{
                "seattle": (lat: 47.61, lon: -122.33, anchor: "westus2", rate_per_s: 100, write_fraction: 1.0,
                            keys: (count: 1000, zipf_s: 0.5)),
            }},
            cost: (prices: "{prices}", sizes: (record_bytes: {{"Register": 1000}}, request_bytes: 1000)),
            variants: [
                (name: "open", overrides: {{}}),
                (name: "cut", overrides: {{"faults": [Partition(a: "westus2", b: "eastus", at_s: 0, for_s: 300)]}}),
            ],"#
        ),
    );
    let forwarded_gb = |r: &regionsim::results::VariantResult| {
        let c = r.cost.as_ref().unwrap();
        // A link that carried nothing has no row.
        c.links
            .iter()
            .find(|l| l.from == "westus2" && l.to == "eastus")
            .map_or(0.0, |l| l.forwarding_gb)
    };
    let open = run(variant(&e, "open"), 5);
    let cut = run(variant(&e, "cut"), 5);
    let (o, c) = (forwarded_gb(&open), forwarded_gb(&cut));
    eprintln!(
        "forwarded: open {o} GB for {} writes, cut {c} GB ({} failed)",
        open.overall.issued, cut.overall.failed
    );
    // Open: every write is forwarded once (a 1 000-byte envelope and its 1 000-byte record),
    // give or take those in flight at the end.
    let expect = open.overall.issued as f64 * 2000.0 / 1e9;
    assert!((o - expect).abs() <= 0.01 * expect, "{o} vs {expect}");
    assert!(cut.overall.failed > 0);
    assert_eq!(c, 0.0, "nothing crossed the cut, nothing is billed");
}

/// With the lag spent at the target (SPEC §2's default), replication a partition holds is
/// sent again at the heal; it crosses once, then, and is billed once, then (it used to be
/// billed at its first send, even when the heal came after the run). Three variants of two
/// active regions, New York writing in Virginia: open, a cut healed inside the run (the same
/// bytes as open: every write crosses once), and a cut until the end (only the writes sent
/// before it crossed, so about a third of open's).
#[test]
fn replication_a_cut_holds_is_billed_when_it_crosses_with_the_lag_at_the_target() {
    let prices = price_file("target-cut");
    let e = experiment(
        "cost-target-cut",
        &format!(
            r#"duration_s: 300, warmup_s: 0, window_s: 10,
            design: ActiveActive(regions: ["eastus", "westus2"]),
            data: (replication: (mode: Async, lag: Constant(ms: 200.0), lag_at: Target)),
            populations: {{
                "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 100, write_fraction: 1.0,
                             keys: (count: 1000, zipf_s: 0.5)),
            }},
            cost: (prices: "{prices}", sizes: (record_bytes: {{"Register": 1000}})),
            variants: [
                (name: "open", overrides: {{}}),
                (name: "healed", overrides: {{"faults": [Partition(a: "eastus", b: "westus2", at_s: 100, for_s: 100)]}}),
                (name: "to-the-end", overrides: {{"faults": [Partition(a: "eastus", b: "westus2", at_s: 100, for_s: 200)]}}),
            ],"#
        ),
    );
    let gb = |name: &str| replication_gb(&run(variant(&e, name), 5), "eastus", "westus2");
    let (open, healed, end) = (gb("open"), gb("healed"), gb("to-the-end"));
    eprintln!("eastus → westus2: open {open} GB, healed {healed} GB, cut to the end {end} GB");
    assert!(open > 0.0);
    assert!(
        (healed / open - 1.0).abs() < 0.005,
        "healed {healed} vs open {open}"
    );
    assert!(
        (end / open - 1.0 / 3.0).abs() < 0.02,
        "to the end {end} vs a third of {open}"
    );
}

/// A planned failback: the writes the draining primary held cross to the restored primary, and
/// their responses cross back. Each crossing is billed, so every write billed one way has its
/// response billed the other (before, the held writes crossed for free). Writes cross with
/// 2 000 bytes and responses with 1, so a link's bytes split into both counts.
#[test]
fn writes_a_drain_holds_are_billed_when_they_cross_to_the_restored_primary() {
    let prices = price_file("held");
    let e = experiment(
        "cost-held",
        &format!(
            r#"duration_s: 900, warmup_s: 10, window_s: 10,
            design: ActivePassive(primary: "eastus", standbys: ["westus2"],
                                  failover: Automatic(promotion_s: 120),
                                  failback: Planned(after_s: 5.0)),
            health: (interval_s: 10, failure_threshold: 3, checkers: ["northeurope"]),
            data: (replication: (mode: Async, lag: Constant(ms: 10.0))),
            faults: [RegionOutage(region: "eastus", at_s: 100, for_s: 200)],
            populations: {{
                "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 20, write_fraction: 1.0,
                             keys: (count: 1000, zipf_s: 0.5)),
            }},
            client: (timeout_ms: 60000, connect_timeout_ms: 1000, retries: 0, backoff_base_ms: 50,
                     backoff_max_ms: 1000, deadline_ms: 60000, re_resolve_on_failure: true),
            cost: (prices: "{prices}",
                   sizes: (record_bytes: {{"Register": 1000}}, request_bytes: 1000, response_bytes: 1)),"#
        ),
    );
    let mut sc = e.variants[0].1.clone();
    for r in &mut sc.regions {
        r.write_service = regionsim::distribution::Dist::Constant(500_000_000);
    }
    let r = run(&sc, 3);
    assert!(
        r.failovers.iter().any(|f| f.policy == "planned-failback"),
        "{:?}",
        r.failovers
    );
    let c = r.cost.as_ref().unwrap();
    let fwd = |from: &str, to: &str| {
        c.links
            .iter()
            .find(|l| l.from == from && l.to == to)
            .map_or(0.0, |l| l.forwarding_gb)
    };
    let split = |from: &str, to: &str| {
        let bytes = (fwd(from, to) * 1e9).round() as u64;
        (bytes / 2000, bytes % 2000) // (writes, responses), fewer than 2 000 responses
    };
    let (we_writes, we_responses) = split("westus2", "eastus");
    let (ew_writes, ew_responses) = split("eastus", "westus2");
    eprintln!(
        "westus2 → eastus: {we_writes} writes, {we_responses} responses; eastus → westus2: {ew_writes} writes, {ew_responses} responses; {} in flight at the end",
        r.in_flight_at_end
    );
    assert!(we_writes > 0 && ew_responses < 2000 && we_responses < 2000);
    assert_eq!(
        we_writes, ew_responses,
        "each write sent to eastus was answered"
    );
    assert_eq!(
        ew_writes, we_responses,
        "each write sent to westus2 was answered"
    );
}

/// Quorum replication places a key's replicas on the ring whatever the jurisdiction of its
/// records, and would report a residency policy as kept (0 records stored outside) when it is
/// not: such an experiment is refused, counted or enforced.
#[test]
fn residency_with_quorum_replication_is_refused() {
    let d = temp_dir("quorum-residency");
    let topo = super::root().join("topologies/azure-15.ron");
    let exp = d.join("e.ron");
    for enforce in [false, true] {
        std::fs::write(
            &exp,
            format!(
                r#"Experiment(name: "q", topology: "{}", duration_s: 60,
                    design: ActiveActive(regions: ["westeurope", "eastus", "japaneast"]),
                    data: (replication: (mode: Quorum(n: 1, r: 1, w: 1))),
                    populations: {{"p": (lat: 51.5, lon: 0.0, jurisdiction: "EU", rate_per_s: 1)}},
                    residency: (enforce: {enforce}, allow: {{"EU": ["westeurope"]}}),
                )"#,
                topo.display()
            ),
        )
        .unwrap();
        let err = regionsim::config::load_experiment(&exp)
            .unwrap_err()
            .to_string();
        eprintln!("{err}");
        assert!(
            err.contains("residency is not modelled with Quorum replication"),
            "{err}"
        );
    }
}

/// `SessionRoute` sends a read that lacks the user's own write to a region that has it. Under
/// enforced residency that region must be allowed for the user: here Paris's writes lag on
/// their way to Dublin and then Paris's region dies, and its users' reads used to be routed
/// to Virginia (698 requests served outside in this run before the fix).
#[test]
fn enforced_residency_keeps_session_routed_reads_inside() {
    let e = experiment(
        "res-session-route",
        r#"duration_s: 900, warmup_s: 0, window_s: 10,
        dns: (policy: Latency, ttl_s: 10),
        health: (interval_s: 10, failure_threshold: 1, recovery_threshold: 1, timeout_ms: 2000,
                 checkers: ["westus2", "northeurope", "japaneast"]),
        client: (timeout_ms: 2000, connect_timeout_ms: 1000, retries: 3, backoff_base_ms: 100,
                 backoff_max_ms: 1000, deadline_ms: 10000, re_resolve_on_failure: true),
        faults: [
            LagSpike(a: "westeurope", b: "northeurope", at_s: 250, for_s: 100, extra_ms: 5000),
            RegionOutage(region: "westeurope", at_s: 300, for_s: 300),
        ],
        design: ActiveActive(regions: ["westeurope", "northeurope", "eastus"]),
        data: (replication: (mode: Async, lag: Constant(ms: 100.0), lag_at: Sender),
               consistency: SessionRoute),
        populations: {
            "paris": (lat: 48.86, lon: 2.35, anchor: "westeurope", jurisdiction: "EU", rate_per_s: 50,
                      write_fraction: 0.3, users: 200, resolvers: 20, keys: (count: 1000, zipf_s: 0.5)),
            "amsterdam": (lat: 52.37, lon: 4.90, anchor: "westeurope", jurisdiction: "NL", rate_per_s: 50,
                          write_fraction: 0.9, users: 200, resolvers: 20, keys: (count: 1000, zipf_s: 0.5)),
        },
        residency: (enforce: true, allow: {"EU": ["westeurope", "northeurope"]}),"#,
    );
    let r = run(&e.variants[0].1, 5);
    let res = r.residency.as_ref().unwrap();
    eprintln!(
        "{} reads routed, {} requests served outside",
        r.data.reads_routed, res.requests_served_outside
    );
    assert!(r.data.reads_routed > 0, "some reads were routed");
    assert_eq!(res.requests_served_outside, 0);
}

/// Quorum replication keeps each key on `n` of the design's regions, so the data set is stored
/// `n` times in all, each region holding the keys whose replicas include it (before, every
/// region was billed a full copy whatever `n` was).
#[test]
fn quorum_storage_is_billed_for_n_copies() {
    let prices = price_file("quorum-storage");
    let e = experiment(
        "cost-quorum-storage",
        &format!(
            r#"duration_s: 60, warmup_s: 0, window_s: 10,
            design: ActiveActive(regions: ["westeurope", "eastus", "japaneast"]),
            data: (replication: (mode: Quorum(n: 1, r: 1, w: 1))),
            populations: {{
                "p": (lat: 51.5, lon: 0.0, rate_per_s: 10, write_fraction: 0.5, keys: (count: 3000, zipf_s: 0.5)),
            }},
            cost: (prices: "{prices}", dataset_gb: 100),
            variants: [
                (name: "n1", overrides: {{}}),
                (name: "n2", overrides: {{"data.replication.mode": Quorum(n: 2, r: 1, w: 1)}}),
                (name: "n3", overrides: {{"data.replication.mode": Quorum(n: 3, r: 1, w: 1)}}),
            ],"#
        ),
    );
    for (name, n) in [("n1", 1.0), ("n2", 2.0), ("n3", 3.0)] {
        let r = run(variant(&e, name), 3);
        let c = r.cost.as_ref().unwrap();
        let stored: Vec<f64> = c.regions.iter().map(|g| g.stored_gb).collect();
        eprintln!("{name}: stored {stored:?} GB");
        let total: f64 = stored.iter().sum();
        assert!((total - n * 100.0).abs() < 1e-6, "{name}: {total}");
        // The ring spreads the keys: each region holds about n / 3 of them.
        for s in &stored {
            assert!((s - n * 100.0 / 3.0).abs() < 5.0, "{name}: {stored:?}");
        }
    }
}

/// A replication link with too little bandwidth: writes arrive at 100/s, the link sends 50/s,
/// so the backlog grows all run. Egress is billed when a message leaves its sender (SPEC §3
/// Cost), so the bill is bounded by what the link can send in the span, not by what was
/// queued; and the message count in the cost table is scaled like the bytes.
#[test]
fn a_saturated_replication_link_bills_only_what_it_sent() {
    let prices = price_file("saturated");
    let e = experiment(
        "cost-saturated",
        &format!(
            r#"duration_s: 200, warmup_s: 10, window_s: 10,
            design: ActivePassive(primary: "eastus", standbys: ["westeurope"]),
            data: (replication: (mode: Async, bandwidth: Some((bytes_per_s: 50000.0, message_bytes: 1000.0)))),
            populations: {{
                "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 100, write_fraction: 1.0,
                             keys: (count: 1000, zipf_s: 0.5)),
            }},
            cost: (prices: "{prices}", requests_represented: 10,
                   sizes: (record_bytes: {{"Register": 1000}}, replication_overhead_bytes: 24)),"#
        ),
    );
    let r = run(variant(&e, "base"), 4);
    let c = r.cost.as_ref().unwrap();
    let gb = c
        .links
        .iter()
        .find(|l| l.from == "eastus" && l.to == "westeurope")
        .unwrap()
        .replication_gb;
    let writes = r.data.writes as f64;
    // 20 ms per message: at most 190 s × 50/s (+ one straddling the warm-up) leave in the span,
    // each 1 024 bytes, each standing for 10.
    let sendable = (190.0 * 50.0 + 1.0) * 1024.0 * 10.0 / 1e9;
    eprintln!("writes {writes}, billed {gb:.6} GB, the link can send {sendable:.6} GB");
    assert!(writes > 18_000.0, "writes {writes}");
    assert!(
        gb <= sendable + 1e-12,
        "billed {gb} GB > sendable {sendable} GB"
    );
    assert!(gb >= 0.99 * sendable, "the link is busy all run: {gb} GB");
    let line = c
        .components
        .iter()
        .find(|l| l.component == "replication_egress")
        .unwrap();
    let messages = (gb * 1e9 / 1024.0).round() as u64;
    assert!(
        line.quantity.contains(&format!("messages={messages}")),
        "{} should count {messages} messages",
        line.quantity
    );
}

/// With two jurisdictions the terminal's residency table keeps the run-wide counters (records
/// stored and requests served outside, requests failed for want of an allowed region) on a
/// row of their own, `(all)`, instead of repeating them on each jurisdiction's row as if they
/// were its own.
#[test]
fn the_residency_table_does_not_repeat_run_wide_counts_per_jurisdiction() {
    let d = temp_dir("residency-table");
    let topo = super::root().join("topologies/azure-15.ron");
    let exp = d.join("two.ron");
    std::fs::write(
        &exp,
        format!(
            r#"Experiment(name: "two", topology: "{}", duration_s: 60, warmup_s: 0, window_s: 10,
                design: ActiveActive(regions: ["westeurope", "japaneast", "eastus"]),
                populations: {{
                    "london": (lat: 51.51, lon: -0.13, anchor: "westeurope", jurisdiction: "EU",
                               rate_per_s: 20, write_fraction: 0.5),
                    "tokyo": (lat: 35.68, lon: 139.69, anchor: "japaneast", jurisdiction: "JP",
                              rate_per_s: 20, write_fraction: 0.5),
                }},
                residency: (enforce: false, allow: {{"EU": ["westeurope"], "JP": ["japaneast"]}}),
            )"#,
            topo.display()
        ),
    )
    .unwrap();
    let o = super::regionsim(&[
        "run",
        exp.to_str().unwrap(),
        "--no-charts",
        "--out",
        d.join("out").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let table = &out[out.find("residency:").expect("a residency table")..];
    eprintln!("{table}");
    let row = |j: &str| {
        table
            .lines()
            .find(|l| l.split_whitespace().nth(2) == Some(j))
            .unwrap_or_else(|| panic!("no {j} row in\n{table}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    for j in ["EU", "JP"] {
        let r = row(j);
        assert_eq!(r[r.len() - 2..], ["-", "-"], "{j}: {r:?}");
    }
    let all = row("(all)");
    let stored: u64 = all[all.len() - 2].parse().unwrap();
    assert!(
        stored > 0,
        "records replicated out of their jurisdiction: {all:?}"
    );
}

/// Washington is promoted, demoted when Virginia comes back and Washington fails, and promoted
/// again before the first promotion's scale-up time has passed. It reaches full capacity
/// `scale_up_s` after its second promotion: the first promotion's scale-up used to fire and
/// bring it there early.
#[test]
fn a_second_promotion_waits_for_its_own_scale_up() {
    let prices = price_file("promoted-twice");
    let e = experiment(
        "cost-promoted-twice",
        &format!(
            r#"duration_s: 1500, warmup_s: 0, window_s: 10,
            health: (interval_s: 10, failure_threshold: 3, checkers: ["westus2", "northeurope", "japaneast"]),
            design: ActivePassive(primary: "eastus", standbys: ["westus2"],
                                  failover: Automatic(promotion_s: 30), standby_capacity: 0.25, scale_up_s: 300),
            faults: [RegionOutage(region: "eastus", at_s: 600, for_s: 100),
                     RegionOutage(region: "westus2", at_s: 760, for_s: 100),
                     RegionOutage(region: "eastus", at_s: 880, for_s: 600)],
            populations: {{
                "here": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 5, write_fraction: 0.1),
            }},
            cost: (prices: "{prices}", dataset_gb: 1),
            variants: [(name: "v", overrides: {{"topology.defaults.servers": 8}})],"#
        ),
    );
    let r = run(variant(&e, "v"), 3);
    let to_west: Vec<f64> = r
        .failovers
        .iter()
        .filter(|f| f.to.as_deref() == Some("westus2"))
        .filter_map(|f| f.promoted_s)
        .collect();
    eprintln!("{:?}", r.failovers);
    assert_eq!(to_west.len(), 2, "{:?}", r.failovers);
    let (p1, p3) = (to_west[0], to_west[1]);
    assert!(
        p3 < p1 + 300.0,
        "promoted again within the first scale-up: {p1} {p3}"
    );
    let hours = r
        .cost
        .as_ref()
        .unwrap()
        .regions
        .iter()
        .find(|g| g.region == "westus2")
        .unwrap()
        .server_hours;
    // 2 servers (8 × 0.25) until 300 s after the second promotion, 8 after.
    let expected = (2.0 * (p3 + 300.0) + 8.0 * (1500.0 - p3 - 300.0)) / 3600.0;
    eprintln!("westus2: {hours:.4} h, expected {expected:.4} h");
    assert!((hours - expected).abs() < 1e-6, "{hours} vs {expected}");
}

/// With the lag spent at the sender, a write a cut or a dead receiver keeps in the sender's log
/// has not left: its egress is billed when it crosses, and not at all if it never does before
/// the end. Virginia writes 10 a second to 1 MB records; westeurope is cut off (or down) from
/// 3 000 s to the end. Every write queued after the cut used to be billed all the same: 50%
/// more replication egress than the writes that left (2026-12-04 review).
#[test]
fn replication_kept_in_the_senders_log_is_billed_only_when_it_leaves() {
    let prices = price_file("unsent");
    let e = experiment(
        "cost-unsent",
        &format!(
            r#"duration_s: 4200, warmup_s: 600, window_s: 60,
            dns: (ttl_s: 60, lookup: Constant(ms: 0.0)),
            faults: [Partition(a: "eastus", b: "westeurope", at_s: 3000, for_s: 100000)],
            design: ActiveActive(regions: ["eastus", "westeurope"]),
            data: (replication: (mode: Async, lag: Constant(ms: 0.0), lag_at: Sender)),
            populations: {{
                "here": (lat: 36.67, lon: -78.39, last_mile_ms: 0, rate_per_s: 10, write_fraction: 1.0,
                         users: 10, resolvers: 1, keys: (count: 1000, zipf_s: 0.5)),
            }},
            cost: (prices: "{prices}", sizes: (record_bytes: {{"Register": 1000000}})),
            variants: [
                (name: "cut", overrides: {{}}),
                (name: "down", overrides: {{"faults": [RegionOutage(region: "westeurope", at_s: 3000, for_s: 100000)]}}),
                (name: "healed", overrides: {{"faults": [Partition(a: "eastus", b: "westeurope", at_s: 3000, for_s: 600)]}}),
                (name: "no-fault", overrides: {{"faults": [], "duration_s": 3000}}),
            ],"#
        ),
    );
    let gb = |v: &str| replication_gb(&run(variant(&e, v), 5), "eastus", "westeurope");
    let (cut, down, healed, before) = (gb("cut"), gb("down"), gb("healed"), gb("no-fault"));
    eprintln!("replication GB: cut {cut}, down {down}, healed {healed}; up to 3 000 s {before}");
    // The same arrivals (common random numbers): up to the fault, the writes that left (1 MB
    // each, so 0.01 GB is ten of them).
    assert!(before > 20.0, "{before}");
    for held in [cut, down] {
        assert!((held - before).abs() <= 0.01, "{held} against {before}");
    }
    // A cut that heals at 3 600 s: everything leaves by the end, as without a fault.
    assert!(healed > before * 1.4, "{healed} against {before}");
}
