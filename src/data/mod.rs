//! The data layer (SPEC §1 Design, §2 step 5, §3): every write is a versioned record that
//! replicates as messages over per-link FIFO logs; replicas resolve what arrives with the
//! design's conflict strategy, and every loss, conflict and stale read is counted as it
//! happens. This module knows nothing of the engine: the simulation asks it what to send and
//! tells it what arrived.
//!
//! Causality: each write carries its writer's *applied vector* (per origin, the highest
//! sequence number applied there), so a replica can tell whether an arriving write had seen
//! the version it holds (sequential) or not (concurrent: a conflict, SPEC §3).

pub mod clock;
pub mod conflict;
pub mod crdt;
pub mod quorum;

use crate::engine::SimTime;
use crate::metrics::LatencyHistogram;
use crate::model::{DataConfig, KeyClass, RegionId, ReplicationMode, ReplicationShape, Scenario};
use crate::rng::stream;
use clock::{Hlc, RegionClock};
use conflict::{ConflictResolver, Resolution, Version};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Upper edges (ms) of the t-visibility bins: a read issued t after the newest acknowledged
/// write to its key falls in the first bin whose edge exceeds t (the last bin is open).
pub const T_VISIBILITY_EDGES_MS: [f64; 14] = [
    1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0, 60000.0,
];

/// How long one draw of a replication stream's lag lasts (1 s).
pub const LAG_EPOCH: SimTime = 1_000_000_000;

/// Index of a region among the design's regions (the data regions).
pub type DataRegion = u8;

/// One message on a replication link: a write (by origin and sequence number).
#[derive(Debug, Clone, Copy)]
pub struct Message {
    pub origin: DataRegion,
    pub seq: u32,
    /// When the write leaves its sender: its commit, plus the lag when it is spent at the
    /// sender ([`crate::model::LagAt::Sender`]), plus any wait for the link's bandwidth.
    pub ship: SimTime,
    /// When it reaches the receiver: `ship` plus the one-way delay.
    pub arrive: SimTime,
    /// When the receiver applies it absent faults: `arrive`, plus the lag when it is spent at
    /// the target (FIFO: never before the previous one).
    pub due: SimTime,
    /// Jurisdiction tag of the record (`crate::residency::Tag`; 0: not pinned).
    pub tag: u8,
    /// Its egress is billed (at `ship`). Not when it was sent while a cut or a dead receiver
    /// kept it from crossing (the sender up): it is billed when it crosses, after the heal.
    pub billed: bool,
}

/// What queueing a message on a link asks of the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    /// The link was idle: schedule its delivery for this due time.
    Schedule(SimTime),
    /// A delivery event is already pending for the head.
    Pending,
    /// The head waits for a fault to heal (the link is parked): the message waits behind it,
    /// and the heal wakes the link (no event, so the head is never left waiting for a later
    /// message's due time).
    Parked,
}

/// A directed replication link's log.
#[derive(Debug, Default)]
pub struct Link {
    pub queue: VecDeque<Message>,
    /// A delivery event is pending for the head. Not scheduled with messages queued: parked,
    /// the head waits for a fault to heal.
    pub scheduled: bool,
    last_due: SimTime,
    /// With a bandwidth limit: when the sender finishes sending the last queued message.
    pub busy_until: SimTime,
}

/// A write's record, kept until every replica has applied it (or it was fenced off).
#[derive(Debug, Clone)]
struct WriteRecord {
    key: u32,
    /// The sequence number of the same origin's previous write of `key` (0: none).
    prev_of_key: u32,
    /// Its place among the origin's writes of `key` still in the log (1, 2, …; counting
    /// restarts when the previous one has retired).
    ord_of_key: u32,
    /// A jump pointer back along that list (Myers' skew-binary scheme: any earlier write of
    /// the list is reached in O(log n) steps): the sequence number (0: none) and place of an
    /// earlier write of `key`.
    jump: (u32, u32),
    version: Version,
    /// The writer's applied vector when it wrote.
    deps: Box<[u32]>,
    acked: Option<SimTime>,
    /// Replicas that still have to apply it.
    pending: u8,
    /// Bit per data region: applied there.
    applied: u64,
    /// Bit per data region: never sent there (residency keeps it from them).
    withheld: u64,
    /// Counted lost at the promotion of a replica residency kept it from.
    lost_withheld: bool,
}

/// The writes of one origin, by sequence number (the first write has sequence 1).
#[derive(Debug, Default)]
struct Log {
    /// Records retired from the front: the front record has sequence `base + 1`.
    base: u32,
    records: VecDeque<WriteRecord>,
    next_seq: u32,
}

impl Log {
    fn get(&self, seq: u32) -> Option<&WriteRecord> {
        let i = seq.checked_sub(self.base + 1)?;
        self.records.get(i as usize)
    }
    fn get_mut(&mut self, seq: u32) -> Option<&mut WriteRecord> {
        let i = seq.checked_sub(self.base + 1)?;
        self.records.get_mut(i as usize)
    }
    /// Drops the records no replica waits for from the front, each shown to `gone` first
    /// with its sequence number.
    fn retire(&mut self, mut gone: impl FnMut(u32, &WriteRecord)) {
        while self.records.front().is_some_and(|r| r.pending == 0) {
            if let Some(r) = self.records.pop_front() {
                self.base += 1;
                gone(self.base, &r);
            }
        }
    }
}

/// Counts of the data layer (SPEC §3), after the warm-up where they concern requests.
#[derive(Debug, Clone, Default)]
pub struct DataTally {
    pub writes: u64,
    pub replications_applied: u64,
    /// Pairs of writes to one key accepted in different regions without seeing each other.
    pub conflicts: u64,
    /// Acknowledged writes whose effect is absent from the final state (LWW losers).
    pub lost_updates: u64,
    /// Lost updates whose winner was earlier in true time (clock skew).
    pub wrong_winners: u64,
    /// Concurrent versions kept for the application (AppLevel).
    pub pending_resolutions: u64,
    /// Acknowledged writes fenced off at failover (never applied at the new primary).
    pub lost_at_failover: u64,
    /// Keys where a returning old primary held a fenced (lost) write that the new lineage
    /// overwrote on reconciliation.
    pub failback_conflicts: u64,
    /// Writes committed after the warm-up and fenced off at failovers, acknowledged or not.
    pub fenced_writes: u64,
    pub reads: u64,
    pub stale_reads: u64,
    pub ryw_violations: u64,
    /// Reads that waited for a replica to catch up (session or bounded staleness).
    pub reads_waited: u64,
    /// Reads sent to another region for the user's last write (session routing).
    pub reads_routed: u64,
    /// Times a SemiSync origin fell back to asynchronous replication (`fallback_after_ms`).
    pub semi_sync_fallbacks: u64,
    /// SemiSync writes acknowledged without their replicas' acknowledgements: after waiting
    /// `fallback_after_ms`, or committed while their origin had fallen back.
    pub acked_without_replicas: u64,
}

/// One population's reads after the warm-up (SPEC §3: stale reads and read-your-writes
/// violations, reported per population like every request metric).
#[derive(Clone, Default)]
pub struct PopulationReads {
    pub reads: u64,
    pub stale_reads: u64,
    pub ryw_violations: u64,
    /// Staleness age of this population's stale reads.
    pub staleness: LatencyHistogram,
}

/// Writes of one origin kept from some replicas by residency (see `DataLayer::withheld`).
#[derive(Debug, Clone, Copy, Default)]
struct WithheldWrites {
    /// Acknowledged to their clients.
    acked: u64,
    /// Commit time of the oldest acknowledged one.
    oldest: Option<SimTime>,
    /// Committed after the warm-up, acknowledged or not.
    after_warmup: u64,
}

/// What a failover cost in data (SPEC §3 RPO).
#[derive(Debug, Clone, Copy, Default)]
pub struct FailoverLoss {
    pub lost_writes: u64,
    /// Commit time of the oldest lost write.
    pub oldest: Option<SimTime>,
    /// Bit per data region: origins some of whose writes were fenced off.
    pub fenced_origins: u64,
}

/// The data layer of one run.
pub struct DataLayer {
    class: KeyClass,
    mode: ReplicationMode,
    shape: ReplicationShape,
    resolver: Box<dyn ConflictResolver>,
    pub lag: crate::distribution::Dist,
    /// Data region → region id, and back.
    pub regions: Vec<RegionId>,
    index: Vec<Option<DataRegion>>,
    clocks: Vec<RegionClock>,
    hlc: Vec<Hlc>,
    /// `[key * d + region]`.
    current: Vec<Version>,
    /// Per key, the two newest acknowledged writes: (origin, seq, ack time, commit time).
    acked: Vec<[Acked; 2]>,
    /// Writes discarded by last-writer-wins before they were acknowledged, and whether their
    /// winner was earlier in true time: each becomes a lost update (SPEC §3: an acknowledged
    /// write) if and when it is acknowledged. Only writes still waiting for their client's
    /// acknowledgement are here, as in the simulation's map of writes awaiting replicas.
    lost_unacked: BTreeMap<(DataRegion, u32), bool>,
    /// Writes that wait for replicas' acks before their client's (synchronous and
    /// semi-synchronous replication) and have not had it. A write leaves when it is
    /// acknowledged or when its attempt ends without it ([`DataLayer::abandoned`]), so the set
    /// holds no more writes than there are attempts in flight.
    awaiting_ack: BTreeSet<(DataRegion, u32)>,
    /// Residency: writes of an origin that replicas may not hold, by (origin, the mask of
    /// the replicas that may not), since that origin's last failover to one of them; each
    /// promotion of such a replica loses them (README: Residency), whether their log records
    /// have retired or not, and they are counted there once.
    withheld: BTreeMap<(DataRegion, u64), WithheldWrites>,
    /// Residency: writes withheld from some replicas whose records retired before their
    /// acknowledgement (the mask they were withheld from). A write leaves when it is
    /// acknowledged or abandoned, as in `awaiting_ack`.
    withheld_unacked: BTreeMap<(DataRegion, u32), u64>,
    /// `[key * d + region]`: the sequence number of the region's own write of the key that was
    /// acknowledged while it was the region's current version (0: none). Last-writer-wins
    /// discards a write at its own region only while it is the current version there, so
    /// this tells whether a discarded write had been acknowledged (a lost update), also once
    /// its record has retired, without keeping every write that never was.
    own_acked: Vec<u32>,
    /// `[region * d + origin]`: highest sequence of `origin` applied at `region`.
    applied: Vec<u32>,
    logs: Vec<Log>,
    /// `[key * d + origin]`: the sequence number of the origin's last write of the key (0:
    /// none); with each record's `prev_of_key`, a list of the origin's writes of a key, newest
    /// first, for counting conflicts (SPEC §3).
    last_of_key: Vec<u32>,
    /// `[from * d + to]`.
    pub links: Vec<Link>,
    /// Per origin, the sequence ranges fenced off by its failovers, oldest first (each
    /// failover's range ends at the origin's last write then, so the ends only grow; a range
    /// overlapping the previous one is merged into it). Every range is kept: the old
    /// primary's own copies of its fenced writes may outlive their log records.
    fenced: Vec<Vec<(u32, u32)>>,
    /// Counters and sets: per key and replica (`current`'s index), the increments of fenced
    /// writes that replica applied before their failover fenced them, and of those the
    /// post-warm-up ones. The replica's value drops them when the new lineage first reaches
    /// the key there (see [`Self::without_fenced`]). Only keys with some are listed.
    fenced_in_value: BTreeMap<usize, (i64, i64)>,
    /// Per user (global index): their last acknowledged writes (each with the one before it
    /// of the same key), newest first, one per key, or per key and origin where every write is kept
    /// ([`RECENT_WRITES`] entries; seq 0: none).
    recent_writes: Vec<[RecentWrite; RECENT_WRITES]>,
    user_offset: Vec<u32>,
    warmup: SimTime,
    pub tally: DataTally,
    /// Per link: apply time − commit time.
    pub lag_hist: Vec<LatencyHistogram>,
    /// Staleness age of stale reads (t − ack time of the oldest missed version).
    pub staleness: LatencyHistogram,
    /// The same read figures per population.
    pub by_population: Vec<PopulationReads>,
    /// Per t-visibility bin (and one open bin past the last edge): (reads, reads that saw it).
    pub t_visibility: Vec<(u64, u64)>,
    /// The end of the last scripted fault (SPEC §3 convergence is measured from it).
    converge_from: Option<SimTime>,
    /// The latest time a write committed before `converge_from` was applied at a replica.
    pre_heal_applied: SimTime,
    /// Writes committed, warm-up included.
    pub writes_total: u64,
    /// Per link: (end of the current lag epoch, the stream's current lag).
    lag_state: Vec<(SimTime, SimTime)>,
    /// When set, every commit is recorded as (origin, seq, commit time, key): for tests that
    /// recount what the data layer reports.
    pub trace: Option<Vec<(DataRegion, u32, SimTime, u32)>>,
    /// Leaderless replication's state (`Quorum` mode only).
    quorum: Option<quorum::QuorumState>,
}

