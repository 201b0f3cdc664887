//! The event queue: a binary heap plus FIFO lanes, ordered by (time, insertion sequence),
//! fuzzed against a BTreeMap.
//!
//! A *lane* holds events that a model schedules in non-decreasing time order (timeouts of one
//! fixed duration, say). Appending to a lane is O(1) and keeps the heap small; `pop` returns the
//! smallest `(time, seq)` among the heap's top and the lanes' heads, so lanes change speed, never
//! order. An event pushed to a lane earlier than the lane's tail goes to the heap instead.
//!
//! Events pushed for the current time (the time of the last pop: zero-delay hops, responses
//! over a zero-length link) go to an *immediate* lane of their own, which only ever holds
//! events of the current time; it too is merged by `(time, seq)`.
//!
//! The heap is written here rather than taken from `std`: its entries carry one packed
//! `u128` key (`time << 64 | seq`, so one comparison orders them) and `pop` moves the last
//! entry down a hole instead of swapping it into the root first (the profile of the M/M/c
//! benchmark showed std's swap-then-reload stalling on store forwarding). A pop from the heap
//! leaves its root in place, marked taken: a handler usually schedules an event next (the next
//! arrival, the next service end), and that push fills the root's place with one sift-down
//! where removing the root and inserting would take a sift-down and a sift-up. Whatever else
//! reads the heap removes the taken root first. Keys are unique, so the order of pops is the
//! same as with any other heap.

use super::SimTime;
use std::collections::VecDeque;

#[derive(Clone, Copy)]
struct Entry<E> {
    /// `time << 64 | seq`: ordering by the key is ordering by `(time, seq)`.
    key: u128,
    event: E,
}

impl<E> Entry<E> {
    #[inline]
    fn new(time: SimTime, seq: u64, event: E) -> Self {
        Entry {
            key: ((time as u128) << 64) | seq as u128,
            event,
        }
    }
    #[inline]
    fn time(&self) -> SimTime {
        (self.key >> 64) as SimTime
    }
}

/// A priority queue of events ordered by `(time, insertion sequence)`: earliest first,
/// FIFO among equal times. See the engine's ordering guarantees.
pub struct EventQueue<E> {
    /// A binary min-heap on `key`.
    heap: Vec<Entry<E>>,
    lanes: Vec<VecDeque<Entry<E>>>,
    /// Events at time `now`, in sequence order.
    immediate: VecDeque<Entry<E>>,
    /// Time of the last event popped (0 before the first).
    now: SimTime,
    next_seq: u64,
    /// `heap[0]` was popped but is still in place (see the module docs).
    root_taken: bool,
    /// Entries in the immediate lane and the lanes together: while there are none (most of
    /// the time when hand-overs work), a pop or a look at the queue needs only the heap.
    outside_heap: usize,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

/// Where the earliest event is.
#[derive(Clone, Copy)]
enum Source {
    Heap,
    Immediate,
    Lane(usize),
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        EventQueue {
            heap: Vec::with_capacity(1024),
            lanes: Vec::new(),
            immediate: VecDeque::with_capacity(64),
            now: 0,
            next_seq: 0,
            root_taken: false,
            outside_heap: 0,
        }
    }

    #[inline(always)]
    fn next_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// Adds an event at `time`; it gets the next sequence number.
    #[inline(always)]
    pub fn push(&mut self, time: SimTime, event: E) {
        let seq = self.next_seq();
        let e = Entry::new(time, seq, event);
        // The immediate lane holds entries of one time only, so it stays sorted by key.
        if time == self.now && self.immediate.back().is_none_or(|b| b.time() == time) {
            self.outside_heap += 1;
            self.immediate.push_back(e);
        } else {
            self.heap_push(e);
        }
    }

