//! Conflict resolvers (SPEC §3 Conflict): what a replica does when a write arrives for a key it
//! already holds. Each strategy lives in its own file behind [`ConflictResolver`].

mod app_level;
mod lww;
mod merge;

pub use app_level::AppLevel;
pub use lww::LastWriterWins;
pub use merge::MergeOrCrdt;

use crate::model::{ConflictStrategy, KeyClass};

/// The version of a key a replica holds, or a write arriving at it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Version {
    /// Data-region index of the writer.
    pub origin: u8,
    /// The writer's sequence number (1-based; 0 = no version yet).
    pub seq: u32,
    /// The writer's timestamp (its clock, or a hybrid logical clock).
    pub ts: u64,
    /// True commit time (for "wrong winner" only; never used to decide).
    pub true_t: u64,
    /// The value: a register's version number, a counter's total, a set's size.
    pub value: i64,
    /// The part of a counter's or set's `value` added by writes committed after the warm-up:
    /// what SPEC §3's lost updates are counted against (request metrics skip the warm-up).
    pub value_after_warmup: i64,
}

impl Version {
    /// Whether a replica holds any version.
    pub fn exists(&self) -> bool {
        self.seq > 0
    }
    /// Total order for last-writer-wins: timestamp, then origin.
    pub fn lww_key(&self) -> (u64, u8) {
        (self.ts, self.origin)
    }
}

/// What to do with an incoming write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// The incoming version replaces the current one.
    TakeIncoming,
    /// The incoming write is discarded.
    KeepCurrent,
    /// Both count: the value becomes current + the incoming write's delta.
    Merge,
    /// Concurrent versions are both kept for the application to resolve.
    KeepBoth,
}

/// A conflict strategy.
pub trait ConflictResolver: Send + Sync {
    /// Resolves `incoming` against `current` (which exists). `concurrent`: neither saw the other.
    fn resolve(
        &self,
        class: KeyClass,
        current: &Version,
        incoming: &Version,
        concurrent: bool,
    ) -> Resolution;
    /// Whether a local write must beat the current version's timestamp to take effect (LWW
    /// compares timestamps on every write, even a causally later one).
    fn local_write_can_lose(&self, class: KeyClass) -> bool;
    /// Whether writes carry hybrid-logical-clock timestamps.
    fn uses_hlc(&self) -> bool {
        false
    }
}

/// The resolver for a strategy.
pub fn resolver(s: ConflictStrategy) -> Box<dyn ConflictResolver> {
    match s {
        ConflictStrategy::Lww => Box::new(LastWriterWins),
        ConflictStrategy::Merge => Box::new(MergeOrCrdt { hlc: false }),
        ConflictStrategy::Crdt => Box::new(MergeOrCrdt { hlc: true }),
        ConflictStrategy::AppLevel => Box::new(AppLevel),
    }
}
