//! The request path of SPEC §2 as an engine [`Model`]: arrivals, DNS, network, pools, retries.
//!
//! Each request lives in a slab slot with a generation number; every event that refers to a
//! request carries (slot, generation, attempt), so an event from a timed-out attempt or a
//! finished request is recognised as stale and ignored. Slots are reused: memory is bounded
//! by the requests in flight, not by the requests simulated.

pub mod pool;
mod run;

use crate::distribution::Dist;
use crate::dns::Dns;
use crate::engine::{Model, Scheduler, SimTime};
use crate::metrics::{FailReason, Metrics, Op};
use crate::model::{Design, PopulationId, RegionId, Scenario};
use crate::rng::{Stream, stream, unit};
use pool::{Admission, Pool};
use rand_distr::Distribution as _;
pub use run::{RunOutput, SimError, run_scenario};

/// A reference to one attempt of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReqRef {
    slot: u32,
    generation: u32,
    attempt: u16,
}

/// Result of an attempt, as it reaches the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptResult {
    Ok,
    Failed(FailReason),
}

/// The typed events of the request path.
#[derive(Debug, Clone, Copy)]
pub enum Event {
    /// The next request of a population.
    Arrival { pop: PopulationId },
    /// A resolver's lookup came back (`NO_REGION` when DNS had nothing to offer).
    Resolved { req: ReqRef, region: RegionId },
    /// An attempt (or a forwarded write) reaches a region.
    AtRegion { req: ReqRef, region: RegionId },
    /// A server of `region` finishes `req`.
    ServiceDone { region: RegionId, req: ReqRef },
    /// The attempt's outcome reaches the client.
    Response { req: ReqRef, result: AttemptResult },
    /// The client's per-attempt timer fires.
    AttemptTimeout { req: ReqRef },
    /// Backoff is over: start the next attempt.
    Retry { req: ReqRef },
}

/// Region id meaning "no region".
pub const NO_REGION: RegionId = RegionId::MAX;

/// Per-request state, freed when the request ends.
#[derive(Debug, Clone, Copy)]
struct Request {
    generation: u32,
    live: bool,
    pop: PopulationId,
    op: Op,
    user: u32,
    #[allow(dead_code)] // read by the data layer (replication, conflicts)
    key: u32,
    t0: SimTime,
    attempt: u16,
    /// Region the current attempt entered (DNS's answer), or NO_REGION.
    entry: RegionId,
    /// Region executing the request (the primary for a forwarded write).
    exec: RegionId,
    /// Ask DNS afresh on the next attempt.
    re_resolve: bool,
}

/// Counts over the whole run (warm-up included) used to check conservation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Conservation {
    pub issued: u64,
    pub ok: u64,
    pub failed: u64,
}

/// The simulated world of one run.
pub struct World<'a> {
    sc: &'a Scenario,
    end: SimTime,
    arrivals: Vec<Stream>,
    workload: Vec<Stream>,
    zipf: Vec<rand_distr::Zipf<f64>>,
    service: Vec<Stream>,
    net: Stream,
    dns_rng: Stream,
    client_rng: Stream,
    pools: Vec<Pool<ReqRef>>,
    /// Engine lane of each population's attempt timers (one lane per distinct timeout).
    timeout_lane: Vec<usize>,
    healthy: Vec<bool>,
    region_up: Vec<bool>,
    dns: Dns,
    requests: Vec<Request>,
    free: Vec<u32>,
    in_flight: u64,
    pub metrics: Metrics,
    pub counts: Conservation,
}

