//! A region's server pool: `c` servers, one FIFO queue with a limit (M/G/c/K), and its statistics.

use crate::engine::SimTime;
use std::collections::VecDeque;

/// What happened when a request reached the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// A server was free: service starts now.
    Serve,
    /// Every server is busy: the request waits.
    Queued,
    /// The queue is full: the request is shed (`overload`).
    Shed,
}

/// Time-weighted and per-request statistics of one pool, after the warm-up.
#[derive(Debug, Clone, Default)]
pub struct PoolStats {
    /// Requests admitted (served or queued) after the warm-up.
    pub arrivals: u64,
    pub shed: u64,
    /// Requests that left the queue because their client had given up.
    pub abandoned: u64,
    pub served: u64,
    /// Sum of waits in queue of requests that started service (ns).
    pub wait_sum: u128,
    pub wait_count: u64,
    /// Sum of time spent in the pool (queue + service, or queue until abandoned) (ns).
    pub sojourn_sum: u128,
    pub sojourn_count: u64,
    /// ∫ busy servers dt and ∫ requests present dt (ns).
    pub busy_area: u128,
    pub present_area: u128,
    /// Span the areas cover (ns).
    pub span: u64,
}

/// A server pool with a FIFO queue of opaque request handles `H`.
pub struct Pool<H> {
    servers: u32,
    busy: u32,
    limit: u32,
    queue: VecDeque<(H, SimTime)>,
    warmup: SimTime,
    /// The time-weighted areas' running terms. With `τ(t) = max(t, warmup)`, the area of a
    /// count `x` (busy servers; requests present) after the warm-up up to `now` is
    /// `x(now)·τ(now) − Σ Δx·τ(t)` over the changes `Δx` at times `t` (summation by parts):
    /// each change subtracts `Δx·τ(t)` here instead of multiplying the count by the time since
    /// the last change, and [`Pool::finish`] adds the last term. Wrapping arithmetic: the
    /// running value may dip below zero, the result is the exact area.
    busy_term: u128,
    present_term: u128,
    epoch: u32,
    pub stats: PoolStats,
}

impl<H: Copy> Pool<H> {
    /// A pool of `servers` servers and a queue of at most `limit` waiting requests.
    pub fn new(servers: u32, limit: u32, warmup: SimTime) -> Self {
        Pool {
            servers,
            busy: 0,
            limit,
            queue: VecDeque::new(),
            warmup,
            busy_term: 0,
            present_term: 0,
            epoch: 0,
            stats: PoolStats::default(),
        }
    }

    /// `τ(now)` of the areas' terms (see `busy_term`).
    #[inline]
    fn tau(&self, now: SimTime) -> u128 {
        u128::from(now.max(self.warmup))
    }

    /// Busy servers and requests present change by `+busy` and `+present` at `now`.
    #[inline]
    fn add(&mut self, now: SimTime, busy: u64, present: u64) {
        let t = self.tau(now);
        self.busy_term = self.busy_term.wrapping_sub(t * u128::from(busy));
        self.present_term = self.present_term.wrapping_sub(t * u128::from(present));
    }

    /// Busy servers and requests present change by `-busy` and `-present` at `now`.
    #[inline]
    fn remove(&mut self, now: SimTime, busy: u64, present: u64) {
        let t = self.tau(now);
        self.busy_term = self.busy_term.wrapping_add(t * u128::from(busy));
        self.present_term = self.present_term.wrapping_add(t * u128::from(present));
    }

    /// A request arrives at `now`.
    #[inline]
    pub fn arrive(&mut self, h: H, now: SimTime) -> Admission {
        let counted = now >= self.warmup;
        if self.busy < self.servers {
            self.add(now, 1, 1);
            self.busy += 1;
            if counted {
                self.stats.arrivals += 1;
            }
            Admission::Serve
        } else if (self.queue.len() as u32) < self.limit {
            self.add(now, 0, 1);
            self.queue.push_back((h, now));
            if counted {
                self.stats.arrivals += 1;
            }
            Admission::Queued
        } else {
            if counted {
                self.stats.shed += 1;
            }
            Admission::Shed
        }
    }

    /// Service of a request that arrived at `arrived` starts at `now` and takes `service` ns.
    #[inline]
    pub fn record_service(&mut self, arrived: SimTime, now: SimTime, service: SimTime) {
        if arrived >= self.warmup {
            let wait = (now - arrived) as u128;
            // `wait_count` and `sojourn_count` follow from `served` and `abandoned` (`finish`).
            self.stats.served += 1;
            self.stats.wait_sum += wait;
            self.stats.sojourn_sum += wait + service as u128;
        }
    }

    /// A service ends at `now`: frees its server and returns the next waiting request that
    /// `live` accepts (with its arrival time); its service starts now. Requests `live` rejects
    /// are abandoned (their clients gave up).
    #[inline]
    pub fn depart(
        &mut self,
        now: SimTime,
        mut live: impl FnMut(H) -> bool,
    ) -> Option<(H, SimTime)> {
        self.remove(now, 1, 1);
        self.busy -= 1;
        self.next_waiting(now, &mut live)
    }

