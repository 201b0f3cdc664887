//! Fuzzing the RON loader (issue #8): mutated shipped experiments and topologies, and random
//! variant overrides, never make `load_experiment` panic, and every error names its file, line
//! and column.
//!
//! Mutations: byte flips (ASCII and multibyte characters), truncation, token swaps, deletions
//! and duplications, numbers replaced by extreme values, and variants that override random
//! dotted paths with random RON literals. Each case is written to a temp directory that holds a
//! copy of `topologies/` and `data/`, so relative paths resolve as in the repository.
//!
//! Each load runs on its own thread under a watchdog: a load that takes longer than [`slow`]
//! ends the whole test process at once with the input printed (a hang must fail CI fast, not
//! stall it while the shrinker retries), and a load whose heap peaks above [`heap_limit`]
//! (measured by a counting allocator, per thread) fails the case: no input may hang the loader
//! or make it allocate without bound.
//!
//! The cases are drawn from a fixed seed, so CI replays the same ones on every run; set
//! `LOADER_FUZZ_SEED=random` (or a number) and `LOADER_FUZZ_CASES=<n>` for a long local run.

use super::{ron_files, root};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use regionsim::config::{ConfigError, Severity, load_experiment, load_topology};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The system allocator, counting the live and peak heap bytes of each thread, so a fuzz case
/// can see how much its load allocated. Counting is two thread-local cells per call.
struct Metered;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn note(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let v = live.get() + delta;
        live.set(v);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(v)));
    });
}

// SAFETY: every call is forwarded to `System` unchanged; the bookkeeping only touches
// const-initialised thread-locals, which never allocate.
unsafe impl GlobalAlloc for Metered {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            note(l.size() as isize);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(l) };
        if !p.is_null() {
            note(l.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        note(-(l.size() as isize));
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            note(new as isize - l.size() as isize);
        }
        q
    }
}

#[global_allocator]
static METERED: Metered = Metered;

/// A temp tree with `experiments/`, `topologies/` (with `prices/`) and `data/` (copies of the
/// repository's).
fn sandbox() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = super::temp_dir("loader-fuzz");
        for sub in ["topologies", "topologies/prices", "data"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
            for e in std::fs::read_dir(root().join(sub)).unwrap() {
                let p = e.unwrap().path();
                if p.is_file() {
                    std::fs::copy(&p, d.join(sub).join(p.file_name().unwrap())).unwrap();
                }
            }
        }
        std::fs::create_dir_all(d.join("experiments")).unwrap();
        d
    })
}

/// The texts of every shipped `.ron` file under `dir`, sorted by name.
fn shipped(dir: &str) -> Vec<(String, String)> {
    ron_files(dir)
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

fn experiments() -> &'static [(String, String)] {
    static E: OnceLock<Vec<(String, String)>> = OnceLock::new();
    E.get_or_init(|| shipped("experiments"))
}

fn topologies() -> &'static [(String, String)] {
    static T: OnceLock<Vec<(String, String)>> = OnceLock::new();
    T.get_or_init(|| shipped("topologies"))
}

/// One edit of a text. Positions are fractions of the length, so they fit any text.
#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the byte at `at` by an ASCII character.
    FlipAscii { at: f64, byte: u8 },
    /// Insert a multibyte (or odd) character at `at`.
    InsertChar { at: f64, ch: char },
    /// Cut the text at `at`.
    Truncate { at: f64 },
    /// Swap two tokens.
    SwapTokens { a: f64, b: f64 },
    /// Delete a token.
    DeleteToken { a: f64 },
    /// Repeat a token.
    DuplicateToken { a: f64 },
    /// Replace a number token by an extreme value.
    ExtremeNumber { a: f64, value: &'static str },
}

const EXTREMES: &[&str] = &[
    "0",
    "-0",
    "-1",
    "1e12",
    "1e308",
    "1e309",
    "-1e308",
    "NaN",
    "inf",
    "-inf",
    "0.000000001",
    "4294967296",
    "18446744073709551616",
    "99999999999999999999999",
    "1.5",
    "2",
    // Units written into numbers, the mistake the unit hint reads (src/config/units.rs).
    "2h",
    "\"2h\"",
    "30min",
    "\"120\"",
    "1.5e3ms",
    "5µs",
    "3ħ",
    "1e999d",
    "\"two hours\"",
];