impl<'a> World<'a> {
    /// A world for `sc`, every stream derived from `seed`.
    pub fn new(sc: &'a Scenario, seed: u64) -> Self {
        let end = sc.duration;
        let serving = sc.design.serving_regions();
        let mut healthy = vec![false; sc.regions.len()];
        for r in serving {
            healthy[r as usize] = true;
        }
        let mut timeouts: Vec<SimTime> = vec![];
        let timeout_lane = sc
            .populations
            .iter()
            .map(
                |p| match timeouts.iter().position(|t| *t == p.client.timeout) {
                    Some(i) => i,
                    None => {
                        timeouts.push(p.client.timeout);
                        timeouts.len() - 1
                    }
                },
            )
            .collect();
        World {
            sc,
            end,
            timeout_lane,
            arrivals: sc
                .populations
                .iter()
                .map(|p| stream(seed, &format!("arrivals/{}", p.name)))
                .collect(),
            workload: sc
                .populations
                .iter()
                .map(|p| stream(seed, &format!("workload/{}", p.name)))
                .collect(),
            zipf: sc
                .populations
                .iter()
                .map(|p| {
                    rand_distr::Zipf::new(p.keys as f64, p.zipf_s).expect("validated key space")
                })
                .collect(),
            service: sc
                .regions
                .iter()
                .map(|r| stream(seed, &format!("service/{}", r.name)))
                .collect(),
            net: stream(seed, "network/jitter"),
            dns_rng: stream(seed, "dns"),
            client_rng: stream(seed, "client/backoff"),
            pools: sc
                .regions
                .iter()
                .map(|r| Pool::new(r.servers, r.queue_limit, sc.warmup))
                .collect(),
            healthy,
            region_up: vec![true; sc.regions.len()],
            dns: Dns::new(sc),
            requests: Vec::with_capacity(1024),
            free: Vec::new(),
            in_flight: 0,
            metrics: Metrics::new(
                sc.populations.len(),
                sc.regions.len(),
                sc.warmup,
                sc.window,
                sc.duration,
            ),
            counts: Conservation::default(),
        }
    }

    /// Schedules each population's first arrival.
    pub fn start(&mut self, sched: &mut Scheduler<Event>) {
        for p in 0..self.sc.populations.len() {
            self.schedule_arrival(p as PopulationId, 0, sched);
        }
    }

    /// Requests still in flight.
    pub fn in_flight(&self) -> u64 {
        self.in_flight
    }

    /// Request slots allocated (the peak number of requests alive at once).
    pub fn request_slots(&self) -> usize {
        self.requests.len()
    }

    /// DNS queries that missed the resolvers' caches, per population.
    pub fn dns_queries(&self) -> &[u64] {
        &self.dns.queries
    }

    /// Closes the pools' time-weighted statistics and returns them.
    pub fn finish_pools(&mut self, end: SimTime) -> Vec<pool::PoolStats> {
        self.pools
            .iter_mut()
            .map(|p| {
                p.finish(end);
                p.stats.clone()
            })
            .collect()
    }

    /// Poisson arrivals at the peak rate, thinned by the diurnal curve; none past the end.
    fn schedule_arrival(&mut self, pop: PopulationId, from: SimTime, sched: &mut Scheduler<Event>) {
        let p = &self.sc.populations[pop as usize];
        let peak = p.diurnal_peak();
        let rate_per_ns = p.rate_per_s * peak / 1e9;
        let rng = &mut self.arrivals[pop as usize];
        let mut t = from as f64;
        loop {
            let e: f64 = rand_distr::Exp1.sample(rng);
            t += e / rate_per_ns;
            if t >= self.end as f64 {
                return;
            }
            if p.diurnal.is_none() || unit(rng) * peak < p.diurnal_factor(t as SimTime) {
                break;
            }
        }
        sched.schedule_at(t as SimTime, Event::Arrival { pop });
    }

    #[inline]
    fn one_way(&mut self, rtt: SimTime) -> SimTime {
        let j = &self.sc.network.jitter;
        rtt / 2
            + if j.is_zero() {
                0
            } else {
                j.sample(&mut self.net)
            }
    }

    #[inline]
    fn get(&self, r: ReqRef) -> Option<&Request> {
        let q = &self.requests[r.slot as usize];
        (q.live && q.generation == r.generation && q.attempt == r.attempt).then_some(q)
    }

