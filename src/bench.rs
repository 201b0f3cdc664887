//! Speed benchmarks: simulated events and requests per wall-clock second, single thread.
//!
//! Used by `regionsim bench` and `cargo bench`; never by timed unit tests.

use crate::distribution::{Dist, DistSpec};
use crate::engine::{Engine, Model, NS_PER_S, Scheduler, SimTime, s_to_ns};
use crate::model::*;
use crate::rng::{Stream, stream};
use crate::sim::pool::{Admission, Pool, PoolStats};
use crate::sim::run_scenario;
use rand_distr::Distribution as _;
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
    let read_typical_ns = crate::distribution::typical_ns(&service, &svc);
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
            read_typical_ns,
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
            negative_ttl: never,
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
            lag_at: crate::model::LagAt::Target,
            ack: crate::model::ReplicaAck::Received,
            semi_sync_fallback: None,
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

/// The engine alone on the SimPy script's model (`benches/peers/simpy_mmc.py`): Poisson
/// arrivals, `servers` servers, exponential service, an unbounded FIFO queue, and the script's
/// bookkeeping (running sums of waits and times in system, which the simulator's server pool
/// keeps), built from the engine, that pool, its distributions and its seeded streams. Two events per customer
/// (arrival, service end), where the request path of [`bench_mmc`] also delivers the arrival at
/// the region and the response and keeps every metric a scenario reports. It measures what
/// the engine costs on its own; the simulator's speed is [`bench_mmc`].
pub struct EngineMmc {
    rate_per_ns: f64,
    service: Dist,
    arrivals: Stream,
    services: Stream,
    end: SimTime,
    pool: Pool<()>,
    /// Customers arrived.
    pub arrived: u64,
}

/// The events of [`EngineMmc`].
#[derive(Debug, Clone, Copy)]
pub enum MmcEvent {
    Arrival,
    ServiceEnd,
}

impl EngineMmc {
    /// `lambda` arrivals per second, `servers` servers with mean service `mean_service_s`,
    /// arrivals until `duration_s`, pool statistics after `warmup_s`, draws from streams of
    /// `seed`.
    pub fn new(
        lambda: f64,
        servers: u32,
        mean_service_s: f64,
        duration_s: f64,
        warmup_s: f64,
        seed: u64,
    ) -> Self {
        let service = Dist::new(
            &DistSpec::Exponential {
                mean_ms: mean_service_s * 1000.0,
            },
            None,
        )
        .expect("valid service distribution");
        EngineMmc {
            rate_per_ns: lambda / NS_PER_S as f64,
            service,
            arrivals: stream(seed, "engine-mmc/arrivals"),
            services: stream(seed, "engine-mmc/service"),
            end: s_to_ns(duration_s),
            pool: Pool::new(servers, u32::MAX, s_to_ns(warmup_s)),
            arrived: 0,
        }
    }

    /// Runs to the end of the arrivals and until the last customer leaves; returns the events
    /// delivered and the pool's statistics.
    pub fn run(&mut self) -> (u64, PoolStats) {
        let mut engine = Engine::new();
        self.schedule_arrival(engine.scheduler());
        engine.run_until(self, SimTime::MAX);
        self.pool.finish(engine.now());
        (engine.delivered(), self.pool.stats.clone())
    }

    fn schedule_arrival(&mut self, sched: &mut Scheduler<MmcEvent>) {
        let e: f64 = rand_distr::Exp1.sample(&mut self.arrivals);
        let t = sched.now() as f64 + e / self.rate_per_ns;
        if t < self.end as f64 {
            sched.schedule_at(t as SimTime, MmcEvent::Arrival);
        }
    }

    fn start_service(&mut self, arrived: SimTime, sched: &mut Scheduler<MmcEvent>) {
        let now = sched.now();
        let s = self.service.sample(&mut self.services);
        self.pool.record_service(arrived, now, s);
        sched.schedule_in(s, MmcEvent::ServiceEnd);
    }
}

impl Model for EngineMmc {
    type Event = MmcEvent;

    fn handle(&mut self, event: MmcEvent, sched: &mut Scheduler<MmcEvent>) {
        let now = sched.now();
        match event {
            MmcEvent::Arrival => {
                self.arrived += 1;
                if self.pool.arrive((), now) == Admission::Serve {
                    self.start_service(now, sched);
                }
                self.schedule_arrival(sched);
            }
            MmcEvent::ServiceEnd => {
                if let Some(((), next)) = self.pool.depart(now, |()| true) {
                    self.start_service(next, sched);
                }
            }
        }
    }
}

/// Benchmark (a′): [`EngineMmc`] with λ = 9/s, c = 10, mean service 1 s, about `customers`
/// customers: the same model and bookkeeping as the SimPy script.
pub fn bench_engine_mmc(customers: u64) -> BenchResult {
    let mut m = EngineMmc::new(9.0, 10, 1.0, customers as f64 / 9.0, 0.0, 1);
    let t = Instant::now();
    let (events, _) = m.run();
    BenchResult {
        name: "engine alone: M/M/c, SimPy's bookkeeping".into(),
        events,
        requests: m.arrived,
        seconds: t.elapsed().as_secs_f64(),
    }
}