const ODD_CHARS: &[char] = &[
    'é', '—', '😀', '\u{0}', '\u{feff}', '\t', '\r', '"', '\\', 'ß',
];

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = 0.0..1.0f64;
    prop_oneof![
        3 => (at.clone(), 0x20u8..0x7f).prop_map(|(at, byte)| Mutation::FlipAscii { at, byte }),
        1 => (at.clone(), prop::sample::select(ODD_CHARS)).prop_map(|(at, ch)| Mutation::InsertChar { at, ch }),
        1 => at.clone().prop_map(|at| Mutation::Truncate { at }),
        2 => (at.clone(), at.clone()).prop_map(|(a, b)| Mutation::SwapTokens { a, b }),
        2 => at.clone().prop_map(|a| Mutation::DeleteToken { a }),
        1 => at.clone().prop_map(|a| Mutation::DuplicateToken { a }),
        3 => (at, prop::sample::select(EXTREMES)).prop_map(|(a, value)| Mutation::ExtremeNumber { a, value }),
    ]
}

/// Byte ranges of the tokens of a RON text: identifiers, numbers, strings and single
/// punctuation characters (whitespace and comments are not tokens).
fn tokens(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(b.len());
        } else if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.' {
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'-' | b'.' | b'+'))
            {
                i += 1;
            }
        } else {
            // One character (multibyte ones whole).
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
        out.push((start, i));
    }
    out
}