    fn on_arrival(&mut self, pop: PopulationId, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let p = &self.sc.populations[pop as usize];
        let w = &mut self.workload[pop as usize];
        let op = if unit(w) < p.write_fraction {
            Op::Write
        } else {
            Op::Read
        };
        let key = match (p.keys, p.zipf_s) {
            (1, _) => 0,
            (k, 0.0) => ((unit(w) * k as f64) as u32).min(k - 1),
            _ => (self.zipf[pop as usize].sample(w) as u32).saturating_sub(1),
        };
        let user = ((unit(w) * p.users as f64) as u32).min(p.users - 1);
        let req = Request {
            generation: 0,
            live: true,
            pop,
            op,
            user,
            key,
            t0: now,
            attempt: 0,
            entry: NO_REGION,
            exec: NO_REGION,
            re_resolve: false,
        };
        let slot = match self.free.pop() {
            Some(s) => {
                let generation = self.requests[s as usize].generation;
                self.requests[s as usize] = Request { generation, ..req };
                s
            }
            None => {
                self.requests.push(req);
                (self.requests.len() - 1) as u32
            }
        };
        self.in_flight += 1;
        self.counts.issued += 1;
        self.metrics.issued(pop, op, now);
        let r = ReqRef {
            slot,
            generation: self.requests[slot as usize].generation,
            attempt: 0,
        };
        self.start_attempt(r, sched);
        self.schedule_arrival(pop, now, sched);
    }

    fn start_attempt(&mut self, r: ReqRef, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let q = self.requests[r.slot as usize];
        let client = &self.sc.populations[q.pop as usize].client;
        // The attempt's timer never runs past the request's deadline.
        let deadline = q.t0.saturating_add(client.deadline);
        let timer = now.saturating_add(client.timeout).min(deadline).max(now);
        if timer <= self.end {
            sched.schedule_at_lane(
                self.timeout_lane[q.pop as usize],
                timer,
                Event::AttemptTimeout { req: r },
            );
        }
        let resolver = q.user % self.sc.populations[q.pop as usize].resolvers;
        let cached = if q.re_resolve {
            None
        } else {
            self.dns.cached(q.pop, resolver, now)
        };
        match cached {
            Some(region) => self.send(r, region, sched),
            None => {
                let delay = self.dns.lookup.sample(&mut self.dns_rng);
                let region = self.dns.query(q.pop, &self.healthy).unwrap_or(NO_REGION);
                sched.schedule_in(delay, Event::Resolved { req: r, region });
            }
        }
    }

    fn on_resolved(&mut self, r: ReqRef, region: RegionId, sched: &mut Scheduler<Event>) {
        let Some(q) = self.get(r) else { return };
        let (pop, user) = (q.pop, q.user);
        if region == NO_REGION {
            self.attempt_failed(r, FailReason::NoRegion, sched);
            return;
        }
        let resolver = user % self.sc.populations[pop as usize].resolvers;
        self.dns.store(pop, resolver, region, sched.now());
        self.requests[r.slot as usize].re_resolve = false;
        self.send(r, region, sched);
    }

    fn send(&mut self, r: ReqRef, region: RegionId, sched: &mut Scheduler<Event>) {
        let q = &mut self.requests[r.slot as usize];
        q.entry = region;
        q.exec = region;
        let pop = q.pop;
        if !self.region_up[region as usize] {
            let ct = self.sc.populations[pop as usize].client.connect_timeout;
            sched.schedule_in(
                ct,
                Event::Response {
                    req: r,
                    result: AttemptResult::Failed(FailReason::Unreachable),
                },
            );
            return;
        }
        let d = self.one_way(self.sc.network.pop_rtt_out(pop, region));
        sched.schedule_in(d, Event::AtRegion { req: r, region });
    }

    fn on_at_region(&mut self, r: ReqRef, region: RegionId, sched: &mut Scheduler<Event>) {
        let Some(q) = self.get(r) else { return };
        let op = q.op;
        if op == Op::Write {
            let target = self.sc.design.write_target(region);
            if target != region {
                // Active-passive: forward the write to the primary (SPEC §2 step 5).
                self.requests[r.slot as usize].exec = target;
                let d = self.one_way(self.sc.network.region_rtt(region, target));
                sched.schedule_in(
                    d,
                    Event::AtRegion {
                        req: r,
                        region: target,
                    },
                );
                return;
            }
        }
        let now = sched.now();
        match self.pools[region as usize].arrive(r, now) {
            Admission::Serve => self.start_service(region, r, now, sched),
            Admission::Queued => {}
            Admission::Shed => self.respond(
                r,
                region,
                AttemptResult::Failed(FailReason::Overload),
                sched,
            ),
        }
    }

