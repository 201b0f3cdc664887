//! Latency-based routing: answer with the eligible region of lowest RTT from the users.

use super::RoutingPolicy;
use crate::engine::SimTime;
use crate::model::{PopulationId, RegionId, Scenario};
use crate::rng::Stream;

/// Per population, the design's regions sorted by RTT (ties by region order).
pub struct LatencyPolicy {
    preference: Vec<Vec<RegionId>>,
}

/// `regions` sorted by RTT from population `p` (ties by id).
pub(super) fn by_rtt(sc: &Scenario, p: PopulationId, regions: &[RegionId]) -> Vec<RegionId> {
    let mut v = regions.to_vec();
    v.sort_by_key(|r| (sc.network.pop_rtt(p, *r), *r));
    v
}

impl LatencyPolicy {
    /// Precomputes every population's preference list.
    pub fn new(sc: &Scenario) -> Self {
        let regions = sc.design.regions();
        let preference = (0..sc.populations.len())
            .map(|p| by_rtt(sc, p as PopulationId, &regions))
            .collect();
        LatencyPolicy { preference }
    }
}

impl LatencyPolicy {
    /// The nearest eligible region (the policy draws nothing).
    fn choose_first(
        &self,
        pop: PopulationId,
        eligible: &[bool],
        _now: SimTime,
    ) -> Option<RegionId> {
        self.preference[pop as usize]
            .iter()
            .copied()
            .find(|r| eligible[*r as usize])
    }
}

impl RoutingPolicy for LatencyPolicy {
    fn choose(
        &self,
        pop: PopulationId,
        eligible: &[bool],
        now: SimTime,
        _rng: &mut Stream,
    ) -> Option<RegionId> {
        self.choose_first(pop, eligible, now)
    }

    fn would_answer(&self, pop: PopulationId, eligible: &[bool], _now: SimTime) -> bool {
        self.preference[pop as usize]
            .iter()
            .any(|r| eligible[*r as usize])
    }

    fn may_choose(
        &self,
        pop: PopulationId,
        eligible: &[bool],
        now: SimTime,
        region: RegionId,
    ) -> bool {
        self.choose_first(pop, eligible, now) == Some(region)
    }
}