/// The char boundary at fraction `at` of `text`.
fn boundary(text: &str, at: f64) -> usize {
    let mut i = ((text.len() as f64 * at) as usize).min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn pick(toks: &[(usize, usize)], a: f64) -> Option<(usize, usize)> {
    (!toks.is_empty()).then(|| toks[((toks.len() as f64 * a) as usize).min(toks.len() - 1)])
}

/// Applies one mutation; the result is always valid UTF-8.
fn apply(text: &str, m: &Mutation) -> String {
    let mut s = text.to_owned();
    match *m {
        Mutation::FlipAscii { at, byte } => {
            let i = boundary(&s, at);
            let end = s[i..].chars().next().map_or(i, |c| i + c.len_utf8());
            s.replace_range(i..end, &(byte as char).to_string());
        }
        Mutation::InsertChar { at, ch } => {
            let i = boundary(&s, at);
            s.insert(i, ch);
        }
        Mutation::Truncate { at } => {
            let i = boundary(&s, at);
            s.truncate(i);
        }
        Mutation::SwapTokens { a, b } => {
            let toks = tokens(&s);
            if let (Some(x), Some(y)) = (pick(&toks, a), pick(&toks, b)) {
                let (x, y) = if x.0 <= y.0 { (x, y) } else { (y, x) };
                if x.1 <= y.0 {
                    s = format!(
                        "{}{}{}{}{}",
                        &text[..x.0],
                        &text[y.0..y.1],
                        &text[x.1..y.0],
                        &text[x.0..x.1],
                        &text[y.1..]
                    );
                }
            }
        }
        Mutation::DeleteToken { a } => {
            if let Some((x, y)) = pick(&tokens(&s), a) {
                s.replace_range(x..y, "");
            }
        }
        Mutation::DuplicateToken { a } => {
            if let Some((x, y)) = pick(&tokens(&s), a) {
                let t = s[x..y].to_owned();
                s.insert_str(y, &format!(" {t}"));
            }
        }
        Mutation::ExtremeNumber { a, value } => {
            let nums: Vec<_> = tokens(&s)
                .into_iter()
                .filter(|&(x, _)| s.as_bytes()[x].is_ascii_digit())
                .collect();
            if let Some((x, y)) = pick(&nums, a) {
                s.replace_range(x..y, value);
            }
        }
    }
    s
}

/// Valid override paths of the shipped experiments and topologies, and near misses.
const PATHS: &[&str] = &[
    "duration_s",
    "warmup_s",
    "window_s",
    "seed",
    "slo",
    "dns.ttl_s",
    "dns.policy",
    "dns.lookup",
    "dns.lookup.median_ms",
    "dns.ttl_violators",
    "dns.ttl_violators.fraction",
    "client.timeout_ms",
    "client.retries",
    "client.deadline_ms",
    "design",
    "design.primary",
    "design.regions",
    "design.standbys",
    "design.failover",
    "design.standby_capacity",
    "data.replication.mode",
    "data.replication.lag",
    "data.replication.lag.mean_ms",
    "data.replication.shape",
    "data.clock_skew",
    "data.conflict",
    "data.class",
    "health",
    "health.interval_s",
    "health.checkers",
    "faults",
    "random_outages",
    "random_outages.mtbf_h",
    "populations",
    "populations.new-york",
    "populations.new-york.rate_per_s",
    "populations.new-york.keys.count",
    "topology",
    "topology.defaults.servers",
    "topology.defaults.read_service",
    "topology.regions",
    "topology.regions.eastus.servers",
    "topology.network.jitter",
    "topology.network.rtt",
    "topology.network.intra_region_rtt_ms",
    "",
    ".",
    "..",
    "dns..ttl_s",
    "dns.ttl_s.x",
    "design.regions.0",
    "faults.#0",
    "populations.nowhere.rate_per_s",
    "variants",
    "name",
];

/// RON literals: well-formed of every kind, and broken ones.
const VALUES: &[&str] = &[
    "0",
    "-1",
    "\"60s\"",
    "2h",
    "1e12",
    "1e309",
    "NaN",
    "inf",
    "true",
    "\"eastus\"",
    "\"\"",
    "\"é—😀\"",
    "[]",
    "{}",
    "()",
    "[1, 2, [3]]",
    "{\"eastus\": 1}",
    "Some(3)",
    "None",
    "Constant(ms: 5)",
    "Exponential(mean_ms: -1)",
    "LogNormal(median_ms: 100, p99_ms: 1)",
    "ActiveActive(regions: [])",
    "ActiveActive(regions: [\"eastus\", \"eastus\"])",
    "ActivePassive(primary: \"nowhere\")",
    "Chain([\"eastus\", \"westus2\", \"eastus\"])",
    "Sync",
    "SemiSync(99)",
    "Weighted(weights: {})",
    "[RegionOutage(region: \"eastus\", at_s: -5, for_s: 1e300)]",
    "(interval_s: 0, failure_threshold: 0)",
    "(mtbf_h: 0, mttr_h: 0)",
    "18446744073709551616",
    "(",
    "[1,",
    "\"unterminated",
    "Foo(",
    "// only a comment",
    "r#\"raw\"#",
    "'c'",
];

/// A RON literal from the lists or from the alphabet RON is written in.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(VALUES).prop_map(str::to_owned),
        1 => "[-+0-9.eE(){}\\[\\]:,\" a-zA-Z_]{0,24}",
    ]
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(PATHS).prop_map(str::to_owned),
        1 => "[a-z_]{1,10}(\\.[a-z_#0-9-]{1,10}){0,4}",
    ]
}

/// Adds a variant overriding `overrides` to an experiment text (or its first variant list).
fn with_variant(text: &str, overrides: &[(String, String)]) -> String {
    let body: Vec<String> = overrides
        .iter()
        .map(|(p, v)| format!("{p:?}: {v}"))
        .collect();
    let variant = format!("(name: \"fuzz\", overrides: {{{}}}),", body.join(", "));
    if let Some(i) = text.find("variants: [") {
        let at = i + "variants: [".len();
        format!("{}\n        {variant}{}", &text[..at], &text[at..])
    } else {
        let end = text.rfind(')').unwrap_or(text.len());
        format!(
            "{}    variants: [{variant}],\n{}",
            &text[..end],
            &text[end..]
        )
    }
}

static CASE: AtomicUsize = AtomicUsize::new(0);

