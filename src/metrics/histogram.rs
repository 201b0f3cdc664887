//! Latency histogram with ≤ 1% relative error and bounded memory (an HDR histogram).

use crate::engine::SimTime;
use hdrhistogram::Histogram;
use serde::Serialize;

/// Lowest value kept apart: 1 µs (smaller latencies are recorded as 1 µs).
const LOW_NS: u64 = 1_000;
/// Highest trackable value: 1 hour; longer latencies are recorded as 1 hour.
const HIGH_NS: u64 = 3_600 * 1_000_000_000;

/// Significant decimal digits the histogram keeps.
const SIGNIFICANT_DIGITS: u8 = 2;

/// The widest bucket relative to its values at [`SIGNIFICANT_DIGITS`] = 2: HDR keeps 256
/// sub-buckets per power of two, whose upper half (128 of them) spans each doubling, so a
/// recorded value is known to within 1/128 of itself.
pub const RELATIVE_RESOLUTION: f64 = 1.0 / 128.0;

/// The bucket layout of an HDR histogram, derived as `hdrhistogram` derives it from its
/// bounds and significant digits, so that a plain array of counts can stand in for the
/// histogram while a run records and be turned into it, bucket for bucket, when the run ends
/// ([`LatencyCounts`]). A unit test holds the layout to `hdrhistogram`'s own.
#[derive(Debug, Clone, Copy)]
pub struct BucketLayout {
    low: u64,
    high: u64,
    unit_magnitude: u32,
    half_magnitude: u32,
    sub_bucket_mask: u64,
    leading_zero_base: u32,
}

impl BucketLayout {
    /// The layout of `Histogram::new_with_bounds(low, high, digits)` (`low ≥ 1`, `digits ≤ 5`).
    pub const fn new(low: u64, high: u64, digits: u8) -> Self {
        // floor(log2(low)) and ceil(log2(2 * 10^digits)), as hdrhistogram computes them.
        let unit_magnitude = 63 - low.leading_zeros();
        let largest = 2 * 10u64.pow(digits as u32);
        let count_magnitude = 64 - (largest - 1).leading_zeros();
        BucketLayout {
            low,
            high,
            unit_magnitude,
            half_magnitude: count_magnitude - 1,
            sub_bucket_mask: ((1u64 << count_magnitude) - 1) << unit_magnitude,
            leading_zero_base: 64 - unit_magnitude - count_magnitude,
        }
    }

    /// The bucket a value falls in, after clamping it into `[low, high]`.
    #[inline(always)]
    pub fn index(&self, value: u64) -> usize {
        let v = value.clamp(self.low, self.high);
        let bucket = self.leading_zero_base - (v | self.sub_bucket_mask).leading_zeros();
        let sub = (v >> (bucket + self.unit_magnitude)) as usize;
        ((bucket as usize) << self.half_magnitude) + sub
    }

    /// The lowest value of bucket `index` (it records into that bucket).
    pub fn value(&self, index: usize) -> u64 {
        let half = 1usize << self.half_magnitude;
        let (bucket, sub) = if index < 2 * half {
            (0, index)
        } else {
            let bucket = (index >> self.half_magnitude) - 1;
            (bucket, (index & (half - 1)) + half)
        };
        (sub as u64) << (bucket as u32 + self.unit_magnitude)
    }

    /// Number of buckets up to and including the one of `high`.
    pub fn buckets(&self) -> usize {
        self.index(self.high) + 1
    }

    /// Adds `counts` (one per bucket of this layout) into `h`, a histogram with this layout:
    /// the histogram recording the same values would have built.
    pub fn add_counts<T: hdrhistogram::Counter>(&self, counts: &[T], h: &mut Histogram<T>) {
        for (i, &n) in counts.iter().enumerate() {
            if n > T::zero() {
                // A bucket's lowest value records into that bucket: nothing is clamped.
                h.saturating_record_n(self.value(i), n);
            }
        }
    }
}

/// The layout of [`LatencyHistogram`].
pub const LATENCY_LAYOUT: BucketLayout = BucketLayout::new(LOW_NS, HIGH_NS, SIGNIFICANT_DIGITS);

/// Latencies being recorded: a count per bucket of [`LatencyHistogram`], nothing else, so that
/// a record is one index computation and one increment. [`LatencyCounts::histogram`] turns it
/// into the histogram that recording the same values would have built.
#[derive(Clone)]
pub struct LatencyCounts(Box<[u64]>);

impl Default for LatencyCounts {
    fn default() -> Self {
        LatencyCounts(vec![0; LATENCY_LAYOUT.buckets()].into_boxed_slice())
    }
}

