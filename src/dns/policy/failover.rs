//! Failover routing: the primary record while it is healthy, else the secondary.

use super::RoutingPolicy;
use crate::engine::SimTime;
use crate::model::{DnsPolicyKind, PopulationId, RegionId, Scenario};
use crate::rng::Stream;

/// A primary/secondary record pair.
pub struct FailoverRouting {
    primary: RegionId,
    secondary: RegionId,
}

impl FailoverRouting {
    /// Takes the validated pair.
    pub fn new(sc: &Scenario) -> Self {
        let DnsPolicyKind::Failover { primary, secondary } = sc.dns.policy else {
            unreachable!("FailoverRouting built for a Failover policy")
        };
        FailoverRouting { primary, secondary }
    }
}

impl RoutingPolicy for FailoverRouting {
    fn choose(
        &self,
        _pop: PopulationId,
        eligible: &[bool],
        _now: SimTime,
        _rng: &mut Stream,
    ) -> Option<RegionId> {
        [self.primary, self.secondary]
            .into_iter()
            .find(|r| eligible[*r as usize])
    }

    fn may_choose(
        &self,
        _pop: PopulationId,
        eligible: &[bool],
        _now: SimTime,
        region: RegionId,
    ) -> bool {
        [self.primary, self.secondary]
            .into_iter()
            .find(|r| eligible[*r as usize])
            == Some(region)
    }

    fn would_answer(&self, _pop: PopulationId, eligible: &[bool], _now: SimTime) -> bool {
        eligible[self.primary as usize] || eligible[self.secondary as usize]
    }
}
