//! Non-negative delay distributions (service times, jitter, lags): the RON form and the sampler.
//!
//! Every parameter is in milliseconds, as users write them; samples are integer nanoseconds.

use crate::config::units::show;
use crate::engine::SimTime;
use crate::rng::{Stream, unit};
use rand_distr::Distribution as _;
use serde::{Deserialize, Serialize};

/// z-score of the 99th percentile of the standard normal distribution.
pub const Z_P99: f64 = 2.326_347_874_040_841;

/// The longest single draw, 2^58 ns (about 9.1 years): a longer draw (from a heavy tail) is
/// cut here, so that a handful of draws added to any time of a run (below 2^63 ns) stays
/// within the clock's 2^64 ns. Parameters above it are refused when a file is loaded.
pub const MAX_DRAW: SimTime = 1 << 58;

/// [`MAX_DRAW`] in milliseconds, the bound on every parameter written in milliseconds.
pub const MAX_DRAW_MS: f64 = MAX_DRAW as f64 / 1e6;

/// Why [`MAX_DRAW_MS`] bounds every delay, as error messages say it after the number.
pub const MAX_DRAW_WHY: &str = "2^58 ns, about 9 years: the longest delay a run holds";

/// A distribution as written in RON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Distribution", deny_unknown_fields)]
pub enum DistSpec {
    /// Always `ms`.
    Constant { ms: f64 },
    /// Exponential with the given mean.
    Exponential { mean_ms: f64 },
    /// Uniform on `[min_ms, max_ms]`.
    Uniform { min_ms: f64, max_ms: f64 },
    /// Normal, truncated at 0 (negative draws are redrawn).
    Normal { mean_ms: f64, std_ms: f64 },
    /// Log-normal given by its median and 99th percentile.
    LogNormal { median_ms: f64, p99_ms: f64 },
    /// Pareto with minimum `scale_ms` and tail index `shape`.
    Pareto { scale_ms: f64, shape: f64 },
    /// Uniform choice among the listed values.
    Empirical { values_ms: Vec<f64> },
    /// Uniform choice among the values in a CSV file (one column of milliseconds, optional header),
    /// path relative to the file that names it.
    EmpiricalCsv { path: String },
}

impl DistSpec {
    /// Problems with the parameters, as `(field, message)` pairs; empty when valid.
    /// `EmpiricalCsv` is checked when its file is loaded.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        fn pos(out: &mut Vec<(&'static str, String)>, f: &'static str, v: f64, strict: bool) {
            if !v.is_finite() || v < 0.0 || (strict && v == 0.0) {
                let want = if strict {
                    "a positive"
                } else {
                    "a non-negative"
                };
                out.push((
                    f,
                    format!("expected {want} finite number, found {}", show(v)),
                ));
            } else if (f == "ms" || f.ends_with("_ms")) && v > MAX_DRAW_MS {
                out.push((
                    f,
                    format!(
                        "expected at most {MAX_DRAW_MS:.2e} ms ({MAX_DRAW_WHY}), found {}",
                        show(v)
                    ),
                ));
            }
        }
        let mut out = vec![];
        match self {
            DistSpec::Constant { ms } => pos(&mut out, "ms", *ms, false),
            DistSpec::Exponential { mean_ms } => pos(&mut out, "mean_ms", *mean_ms, true),
            DistSpec::Uniform { min_ms, max_ms } => {
                pos(&mut out, "min_ms", *min_ms, false);
                pos(&mut out, "max_ms", *max_ms, false);
                if max_ms < min_ms {
                    out.push((
                        "max_ms",
                        format!(
                            "max_ms ({}) is below min_ms ({})",
                            show(*max_ms),
                            show(*min_ms)
                        ),
                    ));
                }
            }
            DistSpec::Normal { mean_ms, std_ms } => {
                pos(&mut out, "mean_ms", *mean_ms, false);
                pos(&mut out, "std_ms", *std_ms, false);
            }
            DistSpec::LogNormal { median_ms, p99_ms } => {
                pos(&mut out, "median_ms", *median_ms, true);
                pos(&mut out, "p99_ms", *p99_ms, true);
                if p99_ms < median_ms {
                    out.push((
                        "p99_ms",
                        format!(
                            "p99_ms ({}) is below median_ms ({})",
                            show(*p99_ms),
                            show(*median_ms)
                        ),
                    ));
                }
            }
            DistSpec::Pareto { scale_ms, shape } => {
                pos(&mut out, "scale_ms", *scale_ms, true);
                pos(&mut out, "shape", *shape, true);
            }
            DistSpec::Empirical { values_ms } => {
                if values_ms.is_empty() {
                    out.push((
                        "values_ms",
                        "expected at least one value, found an empty list".into(),
                    ));
                }
                for v in values_ms {
                    pos(&mut out, "values_ms", *v, false);
                }
            }
            DistSpec::EmpiricalCsv { .. } => {}
        }
        out
    }

    /// The mean in milliseconds, where it exists in closed form.
    pub fn mean_ms(&self) -> Option<f64> {
        Some(match self {
            DistSpec::Constant { ms } => *ms,
            DistSpec::Exponential { mean_ms } => *mean_ms,
            DistSpec::Uniform { min_ms, max_ms } => (min_ms + max_ms) / 2.0,
            DistSpec::Normal { mean_ms, .. } => *mean_ms,
            DistSpec::LogNormal { median_ms, p99_ms } => {
                let sigma = (p99_ms / median_ms).ln() / Z_P99;
                median_ms * (sigma * sigma / 2.0).exp()
            }
            DistSpec::Pareto { scale_ms, shape } if *shape > 1.0 => {
                scale_ms * shape / (shape - 1.0)
            }
            DistSpec::Empirical { values_ms } if !values_ms.is_empty() => {
                values_ms.iter().sum::<f64>() / values_ms.len() as f64
            }
            _ => return None,
        })
    }
}

