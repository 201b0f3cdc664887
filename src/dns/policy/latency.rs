//! Latency-based routing: answer with the healthy serving region of lowest RTT from the users.

use super::RoutingPolicy;
use crate::model::{PopulationId, RegionId, Scenario};

/// Per population, the serving regions sorted by RTT (ties by region order).
pub struct LatencyPolicy {
    preference: Vec<Vec<RegionId>>,
}

impl LatencyPolicy {
    /// Precomputes every population's preference list.
    pub fn new(sc: &Scenario) -> Self {
        let serving = sc.design.serving_regions();
        let preference = (0..sc.populations.len())
            .map(|p| {
                let mut v = serving.clone();
                v.sort_by_key(|r| (sc.network.pop_rtt(p as PopulationId, *r), *r));
                v
            })
            .collect();
        LatencyPolicy { preference }
    }
}

impl RoutingPolicy for LatencyPolicy {
    fn choose(&self, pop: PopulationId, healthy: &[bool]) -> Option<RegionId> {
        self.preference[pop as usize]
            .iter()
            .copied()
            .find(|r| healthy[*r as usize])
    }
}