/// Writes `text` as a fresh file in `sub` of the sandbox.
fn write(sub: &str, text: &str) -> PathBuf {
    let n = CASE.fetch_add(1, Ordering::Relaxed);
    let p = sandbox().join(sub).join(format!("fuzz-{n}.ron"));
    std::fs::write(&p, text).unwrap();
    p
}

/// Loads that succeeded and that were refused, across the cases of this process.
static OUTCOMES: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];

/// Cases per property: 200, or `LOADER_FUZZ_CASES` for a longer local run.
fn cases() -> u32 {
    std::env::var("LOADER_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

/// The longest a load may take: no input may hang the loader. Loads take milliseconds; the
/// 10 s margin covers a machine busy with other tests (`LOADER_FUZZ_SLOW_MS` changes it, for
/// the test of the watchdog itself).
fn slow() -> Duration {
    Duration::from_millis(env_number("LOADER_FUZZ_SLOW_MS").unwrap_or(10_000))
}

/// The most heap one load may hold at once: 256 MB. Loading a shipped experiment peaks at a
/// few MB; the limits on what a file may ask (events, memory) are checked by estimating, not by
/// allocating, so no input should come near this (`LOADER_FUZZ_HEAP_LIMIT` changes it).
fn heap_limit() -> isize {
    env_number("LOADER_FUZZ_HEAP_LIMIT").map_or(256 << 20, |v| v as isize)
}

fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    Some(
        v.parse()
            .unwrap_or_else(|_| panic!("{name}={v}: not a whole number")),
    )
}

/// The largest heap peak and the slowest load seen in this process (bytes, microseconds).
static WORST: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];

/// The seed of the cases: fixed (CI replays the same cases every run) unless
/// `LOADER_FUZZ_SEED` is a number or `random` (a fresh seed, printed so a failure can be
/// replayed).
fn seed() -> RngSeed {
    static SEED: OnceLock<u64> = OnceLock::new();
    let s = *SEED.get_or_init(|| match std::env::var("LOADER_FUZZ_SEED").as_deref() {
        Ok("random") => {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            let s = t.as_nanos() as u64 ^ u64::from(std::process::id());
            say(&format!("loader fuzz: LOADER_FUZZ_SEED={s}"));
            s
        }
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("LOADER_FUZZ_SEED={v}: not a number")),
        Err(_) => 0x5eed_2026_1123,
    });
    RngSeed::Fixed(s)
}

/// Writes a line to the real stderr, past the test harness's capture (which a process exit
/// would lose).
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Runs `load(path)` on its own thread with a deadline and returns its result with the peak
/// heap the load held. A load past [`slow`] ends the process with the input on stderr.
fn watched<T: Send + 'static>(
    path: &Path,
    load: fn(&Path) -> Result<T, ConfigError>,
) -> (Result<T, ConfigError>, isize) {
    let (tx, rx) = std::sync::mpsc::channel();
    let p = path.to_owned();
    let started = Instant::now();
    std::thread::Builder::new()
        .name("fuzz-load".into())
        .spawn(move || {
            LIVE.with(|c| c.set(0));
            PEAK.with(|c| c.set(0));
            let r = load(&p);
            let peak = PEAK.with(Cell::get);
            let _ = tx.send((r, peak));
        })
        .expect("a thread for the load");
    let deadline = slow();
    match rx.recv_timeout(deadline) {
        Ok((r, peak)) => {
            let us = started.elapsed().as_micros() as usize;
            WORST[0].fetch_max(peak.max(0) as usize, Ordering::Relaxed);
            WORST[1].fetch_max(us, Ordering::Relaxed);
            (r, peak)
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            say(&format!(
                "loader fuzz: loading {} did not finish in {deadline:?}: a hang. The input:\n{text}",
                path.display()
            ));
            std::process::exit(3);
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            // The load panicked on its thread (the panic message is already on stderr).
            panic!("loading {} panicked", path.display());
        }
    }
}

