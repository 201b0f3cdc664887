//! Geolocation routing: the users' jurisdiction picks a list of regions (the nearest eligible
//! one answers); the `"*"` rule serves everyone else and is the fallback.

use super::RoutingPolicy;
use super::latency::by_rtt;
use crate::engine::SimTime;
use crate::model::{DnsPolicyKind, PopulationId, RegionId, Scenario};
use crate::rng::Stream;

/// Per population, the rule's regions by RTT, then the default rule's.
pub struct GeoPolicy {
    preference: Vec<(Vec<RegionId>, Vec<RegionId>)>,
}

impl GeoPolicy {
    /// Resolves each population's rule once.
    pub fn new(sc: &Scenario) -> Self {
        let DnsPolicyKind::Geo { rules, default } = &sc.dns.policy else {
            unreachable!("GeoPolicy built for a Geo policy")
        };
        let preference = sc
            .populations
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let i = i as PopulationId;
                let own = rules
                    .iter()
                    .find(|(j, _)| *j == p.jurisdiction)
                    .map(|(_, r)| by_rtt(sc, i, r))
                    .unwrap_or_default();
                (own, by_rtt(sc, i, default))
            })
            .collect();
        GeoPolicy { preference }
    }
}

impl RoutingPolicy for GeoPolicy {
    fn choose(
        &self,
        pop: PopulationId,
        eligible: &[bool],
        _now: SimTime,
        _rng: &mut Stream,
    ) -> Option<RegionId> {
        let (own, default) = &self.preference[pop as usize];
        own.iter()
            .chain(default.iter())
            .copied()
            .find(|r| eligible[*r as usize])
    }

    fn may_choose(
        &self,
        pop: PopulationId,
        eligible: &[bool],
        _now: SimTime,
        region: RegionId,
    ) -> bool {
        let (own, default) = &self.preference[pop as usize];
        own.iter()
            .chain(default.iter())
            .copied()
            .find(|r| eligible[*r as usize])
            == Some(region)
    }

    fn would_answer(&self, pop: PopulationId, eligible: &[bool], _now: SimTime) -> bool {
        let (own, default) = &self.preference[pop as usize];
        own.iter()
            .chain(default.iter())
            .any(|r| eligible[*r as usize])
    }
}