impl LatencyCounts {
    /// Records one latency (clamped into [1 µs, 1 h], as [`LatencyHistogram::record`] does).
    #[inline(always)]
    pub fn record(&mut self, ns: SimTime) {
        self.0[LATENCY_LAYOUT.index(ns)] += 1;
    }
    /// Latencies recorded (each record adds one to one bucket).
    pub fn count(&self) -> u64 {
        self.0.iter().sum()
    }
    /// The histogram of the recorded latencies.
    pub fn histogram(&self) -> LatencyHistogram {
        let mut h = LatencyHistogram::new();
        LATENCY_LAYOUT.add_counts(&self.0, &mut h.0);
        h
    }
}

/// A latency histogram in nanoseconds: 2 significant digits, i.e. ≤ 1% relative error.
#[derive(Clone)]
pub struct LatencyHistogram(Histogram<u64>);

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl LatencyHistogram {
    /// Bytes one histogram holds (for the run's memory budget).
    pub fn bytes() -> usize {
        std::mem::size_of::<Self>() + Self::new().0.distinct_values() * std::mem::size_of::<u64>()
    }

    /// An empty histogram.
    pub fn new() -> Self {
        LatencyHistogram(
            Histogram::new_with_bounds(LOW_NS, HIGH_NS, SIGNIFICANT_DIGITS)
                .expect("static bounds are valid"),
        )
    }
    /// Records one latency (clamped into [1 µs, 1 h]).
    #[inline]
    pub fn record(&mut self, ns: SimTime) {
        let v = ns.clamp(LOW_NS, HIGH_NS);
        self.0.record(v).expect("clamped value is in range");
    }
    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &LatencyHistogram) {
        self.0.add(&other.0).expect("same bounds");
    }
    /// Number of values recorded.
    pub fn count(&self) -> u64 {
        self.0.len()
    }
    /// The value at quantile `q` in ms (0 when empty).
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.0.is_empty() {
            0.0
        } else {
            self.0.value_at_quantile(q) as f64 / 1e6
        }
    }
    /// At most `CDF_QUANTILES.len()` points of the empirical CDF, (latency ms, fraction of
    /// requests at or below it), sampled at the fixed quantiles [`CDF_QUANTILES`]; each point
    /// is a bucket edge, so the fraction is exact for the histogram. Empty when nothing was
    /// recorded. Bounded, so it can be stored in summary.json and drawn without the histogram.
    pub fn cdf_points(&self) -> Vec<(f64, f64)> {
        let mut out: Vec<(f64, f64)> = Vec::with_capacity(CDF_QUANTILES.len());
        if self.0.is_empty() {
            return out;
        }
        for q in CDF_QUANTILES {
            let v = self.0.value_at_quantile(q);
            let ms = v as f64 / 1e6;
            if out.last().is_some_and(|p| p.0 >= ms) {
                continue;
            }
            let fraction = (self.0.quantile_below(v) * 1e6).round() / 1e6;
            out.push((ms, fraction));
        }
        out
    }
    /// Summary statistics in ms.
    pub fn summary(&self) -> LatencySummary {
        let h = &self.0;
        if h.is_empty() {
            return LatencySummary::default();
        }
        LatencySummary {
            count: h.len(),
            mean_ms: h.mean() / 1e6,
            min_ms: h.min() as f64 / 1e6,
            p50_ms: self.quantile_ms(0.5),
            p90_ms: self.quantile_ms(0.9),
            p95_ms: self.quantile_ms(0.95),
            p99_ms: self.quantile_ms(0.99),
            p999_ms: self.quantile_ms(0.999),
            max_ms: h.max() as f64 / 1e6,
            cdf: vec![],
        }
    }
    /// Points of the empirical CDF: (latency ms, fraction ≤ it), one per distinct bucket.
    pub fn cdf(&self) -> Vec<(f64, f64)> {
        let n = self.0.len() as f64;
        if n == 0.0 {
            return vec![];
        }
        let mut acc = 0u64;
        self.0
            .iter_recorded()
            .map(|v| {
                acc += v.count_at_value();
                (
                    self.0.highest_equivalent(v.value_iterated_to()) as f64 / 1e6,
                    acc as f64 / n,
                )
            })
            .collect()
    }
}