/// With `LOADER_FUZZ_SAVE=<dir>`, keeps each refused input whose first error (digits
/// removed) has not been seen yet: a corpus of distinct diagnostics to replay.
fn save_to_corpus(path: &Path, e: &ConfigError) {
    static SEEN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let Some(dir) = std::env::var_os("LOADER_FUZZ_SAVE") else {
        return;
    };
    let Some(first) = e
        .diagnostics()
        .iter()
        .find(|d| d.severity == Severity::Error)
    else {
        return;
    };
    let key: String = first
        .message
        .chars()
        .filter(|c| !c.is_ascii_digit())
        .collect();
    {
        let mut seen = SEEN.lock().unwrap();
        if seen.contains(&key) {
            return;
        }
        seen.push(key);
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    let kind = if path.parent().is_some_and(|p| p.ends_with("topologies")) {
        "topo"
    } else {
        "exp"
    };
    let name = format!(
        "{kind}-{}.ron",
        &regionsim::config::digest_hex(text.as_bytes())[..12]
    );
    let dir = PathBuf::from(dir);
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(name), text);
}

/// Loads `path` with `load` and checks the outcome: never a panic (a panic fails the case),
/// never an I/O error for a file that exists and is UTF-8, and every error located at a line
/// and column inside a file that exists.
fn check<T: Send + 'static>(
    path: &Path,
    load: fn(&Path) -> Result<T, ConfigError>,
) -> Result<(), TestCaseError> {
    let (r, peak) = watched(path, load);
    let n = OUTCOMES[0].load(Ordering::Relaxed) + OUTCOMES[1].load(Ordering::Relaxed) + 1;
    if n.is_multiple_of(10_000) {
        say(&format!(
            "loader fuzz: {n} loads ({} accepted), largest heap peak {:.1} MB, slowest {:.1} ms",
            OUTCOMES[0].load(Ordering::Relaxed),
            WORST[0].load(Ordering::Relaxed) as f64 / 1e6,
            WORST[1].load(Ordering::Relaxed) as f64 / 1e3,
        ));
    }
    let limit = heap_limit();
    prop_assert!(
        peak <= limit,
        "loading held {peak} bytes of heap at once (limit {limit})"
    );
    let Err(e) = r else {
        OUTCOMES[0].fetch_add(1, Ordering::Relaxed);
        return Ok(());
    };
    OUTCOMES[1].fetch_add(1, Ordering::Relaxed);
    save_to_corpus(path, &e);
    if std::env::var_os("LOADER_FUZZ_SHOW").is_some() {
        eprintln!("---\n{e}");
    }
    prop_assert!(
        matches!(e, ConfigError::Invalid(_)),
        "an existing UTF-8 file gave an I/O error: {e}"
    );
    let diags = e.diagnostics();
    prop_assert!(
        diags.iter().any(|d| d.severity == Severity::Error),
        "refused without an error: {e}"
    );
    for d in diags.iter().filter(|d| d.severity == Severity::Error) {
        prop_assert!(!d.file.is_empty(), "error without a file: {d}");
        prop_assert!(
            d.line.is_some() && d.col.is_some(),
            "error without line:col: {d}"
        );
        let text = std::fs::read_to_string(&d.file);
        prop_assert!(text.is_ok(), "error names a file that cannot be read: {d}");
        let lines = text.unwrap().split('\n').count();
        prop_assert!(
            d.line.unwrap() >= 1 && d.line.unwrap() <= lines && d.col.unwrap() >= 1,
            "error located outside its file ({lines} lines): {d}"
        );
    }
    Ok(())
}

