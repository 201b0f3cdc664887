//! Weighted routing: a random region in proportion to its weight, with a schedule of weight
//! changes for gradual traffic shifts (0.1% → 1% → 5% → 100%). Unhealthy regions are skipped;
//! if every weighted region is ineligible, zero-weight eligible regions share the traffic.

use super::RoutingPolicy;
use crate::engine::SimTime;
use crate::model::{DnsPolicyKind, PopulationId, RegionId, Scenario};
use crate::rng::{Stream, unit};

/// The weight steps, each from its start time on.
pub struct WeightedPolicy {
    steps: Vec<(SimTime, Vec<(RegionId, f64)>)>,
}

impl WeightedPolicy {
    /// Takes the validated steps.
    pub fn new(sc: &Scenario) -> Self {
        let DnsPolicyKind::Weighted { steps } = &sc.dns.policy else {
            unreachable!("WeightedPolicy built for a Weighted policy")
        };
        WeightedPolicy {
            steps: steps.clone(),
        }
    }

    /// The weights of the step in force at `now` (the first step before its start).
    fn weights_at(&self, now: SimTime) -> &[(RegionId, f64)] {
        let i = self.steps.partition_point(|(at, _)| *at <= now).max(1) - 1;
        &self.steps[i].1
    }
}

impl RoutingPolicy for WeightedPolicy {
    fn choose(
        &self,
        _pop: PopulationId,
        eligible: &[bool],
        now: SimTime,
        rng: &mut Stream,
    ) -> Option<RegionId> {
        let weights = self.weights_at(now);
        let total: f64 = weights
            .iter()
            .filter(|(r, _)| eligible[*r as usize])
            .map(|(_, w)| w)
            .sum();
        if total > 0.0 {
            let mut x = unit(rng) * total;
            let mut last = None;
            for (r, w) in weights {
                if !eligible[*r as usize] || *w <= 0.0 {
                    continue;
                }
                last = Some(*r);
                if x < *w {
                    return Some(*r);
                }
                x -= w;
            }
            return last;
        }
        let zero: Vec<RegionId> = weights
            .iter()
            .filter(|(r, _)| eligible[*r as usize])
            .map(|(r, _)| *r)
            .collect();
        if zero.is_empty() {
            return None;
        }
        let k = ((unit(rng) * zero.len() as f64) as usize).min(zero.len() - 1);
        Some(zero[k])
    }

    fn may_choose(
        &self,
        _pop: PopulationId,
        eligible: &[bool],
        now: SimTime,
        region: RegionId,
    ) -> bool {
        // Like `choose`: the eligible regions of positive weight, else the zero-weight ones.
        let weights = self.weights_at(now);
        let weighted = |r: &RegionId, w: &f64| eligible[*r as usize] && *w > 0.0;
        if weights.iter().any(|(r, w)| weighted(r, w)) {
            weights.iter().any(|(r, w)| *r == region && weighted(r, w))
        } else {
            weights
                .iter()
                .any(|(r, _)| *r == region && eligible[*r as usize])
        }
    }

    fn would_answer(&self, _pop: PopulationId, eligible: &[bool], now: SimTime) -> bool {
        // Any listed region, weighted or not (zero-weight ones share when no other is up).
        self.weights_at(now)
            .iter()
            .any(|(r, _)| eligible[*r as usize])
    }
}
