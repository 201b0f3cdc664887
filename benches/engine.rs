//! `cargo bench`: M/M/c through the request path and on the engine alone, and the shipped
//! experiments, as simulated events per second (criterion's throughput), the same workloads
//! `regionsim bench` times once.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use regionsim::bench::{EngineMmc, mmc_scenario};
use regionsim::model::Scenario;
use regionsim::sim::run_scenario;
use std::path::Path;
use std::time::Duration;

/// Events one run of `sc` delivers (the throughput unit).
fn events(sc: &Scenario) -> u64 {
    run_scenario(sc, 1, None)
        .expect("conserves requests")
        .events
}

fn bench(c: &mut Criterion, group: &str, cases: Vec<(String, Scenario)>) {
    let mut g = c.benchmark_group(group);
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    for (name, sc) in &cases {
        g.throughput(Throughput::Elements(events(sc)));
        g.bench_function(name.as_str(), |b| {
            b.iter(|| run_scenario(sc, 1, None).expect("conserves requests"))
        });
    }
    g.finish();
}

/// M/M/c with λ = 9/s, c = 10, mean service 1 s: 10⁵ customers per iteration.
fn mmc(c: &mut Criterion) {
    let sc = mmc_scenario(9.0, 10, 1.0, 100_000.0 / 9.0, 0.0);
    bench(c, "mmc", vec![("lambda9-c10".into(), sc)]);
}

/// Every variant of a shipped experiment, shortened to `duration_s` of simulated time.
fn shipped(c: &mut Criterion, file: &str, duration_s: f64) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("experiments")
        .join(file);
    let (exp, _) = regionsim::config::load_experiment(&path).expect("a shipped experiment loads");
    let cases = exp
        .variants
        .into_iter()
        .map(|(name, mut sc)| {
            let d = regionsim::engine::s_to_ns(duration_s).min(sc.duration);
            sc.duration = d;
            sc.warmup = sc.warmup.min(d / 10);
            (name, sc)
        })
        .collect();
    bench(c, file.trim_end_matches(".ron"), cases);
}

fn experiments(c: &mut Criterion) {
    shipped(c, "global-latency.ron", 120.0);
    shipped(c, "active-active-writes.ron", 120.0);
    shipped(c, "yearly-availability.ron", 30.0 * 86_400.0);
}

/// The engine alone on the SimPy script's M/M/c (`regionsim bench`'s second line): 10⁵
/// customers per iteration.
fn engine_alone(c: &mut Criterion) {
    let model = || EngineMmc::new(9.0, 10, 1.0, 100_000.0 / 9.0, 0.0, 1);
    let mut g = c.benchmark_group("engine-alone");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Elements(model().run().0));
    g.bench_function("mmc-lambda9-c10", |b| b.iter(|| model().run()));
    g.finish();
}

criterion_group!(benches, mmc, engine_alone, experiments);
criterion_main!(benches);