    /// Starts the next live waiting request if a server is free.
    fn next_waiting(
        &mut self,
        now: SimTime,
        live: &mut impl FnMut(H) -> bool,
    ) -> Option<(H, SimTime)> {
        if self.busy >= self.servers {
            return None;
        }
        while let Some((h, at)) = self.queue.pop_front() {
            let counted = at >= self.warmup;
            if live(h) {
                // From the queue to a server: present stays as it was.
                self.add(now, 1, 0);
                self.busy += 1;
                return Some((h, at));
            }
            self.remove(now, 0, 1);
            if counted {
                self.stats.abandoned += 1;
                self.stats.sojourn_sum += (now - at) as u128;
            }
        }
        None
    }

    /// Changes the number of servers at `now` (capacity loss, standby scale-up). Fewer servers
    /// finish their current work and take no new work until below the new count; more servers
    /// start waiting requests at once: those are returned with their arrival times.
    pub fn set_servers(
        &mut self,
        now: SimTime,
        servers: u32,
        mut live: impl FnMut(H) -> bool,
    ) -> Vec<(H, SimTime)> {
        self.servers = servers;
        let mut started = vec![];
        while let Some(x) = self.next_waiting(now, &mut live) {
            started.push(x);
        }
        started
    }

    /// The region goes down at `now`: every request in service or waiting is lost, and the
    /// services under way never complete (their completion events carry the old epoch).
    /// `waiting` sees each waiting request dropped. Returns how many requests were lost.
    pub fn crash(&mut self, now: SimTime, mut waiting: impl FnMut(H)) -> u64 {
        let lost = self.busy as u64 + self.queue.len() as u64;
        self.remove(now, u64::from(self.busy), lost);
        self.busy = 0;
        for (h, _) in self.queue.drain(..) {
            waiting(h);
        }
        self.epoch = self.epoch.wrapping_add(1);
        lost
    }

    /// Changes each time the pool crashes; a completion from an older epoch is void.
    #[inline]
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// Closes the time-weighted statistics at the end of the run.
    pub fn finish(&mut self, end: SimTime) {
        let t = self.tau(end);
        let present = u64::from(self.busy) + self.queue.len() as u64;
        self.stats.busy_area = self.busy_term.wrapping_add(t * u128::from(self.busy));
        self.stats.present_area = self.present_term.wrapping_add(t * u128::from(present));
        self.stats.wait_count = self.stats.served;
        self.stats.sojourn_count = self.stats.served + self.stats.abandoned;
        self.stats.span = end.saturating_sub(self.warmup);
    }

    /// Requests waiting now.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Number of servers.
    pub fn servers(&self) -> u32 {
        self.servers
    }

    /// Whether a request arriving now would wait for a server.
    pub fn all_busy(&self) -> bool {
        self.busy >= self.servers
    }

    /// Requests waiting now that `live` accepts (those whose clients have not given up).
    pub fn queued_live(&self, mut live: impl FnMut(H) -> bool) -> usize {
        self.queue.iter().filter(|(h, _)| live(*h)).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_queues_sheds_and_skips_abandoned() {
        let mut p: Pool<u32> = Pool::new(1, 1, 0);
        assert_eq!(p.arrive(1, 0), Admission::Serve);
        assert_eq!(p.arrive(2, 1), Admission::Queued);
        assert_eq!(p.arrive(3, 2), Admission::Shed);
        // 2 was abandoned: nothing to serve next.
        assert_eq!(p.depart(10, |h| h != 2), None);
        assert_eq!(p.stats.abandoned, 1);
        assert_eq!(p.stats.shed, 1);
        p.finish(20);
        // busy 1 over [0,10), present 2 over [1,2)... areas: busy 10, present 10 + 9.
        assert_eq!(p.stats.busy_area, 10);
        assert_eq!(p.stats.present_area, 19);
    }

    #[test]
    fn fewer_servers_wait_more_servers_start_and_a_crash_loses_everything() {
        let mut p: Pool<u32> = Pool::new(2, 10, 0);
        assert_eq!(p.arrive(1, 0), Admission::Serve);
        assert_eq!(p.arrive(2, 0), Admission::Serve);
        assert_eq!(p.arrive(3, 0), Admission::Queued);
        assert!(p.set_servers(1, 1, |_| true).is_empty());
        // Two busy, one server: a departure starts nothing.
        assert_eq!(p.depart(2, |_| true), None);
        assert_eq!(p.depart(3, |_| true), Some((3, 0)));
        assert_eq!(p.arrive(4, 4), Admission::Queued);
        assert_eq!(p.set_servers(5, 2, |_| true), vec![(4, 4)]);
        let e = p.epoch();
        assert_eq!(p.crash(6, |_| {}), 2);
        assert_ne!(p.epoch(), e);
        assert_eq!(p.queued(), 0);
        assert_eq!(p.arrive(5, 7), Admission::Serve);
    }
}
