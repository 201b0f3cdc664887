//! Validation against theory (issue #8): Erlang C, Pollaczek–Khinchine, Poisson counts (χ²),
//! the latency of an idle system, and Little's law on every shipped experiment.
//!
//! Every statistical case runs independent replications and compares the reference value with
//! the replication mean's confidence interval (Student t quantiles from `statrs`), so each
//! tolerance comes from the data, not from a number picked to pass. Cases assert at 99%
//! (two-sided); the seeds are fixed, so a case either always passes or always fails.
//! VALIDATION.md lists every case with its reference, tolerance and measured result.

use super::queueing_theory::erlang_c;
use super::{root, shipped_experiments};
use hdrhistogram::Histogram;
use rayon::prelude::*;
use regionsim::bench::{mg_c_scenario, mmc_scenario};
use regionsim::distribution::{Dist, DistSpec};
use regionsim::engine::{SimTime, s_to_ns};
use regionsim::model::{Design, FailoverPolicy, Network, ReplicationMode, Scenario};
use regionsim::results::VariantResult;
use regionsim::rng::derive_seed;
use regionsim::sim::run_scenario;
use statrs::distribution::{ChiSquared, ContinuousCDF, Discrete, Poisson, StudentsT};

/// Confidence level of every interval asserted here (two-sided).
const LEVEL: f64 = 0.99;

/// Student t quantile for a two-sided `level` interval with `df` degrees of freedom.
pub(crate) fn t_quantile(level: f64, df: usize) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64)
        .expect("valid t distribution")
        .inverse_cdf(0.5 + level / 2.0)
}

/// Mean and the half-width of its two-sided `level` confidence interval (Student t).
pub(crate) fn mean_ci(x: &[f64], level: f64) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, t_quantile(level, x.len() - 1) * (var / n).sqrt())
}

/// Mean wait in queue (s) of customers served after the warm-up, one value per replication.
fn waits(sc: &Scenario, label: &str, reps: u64) -> Vec<f64> {
    (0..reps)
        .map(|i| {
            let out = run_scenario(sc, derive_seed(8, &format!("{label}/{i}")), None).unwrap();
            let p = &out.pools[0];
            p.wait_sum as f64 / p.wait_count as f64 / 1e9
        })
        .collect()
}

/// Asserts that the `LEVEL` interval of the replication means covers `theory` and is narrow
/// enough to mean something (half-width under 10% of the reference).
fn assert_covers(case: &str, x: &[f64], theory: f64) {
    let (m, half) = mean_ci(x, LEVEL);
    let (_, half95) = mean_ci(x, 0.95);
    eprintln!(
        "{case}: mean wait {m:.4} s ± {half:.4} ({}% CI; ± {half95:.4} at 95%), theory {theory:.4} s, error {:+.2}%",
        LEVEL * 100.0,
        (m / theory - 1.0) * 100.0
    );
    assert!(
        (m - theory).abs() <= half,
        "{case}: mean wait {m:.4} s ± {half:.4} does not cover the reference {theory:.4} s"
    );
    assert!(
        half < 0.1 * theory,
        "{case}: CI half-width {half:.4} is too wide to test {theory:.4}"
    );
}

/// M/M/c with service mean 1 s: replications of `duration_s` each (1/20 of it warm-up)
/// against Erlang C, Wq = C(c, λ) / (c − λ).
fn mmc_case(lambda: f64, c: u32, duration_s: f64, reps: u64) {
    let sc = mmc_scenario(lambda, c, 1.0, duration_s, duration_s / 20.0);
    let theory = erlang_c(c, lambda) / (c as f64 - lambda);
    let case = format!("M/M/{c} ρ={:.2}", lambda / c as f64);
    assert_covers(
        &case,
        &waits(&sc, &format!("mmc/{lambda}/{c}"), reps),
        theory,
    );
}

// queueing_theory.rs covers M/M/1 at ρ = 0.8, M/M/5 at 0.5 and M/M/10 at 0.9; these add the
// other loads the issue asks for.