/// Bytes of state per key with `d` data regions: its version at each replica, its last two
/// acknowledged writes, and (leaderless quorum) its last two committed versions.
pub fn key_bytes(d: usize) -> usize {
    d * (std::mem::size_of::<Version>() + std::mem::size_of::<u32>())
        + std::mem::size_of::<[Acked; 2]>()
        + 2 * std::mem::size_of::<(Version, SimTime)>()
}

/// Writes remembered per user for read-your-writes: their newest write of each of their last
/// this many keys (of each key and origin where every write is kept). A user who wrote more
/// keys since writing the one they read is not checked for it (a write lagging behind that
/// many newer ones of the same user is rare).
pub const RECENT_WRITES: usize = 4;

/// An acknowledged write of a key: (origin, seq, ack time, commit time).
type Acked = (DataRegion, u32, SimTime, SimTime);

/// What a read returned, judged when it was served (SPEC §3) and counted when its response
/// reaches the user ([`DataLayer::count_read`]). Sixteen bytes: the simulator keeps one per
/// request in flight.
///
/// One packed `u128` rather than four fields: it is written when the read is served and read
/// back when its response arrives, often a few hundred instructions later on the same path,
/// and a value built field by field in memory and copied whole cannot be forwarded from the
/// store buffer (the copy waits for the stores to land). As an integer it moves as two 64-bit
/// halves, each forwarded. Bits 0–63: the staleness age (at least 1 ns when stale: the read
/// missed a write acknowledged before it; 0: not stale); 64–79: the reader's population
/// (`u16::MAX`: no read to count, [`ReadVerdict::NONE`]); 80–87: the t-visibility bin of the
/// newest acknowledged write (`u8::MAX`: none); 88–95: [`Self::SAW_NEWEST`] |
/// [`Self::RYW_VIOLATION`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ReadVerdict(u128);

impl std::fmt::Debug for ReadVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadVerdict")
            .field("stale_age", &self.age_bits())
            .field("pop", &self.pop())
            .field("t_bin", &self.t_bin())
            .field("flags", &self.flags())
            .finish()
    }
}

impl ReadVerdict {
    const POP_SHIFT: u32 = 64;
    const BIN_SHIFT: u32 = 80;
    const FLAGS_SHIFT: u32 = 88;
    /// No read to count: one served during the warm-up, or none served yet.
    pub const NONE: ReadVerdict = ReadVerdict::of(u16::MAX);
    const SAW_NEWEST: u8 = 1;
    const RYW_VIOLATION: u8 = 2;

    /// A read by population `pop`, neither stale nor in a t-visibility bin yet.
    const fn of(pop: u16) -> Self {
        ReadVerdict(((pop as u128) << Self::POP_SHIFT) | ((u8::MAX as u128) << Self::BIN_SHIFT))
    }
    fn age_bits(&self) -> SimTime {
        self.0 as u64
    }
    /// The reader's population (`u16::MAX` for [`Self::NONE`]).
    fn pop(&self) -> u16 {
        (self.0 >> Self::POP_SHIFT) as u16
    }
    fn t_bin(&self) -> u8 {
        (self.0 >> Self::BIN_SHIFT) as u8
    }
    fn flags(&self) -> u8 {
        (self.0 >> Self::FLAGS_SHIFT) as u8
    }
    /// Stale, with its staleness age.
    pub fn stale_age(&self) -> Option<SimTime> {
        let age = self.age_bits();
        (age > 0).then_some(age)
    }
    /// Its t-visibility bin and whether it saw the newest acknowledged write.
    pub fn t_visibility(&self) -> Option<(usize, bool)> {
        (self.t_bin() != u8::MAX)
            .then_some((self.t_bin() as usize, self.flags() & Self::SAW_NEWEST != 0))
    }
    /// A read-your-writes violation.
    pub fn ryw_violation(&self) -> bool {
        self.flags() & Self::RYW_VIOLATION != 0
    }
    /// Anything to count beyond the read itself: stale, in a t-visibility bin or a violation.
    fn has_findings(&self) -> bool {
        *self != Self::of(self.pop())
    }
    fn set_stale(&mut self, age: SimTime) {
        self.0 = (self.0 & !u128::from(u64::MAX)) | u128::from(age.max(1));
    }
    fn set_t_visibility(&mut self, bin: usize, saw: bool) {
        debug_assert!(
            bin < u8::MAX as usize,
            "a t-visibility bin fits below u8::MAX"
        );
        self.0 = (self.0 & !(0xff << Self::BIN_SHIFT)) | ((bin as u8 as u128) << Self::BIN_SHIFT);
        if saw {
            self.0 |= u128::from(Self::SAW_NEWEST) << Self::FLAGS_SHIFT;
        }
    }
    fn set_ryw_violation(&mut self, violated: bool) {
        if violated {
            self.0 |= u128::from(Self::RYW_VIOLATION) << Self::FLAGS_SHIFT;
        }
    }
}

// One per request in flight: keep it small.
const _: () = assert!(std::mem::size_of::<ReadVerdict>() == 16);

/// One acknowledged write of a user (seq 0: none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct OwnWrite {
    origin: DataRegion,
    seq: u32,
    committed: SimTime,
    /// When the acknowledgement reached the user ([`ACK_ON_ITS_WAY`] until it has).
    acked: SimTime,
}

/// [`OwnWrite::acked`] of a write whose acknowledgement has not reached its user (yet): no
/// read owes it to them (SPEC §3 read-your-writes: writes the user had acknowledged).
const ACK_ON_ITS_WAY: SimTime = SimTime::MAX;

impl OwnWrite {
    /// Committed after `other` (by true time; an origin's sequence breaks a tie).
    fn later_than(&self, other: &OwnWrite) -> bool {
        (
            self.committed,
            self.origin == other.origin && self.seq > other.seq,
        ) > (other.committed, false)
    }
}

/// A user's writes of a key (or of a key from one origin): the key, the newest write and the
/// one before it. A read issued before the newest was acknowledged owes the user the one before.
type RecentWrite = (u32, OwnWrite, OwnWrite);

/// The write of `entry` a read issued at `issued` owes the user, if any: the newest of its
/// two acknowledged by then.
fn owed(entry: &RecentWrite, issued: SimTime) -> Option<OwnWrite> {
    let (_, newest, before) = *entry;
    [newest, before]
        .into_iter()
        .find(|w| w.seq > 0 && w.acked <= issued)
}

/// Whether any population of `sc` writes (else no user state is kept).
pub fn writes_anything(sc: &Scenario) -> bool {
    sc.populations.iter().any(|p| p.write_fraction > 0.0)
}

/// Bytes of state per user where someone writes (their recent writes, for read-your-writes;
/// under a quorum its own list as well).
pub fn user_bytes(quorum: bool) -> usize {
    std::mem::size_of::<[RecentWrite; RECENT_WRITES]>()
        + if quorum {
            std::mem::size_of::<[quorum::RecentQuorumWrite; RECENT_WRITES]>()
        } else {
            0
        }
}

/// Puts `entry` first in `recent`, newest first: in place of the entry `same` finds (the
/// same key), else of the oldest.
pub(crate) fn remember<T: Copy, const N: usize>(
    recent: &mut [T; N],
    entry: T,
    same: impl Fn(&T) -> bool,
) {
    let i = recent.iter().position(same).unwrap_or(N - 1);
    recent.copy_within(0..i, 1);
    recent[0] = entry;
}

/// Bytes a write holds while some replica has not applied it, with `d` data regions: its log
/// record with the writer's dependency vector, and a message on each outgoing link.
pub fn logged_write_bytes(d: usize) -> usize {
    std::mem::size_of::<WriteRecord>()
        + d * std::mem::size_of::<u32>()
        + d.saturating_sub(1) * std::mem::size_of::<Message>()
}

