//! Random valid experiments simulated to the end: no panic, every request accounted for once,
//! replica waits bounded by the requests alive, and the same events and results when run
//! again and with the engine's hand-over off.
//!
//! The loader fuzzers (`loader_fuzz.rs`) stop at the loader; this one runs what it accepts.
//! Each case draws a design (active-passive with failover and failback, or active-active), a
//! replication mode, shape and conflict strategy, DNS, health checks, populations with retries,
//! residency, prices, and up to five scripted faults plus random outages, all over a few regions
//! of `azure-15`, for a few simulated minutes; every other case moves the users to zero
//! distance, so that the engine's hand-over is taken often. The draws come from a fixed seed, so CI replays
//! the same cases; `SIM_FUZZ_SEED=random` (or a number) and `SIM_FUZZ_CASES=<n>` for a long
//! local run. A failing case prints its seed and its experiment file.

use super::{root, temp_dir};
use rand::{Rng, RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use regionsim::model::Scenario;
use regionsim::sim::{run_scenario, run_scenario_queued};
use std::fmt::Write as _;

const REGIONS: [&str; 8] = [
    "eastus",
    "westus2",
    "brazilsouth",
    "northeurope",
    "westeurope",
    "japaneast",
    "southeastasia",
    "australiaeast",
];

const CITIES: [(&str, f64, f64, &str); 6] = [
    ("new-york", 40.71, -74.01, "US"),
    ("seattle", 47.61, -122.33, "US"),
    ("london", 51.51, -0.13, "EU"),
    ("sao-paulo", -23.55, -46.63, "BR"),
    ("tokyo", 35.68, 139.69, "JP"),
    ("sydney", -33.87, 151.21, "AU"),
];

struct Draw(Xoshiro256PlusPlus);

impl Draw {
    fn chance(&mut self, p: f64) -> bool {
        self.0.random_bool(p)
    }
    fn int(&mut self, lo: u32, hi: u32) -> u32 {
        self.0.random_range(lo..=hi)
    }
    fn real(&mut self, lo: f64, hi: f64) -> f64 {
        // Whole tenths: readable files, and times that land on shared instants now and then.
        (self.0.random_range(lo..=hi) * 10.0).round() / 10.0
    }
    /// Thousandths, for small quantities.
    fn fine(&mut self, lo: f64, hi: f64) -> f64 {
        (self.0.random_range(lo..=hi) * 1000.0).round() / 1000.0
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.0.random_range(0..xs.len())]
    }
    /// `k` distinct regions, in a random order.
    fn regions(&mut self, k: usize) -> Vec<&'static str> {
        let mut all = REGIONS.to_vec();
        for i in 0..k {
            let j = self.0.random_range(i..all.len());
            all.swap(i, j);
        }
        all.truncate(k);
        all
    }
    /// Between `lo` and `hi` distinct regions.
    fn some_regions(&mut self, lo: u32, hi: u32) -> Vec<&'static str> {
        let k = self.int(lo, hi) as usize;
        self.regions(k)
    }
    fn dist(&mut self, scale_ms: f64) -> String {
        match self.int(0, 3) {
            0 => format!("Constant(ms: {:.1})", self.real(0.0, scale_ms)),
            1 => format!("Exponential(mean_ms: {:.1})", self.real(0.1, scale_ms)),
            2 => {
                let median = self.real(0.1, scale_ms);
                format!(
                    "LogNormal(median_ms: {median:.1}, p99_ms: {:.1})",
                    median * self.real(1.5, 20.0)
                )
            }
            _ => {
                let lo = self.real(0.0, scale_ms);
                format!(
                    "Uniform(min_ms: {lo:.1}, max_ms: {:.1})",
                    lo + self.real(0.0, scale_ms)
                )
            }
        }
    }
    /// `fragment` drawn with probability `p`, else nothing.
    fn maybe(&mut self, p: f64, fragment: impl FnOnce(&mut Draw) -> String) -> String {
        if self.chance(p) {
            fragment(self)
        } else {
            String::new()
        }
    }
    fn list(regions: &[&str]) -> String {
        let quoted: Vec<String> = regions.iter().map(|r| format!("\"{r}\"")).collect();
        format!("[{}]", quoted.join(", "))
    }
}

