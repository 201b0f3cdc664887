//! The discrete-event engine: integer simulated time, a deterministic event queue and the run loop.
//!
//! The engine knows nothing of regions, requests or DNS. A domain model implements [`Model`]
//! with its own typed event enum; the engine pops events in order and hands them over.
//!
//! # Ordering guarantees
//!
//! 1. **Time is an integer** number of nanoseconds ([`SimTime`]); there is no floating-point
//!    clock anywhere, so no rounding can reorder two events.
//! 2. Events are delivered in **non-decreasing time**. An event is never scheduled before
//!    the current time: a request to do so is clamped to "now" (and is a bug the debug build
//!    reports with a panic).
//! 3. Events with the **same time are delivered in insertion order (FIFO)**: each scheduled
//!    event receives a sequence number from a counter that only grows, and the queue orders
//!    by `(time, sequence)`. Two runs that schedule the same events in the same order deliver
//!    them in the same order: a run is a pure function of its inputs and seed.
//! 4. Events are never dropped or cancelled by the engine. A model that wants to cancel
//!    (a timeout that lost the race, say) keeps a generation number in its own state and
//!    ignores the stale event when it arrives.
//! 5. [`Engine::run_until`] delivers every event with `time <= end` and leaves later events
//!    queued; the clock then reads `end`.
//! 6. [`Scheduler::schedule_at_lane`] is a speed hint, not a different order: events a model
//!    schedules in non-decreasing time (timeouts of one duration) go to a FIFO lane instead of
//!    the heap, and are still delivered by `(time, sequence)` with everything else.

mod queue;

pub use queue::EventQueue;

/// Simulated time in nanoseconds since the start of the run.
pub type SimTime = u64;

/// Nanoseconds per millisecond.
pub const NS_PER_MS: u64 = 1_000_000;
/// Nanoseconds per second.
pub const NS_PER_S: u64 = 1_000_000_000;

/// Converts milliseconds (a user-facing unit) to integer nanoseconds, rounding to nearest.
/// Negative and non-finite inputs map to 0; huge ones saturate.
pub fn ms_to_ns(ms: f64) -> SimTime {
    if ms.is_nan() || ms <= 0.0 {
        0
    } else {
        let ns = (ms * NS_PER_MS as f64).round();
        if ns >= u64::MAX as f64 {
            u64::MAX
        } else {
            ns as u64
        }
    }
}

/// Converts seconds to integer nanoseconds (see [`ms_to_ns`]).
pub fn s_to_ns(s: f64) -> SimTime {
    ms_to_ns(s * 1000.0)
}

/// Converts nanoseconds to milliseconds for reporting.
pub fn ns_to_ms(ns: SimTime) -> f64 {
    ns as f64 / NS_PER_MS as f64
}

/// Where a model schedules new events while it handles one.
pub struct Scheduler<E> {
    now: SimTime,
    queue: EventQueue<E>,
}

impl<E: Copy> Scheduler<E> {
    /// The current simulated time.
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` at `now + delay`.
    #[inline(always)]
    pub fn schedule_in(&mut self, delay: SimTime, event: E) {
        let at = self.now.saturating_add(delay);
        self.queue.push(at, event);
    }

    /// Schedules `event` at absolute time `at` (clamped to now, see the ordering guarantees).
    #[inline(always)]
    pub fn schedule_at(&mut self, at: SimTime, event: E) {
        debug_assert!(
            at >= self.now,
            "event scheduled in the past: {at} < {}",
            self.now
        );
        self.queue.push(at.max(self.now), event);
    }

    /// Schedules `event` at `at` in FIFO lane `lane` (see ordering guarantee 6): use one lane per
    /// stream of events whose times never decrease, such as timeouts of one fixed duration.
    #[inline]
    pub fn schedule_at_lane(&mut self, lane: usize, at: SimTime, event: E) {
        debug_assert!(
            at >= self.now,
            "event scheduled in the past: {at} < {}",
            self.now
        );
        self.queue.push_lane(lane, at.max(self.now), event);
    }

    /// Number of events waiting.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }
}

/// A domain model driven by the engine.
pub trait Model {
    /// The model's typed events.
    type Event;
    /// Handles one event at time `sched.now()`, scheduling any consequences.
    fn handle(&mut self, event: Self::Event, sched: &mut Scheduler<Self::Event>);
}

/// The run loop: owns the clock and the queue.
pub struct Engine<E> {
    sched: Scheduler<E>,
    delivered: u64,
}

impl<E: Copy> Default for Engine<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> Engine<E> {
    /// An engine at time 0 with an empty queue.
    pub fn new() -> Self {
        Engine {
            sched: Scheduler {
                now: 0,
                queue: EventQueue::new(),
            },
            delivered: 0,
        }
    }

    /// The scheduler, to seed initial events before running.
    pub fn scheduler(&mut self) -> &mut Scheduler<E> {
        &mut self.sched
    }

    /// Current simulated time.
    pub fn now(&self) -> SimTime {
        self.sched.now
    }

    /// Events delivered so far.
    pub fn delivered(&self) -> u64 {
        self.delivered
    }

    /// Delivers every event with time `<= end` to `model`; then the clock reads `end`.
    pub fn run_until<M: Model<Event = E>>(&mut self, model: &mut M, end: SimTime) {
        while let Some((t, ev)) = self.sched.queue.pop_until(end) {
            self.sched.now = t;
            self.delivered += 1;
            model.handle(ev, &mut self.sched);
        }
        self.sched.now = self.sched.now.max(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Recorder(Vec<(SimTime, u32)>);
    impl Model for Recorder {
        type Event = u32;
        fn handle(&mut self, ev: u32, sched: &mut Scheduler<u32>) {
            self.0.push((sched.now(), ev));
            if ev < 3 {
                // Same-time events scheduled from a handler run after those already queued.
                sched.schedule_in(0, ev + 10);
            }
        }
    }

    #[test]
    fn same_time_events_are_fifo_and_run_until_stops_at_end() {
        let mut eng = Engine::new();
        for i in 0..3 {
            eng.scheduler().schedule_at(5, i);
        }
        eng.scheduler().schedule_at(7, 99);
        let mut m = Recorder(vec![]);
        eng.run_until(&mut m, 6);
        assert_eq!(m.0, vec![(5, 0), (5, 1), (5, 2), (5, 10), (5, 11), (5, 12)]);
        assert_eq!(eng.now(), 6);
        eng.run_until(&mut m, 100);
        assert_eq!(m.0.last(), Some(&(7, 99)));
    }

    #[test]
    fn unit_conversions_round_and_saturate() {
        assert_eq!(ms_to_ns(1.5), 1_500_000);
        assert_eq!(ms_to_ns(-3.0), 0);
        assert_eq!(ms_to_ns(f64::NAN), 0);
        assert_eq!(ms_to_ns(1e300), u64::MAX);
        assert_eq!(s_to_ns(2.0), 2 * NS_PER_S);
    }
}