impl DataLayer {
    /// The data layer of `sc`; clocks drawn from `seed`.
    pub fn new(sc: &Scenario, seed: u64) -> Self {
        let cfg: &DataConfig = &sc.data;
        let regions = sc.design.regions();
        let d = regions.len();
        let mut index = vec![None; sc.regions.len()];
        for (i, r) in regions.iter().enumerate() {
            index[*r as usize] = Some(i as DataRegion);
        }
        let mut rng = stream(seed, "clocks");
        let clocks = regions
            .iter()
            .map(|_| {
                if cfg.clock_skew.is_zero() && cfg.clock_drift_ppm == 0.0 {
                    RegionClock::perfect()
                } else {
                    RegionClock::draw(&cfg.clock_skew, cfg.clock_drift_ppm, &mut rng)
                }
            })
            .collect();
        let mut user_offset = vec![0u32];
        for p in &sc.populations {
            user_offset.push(user_offset.last().unwrap() + p.users);
        }
        let keys = cfg.keys as usize;
        // Users' recent writes are kept only where someone writes (read-your-writes needs them).
        let users = if writes_anything(sc) {
            *user_offset.last().unwrap() as usize
        } else {
            0
        };
        let quorum = match cfg.mode {
            ReplicationMode::Quorum { n, r, w } => {
                Some(quorum::QuorumState::new(n, r, w, keys, users))
            }
            _ => None,
        };
        DataLayer {
            quorum,
            class: cfg.class,
            mode: cfg.mode,
            shape: cfg.shape.clone(),
            resolver: conflict::resolver(cfg.conflict),
            lag: cfg.lag.clone(),
            index,
            clocks,
            hlc: vec![Hlc::default(); d],
            current: vec![Version::default(); keys * d],
            acked: vec![[(0, 0, 0, 0); 2]; keys],
            lost_unacked: BTreeMap::new(),
            awaiting_ack: BTreeSet::new(),
            withheld: BTreeMap::new(),
            withheld_unacked: BTreeMap::new(),
            own_acked: vec![0; keys * d],
            applied: vec![0; d * d],
            logs: (0..d).map(|_| Log::default()).collect(),
            last_of_key: vec![0; keys * d],
            links: (0..d * d).map(|_| Link::default()).collect(),
            fenced: vec![vec![]; d],
            fenced_in_value: BTreeMap::new(),
            recent_writes: vec![
                [(0, OwnWrite::default(), OwnWrite::default()); RECENT_WRITES];
                users
            ],
            user_offset,
            warmup: sc.warmup,
            tally: DataTally::default(),
            lag_hist: vec![LatencyHistogram::default(); d * d],
            staleness: LatencyHistogram::default(),
            by_population: vec![PopulationReads::default(); sc.populations.len()],
            t_visibility: vec![(0, 0); T_VISIBILITY_EDGES_MS.len() + 1],
            converge_from: sc.faults.iter().map(|f| f.end.min(sc.duration)).max(),
            pre_heal_applied: 0,
            writes_total: 0,
            lag_state: vec![(0, 0); d * d],
            trace: None,
            regions,
        }
    }

