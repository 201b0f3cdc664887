//! Planned failback of an active-passive design (issue #3 part 4): once a primary that failed
//! over is up, healthy and reachable from the current primary again, has stayed so for the
//! configured delay and would apply the writes on their way to it within `max_lag`, the current
//! primary drains (new writes that reach it are held), the old primary applies the rest of
//! the log, and then they switch roles; the held writes go to the restored primary. No
//! acknowledged write is fenced, so nothing is lost (SPEC §3 RPO: the switchover's record
//! shows 0).

use super::{Event, Failover, MAX_FAILOVERS, PoolStage, ReqRef, World};
use crate::data::DataRegion;
use crate::engine::{Scheduler, SimTime};
use crate::metrics::Op;
use crate::model::{Design, PlannedFailback, RegionId};

/// Where a planned failback stands once a promotion has demoted a primary.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) enum FailbackPhase {
    /// Waiting for the old primary to be ready and for the planned delay to pass.
    #[default]
    Planned,
    /// The planned delay is over and the drain waits until the old primary would apply the
    /// writes on their way to it within `max_lag` (writes are not held meanwhile).
    CatchingUp,
    /// The current primary drains (holds the writes that reach it) since this time.
    Draining(SimTime),
}

/// A planned failback in progress.
#[derive(Debug, Default)]
pub(super) struct Failback {
    /// The design's own primary, while a promotion has another region serve as primary: where
    /// a planned failback returns.
    pub(super) target: Option<RegionId>,
    /// Since when `target` has been ready to take over again (see [`World::failback_ready`]):
    /// the planned delay runs from here, and a `Failback` event of an earlier period is stale.
    pub(super) ready_since: Option<SimTime>,
    pub(super) phase: FailbackPhase,
    /// Writes that reached the draining primary, waiting for the switchover.
    pub(super) held: Vec<ReqRef>,
}

impl Failback {
    /// Whether the current primary is draining (holding writes).
    #[inline]
    pub(super) fn draining(&self) -> bool {
        matches!(self.phase, FailbackPhase::Draining(_))
    }
}

