//! DNS: the authoritative routing policy and the resolvers' caches with TTL, including
//! resolvers that keep answers past it, negative answers, and one lookup per resolver at a time
//! (SPEC §1 DNS, §2 step 2).

pub mod policy;

use crate::distribution::{Dist, LengthBiased};
use crate::engine::SimTime;
use crate::model::{DnsPolicyKind, NO_REGION, PopulationId, RegionId, Scenario};
use crate::rng::{Stream, stream, unit};
pub use policy::RoutingPolicy;

/// One resolver's cached answer.
#[derive(Debug, Clone, Copy)]
struct CacheEntry {
    /// The region, or [`NO_REGION`]: a negative answer (RFC 2308), kept for the negative TTL.
    region: RegionId,
    /// When the TTL runs out.
    expires: SimTime,
    /// When this resolver actually drops it (later than `expires` for a TTL violator).
    dropped: SimTime,
}

/// An answer served from a resolver's cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachedAnswer {
    /// The region, or [`NO_REGION`] for a cached negative answer.
    pub region: RegionId,
    /// The TTL had run out: a TTL-violating resolver kept the answer.
    pub past_ttl: bool,
}

/// The authoritative DNS and every population's resolvers.
pub struct Dns {
    policy: Box<dyn RoutingPolicy>,
    ttl: SimTime,
    /// How long an answer of "no region" is cached (RFC 2308 §5: the zone's SOA decides).
    negative_ttl: SimTime,
    fail_open: bool,
    /// Extra hold of a TTL-violating resolver, drawn per stored answer.
    hold: Option<Dist>,
    /// Its length-biased form (the hold a violator is in the middle of at an arbitrary
    /// instant), for warming caches; `None` when the hold has no finite mean.
    hold_in_progress: Option<LengthBiased>,
    /// Queries before this are not counted (SPEC §3: request metrics skip the warm-up).
    warmup: SimTime,
    /// Resolver → authoritative round trip on a cache miss.
    pub lookup: Dist,
    /// Caches of all resolvers, population after population.
    caches: Vec<Option<CacheEntry>>,
    /// Whether each resolver keeps answers past their TTL.
    violator: Vec<bool>,
    /// Each resolver's lookup in flight: when its answer comes back, and the answer. A miss
    /// while one is in flight waits for it rather than asking again, as resolvers coalesce
    /// identical outstanding queries.
    in_flight: Vec<Option<(SimTime, RegionId)>>,
    offsets: Vec<usize>,
    /// Per population, its number of resolvers as a divisor (see [`Dns::resolver_of`]).
    resolvers: Vec<Divisor>,
    /// Cache misses (queries that reached the authoritative servers), per population.
    pub queries: Vec<u64>,
    /// Scratch: eligibility when failing open.
    scratch: Vec<bool>,
}

/// Bytes of state per resolver (its cache entry, whether it honours TTLs, its lookup in flight).
pub fn resolver_bytes() -> usize {
    std::mem::size_of::<Option<CacheEntry>>()
        + std::mem::size_of::<bool>()
        + std::mem::size_of::<Option<(SimTime, RegionId)>>()
}

/// Whether a resolver whose entries live `mean_life_ns` on average, and whose users ask
/// `rate_per_s` times a second, holds one at an arbitrary instant (one draw from `rng`; none
/// when the life is 0).
fn held(mean_life_ns: f64, rate_per_s: f64, rng: &mut Stream) -> bool {
    if mean_life_ns <= 0.0 {
        return false;
    }
    let life_s = mean_life_ns / 1e9;
    let p = if rate_per_s > 0.0 {
        life_s / (life_s + 1.0 / rate_per_s)
    } else {
        0.0
    };
    unit(rng) < p
}

