//! The state faults change: which links are cut, which are slowed, and what each fault touched.
//!
//! Places are numbered regions first, then populations. A partition or a latency spike is an
//! explicit counter on each directed pair it affects, raised when the fault starts and lowered
//! when it ends, so overlapping faults compose and end cleanly.

use crate::engine::SimTime;
use crate::model::{Place, PopulationId, RegionId, Scenario};

/// Index of a fault record: scripted faults first, then one per region with random outages.
pub type FaultId = u16;
/// No fault.
pub const NO_FAULT: FaultId = FaultId::MAX;

/// Which of the active faults on each slot (a directed link, a region) is charged with what
/// happens there: the one begun last among those still active. Overlapping faults are rare and
/// few, so one list of the active (slot, fault) pairs, in the order they began, serves them
/// all; the charged fault of each slot is kept beside it for the lookups on the request path.
#[derive(Debug)]
pub struct Blame {
    by: Vec<FaultId>,
    active: Vec<(u32, FaultId)>,
}

impl Blame {
    /// No fault on any of `slots` slots.
    pub fn new(slots: usize) -> Self {
        Blame {
            by: vec![NO_FAULT; slots],
            active: vec![],
        }
    }
    /// The fault charged on `slot` now (`NO_FAULT`: none).
    #[inline]
    pub fn get(&self, slot: usize) -> FaultId {
        self.by[slot]
    }
    /// Fault `by` begins on `slot`: it is charged from now.
    pub fn begin(&mut self, slot: usize, by: FaultId) {
        self.active.push((slot as u32, by));
        self.by[slot] = by;
    }
    /// Fault `by` ends on `slot`: the last begun of those left on it is charged from now.
    pub fn end(&mut self, slot: usize, by: FaultId) {
        let key = slot as u32;
        if let Some(i) = self.active.iter().rposition(|e| *e == (key, by)) {
            self.active.remove(i);
        }
        self.by[slot] = self
            .active
            .iter()
            .rev()
            .find(|e| e.0 == key)
            .map_or(NO_FAULT, |e| e.1);
    }
}

/// The faults of one kind active on a region, in the order they began: (fault, its share or
/// factor, whether it reaches health probes too). `ErrorRate` and `Slowdown` keep one each.
pub type ActiveFaults = Vec<(FaultId, f64, bool)>;

/// Fault `entry.0` begins (`start`) or ends on `active`: added at the end, or removed. Whether
/// the list changed (an end of a fault not in it changes nothing).
pub fn set_active(active: &mut ActiveFaults, entry: (FaultId, f64, bool), start: bool) -> bool {
    if start {
        active.push(entry);
        true
    } else if let Some(i) = active.iter().position(|e| e.0 == entry.0) {
        active.remove(i);
        true
    } else {
        false
    }
}

/// Directed link state between every pair of places.
pub struct LinkState {
    n_regions: usize,
    n_places: usize,
    cut: Vec<u16>,
    cut_by: Blame,
    /// When each pair's current cut began (meaningful while it is cut).
    cut_since: Vec<SimTime>,
    extra: Vec<SimTime>,
    extra_by: Blame,
    /// Whether any spike or cut is active (the fast path skips lookups when not).
    active: u32,
}

impl LinkState {
    /// Every link whole.
    pub fn new(n_regions: usize, n_pops: usize) -> Self {
        let n = n_regions + n_pops;
        LinkState {
            n_regions,
            n_places: n,
            cut: vec![0; n * n],
            cut_by: Blame::new(n * n),
            cut_since: vec![0; n * n],
            extra: vec![0; n * n],
            extra_by: Blame::new(n * n),
            active: 0,
        }
    }
    /// A place's index.
    pub fn index(&self, p: Place) -> usize {
        match p {
            Place::Region(r) => r as usize,
            Place::Population(q) => self.n_regions + q as usize,
        }
    }
    /// Index of a region.
    #[inline]
    pub fn region(&self, r: RegionId) -> usize {
        r as usize
    }
    /// Index of a population.
    #[inline]
    pub fn population(&self, p: PopulationId) -> usize {
        self.n_regions + p as usize
    }
    /// Whether `a → b` is cut now, and by which fault.
    #[inline]
    pub fn cut(&self, a: usize, b: usize) -> Option<FaultId> {
        if self.active == 0 {
            return None;
        }
        let i = a * self.n_places + b;
        (self.cut[i] > 0).then_some(self.cut_by.get(i))
    }
    /// Whether `a → b` is cut now by a cut that began at or before `t`, and by which fault.
    #[inline]
    pub fn cut_since(&self, a: usize, b: usize, t: SimTime) -> Option<FaultId> {
        let i = a * self.n_places + b;
        self.cut(a, b).filter(|_| self.cut_since[i] <= t)
    }
    /// When the last cut of `a → b` began (0: never cut).
    pub fn cut_began(&self, a: usize, b: usize) -> SimTime {
        self.cut_since[a * self.n_places + b]
    }
    /// Extra one-way delay on `a → b` now, and the fault that adds it.
    #[inline]
    pub fn extra(&self, a: usize, b: usize) -> (SimTime, FaultId) {
        if self.active == 0 {
            return (0, NO_FAULT);
        }
        let i = a * self.n_places + b;
        (self.extra[i], self.extra_by.get(i))
    }
    /// Cuts (`on`) or heals the directed pair `a → b` at `now`.
    pub fn set_cut(&mut self, a: usize, b: usize, on: bool, by: FaultId, now: SimTime) {
        let i = a * self.n_places + b;
        if on {
            if self.cut[i] == 0 {
                self.cut_since[i] = now;
            }
            self.cut[i] += 1;
            self.cut_by.begin(i, by);
            self.active += 1;
        } else {
            self.cut[i] -= 1;
            self.cut_by.end(i, by);
            self.active -= 1;
        }
    }
    /// Adds (`on`) or removes `extra` one-way delay on `a → b`.
    pub fn set_extra(&mut self, a: usize, b: usize, extra: SimTime, on: bool, by: FaultId) {
        let i = a * self.n_places + b;
        if on {
            self.extra[i] += extra;
            self.extra_by.begin(i, by);
            self.active += 1;
        } else {
            self.extra[i] -= extra;
            self.extra_by.end(i, by);
            self.active -= 1;
        }
    }
    /// Every place index.
    pub fn places(&self) -> std::ops::Range<usize> {
        0..self.n_places
    }
}