#[test]
fn mm1_at_rho_0_5_matches_theory() {
    mmc_case(0.5, 1, 50_000.0, 10);
}

#[test]
fn mm1_at_rho_0_95_matches_theory() {
    // Relaxation time ≈ 1/(μ(1 − √ρ)²) ≈ 1 600 s: 20 000 s of warm-up, 400 000 s per run.
    mmc_case(0.95, 1, 400_000.0, 10);
}

#[test]
fn mmc_c10_at_rho_0_8_matches_erlang_c() {
    mmc_case(8.0, 10, 20_000.0, 10);
}

#[test]
fn mmc_c10_at_rho_0_95_matches_erlang_c() {
    mmc_case(9.5, 10, 100_000.0, 10);
}

/// M/G/1, service mean 1 s with second moment `es2` (s²), against Pollaczek–Khinchine:
/// Wq = λ E[S²] / (2 (1 − ρ)).
fn mg1_case(name: &str, service: DistSpec, es2: f64, lambda: f64, duration_s: f64, reps: u64) {
    let sc = mg_c_scenario(lambda, 1, service, duration_s, duration_s / 20.0);
    let theory = lambda * es2 / (2.0 * (1.0 - lambda));
    let case = format!("{name} ρ={lambda:.2}");
    assert_covers(
        &case,
        &waits(&sc, &format!("mg1/{name}/{lambda}"), reps),
        theory,
    );
}

const DETERMINISTIC_1S: DistSpec = DistSpec::Constant { ms: 1000.0 };

#[test]
fn md1_at_rho_0_5_matches_pollaczek_khinchine() {
    // Constant service: E[S²] = 1, so Wq = ρ / (2μ(1 − ρ)).
    mg1_case("M/D/1", DETERMINISTIC_1S, 1.0, 0.5, 20_000.0, 10);
}

#[test]
fn md1_at_rho_0_8_matches_pollaczek_khinchine() {
    mg1_case("M/D/1", DETERMINISTIC_1S, 1.0, 0.8, 50_000.0, 10);
}

#[test]
fn md1_at_rho_0_95_matches_pollaczek_khinchine() {
    mg1_case("M/D/1", DETERMINISTIC_1S, 1.0, 0.95, 200_000.0, 10);
}

#[test]
fn mg1_uniform_service_at_rho_0_8_matches_pollaczek_khinchine() {
    // Uniform on [0, 2] s: E[S] = 1, E[S²] = 4/3.
    mg1_case(
        "M/U/1",
        DistSpec::Uniform {
            min_ms: 0.0,
            max_ms: 2000.0,
        },
        4.0 / 3.0,
        0.8,
        50_000.0,
        10,
    );
}

/// χ² statistic of `counts` against Poisson(`mean`), pooling both tails so that every bin
/// expects at least 5; returns (statistic, degrees of freedom).
fn chi_square_poisson(counts: &[u64], mean: f64) -> (f64, usize) {
    let n = counts.len() as f64;
    let pois = Poisson::new(mean).unwrap();
    // Bins [0, lo], lo+1, …, hi−1, [hi, ∞) with expected counts ≥ 5.
    let expected = |k: u64| n * pois.pmf(k);
    let mut lo = 0;
    let mut acc = expected(0);
    while acc < 5.0 {
        lo += 1;
        acc += expected(lo);
    }
    let mut hi = lo + 1;
    let mut tail = n - (0..hi).map(expected).sum::<f64>();
    while tail - expected(hi) >= 5.0 {
        tail -= expected(hi);
        hi += 1;
    }
    let mut observed = vec![0u64; (hi - lo + 1) as usize];
    for &c in counts {
        observed[(c.clamp(lo, hi) - lo) as usize] += 1;
    }
    let mut exp: Vec<f64> = (lo..=hi).map(expected).collect();
    exp[0] = (0..=lo).map(expected).sum();
    *exp.last_mut().unwrap() = n - (0..hi).map(expected).sum::<f64>();
    let stat = observed
        .iter()
        .zip(&exp)
        .map(|(&o, &e)| (o as f64 - e).powi(2) / e)
        .sum();
    // λ is the configured rate, not estimated: bins − 1 degrees of freedom.
    (stat, exp.len() - 1)
}