impl Dns {
    /// DNS for a scenario, with empty caches (the simulation warms them: [`Dns::warm`]); which
    /// resolvers violate TTLs is drawn from `seed`.
    pub fn new(sc: &Scenario, seed: u64) -> Dns {
        let policy: Box<dyn RoutingPolicy> = match sc.dns.policy {
            DnsPolicyKind::Latency => Box::new(policy::latency::LatencyPolicy::new(sc)),
            DnsPolicyKind::Geo { .. } => Box::new(policy::geo::GeoPolicy::new(sc)),
            DnsPolicyKind::Weighted { .. } => Box::new(policy::weighted::WeightedPolicy::new(sc)),
            DnsPolicyKind::Failover { .. } => Box::new(policy::failover::FailoverRouting::new(sc)),
        };
        let mut offsets = vec![0];
        for p in &sc.populations {
            offsets.push(offsets.last().unwrap() + p.resolvers as usize);
        }
        let n = *offsets.last().unwrap();
        let violator = match &sc.dns.violators {
            Some(v) => {
                let mut rng = stream(seed, "dns/ttl-violators");
                (0..n).map(|_| unit(&mut rng) < v.fraction).collect()
            }
            None => vec![false; n],
        };
        Dns {
            policy,
            ttl: sc.dns.ttl,
            negative_ttl: sc.dns.negative_ttl,
            fail_open: sc.dns.fail_open,
            hold: sc.dns.violators.as_ref().map(|v| v.hold.clone()),
            hold_in_progress: sc
                .dns
                .violators
                .as_ref()
                .and_then(|v| v.hold_in_progress.clone()),
            warmup: sc.warmup,
            lookup: sc.dns.lookup.clone(),
            caches: vec![None; n],
            violator,
            in_flight: vec![None; n],
            offsets,
            resolvers: sc
                .populations
                .iter()
                .map(|p| Divisor::new(p.resolvers.max(1)))
                .collect(),
            queries: vec![0; sc.populations.len()],
            scratch: vec![false; sc.regions.len()],
        }
    }

    /// The resolver of population `pop` that `user` asks: `user` modulo its resolvers.
    #[inline]
    pub fn resolver_of(&self, pop: PopulationId, user: u32) -> u32 {
        self.resolvers[pop as usize].rem(user)
    }

    /// The cached answer of `resolver` of population `pop`, if it still holds one at `now`.
    #[inline]
    pub fn cached(&self, pop: PopulationId, resolver: u32, now: SimTime) -> Option<CachedAnswer> {
        let e = self.caches[self.offsets[pop as usize] + resolver as usize]?;
        (now < e.dropped).then_some(CachedAnswer {
            region: e.region,
            past_ttl: now >= e.expires,
        })
    }

    /// Warms resolver `index`'s cache before the run starts, as if its users had been asking
    /// for a long time: the steady state of an alternating renewal process, where an entry
    /// lives for the TTL (plus, for a violator, a draw from `hold`), and after it runs out the
    /// next request of the resolver's users (Poisson, `rate_per_s`) stores a new one. So a
    /// resolver holds an entry with probability E\[life\] / (E\[life\] + 1 / rate); the life
    /// it is in the middle of is length-biased (a violator's long holds cover more instants
    /// than its short ones: [`LengthBiased`]), and it was stored a uniform time within that
    /// life ago. Without this every cache would fill in the first seconds and expire in step
    /// with the others for many TTLs, and the time DNS takes to move users off a failed region
    /// would depend on when in that shared cycle the failure fell. `region` may be
    /// [`NO_REGION`]: a negative answer lives for the negative TTL, with no extra hold.
    pub fn warm(&mut self, index: u32, region: RegionId, rate_per_s: f64, rng: &mut Stream) {
        let i = index as usize;
        let violator = region != NO_REGION && self.violator[i] && self.hold.is_some();
        let ttl = if region == NO_REGION {
            self.negative_ttl
        } else {
            self.ttl
        };
        let life = match (&self.hold_in_progress, violator) {
            (Some(b), true) => {
                // E[life] = TTL + E[hold]; the life in progress is TTL + H with density
                // ∝ (TTL + h) f(h): H from `hold` itself with probability TTL / E[life], else
                // from its length-biased form.
                let mean = ttl as f64 + b.mean_ns;
                if !held(mean, rate_per_s, rng) {
                    return; // between an expiry and its users' next request
                }
                let extra = if unit(rng) * mean < ttl as f64 {
                    self.extra_hold(i, rng)
                } else {
                    b.sample(rng)
                };
                ttl.saturating_add(extra)
            }
            (None, true) => {
                // A hold with no finite mean: no steady state to draw from; one draw, held
                // with the probability its own life gives (an approximation).
                let life = ttl.saturating_add(self.extra_hold(i, rng));
                if !held(life as f64, rate_per_s, rng) {
                    return;
                }
                life
            }
            (_, false) => {
                if !held(ttl as f64, rate_per_s, rng) {
                    return;
                }
                ttl
            }
        };
        if life == 0 {
            return;
        }
        let age = ((unit(rng) * life as f64) as SimTime).min(life - 1);
        self.caches[i] = Some(CacheEntry {
            region,
            expires: ttl.saturating_sub(age),
            dropped: life - age,
        });
    }

    /// How much longer than the TTL resolver `i` keeps an answer it stores now: a draw from
    /// `hold` for a TTL violator, else nothing (and no draw).
    fn extra_hold(&self, i: usize, rng: &mut Stream) -> SimTime {
        match (&self.hold, self.violator[i]) {
            (Some(h), true) => h.sample(rng),
            _ => 0,
        }
    }

