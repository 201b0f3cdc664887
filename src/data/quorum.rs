//! Leaderless `Quorum { n, r, w }` replication (issue #3 part 2): each key's preference list of
//! n replicas, the versions the replicas hold, hinted handoff for writes a replica missed, and
//! what a quorum read returned (stale reads, read-your-writes, t-visibility; SPEC §3).
//!
//! The model is the WARS model of probabilistically bounded staleness (Bailis et al., "PBS",
//! VLDB 2012): the region that receives a request coordinates it; a write goes to all n
//! replicas (phase W), each replica applies it on arrival and acks (A), and the write commits
//! — the client is answered — at the w-th ack; a read goes to all n (R), each replica answers
//! with the version it holds at that moment (S), and the coordinator returns the newest
//! (last writer wins: highest `Version::lww_key`) of the first r answers. There is no read
//! repair, so a read's outcome depends on the message delays only. The engine-facing half
//! (events, the in-flight operations) is `sim::quorum`.
//!
//! Preference list: a key's replicas are n consecutive design regions on a ring, starting at a
//! hash of the key (Dynamo's consistent hashing with one token per region). The same key
//! always has the same replicas, whichever region coordinates, so `r + w > n` makes every read
//! quorum overlap every write quorum.

use super::conflict::{Resolution, Version};
use super::{DataLayer, DataRegion, T_VISIBILITY_EDGES_MS};
use crate::engine::SimTime;
use crate::rng::splitmix64;

/// A write's version and when it committed (zero version: none yet).
pub type Committed = (Version, SimTime);

/// A user's writes of a key: the key, their newest committed write of it and the one before
/// (a read issued before the newest committed must still reflect the one before).
pub type RecentQuorumWrite = (u32, Committed, Committed);

/// The data layer's quorum state.
#[derive(Debug, Default)]
pub struct QuorumState {
    pub n: u8,
    pub r: u8,
    pub w: u8,
    /// Per key, the two writes committed last: (version, commit time), newest first.
    committed: Vec<[Committed; 2]>,
    /// Per user (global index): their last committed writes, newest first, one entry per key
    /// ([`super::RECENT_WRITES`] keys; key `u32::MAX`: none).
    recent_writes: Vec<[RecentQuorumWrite; super::RECENT_WRITES]>,
    /// Writes a replica missed (it was down or cut off): (holder, replica, key, version),
    /// held by the coordinator and sent to the replica when it is reachable from it again
    /// (hinted handoff), or applied when the run converges.
    pub(super) hints: Vec<(DataRegion, DataRegion, u32, Version)>,
    /// Hints handed off and still on their way to their replica, one batch per (holder,
    /// replica) and heal (a slab: `sim::quorum` schedules one event per batch).
    in_transit: Vec<HintBatch>,
    free_batches: Vec<u32>,
}

/// The hints one holder handed off to one replica at one heal, on their way.
#[derive(Debug, Default)]
struct HintBatch {
    holder: DataRegion,
    replica: DataRegion,
    /// (key, version) of each hint, in the order they were held.
    hints: Vec<(u32, Version)>,
}

impl QuorumState {
    /// Quorum state for `keys` keys and `users` users.
    pub fn new(n: u8, r: u8, w: u8, keys: usize, users: usize) -> Self {
        QuorumState {
            n,
            r,
            w,
            committed: vec![[(Version::default(), 0); 2]; keys],
            recent_writes: vec![
                [(u32::MAX, Committed::default(), Committed::default());
                    super::RECENT_WRITES];
                users
            ],
            hints: vec![],
            in_transit: vec![],
            free_batches: vec![],
        }
    }
    /// Hints waiting for their replica.
    pub fn hints(&self) -> usize {
        self.hints.len()
    }
    /// Hints handed off and still on their way to their replica.
    pub fn hints_in_transit(&self) -> usize {
        self.in_transit.iter().map(|b| b.hints.len()).sum()
    }
    /// Forgets every hint, waiting or on its way (the run converged them).
    pub(super) fn drop_hints(&mut self) {
        self.hints.clear();
        for b in &mut self.in_transit {
            b.hints.clear();
        }
    }
    /// Every hint not yet applied, waiting or on its way: (replica, key, version).
    pub(super) fn unapplied_hints(&self) -> impl Iterator<Item = (DataRegion, u32, Version)> + '_ {
        let waiting = self.hints.iter().map(|&(_, y, key, v)| (y, key, v));
        let on_the_way = self
            .in_transit
            .iter()
            .flat_map(|b| b.hints.iter().map(move |&(key, v)| (b.replica, key, v)));
        waiting.chain(on_the_way)
    }
}