/// A validated, ready-to-sample distribution (samples in nanoseconds).
#[derive(Debug, Clone)]
pub enum Dist {
    /// Always this value.
    Constant(SimTime),
    /// Exponential, rate in 1/ns.
    Exponential(rand_distr::Exp<f64>),
    /// Uniform on [lo, hi] ns.
    Uniform(f64, f64),
    /// Normal truncated at 0 (ns).
    Normal(rand_distr::Normal<f64>),
    /// Log-normal (ns).
    LogNormal(rand_distr::LogNormal<f64>),
    /// Pareto (ns).
    Pareto(rand_distr::Pareto<f64>),
    /// Uniform choice among values (ns).
    Empirical(Vec<SimTime>),
}

impl Dist {
    /// Builds a sampler from a spec whose [`DistSpec::problems`] are empty. `csv_values` supplies
    /// the loaded values of an `EmpiricalCsv`.
    pub fn new(spec: &DistSpec, csv_values: Option<&[f64]>) -> Result<Dist, String> {
        let ns = |ms: f64| ms * 1e6;
        Ok(match spec {
            DistSpec::Constant { ms } => Dist::Constant(round_to_ns(ns(*ms))),
            DistSpec::Exponential { mean_ms } => Dist::Exponential(
                rand_distr::Exp::new(1.0 / ns(*mean_ms)).map_err(|e| e.to_string())?,
            ),
            DistSpec::Uniform { min_ms, max_ms } => Dist::Uniform(ns(*min_ms), ns(*max_ms)),
            DistSpec::Normal { mean_ms, std_ms } => Dist::Normal(
                rand_distr::Normal::new(ns(*mean_ms), ns(*std_ms)).map_err(|e| e.to_string())?,
            ),
            DistSpec::LogNormal { median_ms, p99_ms } => {
                let mu = ns(*median_ms).ln();
                let sigma = (p99_ms / median_ms).ln() / Z_P99;
                Dist::LogNormal(rand_distr::LogNormal::new(mu, sigma).map_err(|e| e.to_string())?)
            }
            DistSpec::Pareto { scale_ms, shape } => Dist::Pareto(
                rand_distr::Pareto::new(ns(*scale_ms), *shape).map_err(|e| e.to_string())?,
            ),
            DistSpec::Empirical { values_ms } => {
                Dist::Empirical(values_ms.iter().map(|v| round_to_ns(ns(*v))).collect())
            }
            DistSpec::EmpiricalCsv { path } => {
                let vals = csv_values.ok_or_else(|| format!("values of {path} not loaded"))?;
                if vals.is_empty() {
                    return Err(format!("{path} holds no values"));
                }
                Dist::Empirical(vals.iter().map(|v| round_to_ns(ns(*v))).collect())
            }
        })
    }

