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
//! Staleness (SPEC §3 Stale read): a stale read's age runs from the commit of the oldest
//! version it missed, however many writes it missed (a partition can hide thousands). Each key
//! keeps the commits not every one of its replicas has yet superseded ([`HISTORY_CAP`] at
//! most), and a commit superseded everywhere stays until no read issued before then is still
//! in flight (such a read may hold an answer taken before the replicas caught up).
//!
//! Preference list: a key's replicas are n consecutive design regions on a ring, starting at a
//! hash of the key (Dynamo's consistent hashing with one token per region). The same key
//! always has the same replicas, whichever region coordinates, so `r + w > n` makes every read
//! quorum overlap every write quorum.

use std::collections::{BTreeMap, VecDeque};

use super::conflict::{Resolution, Version};
use super::{DataLayer, DataRegion, ReadVerdict, T_VISIBILITY_EDGES_MS};
use crate::engine::SimTime;
use crate::rng::splitmix64;

/// A write's version and when it committed (zero version: none yet).
pub type Committed = (Version, SimTime);

/// The most commits a key's history keeps: past it the oldest is forgotten, so a read that
/// missed it is still stale but its age is measured from a later commit (a lower bound). Only
/// a version every replica kept for longer than this many newer commits (a clock jumped far
/// ahead, whose write last-writer-wins keeps over newer ones) or a partition with more writes
/// of one key than this reaches it.
pub const HISTORY_CAP: usize = 1 << 13;

/// A version's place in true time (SPEC §3 Stale read: newer means later in true time, not by
/// its stamp), ties broken by origin and sequence; none is older than every version.
#[inline]
fn true_order(v: &Version) -> (SimTime, DataRegion, u32) {
    if v.exists() {
        (v.true_t, v.origin, v.seq)
    } else {
        (0, 0, 0)
    }
}

/// One commit in a key's history.
#[derive(Debug, Clone, Copy)]
struct Commit {
    /// Its version's [`true_order`].
    order: (SimTime, DataRegion, u32),
    /// When it committed.
    at: SimTime,
    /// When every replica of the key first held a version at least as new (`SimTime::MAX`:
    /// not yet).
    superseded: SimTime,
}

/// A user's writes of a key: the key, their newest committed write of it and the one before
/// (a read issued before the newest committed must still reflect the one before).
pub type RecentQuorumWrite = (u32, Committed, Committed);

