//! State-based CRDTs (Shapiro et al. 2011): a PN-counter, an observed-remove set and an LWW
//! register on hybrid logical clocks. Merges are commutative, associative and idempotent, so
//! replicas converge whatever the delivery order and however often a state is delivered —
//! a property test below checks exactly that. The simulation's `Crdt` strategy resolves
//! counters and sets by the same rule (sum of per-origin increments; union of unique adds).

use std::collections::{BTreeMap, BTreeSet};

/// A counter that goes up and down: per replica, increments and decrements.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PnCounter {
    p: BTreeMap<u8, u64>,
    n: BTreeMap<u8, u64>,
}

impl PnCounter {
    /// Adds `by` (may be negative) at `replica`.
    pub fn add(&mut self, replica: u8, by: i64) {
        let m = if by >= 0 { &mut self.p } else { &mut self.n };
        *m.entry(replica).or_insert(0) += by.unsigned_abs();
    }
    /// The counter's value.
    pub fn value(&self) -> i64 {
        self.p.values().sum::<u64>() as i64 - self.n.values().sum::<u64>() as i64
    }
    /// Joins another replica's state.
    pub fn merge(&mut self, other: &PnCounter) {
        for (m, o) in [(&mut self.p, &other.p), (&mut self.n, &other.n)] {
            for (k, v) in o {
                let e = m.entry(*k).or_insert(0);
                *e = (*e).max(*v);
            }
        }
    }
}

/// An observed-remove set: an element is present while some add tag of it is not removed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrSet {
    /// (element, unique tag = (replica, counter)).
    adds: BTreeSet<(u32, (u8, u64))>,
    removed: BTreeSet<(u8, u64)>,
    counter: BTreeMap<u8, u64>,
}

impl OrSet {
    /// Adds `x` at `replica` with a fresh tag.
    pub fn add(&mut self, replica: u8, x: u32) {
        let c = self.counter.entry(replica).or_insert(0);
        *c += 1;
        self.adds.insert((x, (replica, *c)));
    }
    /// Removes every add of `x` this replica has observed.
    pub fn remove(&mut self, x: u32) {
        let tags: Vec<(u8, u64)> = self
            .adds
            .range((x, (0, 0))..=(x, (u8::MAX, u64::MAX)))
            .map(|(_, t)| *t)
            .collect();
        self.removed.extend(tags);
    }
    /// Elements present.
    pub fn elements(&self) -> BTreeSet<u32> {
        self.adds
            .iter()
            .filter(|(_, t)| !self.removed.contains(t))
            .map(|(x, _)| *x)
            .collect()
    }
    /// Joins another replica's state.
    pub fn merge(&mut self, other: &OrSet) {
        self.adds.extend(other.adds.iter().copied());
        self.removed.extend(other.removed.iter().copied());
        for (k, v) in &other.counter {
            let e = self.counter.entry(*k).or_insert(0);
            *e = (*e).max(*v);
        }
    }
}

/// A last-writer-wins register ordered by (hybrid logical timestamp, replica).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LwwRegister {
    pub value: u64,
    pub ts: u64,
    pub replica: u8,
}

impl LwwRegister {
    /// Sets the value at `replica` with timestamp `ts`.
    pub fn set(&mut self, replica: u8, value: u64, ts: u64) {
        let w = LwwRegister { value, ts, replica };
        self.merge(&w);
    }
    /// Joins another replica's state.
    pub fn merge(&mut self, other: &LwwRegister) {
        if (other.ts, other.replica) > (self.ts, self.replica) {
            *self = *other;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An operation at a replica, or a delivery of one replica's state to another.
    #[derive(Debug, Clone)]
    enum Step {
        Op { replica: u8, arg: u32, remove: bool },
        Deliver { from: u8, to: u8 },
    }

    fn steps() -> impl Strategy<Value = Vec<Step>> {
        prop::collection::vec(
            prop_oneof![
                (0u8..4, 0u32..8, any::<bool>()).prop_map(|(replica, arg, remove)| Step::Op {
                    replica,
                    arg,
                    remove
                }),
                (0u8..4, 0u8..4).prop_map(|(from, to)| Step::Deliver { from, to }),
            ],
            0..120,
        )
    }

    /// Runs `steps`, then delivers every final state to every replica in a shuffled order with
    /// duplicates, and returns the replicas.
    fn run<T: Clone>(
        steps: &[Step],
        order: &[(u8, u8)],
        mut op: impl FnMut(&mut T, u8, u32, bool),
        merge: impl Fn(&mut T, &T),
        empty: T,
    ) -> Vec<T> {
        let mut r = vec![empty; 4];
        for s in steps {
            match *s {
                Step::Op {
                    replica,
                    arg,
                    remove,
                } => op(&mut r[replica as usize], replica, arg, remove),
                Step::Deliver { from, to } => {
                    let st = r[from as usize].clone();
                    merge(&mut r[to as usize], &st);
                }
            }
        }
        // Anti-entropy in an arbitrary order, duplicates included, then a full round.
        for &(from, to) in order {
            let st = r[from as usize % 4].clone();
            merge(&mut r[to as usize % 4], &st);
        }
        for from in 0..4 {
            for to in 0..4 {
                let st = r[from].clone();
                merge(&mut r[to], &st);
            }
        }
        r
    }

    proptest! {
        #[test]
        fn pn_counter_converges_and_loses_no_increment(steps in steps(), order in prop::collection::vec((0u8..4, 0u8..4), 0..40)) {
            let mut total = 0i64;
            let r = run(&steps, &order, |c: &mut PnCounter, rep, arg, remove| {
                let by = if remove { -(arg as i64) } else { arg as i64 };
                total += by;
                c.add(rep, by);
            }, |a, b| a.merge(b), PnCounter::default());
            for c in &r {
                prop_assert_eq!(c, &r[0]);
                prop_assert_eq!(c.value(), total);
            }
        }

        #[test]
        fn or_set_converges_and_keeps_unremoved_adds(steps in steps(), order in prop::collection::vec((0u8..4, 0u8..4), 0..40)) {
            let r = run(&steps, &order, |s: &mut OrSet, rep, arg, remove| {
                if remove { s.remove(arg) } else { s.add(rep, arg) }
            }, |a, b| a.merge(b), OrSet::default());
            for s in &r {
                prop_assert_eq!(s.elements(), r[0].elements());
            }
            // An element added and never removed anywhere is present.
            let never_removed: BTreeSet<u32> = steps.iter().filter_map(|s| match s {
                Step::Op { arg, remove: false, .. } => Some(*arg),
                _ => None,
            }).filter(|x| !steps.iter().any(|s| matches!(s, Step::Op { arg, remove: true, .. } if arg == x))).collect();
            for x in never_removed {
                prop_assert!(r[0].elements().contains(&x));
            }
        }

        #[test]
        fn lww_register_converges_to_the_highest_stamp(steps in steps(), order in prop::collection::vec((0u8..4, 0u8..4), 0..40)) {
            let mut best = (0u64, 0u8, 0u64);
            let mut clocks = [crate::data::clock::Hlc::default(); 4];
            let r = run(&steps, &order, |reg: &mut LwwRegister, rep, arg, _| {
                let ts = clocks[rep as usize].now(u64::from(arg) << 20);
                reg.set(rep, u64::from(arg), ts);
                if (ts, rep) > (best.0, best.1) { best = (ts, rep, u64::from(arg)); }
            }, |a, b| a.merge(b), LwwRegister::default());
            for x in &r {
                prop_assert_eq!(x, &r[0]);
            }
            prop_assert_eq!(r[0].value, best.2);
        }
    }
}
