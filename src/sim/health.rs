//! Health checks (SPEC §1 DNS): checkers at several places probe every region of the design;
//! each (checker, region) pair is a small state machine with failure and recovery thresholds,
//! and a region is healthy while more than `healthy_above` of the checkers say so. A result
//! older than one the pair already heard (a timeout longer than the interval) is ignored.

use crate::engine::SimTime;
use crate::model::{HealthConfig, RegionId};

/// What one checker believes about one region.
#[derive(Debug, Clone, Copy)]
struct CheckerView {
    healthy: bool,
    /// Consecutive probes that disagree with `healthy`.
    streak: u32,
    /// Round of the newest probe whose result this view has taken (0 before any).
    round: u32,
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
    /// Per checker, the round of its latest probe (rounds count from 1).
    rounds: Vec<u32>,
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
                    streak: 0,
                    round: 0,
                };
                c * n_regions
            ],
            rounds: vec![0; c],
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

    /// Checker `c` starts a probe round; its results carry the number returned.
    pub fn next_round(&mut self, c: usize) -> u32 {
        self.rounds[c] = self.rounds[c].wrapping_add(1);
        self.rounds[c]
    }

    /// The result of checker `c`'s probe of `region` in `round`; returns the new aggregate
    /// verdict when it changed. A result from a round older than one already taken for this
    /// pair is stale (it timed out while newer probes came back) and changes nothing.
    pub fn record(&mut self, c: usize, region: RegionId, ok: bool, round: u32) -> Option<bool> {
        let r = region as usize;
        let v = &mut self.views[c * self.n_regions + r];
        // Serial-number order: rounds wrap after 2^32 probes, and results in flight are never
        // 2^31 rounds apart.
        if (round.wrapping_sub(v.round) as i32) <= 0 {
            return None;
        }
        v.round = round;
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

    /// Checker `c` probes `region` and hears back at once.
    fn probe(h: &mut HealthChecks, c: usize, region: RegionId, ok: bool) -> Option<bool> {
        let round = h.next_round(c);
        h.record(c, region, ok, round)
    }

    #[test]
    fn a_stale_result_changes_nothing() {
        let mut h = HealthChecks::new(&cfg(1), 1);
        for _ in 0..3 {
            probe(&mut h, 0, 0, false);
        }
        assert!(!h.healthy[0]);
        // Rounds 4 and 5 go out; 5 comes back good, then 4 times out, then 6 is good.
        let (r4, r5) = (h.next_round(0), h.next_round(0));
        assert_eq!(h.record(0, 0, true, r5), None);
        assert_eq!(h.record(0, 0, false, r4), None);
        assert_eq!(probe(&mut h, 0, 0, true), Some(true));
        // Round numbers wrap without losing their order.
        h.rounds[0] = u32::MAX - 1;
        h.views[0].round = u32::MAX - 1;
        for _ in 0..3 {
            probe(&mut h, 0, 0, false);
        }
        assert!(!h.healthy[0], "{:?}", h.views[0]);
    }

    #[test]
    fn thresholds_and_quorum() {
        let mut h = HealthChecks::new(&cfg(5), 1);
        // One checker alone never flips the verdict: 4 of 5 still say healthy.
        for _ in 0..3 {
            assert_eq!(probe(&mut h, 0, 0, false), None);
        }
        // Three more checkers after three failures each: 1 of 5 = 20% > 18%: still healthy.
        for c in 1..4 {
            for _ in 0..3 {
                assert_eq!(probe(&mut h, c, 0, false), None);
            }
        }
        assert!(h.healthy[0]);
        // The last one: 0 of 5 healthy.
        probe(&mut h, 4, 0, false);
        probe(&mut h, 4, 0, false);
        assert_eq!(probe(&mut h, 4, 0, false), Some(false));
        // A good probe between failures resets the streak.
        assert_eq!(probe(&mut h, 0, 0, true), None);
        assert_eq!(probe(&mut h, 0, 0, true), Some(true));
    }
}
