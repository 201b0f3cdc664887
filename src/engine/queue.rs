//! The event queue: a binary heap ordered by (time, insertion sequence), fuzzed against a BTreeMap.

use super::SimTime;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

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
            next_seq: 0,
        }
    }

    /// Adds an event at `time`; it gets the next sequence number.
    #[inline]
    pub fn push(&mut self, time: SimTime, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { time, seq, event });
    }

    /// Removes and returns the earliest event.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.heap.pop().map(|e| (e.time, e.event))
    }

    /// Time of the earliest event.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| e.time)
    }

    /// Number of queued events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when no event is queued.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
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
            // Bias towards pushes early on, pops later, with many equal times.
            let push = shadow.is_empty() || rng.random_range(0..100) < 52;
            if push {
                let dt = match rng.random_range(0..4) {
                    0 => 0,
                    1 => rng.random_range(0..4),
                    _ => rng.random_range(0..1_000),
                };
                q.push(now + dt, op);
                shadow.insert((now + dt, seq), op);
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