/// What one fault did, as it happened.
#[derive(Debug, Clone, Default)]
pub struct FaultTally {
    /// Attempts that were in the region's pool when it went down (lost).
    pub lost_in_region: u64,
    /// Attempts refused at connect (region down or partitioned from the users).
    pub refused: u64,
    /// Messages dropped (reached a dead region, or crossed a cut link; a quorum write that
    /// becomes a hint is held, not dropped).
    pub dropped: u64,
    /// Messages slowed by a latency spike.
    pub delayed: u64,
    /// Requests that reached a region while it ran with reduced capacity.
    pub reduced_capacity_arrivals: u64,
    /// Requests that reached a region while it was slowed down (`Slowdown`).
    pub slowed_arrivals: u64,
    /// Health probes that failed because of this fault.
    pub probes_failed: u64,
    /// Replication messages held back (delivered when the fault heals; under `Quorum`, the
    /// hints of writes the fault kept from a replica).
    pub messages_held: u64,
    /// Replication messages slowed by a lag spike.
    pub replication_delayed: u64,
    /// Writes stamped by a clock after it jumped.
    pub writes_stamped: u64,
    /// Attempts a region served and answered with an error (`ErrorRate`).
    pub errors: u64,
    /// Keys whose replicas disagreed when a partition between regions healed.
    pub diverged_keys_at_heal: Option<u64>,
    /// Time from the heal until replication had delivered everything held by the fault.
    pub caught_up_after: Option<SimTime>,
    /// Requests issued after the warm-up that finally failed after this fault refused, dropped
    /// or lost one of their attempts (the last fault to touch a request takes it).
    pub requests_failed: u64,
    /// Per population, the requests that finally failed after this fault touched them, warm-up
    /// included: the populations it affected (SPEC §3 RTO).
    pub failed_by_population: Vec<u64>,
    /// Last time an attempt was sent to the region while it was down (time to drain).
    pub last_attempt_while_down: Option<SimTime>,
    /// Occurrences (1 for a scripted fault; outages drawn for random ones).
    pub occurrences: u64,
    /// Total time the fault was active.
    pub active_time: SimTime,
    /// Start of the current occurrence.
    pub started: Option<SimTime>,
}

impl FaultTally {
    /// Nothing touched yet, in a run of `n_pops` populations.
    pub fn new(n_pops: usize) -> Self {
        FaultTally {
            failed_by_population: vec![0; n_pops],
            ..FaultTally::default()
        }
    }
    /// Requests and messages this fault touched.
    pub fn touched(&self) -> u64 {
        self.lost_in_region
            + self.refused
            + self.dropped
            + self.delayed
            + self.reduced_capacity_arrivals
            + self.slowed_arrivals
            + self.probes_failed
            + self.messages_held
            + self.replication_delayed
            + self.writes_stamped
            + self.errors
    }
}

/// A label for each fault record of a scenario.
pub fn fault_labels(sc: &Scenario) -> Vec<String> {
    let mut v: Vec<String> = sc.faults.iter().map(|f| f.label.clone()).collect();
    if let Some(ro) = &sc.random_outages {
        for r in &ro.regions {
            v.push(format!("RandomOutages({})", sc.regions[*r as usize].name));
        }
    }
    v
}