    fn start_service(
        &mut self,
        region: RegionId,
        r: ReqRef,
        arrived: SimTime,
        sched: &mut Scheduler<Event>,
    ) {
        let op = self.requests[r.slot as usize].op;
        let reg = &self.sc.regions[region as usize];
        let d: &Dist = if op == Op::Write {
            &reg.write_service
        } else {
            &reg.read_service
        };
        let s = d.sample(&mut self.service[region as usize]);
        self.pools[region as usize].record_service(arrived, sched.now(), s);
        sched.schedule_in(s, Event::ServiceDone { region, req: r });
    }

    fn on_service_done(&mut self, region: RegionId, r: ReqRef, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let requests = &self.requests;
        let next = self.pools[region as usize].depart(now, |h| {
            let q = &requests[h.slot as usize];
            q.live && q.generation == h.generation && q.attempt == h.attempt
        });
        if let Some((n, arrived)) = next {
            self.start_service(region, n, arrived, sched);
        }
        if self.get(r).is_some() {
            self.respond(r, region, AttemptResult::Ok, sched);
        }
    }

    /// Sends the outcome back: through the forwarding region when the write was forwarded.
    fn respond(
        &mut self,
        r: ReqRef,
        from: RegionId,
        result: AttemptResult,
        sched: &mut Scheduler<Event>,
    ) {
        let q = self.requests[r.slot as usize];
        let mut d = 0;
        if q.entry != from {
            d += self.one_way(self.sc.network.region_rtt(from, q.entry));
        }
        d += self.one_way(self.sc.network.pop_rtt_back(q.pop, q.entry));
        sched.schedule_in(d, Event::Response { req: r, result });
    }

    fn on_response(&mut self, r: ReqRef, result: AttemptResult, sched: &mut Scheduler<Event>) {
        let Some(q) = self.get(r) else { return };
        match result {
            AttemptResult::Ok => {
                let q = *q;
                let now = sched.now();
                self.metrics.ok(q.pop, q.entry, q.op, q.t0, now - q.t0);
                self.counts.ok += 1;
                self.release(r);
            }
            AttemptResult::Failed(reason) => self.attempt_failed(r, reason, sched),
        }
    }

    /// Retries when attempts and deadline allow; otherwise the request fails.
    fn attempt_failed(&mut self, r: ReqRef, reason: FailReason, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let q = self.requests[r.slot as usize];
        let client = &self.sc.populations[q.pop as usize].client;
        if u32::from(q.attempt) < client.retries {
            let cap = client
                .backoff_base
                .saturating_mul(1u64 << q.attempt.min(40))
                .min(client.backoff_max);
            let backoff = (unit(&mut self.client_rng) * cap as f64) as SimTime;
            if now.saturating_add(backoff) < q.t0.saturating_add(client.deadline) {
                let re = client.re_resolve_on_failure;
                let s = &mut self.requests[r.slot as usize];
                s.attempt += 1;
                s.re_resolve = re;
                let next = ReqRef {
                    attempt: s.attempt,
                    ..r
                };
                sched.schedule_in(backoff, Event::Retry { req: next });
                return;
            }
        }
        let region = (q.entry != NO_REGION).then_some(q.entry);
        self.metrics.failed(q.pop, region, q.op, q.t0, reason);
        self.counts.failed += 1;
        self.release(r);
    }

    fn release(&mut self, r: ReqRef) {
        let s = &mut self.requests[r.slot as usize];
        s.live = false;
        s.generation = s.generation.wrapping_add(1);
        self.free.push(r.slot);
        self.in_flight -= 1;
    }

    /// The design under test.
    pub fn design(&self) -> &Design {
        &self.sc.design
    }
}

impl Model for World<'_> {
    type Event = Event;

    #[inline]
    fn handle(&mut self, event: Event, sched: &mut Scheduler<Event>) {
        match event {
            Event::Arrival { pop } => self.on_arrival(pop, sched),
            Event::Resolved { req, region } => self.on_resolved(req, region, sched),
            Event::AtRegion { req, region } => self.on_at_region(req, region, sched),
            Event::ServiceDone { region, req } => self.on_service_done(region, req, sched),
            Event::Response { req, result } => self.on_response(req, result, sched),
            Event::AttemptTimeout { req } => {
                if self.get(req).is_some() {
                    self.attempt_failed(req, FailReason::Timeout, sched);
                }
            }
            Event::Retry { req } => {
                if self.get(req).is_some() {
                    self.start_attempt(req, sched);
                }
            }
        }
    }
}