#[test]
fn arrivals_per_window_are_poisson_by_chi_square() {
    // λ = 5/s in 1 s windows; 4 replications of 4 000 windows. Each replication's statistic is
    // χ²(df) under the null; their sum is χ²(4·df).
    let lambda = 5.0;
    let mut sc = mmc_scenario(lambda, 1_000, 0.01, 4_000.0, 0.0);
    sc.window = s_to_ns(1.0);
    let (mut total, mut df_total) = (0.0, 0);
    let mut all_counts = vec![];
    for i in 0..4 {
        let out = run_scenario(&sc, derive_seed(8, &format!("poisson/{i}")), None).unwrap();
        let tl = &out.metrics.timeline;
        assert_eq!(tl.n_windows, 4_000);
        let counts: Vec<u64> = (0..tl.n_windows).map(|w| tl.overall(w).issued).collect();
        let (stat, df) = chi_square_poisson(&counts, lambda);
        let p = 1.0 - ChiSquared::new(df as f64).unwrap().cdf(stat);
        eprintln!("Poisson counts, replication {i}: χ² = {stat:.2} on {df} df, p = {p:.3}");
        total += stat;
        df_total += df;
        all_counts.extend(counts);
    }
    let chi = ChiSquared::new(df_total as f64).unwrap();
    let critical = chi.inverse_cdf(LEVEL);
    let p = 1.0 - chi.cdf(total);
    eprintln!(
        "Poisson counts, pooled: χ² = {total:.2} on {df_total} df, p = {p:.3}, critical ({}%) {critical:.2}",
        LEVEL * 100.0
    );
    assert!(
        total <= critical,
        "window counts are not Poisson({lambda}): χ² = {total:.2} > {critical:.2} on {df_total} df"
    );
    // And the rate itself: the window mean's CI covers λ (windows are independent for a
    // Poisson process).
    let x: Vec<f64> = all_counts.iter().map(|&c| c as f64).collect();
    let (m, half) = mean_ci(&x, LEVEL);
    eprintln!("Poisson counts: mean per window {m:.4} ± {half:.4}, λ = {lambda}");
    assert!(
        (m - lambda).abs() <= half,
        "mean {m} ± {half} vs λ {lambda}"
    );
}

/// The histogram bucket [low, high] (ms) that a latency of `ns` falls in, at the resolution of
/// regionsim's latency histograms (2 significant digits, 1 µs to 1 h).
fn bucket_ms(ns: SimTime) -> (f64, f64) {
    let h = Histogram::<u64>::new_with_bounds(1_000, 3_600_000_000_000, 2).unwrap();
    (
        h.lowest_equivalent(ns) as f64 / 1e6,
        h.highest_equivalent(ns) as f64 / 1e6,
    )
}

const MS: SimTime = 1_000_000;

/// Asserts every successful request of a summary took exactly `ns` (min and max in its bucket).
fn assert_exact(what: &str, s: &regionsim::metrics::LatencySummary, ns: SimTime) {
    let (lo, hi) = bucket_ms(ns);
    eprintln!(
        "idle {what}: expected {:.3} ms, measured min {} / max {} ms over {} requests (bucket [{lo}, {hi}])",
        ns as f64 / 1e6,
        s.min_ms,
        s.max_ms,
        s.count
    );
    assert!(s.count > 100, "{what}: {} requests", s.count);
    assert_eq!(
        (s.min_ms, s.max_ms),
        (lo, hi),
        "{what}: latency should be exactly {:.3} ms",
        ns as f64 / 1e6
    );
}