/// One random experiment (the body of its file).
fn random_experiment(case_seed: u64) -> String {
    let mut g = Draw(Xoshiro256PlusPlus::seed_from_u64(case_seed));
    let duration = g.int(120, 900);
    let mut e = format!(
        "Experiment(name: \"fuzz\", topology: \"{}\", seed: {}, duration_s: {duration}, warmup_s: {}, window_s: {},\n",
        root().join("topologies/azure-15.ron").display(),
        g.int(0, 1_000_000),
        g.int(0, 60),
        g.int(5, 60),
    );
    let n = g.int(1, 4) as usize;
    let design = g.regions(n);
    let active_active = g.chance(0.5);
    let quorum = active_active && n >= 2 && g.chance(0.3);
    let mut needs_health = false;
    // Design.
    if active_active {
        let _ = writeln!(e, "design: ActiveActive(regions: {}),", Draw::list(&design));
    } else {
        let failover = match g.int(0, 2) {
            _ if n < 2 => "Off".to_string(),
            0 => "Off".to_string(),
            1 => format!("Automatic(promotion_s: {})", g.real(0.0, 120.0)),
            _ => format!("Manual(delay_s: {})", g.real(0.0, 300.0)),
        };
        let failback = if failover != "Off" && g.chance(0.5) {
            format!(
                ", failback: Some(Planned(after_s: {}, max_lag_ms: {}))",
                g.real(0.0, 120.0),
                g.real(0.0, 3000.0)
            )
        } else {
            String::new()
        };
        needs_health = failover.starts_with("Automatic");
        let _ = writeln!(
            e,
            "design: ActivePassive(primary: \"{}\", standbys: {}, read_local: {}, failover: {failover}, standby_capacity: {}, scale_up_s: {}{failback}),",
            design[0],
            Draw::list(&design[1..]),
            g.chance(0.5),
            g.real(0.1, 1.0),
            g.real(0.0, 200.0),
        );
    }
    // DNS and health checks.
    let weights = |g: &mut Draw| {
        let w: Vec<String> = design
            .iter()
            .map(|r| format!("\"{r}\": {}", g.real(0.0, 10.0)))
            .collect();
        format!("{{{}}}", w.join(", "))
    };
    let policy = match g.int(0, 5) {
        0 if n >= 2 => format!(
            "Failover(primary: \"{}\", secondary: \"{}\")",
            design[0], design[1]
        ),
        1 => format!(
            "Geo(rules: {{\"EU\": {}, \"*\": {}}})",
            Draw::list(&[g.pick(&design)]),
            Draw::list(&design)
        ),
        2 => {
            let (first, at, then) = (
                weights(&mut g),
                g.real(0.0, f64::from(duration)),
                weights(&mut g),
            );
            format!("Weighted(weights: {first}, schedule: [(at_s: {at}, weights: {then})])")
        }
        _ => "Latency".into(),
    };
    let violators = g.maybe(0.3, |g| {
        format!(
            ", ttl_violators: (fraction: {:.2}, hold: {})",
            g.real(0.0, 1.0),
            g.dist(600_000.0)
        )
    });
    let _ = writeln!(
        e,
        "dns: (policy: {policy}, ttl_s: {}, lookup: {}, fail_open: {}{violators}),",
        g.real(0.0, 300.0),
        g.dist(100.0),
        g.chance(0.5)
    );
    if needs_health || g.chance(0.7) {
        let checkers = g.some_regions(1, 3);
        let _ = writeln!(
            e,
            "health: (interval_s: {}, failure_threshold: {}, recovery_threshold: {}, timeout_ms: {}, checkers: {}),",
            g.real(1.0, 60.0),
            g.int(1, 4),
            g.int(1, 4),
            g.real(100.0, 5000.0),
            Draw::list(&checkers)
        );
    }
    // Clients.
    let _ = writeln!(
        e,
        "client: (timeout_ms: {}, connect_timeout_ms: {}, retries: {}, backoff_base_ms: {}, backoff_max_ms: {}, deadline_ms: {}, re_resolve_on_failure: {}),",
        g.real(50.0, 5000.0),
        g.real(10.0, 3000.0),
        g.int(0, 3),
        g.real(0.0, 500.0),
        g.real(500.0, 5000.0),
        g.real(1000.0, 20000.0),
        g.chance(0.5)
    );
    // Data layer.
    let mode = if quorum {
        let nq = g.int(1, n as u32);
        format!(
            "Quorum(n: {nq}, r: {}, w: {}, write_ms: {}, read_ms: {})",
            g.int(1, nq),
            g.int(1, nq),
            g.dist(20.0),
            g.dist(20.0)
        )
    } else {
        match g.int(0, 2) {
            0 => "Async".into(),
            1 if n >= 2 => format!("SemiSync({})", g.int(1, n as u32 - 1)),
            1 => "Async".into(),
            _ => "Sync".into(),
        }
    };
    let shape = match g.int(0, 3) {
        _ if quorum || n < 2 => String::new(),
        0 => ", shape: Star".into(),
        1 => ", shape: Mesh".into(),
        2 => {
            let mut order = design.clone();
            let turn = g.int(0, n as u32 - 1) as usize;
            // The primary heads a chain of an active-passive design.
            if active_active {
                order.rotate_left(turn);
            }
            format!(", shape: Chain(order: {})", Draw::list(&order))
        }
        _ => String::new(),
    };
    let bandwidth = g.maybe(0.3, |g| {
        format!(
            ", bandwidth: (bytes_per_s: {}, message_bytes: {})",
            g.real(1e4, 1e7),
            g.real(100.0, 10_000.0)
        )
    });
    let (conflict, class) = match g.int(0, 4) {
        _ if quorum => ("Lww", "Register"),
        0 => ("Lww", "Register"),
        1 => ("Merge", "Counter"),
        2 => ("Crdt", "Set"),
        3 => ("AppLevel", "Booking"),
        _ => ("Lww", "Booking"),
    };
    let consistency = match g.int(0, 4) {
        _ if quorum => "Eventual".into(),
        0 => "SessionWait".into(),
        1 => "SessionRoute".into(),
        2 => format!("BoundedStaleness(max_ms: {})", g.real(0.0, 5000.0)),
        _ => "Eventual".into(),
    };
    // A write its origin waits for ships at commit: its lag is spent at the replica, which
    // acknowledges it on receipt or once applied.
    let waits = mode.starts_with("SemiSync") || mode == "Sync";
    let lag_at = if waits {
        let ack = if g.chance(0.5) { "Received" } else { "Applied" };
        let fallback = if mode.starts_with("SemiSync") {
            g.maybe(0.5, |g| {
                format!(", fallback_after_ms: {}", g.real(1.0, 20_000.0))
            })
        } else {
            String::new()
        };
        format!("Target, ack: {ack}{fallback}")
    } else if g.chance(0.5) {
        "Target".into()
    } else {
        "Sender".into()
    };
    let _ = writeln!(
        e,
        "data: (replication: (mode: {mode}, lag: {}, lag_at: {}{shape}{bandwidth}), conflict: {conflict}, class: {class}, clock_skew: {}, clock_drift_ppm: {}, consistency: {consistency}),",
        g.dist(3000.0),
        lag_at,
        g.dist(200.0),
        g.real(0.0, 100.0),
    );
    // Faults: on design regions mostly, so that they matter.
    let mut faults = vec![];
    let near = |g: &mut Draw| -> &'static str {
        if g.chance(0.8) {
            g.pick(&design)
        } else {
            g.pick(&REGIONS)
        }
    };
    for _ in 0..g.int(0, 5) {
        let at = g.real(0.0, f64::from(duration) * 1.1);
        let for_s = g.real(1.0, f64::from(duration) * 0.6);
        let a = near(&mut g);
        let mut b = near(&mut g);
        if b == a {
            b = g.pick(
                &REGIONS
                    .iter()
                    .filter(|r| **r != a)
                    .copied()
                    .collect::<Vec<_>>(),
            );
        }
        // A spike on the link to `b`, or on every link of `a`.
        let one_or_all = |g: &mut Draw| {
            if g.chance(0.5) {
                format!("Some(\"{b}\")")
            } else {
                "None".into()
            }
        };
        faults.push(match g.int(0, 6) {
            0 | 1 => format!("RegionOutage(region: \"{a}\", at_s: {at}, for_s: {for_s})"),
            2 => format!(
                "Partition(a: \"{a}\", b: \"{b}\", at_s: {at}, for_s: {for_s}, one_way: {})",
                g.chance(0.3)
            ),
            3 => format!(
                "LatencySpike(a: \"{a}\", b: {}, at_s: {at}, for_s: {for_s}, extra_ms: {})",
                one_or_all(&mut g),
                g.real(0.0, 2000.0)
            ),
            4 if g.chance(0.5) => format!(
                "CapacityLoss(region: \"{a}\", fraction: {:.2}, at_s: {at}, for_s: {for_s})",
                g.real(0.05, 1.0)
            ),
            4 => format!(
                "ErrorRate(region: \"{a}\", fraction: {:.2}, at_s: {at}, for_s: {for_s}, probes_fail: {})",
                g.real(0.05, 1.0),
                g.chance(0.5)
            ),
            6 => format!(
                "Slowdown(region: \"{a}\", factor: {:.2}, at_s: {at}, for_s: {for_s}, probes_slow: {})",
                if g.chance(0.1) { 1000.0 } else { g.real(1.0, 50.0) },
                g.chance(0.5)
            ),
            _ if g.chance(0.5) => format!(
                "LagSpike(a: \"{a}\", b: {}, at_s: {at}, for_s: {for_s}, extra_ms: {})",
                one_or_all(&mut g),
                g.real(0.0, 5000.0)
            ),
            _ => format!(
                "ClockJump(region: \"{a}\", at_s: {at}, by_ms: {})",
                g.real(-5000.0, 5000.0)
            ),
        });
    }
    let _ = writeln!(e, "faults: [{}],", faults.join(", "));
    if g.chance(0.25) {
        let _ = writeln!(
            e,
            "random_outages: (regions: {}, mtbf_h: {}, mttr_h: {}),",
            Draw::list(&g.some_regions(1, 3)),
            g.fine(0.02, 0.5),
            g.fine(0.005, 0.1)
        );
    }
    if g.chance(0.4) {
        let _ = writeln!(
            e,
            "cost: (prices: \"{}\", dataset_gb: {}),",
            root().join("topologies/prices/azure-2026.ron").display(),
            g.real(0.0, 1000.0)
        );
    }
    // Populations.
    let mut pops = vec![];
    let mut jurisdictions = vec![];
    for _ in 0..g.int(1, 3) {
        let (name, lat, lon, j) = g.pick(&CITIES);
        if pops
            .iter()
            .any(|p: &String| p.starts_with(&format!("\"{name}\"")))
        {
            continue;
        }
        jurisdictions.push(j);
        let anchor = g.maybe(0.5, |g| format!("anchor: \"{}\", ", g.pick(&REGIONS)));
        let zipf = if g.chance(0.5) { 0.0 } else { g.real(0.5, 1.5) };
        let diurnal = g.maybe(0.2, |g| {
            let hours: Vec<String> = (0..24).map(|_| g.real(0.0, 2.0).to_string()).collect();
            format!(
                ", diurnal: [{}], utc_offset_h: {}",
                hours.join(", "),
                g.int(0, 12)
            )
        });
        let client = g.maybe(0.3, |g| {
            format!(
                ", client: (timeout_ms: {}, retries: {})",
                g.real(20.0, 3000.0),
                g.int(0, 4)
            )
        });
        pops.push(format!(
            "\"{name}\": (lat: {lat}, lon: {lon}, {anchor}jurisdiction: \"{j}\", rate_per_s: {}, write_fraction: {:.2}, keys: (count: {}, zipf_s: {zipf}), users: {}, resolvers: {}{diurnal}{client})",
            g.real(0.5, 40.0),
            g.real(0.0, 1.0),
            g.int(1, 2000),
            g.int(1, 500),
            g.int(1, 20),
        ));
    }
    let _ = writeln!(e, "populations: {{ {} }},", pops.join(", "));
    if g.chance(0.3) {
        let j = g.pick(&jurisdictions);
        let allowed = g.some_regions(1, 2);
        let _ = writeln!(
            e,
            "residency: (enforce: {}, allow: {{\"{j}\": {}}}),",
            !shape.contains("Chain") && g.chance(0.6),
            Draw::list(&allowed)
        );
    }
    // A variant with few servers and a short queue: shed requests, queued timers.
    if g.chance(0.3) {
        let _ = writeln!(
            e,
            "variants: [(name: \"base\", overrides: {{}}), (name: \"tight\", overrides: {{\"topology.defaults.servers\": {}, \"topology.defaults.queue_limit\": {}}})],",
            g.int(1, 3),
            g.int(0, 20)
        );
    }
    e.push_str(")\n");
    e
}