/// The data layer's quorum state.
#[derive(Debug, Default)]
pub struct QuorumState {
    pub n: u8,
    pub r: u8,
    pub w: u8,
    /// Per key, the write committed last: (version, commit time).
    committed: Vec<Committed>,
    /// Per key, the commits a read may still have missed, ascending in both commit time and
    /// true order: a commit is left out when an earlier one is at least as new (a read that
    /// misses it misses the earlier one too), and dropped once every replica holds a version
    /// at least as new and every read issued before then has ended. Empty (no allocation)
    /// for a key at rest.
    history: Vec<VecDeque<Commit>>,
    /// Quorum reads in flight, by the time they were issued: how many.
    reads: BTreeMap<SimTime, u32>,
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
            committed: vec![(Version::default(), 0); keys],
            history: vec![VecDeque::new(); keys],
            reads: BTreeMap::new(),
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
            self.quorum_supersede(key, now);
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
        let floor = self.quorum_floor(key);
        let Some(q) = &mut self.quorum else { return };
        q.committed[key as usize] = (v, now);
        let order = true_order(&v);
        let history = &mut q.history[key as usize];
        // Left out when every replica already holds one at least as new (no read issued from
        // now on can miss it), or when a commit kept already is (a read missing this one
        // misses that one, committed no later).
        if order > floor && history.back().is_none_or(|c| order > c.order) {
            if history.len() == HISTORY_CAP {
                history.pop_front();
            }
            history.push_back(Commit {
                order,
                at: now,
                superseded: SimTime::MAX,
            });
        }
        // The user's: owed to their reads once its acknowledgement reaches them
        // ([`DataLayer::quorum_ack_received`]); until then the time is `ACK_ON_ITS_WAY`.
        let recent = &mut q.recent_writes[u];
        let (mut newest, mut before) = recent
            .iter()
            .find(|w| w.0 == key)
            .map_or_else(Default::default, |w| (w.1, w.2));
        let this = (v, super::ACK_ON_ITS_WAY);
        if !newest.0.exists() || order > true_order(&newest.0) {
            before = newest;
            newest = this;
        } else if !before.0.exists() || order > true_order(&before.0) {
            before = this;
        }
        super::remember(recent, (key, newest, before), |w| w.0 == key);
        self.quorum_prune(key);
    }

    /// The acknowledgement of quorum write `(x, seq)` of `key` reached its user at `now`:
    /// from now on their reads owe it to them (SPEC §3 Read-your-writes: a write the user
    /// had acknowledged), if it is still among their recent writes.
    pub(super) fn quorum_ack_received(
        &mut self,
        x: DataRegion,
        seq: u32,
        key: u32,
        u: usize,
        now: SimTime,
    ) {
        let Some(q) = &mut self.quorum else { return };
        let Some(recent) = q.recent_writes.get_mut(u) else {
            return;
        };
        for w in recent.iter_mut().filter(|w| w.0 == key) {
            for (v, at) in [&mut w.1, &mut w.2] {
                if v.exists() && (v.origin, v.seq) == (x, seq) && *at == super::ACK_ON_ITS_WAY {
                    *at = now;
                }
            }
        }
    }

    /// The oldest version, in true order, among those `key`'s replicas hold.
    fn quorum_floor(&self, key: u32) -> (SimTime, DataRegion, u32) {
        let n = self.quorum.as_ref().map_or(0, |q| q.n as usize);
        (0..n)
            .map(|i| true_order(&self.held(self.replica(key, i), key)))
            .min()
            .unwrap_or_default()
    }

    /// A replica of `key` took a new version at `now`: the commits of its history every
    /// replica now holds one at least as new are superseded, and those superseded before
    /// every read still in flight was issued are dropped.
    fn quorum_supersede(&mut self, key: u32, now: SimTime) {
        let floor = self.quorum_floor(key);
        let Some(q) = &mut self.quorum else { return };
        let history = &mut q.history[key as usize];
        for c in history.iter_mut() {
            if c.order > floor {
                break;
            }
            c.superseded = c.superseded.min(now);
        }
        self.quorum_prune(key);
    }

    /// Drops the commits of `key`'s history superseded before every read still in flight was
    /// issued: a read issued at or after a commit's supersession took its answers from
    /// replicas holding a version at least as new, so it cannot miss it. (Superseded times
    /// rise along the history: the replicas' oldest version only moves forward, except when
    /// last-writer-wins takes a version older in true time, which then stays superseded.)
    fn quorum_prune(&mut self, key: u32) {
        let Some(q) = &mut self.quorum else { return };
        let oldest_read = q.reads.keys().next().copied().unwrap_or(SimTime::MAX);
        let history = &mut q.history[key as usize];
        while history
            .front()
            .is_some_and(|c| c.superseded != SimTime::MAX && c.superseded <= oldest_read)
        {
            history.pop_front();
        }
        if history.is_empty() && history.capacity() > 0 {
            *history = VecDeque::new();
        }
    }

    /// A quorum read was issued at `start` (its key's history keeps what it may miss until
    /// [`DataLayer::quorum_read_ended`]).
    pub fn quorum_read_began(&mut self, start: SimTime) {
        if let Some(q) = &mut self.quorum {
            *q.reads.entry(start).or_insert(0) += 1;
        }
    }

    /// The quorum read of `key` issued at `start` was answered or abandoned: the key's
    /// history drops what only such reads kept.
    pub fn quorum_read_ended(&mut self, key: u32, start: SimTime) {
        if let Some(q) = &mut self.quorum
            && let Some(c) = q.reads.get_mut(&start)
        {
            *c -= 1;
            if *c == 0 {
                q.reads.remove(&start);
            }
        }
        self.quorum_prune(key);
    }

    /// The write of `key` committed last, as a read issued now sees it.
    pub fn quorum_snapshot(&self, key: u32) -> Committed {
        self.quorum
            .as_ref()
            .map_or((Version::default(), 0), |q| q.committed[key as usize])
    }

    /// The commits `key`'s history keeps now.
    pub fn quorum_history_len(&self, key: u32) -> usize {
        self.quorum
            .as_ref()
            .map_or(0, |q| q.history[key as usize].len())
    }

    /// A quorum read of `key` issued at `start` (with `newest` the write committed last then,
    /// and the read registered by [`DataLayer::quorum_read_began`] until now) returned `got`:
    /// counts stale reads and their age — `start` minus the commit of the oldest version newer
    /// than `got` committed before `start` —, read-your-writes violations and the t-visibility
    /// bin of t = `start` − the newest commit (SPEC §3 Stale read; PBS). Judged and counted at
    /// once; the simulator counts it when its response reaches the user.
    #[cfg(test)]
    pub fn quorum_read(
        &mut self,
        key: u32,
        got: Version,
        newest: Committed,
        pop: u16,
        user: u32,
        start: SimTime,
    ) {
        let v = self.judge_quorum_read(key, got, newest, pop, user, start, start);
        self.count_read(v);
    }

    /// Judges a quorum read as [`Self::quorum_read`] counts it; [`ReadVerdict::NONE`] during
    /// the warm-up.
    #[allow(clippy::too_many_arguments)]
    pub fn judge_quorum_read(
        &self,
        key: u32,
        got: Version,
        newest: Committed,
        pop: u16,
        user: u32,
        start: SimTime,
        issued: SimTime,
    ) -> ReadVerdict {
        if start < self.warmup {
            return ReadVerdict::NONE;
        }
        let mut verdict = ReadVerdict::of(pop);
        // Newer in true time (SPEC §3 Stale read): under skewed clocks the replicas' LWW may
        // keep, and the read return, a version committed before one it beat.
        let newer = |v: &Version| {
            v.exists() && (v.true_t, v.origin, v.seq) > (got.true_t, got.origin, got.seq)
        };
        // The history ascends in true order and commit time: the first commit newer than
        // `got` is the oldest it missed, if it committed before the read was issued.
        let oldest_missed = self.quorum.as_ref().and_then(|q| {
            let history = &q.history[key as usize];
            let got = true_order(&got);
            let i = history.partition_point(|c| c.order <= got);
            history.get(i).map(|c| c.at).filter(|at| *at < start)
        });
        if let Some(at) = oldest_missed {
            verdict.set_stale(start - at);
        }
        let (v, at) = newest;
        if v.exists() && at <= start {
            let t_ms = (start - at) as f64 / 1e6;
            let bin = T_VISIBILITY_EDGES_MS.partition_point(|e| *e <= t_ms);
            verdict.set_t_visibility(bin, !newer(&v));
        }
        let u = (self.user_offset[pop as usize] + user) as usize;
        if let Some(q) = &self.quorum {
            // The user's newest write of the key whose acknowledgement had reached them when
            // they issued the read (SPEC §3): one acknowledged later may or may not be seen,
            // but the one before it must.
            let own = q
                .recent_writes
                .get(u)
                .into_iter()
                .flatten()
                .find(|w| w.0 == key)
                .and_then(|&(_, newest, before)| {
                    [newest, before]
                        .into_iter()
                        .find(|(v, at)| v.exists() && *at <= issued)
                });
            verdict.set_ryw_violation(own.is_some_and(|(v, _)| newer(&v)));
        }
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ReplicationMode;

    #[test]
    fn a_read_owes_the_user_their_newest_write_acknowledged_to_them_before_they_issued_it() {
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
        // v1 commits at 10; its acknowledgement reaches the user at 15.
        data.quorum_committed(0, v1, 0, 0, 10);
        let snap_at_12 = data.quorum_snapshot(0);
        let violations = |d: &DataLayer| d.tally.ryw_violations;
        // Issued at 12, after the commit but before the user heard of it: nothing is owed.
        data.quorum_read(0, Version::default(), snap_at_12, 0, 0, 12);
        assert_eq!(violations(&data), 0);
        data.ack_received(0, 1, 0, 0, 0, 15);
        let snap_at_20 = data.quorum_snapshot(0);
        // v2 commits at 30, acknowledged at 35.
        data.quorum_committed(0, v2, 0, 0, 30);
        data.ack_received(0, 2, 0, 0, 0, 35);
        // Issued at 20, between the user's two writes: returning v1 (or v2) is fine ...
        data.quorum_read(0, v1, snap_at_20, 0, 0, 20);
        data.quorum_read(0, v2, snap_at_20, 0, 0, 20);
        assert_eq!(violations(&data), 0);
        // ... returning nothing misses v1, although v2 committed during the read.
        data.quorum_read(0, Version::default(), snap_at_20, 0, 0, 20);
        assert_eq!(violations(&data), 1);
        // Issued at 32, after v2 committed but before its acknowledgement: v1 is owed, not v2.
        let snap_at_32 = data.quorum_snapshot(0);
        data.quorum_read(0, v1, snap_at_32, 0, 0, 32);
        assert_eq!(violations(&data), 1);
        // Issued after both acknowledgements: v1 is now older than the user's own v2.
        let snap_at_40 = data.quorum_snapshot(0);
        data.quorum_read(0, v1, snap_at_40, 0, 0, 40);
        assert_eq!(violations(&data), 2);
        // Before either write committed nothing of the user's is owed.
        data.quorum_read(0, Version::default(), Committed::default(), 0, 0, 5);
        assert_eq!(violations(&data), 2);
        assert_eq!(data.tally.reads, 7);
    }

    #[test]
    fn a_write_whose_acknowledgement_never_reaches_the_user_is_never_owed_to_them() {
        let mut sc = crate::bench::mmc_scenario(9.0, 1, 1.0, 100.0, 0.0);
        sc.data.mode = ReplicationMode::Quorum { n: 1, r: 1, w: 1 };
        sc.populations[0].write_fraction = 0.5;
        let mut data = DataLayer::new(&sc, 1);
        let v1 = Version {
            seq: 1,
            ts: 10,
            true_t: 10,
            value: 1,
            ..Version::default()
        };
        // Committed, but the client timed out: its acknowledgement never arrives.
        data.quorum_committed(0, v1, 0, 0, 10);
        let snap = data.quorum_snapshot(0);
        data.quorum_read(0, Version::default(), snap, 0, 0, 1_000);
        assert_eq!(data.tally.ryw_violations, 0);
        // A stale read all the same: v1 was committed (acknowledged by the coordinator).
        assert_eq!(data.tally.stale_reads, 1);
    }

    #[test]
    fn a_stale_reads_age_runs_from_the_oldest_commit_it_missed_even_if_superseded_during_it() {
        let mut sc = crate::bench::mmc_scenario(9.0, 1, 1.0, 100.0, 0.0);
        sc.data.mode = ReplicationMode::Quorum { n: 1, r: 1, w: 1 };
        sc.populations[0].write_fraction = 0.5;
        let mut data = DataLayer::new(&sc, 1);
        const MS: SimTime = 1_000_000;
        let version = |seq: u32, t: SimTime| Version {
            seq,
            ts: t,
            true_t: t,
            value: i64::from(seq),
            ..Version::default()
        };
        // Five writes commit while the replica holds none of them.
        for seq in 1..=5 {
            let t = SimTime::from(seq) * 10 * MS;
            data.quorum_committed(0, version(seq, t), 0, 0, t);
        }
        assert_eq!(data.quorum_history_len(0), 5);
        // A read issued at 60 took its answer (nothing) before the replica applied them all
        // at 65; it missed all five, so its age runs from the first commit, at 10 (and a
        // read issued at 60 that got the third write missed the fourth, committed at 40).
        let newest = data.quorum_snapshot(0);
        data.quorum_read_began(60 * MS);
        for seq in 1..=5 {
            data.quorum_apply(
                0,
                0,
                version(seq, SimTime::from(seq) * 10 * MS),
                65 * MS,
                true,
            );
        }
        assert_eq!(data.quorum_history_len(0), 5, "kept for the read in flight");
        data.quorum_read(0, Version::default(), newest, 0, 0, 60 * MS);
        assert_eq!(data.tally.stale_reads, 1);
        let age_ms = |d: &DataLayer| {
            let s = d.staleness.summary();
            (s.min_ms, s.max_ms)
        };
        assert!((age_ms(&data).1 - 50.0).abs() < 0.5, "{:?}", age_ms(&data));
        data.quorum_read(0, version(3, 30 * MS), newest, 0, 0, 60 * MS);
        assert_eq!(data.tally.stale_reads, 2);
        assert!((age_ms(&data).0 - 20.0).abs() < 0.5, "{:?}", age_ms(&data));
        // The last read issued before the replica caught up ends: nothing needs them now.
        data.quorum_read_ended(0, 60 * MS);
        assert_eq!(data.quorum_history_len(0), 0);
        // A commit the replica has not applied is kept until it does.
        data.quorum_committed(0, version(6, 70 * MS), 0, 0, 70 * MS);
        assert_eq!(data.quorum_history_len(0), 1);
        data.quorum_apply(0, 0, version(6, 70 * MS), 75 * MS, true);
        assert_eq!(data.quorum_history_len(0), 0);
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