/// The first replica of `key` among `d` regions (a hash, so popular keys spread).
#[inline]
pub fn ring_start(key: u32, d: usize) -> usize {
    (splitmix64(u64::from(key)) % d as u64) as usize
}

/// Whether data region `x` of `d` is among the `n` replicas of `key` on the ring (the `n`
/// regions from `ring_start(key, d)` on).
pub fn holds_key(key: u32, x: usize, d: usize, n: usize) -> bool {
    (x + d - ring_start(key, d)) % d < n
}

impl DataLayer {
    /// The quorum state, when the mode is `Quorum`.
    pub fn quorum(&self) -> Option<&QuorumState> {
        self.quorum.as_ref()
    }

    /// The `i`-th replica (`i < n`) of `key`'s preference list.
    #[inline]
    pub fn replica(&self, key: u32, i: usize) -> DataRegion {
        let d = self.len();
        ((ring_start(key, d) + i) % d) as DataRegion
    }

    /// Whether `x` is one of `key`'s n replicas.
    pub fn is_replica(&self, key: u32, x: DataRegion) -> bool {
        let Some(q) = &self.quorum else { return true };
        holds_key(key, x as usize, self.len(), q.n as usize)
    }

    /// Coordinator `x` stamps a new write of `key` at `now` (its clock, or its HLC).
    pub fn quorum_stamp(&mut self, x: DataRegion, key: u32, now: SimTime) -> Version {
        let ts = self.timestamp(x, now);
        let log = &mut self.logs[x as usize];
        log.next_seq += 1;
        let seq = log.next_seq;
        if now >= self.warmup {
            self.tally.writes += 1;
        }
        self.writes_total += 1;
        if let Some(t) = &mut self.trace {
            t.push((x, seq, now, key));
        }
        let _ = key;
        Version {
            origin: x,
            seq,
            ts,
            true_t: now,
            value: 1,
            value_after_warmup: i64::from(now >= self.warmup),
        }
    }

    /// Replica `y` receives version `v` of `key` at `now` and keeps the newer by the
    /// configured resolver (registers: last writer wins). `live`: during the run.
    pub fn quorum_apply(&mut self, y: DataRegion, key: u32, v: Version, now: SimTime, live: bool) {
        let d = self.len();
        let ki = key as usize * d + y as usize;
        let cur = self.current[ki];
        let take = if !cur.exists() {
            true
        } else if (cur.origin, cur.seq) == (v.origin, v.seq) {
            false
        } else {
            // Coordinators do not read before writing: versions from different coordinators
            // never saw each other.
            let concurrent = cur.origin != v.origin;
            match self.resolver.resolve(self.class, &cur, &v, concurrent) {
                Resolution::TakeIncoming => true,
                Resolution::KeepCurrent => false,
                // A register shows the newer stamp of a merged or kept pair.
                Resolution::Merge | Resolution::KeepBoth => v.lww_key() > cur.lww_key(),
            }
        };
        if take {
            self.current[ki] = v;
        }
        if self.resolver.uses_hlc() {
            self.hlc[y as usize].observe(v.ts);
        }
        if live {
            if v.true_t >= self.warmup {
                self.tally.replications_applied += 1;
                if v.origin != y {
                    self.lag_hist[v.origin as usize * d + y as usize]
                        .record(now.saturating_sub(v.true_t));
                }
            }
            self.applied_live(v.true_t, now);
        }
    }

    /// The version replica `y` holds for `key`.
    #[inline]
    pub fn held(&self, y: DataRegion, key: u32) -> Version {
        self.current[key as usize * self.len() + y as usize]
    }

    /// A write replica `y` missed: `holder` keeps it as a hint until `y` is reachable.
    pub fn quorum_hint(&mut self, holder: DataRegion, y: DataRegion, key: u32, v: Version) {
        if let Some(q) = &mut self.quorum {
            q.hints.push((holder, y, key, v));
        }
    }