/// The experiment text with its topology path pointing at `topology` (a file name in the
/// sandbox's topologies/).
fn retarget(text: &str, topology: &str) -> String {
    let Some(i) = text.find("topology: \"") else {
        return text.to_owned();
    };
    let start = i + "topology: \"".len();
    let end = start + text[start..].find('"').unwrap_or(0);
    format!("{}../topologies/{topology}{}", &text[..start], &text[end..])
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        rng_seed: seed(),
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_experiments_never_panic_and_errors_are_located(
        which in 0..64usize,
        muts in prop::collection::vec(mutation(), 1..4),
    ) {
        let (_, text) = &experiments()[which % experiments().len()];
        let mut s = text.clone();
        for m in &muts {
            s = apply(&s, m);
        }
        check(&write("experiments", &s), load_experiment)?;
    }

    #[test]
    fn mutated_topologies_never_panic_and_errors_are_located(
        which in 0..3usize,
        exp in 0..64usize,
        muts in prop::collection::vec(mutation(), 1..4),
    ) {
        let (_, text) = &topologies()[which % topologies().len()];
        let mut s = text.clone();
        for m in &muts {
            s = apply(&s, m);
        }
        let topo = write("topologies", &s);
        check(&topo, load_topology)?;
        // Through an experiment too: every shipped one is written for azure-15, so others
        // also exercise unknown-region errors against a mutated topology.
        let (_, e) = &experiments()[exp % experiments().len()];
        let name = topo.file_name().unwrap().to_string_lossy().into_owned();
        check(&write("experiments", &retarget(e, &name)), load_experiment)?;
    }

    #[test]
    fn random_overrides_never_panic_and_errors_are_located(
        which in 0..64usize,
        overrides in prop::collection::vec((path(), value()), 1..4),
    ) {
        let (_, text) = &experiments()[which % experiments().len()];
        check(&write("experiments", &with_variant(text, &overrides)), load_experiment)?;
    }
}

/// The committed corpus (tests/fixtures/fuzz-corpus): inputs the fuzzers found that reached
/// distinct diagnostics, replayed on every test run so a fixed mistake stays fixed. Add to it
/// with `LOADER_FUZZ_SAVE=tests/fixtures/fuzz-corpus LOADER_FUZZ_CASES=5000 cargo test
/// --release loader_fuzz`.
#[test]
fn the_fuzz_corpus_replays_without_panics_and_with_located_errors() {
    let files = ron_files("tests/fixtures/fuzz-corpus");
    assert!(files.len() >= 20, "corpus has {} files", files.len());
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let r = if name.starts_with("topo-") {
            check(&write("topologies", &text), load_topology)
        } else {
            check(&write("experiments", &text), load_experiment)
        };
        if let Err(e) = r {
            panic!("{name}: {e}");
        }
    }
}

#[test]
fn the_mutators_keep_shipped_files_loadable_when_they_change_nothing() {
    // The harness itself: every shipped experiment loads from the sandbox as written, and an
    // empty override list is accepted.
    for (name, text) in experiments() {
        let p = write("experiments", text);
        load_experiment(&p).unwrap_or_else(|e| panic!("{name}: {e}"));
        let p = write("experiments", &with_variant(text, &[]));
        load_experiment(&p).unwrap_or_else(|e| panic!("{name} with an empty variant: {e}"));
    }
    let t = tokens("a: [1, \"x,y\"], // c\nb: -2.5e3");
    assert_eq!(t.len(), 11, "{t:?}");
}

/// The watchdog and the heap meter can fail: this test binary, run again with a deadline of
/// 0 ms, must end with the hang message and exit code 3; with a heap limit of 1 KB, the case
/// must fail on the heap. (Each runs one property with a few cases in a child process.)
#[test]
fn the_fuzz_watchdog_stops_a_hang_and_the_meter_catches_a_large_heap() {
    let me = std::env::current_exe().unwrap();
    let run = |var: &str| {
        std::process::Command::new(&me)
            .args([
                "loader_fuzz::random_overrides_never_panic_and_errors_are_located",
                "--exact",
                "--test-threads",
                "1",
            ])
            .env(var, "0")
            .env("LOADER_FUZZ_CASES", "3")
            .env_remove("LOADER_FUZZ_SAVE")
            .output()
            .unwrap()
    };
    let hang = run("LOADER_FUZZ_SLOW_MS");
    let err = String::from_utf8_lossy(&hang.stderr);
    assert_eq!(hang.status.code(), Some(3), "{err}");
    assert!(err.contains("did not finish in 0ns: a hang"), "{err}");
    assert!(err.contains("Experiment("), "the input is printed: {err}");

    let heap = run("LOADER_FUZZ_HEAP_LIMIT");
    let out = String::from_utf8_lossy(&heap.stdout);
    assert!(!heap.status.success(), "{out}");
    assert!(out.contains("bytes of heap at once (limit 0)"), "{out}");
}