fn cases() -> u64 {
    std::env::var("SIM_FUZZ_CASES").map_or(120, |v| v.parse().expect("SIM_FUZZ_CASES: a number"))
}

fn seed() -> u64 {
    match std::env::var("SIM_FUZZ_SEED").as_deref() {
        Ok("random") => {
            let s = rand::rng().next_u64();
            eprintln!("SIM_FUZZ_SEED={s}");
            s
        }
        Ok(v) => v.parse().expect("SIM_FUZZ_SEED: a number or `random`"),
        Err(_) => 20_261_201,
    }
}

/// Runs `sc` three ways and checks them; `Err` says what is wrong.
fn check(sc: &Scenario, seed: u64) -> Result<u64, String> {
    let a = run_scenario(sc, seed, None).map_err(|e| format!("run failed: {e}"))?;
    let c = &a.counts;
    if c.issued != c.ok + c.failed + a.in_flight {
        return Err(format!(
            "issued {} ≠ ok {} + failed {} + in flight {}",
            c.issued, c.ok, c.failed, a.in_flight
        ));
    }
    // What attempts wait for at replicas goes with them: per request slot at most one write's
    // acknowledgements, one read waiting at up to every data region, the data layer's two
    // records of an unacknowledged write, and one write held by a failback's drain.
    let bound = a.peak_request_slots * (sc.design.regions().len() + 4);
    if a.peak_replica_waits > bound {
        return Err(format!(
            "{} replica waits at once for {} request slots",
            a.peak_replica_waits, a.peak_request_slots
        ));
    }
    let b = run_scenario(sc, seed, None).map_err(|e| format!("second run failed: {e}"))?;
    if (a.events, a.trace) != (b.events, b.trace) {
        return Err("a second run gave other events".into());
    }
    let q = run_scenario_queued(sc, seed).map_err(|e| format!("queued run failed: {e}"))?;
    if (a.events, a.trace) != (q.events, q.trace) {
        return Err(format!(
            "the hand-over changed the events: {} against {} queued",
            a.events, q.events
        ));
    }
    let ra = regionsim::results::VariantResult::build("v", sc, seed, &a);
    let rb = regionsim::results::VariantResult::build("v", sc, seed, &q);
    if format!("{ra:?}") != format!("{rb:?}") {
        return Err("the hand-over changed the results".into());
    }
    consistent(&ra)?;
    Ok(a.events)
}