    /// The authoritative answer to a resolver's query at `now`, not counted as a query (for
    /// [`Dns::warm`]; [`Dns::query`] counts it).
    pub fn answer(
        &mut self,
        pop: PopulationId,
        eligible: &[bool],
        serving: &[bool],
        now: SimTime,
        rng: &mut Stream,
    ) -> Option<RegionId> {
        match self.policy.choose(pop, eligible, now, rng) {
            Some(r) => Some(r),
            None if self.fail_open => {
                self.scratch.copy_from_slice(serving);
                self.policy.choose(pop, &self.scratch, now, rng)
            }
            None => None,
        }
    }

    /// Whether the authoritative servers would answer with some region now (what
    /// [`Dns::answer`] returns, without drawing): a cached negative answer is then stale.
    pub fn would_answer(
        &self,
        pop: PopulationId,
        eligible: &[bool],
        serving: &[bool],
        now: SimTime,
    ) -> bool {
        self.policy.would_answer(pop, eligible, now)
            || (self.fail_open && self.policy.would_answer(pop, serving, now))
    }

    /// Whether the authoritative servers could answer with `region` now (what [`Dns::answer`]
    /// may return, without drawing): a cached answer of `region` is stale when they could not.
    pub fn could_answer_with(
        &self,
        pop: PopulationId,
        eligible: &[bool],
        serving: &[bool],
        now: SimTime,
        region: RegionId,
    ) -> bool {
        if self.policy.would_answer(pop, eligible, now) {
            self.policy.may_choose(pop, eligible, now, region)
        } else {
            self.fail_open && self.policy.may_choose(pop, serving, now, region)
        }
    }

    /// Asks the authoritative servers on behalf of a resolver. `eligible[r]`: serving and
    /// healthy now; `serving[r]`: serving in the design. When nothing eligible fits the policy
    /// and DNS fails open (Route 53 does), it answers as if every serving region were healthy.
    pub fn query(
        &mut self,
        pop: PopulationId,
        eligible: &[bool],
        serving: &[bool],
        now: SimTime,
        rng: &mut Stream,
    ) -> Option<RegionId> {
        if now >= self.warmup {
            self.queries[pop as usize] += 1;
        }
        self.answer(pop, eligible, serving, now, rng)
    }

    /// The lookup resolver `index` ([`Dns::resolver_index`]) has in flight at `now`, if any:
    /// when its answer comes back, and the answer (`NO_REGION` when DNS had nothing to offer).
    #[inline]
    pub fn lookup_in_flight(&self, index: u32, now: SimTime) -> Option<(SimTime, RegionId)> {
        self.in_flight[index as usize].filter(|&(at, _)| at > now)
    }

    /// Resolver `index` asked the authoritative servers; `region` comes back at `at`.
    #[inline]
    pub fn lookup_started(&mut self, index: u32, at: SimTime, region: RegionId) {
        self.in_flight[index as usize] = Some((at, region));
    }

    /// Whether `resolver` of `pop` keeps answers past their TTL.
    pub fn is_violator(&self, pop: PopulationId, resolver: u32) -> bool {
        self.violator[self.offsets[pop as usize] + resolver as usize]
    }

    /// The index of a resolver among all populations' resolvers (for [`Dns::store`]).
    #[inline]
    pub fn resolver_index(&self, pop: PopulationId, resolver: u32) -> u32 {
        (self.offsets[pop as usize] + resolver as usize) as u32
    }

    /// Stores an answer in the cache of resolver `index` ([`Dns::resolver_index`]) at `now`.
    /// A negative answer ([`NO_REGION`]) is kept for the negative TTL; resolvers that extend
    /// TTLs are modelled as extending positive answers only (FACTS.md §3.2 measured those).
    #[inline]
    pub fn store(&mut self, index: u32, region: RegionId, now: SimTime, rng: &mut Stream) {
        let i = index as usize;
        if region == NO_REGION {
            if self.negative_ttl > 0 {
                let expires = now.saturating_add(self.negative_ttl);
                self.caches[i] = Some(CacheEntry {
                    region,
                    expires,
                    dropped: expires,
                });
            }
            return;
        }
        let expires = now.saturating_add(self.ttl);
        let dropped = expires.saturating_add(self.extra_hold(i, rng));
        self.caches[i] = Some(CacheEntry {
            region,
            expires,
            dropped,
        });
    }

    /// Resolvers that keep answers past their TTL.
    pub fn violators(&self) -> usize {
        self.violator.iter().filter(|v| **v).count()
    }
}

