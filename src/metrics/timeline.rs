//! The timeline (SPEC §3): per fixed window, issued / ok / failed by reason and p50/p99 latency,
//! overall, per population and per region. Requests are counted in the window they were issued;
//! region rows count outcomes only (which region a request reaches is unknown when it is issued,
//! so their `issued` is 0).

use super::FailReason;
use super::histogram::BucketLayout;
use crate::engine::SimTime;
use hdrhistogram::Histogram;

/// Bounds and digits of a cell's histogram.
const LOW_NS: u64 = 10_000;
const HIGH_NS: u64 = 3_600_000_000_000;
const DIGITS: u8 = 1;
const LAYOUT: BucketLayout = BucketLayout::new(LOW_NS, HIGH_NS, DIGITS);

/// Counters and a coarse histogram of one scope in one window (one significant digit: a
/// quantile reads up to 6.25% above the true value; the run's own histograms keep ≤ 1%).
///
/// While the run records, latencies go into a plain count per bucket (one index computation
/// and one increment); [`Timeline::finish`] turns the counts into the histogram.
#[derive(Clone, Default)]
pub struct WindowStats {
    pub issued: u64,
    pub ok: u64,
    pub failed: [u64; 5],
    /// Of the failed, those a fault was charged with (it refused, dropped or lost one of their
    /// attempts, or blocked the replication one waited on): the rest failed of themselves or
    /// of an effect no fault owns (kept for the populations' cells only).
    pub charged: u64,
    counts: Option<Box<[u32]>>,
    hist: Option<Box<Histogram<u32>>>,
}

/// Bytes of one timeline cell with its histogram allocated (for the run's memory budget): the
/// larger of the counts it records into and the histogram they become.
pub fn cell_bytes() -> usize {
    let h = Histogram::<u32>::new_with_bounds(LOW_NS, HIGH_NS, DIGITS).expect("static bounds");
    std::mem::size_of::<WindowStats>()
        + std::mem::size_of::<Histogram<u32>>()
        + h.distinct_values().max(LAYOUT.buckets()) * std::mem::size_of::<u32>()
}

fn new_hist() -> Box<Histogram<u32>> {
    Box::new(Histogram::new_with_bounds(LOW_NS, HIGH_NS, DIGITS).expect("static bounds"))
}

impl WindowStats {
    #[inline]
    fn record(&mut self, ns: SimTime) {
        let c = self
            .counts
            .get_or_insert_with(|| vec![0; LAYOUT.buckets()].into_boxed_slice());
        let n = &mut c[LAYOUT.index(ns)];
        *n = n.saturating_add(1);
    }
    /// Moves the recorded counts into the histogram (the same histogram as recording each
    /// value, apart from a bucket past 2^32 values, where both saturate but the histogram's
    /// total would not).
    fn build_histogram(&mut self) {
        let Some(c) = self.counts.take() else { return };
        LAYOUT.add_counts(&c, self.hist.get_or_insert_with(new_hist));
    }
    /// Adds another cell's issued, ok and failed counts (not `charged`, which only the
    /// populations' cells keep).
    fn add_counts(&mut self, other: &WindowStats) {
        self.issued += other.issued;
        self.ok += other.ok;
        for (f, o) in self.failed.iter_mut().zip(&other.failed) {
            *f += o;
        }
    }
    /// Adds another cell's latencies (counts add exactly: the same as recording each value).
    fn merge_latency(&mut self, other: &WindowStats) {
        if let Some(o) = other.hist.as_deref().filter(|h| !h.is_empty()) {
            let h = self.hist.get_or_insert_with(new_hist);
            // Same bounds and precision: cannot fail; u32 counts saturate as recording does.
            let _ = h.add(o);
        }
    }
    /// Latency at quantile `q` in ms, or `None` when nothing succeeded.
    pub fn quantile_ms(&self, q: f64) -> Option<f64> {
        self.hist
            .as_ref()
            .filter(|h| !h.is_empty())
            .map(|h| h.value_at_quantile(q) as f64 / 1e6)
    }
    /// Failed requests, all reasons.
    pub fn failed_total(&self) -> u64 {
        self.failed.iter().sum()
    }
    /// ok / (ok + failed), or `None` when no request ended.
    pub fn availability(&self) -> Option<f64> {
        let done = self.ok + self.failed_total();
        (done > 0).then(|| self.ok as f64 / done as f64)
    }
}