    /// Hands off every hint whose (holder, replica) `reachable` says can talk again: they
    /// leave the waiting list in one batch per (holder, replica), in the order the pairs were
    /// first held. Returns each batch as (id, holder, replica, hints in it); the batch is
    /// applied by [`DataLayer::quorum_land_hints`] when it arrives.
    pub fn quorum_send_hints(
        &mut self,
        reachable: impl Fn(DataRegion, DataRegion) -> bool,
    ) -> Vec<(u32, DataRegion, DataRegion, u64)> {
        let mut sent: Vec<(u32, DataRegion, DataRegion, u64)> = vec![];
        let Some(q) = &mut self.quorum else {
            return sent;
        };
        if q.hints.is_empty() {
            return sent;
        }
        let mut hints = std::mem::take(&mut q.hints);
        hints.retain(|&(h, y, key, v)| {
            if !reachable(h, y) {
                return true;
            }
            let i = match sent.iter().position(|b| (b.1, b.2) == (h, y)) {
                Some(i) => i,
                None => {
                    let batch = HintBatch {
                        holder: h,
                        replica: y,
                        hints: vec![],
                    };
                    let id = match q.free_batches.pop() {
                        Some(id) => {
                            let slot = &mut q.in_transit[id as usize];
                            let mut reuse = std::mem::take(&mut slot.hints);
                            reuse.clear();
                            *slot = HintBatch {
                                hints: reuse,
                                ..batch
                            };
                            id
                        }
                        None => {
                            q.in_transit.push(batch);
                            (q.in_transit.len() - 1) as u32
                        }
                    };
                    sent.push((id, h, y, 0));
                    sent.len() - 1
                }
            };
            q.in_transit[sent[i].0 as usize].hints.push((key, v));
            sent[i].3 += 1;
            false
        });
        q.hints = hints;
        sent
    }

    /// The replica hint batch `id` is on its way to (`None`: no such batch).
    pub fn quorum_hint_replica(&self, id: u32) -> Option<DataRegion> {
        self.quorum
            .as_ref()?
            .in_transit
            .get(id as usize)
            .map(|b| b.replica)
    }

    /// Batch `id` of hints arrives at its replica at `now`: applied, or, when the replica is
    /// down (`up` false), held again by their holder. Returns (holder, replica, hints).
    pub fn quorum_land_hints(
        &mut self,
        id: u32,
        now: SimTime,
        up: bool,
    ) -> (DataRegion, DataRegion, u64) {
        let Some(q) = &mut self.quorum else {
            return (0, 0, 0);
        };
        let Some(b) = q.in_transit.get_mut(id as usize) else {
            return (0, 0, 0);
        };
        let (h, y) = (b.holder, b.replica);
        let hints = std::mem::take(&mut b.hints);
        q.free_batches.push(id);
        let n = hints.len() as u64;
        if up {
            for &(key, v) in &hints {
                self.quorum_apply(y, key, v, now, true);
            }
        } else {
            q.hints.extend(hints.iter().map(|&(key, v)| (h, y, key, v)));
        }
        // The emptied vector goes back to its slot for the next batch.
        if let Some(q) = &mut self.quorum {
            let mut hints = hints;
            hints.clear();
            q.in_transit[id as usize].hints = hints;
        }
        (h, y, n)
    }

    /// Write `v` of `key` committed (its w-th ack) at `now`, for user `user` of `pop`.
    pub fn quorum_committed(&mut self, key: u32, v: Version, pop: u16, user: u32, now: SimTime) {
        let u = (self.user_offset[pop as usize] + user) as usize;
        let Some(q) = &mut self.quorum else { return };
        let c = &mut q.committed[key as usize];
        c[1] = c[0];
        c[0] = (v, now);
        let recent = &mut q.recent_writes[u];
        let before = recent
            .iter()
            .find(|w| w.0 == key)
            .map_or_else(Committed::default, |w| w.1);
        super::remember(recent, (key, (v, now), before), |w| w.0 == key);
    }

    /// The writes of `key` committed so far (newest first), as a read issued now sees them.
    pub fn quorum_snapshot(&self, key: u32) -> [Committed; 2] {
        self.quorum
            .as_ref()
            .map_or([(Version::default(), 0); 2], |q| q.committed[key as usize])
    }