    /// Adds an event at `time` to FIFO lane `lane` (created on first use); it gets the next
    /// sequence number. Falls back to the heap if `time` is before the lane's last event.
    #[inline]
    pub fn push_lane(&mut self, lane: usize, time: SimTime, event: E) {
        if lane >= self.lanes.len() {
            self.lanes.resize_with(lane + 1, VecDeque::new);
        }
        if self.lanes[lane].back().is_some_and(|b| b.time() > time) {
            return self.push(time, event);
        }
        let seq = self.next_seq();
        self.outside_heap += 1;
        self.lanes[lane].push_back(Entry::new(time, seq, event));
    }

    #[inline(always)]
    fn heap_push(&mut self, e: Entry<E>) {
        if self.root_taken {
            self.root_taken = false;
            self.sift_down_from_root(e);
            return;
        }
        self.heap.push(e);
        // Through a slice: its length stays in a register, so the indices below, all under
        // it, need no bounds checks (a store through the `Vec` could, for all the compiler
        // knows, change its length).
        let heap = &mut self.heap[..];
        let mut i = heap.len() - 1;
        while i > 0 {
            let parent = (i - 1) / 2;
            if heap[parent].key <= e.key {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = e;
    }

    /// Removes a taken root: the last entry walks down the hole it leaves. Inline always:
    /// left to itself the compiler put it (and its sift-down) out of line, and the call cost
    /// more than the bounds checks the slices save.
    #[inline(always)]
    fn settle(&mut self) {
        if self.root_taken {
            self.root_taken = false;
            let last = self.heap.pop().expect("a taken root is in the heap");
            if !self.heap.is_empty() {
                self.sift_down_from_root(last);
            }
        }
    }

    /// Hands out the heap's root, leaving it in place, taken (the heap is settled).
    #[inline]
    fn heap_take_root(&mut self) -> Option<Entry<E>> {
        debug_assert!(!self.root_taken);
        let top = *self.heap.first()?;
        self.root_taken = true;
        Some(top)
    }

    /// Puts `last` into the hole at the root of a non-empty heap and walks it down.
    ///
    /// Which of two children is smaller is a coin toss on random keys, which the branch
    /// predictor cannot learn: the smaller one is picked by adding the comparison's result to
    /// the index, without a branch. Whether `last` stops is still a branch, so the walk ends
    /// where it stops (a fixed-depth walk that never branches cost more: BENCHMARKS.md).
    #[inline(always)]
    fn sift_down_from_root(&mut self, last: Entry<E>) {
        // A slice, for the same reason as in `heap_push`.
        let heap = &mut self.heap[..];
        let n = heap.len();
        let mut i = 0;
        let mut c = 1;
        // While both children exist.
        while c + 1 < n {
            c += usize::from(heap[c + 1].key < heap[c].key);
            if last.key <= heap[c].key {
                heap[i] = last;
                return;
            }
            heap[i] = heap[c];
            i = c;
            c = 2 * i + 1;
        }
        // An only child (the last entry).
        if c < n && heap[c].key < last.key {
            heap[i] = heap[c];
            i = c;
        }
        heap[i] = last;
    }

    /// Where the earliest event is, and its key (the heap is settled).
    #[inline]
    fn earliest(&self) -> Option<(u128, Source)> {
        debug_assert!(!self.root_taken);
        let mut best: Option<(u128, Source)> = self.heap.first().map(|e| (e.key, Source::Heap));
        if self.outside_heap == 0 {
            return best;
        }
        if let Some(e) = self.immediate.front()
            && best.is_none_or(|(k, _)| e.key < k)
        {
            best = Some((e.key, Source::Immediate));
        }
        for (i, l) in self.lanes.iter().enumerate() {
            if let Some(e) = l.front()
                && best.is_none_or(|(k, _)| e.key < k)
            {
                best = Some((e.key, Source::Lane(i)));
            }
        }
        best
    }

    #[inline]
    fn take(&mut self, from: Source) -> Option<(SimTime, E)> {
        let e = match from {
            Source::Heap => self.heap_take_root(),
            Source::Immediate => {
                self.outside_heap -= 1;
                self.immediate.pop_front()
            }
            Source::Lane(i) => {
                self.outside_heap -= 1;
                self.lanes[i].pop_front()
            }
        }?;
        self.now = e.time();
        Some((self.now, e.event))
    }

    /// Removes and returns the earliest event.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.settle();
        let (_, from) = self.earliest()?;
        self.take(from)
    }

    /// Removes and returns the earliest event if its time is `<= end`.
    #[inline]
    pub fn pop_until(&mut self, end: SimTime) -> Option<(SimTime, E)> {
        self.settle();
        let (key, from) = self.earliest()?;
        if (key >> 64) as SimTime > end {
            return None;
        }
        self.take(from)
    }

    /// Time of the earliest event.
    #[inline]
    pub fn peek_time(&mut self) -> Option<SimTime> {
        self.settle();
        self.earliest().map(|(k, _)| (k >> 64) as SimTime)
    }

    /// Time of the last event popped (0 before the first).
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// True when an event is queued at the time of the last pop. Cheaper than
    /// [`EventQueue::peek_time`]: nothing is ever queued before that time, so only the heads
    /// need a look, and the immediate lane holds nothing else.
    #[inline(always)]
    pub fn holds_now(&mut self) -> bool {
        self.settle();
        let now = self.now;
        if self.outside_heap == 0 {
            return self.heap.first().is_some_and(|e| e.time() == now);
        }
        !self.immediate.is_empty()
            || self.heap.first().is_some_and(|e| e.time() == now)
            || self
                .lanes
                .iter()
                .any(|l| l.front().is_some_and(|e| e.time() == now))
    }

    /// Number of queued events (counted when asked: the hot path keeps no count).
    pub fn len(&self) -> usize {
        let outside = self.immediate.len() + self.lanes.iter().map(VecDeque::len).sum::<usize>();
        debug_assert_eq!(outside, self.outside_heap);
        self.heap.len() - usize::from(self.root_taken) + outside
    }

    /// True when no event is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use std::collections::BTreeMap;

    /// Millions of random pushes and pops compared against a `BTreeMap<(time, seq), value>`
    /// shadow model: every pop must return exactly the shadow's first entry.
    #[test]
    fn queue_matches_btreemap_shadow_over_millions_of_operations() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        let mut q = EventQueue::new();
        let mut shadow: BTreeMap<(SimTime, u64), u64> = BTreeMap::new();
        let mut seq = 0u64;
        let mut now = 0u64;
        for op in 0..2_000_000u64 {
            // Slightly more pushes than pops, with many equal times; some pushes go to lanes
            // (fixed delays, so mostly monotone; a non-monotone one falls back to the heap).
            let push = shadow.is_empty() || rng.random_range(0..100) < 52;
            if push {
                let dt = match rng.random_range(0..4) {
                    0 => 0,
                    1 => rng.random_range(0..4),
                    _ => rng.random_range(0..1_000),
                };
                let at = match rng.random_range(0..6) {
                    0 => {
                        q.push_lane(0, now + 500, op);
                        now + 500
                    }
                    1 => {
                        q.push_lane(1, now + 20, op);
                        now + 20
                    }
                    2 => {
                        q.push_lane(2, now + dt, op);
                        now + dt
                    }
                    _ => {
                        q.push(now + dt, op);
                        now + dt
                    }
                };
                shadow.insert((at, seq), op);
                seq += 1;
            } else {
                let (t, v) = q.pop().expect("queue not empty");
                let ((st, _), sv) = shadow.pop_first().expect("shadow not empty");
                assert_eq!((t, v), (st, sv), "operation {op}");
                now = t;
            }
            assert_eq!(q.len(), shadow.len());
            assert_eq!(q.peek_time(), shadow.keys().next().map(|k| k.0));
        }
        while let Some((t, v)) = q.pop() {
            let ((st, _), sv) = shadow.pop_first().unwrap();
            assert_eq!((t, v), (st, sv));
        }
        assert!(shadow.is_empty());
    }
}
