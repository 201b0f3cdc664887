//! Speed benchmarks: simulated events and requests per wall-clock second, single thread.
//!
//! Used by `regionsim bench` and `cargo bench`; never by timed unit tests.

use crate::distribution::{Dist, DistSpec};
use crate::engine::{SimTime, s_to_ns};
use crate::model::*;
use crate::sim::run_scenario;
use std::time::Instant;

/// An M/M/c queue as a regionsim scenario: one region, users at zero distance, no DNS cost,
/// no timeouts, an unbounded queue. `lambda` per second, service mean `mean_service_s`.
pub fn mmc_scenario(
    lambda: f64,
    servers: u32,
    mean_service_s: f64,
    duration_s: f64,
    warmup_s: f64,
) -> Scenario {
    mg_c_scenario(
        lambda,
        servers,
        DistSpec::Exponential {
            mean_ms: mean_service_s * 1000.0,
        },
        duration_s,
        warmup_s,
    )
}

/// An M/G/c queue as a regionsim scenario (see [`mmc_scenario`]).
pub fn mg_c_scenario(
    lambda: f64,
    servers: u32,
    service: DistSpec,
    duration_s: f64,
    warmup_s: f64,
) -> Scenario {
    let svc = Dist::new(&service, None).expect("valid service distribution");
    let never: SimTime = s_to_ns(duration_s * 10.0 + 1e6);
    Scenario {
        name: "mmc".into(),
        topology_name: "single".into(),
        duration: s_to_ns(duration_s),
        warmup: s_to_ns(warmup_s),
        window: s_to_ns((duration_s / 100.0).max(1.0)),
        slo: 0.999,
        regions: vec![Region {
            name: "server".into(),
            lat: 0.0,
            lon: 0.0,
            continent: String::new(),
            jurisdiction: String::new(),
            servers,
            read_service: svc.clone(),
            write_service: svc,
            queue_limit: u32::MAX,
        }],
        populations: vec![Population {
            name: "customers".into(),
            lat: 0.0,
            lon: 0.0,
            anchor: None,
            jurisdiction: String::new(),
            rate_per_s: lambda,
            diurnal: None,
            utc_offset_h: 0.0,
            write_fraction: 0.0,
            keys: 1,
            zipf_s: 0.0,
            users: 1,
            resolvers: 1,
            client: ClientPolicy {
                timeout: never,
                connect_timeout: never,
                retries: 0,
                backoff_base: 0,
                backoff_max: 0,
                deadline: never,
                re_resolve_on_failure: false,
            },
        }],
        network: Network::new(1, vec![0], vec![false], vec![0], vec![0], Dist::Constant(0)),
        design: Design::ActiveActive { regions: vec![0] },
        dns: DnsConfig {
            policy: DnsPolicyKind::Latency,
            ttl: never,
            lookup: Dist::Constant(0),
            fail_open: true,
            violators: None,
        },
        health: None,
        faults: vec![],
        random_outages: None,
        data: crate::model::DataConfig {
            mode: crate::model::ReplicationMode::Async,
            wars: Default::default(),
            transmit: 0,
            lag: Dist::Constant(0),
            shape: crate::model::ReplicationShape::Mesh,
            conflict: crate::model::ConflictStrategy::Lww,
            class: crate::model::KeyClass::Register,
            clock_skew: Dist::Constant(0),
            clock_drift_ppm: 0.0,
            consistency: crate::model::Consistency::Eventual,
            keys: 1,
        },
        cost: None,
        residency: None,
    }
}

/// One benchmark's figures.
#[derive(Debug, Clone)]
pub struct BenchResult {
    pub name: String,
    pub events: u64,
    pub requests: u64,
    pub seconds: f64,
}

impl BenchResult {
    /// Events per second.
    pub fn events_per_s(&self) -> f64 {
        self.events as f64 / self.seconds
    }
    /// Requests per second.
    pub fn requests_per_s(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

/// Runs a scenario once and times it (single thread).
pub fn time_scenario(name: &str, sc: &Scenario, seed: u64) -> BenchResult {
    let t = Instant::now();
    let out = run_scenario(sc, seed, None).expect("benchmark run keeps conservation");
    BenchResult {
        name: name.into(),
        events: out.events,
        requests: out.counts.issued,
        seconds: t.elapsed().as_secs_f64(),
    }
}

/// Benchmark (a): M/M/c with λ = 9/s, c = 10, mean service 1 s, about `customers` customers.
pub fn bench_mmc(customers: u64) -> BenchResult {
    let duration = customers as f64 / 9.0;
    time_scenario(
        "M/M/c (λ=9/s, c=10, 1 s service)",
        &mmc_scenario(9.0, 10, 1.0, duration, 0.0),
        1,
    )
}
