//! Health checks (SPEC §1 DNS): checkers at several places probe every region of the design;
//! each (checker, region) pair is a small state machine with failure and recovery thresholds,
//! and a region is healthy while more than `healthy_above` of the checkers say so.

use crate::engine::SimTime;
use crate::model::{HealthConfig, RegionId};

/// What one checker believes about one region.
#[derive(Debug, Clone, Copy)]
struct CheckerView {
    healthy: bool,
    /// Consecutive probes that disagree with `healthy`.
    streak: u32,
}

/// A change of a region's aggregate health.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthChange {
    pub at: SimTime,
    pub region: RegionId,
    pub healthy: bool,
}

/// Every checker's view of every region, and the aggregate verdict.
pub struct HealthChecks {
    cfg: HealthConfig,
    n_regions: usize,
    /// `[checker * n_regions + region]`.
    views: Vec<CheckerView>,
    /// Checkers that currently find each region healthy.
    healthy_votes: Vec<u32>,
    /// The aggregate verdict per region.
    pub healthy: Vec<bool>,
}

impl HealthChecks {
    /// Every region starts healthy in every checker's view.
    pub fn new(cfg: &HealthConfig, n_regions: usize) -> Self {
        let c = cfg.checkers.len();
        HealthChecks {
            cfg: cfg.clone(),
            n_regions,
            views: vec![
                CheckerView {
                    healthy: true,
                    streak: 0
                };
                c * n_regions
            ],
            healthy_votes: vec![c as u32; n_regions],
            healthy: vec![true; n_regions],
        }
    }

    /// The configuration.
    pub fn config(&self) -> &HealthConfig {
        &self.cfg
    }

    /// The first probe time of checker `c`: checkers are spread evenly over one interval.
    pub fn first_probe(&self, c: usize) -> SimTime {
        let n = self.cfg.checkers.len() as u64;
        // (An interval shorter than one ns per checker puts every first probe at 0.)
        (self.cfg.interval / n * (c as u64 + 1)).saturating_sub(1)
    }

    /// A probe result from checker `c` about `region`; returns the new aggregate verdict when it
    /// changed.
    pub fn record(&mut self, c: usize, region: RegionId, ok: bool) -> Option<bool> {
        let r = region as usize;
        let v = &mut self.views[c * self.n_regions + r];
        if ok == v.healthy {
            v.streak = 0;
            return None;
        }
        v.streak += 1;
        let needed = if v.healthy {
            self.cfg.failure_threshold
        } else {
            self.cfg.recovery_threshold
        };
        if v.streak < needed {
            return None;
        }
        v.healthy = ok;
        v.streak = 0;
        if ok {
            self.healthy_votes[r] += 1;
        } else {
            self.healthy_votes[r] -= 1;
        }
        let share = self.healthy_votes[r] as f64 / self.cfg.checkers.len() as f64;
        let now_healthy = share > self.cfg.healthy_above;
        (now_healthy != self.healthy[r]).then(|| {
            self.healthy[r] = now_healthy;
            now_healthy
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Place;

    fn cfg(checkers: usize) -> HealthConfig {
        HealthConfig {
            interval: 10,
            failure_threshold: 3,
            recovery_threshold: 2,
            timeout: 1,
            checkers: (0..checkers).map(|i| Place::Region(i as u16)).collect(),
            healthy_above: 0.18,
        }
    }

    #[test]
    fn thresholds_and_quorum() {
        let mut h = HealthChecks::new(&cfg(5), 1);
        // One checker alone never flips the verdict: 4 of 5 still say healthy.
        for _ in 0..3 {
            assert_eq!(h.record(0, 0, false), None);
        }
        // Three more checkers after three failures each: 1 of 5 = 20% > 18%: still healthy.
        for c in 1..4 {
            for _ in 0..3 {
                assert_eq!(h.record(c, 0, false), None);
            }
        }
        assert!(h.healthy[0]);
        // The last one: 0 of 5 healthy.
        h.record(4, 0, false);
        h.record(4, 0, false);
        assert_eq!(h.record(4, 0, false), Some(false));
        // A good probe between failures resets the streak.
        assert_eq!(h.record(0, 0, true), None);
        assert_eq!(h.record(0, 0, true), Some(true));
    }
}