    /// Draws one value in nanoseconds.
    #[inline]
    pub fn sample(&self, rng: &mut Stream) -> SimTime {
        let f = match self {
            Dist::Constant(v) => return *v,
            Dist::Exponential(d) => d.sample(rng),
            Dist::Uniform(lo, hi) => lo + (hi - lo) * unit(rng),
            Dist::Normal(d) => {
                let mut x = d.sample(rng);
                let mut tries = 0;
                while x < 0.0 && tries < 64 {
                    x = d.sample(rng);
                    tries += 1;
                }
                x.max(0.0)
            }
            Dist::LogNormal(d) => d.sample(rng),
            Dist::Pareto(d) => d.sample(rng),
            Dist::Empirical(v) => {
                let i = ((unit(rng) * v.len() as f64) as usize).min(v.len() - 1);
                return v[i];
            }
        };
        round_to_ns(f)
    }

    /// True when every draw is zero (lets hot paths skip the draw).
    pub fn is_zero(&self) -> bool {
        matches!(self, Dist::Constant(0))
    }
}

/// One number for a distribution whose draws an estimate must stand for (a deep health
/// probe's service, SPEC §1 Faults' `Slowdown`), in ns: its mean where it has one (a normal's
/// truncated at 0), else its median (a Pareto with `shape` ≤ 1), at most [`MAX_DRAW`] (draws
/// are capped there too). `dist` is built from `spec` (it holds an `EmpiricalCsv`'s values).
pub fn typical_ns(spec: &DistSpec, dist: &Dist) -> f64 {
    let typical = LengthBiased::new(spec, dist)
        .map(|b| b.mean_ns)
        .or(match spec {
            DistSpec::Pareto { scale_ms, shape } => Some(scale_ms * 1e6 * 2f64.powf(1.0 / shape)),
            _ => None,
        })
        .unwrap_or(0.0);
    typical.clamp(0.0, MAX_DRAW as f64)
}

/// The length-biased form of a distribution (density x f(x) / E\[X\]) and its mean E\[X\]:
/// what a renewal process whose periods are drawn from the distribution is in the middle of
/// at an arbitrary instant. A long period covers more instants than a short one, so the
/// period in progress is drawn from this, not from the distribution itself (the inspection
/// paradox). Exact for every [`DistSpec`] with a finite mean; `None` for the others (a
/// Pareto with `shape` ≤ 1).
#[derive(Debug, Clone)]
pub struct LengthBiased {
    /// E\[X\] in nanoseconds.
    pub mean_ns: f64,
    sampler: Biased,
}

/// Drawn from [`unit`] where the hot path draws the same kind (exponential, and
/// [`Dist::sample`] itself): sharing those samplers changed how the compiler inlined the
/// request path's draws and cost it about 1% of its instructions.
#[derive(Debug, Clone)]
enum Biased {
    Constant(SimTime),
    /// An exponential's of this mean: Gamma(2, mean), −mean · ln(u₁u₂).
    Erlang2(f64),
    /// A uniform's on \[lo, hi\] (density ∝ x): by inversion.
    Uniform(f64, f64),
    /// A normal's truncated at 0 (mean, sd): its draws (Box–Muller, negatives redrawn)
    /// accepted with probability x / bound (a draw above the bound, at 8 standard
    /// deviations, is always accepted).
    Normal(f64, f64, f64),
    /// A log-normal's: the log-normal with μ + σ².
    LogNormal(rand_distr::LogNormal<f64>),
    /// A Pareto's (scale, shape α > 1): the Pareto of shape α − 1, by inversion.
    Pareto(f64, f64),
    /// Empirical values chosen with probability ∝ value: the values and their running sums.
    Empirical(Vec<SimTime>, Vec<f64>),
}