/// A `u32` divisor with its remainders computed by two multiplications instead of a division
/// (Lemire, Kaser and Kurz, "Faster remainder by direct computation", 2019): exact for every
/// `u32` dividend and divisor ≥ 1. Every attempt that asks DNS takes a remainder, and a 32-bit
/// division's latency lies on its path.
#[derive(Debug, Clone, Copy)]
struct Divisor {
    /// ⌈2⁶⁴ / d⌉, modulo 2⁶⁴ (0 for d = 1, whose remainders are all 0).
    magic: u64,
    d: u32,
}

impl Divisor {
    fn new(d: u32) -> Self {
        assert!(d > 0, "a divisor is at least 1");
        Divisor {
            magic: (u64::MAX / u64::from(d)).wrapping_add(1),
            d,
        }
    }

    /// `n % d`.
    #[inline]
    fn rem(&self, n: u32) -> u32 {
        let low = self.magic.wrapping_mul(u64::from(n));
        ((u128::from(low) * u128::from(self.d)) >> 64) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::DistSpec;
    use crate::model::TtlViolators;

    #[test]
    fn divisor_remainders_equal_the_modulo_operator() {
        let mut rng = stream(3, "dns/divisor-test");
        let mut divisors = vec![
            1,
            2,
            3,
            7,
            10,
            200,
            1000,
            3000,
            65_537,
            u32::MAX - 1,
            u32::MAX,
        ];
        divisors.extend((0..200).map(|_| (unit(&mut rng) * u32::MAX as f64) as u32 | 1));
        for d in divisors {
            let div = Divisor::new(d);
            let edges = [0, 1, d - 1, d, d.wrapping_add(1), u32::MAX - 1, u32::MAX];
            let random = (0..500).map(|_| (unit(&mut rng) * u32::MAX as f64) as u32);
            for n in edges.into_iter().chain(random) {
                assert_eq!(div.rem(n), n % d, "{n} % {d}");
            }
        }
    }

    /// Warm caches of TTL violators against the steady state of their renewal process, in
    /// closed form: life L = TTL + H (H log-normal, the shipped hold: median 300 s, p99
    /// 8 900 s), then an exponential gap of mean 1 / rate. A resolver holds an entry with
    /// probability E\[L\] / (E\[L\] + 1 / rate), and a held entry has E\[L²\] / 2E\[L\] left
    /// on average (the inspection paradox). Drawing H plainly gave about E\[L\] / 2: 7×
    /// too little.
    #[test]
    fn warm_violator_caches_are_the_renewal_steady_state() {
        let n = 40_000u32;
        let mut sc = crate::bench::mmc_scenario(9.0, 1, 1.0, 100.0, 0.0);
        sc.populations[0].resolvers = n;
        sc.dns.ttl = 60 * 1_000_000_000;
        let spec = DistSpec::LogNormal {
            median_ms: 300_000.0,
            p99_ms: 8_900_000.0,
        };
        let hold = Dist::new(&spec, None).unwrap();
        sc.dns.violators = Some(TtlViolators {
            fraction: 1.0,
            hold_in_progress: LengthBiased::new(&spec, &hold),
            hold,
        });
        let rate_per_s = 1.0 / 500.0;
        let mut dns = Dns::new(&sc, 1);
        let mut rng = stream(1, "warm");
        for i in 0..n {
            dns.warm(i, 0, rate_per_s, &mut rng);
        }
        let left: Vec<f64> = dns
            .caches
            .iter()
            .flatten()
            .map(|e| e.dropped as f64 / 1e9)
            .collect();
        // Closed forms, seconds.
        let (ttl, mu, sigma) = (
            60.0f64,
            300.0f64.ln(),
            (8_900.0f64 / 300.0).ln() / 2.326_347_874,
        );
        let (h1, h2) = (
            (mu + sigma * sigma / 2.0).exp(),
            (2.0 * mu + 2.0 * sigma * sigma).exp(),
        );
        let (l1, l2) = (ttl + h1, ttl * ttl + 2.0 * ttl * h1 + h2);
        let held = l1 / (l1 + 1.0 / rate_per_s);
        let residual = l2 / (2.0 * l1);
        let got_held = left.len() as f64 / f64::from(n);
        let got_residual = left.iter().sum::<f64>() / left.len() as f64;
        eprintln!(
            "held {got_held:.4} (want {held:.4}); left {got_residual:.0} s (want {residual:.0} s)"
        );
        // Binomial: 4 standard errors.
        let se = (held * (1.0 - held) / f64::from(n)).sqrt();
        assert!(
            (got_held - held).abs() < 4.0 * se,
            "held {got_held} vs {held}"
        );
        // The residual's coefficient of variation is about 3.2 here: 4 standard errors ≈ 8%.
        assert!(
            (got_residual - residual).abs() / residual < 0.1,
            "left {got_residual} vs {residual}"
        );
    }
}