#[test]
fn idle_latency_is_the_sum_of_its_parts() {
    // Two regions: a near replica (0) and a far primary (1); active-passive with local reads,
    // so reads are served at the replica and writes are forwarded to the primary. No jitter,
    // constant DNS lookup (TTL 0: every request resolves), constant service, and a load far
    // below capacity (1 request/s, 100 servers): no request ever waits.
    let mut sc = mg_c_scenario(1.0, 100, DistSpec::Constant { ms: 3.0 }, 20_000.0, 10.0);
    let mut primary = sc.regions[0].clone();
    primary.name = "primary".into();
    sc.regions[0].name = "replica".into();
    sc.regions[0].write_service = Dist::Constant(7 * MS);
    primary.write_service = Dist::Constant(7 * MS);
    sc.regions.push(primary);
    let (lookup, read_s, write_s) = (20 * MS, 3 * MS, 7 * MS);
    // Directed RTTs; the population's access path differs each way.
    let (out0, back0, out1, back1) = (24 * MS, 30 * MS, 160 * MS, 170 * MS);
    let (r01, r10) = (70 * MS, 74 * MS);
    sc.network = Network::new(
        2,
        vec![2 * MS, r01, r10, 2 * MS],
        vec![false; 4],
        vec![out0, out1],
        vec![back0, back1],
        Dist::Constant(0),
    );
    sc.design = Design::ActivePassive {
        primary: 1,
        standbys: vec![0],
        read_local: true,
        failover: FailoverPolicy::Off,
        standby_capacity: 1.0,
        scale_up: 0,
        failback: None,
        promote: regionsim::model::PromotePolicy::FirstListed,
    };
    sc.dns.ttl = 0;
    sc.dns.lookup = Dist::Constant(lookup);
    // A resolver per user, so no request waits for a lookup another started (the chance that
    // two of 100 000 users' requests come within one 20 ms lookup is about 0.4% per run).
    sc.populations[0].users = 100_000;
    sc.populations[0].resolvers = 100_000;
    sc.populations[0].write_fraction = 0.3;
    sc.data.lag = Dist::Constant(5 * MS);

    // Async: a write is acknowledged after the primary commits.
    let out = run_scenario(&sc, 1, None).unwrap();
    let r = VariantResult::build("idle", &sc, 1, &out);
    let pop = &r.populations[0];
    assert_eq!(pop.served_by[0].region, "replica");
    assert_eq!(pop.served_by[0].share, 1.0);
    assert_eq!(pop.scope.failed, 0);
    let read = lookup + out0 / 2 + read_s + back0 / 2;
    assert_exact("read", &pop.scope.reads, read);
    let write = lookup + out0 / 2 + r01 / 2 + write_s + r10 / 2 + back0 / 2;
    assert_exact("forwarded async write", &pop.scope.writes, write);

    // Sync: the primary also waits for the replica to receive the write: one way there and
    // one way back (the lag is spent applying it after it arrived).
    sc.data.mode = ReplicationMode::Sync;
    let out = run_scenario(&sc, 1, None).unwrap();
    let r = VariantResult::build("idle-sync", &sc, 1, &out);
    let pop = &r.populations[0];
    assert_exact("read (sync design)", &pop.scope.reads, read);
    let sync = write + r10 / 2 + r01 / 2;
    assert_exact("forwarded sync write", &pop.scope.writes, sync);

    // Sync with `ack: Applied`: and for the replica to apply it, the lag after it arrived.
    sc.data.ack = regionsim::model::ReplicaAck::Applied;
    let out = run_scenario(&sc, 1, None).unwrap();
    let r = VariantResult::build("idle-sync-applied", &sc, 1, &out);
    let pop = &r.populations[0];
    assert_exact(
        "forwarded sync write, acknowledged once applied",
        &pop.scope.writes,
        sync + 5 * MS,
    );
}