/// Quantiles at which [`LatencyHistogram::cdf_points`] samples the CDF: 57 of them, denser in
/// the tail, where designs differ most.
pub const CDF_QUANTILES: [f64; 57] = [
    0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.225, 0.25, 0.275,
    0.3, 0.325, 0.35, 0.375, 0.4, 0.425, 0.45, 0.475, 0.5, 0.525, 0.55, 0.575, 0.6, 0.625, 0.65,
    0.675, 0.7, 0.725, 0.75, 0.775, 0.8, 0.825, 0.85, 0.875, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97,
    0.975, 0.98, 0.985, 0.99, 0.9925, 0.995, 0.9975, 0.999, 0.9995, 0.9999, 0.99999, 1.0,
];

/// Latency statistics of successful requests (SPEC §3 Latency), in ms.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct LatencySummary {
    pub count: u64,
    pub mean_ms: f64,
    pub min_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    /// Bounded CDF points (latency ms, fraction ≤ it), for charts; filled for the `all`
    /// latency of populations and of the overall scope, left out elsewhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cdf: Vec<(f64, f64)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_error_is_at_most_one_percent() {
        let mut h = LatencyHistogram::new();
        let mut values = vec![];
        let mut x = 1_234u64;
        for _ in 0..100_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let v = 10_000 + (x >> 33) % 2_000_000_000;
            values.push(v);
            h.record(v);
        }
        values.sort_unstable();
        for q in [0.5, 0.9, 0.99, 0.999] {
            let exact = values[((q * values.len() as f64).ceil() as usize).min(values.len()) - 1]
                as f64
                / 1e6;
            let got = h.quantile_ms(q);
            assert!(
                (got - exact).abs() / exact <= 0.01,
                "q={q}: {got} vs {exact}"
            );
        }
        assert_eq!(h.count(), 100_000);
        assert!(h.cdf().last().unwrap().1 == 1.0);
        let pts = h.cdf_points();
        assert!(
            pts.len() <= CDF_QUANTILES.len() && pts.len() > 40,
            "{}",
            pts.len()
        );
        assert!(pts.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1));
        assert_eq!(pts.last().unwrap().1, 1.0);
        for (ms, f) in &pts {
            let below = values.partition_point(|v| (*v as f64 / 1e6) <= *ms) as f64;
            assert!((below / values.len() as f64 - f).abs() < 0.011, "{ms} {f}");
        }
    }

    /// Values over the whole range and beyond it, bucket edges included.
    fn awkward_values() -> Vec<u64> {
        let mut values = vec![0, 1, 999, 1_000, 1_001, 9_999, 10_000, HIGH_NS, HIGH_NS + 1];
        values.push(u64::MAX);
        for shift in 0..44 {
            let p = 1u64 << shift;
            values.extend([p.saturating_sub(1), p, p + 1, p * 3 / 2]);
        }
        let mut x = 99u64;
        for _ in 0..20_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            values.push((x >> 20) % (2 * HIGH_NS));
            values.push((x >> 40) % 5_000_000);
        }
        values
    }

    #[test]
    fn the_bucket_layout_is_hdrhistograms() {
        for (low, high, digits) in [(LOW_NS, HIGH_NS, 2), (10_000, HIGH_NS, 1), (1, 1 << 20, 3)] {
            let layout = BucketLayout::new(low, high, digits);
            let h = Histogram::<u64>::new_with_bounds(low, high, digits).unwrap();
            // hdrhistogram keeps the rest of the highest value's bucket too.
            assert!(
                layout.buckets() <= h.distinct_values(),
                "{low} {high} {digits}"
            );
            assert_eq!(
                layout.value(layout.buckets() - 1),
                h.lowest_equivalent(high)
            );
            for v in awkward_values() {
                let c = v.clamp(low, high);
                let i = layout.index(v);
                assert!(i < layout.buckets());
                // The bucket's lowest value is hdrhistogram's lowest equivalent of the value.
                assert_eq!(layout.value(i), h.lowest_equivalent(c), "{v} in {digits}");
            }
        }
    }

    #[test]
    fn counts_become_the_histogram_recording_would_have_built() {
        let mut direct = LatencyHistogram::new();
        let mut counts = LatencyCounts::default();
        for v in awkward_values() {
            direct.record(v);
            counts.record(v);
        }
        let built = counts.histogram();
        assert!(built.0 == direct.0);
        assert_eq!(built.summary(), direct.summary());
        assert_eq!(built.cdf_points(), direct.cdf_points());
        assert_eq!(built.0.min(), direct.0.min());
        assert_eq!(built.0.max(), direct.0.max());
        assert_eq!(
            LatencyCounts::default().histogram().summary(),
            LatencySummary::default()
        );
    }

    #[test]
    fn empty_histogram_summarises_to_zero() {
        assert_eq!(LatencyHistogram::new().summary(), LatencySummary::default());
        assert!(LatencyHistogram::new().cdf_points().is_empty());
    }
}