impl World<'_> {
    fn planned_failback(&self) -> Option<PlannedFailback> {
        match self.sc.design {
            Design::ActivePassive { failback, .. } => failback,
            _ => None,
        }
    }

    /// A promotion demoted `old`: a planned failback returns the primary to the design's own
    /// `primary` (its home) once that is ready, and plans nothing when the promotion brought
    /// it home. (It used to return to whichever primary was demoted last: after home → B → C
    /// it handed the primary back to B and never home, and after home → B → home it moved the
    /// primary away from home again.) A promotion that demotes a draining primary sends the
    /// writes it held on to the new primary (or they are lost with it, when it is down).
    pub(super) fn failback_note_demoted(&mut self, old: RegionId, sched: &mut Scheduler<Event>) {
        if self.planned_failback().is_some() {
            if let Some(new) = self.primary {
                self.send_held_on(old, new, sched);
            }
            let home = match self.sc.design {
                Design::ActivePassive { primary, .. } => primary,
                _ => old,
            };
            self.failback.target = (self.primary != Some(home)).then_some(home);
            self.failback.ready_since = None;
            self.failback.phase = FailbackPhase::Planned;
            self.failback_review(sched);
        }
    }

    /// Whether the demoted primary `target` can take over again: it and the current primary
    /// are up, its health checks pass (when there are any), and the current primary's writes
    /// can reach it: no partition on their route (in a `Chain`, through the replicas between
    /// them, which must be up too). A primary demoted because it was cut off, not down, is up
    /// all along; failing back to it before the cut heals would hand the writes back to a
    /// region its standbys and checkers cannot reach, and a drain towards it could never catch
    /// up. The current primary's own health checks are not asked: if they fail it, the
    /// automatic failover's promotion (which may pick `target`) takes over from the failback
    /// as any promotion does (README, known limitations).
    pub(super) fn failback_ready(&self, target: RegionId) -> bool {
        let Some(primary) = self.primary else {
            return false;
        };
        if primary == target
            || self.regions[target as usize].down > 0
            || self.regions[primary as usize].down > 0
            || self
                .health
                .as_ref()
                .is_some_and(|h| !h.healthy[target as usize])
        {
            return false;
        }
        let (Some(p), Some(t)) = (
            self.data.data_region(primary),
            self.data.data_region(target),
        ) else {
            return true;
        };
        self.data.route_hops(p, t).all(|(from, to)| {
            let (a, b) = (
                self.data.regions[from as usize],
                self.data.regions[to as usize],
            );
            let (la, lb) = (self.links.region(a), self.links.region(b));
            self.regions[b as usize].down == 0
                && self.links.cut(la, lb).is_none()
                && self.links.cut(lb, la).is_none()
        })
    }

    /// After anything that may change whether the demoted primary is ready (a region going
    /// down or up, a partition starting or healing, a health change, a promotion): a new ready
    /// period plans the failback `after` from now; the end of one cancels the plan and calls
    /// off any drain in progress ([`World::failback_call_off`]).
    pub(super) fn failback_review(&mut self, sched: &mut Scheduler<Event>) {
        let (Some(plan), Some(target)) = (self.planned_failback(), self.failback.target) else {
            return;
        };
        if !self.failback_ready(target) {
            self.failback_call_off(sched);
        } else if self.failback.ready_since.is_none() {
            self.failback.ready_since = Some(sched.now());
            sched.schedule_in(plan.after, Event::Failback { region: target });
        }
    }

    /// The planned delay is over: if the old primary has been ready all along, the failback
    /// waits for it to catch up ([`World::failback_progress`]).
    pub(super) fn on_failback(&mut self, region: RegionId, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let (Some(plan), Some(since)) = (self.planned_failback(), self.failback.ready_since) else {
            return;
        };
        if self.failback.target != Some(region)
            || self.failback.phase != FailbackPhase::Planned
            || since.saturating_add(plan.after) != now
            || !self.failback_ready(region)
        {
            return; // planned in an earlier ready period, or already under way
        }
        self.failback.phase = FailbackPhase::CatchingUp;
        self.failback_progress(sched);
    }

    /// At the end of the run, a planned failback still catching up or draining is recorded
    /// with no promotion time, so that a failback that never finished shows in the results
    /// (failovers.csv): `triggered` is when its drain began, or, while it was still waiting
    /// for the old primary to catch up, when it became due.
    pub(super) fn failback_unfinished(&mut self) {
        let (Some(plan), Some(target), Some(primary)) =
            (self.planned_failback(), self.failback.target, self.primary)
        else {
            return;
        };
        let triggered = match (self.failback.phase, self.failback.ready_since) {
            (FailbackPhase::Draining(started), _) => started,
            (FailbackPhase::CatchingUp, Some(since)) => since.saturating_add(plan.after),
            _ => return,
        };
        if self.failovers.len() < MAX_FAILOVERS {
            self.failovers.push(Failover {
                triggered,
                at: None,
                from: primary,
                to: Some(target),
                policy: "planned-failback",
                lost_writes: 0,
                rpo_span: None,
            });
        }
    }

    /// Whether a failback is catching up or draining (then every replication delivery may
    /// move it on).
    #[inline]
    pub(super) fn failback_under_way(&self) -> bool {
        self.failback.phase != FailbackPhase::Planned
    }

    /// Moves a failback under way on: while catching up, the drain starts once the old
    /// primary would apply every write already on its way to it within `max_lag`
    /// ([`World::failback_wait`]), so the drain holds writes for at most that long unless a
    /// fault or lag spike starts during it; while draining, the switchover happens once it has
    /// applied everything ([`World::failback_check`]). Every replication delivery looks again.
    pub(super) fn failback_progress(&mut self, sched: &mut Scheduler<Event>) {
        let (Some(plan), Some(target), Some(primary)) =
            (self.planned_failback(), self.failback.target, self.primary)
        else {
            return;
        };
        if !self.failback_ready(target) {
            self.failback_call_off(sched);
            return;
        }
        let now = sched.now();
        let wait = self.failback_wait(primary, target, now);
        match self.failback.phase {
            FailbackPhase::Planned => return,
            FailbackPhase::CatchingUp if wait > plan.max_lag => return,
            FailbackPhase::CatchingUp if !self.holds_earlier_lineage(primary, target) => return,
            FailbackPhase::CatchingUp => self.failback.phase = FailbackPhase::Draining(now),
            FailbackPhase::Draining(_) if wait > plan.max_lag => {
                // A lag spike (or a slow link) began after the drain did, and the writes the
                // current primary committed since then will take longer than `max_lag` to reach
                // the old primary: the drain gives way, and the failback waits again.
                self.failback_give_way(sched);
                return;
            }
            FailbackPhase::Draining(_) => {}
        }
        self.failback_check(sched);
    }

    /// How long from `now` until `target` has applied every write of `primary` already on
    /// its way: the latest due time of the messages queued on the replication route between
    /// them (each link's messages are due in order, with the lag, any lag spike and the
    /// bandwidth queue in it), less `now`. In a `Chain` a message queued on an earlier hop
    /// still has the later hops to cross, so this is a lower bound there.
    fn failback_wait(&self, primary: RegionId, target: RegionId, now: SimTime) -> SimTime {
        let (Some(p), Some(t)) = (
            self.data.data_region(primary),
            self.data.data_region(target),
        ) else {
            return 0;
        };
        self.data
            .route_hops(p, t)
            .filter_map(|(from, to)| self.data.last_due(from, to))
            .max()
            .map_or(0, |due| due.saturating_sub(now))
    }

    /// The drain stops holding writes and the failback goes back to waiting for the old
    /// primary to come within `max_lag` ([`World::failback_progress`]); the writes it held go
    /// to the current primary at once.
    fn failback_give_way(&mut self, sched: &mut Scheduler<Event>) {
        self.failback.phase = FailbackPhase::CatchingUp;
        self.failback_release_held(sched);
    }

    /// The old primary is not ready: the plan lapses (the next ready period plans the failback
    /// anew) and any drain is called off. The writes it held go to the current primary at once
    /// when it is up (it never stopped being the primary); when it is down they are lost with
    /// it, and their clients' timers fire.
    fn failback_call_off(&mut self, sched: &mut Scheduler<Event>) {
        self.failback.ready_since = None;
        self.failback.phase = FailbackPhase::Planned;
        self.failback_release_held(sched);
    }

    /// The writes a drain held go to the current primary at once when it is up; when it is
    /// down they are lost with it, and their clients' timers fire.
    fn failback_release_held(&mut self, sched: &mut Scheduler<Event>) {
        if let Some(primary) = self.primary {
            self.send_held_on(primary, primary, sched);
        }
    }

    /// Sends the writes a drain held at `from` on to `to`: at once when they are the same
    /// region, else forwarded over the link ([`World::forward_request`]: a cut drops them).
    /// When `from` is down they are lost with it. Either way the fault that lost one owns its
    /// failure (its client's timer fires).
    fn send_held_on(&mut self, from: RegionId, to: RegionId, sched: &mut Scheduler<Event>) {
        let held = std::mem::take(&mut self.failback.held);
        for r in held {
            if self.get(r).is_none() {
                continue;
            }
            let slot = r.slot;
            self.waits[slot].held = false;
            if self.regions[from as usize].down > 0 {
                let f = self.down_by[from as usize];
                self.requests[slot].touched_by = f;
                self.tallies[f as usize].lost_in_region += 1;
                continue;
            }
            if from == to {
                self.requests[slot].exec = to;
                sched.schedule_in(0, Event::AtRegion { req: r, region: to });
            } else {
                self.forward_request(r, from, to, Op::Write, sched);
            }
        }
    }

    /// Whether `target` holds the writes of earlier primaries that the current one kept
    /// (those not fenced off at a failover): after home → B → C, B's writes that C applied
    /// reach home only from B, so while a cut or B's outage keeps some in B's log, a failback
    /// home would drop them from the lineage uncounted, and home's new writes would conflict
    /// with them (2026-12-04 review: 1.8 million conflicts after such a failback). The
    /// failback waits (catching up) until they are there.
    fn holds_earlier_lineage(&self, primary: RegionId, target: RegionId) -> bool {
        let (Some(p), Some(t)) = (
            self.data.data_region(primary),
            self.data.data_region(target),
        ) else {
            return true;
        };
        (0..self.data.len() as DataRegion)
            .filter(|o| ![p, t].contains(o))
            .all(|o| self.data.caught_up(t, o))
    }

    /// Whether `region`'s pool still queues or serves a write (a look over every request in
    /// flight, made only when the old primary has caught up during a drain). Each such write
    /// moves the failback on when it commits or its attempt ends.
    fn writes_in_pool(&self, region: RegionId) -> bool {
        self.requests.iter().any(|q| {
            q.live && q.op == Op::Write && q.exec == region && q.stage != PoolStage::Outside
        })
    }

    /// Whether a write reaching `region` must wait for the switchover (and holds it).
    pub(super) fn failback_hold(&mut self, r: ReqRef, region: RegionId) -> bool {
        if self.failback.draining() && self.primary == Some(region) {
            self.failback.held.push(r);
            self.waits[r.slot].held = true;
            self.note_waits();
            true
        } else {
            false
        }
    }

    /// Switches over once the draining primary has no write left to serve (those admitted
    /// before the drain began commit there first) and the old primary has applied every write
    /// of it that is sent to it (residency may keep some from it). Only
    /// [`World::failback_progress`] calls it, after checking that the old primary is still
    /// ready.
    fn failback_check(&mut self, sched: &mut Scheduler<Event>) {
        let (FailbackPhase::Draining(started), Some(target), Some(primary)) =
            (self.failback.phase, self.failback.target, self.primary)
        else {
            return;
        };
        let now = sched.now();
        let (Some(p), Some(t)) = (
            self.data.data_region(primary),
            self.data.data_region(target),
        ) else {
            return;
        };
        if !self.data.caught_up(t, p)
            || !self.holds_earlier_lineage(primary, target)
            || self.writes_in_pool(primary)
        {
            return;
        }
        // Caught up: switch roles. A promotion pending away from the demoted primary (failed
        // checks while it drained) is moot; left queued, it would later clear the pending flag
        // a failure of the restored primary waits on.
        self.call_off_promotion(primary);
        if self.failovers.len() < MAX_FAILOVERS {
            self.failovers.push(Failover {
                triggered: started,
                at: Some(now),
                from: primary,
                to: Some(target),
                policy: "planned-failback",
                lost_writes: 0,
                rpo_span: None,
            });
        }
        self.swap_primary(primary, target);
        if let Design::ActivePassive {
            read_local,
            standby_capacity,
            ..
        } = self.sc.design
        {
            // A planned switch: the returning primary was scaled up beforehand (its standby
            // capacity is billed until the switch), the demoted one drops to a standby's.
            self.set_capacity_factor(target, 1.0, now, sched);
            self.set_capacity_factor(primary, standby_capacity, now, sched);
            if !read_local {
                self.serving[primary as usize] = false;
                self.eligible[primary as usize] = false;
            }
            self.serving[target as usize] = true;
            self.eligible[target as usize] = self
                .health
                .as_ref()
                .is_none_or(|h| h.healthy[target as usize]);
        }
        self.failback.target = None;
        self.failback.ready_since = None;
        self.failback.phase = FailbackPhase::Planned;
        self.send_held_on(primary, target, sched);
        self.refresh_service_clock(now);
    }
}