#[test]
fn idle_latency_on_the_azure_matrix_is_the_sum_of_its_parts() {
    // The shipped global-latency experiment's active-passive variant on the measured Azure
    // matrix, made idle and deterministic: every population's reads cost lookup + its access
    // RTT + service, and writes add the round trip from its entry region to Virginia.
    let (exp, _) =
        regionsim::config::load_experiment(&root().join("experiments/global-latency.ron")).unwrap();
    let mut sc = exp
        .variants
        .iter()
        .find(|(n, _)| n == "three-regions-ap")
        .unwrap()
        .1
        .clone();
    let n = sc.regions.len();
    let p = sc.populations.len();
    let (rr, est): (Vec<SimTime>, Vec<bool>) = (0..n * n)
        .map(|i| {
            let (a, b) = ((i / n) as u16, (i % n) as u16);
            (
                sc.network.region_rtt(a, b),
                sc.network.region_estimated(a, b),
            )
        })
        .unzip();
    let (po, pb): (Vec<SimTime>, Vec<SimTime>) = (0..p * n)
        .map(|i| {
            let (q, r) = ((i / n) as u16, (i % n) as u16);
            (sc.network.pop_rtt_out(q, r), sc.network.pop_rtt_back(q, r))
        })
        .unzip();
    sc.network = Network::new(n, rr, est, po, pb, Dist::Constant(0));
    let (lookup, read_s, write_s) = (15 * MS, 4 * MS, 9 * MS);
    sc.dns.lookup = Dist::Constant(lookup);
    sc.dns.ttl = 0;
    for r in &mut sc.regions {
        r.read_service = Dist::Constant(read_s);
        r.write_service = Dist::Constant(write_s);
    }
    for q in &mut sc.populations {
        q.rate_per_s = 0.5;
    }
    sc.duration = s_to_ns(3_000.0);
    let out = run_scenario(&sc, 3, None).unwrap();
    let res = VariantResult::build("idle-azure", &sc, 3, &out);
    let primary = sc.region_id("eastus").unwrap();
    for (i, pop) in res.populations.iter().enumerate() {
        assert_eq!(pop.scope.failed, 0, "{}", pop.scope.name);
        assert_eq!(pop.served_by.len(), 1, "{}", pop.scope.name);
        let e = sc.region_id(&pop.served_by[0].region).unwrap();
        let q = i as u16;
        let access = sc.network.pop_rtt_out(q, e) / 2 + sc.network.pop_rtt_back(q, e) / 2;
        let read = lookup + access + read_s;
        assert_exact(&format!("{} read", pop.scope.name), &pop.scope.reads, read);
        let forward = if e == primary {
            0
        } else {
            sc.network.region_rtt(e, primary) / 2 + sc.network.region_rtt(primary, e) / 2
        };
        let write = lookup + access + forward + write_s;
        let w = &pop.scope.writes;
        if w.count > 100 {
            assert_exact(&format!("{} write", pop.scope.name), w, write);
        }
    }
}

/// Little's law on one run's regions: per region with traffic, (name, L, λW) — the
/// time-average number in the pool against arrival rate × mean time in the pool.
fn little(sc: &Scenario, seed: u64) -> Vec<(String, f64, f64)> {
    let out = run_scenario(sc, seed, None).unwrap();
    let r = VariantResult::build("v", sc, seed, &out);
    r.regions
        .iter()
        .filter(|g| g.pool_arrival_rate_per_s > 0.0 && g.mean_in_pool > 0.0)
        .map(|g| {
            let lw = g.pool_arrival_rate_per_s * g.mean_time_in_pool_ms / 1e3;
            (g.scope.name.clone(), g.mean_in_pool, lw)
        })
        .collect()
}