/// Windows × scopes. Scope 0 is overall, then populations, then regions.
///
/// A request is counted in its population's cell (and its outcome in its region's), and a
/// successful one's latency recorded in both; the overall cell's counts and latencies are the
/// sums of its populations', added up once by [`finish`](Timeline::finish) at the end of the
/// run instead of once more per request (counts add exactly).
pub struct Timeline {
    pub window: SimTime,
    pub n_windows: usize,
    /// Windows wholly inside the run: the last is shorter when the run's end is not a
    /// multiple of `window`, and then is not judged against the SLO (SPEC §3 judges windows
    /// of `window`).
    pub full_windows: usize,
    n_pops: usize,
    n_scopes: usize,
    cells: Vec<WindowStats>,
    /// The window last looked up, `[start, end)` and its first cell: requests arrive in time
    /// order, so most look-ups skip the 64-bit division.
    last: (SimTime, SimTime, usize),
}

impl Timeline {
    /// A timeline covering `[0, end)` in windows of `window` ns.
    pub fn new(window: SimTime, end: SimTime, n_pops: usize, n_regions: usize) -> Self {
        let n_windows = end.div_ceil(window).max(1) as usize;
        let n_scopes = 1 + n_pops + n_regions;
        Timeline {
            window,
            n_windows,
            full_windows: (end / window) as usize,
            n_pops,
            n_scopes,
            cells: vec![WindowStats::default(); n_windows * n_scopes],
            last: (0, 0, 0),
        }
    }
    /// The end of the windows from `from` on that are judged against the SLO: the full
    /// windows, or every window when no full one is left (a run shorter than a window).
    pub fn judged_windows(&self, from: usize) -> usize {
        if self.full_windows > from {
            self.full_windows
        } else {
            self.n_windows
        }
    }
    /// The first cell of the window holding `t` (the last window also holds any later `t`).
    #[inline]
    fn idx(&mut self, t: SimTime) -> usize {
        let (lo, hi, i) = self.last;
        if t >= lo && t < hi {
            return i;
        }
        let w = ((t / self.window) as usize).min(self.n_windows - 1);
        let lo = w as SimTime * self.window;
        let hi = if w + 1 == self.n_windows {
            SimTime::MAX
        } else {
            lo + self.window
        };
        self.last = (lo, hi, w * self.n_scopes);
        self.last.2
    }
    pub(crate) fn issued(&mut self, t0: SimTime, pop: u16) {
        let i = self.idx(t0);
        self.cells[i + 1 + pop as usize].issued += 1;
    }
    pub(crate) fn ok(&mut self, t0: SimTime, pop: u16, region: u16, latency: SimTime) {
        let i = self.idx(t0);
        for s in [1 + pop as usize, 1 + self.n_pops + region as usize] {
            self.cells[i + s].ok += 1;
            self.cells[i + s].record(latency);
        }
    }
    pub(crate) fn failed(
        &mut self,
        t0: SimTime,
        pop: u16,
        region: Option<u16>,
        reason: FailReason,
        charged: bool,
    ) {
        let i = self.idx(t0);
        self.cells[i + 1 + pop as usize].failed[reason as usize] += 1;
        self.cells[i + 1 + pop as usize].charged += u64::from(charged);
        if let Some(r) = region {
            self.cells[i + 1 + self.n_pops + r as usize].failed[reason as usize] += 1;
        }
        // Issued at the region level is unknown (DNS picks it later): region rows count outcomes.
    }
    /// Completes the overall cells from the populations' (call once, when the run ends;
    /// readers see the overall cells only after it): their counts and latencies.
    pub fn finish(&mut self) {
        for c in &mut self.cells {
            c.build_histogram();
        }
        for w in 0..self.n_windows {
            let cells = &mut self.cells[w * self.n_scopes..(w + 1) * self.n_scopes];
            let (overall, rest) = cells.split_at_mut(1);
            for p in &rest[..self.n_pops] {
                overall[0].add_counts(p);
                overall[0].merge_latency(p);
            }
        }
    }
    /// The overall stats of window `w`.
    pub fn overall(&self, w: usize) -> &WindowStats {
        &self.cells[w * self.n_scopes]
    }
    /// The stats of population `p` in window `w`.
    pub fn population(&self, w: usize, p: usize) -> &WindowStats {
        &self.cells[w * self.n_scopes + 1 + p]
    }
    /// The stats of region `r` in window `w`.
    pub fn region(&self, w: usize, r: usize) -> &WindowStats {
        &self.cells[w * self.n_scopes + 1 + self.n_pops + r]
    }
}
