//! The pool is checked against queueing theory: Erlang C for M/M/c, M/M/1, and Little's law.
//!
//! Each case runs independent replications (seeds derived from 1) and compares the theoretical
//! value with the replication mean's 95% confidence interval (Student t), so the tolerance comes
//! from the data, not from a number picked to pass.

use super::validation::mean_ci;
use regionsim::bench::{EngineMmc, mmc_scenario};
use regionsim::rng::derive_seed;
use regionsim::sim::run_scenario;

const REPS: u64 = 10;

/// Erlang C: probability an arrival waits in M/M/c with offered load `a = λ/μ`.
pub(crate) fn erlang_c(c: u32, a: f64) -> f64 {
    let mut sum = 0.0;
    let mut term = 1.0; // a^k / k!
    for k in 0..c {
        if k > 0 {
            term *= a / k as f64;
        }
        sum += term;
    }
    let top = term * a / c as f64 * (c as f64 / (c as f64 - a));
    top / (sum + top)
}

struct Rep {
    wait_s: f64,
    in_pool: f64,
    lambda: f64,
    sojourn_s: f64,
}

fn replications(lambda: f64, c: u32, duration_s: f64, warmup_s: f64) -> Vec<Rep> {
    let sc = mmc_scenario(lambda, c, 1.0, duration_s, warmup_s);
    (0..REPS)
        .map(|i| {
            let out = run_scenario(&sc, derive_seed(1, &format!("mmc/{i}")), None).unwrap();
            let p = &out.pools[0];
            let span = p.span as f64 / 1e9;
            Rep {
                wait_s: p.wait_sum as f64 / p.wait_count as f64 / 1e9,
                in_pool: p.present_area as f64 / 1e9 / span,
                lambda: p.arrivals as f64 / span,
                sojourn_s: p.sojourn_sum as f64 / p.sojourn_count as f64 / 1e9,
            }
        })
        .collect()
}

fn check_wait(lambda: f64, c: u32, duration_s: f64) {
    let reps = replications(lambda, c, duration_s, duration_s / 20.0);
    let theory = erlang_c(c, lambda) / (c as f64 - lambda);
    let (m, half) = mean_ci(&reps.iter().map(|r| r.wait_s).collect::<Vec<_>>(), 0.95);
    eprintln!(
        "M/M/{c} ρ={:.2}: mean wait {m:.4} s ± {half:.4} (95% CI), Erlang C {theory:.4} s",
        lambda / c as f64
    );
    assert!(
        (m - theory).abs() <= half,
        "M/M/{c} at ρ={}: mean wait {m:.4} s ± {half:.4} does not cover Erlang C {theory:.4} s",
        lambda / c as f64
    );
    // The interval must be informative, not wide enough to cover anything.
    assert!(
        half < 0.1 * theory,
        "CI half-width {half} too wide against {theory}"
    );
    // Little's law, L = λW, across replications. On a sample path L and λW differ by edge
    // effects. Those at the start and the end of the measured span cancel in expectation in a
    // stationary run, except one: W is measured when service starts, so customers still
    // queued at the end count in λ but not in W. Their whole sojourns are length-biased, so in
    // expectation the relative gap (L − λW)/L lies in
    //   [−E[Lq]·W, λ·E[W²]] / (L · span)
    // (at most every customer present at the end, whose sojourns add up to λ·E[W²] in
    // expectation; at least the missing queued customers counted with W each). With 40
    // replications the gap was measurably positive at ρ = 0.8 and 0.9 (+1.3e-5 ± 1.2e-5 and
    // +9.3e-6 ± 9.2e-6) and zero at 0.5, as this predicts. The 95% interval of the mean gap
    // must meet that range. M/M/c with μ = 1: Wq is 0 with probability 1 − C, else
    // Exp(c − λ), so E[W²] = 2C/(c − λ)² + 2·Wq + 2.
    let gaps: Vec<f64> = reps
        .iter()
        .map(|r| (r.in_pool - r.lambda * r.sojourn_s) / r.in_pool)
        .collect();
    let (g, g_half) = mean_ci(&gaps, 0.95);
    let c_wait = erlang_c(c, lambda);
    let w = theory + 1.0;
    let (l, lq) = (lambda * w, lambda * theory);
    let ew2 = 2.0 * c_wait / (c as f64 - lambda).powi(2) + 2.0 * theory + 2.0;
    let span = duration_s * (1.0 - 1.0 / 20.0);
    let (lo, hi) = (-lq * w / (l * span), lambda * ew2 / (l * span));
    eprintln!(
        "  Little's law: (L − λW)/L = {g:+.2e} ± {g_half:.2e} (95% CI); edge effect in [{lo:+.2e}, {hi:+.2e}]"
    );
    assert!(
        g + g_half >= lo && g - g_half <= hi,
        "Little's law: relative gap {g:+.2e} ± {g_half:.2e} misses the edge-effect range [{lo:+.2e}, {hi:+.2e}]"
    );
    assert!(g_half < 1e-3, "Little's law interval {g_half:.2e} too wide");
}

#[test]
fn erlang_c_reference_values() {
    // Textbook values: M/M/1 P(wait) = ρ; M/M/2 with a = 1: 1/3.
    assert!((erlang_c(1, 0.8) - 0.8).abs() < 1e-12);
    assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn mmc_c10_rho_0_9_mean_wait_matches_erlang_c() {
    check_wait(9.0, 10, 100_000.0);
}

#[test]
fn mm1_rho_0_8_mean_wait_matches_theory() {
    check_wait(0.8, 1, 200_000.0);
}

#[test]
fn mmc_rho_0_5_mean_wait_matches_erlang_c() {
    check_wait(2.5, 5, 50_000.0);
}

/// The engine-alone benchmark model (`regionsim bench`'s second line, SimPy's bookkeeping) is an
/// M/M/c queue too: its mean wait must meet Erlang C, or its speed would mean nothing.
#[test]
fn engine_alone_benchmark_model_waits_as_erlang_c_says() {
    let (lambda, c, duration_s) = (9.0, 10, 50_000.0);
    let waits: Vec<f64> = (0..REPS)
        .map(|i| {
            let seed = derive_seed(1, &format!("engine-mmc/{i}"));
            let mut m = EngineMmc::new(lambda, c, 1.0, duration_s, duration_s / 20.0, seed);
            let (events, p) = m.run();
            // Two events per customer: its arrival and its service end.
            assert_eq!(events, 2 * m.arrived);
            // Every customer counted after the warm-up is served.
            assert_eq!(p.served, p.arrivals);
            p.wait_sum as f64 / p.wait_count as f64 / 1e9
        })
        .collect();
    let theory = erlang_c(c, lambda) / (c as f64 - lambda);
    let (m, half) = mean_ci(&waits, 0.95);
    eprintln!(
        "engine-alone M/M/10 at ρ=0.9: mean wait {m:.4} s ± {half:.4}, Erlang C {theory:.4} s"
    );
    assert!(
        (m - theory).abs() <= half && half < 0.1 * theory,
        "mean wait {m:.4} s ± {half:.4} against Erlang C {theory:.4} s"
    );
}