    /// A quorum read of `key` issued at `start` (with `snap` the writes committed then)
    /// returned `got`: counts stale reads and their age, read-your-writes violations and the
    /// t-visibility bin of t = `start` − the newest commit (SPEC §3 Stale read; PBS).
    pub fn quorum_read(
        &mut self,
        key: u32,
        got: Version,
        snap: [Committed; 2],
        pop: u16,
        user: u32,
        start: SimTime,
    ) {
        if start < self.warmup {
            return;
        }
        self.tally.reads += 1;
        self.by_population[pop as usize].reads += 1;
        // Newer in true time (SPEC §3 Stale read): under skewed clocks the replicas' LWW may
        // keep, and the read return, a version committed before one it beat.
        let newer = |v: &Version| {
            v.exists() && (v.true_t, v.origin, v.seq) > (got.true_t, got.origin, got.seq)
        };
        let mut oldest_missed: Option<SimTime> = None;
        for (v, at) in &snap {
            if *at < start && newer(v) {
                oldest_missed = Some(oldest_missed.map_or(*at, |m| m.min(*at)));
            }
        }
        if let Some(at) = oldest_missed {
            self.tally.stale_reads += 1;
            self.staleness.record(start - at);
            let by_pop = &mut self.by_population[pop as usize];
            by_pop.stale_reads += 1;
            by_pop.staleness.record(start - at);
        }
        let (v, at) = snap[0];
        if v.exists() && at <= start {
            let t_ms = (start - at) as f64 / 1e6;
            let bin = T_VISIBILITY_EDGES_MS.partition_point(|e| *e <= t_ms);
            let b = &mut self.t_visibility[bin];
            b.0 += 1;
            if !newer(&v) {
                b.1 += 1;
            }
        }
        let u = (self.user_offset[pop as usize] + user) as usize;
        if let Some(q) = &self.quorum {
            // The user's newest write of the key committed before the read was issued: one
            // committing during the read may or may not be seen, but the one before it must.
            let own = q
                .recent_writes
                .get(u)
                .into_iter()
                .flatten()
                .find(|w| w.0 == key)
                .and_then(|&(_, newest, before)| {
                    [newest, before]
                        .into_iter()
                        .find(|(v, at)| v.exists() && *at < start)
                });
            if let Some((v, _)) = own
                && newer(&v)
            {
                self.tally.ryw_violations += 1;
                self.by_population[pop as usize].ryw_violations += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ReplicationMode;

    #[test]
    fn a_read_issued_before_the_users_newest_write_committed_must_reflect_the_one_before() {
        let mut sc = crate::bench::mmc_scenario(9.0, 1, 1.0, 100.0, 0.0);
        sc.data.mode = ReplicationMode::Quorum { n: 1, r: 1, w: 1 };
        sc.populations[0].write_fraction = 0.5;
        let mut data = DataLayer::new(&sc, 1);
        let version = |seq: u32, t: SimTime| Version {
            seq,
            ts: t,
            true_t: t,
            value: i64::from(seq),
            ..Version::default()
        };
        let (v1, v2) = (version(1, 10), version(2, 30));
        data.quorum_committed(0, v1, 0, 0, 10);
        let snap_at_20 = data.quorum_snapshot(0);
        data.quorum_committed(0, v2, 0, 0, 30);
        let violations = |d: &DataLayer| d.tally.ryw_violations;
        // Issued at 20, between the user's two writes: returning v1 (or v2) is fine ...
        data.quorum_read(0, v1, snap_at_20, 0, 0, 20);
        data.quorum_read(0, v2, snap_at_20, 0, 0, 20);
        assert_eq!(violations(&data), 0);
        // ... returning nothing misses v1, although v2 committed during the read.
        data.quorum_read(0, Version::default(), snap_at_20, 0, 0, 20);
        assert_eq!(violations(&data), 1);
        // Issued after both: v1 is now older than the user's own v2.
        let snap_at_40 = data.quorum_snapshot(0);
        data.quorum_read(0, v1, snap_at_40, 0, 0, 40);
        assert_eq!(violations(&data), 2);
        // Before either write committed nothing of the user's is owed.
        data.quorum_read(0, Version::default(), [Committed::default(); 2], 0, 0, 5);
        assert_eq!(violations(&data), 2);
        assert_eq!(data.tally.reads, 5);
    }

    #[test]
    fn ring_start_spreads_keys_over_regions() {
        let mut counts = [0u32; 3];
        for k in 0..3000 {
            counts[ring_start(k, 3)] += 1;
        }
        assert!(counts.iter().all(|c| (800..1200).contains(c)), "{counts:?}");
    }
}