/// The figures of one result agree with each other.
fn consistent(r: &regionsim::results::VariantResult) -> Result<(), String> {
    let mut wrong = vec![];
    let mut expect = |ok: bool, what: String| {
        if !ok {
            wrong.push(what);
        }
    };
    let o = &r.overall;
    let reasons = o.failed_timeout
        + o.failed_overload
        + o.failed_unreachable
        + o.failed_no_region
        + o.failed_error;
    expect(
        o.failed == reasons,
        format!("failed {} ≠ {reasons} by reason", o.failed),
    );
    expect(
        o.ok + o.failed <= o.issued,
        format!("ok {} + failed {} > issued {}", o.ok, o.failed, o.issued),
    );
    let by_pop = |f: fn(&regionsim::results::ScopeSummary) -> u64| -> u64 {
        r.populations.iter().map(|p| f(&p.scope)).sum()
    };
    for (name, total, sum) in [
        ("issued", o.issued, by_pop(|s| s.issued)),
        ("ok", o.ok, by_pop(|s| s.ok)),
        ("failed", o.failed, by_pop(|s| s.failed)),
    ] {
        expect(
            total == sum,
            format!("{name}: {total} overall, {sum} over the populations"),
        );
    }
    let share = |x: Option<f64>| x.is_none_or(|v| (0.0..=1.0).contains(&v));
    expect(
        share(o.availability) && share(o.time_availability) && share(Some(r.service_up_fraction)),
        format!(
            "a share outside [0, 1]: availability {:?}, time availability {:?}, service up {}",
            o.availability, o.time_availability, r.service_up_fraction
        ),
    );
    let d = &r.data;
    expect(
        d.stale_reads <= d.reads && d.read_your_writes_violations <= d.reads,
        format!(
            "{} stale reads and {} read-your-writes violations in {} reads",
            d.stale_reads, d.read_your_writes_violations, d.reads
        ),
    );
    expect(
        share(d.stale_read_ratio),
        format!("stale-read ratio {:?}", d.stale_read_ratio),
    );
    for f in &r.failovers {
        expect(
            f.promoted_s.is_none_or(|p| p >= f.triggered_s),
            format!(
                "a failover promoted at {:?} s, before its trigger at {} s",
                f.promoted_s, f.triggered_s
            ),
        );
    }
    for f in &r.faults {
        expect(
            f.failed_requests <= o.failed && share(f.availability_during),
            format!(
                "fault {}: {} failed requests of {} overall, availability {:?}",
                f.fault, f.failed_requests, o.failed, f.availability_during
            ),
        );
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("; "))
    }
}