    /// Number of data regions.
    pub fn len(&self) -> usize {
        self.regions.len()
    }
    /// Whether the design has no region (never: validation refuses it).
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }
    /// The data region of a region, if the design uses it.
    #[inline]
    pub fn data_region(&self, r: RegionId) -> Option<DataRegion> {
        self.index[r as usize]
    }
    /// The highest sequence number of `origin`'s writes applied at `region`.
    pub fn applied_of(&self, region: DataRegion, origin: DataRegion) -> u32 {
        self.applied[region as usize * self.len() + origin as usize]
    }
    /// How many of `origin`'s writes up to sequence `held` are not fenced off: the ones of
    /// its lineage a replica holding that much of it would keep at a promotion.
    pub fn unfenced_up_to(&self, origin: DataRegion, held: u32) -> u32 {
        let fenced: u32 = self.fenced[origin as usize]
            .iter()
            .map(|&(from, to)| to.min(held).saturating_sub(from.saturating_sub(1)))
            .sum();
        held - fenced.min(held)
    }
    /// The number of writes `origin` has made.
    pub fn writes_of(&self, origin: DataRegion) -> u32 {
        self.logs[origin as usize].next_seq
    }
    /// Replica acknowledgements a write waits for before its client hears back.
    pub fn acks_needed(&self) -> u32 {
        let others = self.len().saturating_sub(1) as u32;
        match self.mode {
            ReplicationMode::Async => 0,
            ReplicationMode::SemiSync(k) => k.min(others),
            ReplicationMode::Sync => others,
            // Quorum writes count their acks in `sim::quorum`.
            ReplicationMode::Quorum { .. } => 0,
        }
    }
    /// Moves a region's clock (a `ClockJump` fault).
    pub fn jump_clock(&mut self, x: DataRegion, by: i64) {
        self.clocks[x as usize].jump(by);
    }
    /// A region's clock offset in ns (for reports).
    pub fn clock_offset(&self, x: DataRegion) -> i64 {
        self.clocks[x as usize].offset_ns()
    }

    fn timestamp(&mut self, x: DataRegion, now: SimTime) -> u64 {
        let pt = self.clocks[x as usize].read(now);
        if self.resolver.uses_hlc() {
            self.hlc[x as usize].now(pt)
        } else {
            pt
        }
    }

    /// How long a write committed at `now` waits before it leaves `from` for `to`: the
    /// replication stream's lag, drawn anew from the configured distribution once per
    /// [`LAG_EPOCH`] per link. (Drawing it per write would not describe a log shipped in order:
    /// every write would also wait for the slowest before it, inflating the lag.)
    pub fn stream_lag(
        &mut self,
        from: DataRegion,
        to: DataRegion,
        now: SimTime,
        rng: &mut crate::rng::Stream,
    ) -> SimTime {
        if self.lag.is_zero() {
            return 0;
        }
        let i = from as usize * self.len() + to as usize;
        let (until, lag) = &mut self.lag_state[i];
        if now >= *until {
            *lag = self.lag.sample(rng);
            *until = now + LAG_EPOCH;
        }
        *lag
    }

    /// The first hops of a write from `x`: everyone (Star, Mesh) or the chain neighbours.
    pub fn first_hops(&self, x: DataRegion) -> Vec<DataRegion> {
        match &self.shape {
            ReplicationShape::Star | ReplicationShape::Mesh => {
                (0..self.len() as DataRegion).filter(|y| *y != x).collect()
            }
            ReplicationShape::Chain(order) => {
                let pos = self.chain_pos(order, x);
                let mut v = vec![];
                if pos > 0 {
                    v.push(self.index[order[pos - 1] as usize].unwrap());
                }
                if pos + 1 < order.len() {
                    v.push(self.index[order[pos + 1] as usize].unwrap());
                }
                v
            }
        }
    }

    /// The hops a write of `from` crosses to reach `to`, in order: the one link between
    /// them, or in a `Chain` each link between consecutive replicas from one to the other in
    /// the chain's order. No allocation: a failback asks on every replication delivery.
    pub fn route_hops(
        &self,
        from: DataRegion,
        to: DataRegion,
    ) -> impl Iterator<Item = (DataRegion, DataRegion)> + '_ {
        let chain = match &self.shape {
            ReplicationShape::Chain(order) => Some((
                order.as_slice(),
                self.chain_pos(order, from),
                self.chain_pos(order, to),
            )),
            _ => None,
        };
        let n = chain.map_or(1, |(_, a, b)| a.abs_diff(b));
        (0..n).map(move |k| match chain {
            None => (from, to),
            Some((order, a, b)) => {
                let hop = |i: usize| self.index[order[i] as usize].unwrap();
                if a <= b {
                    (hop(a + k), hop(a + k + 1))
                } else {
                    (hop(a - k), hop(a - k - 1))
                }
            }
        })
    }

    fn chain_pos(&self, order: &[RegionId], x: DataRegion) -> usize {
        let r = self.regions[x as usize];
        order.iter().position(|o| *o == r).unwrap_or(0)
    }

    /// Where a chain forwards a write of `origin` that `at` received from `from`.
    pub fn next_hop(
        &self,
        origin: DataRegion,
        from: DataRegion,
        at: DataRegion,
    ) -> Option<DataRegion> {
        let ReplicationShape::Chain(order) = &self.shape else {
            return None;
        };
        let _ = origin;
        let (pf, pa) = (self.chain_pos(order, from), self.chain_pos(order, at));
        let next = if pa > pf { pa + 1 } else { pa.checked_sub(1)? };
        order.get(next).map(|r| self.index[*r as usize].unwrap())
    }

    /// A write of `key` commits at `x` at `now`. Returns its sequence number.
    /// Write `key` at data region `x` at `now`; returns its sequence number. `counts_in_conflicts`
    /// is false for a write residency keeps from some replica: it and that replica never see
    /// each other, and leaving such writes out of every pair keeps the count from depending
    /// on when their records retire (README, Known limitations).
    pub fn commit(
        &mut self,
        x: DataRegion,
        key: u32,
        now: SimTime,
        counts_in_conflicts: bool,
    ) -> u32 {
        let d = self.len();
        let ts = self.timestamp(x, now);
        let log = &mut self.logs[x as usize];
        log.next_seq += 1;
        let seq = log.next_seq;
        let xi = x as usize;
        self.applied[xi * d + xi] = seq;
        let cur = self.without_fenced(key as usize * d + xi);
        let counted = now >= self.warmup;
        let version = Version {
            origin: x,
            seq,
            ts,
            true_t: now,
            value: cur.value + 1,
            value_after_warmup: cur.value_after_warmup + i64::from(counted),
        };
        if counted {
            self.tally.writes += 1;
        }
        self.writes_total += 1;
        if let Some(t) = &mut self.trace {
            t.push((x, seq, now, key));
        }
        if self.acks_needed() > 0 {
            self.awaiting_ack.insert((x, seq));
        }
        // LWW compares timestamps even for a causally later local write: with a clock behind
        // the current version's, the new write loses at once (a wrong winner).
        if cur.exists()
            && self.resolver.local_write_can_lose(self.class)
            && version.lww_key() < cur.lww_key()
        {
            if counted {
                // Not acknowledged yet: it becomes a lost update when it is.
                self.lost_unacked.insert((x, seq), true);
            }
        } else {
            self.current[key as usize * d + xi] = version;
        }
        let (mut prev_of_key, mut ord_of_key, mut jump) = (0, 0, (0, 0));
        if counts_in_conflicts {
            if counted {
                self.tally.conflicts += self.concurrent_with_new_write(x, key);
            }
            prev_of_key = std::mem::replace(&mut self.last_of_key[key as usize * d + xi], seq);
            (ord_of_key, jump) = match self.logs[xi].get(prev_of_key) {
                None => (1, (0, 0)),
                Some(p) => {
                    let skip = self.logs[xi].get(p.jump.0).filter(|pj| {
                        pj.jump.0 > 0 && p.ord_of_key - p.jump.1 == p.jump.1 - pj.jump.1
                    });
                    let jump = skip.map_or((prev_of_key, p.ord_of_key), |pj| pj.jump);
                    (p.ord_of_key + 1, jump)
                }
            };
        }
        let deps: Box<[u32]> = self.applied[xi * d..(xi + 1) * d].into();
        let hops = self.replicas_to_reach(x);
        self.logs[xi].records.push_back(WriteRecord {
            key,
            prev_of_key,
            ord_of_key,
            jump,
            version,
            deps,
            acked: None,
            pending: hops,
            applied: 1 << x,
            withheld: 0,
            lost_withheld: false,
        });
        self.retire(xi);
        seq
    }

    /// SPEC §3 Conflict: the writes of `key` accepted in other regions that `x` has not
    /// applied when it accepts a new one. Neither write saw the other (the others were
    /// accepted earlier, so they cannot have seen this one), and each pair is counted once, at
    /// its later write. For each origin the count is the run of its latest writes of the key
    /// that `x` has not applied and that some replica still waits for (a retired record was
    /// applied everywhere, or fenced off at a failover): found by jump pointers in O(log n)
    /// steps, so a long partition costs no more than a short one per write.
    fn concurrent_with_new_write(&self, x: DataRegion, key: u32) -> u64 {
        let mut n = 0;
        for o in (0..self.len() as DataRegion).filter(|o| *o != x) {
            if let Some((top, oldest)) = self.unapplied_run(x, o, key) {
                n += u64::from(top.ord_of_key - oldest.ord_of_key + 1);
            }
        }
        n
    }

    /// The newest and the oldest of origin `o`'s writes of `key` that replica `x` has not
    /// applied and that some replica still waits for (a retired record was applied
    /// everywhere, or fenced off at a failover; writes residency keeps from a replica are not
    /// in the list). Found by jump pointers in O(log n) steps.
    fn unapplied_run(
        &self,
        x: DataRegion,
        o: DataRegion,
        key: u32,
    ) -> Option<(&WriteRecord, &WriteRecord)> {
        let d = self.len();
        let log = &self.logs[o as usize];
        // Writes up to `seen` are applied at x or retired.
        let seen = self.applied[x as usize * d + o as usize].max(log.base);
        let newest = self.last_of_key[key as usize * d + o as usize];
        let top = log.get(newest).filter(|_| newest > seen)?;
        let mut oldest = top;
        loop {
            oldest = match (oldest.jump.0, oldest.prev_of_key) {
                (j, _) if j > seen => log.get(j),
                (_, p) if p > seen => log.get(p),
                _ => break,
            }
            .expect("a record above the retired base is in the log");
        }
        Some((top, oldest))
    }

    /// The acknowledgement time (before `now`) and sequence number of the oldest write in
    /// origin `o`'s run of writes of `key` that `x` lacks ([`Self::unapplied_run`]) that was
    /// acknowledged before `now` (and, given `after`, committed after it in true time).
    /// Usually the run's oldest write; under SemiSync or Sync an attempt that timed out leaves
    /// a write never acknowledged, and then the run is scanned.
    fn oldest_acked_unapplied(
        &self,
        x: DataRegion,
        o: DataRegion,
        key: u32,
        now: SimTime,
        after: Option<SimTime>,
    ) -> Option<(SimTime, u32)> {
        let (top, oldest) = self.unapplied_run(x, o, key)?;
        let acked = |r: &WriteRecord| {
            r.acked
                .filter(|at| *at < now && after.is_none_or(|t| r.version.true_t > t))
                .map(|at| (at, r.version.seq))
        };
        if let Some(found) = acked(oldest) {
            return Some(found);
        }
        let log = &self.logs[o as usize];
        let mut found = None;
        let mut r = top;
        loop {
            found = acked(r).or(found);
            if r.version.seq == oldest.version.seq {
                return found;
            }
            r = log
                .get(r.prev_of_key)
                .expect("a record of the run is in the log");
        }
    }

    /// Residency: write `(origin, seq)` will never be sent to the replicas of `mask` (a bit
    /// per data region: they may not hold its jurisdiction's records), so its record does not
    /// wait for them, and a failback does not wait for them to apply it.
    pub fn withhold(&mut self, origin: DataRegion, seq: u32, mask: u64) {
        if let Some(r) = self.logs[origin as usize].get_mut(seq) {
            r.pending = r.pending.saturating_sub(mask.count_ones() as u8);
            r.withheld |= mask;
            if r.version.true_t >= self.warmup {
                self.withheld
                    .entry((origin, mask))
                    .or_default()
                    .after_warmup += 1;
            }
        }
        self.retire(origin as usize);
    }

    /// Retires `origin`'s records no replica waits for; a write withheld from some replica
    /// and not yet acknowledged is remembered until it is (or is abandoned).
    fn retire(&mut self, origin: usize) {
        let unacked = &mut self.withheld_unacked;
        self.logs[origin].retire(|seq, r| {
            if r.withheld != 0 && r.acked.is_none() {
                unacked.insert((origin as DataRegion, seq), r.withheld);
            }
        });
    }

    fn replicas_to_reach(&self, _x: DataRegion) -> u8 {
        (self.len() - 1) as u8
    }

    /// Queues a message on `from → to`, and says whether a delivery must now be scheduled.
    pub fn push(&mut self, from: DataRegion, to: DataRegion, msg: Message) -> Pushed {
        let d = self.len();
        let link = &mut self.links[from as usize * d + to as usize];
        let due = msg.due.max(link.last_due);
        link.last_due = due;
        let parked = !link.scheduled && !link.queue.is_empty();
        link.queue.push_back(Message { due, ..msg });
        if link.scheduled {
            Pushed::Pending
        } else if parked {
            Pushed::Parked
        } else {
            link.scheduled = true;
            Pushed::Schedule(due)
        }
    }

    /// The head message of a link.
    pub fn head(&self, from: DataRegion, to: DataRegion) -> Option<Message> {
        self.links[from as usize * self.len() + to as usize]
            .queue
            .front()
            .copied()
    }

    /// With the lag spent at the target, after a fault that held messages of `from → to`
    /// healed at `now`: those it held (`held`) are sent again, one after another `transmit`
    /// apart behind the link's bandwidth when it has one, and reach the receiver `delay` after
    /// they leave, to be applied their lag after that; later messages keep their order.
    /// Returns how many were sent again, and when each that had not been billed left (it was
    /// sent during the fault, so its egress had been taken back).
    pub fn restamp_held(
        &mut self,
        from: DataRegion,
        to: DataRegion,
        now: SimTime,
        delay: SimTime,
        transmit: SimTime,
        held: impl Fn(&Message) -> bool,
    ) -> (u64, Vec<SimTime>) {
        let d = self.len();
        let link = &mut self.links[from as usize * d + to as usize];
        let mut last = 0;
        let mut resent = 0;
        let mut unbilled = vec![];
        // With a bandwidth the re-sent writes leave one after another, behind what the link
        // is sending already.
        let mut ship = link.busy_until.max(now);
        for m in link.queue.iter_mut() {
            if held(m) {
                let arrive = if transmit > 0 {
                    ship += transmit;
                    ship + delay
                } else {
                    now + delay
                };
                if !m.billed {
                    // It never left during the fault: it leaves now.
                    m.billed = true;
                    unbilled.push(arrive - delay);
                }
                let shift = arrive.saturating_sub(m.arrive);
                m.arrive += shift;
                m.due += shift;
                resent += 1;
            }
            m.due = m.due.max(last);
            last = m.due;
        }
        if transmit > 0 && resent > 0 {
            link.busy_until = ship;
        }
        link.last_due = link.last_due.max(last);
        (resent, unbilled)
    }

    /// Marks a link idle (its head waits for a fault to heal).
    pub fn park(&mut self, from: DataRegion, to: DataRegion) {
        let d = self.len();
        self.links[from as usize * d + to as usize].scheduled = false;
    }

    /// Pops the head of `from → to` and applies it at `to` at `now`. Returns the message, or
    /// `None` when it was fenced off or a duplicate; and the due time of the next message.
    pub fn deliver(
        &mut self,
        from: DataRegion,
        to: DataRegion,
        now: SimTime,
    ) -> (Option<Message>, Option<SimTime>) {
        let d = self.len();
        let li = from as usize * d + to as usize;
        let Some(msg) = self.links[li].queue.pop_front() else {
            self.links[li].scheduled = false;
            return (None, None);
        };
        let next = self.links[li].queue.front().map(|m| m.due.max(now));
        self.links[li].scheduled = next.is_some();
        let applied = self.apply(msg, to, now, true);
        (applied.then_some(msg), next)
    }

    /// Last-writer-wins discarded write `seq` of `origin` (counted after the warm-up), its
    /// winner earlier in true time if `wrong`: a lost update now if it was acknowledged, else
    /// when it is (SPEC §3). Only a write made here, at its own commit, is discarded before
    /// an asynchronous acknowledgement (see `commit`).
    /// `ki`: the write's key and region in `current` (it was that region's current version).
    /// A write whose attempt ended without an acknowledgement is never one: not lost.
    fn discarded(&mut self, ki: usize, origin: DataRegion, seq: u32, wrong: bool) {
        if self.awaiting_ack.contains(&(origin, seq)) {
            self.lost_unacked.insert((origin, seq), wrong);
        } else if self.own_acked[ki] == seq {
            self.count_lost_update(wrong);
        }
    }

    /// Write `seq` of `x` will never be acknowledged: the attempt that waited for its replicas
    /// ended first (a timeout behind a partition, say). It is forgotten, and if last-writer-wins
    /// discards it (or already has), that is not a lost update (SPEC §3: only acknowledged
    /// writes are lost).
    pub fn abandoned(&mut self, x: DataRegion, seq: u32) {
        self.awaiting_ack.remove(&(x, seq));
        self.lost_unacked.remove(&(x, seq));
        self.withheld_unacked.remove(&(x, seq));
    }

    /// Writes waiting for their acknowledgement, and of them those already discarded.
    pub fn unacknowledged(&self) -> usize {
        self.awaiting_ack.len() + self.lost_unacked.len() + self.withheld_unacked.len()
    }

    fn count_lost_update(&mut self, wrong: bool) {
        self.tally.lost_updates += 1;
        if wrong {
            self.tally.wrong_winners += 1;
        }
    }

    /// Applies a write at replica `to`; false when it was fenced or already applied. `live`:
    /// during the run (replication lag and apply counts are recorded), not while converging.
    fn apply(&mut self, msg: Message, to: DataRegion, now: SimTime, live: bool) -> bool {
        let d = self.len();
        let (o, ti) = (msg.origin as usize, to as usize);
        if self.is_fenced(msg.origin, msg.seq) {
            return false;
        }
        if self.applied[ti * d + o] >= msg.seq {
            return false; // a duplicate (a chain can deliver twice)
        }
        let Some(rec) = self.logs[o].get(msg.seq) else {
            return false;
        };
        let (key, w, concurrent_with) = (rec.key, rec.version, rec.deps.clone());
        self.applied[ti * d + o] = msg.seq;
        let ki = key as usize * d + ti;
        let cur = self.without_fenced(ki);
        let counted = w.true_t >= self.warmup;
        let cur_fenced = cur.exists() && self.is_fenced(cur.origin, cur.seq);
        // Where every write adds to the value (counters and sets), a replica's value counts
        // the writes it applied: a write taking the place of no version, or of a fenced copy,
        // adds itself to what the replica holds. Its origin's value would also count the
        // writes of other origins it held, which reach this replica on their own links (not
        // causally ordered with this one) and would be counted again (the counters a
        // returning demoted primary ended with above the others', found 2026-12-04).
        let adds = self.every_write_adds();
        let added = |held: &Version| Version {
            value: held.value + 1,
            value_after_warmup: held.value_after_warmup + i64::from(counted),
            ..w
        };
        if !cur.exists() || cur_fenced {
            // A fenced copy: the old primary's divergent write meets the new lineage on
            // failback, a conflict surfaced by reconciliation (its loss was counted at the
            // failover).
            if cur_fenced && counted {
                self.tally.failback_conflicts += 1;
            }
            self.current[ki] = if adds { added(&cur) } else { w };
        } else {
            let saw_current =
                cur.origin == w.origin || concurrent_with[cur.origin as usize] >= cur.seq;
            let concurrent = !saw_current;
            match self.resolver.resolve(self.class, &cur, &w, concurrent) {
                Resolution::TakeIncoming => {
                    // The replica's own write is overwritten by one that never saw it: lost.
                    // Counted by the discarded write's own commit time, as `writes` counts
                    // it (the incoming write's time decided it before the 2026-12-04 review).
                    if concurrent && cur.origin == to && cur.true_t >= self.warmup {
                        self.discarded(ki, cur.origin, cur.seq, cur.true_t > w.true_t);
                    } else if !concurrent
                        && counted
                        && cur.origin == to
                        && w.lww_key() < cur.lww_key()
                    {
                        // unreachable for LWW (it keeps the higher stamp); kept for clarity
                    }
                    self.current[ki] = w;
                }
                Resolution::KeepCurrent => {}
                Resolution::Merge => {
                    let mut v = cur;
                    v.value += 1;
                    v.value_after_warmup += i64::from(counted);
                    if w.lww_key() > cur.lww_key() {
                        v.origin = w.origin;
                        v.seq = w.seq;
                        v.ts = w.ts;
                        v.true_t = w.true_t;
                    }
                    self.current[ki] = v;
                }
                Resolution::KeepBoth => {
                    if counted && cur.origin == to && to < w.origin {
                        self.tally.pending_resolutions += 1;
                    }
                    // The kept pair is shown by its newer stamp; counters and sets hold
                    // both contributions (what the application's merge will keep), so every
                    // replica ends with the same value whatever the delivery order.
                    let mut v = if w.lww_key() > cur.lww_key() { w } else { cur };
                    (v.value, v.value_after_warmup) = match self.class {
                        KeyClass::Counter | KeyClass::Set => {
                            (cur.value + 1, cur.value_after_warmup + i64::from(counted))
                        }
                        KeyClass::Register | KeyClass::Booking => (v.value, v.value_after_warmup),
                    };
                    self.current[ki] = v;
                }
            }
        }
        if self.resolver.uses_hlc() {
            self.hlc[ti].observe(w.ts);
        }
        if let Some(r) = self.logs[o].get_mut(msg.seq) {
            r.pending = r.pending.saturating_sub(1);
            r.applied |= 1 << to;
        }
        self.retire(o);
        if live {
            if counted {
                self.tally.replications_applied += 1;
                self.lag_hist[o * d + ti].record(now.saturating_sub(w.true_t));
            }
            self.applied_live(w.true_t, now);
        }
        true
    }

    /// Replica version `ki` (an index of `current`) with the increments of fenced writes it
    /// applied taken out, stored back: the new lineage reaching a key at a demoted primary
    /// (a write applied or committed there) reconciles it, as a rewind would, so neither
    /// counts them. Without fenced increments (and for classes that do not add) it is the
    /// stored version. Its stamp may still name a fenced write (see `apply`).
    fn without_fenced(&mut self, ki: usize) -> Version {
        if !self.fenced_in_value.is_empty()
            && let Some((n, n_after)) = self.fenced_in_value.remove(&ki)
        {
            let v = &mut self.current[ki];
            v.value -= n;
            v.value_after_warmup -= n_after;
        }
        self.current[ki]
    }

    /// The write `(x, seq)` of `key`, committed at `committed`, was acknowledged to user
    /// `user` of population `pop` at `now`.
    #[allow(clippy::too_many_arguments)]
    pub fn acknowledged(
        &mut self,
        x: DataRegion,
        seq: u32,
        key: u32,
        pop: u16,
        user: u32,
        committed: SimTime,
        now: SimTime,
    ) {
        // The record may be retired already (a synchronous write every replica has applied).
        let withheld = match self.logs[x as usize].get_mut(seq) {
            Some(rec) => {
                rec.acked = Some(now);
                rec.withheld
            }
            None => self.withheld_unacked.remove(&(x, seq)).unwrap_or(0),
        };
        if withheld != 0 {
            let w = self.withheld.entry((x, withheld)).or_default();
            w.acked += 1;
            w.oldest = Some(w.oldest.map_or(committed, |o| o.min(committed)));
        }
        self.awaiting_ack.remove(&(x, seq));
        if let Some(wrong) = self.lost_unacked.remove(&(x, seq)) {
            self.count_lost_update(wrong);
        }
        let own = key as usize * self.len() + x as usize;
        if self.current[own].origin == x && self.current[own].seq == seq {
            self.own_acked[own] = seq;
        }
        let a = &mut self.acked[key as usize];
        a[1] = a[0];
        a[0] = (x, seq, now, committed);
        let u = self.user_offset[pop as usize] + user;
        // Where a later write replaces the key's value (registers and bookings; any class
        // under last-writer-wins), the user's newest write of it supersedes their earlier
        // ones. Where every write adds to it (counters and sets under merge, CRDT or
        // application-level resolution) a read must reflect each of them, so the newest write
        // of the key from each origin is remembered (links deliver an origin's writes in
        // order, so it covers that origin's earlier ones).
        let per_origin = self.every_write_adds();
        let recent = &mut self.recent_writes[u as usize];
        let same = |w: &RecentWrite| w.1.seq > 0 && w.0 == key && (!per_origin || w.1.origin == x);
        let (mut newest, mut before) = recent
            .iter()
            .find(|w| same(w))
            .map_or((OwnWrite::default(), OwnWrite::default()), |w| (w.1, w.2));
        let this = OwnWrite {
            origin: x,
            seq,
            committed,
            acked: ACK_ON_ITS_WAY,
        };
        // Acknowledged out of order (a semi-synchronous write waiting for a far replica), the
        // write committed later stays the newest.
        if newest.seq == 0 || !newest.later_than(&this) {
            before = newest;
            newest = this;
        } else if before.seq == 0 || this.later_than(&before) {
            before = this;
        }
        remember(recent, (key, newest, before), same);
    }

    /// The acknowledgement of write `seq` of `x` reached its user at `now`: from now on their
    /// reads owe it to them (if it is still among their recent writes).
    pub fn ack_received(
        &mut self,
        x: DataRegion,
        seq: u32,
        key: u32,
        pop: u16,
        user: u32,
        now: SimTime,
    ) {
        let Some(&offset) = self.user_offset.get(pop as usize) else {
            return;
        };
        if self.quorum.is_some() {
            self.quorum_ack_received(x, seq, key, (offset + user) as usize, now);
            return;
        }
        let Some(recent) = self.recent_writes.get_mut((offset + user) as usize) else {
            return;
        };
        for w in recent.iter_mut().filter(|w| w.0 == key) {
            for o in [&mut w.1, &mut w.2] {
                if o.origin == x && o.seq == seq && o.acked == ACK_ON_ITS_WAY {
                    o.acked = now;
                }
            }
        }
    }

    /// What a read at `x` issued at `issued` must wait for under `c`: the write `(origin,
    /// seq)` not yet applied there, if any (sessions: the newest of the user's recent writes,
    /// acknowledged by the time the read was issued, that `x` lacks; bounded staleness: a write
    /// to the key acknowledged more than the bound ago).
    #[allow(clippy::too_many_arguments)]
    pub fn read_requirement(
        &self,
        c: crate::model::Consistency,
        x: DataRegion,
        key: u32,
        pop: u16,
        user: u32,
        issued: SimTime,
        now: SimTime,
    ) -> Option<(DataRegion, u32)> {
        use crate::model::Consistency;
        let d = self.len();
        let missing = |o: DataRegion, seq: u32| {
            (seq > 0 && self.applied[x as usize * d + o as usize] < seq && !self.is_fenced(o, seq))
                .then_some((o, seq))
        };
        match c {
            Consistency::Eventual => None,
            Consistency::SessionWait | Consistency::SessionRoute => {
                // Newest first: the session token the read carries covers every write of the
                // session acknowledged before it was sent (not those acknowledged while it
                // waits, which it would otherwise chase).
                let u = self.user_offset[pop as usize] + user;
                self.recent_writes
                    .get(u as usize)
                    .into_iter()
                    .flatten()
                    .filter_map(|w| owed(w, issued))
                    .find_map(|w| missing(w.origin, w.seq))
            }
            // The oldest write of the key `x` lacks, from each origin, if it was acknowledged
            // more than the bound ago (the read checks again when it is applied); then the two
            // newest acknowledged versions, which also remember writes kept from `x`.
            Consistency::BoundedStaleness(max) => (0..d as DataRegion)
                .filter_map(|o| {
                    self.oldest_acked_unapplied(x, o, key, now, None)
                        .map(|(at, seq)| (o, seq, Some(at)))
                })
                .chain(
                    self.acked[key as usize]
                        .iter()
                        .map(|&(o, s, at, _)| (o, s, Some(at))),
                )
                .filter(|(_, seq, at)| {
                    *seq > 0 && at.is_some_and(|at| now.saturating_sub(at) > max)
                })
                .find_map(|(o, seq, _)| missing(o, seq)),
        }
    }

    /// The oldest write of `origin` that replica `x` has still to apply. Links deliver in
    /// order, so it is the first write after `x`'s applied mark that is sent to `x` at all:
    /// writes residency keeps from `x` and writes fenced off at a failover never reach it.
    fn oldest_unapplied(&self, x: DataRegion, origin: DataRegion) -> Option<&WriteRecord> {
        let log = &self.logs[origin as usize];
        let seen = self.applied[x as usize * self.len() + origin as usize];
        (seen.max(log.base) + 1..=log.next_seq)
            .filter_map(|seq| log.get(seq))
            .find(|r| r.withheld & (1 << x) == 0 && !self.is_fenced(origin, r.version.seq))
    }

    /// When the last message queued on `from → to` is due (`None`: nothing is queued).
    pub fn last_due(&self, from: DataRegion, to: DataRegion) -> Option<SimTime> {
        self.links[from as usize * self.len() + to as usize]
            .queue
            .back()
            .map(|m| m.due)
    }

    /// Whether `x` has applied every write of `origin` that will ever be sent to it.
    pub fn caught_up(&self, x: DataRegion, origin: DataRegion) -> bool {
        self.oldest_unapplied(x, origin).is_none()
    }

    /// Whether `x` has applied write `(origin, seq)`.
    pub fn has_applied(&self, x: DataRegion, origin: DataRegion, seq: u32) -> bool {
        self.applied[x as usize * self.len() + origin as usize] >= seq
    }

    /// Whether every write adds to a key's value (counters and sets under merge, CRDT or
    /// application-level resolution), so that a read must reflect each acknowledged write;
    /// otherwise a later write replaces the value (registers and bookings, and any class under
    /// last-writer-wins).
    fn every_write_adds(&self) -> bool {
        matches!(self.class, KeyClass::Counter | KeyClass::Set)
            && !self.resolver.local_write_can_lose(self.class)
    }

    /// A read of `key` by `user`, issued at `issued`, served at `x` at `now`, judged and
    /// counted at once (see [`Self::judge_read`]; the simulator counts it when its response
    /// reaches the user).
    #[cfg(test)]
    #[allow(clippy::too_many_arguments)]
    pub fn read(
        &mut self,
        x: DataRegion,
        key: u32,
        pop: u16,
        user: u32,
        issued: SimTime,
        now: SimTime,
    ) {
        let v = self.judge_read(x, key, pop, user, issued, now);
        self.count_read(v);
    }

    /// Counts a read's verdict: once per read request, when its response reaches the user (an
    /// attempt whose response is lost read nothing for anyone).
    #[inline]
    pub fn count_read(&mut self, v: ReadVerdict) {
        if v.pop() == u16::MAX {
            return;
        }
        let pop = v.pop() as usize;
        self.tally.reads += 1;
        self.by_population[pop].reads += 1;
        if v.has_findings() {
            self.count_read_findings(v);
        }
    }

    /// [`Self::count_read`] of a read that is stale, in a t-visibility bin or a violation.
    #[inline(never)]
    fn count_read_findings(&mut self, v: ReadVerdict) {
        let pop = v.pop() as usize;
        if let Some(age) = v.stale_age() {
            self.tally.stale_reads += 1;
            self.staleness.record(age);
            let by_pop = &mut self.by_population[pop];
            by_pop.stale_reads += 1;
            by_pop.staleness.record(age);
        }
        if let Some((bin, saw)) = v.t_visibility() {
            let b = &mut self.t_visibility[bin];
            b.0 += 1;
            if saw {
                b.1 += 1;
            }
        }
        if v.ryw_violation() {
            self.tally.ryw_violations += 1;
            self.by_population[pop].ryw_violations += 1;
        }
    }

    /// Judges a read of `key` by `user`, issued at `issued`, served at `x` at `now`: whether it
    /// is stale (SPEC §3: a version older than the newest acknowledged anywhere) and how old,
    /// its t-visibility bin, and whether it violates read-your-writes (against the user's
    /// writes acknowledged by the time the read was issued). [`ReadVerdict::NONE`] during the
    /// warm-up.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn judge_read(
        &self,
        x: DataRegion,
        key: u32,
        pop: u16,
        user: u32,
        issued: SimTime,
        now: SimTime,
    ) -> ReadVerdict {
        if now < self.warmup {
            return ReadVerdict::NONE;
        }
        // No write of the key was ever acknowledged (a read-only key): the read cannot be
        // stale, has no t-visibility bin and owes the user nothing (every check needs an
        // acknowledged write, and only `acknowledged` fills these).
        if self.acked[key as usize][0].1 == 0 {
            return ReadVerdict::of(pop);
        }
        self.judge_read_of_written_key(x, key, pop, user, issued, now)
    }

    /// [`Self::judge_read`] of a key some write of which was acknowledged.
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn judge_read_of_written_key(
        &self,
        x: DataRegion,
        key: u32,
        pop: u16,
        user: u32,
        issued: SimTime,
        now: SimTime,
    ) -> ReadVerdict {
        let d = self.len();
        let xi = x as usize;
        let mut verdict = ReadVerdict::of(pop);
        // What the read returns: the replica's version of the key. Where last-writer-wins
        // keeps one version (any class under Lww, registers otherwise), a replica that has
        // applied a write may still return an older one that beat it on a skewed clock.
        let held = self.current[key as usize * d + xi];
        let one_version = self.resolver.local_write_can_lose(self.class);
        // Whether the read misses write `(o, seq)`, committed at `committed`: not applied
        // here, or applied but beaten by a version committed before it (in true time).
        let misses = |o: DataRegion, seq: u32, committed: SimTime| {
            self.applied[xi * d + o as usize] < seq
                || (one_version && (held.origin, held.seq) != (o, seq) && held.true_t < committed)
        };
        // Stale (SPEC §3): the read returns a version older than the newest acknowledged
        // before now. Where a later write replaces the value (registers and bookings; any
        // class under last-writer-wins) that is the newest in true time of the two newest
        // acknowledged (which also remember a write fenced off at a failover): a read holding
        // it is not stale for lacking an older write. Where every write adds to the value
        // (counters and sets under merge, CRDT or application-level resolution) a value
        // lacking either of them is older.
        let adds = self.every_write_adds();
        let tracked = self.acked[key as usize];
        let newest = tracked
            .iter()
            .filter(|&&(_, seq, at, _)| seq > 0 && at < now)
            .max_by_key(|&&(_, _, _, committed)| committed);
        let mut oldest_missed = None;
        for &(o, seq, at, committed) in &tracked {
            let judged = adds || newest.is_some_and(|n| (n.0, n.1) == (o, seq));
            if judged && seq > 0 && at < now && misses(o, seq, committed) {
                oldest_missed = Some(oldest_missed.map_or(at, |m: SimTime| m.min(at)));
            }
        }
        if let Some(mut oldest) = oldest_missed {
            // Its staleness age runs from the oldest acknowledged version it missed (SPEC
            // §3), which for a hot key is older than those two: the first of each origin's
            // writes of the key that `x` lacks, and where a later write replaces the value,
            // the first of them committed after the version the read returns.
            let after = (!adds && held.exists()).then_some(held.true_t);
            for o in 0..d as DataRegion {
                if let Some((at, _)) = self.oldest_acked_unapplied(x, o, key, now, after) {
                    oldest = oldest.min(at);
                }
            }
            verdict.set_stale(now - oldest);
        }
        // t-visibility (PBS): did this read see the newest write acknowledged before it?
        let (o, seq, at, committed) = self.acked[key as usize][0];
        let saw_newest = !misses(o, seq, committed);
        if seq > 0 && at <= now {
            let t_ms = (now - at) as f64 / 1e6;
            let bin = T_VISIBILITY_EDGES_MS.partition_point(|e| *e <= t_ms);
            verdict.set_t_visibility(bin, saw_newest);
        }
        // Read-your-writes: the user's writes of the key acknowledged before the read was
        // issued, remembered among their last few (one per key where a later write replaces
        // the value, one per key and origin where every write adds to it), must be applied
        // here and not beaten by an older version.
        let u = self.user_offset[pop as usize] + user;
        let violated = self
            .recent_writes
            .get(u as usize)
            .into_iter()
            .flatten()
            .filter(|w| w.0 == key)
            .filter_map(|w| owed(w, issued))
            .any(|w| misses(w.origin, w.seq, w.committed));
        verdict.set_ryw_violation(violated);
        verdict
    }

    /// Failover from `old` to `new`: `new`'s state becomes the surviving lineage (SPEC §3
    /// RPO). The acknowledged writes of `old`, and of every earlier primary, that `new` has
    /// not applied are lost and fenced off: after home → B → C, the writes of home that B had
    /// and C lacks go with B's own (found by the 2026-12-04 review: only `old`'s log was
    /// looked at, so a second failover lost none of the first primary's writes, and the
    /// single-writer design then counted them as conflicts with the new primary's). Messages
    /// of the writes `new` holds stay on their links: they are the surviving lineage and must
    /// reach the other replicas too (SPEC §3 Convergence). With the lag spent at the target
    /// they have left their sender; with the lag in the sender some may still wait in its
    /// log, and leave when it can send again.
    pub fn failover(&mut self, old: DataRegion, new: DataRegion) -> FailoverLoss {
        let mut loss = FailoverLoss::default();
        for o in 0..self.len() as DataRegion {
            if o != new {
                self.fence_lost_writes(o, new, &mut loss);
            }
        }
        debug_assert!(old != new);
        self.tally.lost_at_failover += loss.lost_writes;
        loss
    }

    /// At a failover to `new`: origin `o`'s writes that `new` lacks are lost (the
    /// acknowledged ones counted into `loss`) and fenced off.
    fn fence_lost_writes(&mut self, o: DataRegion, new: DataRegion, loss: &mut FailoverLoss) {
        // Residency kept these from `new`, which will never hold them: every acknowledged
        // one is lost, its log record retired or not (README: Residency). Counted once.
        let kept_from_new = self
            .withheld
            .extract_if((o, 0)..=(o, u64::MAX), |k, _| k.1 & (1 << new) != 0);
        let mut kept_any = false;
        for (_, w) in kept_from_new {
            kept_any = true;
            self.tally.fenced_writes += w.after_warmup;
            loss.lost_writes += w.acked;
            if let Some(t) = w.oldest {
                loss.oldest = Some(loss.oldest.map_or(t, |o| o.min(t)));
            }
        }
        if kept_any {
            // Their records still in the log are counted: a later failover to another
            // replica that lacks them must not count them again.
            for r in &mut self.logs[o as usize].records {
                r.lost_withheld |= r.withheld & (1 << new) != 0;
            }
        }
        let d = self.regions.len();
        // FIFO logs: what `new` lacks of `o` is a suffix of o's log.
        let fence_from = self.applied[new as usize * d + o as usize] + 1;
        if fence_from > self.logs[o as usize].next_seq {
            return;
        }
        let adds = self.every_write_adds();
        // Writes fenced off at an earlier failover may still be in the log (behind writes
        // still on their way to a far replica): they were counted then.
        let earlier = &self.fenced[o as usize];
        let log = &mut self.logs[o as usize];
        for (i, r) in log.records.iter().enumerate() {
            let seq = log.base + 1 + i as u32;
            if seq < fence_from || in_ranges(earlier, seq) || r.applied & (1 << new) != 0 {
                continue;
            }
            let after_warmup = r.version.true_t >= self.warmup;
            if adds {
                // Fenced from now on, kept from `new` by residency or not: the replicas that
                // applied it hold its increment until they are reconciled.
                for t in (0..d).filter(|t| r.applied & (1 << t) != 0) {
                    let f = self
                        .fenced_in_value
                        .entry(r.key as usize * d + t)
                        .or_default();
                    f.0 += 1;
                    f.1 += i64::from(after_warmup);
                }
            }
            if r.lost_withheld || r.withheld & (1 << new) != 0 {
                continue; // counted with the writes residency kept from `new`, above
            }
            if after_warmup {
                self.tally.fenced_writes += 1;
            }
            if r.acked.is_some() {
                loss.lost_writes += 1;
                loss.oldest = Some(
                    loss.oldest
                        .map_or(r.version.true_t, |o| o.min(r.version.true_t)),
                );
            }
            if r.withheld != 0 {
                // Counted here: a later promotion of a replica residency kept it from must
                // not count it again. (The tally holds the writes withheld since its last
                // promotion of such a replica; those before it are marked `lost_withheld`.)
                if let Some(w) = self.withheld.get_mut(&(o, r.withheld)) {
                    w.after_warmup -= u64::from(after_warmup);
                    if r.acked.is_some() {
                        w.acked -= 1;
                        // The fenced writes are the newest of the origin's: when the oldest
                        // acknowledged one is among them, so is every other.
                        if w.acked == 0 {
                            w.oldest = None;
                        }
                    }
                }
            }
        }
        let ranges = &mut self.fenced[o as usize];
        match ranges.last_mut() {
            Some(last) if fence_from <= last.1.saturating_add(1) => {
                *last = (last.0.min(fence_from), log.next_seq);
            }
            _ => ranges.push((fence_from, log.next_seq)),
        }
        // Fenced records wait for no one; the others still wait for the replicas their kept
        // messages are on the way to.
        for (i, r) in log.records.iter_mut().enumerate() {
            if log.base + 1 + i as u32 >= fence_from {
                r.pending = 0;
            }
        }
        // Each key's list of the origin's writes skips the fenced ones (lost, so neither in
        // conflict pairs nor missed by reads), which may stay in the log behind kept ones a
        // while.
        for (i, r) in log.records.iter().enumerate().rev() {
            let seq = log.base + 1 + i as u32;
            if seq < fence_from {
                break;
            }
            let last = &mut self.last_of_key[r.key as usize * d + o as usize];
            if *last == seq {
                *last = r.prev_of_key;
            }
        }
        loss.fenced_origins |= 1 << o;
        self.retire(o as usize);
        // In a chain a write travels on other regions' links too.
        for l in &mut self.links {
            l.queue.retain(|m| m.origin != o || m.seq < fence_from);
        }
    }

    /// Delivers every queued message, ignoring faults, in each link's order (chains forward
    /// as they go): the converged final state SPEC §3 defines lost updates against. Returns
    /// the messages applied.
    pub fn converge(&mut self, now: SimTime) -> u64 {
        let d = self.len();
        let mut applied = 0;
        if let Some(q) = &mut self.quorum {
            let hints: Vec<_> = q.unapplied_hints().collect();
            q.drop_hints();
            applied += hints.len() as u64;
            for (y, key, v) in hints {
                self.quorum_apply(y, key, v, now, false);
            }
        }
        loop {
            let mut progress = false;
            for from in 0..d {
                for to in 0..d {
                    while let Some(m) = self.links[from * d + to].queue.pop_front() {
                        progress = true;
                        if self.apply(m, to as DataRegion, now, false) {
                            applied += 1;
                            if let Some(n) =
                                self.next_hop(m.origin, from as DataRegion, to as DataRegion)
                            {
                                self.links[to * d + n as usize].queue.push_back(Message {
                                    ship: now,
                                    arrive: now,
                                    due: now,
                                    ..m
                                });
                            }
                        }
                    }
                    self.links[from * d + to].scheduled = false;
                }
            }
            if !progress {
                return applied;
            }
        }
    }

    /// A write committed at `committed` was applied at a replica at `now`, during the run.
    #[inline]
    pub(crate) fn applied_live(&mut self, committed: SimTime, now: SimTime) {
        if self.converge_from.is_some_and(|heal| committed < heal) {
            self.pre_heal_applied = self.pre_heal_applied.max(now);
        }
    }

    /// SPEC §3 convergence: the time from the end of the last scripted fault until every write
    /// committed before it was applied at every replica that takes it (writes fenced off at a
    /// failover or withheld by residency are not waited for); 0 when nothing was left to
    /// replicate. `None` without scripted faults, or when some such write was still unapplied
    /// at the end of the run. Call at the end of the run, after the quorum's travelling
    /// writes became hints and before [`DataLayer::converge`].
    pub fn convergence(&self) -> Option<SimTime> {
        let heal = self.converge_from?;
        let waiting = self
            .logs
            .iter()
            .flat_map(|l| &l.records)
            .any(|r| r.pending > 0 && r.version.true_t < heal)
            || self
                .quorum
                .as_ref()
                .is_some_and(|q| q.unapplied_hints().any(|h| h.2.true_t < heal));
        (!waiting).then(|| self.pre_heal_applied.saturating_sub(heal))
    }

    /// Whether write `(origin, seq)` was fenced off by a failover.
    #[inline]
    pub fn is_fenced(&self, origin: DataRegion, seq: u32) -> bool {
        in_ranges(&self.fenced[origin as usize], seq)
    }

    /// Messages still queued on every link.
    pub fn queued(&self) -> usize {
        self.links.iter().map(|l| l.queue.len()).sum::<usize>()
            + self
                .quorum
                .as_ref()
                .map_or(0, |q| q.hints() + q.hints_in_transit())
    }

    /// Keys whose replicas disagree at the end of the run (by value, or by version for
    /// registers).
    pub fn diverged_keys(&self) -> u64 {
        let d = self.len();
        if d < 2 {
            return 0;
        }
        let fenced = |v: &Version| self.is_fenced(v.origin, v.seq);
        let mut n = 0;
        for k in 0..self.acked.len() {
            // Under Quorum only the key's replicas hold it.
            let row: Vec<&Version> = self.current[k * d..(k + 1) * d]
                .iter()
                .enumerate()
                .filter(|(x, v)| !fenced(v) && self.is_replica(k as u32, *x as DataRegion))
                .map(|(_, v)| v)
                .collect();
            let Some(first) = row.first() else { continue };
            let same = match self.class {
                KeyClass::Counter | KeyClass::Set => row.iter().all(|v| v.value == first.value),
                KeyClass::Register | KeyClass::Booking => row
                    .iter()
                    .all(|v| (v.origin, v.seq) == (first.origin, first.seq)),
            };
            if !same {
                n += 1;
            }
        }
        n
    }

    /// Sum over keys of the value held at data region `x` (counters: increments kept).
    pub fn total_value(&self, x: DataRegion) -> i64 {
        let d = self.len();
        (0..self.acked.len())
            .map(|k| {
                self.current[k * d + x as usize].value
                    - self.fenced_increments(k * d + x as usize).0
            })
            .sum()
    }

    /// The increments of fenced writes that replica version `ki` still holds (all, and
    /// post-warm-up ones): lost at their failover, so neither a total nor what is kept.
    fn fenced_increments(&self, ki: usize) -> (i64, i64) {
        self.fenced_in_value.get(&ki).copied().unwrap_or_default()
    }

    /// Counters and sets: the increments of writes committed after the warm-up that the
    /// converged state holds at the end: the primary's, when there is one, else the most any
    /// replica holds. Increments of fenced writes a replica's copies still hold (a demoted old
    /// primary's, say) are left out: they were lost at their failover.
    pub fn kept_after_warmup(&self, primary: Option<DataRegion>) -> u64 {
        let d = self.len();
        let replicas = match primary {
            Some(p) => p as usize..p as usize + 1,
            None => 0..d,
        };
        replicas
            .map(|x| {
                (0..self.acked.len())
                    .map(|k| {
                        self.current[k * d + x].value_after_warmup
                            - self.fenced_increments(k * d + x).1
                    })
                    .sum::<i64>()
            })
            .max()
            .unwrap_or(0)
            .max(0) as u64
    }
}

