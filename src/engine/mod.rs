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
//! 7. [`Scheduler::hand_over_now`] is a shortcut, not a different order either: a handler whose
//!    *last action* is to schedule an event for the current time may ask for it back. When
//!    nothing else is queued at the current time, that event is the one the engine would
//!    deliver next, so the scheduler counts it as delivered (in [`Engine::delivered`] and the
//!    trace digest, exactly as if it had been queued and popped) and returns it for the model
//!    to handle at once; otherwise it queues it like [`Scheduler::schedule_in`] with delay 0.
//!    The model's side of the contract: nothing the handler does after the hand-over could
//!    have been ordered before the handed-over event (which is why it must be the last action).
//!
//! # The event trace digest
//!
//! [`Engine::trace_digest`] folds the time and the kind ([`Model::trace_kind`]) of every
//! delivered event, in delivery order, and their number into one order-sensitive 64-bit hash.
//! Two runs with equal digests delivered the same kinds of events at the same instants in the
//! same order (up to a hash collision: it is a check, not a proof). Not the events' ids:
//! folding those too, from a match in the model, measured 8–16% slower on M/M/c; time and
//! kind are within the noise. So runs that deliver the same kinds of events at the same
//! instants but differ in what they do (lww-clock-skew's variants: skew changes which write
//! wins, not when anything happens) share a digest and are told apart by their results, which
//! `regionsim run --check-determinism` compares together with the digests (runs.csv records
//! one per run).

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
    /// Events delivered so far, and their digest (see the module docs).
    delivered: u64,
    trace: u64,
    /// Whether [`Scheduler::hand_over_now`] may hand events over, and how many it did.
    hand_over: bool,
    handed_over: u64,
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

    /// Hands `event` back to be handled at once, counted as delivered, when it would be the
    /// next event delivered anyway: nothing else is queued at the current time. Otherwise it
    /// is queued for now and `None` is returned. Only from inside a handler, as its last action
    /// (ordering guarantee 7).
    #[inline(always)]
    pub fn hand_over_now<M: Model<Event = E>>(&mut self, event: E) -> Option<E> {
        // Handlers run at the time of the queue's last pop.
        debug_assert_eq!(self.now, self.queue.now());
        if !self.hand_over || self.queue.holds_now() {
            self.queue.push(self.now, event);
            return None;
        }
        self.record_delivery(M::trace_kind(&event));
        self.handed_over += 1;
        Some(event)
    }

    /// Counts one delivery at the current time and folds it into the trace digest.
    #[inline(always)]
    fn record_delivery(&mut self, kind: u64) {
        self.delivered += 1;
        self.trace = fold(self.trace, self.now ^ kind << 56);
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

    /// The event's kind (a small number) for the trace digest; the default records none.
    #[inline]
    fn trace_kind(_event: &Self::Event) -> u64 {
        0
    }
}

/// One step of the trace digest: order-sensitive (a rotate, xor and multiply by an odd
/// constant, as in FxHash), cheap enough for every event.
#[inline]
fn fold(h: u64, x: u64) -> u64 {
    (h.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

/// The run loop: owns the clock and the queue.
pub struct Engine<E> {
    sched: Scheduler<E>,
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
                delivered: 0,
                trace: 0,
                hand_over: true,
                handed_over: 0,
            },
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
        self.sched.delivered
    }

    /// Switches the hand-over of ordering guarantee 7 on (the default) or off: off, every
    /// event goes through the queue. For tests that the hand-over changes nothing.
    pub fn set_hand_over(&mut self, on: bool) {
        self.sched.hand_over = on;
    }

    /// Events delivered by a hand-over (ordering guarantee 7), included in [`Self::delivered`].
    pub fn handed_over(&self) -> u64 {
        self.sched.handed_over
    }

    /// The digest of the events delivered so far (see the module docs).
    pub fn trace_digest(&self) -> u64 {
        fold(self.sched.trace, self.sched.delivered)
    }

    /// Delivers every event with time `<= end` to `model`; then the clock reads `end`.
    pub fn run_until<M: Model<Event = E>>(&mut self, model: &mut M, end: SimTime) {
        while let Some((t, ev)) = self.sched.queue.pop_until(end) {
            self.sched.now = t;
            self.sched.record_delivery(M::trace_kind(&ev));
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

    /// A model whose events 1..=9 schedule one follow-up `ev` ns later (event 0), once;
    /// an event's kind is its value.
    struct FollowUps;
    impl Model for FollowUps {
        type Event = u32;
        fn handle(&mut self, ev: u32, sched: &mut Scheduler<u32>) {
            if ev > 0 {
                sched.schedule_in(u64::from(ev) * 10, 0);
            }
        }
        fn trace_kind(ev: &u32) -> u64 {
            u64::from(*ev)
        }
    }

    fn digest(events: &[(SimTime, u32)]) -> u64 {
        let mut eng = Engine::new();
        for &(t, e) in events {
            eng.scheduler().schedule_at(t, e);
        }
        eng.run_until(&mut FollowUps, SimTime::MAX);
        eng.trace_digest()
    }

    #[test]
    fn the_trace_digest_sees_every_instant_in_order() {
        let base = digest(&[(1, 1), (2, 2), (2, 3)]);
        assert_eq!(base, digest(&[(1, 1), (2, 2), (2, 3)]));
        // One time moved; a consequence at another time; one event more; one event fewer;
        // two events of one instant in the other order; a kind changed.
        for other in [
            digest(&[(1, 1), (2, 3), (2, 2)]),
            digest(&[(1, 1), (2, 2), (2, 5)]),
            digest(&[(1, 1), (3, 2), (2, 3)]),
            digest(&[(1, 1), (2, 2), (2, 4)]),
            digest(&[(1, 1), (2, 2), (2, 3), (9, 0)]),
            digest(&[(1, 1), (2, 2)]),
        ] {
            assert_ne!(base, other);
        }
    }

    /// Events 1..=3 each cause a follow-up at the same instant (`ev + 10`), scheduled as the
    /// handler's last action: queued, or handed over when `hand_over` is set.
    struct Hops {
        hand_over: bool,
        seen: Vec<(SimTime, u32)>,
    }
    impl Model for Hops {
        type Event = u32;
        fn handle(&mut self, ev: u32, sched: &mut Scheduler<u32>) {
            self.seen.push((sched.now(), ev));
            if ev > 3 {
                return;
            }
            if !self.hand_over {
                sched.schedule_in(0, ev + 10);
            } else if let Some(next) = sched.hand_over_now::<Self>(ev + 10) {
                self.handle(next, sched);
            }
        }
        fn trace_kind(ev: &u32) -> u64 {
            u64::from(*ev)
        }
    }

    #[test]
    fn handing_over_changes_neither_the_order_nor_the_count_nor_the_digest() {
        // Alone at its instant (1 at 5), and sharing an instant with queued events (2 and 3
        // at 7, where the follow-up of 2 must wait for 3).
        let run = |hand_over| {
            let mut eng = Engine::new();
            for (t, e) in [(5, 1), (7, 2), (7, 3), (9, 99)] {
                eng.scheduler().schedule_at(t, e);
            }
            let mut m = Hops {
                hand_over,
                seen: vec![],
            };
            eng.run_until(&mut m, 100);
            (m.seen, eng.delivered(), eng.trace_digest())
        };
        let queued = run(false);
        assert_eq!(
            queued.0,
            vec![(5, 1), (5, 11), (7, 2), (7, 3), (7, 12), (7, 13), (9, 99)]
        );
        assert_eq!(queued.1, 7);
        assert_eq!(run(true), queued);
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
