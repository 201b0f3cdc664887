//! DNS: the authoritative routing policy and the resolvers' caches with TTL (SPEC §1 DNS, §2 step 2).

pub mod policy;

use crate::distribution::Dist;
use crate::engine::SimTime;
use crate::model::{DnsPolicyKind, PopulationId, RegionId, Scenario};
pub use policy::RoutingPolicy;

/// One resolver's cached answer.
#[derive(Debug, Clone, Copy)]
struct CacheEntry {
    region: RegionId,
    expires: SimTime,
}

/// The authoritative DNS and every population's resolvers.
pub struct Dns {
    policy: Box<dyn RoutingPolicy>,
    ttl: SimTime,
    /// Resolver → authoritative round trip on a cache miss.
    pub lookup: Dist,
    /// Caches of all resolvers, population after population.
    caches: Vec<Option<CacheEntry>>,
    offsets: Vec<usize>,
    /// Cache misses (queries that reached the authoritative servers), per population.
    pub queries: Vec<u64>,
}

impl Dns {
    /// DNS for a scenario, with empty caches.
    pub fn new(sc: &Scenario) -> Dns {
        let policy: Box<dyn RoutingPolicy> = match sc.dns.policy {
            DnsPolicyKind::Latency => Box::new(policy::latency::LatencyPolicy::new(sc)),
        };
        let mut offsets = vec![0];
        for p in &sc.populations {
            offsets.push(offsets.last().unwrap() + p.resolvers as usize);
        }
        Dns {
            policy,
            ttl: sc.dns.ttl,
            lookup: sc.dns.lookup.clone(),
            caches: vec![None; *offsets.last().unwrap()],
            offsets,
            queries: vec![0; sc.populations.len()],
        }
    }

    /// The cached answer of `resolver` of population `pop`, if still fresh at `now`.
    #[inline]
    pub fn cached(&self, pop: PopulationId, resolver: u32, now: SimTime) -> Option<RegionId> {
        let e = self.caches[self.offsets[pop as usize] + resolver as usize]?;
        (now < e.expires).then_some(e.region)
    }

    /// Asks the authoritative servers on behalf of a resolver; `healthy` is what the health
    /// checks currently allow. Counts the query.
    pub fn query(&mut self, pop: PopulationId, healthy: &[bool]) -> Option<RegionId> {
        self.queries[pop as usize] += 1;
        self.policy.choose(pop, healthy)
    }

    /// Stores an answer in a resolver's cache at `now`.
    #[inline]
    pub fn store(&mut self, pop: PopulationId, resolver: u32, region: RegionId, now: SimTime) {
        self.caches[self.offsets[pop as usize] + resolver as usize] = Some(CacheEntry {
            region,
            expires: now.saturating_add(self.ttl),
        });
    }
}
