//! The event queue: a binary heap plus FIFO lanes, ordered by (time, insertion sequence),
//! fuzzed against a BTreeMap.
//!
//! A *lane* holds events that a model schedules in non-decreasing time order (timeouts of one
//! fixed duration, say). Appending to a lane is O(1) and keeps the heap small; `pop` returns the
//! smallest `(time, seq)` among the heap's top and the lanes' heads, so lanes change speed, never
//! order. An event pushed to a lane earlier than the lane's tail goes to the heap instead.

use super::SimTime;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed, so the max-heap pops the earliest (time, seq) first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// A priority queue of events ordered by `(time, insertion sequence)`: earliest first,
/// FIFO among equal times. See the engine's ordering guarantees.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    lanes: Vec<VecDeque<Entry<E>>>,
    len: usize,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(1024),
            lanes: Vec::new(),
            len: 0,
            next_seq: 0,
        }
    }

    /// Adds an event at `time`; it gets the next sequence number.
    #[inline]
    pub fn push(&mut self, time: SimTime, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.len += 1;
        self.heap.push(Entry { time, seq, event });
    }

    /// Adds an event at `time` to FIFO lane `lane` (created on first use); it gets the next
    /// sequence number. Falls back to the heap if `time` is before the lane's last event.
    #[inline]
    pub fn push_lane(&mut self, lane: usize, time: SimTime, event: E) {
        if lane >= self.lanes.len() {
            self.lanes.resize_with(lane + 1, VecDeque::new);
        }
        if self.lanes[lane].back().is_some_and(|b| b.time > time) {
            return self.push(time, event);
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.len += 1;
        self.lanes[lane].push_back(Entry { time, seq, event });
    }

    /// Where the earliest event is: `None` for the heap, `Some(i)` for lane `i`.
    #[inline]
    fn earliest(&self) -> Option<Option<usize>> {
        let mut best: Option<(SimTime, u64, Option<usize>)> =
            self.heap.peek().map(|e| (e.time, e.seq, None));
        for (i, l) in self.lanes.iter().enumerate() {
            if let Some(e) = l.front()
                && best.is_none_or(|(t, s, _)| (e.time, e.seq) < (t, s))
            {
                best = Some((e.time, e.seq, Some(i)));
            }
        }
        best.map(|b| b.2)
    }

    /// Removes and returns the earliest event.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let e = match self.earliest()? {
            None => self.heap.pop(),
            Some(i) => self.lanes[i].pop_front(),
        }?;
        self.len -= 1;
        Some((e.time, e.event))
    }

    /// Removes and returns the earliest event if its time is `<= end`.
    #[inline]
    pub fn pop_until(&mut self, end: SimTime) -> Option<(SimTime, E)> {
        let e = match self.earliest()? {
            None if self.heap.peek()?.time <= end => self.heap.pop(),
            Some(i) if self.lanes[i].front()?.time <= end => self.lanes[i].pop_front(),
            _ => return None,
        }?;
        self.len -= 1;
        Some((e.time, e.event))
    }

    /// Time of the earliest event.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        match self.earliest()? {
            None => self.heap.peek().map(|e| e.time),
            Some(i) => self.lanes[i].front().map(|e| e.time),
        }
    }

    /// Number of queued events.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no event is queued.
    pub fn is_empty(&self) -> bool {
        self.len == 0
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
