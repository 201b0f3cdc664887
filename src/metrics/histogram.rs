//! Latency histogram with ≤ 1% relative error and bounded memory (an HDR histogram).

use crate::engine::SimTime;
use hdrhistogram::Histogram;
use serde::Serialize;

/// Lowest value kept apart: 1 µs (smaller latencies are recorded as 1 µs).
const LOW_NS: u64 = 1_000;
/// Highest trackable value: 1 hour; longer latencies are recorded as 1 hour.
const HIGH_NS: u64 = 3_600 * 1_000_000_000;

/// A latency histogram in nanoseconds: 2 significant digits, i.e. ≤ 1% relative error.
#[derive(Clone)]
pub struct LatencyHistogram(Histogram<u64>);

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl LatencyHistogram {
    /// An empty histogram.
    pub fn new() -> Self {
        LatencyHistogram(
            Histogram::new_with_bounds(LOW_NS, HIGH_NS, 2).expect("static bounds are valid"),
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

/// Latency statistics of successful requests (SPEC §3 Latency), in ms.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
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
    }

    #[test]
    fn empty_histogram_summarises_to_zero() {
        assert_eq!(LatencyHistogram::new().summary(), LatencySummary::default());
    }
}
