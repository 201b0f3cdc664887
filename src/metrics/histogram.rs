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

    #[test]
    fn empty_histogram_summarises_to_zero() {
        assert_eq!(LatencyHistogram::new().summary(), LatencySummary::default());
        assert!(LatencyHistogram::new().cdf_points().is_empty());
    }
}