/// Little's law holds on a sample path up to edge effects: requests present when the
/// measurement starts (in L, not in λW) and when it ends (their whole sojourn is in λW, only
/// part of it in L), plus requests lost when a region crashes. In a stationary stretch the two
/// edges cancel in expectation, so across replications the relative gap (L − λW) / L has mean
/// zero and its confidence interval must cover 0.
///
/// The CI budget allows 4 replications of every variant of every shipped experiment with the
/// horizon cut to 1 500 s, or to the start of the first scripted fault if that is earlier: a
/// cut in the middle of an outage would end the measurement in a transient (a standby's queue
/// full of requests), where the two edges do not cancel — region-outage-timeline's
/// active-passive variant cut at 1 500 s, 300 s into its outage, shows a gap of −0.7% for
/// that reason alone. Per experiment, the
/// gap pooled over its variants and regions, Σ(L − λW) / ΣL, is tested at a family-wise 99%
/// over the 7 experiments (Bonferroni). The full-length, per-region version is
/// `littles_law_full_length_per_region` (ignored: about 6 minutes).
#[test]
fn littles_law_holds_in_every_shipped_experiment() {
    const REPS: u32 = 4;
    let exps = shipped_experiments();
    let level = 1.0 - (1.0 - LEVEL) / exps.len() as f64;
    for exp in &exps {
        let gaps: Vec<f64> = (0..REPS)
            .into_par_iter()
            .map(|i| {
                let seed = regionsim::runner::run_seed(exp.seed, i);
                let (mut gap, mut l) = (0.0, 0.0);
                for (_, sc) in &exp.variants {
                    let mut sc = sc.clone();
                    let first_fault = sc.faults.iter().map(|f| f.start).min();
                    sc.duration = sc
                        .duration
                        .min(s_to_ns(1_500.0))
                        .min(first_fault.unwrap_or(SimTime::MAX));
                    for (_, lr, lw) in little(&sc, seed) {
                        gap += lr - lw;
                        l += lr;
                    }
                }
                gap / l
            })
            .collect();
        let (m, half) = mean_ci(&gaps, level);
        eprintln!(
            "Little's law, {} ({} variants, horizon ≤ 1 500 s): (L − λW)/L = {m:+.2e} ± {half:.2e} ({:.3}% CI)",
            exp.name,
            exp.variants.len(),
            level * 100.0
        );
        assert!(
            m.abs() <= half,
            "{}: Little's law gap {m:+.2e} ± {half:.2e} does not cover 0",
            exp.name
        );
        // Informative: the interval excludes gaps of 0.1% or more.
        assert!(
            m.abs() + half < 1e-3,
            "{}: gap {m:+.2e} ± {half:.2e} is too uncertain to test Little's law",
            exp.name
        );
    }
}

/// The full-length version: every region of every variant of every shipped experiment, at the
/// shipped horizon, 5 replications, each region's gap tested at 99%.
/// `cargo test --release -- --ignored littles_law_full_length_per_region --nocapture`
#[test]
#[ignore = "about 6 minutes in release on 2 cores"]
fn littles_law_full_length_per_region() {
    let mut tested = 0;
    let mut worst: f64 = 0.0;
    for exp in shipped_experiments() {
        for (vname, sc) in &exp.variants {
            let reps: Vec<_> = (0..5)
                .into_par_iter()
                .map(|i| little(sc, regionsim::runner::run_seed(exp.seed, i)))
                .collect();
            for (region, _, _) in &reps[0] {
                let x: Vec<f64> = reps
                    .iter()
                    .filter_map(|r| r.iter().find(|g| g.0 == *region))
                    .map(|g| (g.1 - g.2) / g.1)
                    .collect();
                if x.len() < 3 {
                    continue;
                }
                let (m, half) = mean_ci(&x, LEVEL);
                eprintln!(
                    "Little {} / {vname} / {region}: gap {m:+.2e} ± {half:.2e}",
                    exp.name
                );
                assert!(m.abs() <= half, "{} / {vname} / {region}", exp.name);
                tested += 1;
                worst = worst.max(m.abs() + half);
            }
        }
    }
    eprintln!("Little's law: {tested} regions, largest |mean| + half-width {worst:.2e}");
}