/// Whether `seq` lies in one of `ranges` (inclusive, their ends non-decreasing): the newest
/// range first, so a write newer than every range is answered at once.
#[inline]
fn in_ranges(ranges: &[(u32, u32)], seq: u32) -> bool {
    for &(from, to) in ranges.iter().rev() {
        if seq > to {
            return false;
        }
        if seq >= from {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConflictStrategy, Design};

    /// Key classes and conflict strategies where a later write replaces the value and where
    /// every write adds to it.
    const CLASSES_AND_STRATEGIES: [(KeyClass, ConflictStrategy); 7] = [
        (KeyClass::Register, ConflictStrategy::Lww),
        (KeyClass::Counter, ConflictStrategy::Lww),
        (KeyClass::Register, ConflictStrategy::AppLevel),
        (KeyClass::Booking, ConflictStrategy::Crdt),
        (KeyClass::Counter, ConflictStrategy::Merge),
        (KeyClass::Set, ConflictStrategy::Crdt),
        (KeyClass::Counter, ConflictStrategy::AppLevel),
    ];

    /// A scenario of three active regions (the M/M/c benchmark's region, copied), half writes.
    fn three_regions() -> crate::model::Scenario {
        let mut sc = crate::bench::mmc_scenario(9.0, 1, 1.0, 100.0, 0.0);
        for name in ["one", "two"] {
            let mut r = sc.regions[0].clone();
            r.name = name.into();
            sc.regions.push(r);
        }
        sc.design = Design::ActiveActive {
            regions: vec![0, 1, 2],
        };
        sc.populations[0].write_fraction = 0.5;
        sc
    }

    /// Sends write `seq` of `from` to `to` at `t`, arriving at once, and applies it.
    fn relay(data: &mut DataLayer, from: DataRegion, to: DataRegion, seq: u32, t: SimTime) {
        let msg = Message {
            origin: from,
            seq,
            ship: t,
            arrive: t,
            due: t,
            tag: 1,
            billed: true,
        };
        data.push(from, to, msg);
        assert!(data.deliver(from, to, t).0.is_some());
    }

    /// A data layer over two active regions (no replication delivered: each holds only its
    /// own writes).
    fn two_regions(class: KeyClass, conflict: ConflictStrategy) -> DataLayer {
        let mut sc = crate::bench::mmc_scenario(9.0, 1, 1.0, 100.0, 0.0);
        let mut other = sc.regions[0].clone();
        other.name = "other".into();
        sc.regions.push(other);
        sc.design = Design::ActiveActive {
            regions: vec![0, 1],
        };
        sc.data.class = class;
        sc.data.conflict = conflict;
        sc.populations[0].write_fraction = 0.5;
        DataLayer::new(&sc, 1)
    }

    #[test]
    fn read_your_writes_owes_the_user_their_later_committed_write_whatever_the_ack_order() {
        for (class, conflict) in CLASSES_AND_STRATEGIES {
            let adds = matches!(class, KeyClass::Counter | KeyClass::Set)
                && conflict != ConflictStrategy::Lww;
            let mut data = two_regions(class, conflict);
            // The user writes the key at region 0 (t = 10) and then at region 1 (t = 30); the
            // second is acknowledged first (40), the first last (50), as when it waited for a
            // far replica. Region 0 holds its own write but not region 1's.
            let a = data.commit(0, 0, 10, true);
            let b = data.commit(1, 0, 30, true);
            data.acknowledged(1, b, 0, 0, 0, 30, 40);
            data.acknowledged(0, a, 0, 0, 0, 10, 50);
            // The user has each acknowledgement 2 later.
            data.ack_received(1, b, 0, 0, 0, 42);
            data.ack_received(0, a, 0, 0, 0, 52);
            data.read(0, 0, 0, 0, 60, 60);
            assert_eq!(data.tally.ryw_violations, 1, "{class:?} {conflict:?}");
            // Region 1 lacks the user's first write: a violation only where every write adds
            // to the value (where a later write replaces it, that write is the version owed).
            data.read(1, 0, 0, 0, 60, 60);
            let expected = if adds { 2 } else { 1 };
            assert_eq!(
                data.tally.ryw_violations, expected,
                "{class:?} {conflict:?}"
            );
        }
    }

    #[test]
    fn a_read_of_the_newest_version_is_stale_only_where_every_write_adds_to_the_value() {
        const MS: SimTime = 1_000_000;
        for (class, conflict) in CLASSES_AND_STRATEGIES {
            let adds = matches!(class, KeyClass::Counter | KeyClass::Set)
                && conflict != ConflictStrategy::Lww;
            let mut data = two_regions(class, conflict);
            // Region 1 writes the key at 10 ms (acknowledged at 20), region 0 at 30 ms
            // (acknowledged at 40); neither has the other's write.
            let a = data.commit(1, 0, 10 * MS, true);
            data.acknowledged(1, a, 0, 0, 0, 10 * MS, 20 * MS);
            let b = data.commit(0, 0, 30 * MS, true);
            data.acknowledged(0, b, 0, 0, 0, 30 * MS, 40 * MS);
            // Region 0 returns the newest version: stale only where the value lacks an
            // effect, not where the newest write replaces the older one.
            data.read(0, 0, 0, 0, 60 * MS, 60 * MS);
            let expected = u64::from(adds);
            assert_eq!(data.tally.stale_reads, expected, "{class:?} {conflict:?}");
            // Region 1 lacks the newest version: stale whatever the class.
            data.read(1, 0, 0, 0, 60 * MS, 60 * MS);
            assert_eq!(
                data.tally.stale_reads,
                expected + 1,
                "{class:?} {conflict:?}"
            );

            // Region 1 writes again at 50 ms (acknowledged at 55): a read at region 0 misses
            // it. Its staleness age runs from the oldest acknowledged version it missed:
            // region 1's first write (20 ms) where every write adds, else the one newer than
            // the version region 0 returns (55 ms).
            let mut data = two_regions(class, conflict);
            let a = data.commit(1, 0, 10 * MS, true);
            data.acknowledged(1, a, 0, 0, 0, 10 * MS, 20 * MS);
            let b = data.commit(0, 0, 30 * MS, true);
            data.acknowledged(0, b, 0, 0, 0, 30 * MS, 40 * MS);
            let c = data.commit(1, 0, 50 * MS, true);
            data.acknowledged(1, c, 0, 0, 0, 50 * MS, 55 * MS);
            data.read(0, 0, 0, 0, 60 * MS, 60 * MS);
            assert_eq!(data.tally.stale_reads, 1, "{class:?} {conflict:?}");
            let age_ms = data.staleness.quantile_ms(1.0);
            let expected_ms = if adds { 40.0 } else { 5.0 };
            assert!(
                (age_ms - expected_ms).abs() < 0.01 * expected_ms,
                "{class:?} {conflict:?}: age {age_ms} ms, expected {expected_ms}"
            );
        }
    }

    /// Region 1's write `b` of key 0, committed at `t` without having seen region 0's, is
    /// delivered to region 0 and applied there.
    fn deliver_concurrent_write(data: &mut DataLayer, t: SimTime) {
        let b = data.commit(1, 0, t, true);
        let msg = Message {
            origin: 1,
            seq: b,
            ship: t,
            arrive: t,
            due: t,
            tag: 0,
            billed: true,
        };
        data.push(1, 0, msg);
        let (applied, _) = data.deliver(1, 0, t);
        assert!(applied.is_some());
    }

    /// Home's writes kept from region 2 by residency: the two region 1 lacks are lost at
    /// home → 1, and home → 1 → 2 then loses the other two, not all four again.
    #[test]
    fn a_withheld_write_fenced_at_one_promotion_is_not_lost_again_at_the_next() {
        let mut sc = three_regions();
        sc.data.keys = 4;
        let mut data = DataLayer::new(&sc, 1);
        for key in 0..4 {
            let t = (key as SimTime + 1) * 1_000_000_000;
            let seq = data.commit(0, key, t, false);
            data.withhold(0, seq, 1 << 2);
            data.acknowledged(0, seq, key, 0, 0, t, t);
            if key < 2 {
                relay(&mut data, 0, 1, seq, t);
            }
        }
        let first = data.failover(0, 1);
        assert_eq!(first.lost_writes, 2);
        assert_eq!(first.oldest, Some(3_000_000_000));
        let second = data.failover(1, 2);
        assert_eq!(second.lost_writes, 2);
        assert_eq!(second.oldest, Some(1_000_000_000));
        assert_eq!(data.tally.lost_at_failover, 4);
        assert_eq!(data.tally.fenced_writes, 4);
        // Back to home, which holds all of them: nothing more is lost.
        assert_eq!(data.failover(2, 0).lost_writes, 0);
        assert_eq!(data.tally.lost_at_failover, 4);
    }

    /// Counters and sets add each write where it is applied. Region 1 writes the key after
    /// applying region 0's write of it; region 2 receives region 1's write first (links are
    /// not causally ordered across origins), then region 0's. Taking region 1's value whole
    /// for region 2's first version counted region 0's write twice there (3, not 2), so the
    /// replicas never agreed.
    #[test]
    fn a_replicas_first_version_of_a_counter_adds_only_the_write_itself() {
        for conflict in [
            ConflictStrategy::Merge,
            ConflictStrategy::Crdt,
            ConflictStrategy::AppLevel,
        ] {
            let mut sc = three_regions();
            sc.data.class = KeyClass::Counter;
            sc.data.conflict = conflict;
            let mut data = DataLayer::new(&sc, 1);
            let a = data.commit(0, 0, 10, true);
            relay(&mut data, 0, 1, a, 20);
            let b = data.commit(1, 0, 30, true);
            relay(&mut data, 1, 2, b, 40);
            relay(&mut data, 0, 2, a, 50);
            relay(&mut data, 1, 0, b, 60);
            let totals: Vec<i64> = (0..3).map(|x| data.total_value(x)).collect();
            assert_eq!(totals, [2, 2, 2], "{conflict:?}");
            assert_eq!(data.diverged_keys(), 0, "{conflict:?}");
        }
    }

    /// A fenced increment stays in the copies of the replicas that applied it until the new
    /// lineage reaches the key there; totals leave it out meanwhile, and a write reaching the
    /// key (committed there, or applied) builds on the value without it.
    #[test]
    fn fenced_increments_leave_the_totals_and_are_dropped_when_the_new_lineage_arrives() {
        let mut sc = three_regions();
        sc.data.class = KeyClass::Counter;
        sc.data.conflict = ConflictStrategy::Merge;
        let mut data = DataLayer::new(&sc, 1);
        let totals =
            |data: &DataLayer| -> Vec<i64> { (0..3).map(|x| data.total_value(x)).collect() };
        let a1 = data.commit(0, 0, 10, true);
        relay(&mut data, 0, 1, a1, 11);
        relay(&mut data, 0, 2, a1, 11);
        // Region 2 applies 0's second write; region 1, promoted, never does: fenced.
        let a2 = data.commit(0, 0, 20, true);
        relay(&mut data, 0, 2, a2, 21);
        data.failover(0, 1);
        assert_eq!(totals(&data), [1, 1, 1]);
        // Region 2 writes the key: on 1, not 2.
        data.commit(2, 0, 30, true);
        assert_eq!(data.total_value(2), 2);
        // Region 1's write reaches region 0's fenced copy: 1 + 1.
        let b = data.commit(1, 0, 40, true);
        relay(&mut data, 1, 0, b, 41);
        assert_eq!(data.total_value(0), 2);
        assert_eq!(data.kept_after_warmup(Some(0)), 2);
    }

    #[test]
    fn last_writer_wins_loses_a_synchronous_write_only_if_it_is_acknowledged() {
        // SPEC §3 Lost update: only an acknowledged write is lost. Region 0's synchronous
        // write of key 0 (committed at 10) is discarded when region 1's later-stamped,
        // concurrent write (at 30) is applied at region 0.
        let sync_layer = || {
            let mut data = two_regions(KeyClass::Register, ConflictStrategy::Lww);
            data.mode = ReplicationMode::Sync;
            assert_eq!(data.acks_needed(), 1);
            data
        };
        // Acknowledged before the discard: lost at once.
        let mut data = sync_layer();
        let a = data.commit(0, 0, 10, true);
        data.acknowledged(0, a, 0, 0, 0, 10, 20);
        deliver_concurrent_write(&mut data, 30);
        assert_eq!(data.tally.lost_updates, 1);
        assert_eq!(
            data.unacknowledged(),
            1,
            "b still waits for its acknowledgement"
        );

        // Acknowledged after the discard: lost when it is.
        let mut data = sync_layer();
        let a = data.commit(0, 0, 10, true);
        deliver_concurrent_write(&mut data, 30);
        assert_eq!(data.tally.lost_updates, 0);
        data.acknowledged(0, a, 0, 0, 0, 10, 40);
        assert_eq!(data.tally.lost_updates, 1);

        // Abandoned (its attempt timed out) before or after the discard: never lost, and
        // nothing of it is left behind.
        for abandon_first in [true, false] {
            let mut data = sync_layer();
            let a = data.commit(0, 0, 10, true);
            if abandon_first {
                data.abandoned(0, a);
            }
            deliver_concurrent_write(&mut data, 30);
            if !abandon_first {
                data.abandoned(0, a);
            }
            assert_eq!(data.tally.lost_updates, 0, "abandon first: {abandon_first}");
            assert_eq!(data.unacknowledged(), 1, "only b: {abandon_first}");
        }

        // An earlier acknowledged write of the key does not make a later, abandoned one
        // acknowledged: the region's acknowledged current version is the earlier one.
        let mut data = sync_layer();
        let a = data.commit(0, 0, 10, true);
        data.acknowledged(0, a, 0, 0, 0, 10, 15);
        let a2 = data.commit(0, 0, 20, true);
        data.abandoned(0, a2);
        deliver_concurrent_write(&mut data, 30);
        assert_eq!(data.tally.lost_updates, 0);
    }

    #[test]
    fn remember_keeps_the_newest_write_of_each_of_the_last_keys() {
        let mut recent = [(0u32, 0u32); 3]; // (key, seq); seq 0: none
        let same = |key: u32| move |w: &(u32, u32)| w.1 > 0 && w.0 == key;
        for (key, seq) in [(1, 1), (2, 2), (1, 3), (3, 4)] {
            remember(&mut recent, (key, seq), same(key));
        }
        assert_eq!(recent, [(3, 4), (1, 3), (2, 2)]);
        remember(&mut recent, (4, 5), same(4)); // a fourth key: the oldest goes
        assert_eq!(recent, [(4, 5), (3, 4), (1, 3)]);
        remember(&mut recent, (1, 6), same(1)); // the same key again: moves to the front
        assert_eq!(recent, [(1, 6), (4, 5), (3, 4)]);
    }

    #[test]
    fn in_ranges_finds_a_seq_in_any_fenced_range_against_a_plain_scan() {
        let ranges = [(3, 5), (4, 9), (12, 12), (20, 30)];
        for seq in 0..40 {
            let plain = ranges.iter().any(|&(a, b)| (a..=b).contains(&seq));
            assert_eq!(in_ranges(&ranges, seq), plain, "{seq}");
        }
        assert!(!in_ranges(&[], 1));
    }

    fn rec(pending: u8, key: u32) -> WriteRecord {
        WriteRecord {
            key,
            prev_of_key: 0,
            ord_of_key: 0,
            jump: (0, 0),
            version: Version::default(),
            deps: Box::new([]),
            acked: None,
            pending,
            applied: 0,
            withheld: 0,
            lost_withheld: false,
        }
    }

    #[test]
    fn log_finds_records_by_sequence_after_retiring() {
        let mut l = Log::default();
        for (i, p) in [0u8, 1, 0].iter().enumerate() {
            l.records.push_back(rec(*p, i as u32 + 10));
            l.next_seq += 1;
        }
        l.retire(|_, _| {});
        assert_eq!(l.base, 1);
        assert!(l.get(1).is_none());
        assert_eq!(l.get(2).unwrap().key, 11);
        assert_eq!(l.get(3).unwrap().key, 12);
        assert!(l.get(4).is_none());
        l.get_mut(2).unwrap().pending = 0;
        l.retire(|_, _| {});
        assert_eq!(l.base, 3);
        assert!(l.records.is_empty());
    }
}
