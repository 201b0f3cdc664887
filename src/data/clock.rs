//! Region clocks (SPEC §1 Clock): each region's offset and drift are drawn once per run;
//! timestamps a design uses come from these clocks, never from true time. Hybrid logical
//! clocks (Kulkarni et al. 2014) are built on them for the CRDT strategy.

use crate::distribution::Dist;
use crate::engine::SimTime;
use crate::rng::{Stream, unit};

/// One region's physical clock: `true time + offset + drift · true time`, in ns.
#[derive(Debug, Clone, Copy)]
pub struct RegionClock {
    offset: i64,
    drift: f64,
}

impl RegionClock {
    /// Draws a clock: offset magnitude from `skew`, sign and drift sign at random.
    pub fn draw(skew: &Dist, drift_ppm: f64, rng: &mut Stream) -> Self {
        let magnitude = skew.sample(rng) as i64;
        let sign = if unit(rng) < 0.5 { -1 } else { 1 };
        let drift_sign = if unit(rng) < 0.5 { -1.0 } else { 1.0 };
        RegionClock {
            offset: sign * magnitude,
            drift: drift_sign * drift_ppm * 1e-6,
        }
    }
    /// A perfect clock.
    pub fn perfect() -> Self {
        RegionClock {
            offset: 0,
            drift: 0.0,
        }
    }
    /// The clock's reading at true time `t`, counted from [`RegionClock::EPOCH`] so that a
    /// clock behind true time early in a run still reads in order. (Readings used to be
    /// clamped at 0: a region whose clock was behind stamped every write 0 while it was, two
    /// of its writes tied, and last-writer-wins replicas kept the first for good; 2026-12-04
    /// review.)
    #[inline]
    pub fn read(&self, t: SimTime) -> u64 {
        let v = i128::from(t) + i128::from(self.offset) + (t as f64 * self.drift) as i128;
        (v + i128::from(Self::EPOCH)).clamp(0, i128::from(u64::MAX)) as u64
    }
    /// Where readings start: 2^62 ns (146 years) from 0, so that no plausible skew reaches
    /// below it, and far enough from `u64::MAX` that a run's longest time (below 2^63 ns)
    /// fits above it (readings beyond either end are clamped).
    pub const EPOCH: u64 = 1 << 62;
    /// Moves the clock by `by` ns (a clock jump).
    pub fn jump(&mut self, by: i64) {
        self.offset += by;
    }
    /// The offset in ns (for reports).
    pub fn offset_ns(&self) -> i64 {
        self.offset
    }
}

/// A hybrid logical clock: (physical ms-ish part, logical counter) packed in one u64 with the
/// low 16 bits as the counter; it never goes backwards and always exceeds what it has seen.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hlc {
    last: u64,
}

impl Hlc {
    const LOGICAL_BITS: u32 = 16;
    /// A timestamp for a local event at physical reading `pt`.
    pub fn now(&mut self, pt: u64) -> u64 {
        let p = (pt >> Self::LOGICAL_BITS) << Self::LOGICAL_BITS;
        self.last = if p > self.last { p } else { self.last + 1 };
        self.last
    }
    /// Merges a received timestamp.
    pub fn observe(&mut self, ts: u64) {
        self.last = self.last.max(ts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hlc_is_monotone_and_passes_what_it_saw() {
        let mut h = Hlc::default();
        let a = h.now(1 << 20);
        let b = h.now(1 << 20);
        assert!(b > a);
        h.observe(u64::from(u32::MAX) << 16);
        assert!(h.now(0) > u64::from(u32::MAX) << 16);
    }

    #[test]
    fn clock_reads_offset_and_drift() {
        let c = RegionClock {
            offset: -5,
            drift: 1e-3,
        };
        let e = RegionClock::EPOCH;
        assert_eq!(c.read(1000), e + 1000 - 5 + 1);
        assert_eq!(c.read(0), e - 5);
        // A clock behind true time reads in order from the start of the run.
        let behind = RegionClock {
            offset: -3_600_000_000_000,
            drift: -1e-4,
        };
        let readings: Vec<u64> = (0..100).map(|s| behind.read(s * 1_000_000_000)).collect();
        assert!(readings.windows(2).all(|w| w[0] < w[1]), "{readings:?}");
    }
}