/// A standard normal draw (Box–Muller, one of the pair).
fn standard_normal(rng: &mut Stream) -> f64 {
    let (u1, u2) = (1.0 - unit(rng), unit(rng));
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

impl LengthBiased {
    /// The length-biased form of `dist`, built from `spec` (an `Empirical` or `EmpiricalCsv`
    /// spec takes its values from `dist`).
    pub fn new(spec: &DistSpec, dist: &Dist) -> Option<LengthBiased> {
        let ns = |ms: f64| ms * 1e6;
        let (mean_ns, sampler) = match (spec, dist) {
            (DistSpec::Constant { .. }, Dist::Constant(v)) => (*v as f64, Biased::Constant(*v)),
            (DistSpec::Exponential { mean_ms }, _) => (ns(*mean_ms), Biased::Erlang2(ns(*mean_ms))),
            (DistSpec::Uniform { min_ms, max_ms }, _) => (
                ns((min_ms + max_ms) / 2.0),
                Biased::Uniform(ns(*min_ms), ns(*max_ms)),
            ),
            (DistSpec::Normal { mean_ms, std_ms }, _) => {
                let (m, sd) = (ns(*mean_ms), ns(*std_ms));
                if sd == 0.0 {
                    (m, Biased::Constant(round_to_ns(m)))
                } else {
                    // Truncated at 0: m + sd φ(a) / (1 − Φ(a)), a = −m / sd.
                    use statrs::distribution::{Continuous as _, ContinuousCDF as _};
                    let z = statrs::distribution::Normal::standard();
                    let a = -m / sd;
                    let mean = m + sd * z.pdf(a) / z.sf(a);
                    (mean, Biased::Normal(m, sd, m.max(0.0) + 8.0 * sd))
                }
            }
            (DistSpec::LogNormal { median_ms, p99_ms }, _) => {
                let mu = ns(*median_ms).ln();
                let sigma = (p99_ms / median_ms).ln() / Z_P99;
                (
                    (mu + sigma * sigma / 2.0).exp(),
                    Biased::LogNormal(rand_distr::LogNormal::new(mu + sigma * sigma, sigma).ok()?),
                )
            }
            (DistSpec::Pareto { scale_ms, shape }, _) if *shape > 1.0 => (
                ns(*scale_ms) * shape / (shape - 1.0),
                Biased::Pareto(ns(*scale_ms), shape - 1.0),
            ),
            (DistSpec::Empirical { .. } | DistSpec::EmpiricalCsv { .. }, Dist::Empirical(v))
                if !v.is_empty() =>
            {
                let mut total = 0.0;
                let sums: Vec<f64> = v
                    .iter()
                    .map(|x| {
                        total += *x as f64;
                        total
                    })
                    .collect();
                (total / v.len() as f64, Biased::Empirical(v.clone(), sums))
            }
            _ => return None,
        };
        Some(LengthBiased { mean_ns, sampler })
    }

    /// Draws one value in nanoseconds.
    pub fn sample(&self, rng: &mut Stream) -> SimTime {
        let f = match &self.sampler {
            Biased::Constant(v) => return *v,
            Biased::Erlang2(mean) => -mean * ((1.0 - unit(rng)) * (1.0 - unit(rng))).ln(),
            Biased::Uniform(lo, hi) => (lo * lo + (hi * hi - lo * lo) * unit(rng)).sqrt(),
            Biased::Normal(m, sd, bound) => {
                let normal = |rng: &mut Stream| {
                    let mut x = m + sd * standard_normal(rng);
                    for _ in 0..64 {
                        if x >= 0.0 {
                            break;
                        }
                        x = m + sd * standard_normal(rng);
                    }
                    x.max(0.0)
                };
                let mut x = normal(rng);
                for _ in 0..100_000 {
                    if x >= *bound || unit(rng) * bound < x {
                        break;
                    }
                    x = normal(rng);
                }
                x
            }
            Biased::LogNormal(d) => d.sample(rng),
            Biased::Pareto(scale, shape) => scale * (1.0 - unit(rng)).powf(-1.0 / shape),
            Biased::Empirical(v, sums) => {
                let total = sums.last().copied().unwrap_or(0.0);
                if total <= 0.0 {
                    return 0;
                }
                let u = unit(rng) * total;
                let i = sums.partition_point(|s| *s <= u).min(v.len() - 1);
                return v[i];
            }
        };
        round_to_ns(f)
    }
}

/// `f.round().max(0.0)` as nanoseconds (half away from zero, NaN and negatives to 0, saturating
/// at [`MAX_DRAW`]), without the libm call `f64::round` costs on baseline x86-64: below 2^53 the
/// integer part and the fraction are exact, and above it every `f64` is already an integer.
/// It converts through `i64`, one instruction each way on x86-64 where `u64` takes several.
#[inline]
fn round_to_ns(f: f64) -> SimTime {
    if f < MAX_DRAW as f64 {
        let i = f as i64; // truncates toward zero, saturating at i64::MIN
        let r = if f - i as f64 >= 0.5 { i + 1 } else { i };
        return r.max(0) as SimTime;
    }
    if f.is_nan() { 0 } else { MAX_DRAW }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    /// The old, obviously right formula.
    fn reference(f: f64) -> SimTime {
        (f.round().max(0.0) as SimTime).min(MAX_DRAW)
    }

    #[test]
    fn round_to_ns_equals_round_everywhere() {
        let edges = [
            0.0,
            -0.0,
            0.5,
            0.49999999999999994,
            1.5,
            2.5,
            -0.5,
            -0.7,
            -1e300,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            4503599627370495.5,
            4503599627370496.0,
            9007199254740993.0,
            1.8446744073709552e19,
            f64::from_bits((u64::MAX as f64).to_bits() - 1),
            9.223372036854776e18,
            MAX_DRAW as f64,
            MAX_DRAW as f64 - 0.5,
            MAX_DRAW as f64 - 64.0,
            MAX_DRAW as f64 + 64.0,
        ];
        for f in edges {
            assert_eq!(round_to_ns(f), reference(f), "{f:e}");
        }
        let mut rng = stream(3, "round");
        for _ in 0..1_000_000 {
            let bits = rand::Rng::next_u64(&mut rng);
            let f = f64::from_bits(bits);
            assert_eq!(round_to_ns(f), reference(f), "{f:e}");
            let g = unit(&mut rng) * 1e12;
            assert_eq!(round_to_ns(g), reference(g), "{g:e}");
            let h = (g as u64) as f64 + 0.5;
            assert_eq!(round_to_ns(h), reference(h), "{h:e}");
        }
    }

    #[test]
    fn no_draw_exceeds_the_longest_delay_and_longer_parameters_are_refused() {
        // A tail this heavy draws far beyond 2^64 ns now and then; each draw stops at MAX_DRAW.
        let heavy = [
            DistSpec::LogNormal {
                median_ms: 1.0,
                p99_ms: MAX_DRAW_MS,
            },
            DistSpec::Pareto {
                scale_ms: 1.0,
                shape: 0.05,
            },
            DistSpec::Constant { ms: MAX_DRAW_MS },
        ];
        for spec in heavy {
            assert!(spec.problems().is_empty(), "{spec:?}");
            let d = Dist::new(&spec, None).unwrap();
            let mut rng = stream(5, "tail");
            let top = (0..100_000).map(|_| d.sample(&mut rng)).max().unwrap();
            assert_eq!(top, MAX_DRAW, "{spec:?}");
        }
        let p = DistSpec::LogNormal {
            median_ms: 300.0,
            p99_ms: 1e18,
        }
        .problems();
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].0, "p99_ms");
        assert_eq!(
            p[0].1,
            "expected at most 2.88e11 ms (2^58 ns, about 9 years: the longest delay a run holds), found 1e18"
        );
        // Every parameter in milliseconds, `Constant`'s `ms` too; a tail index is not one.
        for spec in [
            DistSpec::Constant { ms: 1e12 },
            DistSpec::Exponential { mean_ms: 1e12 },
            DistSpec::Uniform {
                min_ms: 0.0,
                max_ms: 1e12,
            },
            DistSpec::Normal {
                mean_ms: 1.0,
                std_ms: 1e12,
            },
            DistSpec::Pareto {
                scale_ms: 1e12,
                shape: 2.0,
            },
            DistSpec::Empirical {
                values_ms: vec![1.0, 1e12],
            },
        ] {
            assert_eq!(spec.problems().len(), 1, "{spec:?}");
        }
        let shape = DistSpec::Pareto {
            scale_ms: 1.0,
            shape: 1e12,
        };
        assert!(shape.problems().is_empty());
    }

    fn mean_of(spec: DistSpec) -> f64 {
        let d = Dist::new(&spec, None).unwrap();
        let mut s = stream(3, "t");
        let n = 200_000;
        (0..n).map(|_| d.sample(&mut s) as f64).sum::<f64>() / n as f64 / 1e6
    }

    #[test]
    fn sample_means_match_closed_forms() {
        for spec in [
            DistSpec::Constant { ms: 2.5 },
            DistSpec::Exponential { mean_ms: 4.0 },
            DistSpec::Uniform {
                min_ms: 1.0,
                max_ms: 3.0,
            },
            DistSpec::LogNormal {
                median_ms: 10.0,
                p99_ms: 40.0,
            },
            DistSpec::Pareto {
                scale_ms: 1.0,
                shape: 3.0,
            },
            DistSpec::Empirical {
                values_ms: vec![1.0, 2.0, 6.0],
            },
        ] {
            let want = spec.mean_ms().unwrap();
            let got = mean_of(spec.clone());
            assert!(
                (got - want).abs() / want < 0.02,
                "{spec:?}: {got} vs {want}"
            );
        }
    }

    /// Length-biased draws average E\[X²\] / E\[X\] of the plain draws, and `mean_ns` is the
    /// plain draws' mean, for every kind (a truncated normal near 0 among them).
    #[test]
    fn length_biased_draws_average_the_second_moment_over_the_mean() {
        for spec in [
            DistSpec::Constant { ms: 2.5 },
            DistSpec::Exponential { mean_ms: 4.0 },
            DistSpec::Uniform {
                min_ms: 1.0,
                max_ms: 3.0,
            },
            DistSpec::Normal {
                mean_ms: 1.0,
                std_ms: 2.0,
            },
            DistSpec::Normal {
                mean_ms: 10.0,
                std_ms: 1.0,
            },
            DistSpec::LogNormal {
                median_ms: 10.0,
                p99_ms: 40.0,
            },
            DistSpec::Pareto {
                scale_ms: 1.0,
                shape: 4.0,
            },
            DistSpec::Empirical {
                values_ms: vec![1.0, 2.0, 6.0],
            },
        ] {
            let d = Dist::new(&spec, None).unwrap();
            let b = LengthBiased::new(&spec, &d).unwrap();
            let (mut s, mut t) = (stream(3, "plain"), stream(3, "biased"));
            let n = 400_000;
            let (mut m1, mut m2, mut mb) = (0.0, 0.0, 0.0);
            for _ in 0..n {
                let x = d.sample(&mut s) as f64;
                m1 += x;
                m2 += x * x;
                mb += b.sample(&mut t) as f64;
            }
            let (m1, m2, mb) = (m1 / n as f64, m2 / n as f64, mb / n as f64);
            assert!(
                (b.mean_ns - m1).abs() / m1 < 0.01,
                "{spec:?}: mean {} vs {m1}",
                b.mean_ns
            );
            let want = m2 / m1;
            assert!((mb - want).abs() / want < 0.02, "{spec:?}: {mb} vs {want}");
        }
        let heavy = DistSpec::Pareto {
            scale_ms: 1.0,
            shape: 1.0,
        };
        let d = Dist::new(&heavy, None).unwrap();
        assert!(LengthBiased::new(&heavy, &d).is_none(), "no finite mean");
    }

    #[test]
    fn lognormal_p99_is_where_it_was_asked() {
        let d = Dist::new(
            &DistSpec::LogNormal {
                median_ms: 10.0,
                p99_ms: 50.0,
            },
            None,
        )
        .unwrap();
        let mut s = stream(5, "t");
        let mut v: Vec<u64> = (0..100_000).map(|_| d.sample(&mut s)).collect();
        v.sort_unstable();
        let p50 = v[50_000] as f64 / 1e6;
        let p99 = v[99_000] as f64 / 1e6;
        assert!((p50 - 10.0).abs() < 0.3, "{p50}");
        assert!((p99 - 50.0).abs() < 2.5, "{p99}");
    }

    #[test]
    fn truncated_normal_never_negative() {
        let d = Dist::new(
            &DistSpec::Normal {
                mean_ms: 0.1,
                std_ms: 5.0,
            },
            None,
        )
        .unwrap();
        let mut s = stream(1, "n");
        for _ in 0..10_000 {
            let _ = d.sample(&mut s); // u64: cannot be negative; must not panic
        }
    }

    #[test]
    fn problems_are_reported() {
        assert!(
            !DistSpec::Exponential { mean_ms: -1.0 }
                .problems()
                .is_empty()
        );
        assert!(
            !DistSpec::Uniform {
                min_ms: 3.0,
                max_ms: 1.0
            }
            .problems()
            .is_empty()
        );
        assert!(
            !DistSpec::Empirical { values_ms: vec![] }
                .problems()
                .is_empty()
        );
        assert!(DistSpec::Exponential { mean_ms: 1.0 }.problems().is_empty());
    }

    #[test]
    fn a_typical_value_is_the_mean_else_the_median_and_never_past_the_longest_draw() {
        let typical = |spec: DistSpec| typical_ns(&spec, &Dist::new(&spec, None).unwrap());
        assert_eq!(typical(DistSpec::Exponential { mean_ms: 4.0 }), 4e6);
        assert_eq!(typical(DistSpec::Constant { ms: 2.5 }), 2.5e6);
        // A Pareto with shape 1 has no mean: its median, scale × 2^(1/shape).
        let p = typical(DistSpec::Pareto {
            scale_ms: 1.0,
            shape: 1.0,
        });
        assert!((p - 2e6).abs() < 1e-6, "{p}");
        // A log-normal whose mean is astronomical is held to the longest draw.
        let huge = typical(DistSpec::LogNormal {
            median_ms: 1.0,
            p99_ms: 1e12,
        });
        assert_eq!(huge, MAX_DRAW as f64);
    }
}