#[test]
fn random_experiments_run_to_the_end_and_account_for_every_request() {
    let (seed, n) = (seed(), cases());
    let dir = temp_dir("sim-fuzz");
    let (mut accepted, mut refused, mut events) = (0u64, 0u64, 0u64);
    let mut failures = vec![];
    for case in 0..n {
        let case_seed = regionsim::rng::splitmix64(seed ^ case);
        let text = random_experiment(case_seed);
        let f = dir.join(format!("case-{case}.ron"));
        std::fs::write(&f, &text).unwrap();
        let e = match regionsim::config::load_experiment(&f) {
            Ok((e, _)) => e,
            Err(err) => {
                if std::env::var_os("SIM_FUZZ_SHOW").is_some() {
                    eprintln!("case {case} refused:\n{err}");
                }
                refused += 1;
                continue;
            }
        };
        accepted += 1;
        for (name, sc) in &e.variants {
            // Every other case moves the users to zero distance, so that requests and responses
            // hop at once and the hand-over is exercised (region-to-region links keep their
            // delays).
            let sc = if case % 2 == 1 {
                &super::hand_over::at_zero_distance(sc.clone(), sc.duration)
            } else {
                sc
            };
            let outcome = std::panic::catch_unwind(|| check(sc, e.seed)).unwrap_or_else(|p| {
                Err(format!(
                    "panic: {}",
                    p.downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default()
                ))
            });
            match outcome {
                Ok(ev) => events += ev,
                Err(why) => failures.push(format!(
                    "case {case} (SIM_FUZZ_SEED={seed}), variant {name}: {why}\n{text}"
                )),
            }
        }
    }
    eprintln!("{accepted} experiments run ({refused} refused by the loader), {events} events");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // The generator must mostly write experiments the loader takes, or this tests little.
    assert!(
        accepted * 10 >= n * 7,
        "only {accepted} of {n} random experiments loaded"
    );
}
