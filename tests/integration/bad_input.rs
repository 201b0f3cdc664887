//! Bad input: every mistake in a topology or experiment file is refused before anything runs,
//! with exit code 2 (never a panic's 101) and, on stderr, `error: FILE:LINE:COL: message`
//! naming the problem, plus a `help:` line with the closest valid name for a misspelling.
//!
//! Fixtures live in tests/fixtures/bad/; each one's first comment says what is wrong with it.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What one invocation of the binary did.
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// One `error:` diagnostic parsed back from stderr.
#[derive(Debug)]
struct Reported {
    path: String,
    line: Option<usize>,
    col: Option<usize>,
    message: String,
    help: Option<String>,
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bad")
        .join(name)
}

fn regionsim<I, S>(args: I) -> Outcome
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = Command::new(env!("CARGO_BIN_EXE_regionsim"))
        .args(args)
        .output()
        .expect("regionsim starts");
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `regionsim check tests/fixtures/bad/<name>`.
fn check(name: &str) -> Outcome {
    regionsim([OsStr::new("check"), fixture(name).as_os_str()])
}

/// A fresh directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "regionsim-bad-input-{tag}-{}-{nanos}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir is writable");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `regionsim run tests/fixtures/bad/<name> --out <fresh temp dir>/results`; also asserts that
/// the refused run wrote no results.
fn run(name: &str) -> Outcome {
    let tmp = TempDir::new(name.trim_end_matches(".ron"));
    let results = tmp.0.join("results");
    let o = regionsim([
        OsStr::new("run"),
        fixture(name).as_os_str(),
        OsStr::new("--out"),
        results.as_os_str(),
    ]);
    assert!(
        !results.exists(),
        "`regionsim run {name}` was refused but still wrote {}",
        results.display()
    );
    o
}

/// Parses every `error: PATH[:LINE:COL]: message` line (and its `  help:` line) of stderr.
fn errors(stderr: &str) -> Vec<Reported> {
    let lines: Vec<&str> = stderr.lines().collect();
    let mut out = vec![];
    for (i, l) in lines.iter().enumerate() {
        let Some(rest) = l.strip_prefix("error: ") else {
            continue;
        };
        let Some((loc, message)) = rest.split_once(": ") else {
            continue;
        };
        let mut parts = loc.rsplitn(3, ':');
        let (c, l2, p) = (parts.next(), parts.next(), parts.next());
        let (path, line, col) = match (
            p,
            l2.and_then(|s| s.parse().ok()),
            c.and_then(|s| s.parse().ok()),
        ) {
            (Some(p), Some(line), Some(col)) => (p.to_owned(), Some(line), Some(col)),
            _ => (loc.to_owned(), None, None),
        };
        let help = lines
            .get(i + 1)
            .and_then(|h| h.strip_prefix("  help: "))
            .map(str::to_owned);
        out.push(Reported {
            path,
            line,
            col,
            message: message.to_owned(),
            help,
        });
    }
    out
}

/// Asserts the input was refused the way bad input must be: exit code 2, `error:` on stderr,
/// nothing on stdout. Returns the parsed errors.
fn assert_refused(o: &Outcome, what: &str) -> Vec<Reported> {
    assert_ne!(
        o.code,
        Some(101),
        "{what}: regionsim panicked on bad input\nstderr:\n{}",
        o.stderr
    );
    assert_eq!(
        o.code,
        Some(2),
        "{what}: bad input must exit with code 2\nstdout:\n{}\nstderr:\n{}",
        o.stdout,
        o.stderr
    );
    assert!(
        o.stderr.contains("error:"),
        "{what}: stderr has no `error:`\nstderr:\n{}",
        o.stderr
    );
    assert!(
        o.stdout.trim().is_empty(),
        "{what}: nothing should be printed on stdout for bad input, got:\n{}",
        o.stdout
    );
    errors(&o.stderr)
}

/// The error in `file` whose message contains `words`; panics with stderr when there is none.
fn find<'a>(errs: &'a [Reported], o: &Outcome, file: &str, words: &str) -> &'a Reported {
    errs.iter()
        .find(|e| e.path.ends_with(file) && e.message.contains(words))
        .unwrap_or_else(|| {
            panic!(
                "no error in `{file}` containing `{words}`\nstderr:\n{}",
                o.stderr
            )
        })
}

/// Asserts `e` is located at exactly `line:col`.
fn assert_at(e: &Reported, line: usize, col: usize, o: &Outcome) {
    assert_eq!(
        (e.line, e.col),
        (Some(line), Some(col)),
        "`{}` should be located at {}:{line}:{col}\nstderr:\n{}",
        e.message,
        e.path,
        o.stderr
    );
}

/// Asserts `e` is located on `line` (any column).
fn assert_on_line(e: &Reported, line: usize, o: &Outcome) {
    assert!(
        e.line == Some(line) && e.col.is_some(),
        "`{}` should be located on line {line} of {}\nstderr:\n{}",
        e.message,
        e.path,
        o.stderr
    );
}

fn assert_help(e: &Reported, help: &str, o: &Outcome) {
    assert!(
        e.help.as_deref().is_some_and(|h| h.contains(help)),
        "`{}` should come with help `{help}`\nstderr:\n{}",
        e.message,
        o.stderr
    );
}

fn assert_error_count(o: &Outcome, n: usize) {
    let want = format!(
        "{n} error{} found; nothing was simulated",
        if n == 1 { "" } else { "s" }
    );
    assert!(
        o.stderr.contains(&want),
        "stderr should end with `{want}`\nstderr:\n{}",
        o.stderr
    );
}

#[test]
fn malformed_ron_is_reported_at_its_line_and_column() {
    // The comma after `duration_s: 60` (line 7) is missing; ron notices at `warmup_s`, 8:5.
    let file = "malformed-missing-comma.ron";
    for o in [check(file), run(file)] {
        let errs = assert_refused(&o, file);
        let e = find(&errs, &o, file, "comma");
        assert_at(e, 8, 5, &o);
        assert_error_count(&o, 1);
    }

    // `"boston": (` is never closed; the `}` on line 14, column 5, comes where a field should.
    let file = "malformed-unclosed-paren.ron";
    let o = check(file);
    let errs = assert_refused(&o, file);
    assert_eq!(errs.len(), 1, "one syntax error\nstderr:\n{}", o.stderr);
    assert!(errs[0].path.ends_with(file), "{}", o.stderr);
    assert_at(&errs[0], 14, 5, &o);
}

#[test]
fn unknown_region_in_design_or_anchor_suggests_the_closest_region() {
    let file = "unknown-region.ron";
    let o = check(file);
    let errs = assert_refused(&o, file);

    let design = find(&errs, &o, file, "unknown region `eastsu`");
    assert_help(design, "did you mean `eastus`?", &o);
    assert_on_line(design, 7, &o);

    let anchor = find(&errs, &o, file, "unknown region `northeurpoe`");
    assert_help(anchor, "did you mean `northeurope`?", &o);
    assert_on_line(anchor, 10, &o);

    assert!(o.stderr.contains("did you mean `eastus`?"), "{}", o.stderr);
    assert_error_count(&o, 2);
}

#[test]
fn misspelt_field_name_suggests_the_right_one() {
    let file = "misspelt-field.ron";
    let o = check(file);
    let errs = assert_refused(&o, file);
    let e = find(&errs, &o, file, "rate_per_sec");
    assert_at(e, 12, 13, &o);
    assert_help(e, "did you mean `rate_per_s`?", &o);
    assert_error_count(&o, 1);
}

#[test]
fn negative_rate_is_refused_naming_the_field_and_value() {
    let file = "negative-rate.ron";
    let o = check(file);
    let errs = assert_refused(&o, file);
    let e = find(&errs, &o, file, "rate_per_s");
    assert!(
        e.message.contains("-5") && e.message.contains("boston"),
        "the message should give the population and the value -5: {}",
        e.message
    );
    assert_on_line(e, 12, &o);
    assert_error_count(&o, 1);
}

#[test]
fn write_fraction_above_one_is_refused_as_a_probability() {
    let file = "write-fraction-above-one.ron";
    let o = check(file);
    let errs = assert_refused(&o, file);
    let e = find(&errs, &o, file, "write_fraction");
    assert!(
        e.message
            .contains("is a probability and must be between 0 and 1")
            && e.message.contains("1.5"),
        "{}",
        e.message
    );
    assert_on_line(e, 13, &o);
    assert_error_count(&o, 1);
}

#[test]
fn missing_topology_file_is_named_in_the_message() {
    let file = "missing-topology.ron";
    for o in [check(file), run(file)] {
        let errs = assert_refused(&o, file);
        let e = find(&errs, &o, file, "cannot read topology file");
        assert!(
            e.message.contains("topologies/no-such-topology.ron"),
            "the message should name the missing path: {}",
            e.message
        );
        // Located at the `topology:` field of the experiment.
        assert_at(e, 4, 5, &o);
        assert_error_count(&o, 1);
    }
}

#[test]
fn nonexistent_input_file_cannot_be_read() {
    let file = "no-such-experiment.ron";
    assert!(!fixture(file).exists());
    for o in [check(file), run(file)] {
        assert_ne!(o.code, Some(101), "panicked:\n{}", o.stderr);
        assert_eq!(o.code, Some(2), "stderr:\n{}", o.stderr);
        assert!(
            o.stderr.contains("cannot read") && o.stderr.contains(file),
            "stderr should say the file cannot be read:\n{}",
            o.stderr
        );
        assert!(o.stdout.trim().is_empty(), "stdout:\n{}", o.stdout);
    }
}

#[test]

fn nonexistent_input_file_is_reported_as_an_error() {
    let file = "no-such-experiment.ron";
    for o in [check(file), run(file)] {
        let errs = assert_refused(&o, file);
        find(&errs, &o, file, "cannot read");
    }
}

#[test]
fn empty_rtt_matrix_is_refused() {
    // A CSV matrix with a header and no rows.
    let file = "empty-rtt-csv.ron";
    let o = check(file);
    let errs = assert_refused(&o, file);
    let e = find(&errs, &o, file, "empty");
    assert!(
        e.message.contains("empty.csv"),
        "the message should name the CSV: {}",
        e.message
    );
    assert_at(e, 16, 9, &o);
    assert_error_count(&o, 1);

    // An inline matrix without rows.
    let file = "empty-rtt-inline.ron";
    let o = check(file);
    let errs = assert_refused(&o, file);
    let e = find(&errs, &o, file, "empty");
    assert_at(e, 16, 9, &o);
    assert_error_count(&o, 1);
}

#[test]
fn all_semantic_errors_are_reported_in_one_run() {
    let file = "three-semantic-errors.ron";
    for o in [check(file), run(file)] {
        let errs = assert_refused(&o, file);
        let region = find(&errs, &o, file, "unknown region `eu-wset`");
        assert_help(region, "did you mean `eu-west`?", &o);
        assert_on_line(region, 8, &o);
        let rate = find(&errs, &o, file, "rate_per_s of `boston`");
        assert!(rate.message.contains("-20"), "{}", rate.message);
        assert_on_line(rate, 10, &o);
        let wf = find(&errs, &o, file, "write_fraction of `dublin`");
        assert!(wf.message.contains("between 0 and 1"), "{}", wf.message);
        assert_on_line(wf, 11, &o);
        assert_eq!(errs.len(), 3, "exactly three errors\nstderr:\n{}", o.stderr);
        assert_error_count(&o, 3);
    }
}

#[test]
fn zero_server_region_and_misspelt_override_path_are_both_reported() {
    // The topology on its own.
    let topo = "zero-servers.ron";
    let o = check(topo);
    let errs = assert_refused(&o, topo);
    let e = find(&errs, &o, topo, "region `eu-west` has 0 servers");
    assert_on_line(e, 13, &o);
    assert_error_count(&o, 1);

    // Through an experiment whose variant also misspells an override path: the server error
    // is located in the topology file, the override error in the experiment's variant.
    let file = "zero-servers-bad-override.ron";
    let o = check(file);
    let errs = assert_refused(&o, file);
    let e = find(&errs, &o, topo, "region `eu-west` has 0 servers");
    assert_on_line(e, 13, &o);
    let e = find(&errs, &o, file, "variant `short-ttl`");
    assert!(e.message.contains("dns.tll_s"), "{}", e.message);
    assert_help(e, "did you mean `dns.ttl_s`?", &o);
    // At the override itself.
    assert_at(e, 14, 13, &o);
    assert_error_count(&o, 2);
}

#[test]
fn too_many_requests_are_refused_before_running() {
    // One population at 1e12 requests/s: over the per-population limit and the per-run limit.
    let file = "rate-too-high.ron";
    for o in [check(file), run(file)] {
        let errs = assert_refused(&o, file);
        let e = find(&errs, &o, file, "rate_per_s of `boston`");
        assert!(
            e.message.contains("1000000000000 requests/s")
                && e.message.contains("the limit is 10 000 000 per population"),
            "{}",
            e.message
        );
        assert_on_line(e, 8, &o);
        let e = find(&errs, &o, file, "requests per run");
        assert!(e.message.contains("the limit is 2e9"), "{}", e.message);
        assert_error_count(&o, 2);
    }

    // Each rate within the per-population limit, but 1.44e10 requests in all.
    let file = "total-requests-too-many.ron";
    for o in [check(file), run(file)] {
        let errs = assert_refused(&o, file);
        let e = find(&errs, &o, file, "requests per run");
        assert!(
            e.message.contains("1.440e10")
                && e.message.contains("the limit is 2e9")
                && e.message.contains("lower the rates or the duration"),
            "{}",
            e.message
        );
        assert_error_count(&o, 1);
    }
}

#[test]

fn error_after_a_multibyte_character_is_located_without_panicking() {
    // The comment's em dash comes right before `populations`, the first key of the error's path.
    let file = "multibyte-before-key.ron";
    let o = check(file);
    let errs = assert_refused(&o, file);
    let e = find(&errs, &o, file, "rate_per_s of `boston`");
    assert_on_line(e, 9, &o);
}

#[test]
fn fault_and_failover_mistakes_are_all_reported_with_did_you_mean() {
    let file = "fault-errors.ron";
    let o = check(file);
    let errs = assert_refused(&o, file);
    let region = find(&errs, &o, file, "unknown region `us-eats`");
    assert_help(region, "did you mean `us-east`?", &o);
    assert_on_line(region, 10, &o);
    let loss = find(&errs, &o, file, "CapacityLoss.fraction");
    assert!(loss.message.contains("1.5"), "{}", loss.message);
    assert_on_line(loss, 11, &o);
    let auto = find(
        &errs,
        &o,
        file,
        "automatic failover reacts to health checks",
    );
    assert_on_line(auto, 8, &o);
    let checker = find(&errs, &o, file, "`tokio` is neither a region");
    assert_help(checker, "did you mean `tokyo`?", &o);
}

/// Not a mistake: a client policy that names some fields keeps the defaults of the others
/// (it used to demand all seven).
#[test]
fn a_partial_client_policy_keeps_the_other_defaults() {
    let e = super::experiment(
        "partial-client",
        r#"duration_s: 60, design: ActiveActive(regions: ["eastus"]),
        client: (retries: 0),
        populations: {"new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 10)},"#,
    );
    let c = &e.variants[0].1.populations[0].client;
    assert_eq!(c.retries, 0);
    assert_eq!(c.timeout, 2_000_000_000);
    assert_eq!(c.connect_timeout, 1_000_000_000);
    assert_eq!(c.deadline, 10_000_000_000);
    assert!(c.re_resolve_on_failure);
}

/// `run` on an empty file says it is empty, and on a file cut short that it ends too early,
/// rather than only what token ron expected next.
#[test]
fn empty_and_truncated_files_say_so() {
    let o = run("empty-file.ron");
    assert_eq!(o.code, Some(2));
    assert!(o.stderr.contains("the file is empty"), "{}", o.stderr);
    let o = run("truncated.ron");
    assert_eq!(o.code, Some(2));
    assert!(
        o.stderr.contains("the file ends here") && o.stderr.contains(":30:19:"),
        "{}",
        o.stderr
    );
}

/// A timeline window longer than the run is allowed, with a warning that says what it costs.
#[test]
fn a_window_longer_than_the_run_is_warned_about() {
    let (_, warnings) = super::experiment_and_warnings(
        "long-window",
        r#"duration_s: 60, window_s: 600, design: ActiveActive(regions: ["eastus"]),
        populations: {"new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 10)},"#,
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.message.contains("is longer than the run")),
        "{warnings:?}"
    );
}

/// A fault that ends after the run (an outage of 600 s at 300 s in a 600 s run) gets a
/// warning at the fault, saying when it ends; one that ends with the run, and a clock jump
/// (which lasts for good), do not.
#[test]
fn a_fault_that_outlasts_the_run_is_warned_about() {
    let (_, warnings) = super::experiment_and_warnings(
        "outlasting-fault",
        r#"duration_s: 600, design: ActiveActive(regions: ["eastus", "westeurope"]),
        faults: [
            RegionOutage(region: "eastus", at_s: 300, for_s: 300),
            RegionOutage(region: "westeurope", at_s: 300, for_s: 600),
            ClockJump(region: "eastus", at_s: 100, by_ms: 50),
        ],
        populations: {"new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 10)},"#,
    );
    let past: Vec<_> = warnings
        .iter()
        .filter(|w| w.message.contains("past the end of the run"))
        .collect();
    assert_eq!(past.len(), 1, "{warnings:?}");
    assert!(
        past[0].message.contains("RegionOutage(westeurope)")
            && past[0].message.contains("ends at 900 s")
            && past[0].line == Some(4),
        "{:?}",
        past[0]
    );
}

/// A timeout shorter than the round trip to every serving region (seconds written as
/// milliseconds, say) fails every attempt: the loader warns, naming the population, its
/// nearest region and the round trip, at the timeout that is too short.
#[test]
fn a_timeout_shorter_than_every_round_trip_is_warned_about() {
    let (_, warnings) = super::experiment_and_warnings(
        "short-timeout",
        r#"duration_s: 60, design: ActiveActive(regions: ["eastus", "westeurope"]),
        client: (timeout_ms: 2),
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, rate_per_s: 10),
            "tokyo": (lat: 35.68, lon: 139.69, rate_per_s: 10, client: (timeout_ms: 5000)),
            "paris": (lat: 48.86, lon: 2.35, rate_per_s: 10, client: (timeout_ms: 3)),
        },"#,
    );
    let short: Vec<_> = warnings
        .iter()
        .filter(|w| w.message.contains("shorter than"))
        .collect();
    assert_eq!(short.len(), 2, "{warnings:?}");
    assert!(
        short[0].message.contains("`new-york`")
            && short[0].message.contains("eastus")
            && short[0].line == Some(2),
        "{:?}",
        short[0]
    );
    assert!(
        short[1].message.contains("`paris`")
            && short[1].message.contains("westeurope")
            && short[1].line == Some(6),
        "{:?}",
        short[1]
    );
}

/// A timer in the wrong unit (milliseconds written where seconds are meant) runs past the
/// run and so means never: a TTL longer than a run with a fault (each resolver refreshes at
/// most once) and health checks too slow to call a region down within the run (nothing fails
/// over; the first of 15 checkers probes at 10000 / 15 s, then two more failures) each get a
/// warning with the unit in its help; the same TTL without a fault, and Route 53's 30 s × 3
/// checks, do not.
#[test]
fn a_ttl_or_health_interval_longer_than_the_run_is_warned_about() {
    let body = |ttl: &str, interval: &str, faults: &str| {
        format!(
            r#"duration_s: 600, design: ActiveActive(regions: ["eastus", "westeurope"]),
            dns: (ttl_s: {ttl}),
            health: (interval_s: {interval}),
            faults: [{faults}],
            populations: {{"new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 10)}},"#
        )
    };
    let outage = r#"RegionOutage(region: "eastus", at_s: 100, for_s: 100)"#;
    let (_, w) = super::experiment_and_warnings("ms-timers", &body("60000", "10000", outage));
    let ttl: Vec<_> = w
        .iter()
        .filter(|d| d.message.contains("dns.ttl_s"))
        .collect();
    assert_eq!(ttl.len(), 1, "{w:?}");
    assert!(
        ttl[0].message.contains("60000 s") && ttl[0].line == Some(2),
        "{:?}",
        ttl[0]
    );
    assert!(ttl[0].help.as_deref().unwrap_or("").contains("seconds"));
    let health: Vec<_> = w
        .iter()
        .filter(|d| d.message.contains("failure_threshold"))
        .collect();
    assert_eq!(health.len(), 1, "{w:?}");
    assert!(
        health[0].message.contains("(10000 s) apart")
            && health[0].message.contains("no sooner than 20667 s")
            && health[0].line == Some(3),
        "{:?}",
        health[0]
    );
    let (_, w) = super::experiment_and_warnings("s-timers", &body("60", "30", outage));
    assert!(
        !w.iter()
            .any(|d| d.message.contains("dns.ttl_s") || d.message.contains("failure_threshold")),
        "{w:?}"
    );
    let (_, w) = super::experiment_and_warnings("no-fault-ttl", &body("60000", "30", ""));
    assert!(!w.iter().any(|d| d.message.contains("dns.ttl_s")), "{w:?}");
}

/// With variants, the base never runs itself: a warning about a base value that every
/// variant overrides (a TTL in milliseconds, corrected in each) is not shown; one that a
/// variant keeps is, once; a sweep over the value counts as overriding it. The loader used to
/// warn about the base whatever the variants set.
#[test]
fn a_base_warning_every_case_overrides_is_not_shown() {
    let body = |variants: &str| {
        format!(
            r#"duration_s: 600, design: ActiveActive(regions: ["eastus", "westeurope"]),
            dns: (ttl_s: 60000),
            faults: [RegionOutage(region: "eastus", at_s: 100, for_s: 100)],
            populations: {{"new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 10)}},
            {variants}"#
        )
    };
    let ttl_warnings = |w: &[regionsim::config::Diagnostic]| {
        w.iter().filter(|d| d.message.contains("dns.ttl_s")).count()
    };
    let (_, w) = super::experiment_and_warnings(
        "ttl-all-overridden",
        &body(
            r#"variants: [(name: "a", overrides: {"dns.ttl_s": 60}),
                          (name: "b", overrides: {"dns.ttl_s": 30})],"#,
        ),
    );
    assert_eq!(ttl_warnings(&w), 0, "{w:?}");
    let (_, w) = super::experiment_and_warnings(
        "ttl-one-kept",
        &body(
            r#"variants: [(name: "a", overrides: {"dns.ttl_s": 60}),
                          (name: "b", overrides: {"client.retries": 2})],"#,
        ),
    );
    assert_eq!(ttl_warnings(&w), 1, "{w:?}");
    let (_, w) = super::experiment_and_warnings(
        "ttl-swept",
        &body(r#"sweep: Grid({"dns.ttl_s": [5, 60]}),"#),
    );
    assert_eq!(ttl_warnings(&w), 0, "{w:?}");
}

/// A SemiSync or Sync write ships when it commits: a lag spent in the sender's log cannot
/// apply to it, so `lag_at: Sender` with those modes is refused (in a variant too, at the
/// override that makes it so), and `ack`, which only writes that wait for replicas use, gets a
/// warning with Async.
#[test]
fn a_lag_at_the_sender_is_refused_for_writes_that_wait_for_replicas() {
    let body = |data: &str, variants: &str| {
        format!(
            r#"duration_s: 60, design: ActivePassive(primary: "eastus", standbys: ["westus2"]),
            data: (replication: {data}),
            populations: {{"new-york": (lat: 40.71, lon: -74.01, rate_per_s: 10)}},
            {variants}"#
        )
    };
    let err = super::experiment_error(
        "semi-sender",
        &body("(mode: SemiSync(1), lag_at: Sender)", ""),
    );
    assert!(
        err.contains("`lag_at: Sender`") && err.contains("use `lag_at: Target`"),
        "{err}"
    );
    let err = super::experiment_error(
        "semi-sender-variant",
        &body(
            "(mode: Async, lag_at: Sender)",
            r#"variants: [(name: "semi", overrides: {"data.replication.mode": Sync})],"#,
        ),
    );
    assert!(
        err.contains("variant `semi`") && err.contains("`lag_at: Sender`"),
        "{err}"
    );
    let (_, w) =
        super::experiment_and_warnings("async-ack", &body("(mode: Async, ack: Applied)", ""));
    assert!(
        w.iter()
            .any(|d| d.message.contains("`ack`") && d.line == Some(2)),
        "{w:?}"
    );
    let (_, w) =
        super::experiment_and_warnings("semi-ack", &body("(mode: SemiSync(1), ack: Applied)", ""));
    assert!(!w.iter().any(|d| d.message.contains("`ack`")), "{w:?}");
    // The fallback to asynchronous replication is SemiSync's only, and takes a positive time.
    let err = super::experiment_error(
        "sync-fallback",
        &body("(mode: Sync, fallback_after_ms: 10000)", ""),
    );
    assert!(
        err.contains("`fallback_after_ms`") && err.contains("not SemiSync"),
        "{err}"
    );
    let err = super::experiment_error(
        "semi-fallback-zero",
        &body("(mode: SemiSync(1), fallback_after_ms: 0)", ""),
    );
    assert!(err.contains("fallback_after_ms"), "{err}");
}

/// Geo rules are keyed by the populations' jurisdictions: a rule named after a continent
/// (`Europe`) answers nobody, and everyone falls to the `"*"` rule; a replication lag written
/// in seconds where milliseconds are meant (0.3 ms) is far below any cross-region figure. Both
/// loaded silently; each now gets a warning where it is written, and the right spelling (`EU`,
/// a 300 ms lag) gets none.
#[test]
fn a_geo_rule_no_population_matches_and_a_sub_millisecond_lag_are_warned_about() {
    let body = |rule: &str, (median, p99): (&str, &str)| {
        format!(
            r#"duration_s: 60, design: ActiveActive(regions: ["eastus", "westeurope"]),
            data: (replication: (lag: LogNormal(median_ms: {median}, p99_ms: {p99}))),
            dns: (policy: Geo(rules: {{"{rule}": ["westeurope"], "*": ["eastus"]}})),
            populations: {{
                "new-york": (lat: 40.71, lon: -74.01, rate_per_s: 10, jurisdiction: "US"),
                "paris": (lat: 48.86, lon: 2.35, rate_per_s: 10, jurisdiction: "EU"),
            }},"#
        )
    };
    let (_, w) = super::experiment_and_warnings("geo-europe", &body("Europe", ("0.3", "1.0")));
    let geo: Vec<_> = w
        .iter()
        .filter(|d| d.message.contains("geo rule"))
        .collect();
    assert_eq!(geo.len(), 1, "{w:?}");
    assert!(
        geo[0].message.contains("`Europe`")
            && geo[0].line == Some(3)
            && geo[0].help.as_deref().unwrap_or("").contains("`EU`, `US`"),
        "{:?}",
        geo[0]
    );
    let lag: Vec<_> = w
        .iter()
        .filter(|d| d.message.contains("replication lag averages"))
        .collect();
    assert_eq!(lag.len(), 1, "{w:?}");
    assert_eq!(lag[0].line, Some(2));
    let (_, w) = super::experiment_and_warnings("geo-eu", &body("EU", ("300.0", "1000.0")));
    assert!(
        !w.iter()
            .any(|d| d.message.contains("geo rule") || d.message.contains("lag averages")),
        "{w:?}"
    );
}

/// A rate in the wrong unit (or far too few servers): more work offered than all of the
/// design's servers could serve together is warned about at the busiest population's rate,
/// with utilisation; a design that could keep up is not.
#[test]
fn a_design_that_cannot_keep_up_is_warned_about() {
    let body = |rate: &str| {
        format!(
            r#"duration_s: 60, design: ActiveActive(regions: ["eastus", "westeurope"]),
            populations: {{
                "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: {rate}),
                "paris": (lat: 48.86, lon: 2.35, rate_per_s: 100),
            }},"#
        )
    };
    // azure-15: 32 servers a region, reads LogNormal(median 3 ms, p99 20 ms) (mean about
    // 4.3 ms), writes twice that: 64 servers serve about 13 000 requests/s.
    let (_, w) = super::experiment_and_warnings("overloaded", &body("100000"));
    let over: Vec<_> = w
        .iter()
        .filter(|d| d.message.contains("cannot keep up"))
        .collect();
    assert_eq!(over.len(), 1, "{w:?}");
    assert!(
        over[0].message.contains("64 servers") && over[0].line == Some(3),
        "{:?}",
        over[0]
    );
    let (_, w) = super::experiment_and_warnings("keeps-up", &body("1000"));
    assert!(
        !w.iter().any(|d| d.message.contains("cannot keep up")),
        "{w:?}"
    );
}

/// Two syntax slips get help that points at the fix: a comma missing in mid-line (after the
/// value before it), and a struct never closed, whose next field is then reported as unknown
/// inside it (the `)` is missing before it).
#[test]
fn a_missing_comma_mid_line_and_an_unclosed_struct_get_help() {
    let e = super::experiment_error(
        "mid-line-comma",
        r#"duration_s: 60, design: ActiveActive(regions: ["eastus"]),
        populations: {"new-york": (lat: 40.71 lon: -74.01, rate_per_s: 10)},"#,
    );
    assert!(e.contains("add a comma after `40.71`"), "{e}");
    let e = super::experiment_error(
        "unclosed",
        r#"duration_s: 60, design: ActivePassive(primary: "eastus", failover: Automatic(promotion_s: 60),
        populations: {"new-york": (lat: 40.71, lon: -74.01, rate_per_s: 10)},"#,
    );
    assert!(
        e.contains("the `)` that closes `ActivePassive` is missing before it"),
        "{e}"
    );
}

/// The number of `error:` lines of stderr that contain `words`.
fn count_errors(o: &Outcome, words: &str) -> usize {
    o.stderr
        .lines()
        .filter(|l| l.starts_with("error: ") && l.contains(words))
        .count()
}

/// Writes `text` to `name` in `dir` next to a copy of the fixtures' two-regions topology.
fn write_experiment(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    std::fs::copy(fixture("two-regions.ron"), dir.0.join("two-regions.ron")).unwrap();
    let p = dir.0.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// A variant override of a path the sweep also sets is thrown away in every case (the sweep is
/// applied after the variant): refused, at the override, naming the variant, the path and
/// where the sweep sets it. It used to pass `check` and run the baseline under the variant's
/// name.
#[test]
fn a_variant_override_the_sweep_also_sets_is_refused() {
    let file = "sweep-overrides-variant.ron";
    let o = check(file);
    let errs = assert_refused(&o, file);
    let e = find(&errs, &o, file, "variant `short-ttl` overrides `dns.ttl_s`");
    assert_at(e, 15, 41, &o);
    for w in [
        "sweep sets `dns.ttl_s` (at 19:9)",
        "for every case",
        "no effect",
    ] {
        assert!(e.message.contains(w), "{w}: {}", e.message);
    }
    assert_help(e, "remove one of them", &o);
    // Another spelling (through the enum tag) of a field inside what the sweep replaces.
    let e = find(&errs, &o, file, "variant `slow-lookup`");
    assert_at(e, 16, 43, &o);
    assert!(
        e.message.contains("`dns.lookup.Constant.ms`")
            && e.message.contains("sweep sets `dns.lookup` (at 20:9)"),
        "{}",
        e.message
    );
    assert_error_count(&o, 2);
}

/// The same check for a `Zip` sweep and for list indices spelt two ways; overriding a sibling
/// of a swept path is fine, and overriding a whole group the sweep sets a part of is a warning.
#[test]
fn the_override_check_covers_zip_sweeps_and_every_spelling() {
    let d = TempDir::new("zip-overrides");
    let head = r#"Experiment(
    name: "zip", topology: "two-regions.ron", duration_s: 60,
    dns: (policy: Latency, ttl_s: 60),
    design: ActiveActive(regions: ["us-east", "eu-west"]),
    populations: {"boston": (lat: 42.36, lon: -71.06, anchor: "us-east", rate_per_s: 5)},
    faults: [RegionOutage(region: "us-east", at_s: 10, for_s: 5)],
"#;
    let bad = write_experiment(
        &d,
        "bad.ron",
        &format!(
            r#"{head}    variants: [
        (name: "a", overrides: {{"dns.ttl_s": 1}}),
        (name: "b", overrides: {{"faults.00.RegionOutage.at_s": 20}}),
    ],
    sweep: Zip({{"dns.ttl_s": [5, 60], "faults.0.at_s": [10, 30]}}),
)"#
        ),
    );
    let o = regionsim([OsStr::new("check"), bad.as_os_str()]);
    let errs = assert_refused(&o, "zip");
    let e = find(&errs, &o, "bad.ron", "variant `a` overrides `dns.ttl_s`");
    assert_at(e, 8, 33, &o);
    assert!(e.message.contains("(at 11:17)"), "{}", e.message);
    let e = find(
        &errs,
        &o,
        "bad.ron",
        "variant `b` overrides `faults.00.RegionOutage.at_s`",
    );
    assert!(
        e.message.contains("sweep sets `faults.0.at_s` (at 11:39)"),
        "{}",
        e.message
    );
    assert_error_count(&o, 2);

    let fine = write_experiment(
        &d,
        "fine.ron",
        &format!(
            r#"{head}    variants: [
        (name: "policy", overrides: {{"dns.policy": Latency}}),
        (name: "whole-dns", overrides: {{"dns": (policy: Latency, ttl_s: 1)}}),
    ],
    sweep: Grid({{"dns.ttl_s": [5, 60]}}),
)"#
        ),
    );
    let o = regionsim([OsStr::new("check"), fine.as_os_str()]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        o.stderr.contains("warning:")
            && o.stderr
                .contains("variant `whole-dns` overrides `dns` as a whole")
            && !o.stderr.contains("variant `policy`"),
        "{}",
        o.stderr
    );
}

/// Errors in a variant's overrides point at the override itself and appear once, with or
/// without a sweep (they used to point at `sweep:` once per sweep point); errors that come
/// from a sweep value point at that value and name a case.
#[test]
fn override_errors_point_at_the_override_once_whatever_the_sweep() {
    let file = "override-errors-with-sweep.ron";
    let text = std::fs::read_to_string(fixture(file)).unwrap();
    let d = TempDir::new("no-sweep");
    let start = text.find("    sweep: Grid(").unwrap();
    let end = start + text[start..].find("\n    }),\n").unwrap() + "\n    }),\n".len();
    let unswept = write_experiment(&d, file, &format!("{}{}", &text[..start], &text[end..]));
    let with_sweep = check(file);
    let without = regionsim([OsStr::new("check"), unswept.as_os_str()]);
    for (o, sweep) in [(&with_sweep, true), (&without, false)] {
        let errs = assert_refused(o, file);
        for (words, line, col) in [
            ("variant `auto-failover`: unknown path `dns.tll_s`", 13, 45),
            ("variant `wrong-type`: an override sets `dns.ttl_s`", 14, 42),
            (
                "variant `no-servers`: region `eu-west` has 0 servers",
                17,
                13,
            ),
        ] {
            assert_eq!(count_errors(o, words), 1, "{words}\n{}", o.stderr);
            assert_at(find(&errs, o, file, words), line, col, o);
        }
        assert_help(
            find(&errs, o, file, "dns.tll_s"),
            "did you mean `dns.ttl_s`?",
            o,
        );
        if !sweep {
            assert_error_count(o, 3);
            continue;
        }
        let e = find(&errs, o, file, "must be a finite number above 0, found -5");
        assert!(
            e.message.starts_with("case `") && e.message.contains("rate_per_s=-5"),
            "{}",
            e.message
        );
        assert_at(e, 22, 46, o);
        // Named after a case whose variant is fine on its own.
        let e = find(&errs, o, file, "the sweep sets `dns.lookup");
        assert!(
            e.message.starts_with("case `fine @ ") && e.message.contains("lookup=Constant(ms:x)"),
            "{}",
            e.message
        );
        // At `ms`, inside the second value `Constant(ms: "x")`, not at the value's start.
        assert_at(e, 23, 50, o);
        assert_eq!(count_errors(o, "found -5"), 1, "{}", o.stderr);
        assert_eq!(count_errors(o, "string \"x\""), 1, "{}", o.stderr);
        assert_error_count(o, 5);
    }
}

/// A missing required field names the field and the struct, at the struct's opening
/// parenthesis, and does not claim the file was cut short when every bracket is closed.
#[test]
fn a_missing_required_field_is_named_at_its_struct() {
    let file = "missing-required-field.ron";
    let o = check(file);
    let errs = assert_refused(&o, file);
    let e = find(
        &errs,
        &o,
        file,
        "`Experiment` is missing its required field `topology`",
    );
    assert_at(e, 4, 11, &o);
    assert_help(e, "add `topology: …`", &o);
    assert!(!o.stderr.contains("ends here"), "{}", o.stderr);
    let file = "missing-population-field.ron";
    let o = check(file);
    let errs = assert_refused(&o, file);
    let e = find(
        &errs,
        &o,
        file,
        "`Population` is missing its required field `lat`",
    );
    assert_at(e, 9, 19, &o);
    assert!(!o.stderr.contains("ends here"), "{}", o.stderr);
}

/// A results directory that cannot be created is bad input (exit 2), reported before anything
/// is simulated, naming the directory, with the system's reason said once. It used to
/// simulate the whole run, then fail with exit 1 and the reason twice.
#[test]
fn an_output_directory_that_cannot_be_created_is_refused_before_simulating() {
    let d = TempDir::new("bad-out");
    // An hour of traffic: simulating it first would take a while.
    let exp = write_experiment(
        &d,
        "long.ron",
        r#"Experiment(name: "long", topology: "two-regions.ron", duration_s: 3600,
    design: ActiveActive(regions: ["us-east"]),
    populations: {"boston": (lat: 42.36, lon: -71.06, anchor: "us-east", rate_per_s: 200)},
)"#,
    );
    std::fs::write(d.0.join("a-file"), "").unwrap();
    let under_a_file = d.0.join("a-file").join("results");
    let mut outs = vec![under_a_file.clone()];
    if cfg!(target_os = "linux") {
        outs.push(PathBuf::from("/proc/forbidden"));
    }
    for out in outs {
        let start = std::time::Instant::now();
        let o = regionsim([
            OsStr::new("run"),
            exp.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
            OsStr::new("--no-charts"),
        ]);
        assert_refused(&o, "unwritable --out");
        assert!(
            o.stderr.starts_with(&format!(
                "error: cannot create the results directory {}: ",
                out.display()
            )),
            "{}",
            o.stderr
        );
        assert!(!o.stderr.contains("run record"), "{}", o.stderr);
        assert_eq!(o.stderr.matches("(os error").count(), 1, "{}", o.stderr);
        assert!(start.elapsed().as_secs() < 30, "{:?}", start.elapsed());
    }
    assert!(!under_a_file.exists());
}

/// A failed record write names the record and says the system's reason once (the reason was
/// both in the message and its source, so `{:#}` printed it twice).
#[test]
fn an_io_error_is_said_once() {
    let e = regionsim::runner::RunError::Record {
        path: "/x/runs/r.json".into(),
        source: std::io::Error::from(std::io::ErrorKind::NotFound),
    };
    let s = format!("{:#}", anyhow::Error::new(e));
    assert_eq!(s.matches("not found").count(), 1, "{s}");
    assert!(s.contains("/x/runs/r.json"), "{s}");
}

/// `merge` with a shard directory that does not exist, or that holds no runs/, says so
/// (exit 2) instead of counting every run as missing.
#[test]
fn merge_names_a_shard_directory_that_is_not_there() {
    let d = TempDir::new("merge-dirs");
    let exp = write_experiment(
        &d,
        "small.ron",
        r#"Experiment(name: "small", topology: "two-regions.ron", duration_s: 60,
    design: ActiveActive(regions: ["us-east"]),
    populations: {"boston": (lat: 42.36, lon: -71.06, anchor: "us-east", rate_per_s: 1)},
)"#,
    );
    let missing = d.0.join("no-such-dir");
    let empty = d.0.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    for (dir, words) in [
        (&missing, "does not exist"),
        (&empty, "has no runs/ directory"),
    ] {
        let o = regionsim([
            OsStr::new("merge"),
            exp.as_os_str(),
            dir.as_os_str(),
            OsStr::new("--out"),
            d.0.join("merged").as_os_str(),
        ]);
        assert_refused(&o, "merge");
        assert!(
            o.stderr
                .starts_with(&format!("error: shard directory {} {words}", dir.display())),
            "{}",
            o.stderr
        );
        assert!(!o.stderr.contains("missing from"), "{}", o.stderr);
        // Refused before --out is made: no empty results directory is left behind.
        assert!(!d.0.join("merged").exists(), "{}", dir.display());
    }
    assert!(!missing.exists());
}

/// An experiment with a CI target picks its seeds as it runs: running it in shards, or
/// merging shards of it, is refused as bad input (exit 2) with the reason, before anything
/// runs or is written.
#[test]
fn a_ci_target_refuses_shards_and_merge_as_bad_input() {
    let d = TempDir::new("target-shards");
    let exp = write_experiment(
        &d,
        "target.ron",
        r#"Experiment(name: "target", topology: "two-regions.ron", duration_s: 60,
    seeds: 2, target_ci: (metric: "availability", half_width: 0.01, max_seeds: 4),
    design: ActiveActive(regions: ["us-east"]),
    populations: {"boston": (lat: 42.36, lon: -71.06, anchor: "us-east", rate_per_s: 1)},
)"#,
    );
    let shard = d.0.join("shard");
    let o = regionsim([
        OsStr::new("run"),
        exp.as_os_str(),
        OsStr::new("--shard"),
        OsStr::new("0/2"),
        OsStr::new("-q"),
        OsStr::new("--out"),
        shard.as_os_str(),
    ]);
    assert_refused(&o, "run --shard");
    assert!(
        o.stderr.contains("cannot be split into shards"),
        "{}",
        o.stderr
    );
    assert!(
        !shard.exists(),
        "the refused run created {}",
        shard.display()
    );
    std::fs::create_dir_all(shard.join("runs")).unwrap();
    let merged = d.0.join("merged");
    let o = regionsim([
        OsStr::new("merge"),
        exp.as_os_str(),
        shard.as_os_str(),
        OsStr::new("--out"),
        merged.as_os_str(),
    ]);
    assert_refused(&o, "merge");
    assert!(
        o.stderr.contains("cannot be merged from shards"),
        "{}",
        o.stderr
    );
    assert!(!merged.exists());
}

/// A file that cannot be read is one `error:` line: not `error: … error: …`.
#[test]
fn an_unreadable_file_is_one_error_with_one_prefix() {
    let d = TempDir::new("prices");
    let exp = write_experiment(
        &d,
        "priced.ron",
        r#"Experiment(name: "priced", topology: "two-regions.ron", duration_s: 60,
    design: ActiveActive(regions: ["us-east"]),
    populations: {"boston": (lat: 42.36, lon: -71.06, anchor: "us-east", rate_per_s: 1)},
    cost: (prices: "nowhere.ron"),
)"#,
    );
    let o = regionsim([OsStr::new("check"), exp.as_os_str()]);
    let errs = assert_refused(&o, "price file");
    let e = find(&errs, &o, "priced.ron", "cannot read the price file");
    assert_at(e, 4, 12, &o);
    assert_eq!(e.message.matches("nowhere.ron").count(), 1, "{}", o.stderr);
    let o = check("no-such-experiment.ron");
    for o in [&o, &run("no-such-experiment.ron")] {
        assert_refused(o, "unreadable");
        for l in o.stderr.lines() {
            assert!(l.matches("error:").count() <= 1, "{}", o.stderr);
        }
    }
}

/// With a sweep a variant never runs on its own, so a problem it has only without the sweep's
/// values is none: here the sweep lengthens the run past the variant's warm-up. `check` used
/// to refuse it ("warmup_s (2000) must be shorter than duration_s (1200)"), naming a case
/// that is never run. A problem some point keeps is still reported.
#[test]
fn a_variant_the_sweep_makes_valid_is_accepted() {
    let d = TempDir::new("variant-needs-sweep");
    let text = |durations: &str| {
        format!(
            r#"Experiment(
    name: "variant-needs-sweep",
    topology: "two-regions.ron",
    duration_s: 1200,
    design: ActiveActive(regions: ["us-east", "eu-west"]),
    populations: {{
        "boston": (lat: 42.36, lon: -71.06, anchor: "us-east", rate_per_s: 5),
    }},
    variants: [(name: "long-warmup", overrides: {{"warmup_s": 2000}})],
    sweep: Grid({{"duration_s": [{durations}]}}),
)"#
        )
    };
    let ok = write_experiment(&d, "ok.ron", &text("3000, 6000"));
    let o = regionsim([OsStr::new("check"), ok.as_os_str()]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(o.stdout.contains("2 case(s)"), "{}", o.stdout);
    let bad = write_experiment(&d, "bad.ron", &text("1500, 6000"));
    let o = regionsim([OsStr::new("check"), bad.as_os_str()]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert_eq!(
        count_errors(&o, "must be shorter than duration_s"),
        1,
        "{}",
        o.stderr
    );
    assert_eq!(count_errors(&o, "duration_s (1500)"), 1, "{}", o.stderr);
}

/// The data layer keeps a bit per design region in 64-bit masks: a design of more regions used
/// to run and wrap silently (replicas never applied, writes landing in another region's data).
/// It is refused at load, for either design, naming the count.
#[test]
fn a_design_of_more_than_64_regions_is_refused() {
    let d = super::temp_dir("design-65");
    let names: Vec<String> = (0..65).map(|i| format!("r{i:02}")).collect();
    let regions: String = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            format!(
                r#""{n}": (lat: {}.0, lon: {}.0, city: "c{i}", continent: "X"),"#,
                (i % 80) as i64 - 40,
                (i * 5 % 360) as i64 - 180
            )
        })
        .collect();
    std::fs::write(
        d.join("t.ron"),
        format!(
            r#"Topology(name: "t65", defaults: (servers: 4, read_service: Constant(ms: 1.0),
                 write_service: Constant(ms: 1.0), queue_limit: 100), regions: {{{regions}}},
                 network: (rtt: GreatCircle, estimate: (inflation: 1.75, base_ms: 0.0)))"#
        ),
    )
    .unwrap();
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    let designs = [
        format!("ActiveActive(regions: [{}])", quoted.join(", ")),
        format!(
            "ActivePassive(primary: \"r00\", standbys: [{}])",
            quoted[1..].join(", ")
        ),
    ];
    for design in designs {
        let exp = d.join("e.ron");
        std::fs::write(
            &exp,
            format!(
                r#"Experiment(name: "e", topology: "t.ron", duration_s: 10, design: {design},
                    populations: {{"p": (lat: 0.0, lon: 0.0, rate_per_s: 1)}})"#
            ),
        )
        .unwrap();
        let err = regionsim::config::load_experiment(&exp)
            .unwrap_err()
            .to_string();
        eprintln!("{err}");
        assert!(
            err.contains("a design holds at most 64 regions, this one 65"),
            "{err}"
        );
    }
}

/// Names become CSV fields in every result file, written as they are: a name holding a comma,
/// a double quote or a line break is refused at load, naming it. A variant `a,b` used to run
/// and then write summary.csv rows with an extra column, which the report refused to read.
#[test]
fn names_that_would_break_the_result_csvs_are_refused() {
    let err = super::experiment_error(
        "csv-names",
        r#"duration_s: 10,
        design: ActiveActive(regions: ["eastus"]),
        populations: {"new york, ny": (lat: 40.7, lon: -74.0, rate_per_s: 1),
                      "ok": (lat: 40.7, lon: -74.0, rate_per_s: 1, jurisdiction: "say \"us\"")},
        variants: [(name: "a,b", overrides: {})],"#,
    );
    eprintln!("{err}");
    for what in [
        "population name `new york, ny` holds a `,`",
        "jurisdiction `say \"us\"` holds a `\"`",
        "variant name `a,b` holds a `,`",
    ] {
        assert!(err.contains(what), "{what}\n{err}");
    }
}

/// An experiment on the fixtures' two-regions topology with `extra` fields appended.
fn two_region_experiment(extra: &str) -> String {
    format!(
        r#"Experiment(
    name: "e", topology: "two-regions.ron", duration_s: 60,
    design: ActiveActive(regions: ["us-east", "eu-west"]),
    populations: {{"boston": (lat: 42.36, lon: -71.06, anchor: "us-east", rate_per_s: 5)}},
{extra}
)"#
    )
}

/// `check FILE` in a scratch directory holding the two-regions topology.
fn check_text(tag: &str, text: &str) -> (TempDir, Outcome) {
    let d = TempDir::new(tag);
    let f = write_experiment(&d, "e.ron", text);
    let o = regionsim([OsStr::new("check"), f.as_os_str()]);
    (d, o)
}

/// The seeds, name and plan of an experiment hold for all its cases: a variant or a sweep
/// that sets them is refused, at the override, saying why. They used to be accepted and
/// ignored: `Grid({"seed": [1, 2]})` ran two cases labelled `seed=1` and `seed=2` with
/// byte-identical results, and a variant's `"seeds": 5000` ran one seed.
#[test]
fn a_variant_or_sweep_cannot_set_what_holds_for_the_whole_experiment() {
    let (_d, o) = check_text(
        "run-level",
        &two_region_experiment(
            r#"    variants: [(name: "more", overrides: {"seeds": 5000, "dns.ttl_s": 30}),
               (name: "renamed", overrides: {"name": "zzz"})],
    sweep: Grid({"seed": [1, 2], "dns.lookup": [Constant(ms: 5.0)]}),"#,
        ),
    );
    let errs = assert_refused(&o, "e.ron");
    let e = find(&errs, &o, "e.ron", "variant `more` sets `seeds`");
    assert!(
        e.message.contains("the same for every case"),
        "{}",
        e.message
    );
    assert_help(e, "run --seeds", &o);
    find(&errs, &o, "e.ron", "variant `renamed` sets `name`");
    let e = find(&errs, &o, "e.ron", "the sweep sets `seed`");
    assert_at(e, 7, 18, &o);
    assert_error_count(&o, 3);
}

/// Variants × sweep points (× seeds) is capped before any case is built: 2 variants × a
/// 100 × 100 grid used to be checked case by case (the reviewer's 10^6 cases took 2 min and
/// 4 GB), and 10^10 runs passed `check`.
#[test]
fn a_plan_of_too_many_cases_or_runs_is_refused_before_building_them() {
    let values = |n: usize| {
        (1..=n)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let started = std::time::Instant::now();
    let (_d, o) = check_text(
        "too-many-cases",
        &two_region_experiment(&format!(
            r#"    variants: [(name: "a", overrides: {{}}), (name: "b", overrides: {{}})],
    sweep: Grid({{"dns.ttl_s": [{}], "populations.boston.rate_per_s": [{}]}}),"#,
            values(100),
            values(100)
        )),
    );
    let errs = assert_refused(&o, "e.ron");
    find(
        &errs,
        &o,
        "e.ron",
        "20000 cases (2 variant(s) × 10000 sweep point(s)); at most 10000",
    );
    assert!(started.elapsed().as_secs() < 20);
    let (_d, o) = check_text(
        "too-many-runs",
        &two_region_experiment(&format!(
            r#"    seeds: 10000,
    sweep: Grid({{"dns.ttl_s": [{}]}}),"#,
            values(101)
        )),
    );
    let errs = assert_refused(&o, "e.ron");
    find(
        &errs,
        &o,
        "e.ron",
        "up to 1010000 runs (101 case(s) × 10000 seed(s)); at most 1000000",
    );
}

/// Values that would overflow the simulator's sums are refused with their field: a UTC
/// offset of 1e300 h, a diurnal curve whose sum is infinite (it used to give the population 0
/// requests), random outages every nanosecond (check said "about 2.2e3 events" and the run
/// made 1.1e7; at 1e-12 h it never ended), and a region named twice among them (it added an
/// extra fault row with no effect).
#[test]
fn values_that_would_overflow_or_never_end_are_refused() {
    let (_d, o) = check_text(
        "overflow",
        r#"Experiment(
    name: "e", topology: "two-regions.ron", duration_s: 60,
    design: ActiveActive(regions: ["us-east", "eu-west"]),
    populations: {
        "boston": (lat: 42.36, lon: -71.06, anchor: "us-east", rate_per_s: 5, utc_offset_h: 1e300),
        "dublin": (lat: 53.35, lon: -6.26, anchor: "eu-west", rate_per_s: 5,
                   diurnal: [1e308, 1e308, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
    },
    random_outages: (mtbf_h: 1e-9, mttr_h: 1e-12, shape: 1.0, regions: ["us-east", "us-east"]),
)"#,
    );
    let errs = assert_refused(&o, "e.ron");
    for words in [
        "utc_offset_h must be a number of hours from -24 to 24, found 1e300",
        "diurnal values must be non-negative, not all zero, and sum to a finite number",
        "random_outages.mtbf_h must be a finite number of hours of at least a millisecond",
        "random_outages.mttr_h must be a finite number of hours of at least a millisecond",
        "random_outages.regions names `us-east` twice",
    ] {
        find(&errs, &o, "e.ron", words);
    }
    assert_error_count(&o, 5);
}

/// A diurnal curve that puts a population's traffic into the hours a short run covers is held
/// to the per-population limit at its peak: 10^6 requests/s on average with all of it in one
/// hour is 2.4 × 10^7 in that hour. It used to pass.
#[test]
fn a_diurnal_peak_over_the_rate_limit_is_refused() {
    let mut curve = vec!["0"; 24];
    curve[0] = "1";
    let (_d, o) = check_text(
        "diurnal-peak",
        &format!(
            r#"Experiment(
    name: "e", topology: "two-regions.ron", duration_s: 60,
    design: ActiveActive(regions: ["us-east", "eu-west"]),
    populations: {{"boston": (lat: 42.36, lon: -71.06, anchor: "us-east", rate_per_s: 1000000,
                              diurnal: [{}])}},
)"#,
            curve.join(", ")
        ),
    );
    let errs = assert_refused(&o, "e.ron");
    find(
        &errs,
        &o,
        "e.ron",
        "population `boston` peaks at 2.400e7 requests/s on its diurnal curve",
    );
}

/// A topology of more than 1 000 regions is refused with its count, before its RTT matrix
/// (which grows with the square) is built: 40 000 regions used to abort on a 12.8 GB
/// allocation.
#[test]
fn a_topology_of_more_than_a_thousand_regions_is_refused() {
    let d = TempDir::new("topology-1001");
    let regions: String = (0..1001)
        .map(|i| format!(r#""r{i}": (lat: 0.0, lon: 0.0, city: "c", continent: "X"),"#))
        .collect();
    let f = d.0.join("t.ron");
    std::fs::write(
        &f,
        format!(
            r#"Topology(name: "t", defaults: (servers: 4, read_service: Constant(ms: 1.0),
                 write_service: Constant(ms: 1.0), queue_limit: 100), regions: {{{regions}}},
                 network: (rtt: GreatCircle, estimate: (inflation: 1.75, base_ms: 0.0)))"#
        ),
    )
    .unwrap();
    let o = regionsim([OsStr::new("check"), f.as_os_str()]);
    let errs = assert_refused(&o, "t.ron");
    find(
        &errs,
        &o,
        "t.ron",
        "the topology has 1001 regions; at most 1000 are supported",
    );
}

/// `check` reads what `run` reads: a file that opens with a block comment, or with an
/// unnamed `( … )` struct, and a file saved with a byte-order mark (as Notepad does). `check`
/// used to refuse the first two ("expected a `Topology(…)`, …") while `run` ran them, and both
/// refused the third.
#[test]
fn check_and_run_read_comments_unnamed_structs_and_a_byte_order_mark_alike() {
    let d = TempDir::new("file-kinds");
    let body = two_region_experiment("");
    let unnamed = format!("({}", body.strip_prefix("Experiment(").unwrap());
    for (name, text) in [
        ("block.ron", format!("/* a /* nested */ note */\n{body}")),
        ("unnamed.ron", unnamed),
        ("bom.ron", format!("\u{feff}{body}")),
    ] {
        let f = write_experiment(&d, name, &text);
        let o = regionsim([OsStr::new("check"), f.as_os_str()]);
        assert_eq!(o.code, Some(0), "{name}\n{}{}", o.stdout, o.stderr);
        assert!(o.stdout.contains("ok"), "{name}: {}", o.stdout);
    }
}

/// An input file is read up to 64 MiB: a topology path to something endless is one clear
/// error instead of reading until the memory runs out.
#[cfg(unix)]
#[test]
fn an_endless_input_file_is_refused() {
    let d = TempDir::new("endless");
    let f = write_experiment(
        &d,
        "e.ron",
        &two_region_experiment("").replace("two-regions.ron", "/dev/zero"),
    );
    let o = regionsim([OsStr::new("check"), f.as_os_str()]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(
        o.stderr
            .contains("/dev/zero: the file is larger than 64 MiB, the most regionsim reads"),
        "{}",
        o.stderr
    );
}

/// Delays that are added together on a message's way (RTTs from a matrix or a CSV, the
/// intra-region RTT, the estimate's base and inflation, a population's last mile, an empirical
/// distribution's values) are refused above 2^58 ns, all at once, instead of overflowing
/// simulated time (a debug build panicked on `intra_region_rtt_ms: 1e300`, a release build
/// wrapped). Every bad cell of a CSV is listed, with its line and column, not only the first.
#[test]
fn delays_beyond_the_longest_a_run_holds_are_refused_with_every_bad_csv_cell() {
    let d = TempDir::new("huge-delays");
    std::fs::write(
        d.0.join("rtt.csv"),
        "from,us-east,eu-west\nus-east,,70\neu-west, 1e300,x\n",
    )
    .unwrap();
    std::fs::write(d.0.join("lag.csv"), "ms\n5\n1e12\n-1\nfast\n7\n").unwrap();
    std::fs::write(
        d.0.join("topo.ron"),
        r#"Topology(
    name: "huge",
    defaults: (servers: 4, read_service: Exponential(mean_ms: 3), write_service: Exponential(mean_ms: 6), queue_limit: 100),
    regions: {
        "us-east": (lat: 39.0, lon: -77.5, jurisdiction: "US"),
        "eu-west": (lat: 53.3, lon: -6.3, jurisdiction: "EU"),
        "ap-east": (lat: 22.3, lon: 114.2, jurisdiction: "HK"),
    },
    network: (
        rtt: CsvMatrix(path: "rtt.csv"),
        estimate: (inflation: 1e300, base_ms: 3e11),
        intra_region_rtt_ms: 1e300,
    ),
)"#,
    )
    .unwrap();
    let exp = write_experiment(
        &d,
        "exp.ron",
        r#"Experiment(
    name: "huge", topology: "topo.ron", duration_s: 10,
    design: ActiveActive(regions: ["us-east", "eu-west"]),
    populations: {"boston": (lat: 42.36, lon: -71.06, rate_per_s: 5, last_mile_ms: 1e300)},
    data: (replication: (mode: Async, lag: EmpiricalCsv(path: "lag.csv"))),
)"#,
    );
    for o in [
        regionsim([OsStr::new("check"), exp.as_os_str()]),
        regionsim([
            OsStr::new("run"),
            exp.as_os_str(),
            OsStr::new("--out"),
            d.0.join("results").as_os_str(),
        ]),
    ] {
        let errs = assert_refused(&o, "huge delays");
        assert!(!d.0.join("results").exists());
        let e = find(
            &errs,
            &o,
            "topo.ron",
            "network.estimate.inflation must be at most 1.44e9",
        );
        assert!(e.message.contains("found 1e300"), "{}", e.message);
        let e = find(
            &errs,
            &o,
            "topo.ron",
            "network.estimate.base_ms must be at most 2.88e11 ms",
        );
        assert!(e.message.contains("found 300000000000"), "{}", e.message);
        find(
            &errs,
            &o,
            "topo.ron",
            "network.intra_region_rtt_ms must be at most 2.88e11 ms",
        );
        find(
            &errs,
            &o,
            "topo.ron",
            "rtt.csv:3:10: RTT `eu-west` → `us-east`: expected at most 2.88e11 ms",
        );
        find(
            &errs,
            &o,
            "topo.ron",
            "rtt.csv:3:16: RTT `eu-west` → `eu-west`: expected a number of ms, found `x`",
        );
        find(
            &errs,
            &o,
            "exp.ron",
            "last_mile_ms must be at most 2.88e11 ms",
        );
        find(
            &errs,
            &o,
            "exp.ron",
            "lag.csv:3:1: expected at most 2.88e11 ms",
        );
        find(
            &errs,
            &o,
            "exp.ron",
            "lag.csv:4:1: expected a finite, non-negative number of ms, found -1",
        );
        find(
            &errs,
            &o,
            "exp.ron",
            "lag.csv:5:1: expected a number of ms, found `fast`",
        );
        assert_error_count(&o, 9);
    }
}

/// A CSV with many bad cells lists the first 20 and counts the rest.
#[test]
fn a_csv_with_many_bad_values_lists_twenty_and_counts_the_rest() {
    let d = TempDir::new("many-bad-values");
    let mut csv = String::from("ms\n");
    for i in 0..25 {
        csv.push_str(&format!("bad{i}\n"));
    }
    std::fs::write(d.0.join("lag.csv"), csv).unwrap();
    let exp = write_experiment(
        &d,
        "exp.ron",
        r#"Experiment(
    name: "many", topology: "two-regions.ron", duration_s: 10,
    design: ActiveActive(regions: ["us-east", "eu-west"]),
    populations: {"boston": (lat: 42.36, lon: -71.06, rate_per_s: 5)},
    data: (replication: (mode: Async, lag: EmpiricalCsv(path: "lag.csv"))),
)"#,
    );
    let o = regionsim([OsStr::new("check"), exp.as_os_str()]);
    let errs = assert_refused(&o, "many bad values");
    find(
        &errs,
        &o,
        "exp.ron",
        "lag.csv:2:1: expected a number of ms, found `bad0`",
    );
    find(
        &errs,
        &o,
        "exp.ron",
        "lag.csv:21:1: expected a number of ms, found `bad19`",
    );
    assert!(!o.stderr.contains("bad20"), "{}", o.stderr);
    find(
        &errs,
        &o,
        "exp.ron",
        "found `bad19` (and 5 more problems in this file, not listed)",
    );
    assert_error_count(&o, 20);

    // A file used in two places (read and write service) is reported once, not twice.
    std::fs::write(
        d.0.join("topo.ron"),
        r#"Topology(
    name: "csv-twice",
    defaults: (servers: 4, read_service: EmpiricalCsv(path: "lag.csv"), write_service: EmpiricalCsv(path: "lag.csv"), queue_limit: 100),
    regions: {"us-east": (lat: 39.0, lon: -77.5), "eu-west": (lat: 53.3, lon: -6.3)},
    network: (rtt: GreatCircle, estimate: (inflation: 1.8, base_ms: 0.0), intra_region_rtt_ms: 2.0),
)"#,
    )
    .unwrap();
    let o = regionsim([OsStr::new("check"), d.0.join("topo.ron").as_os_str()]);
    assert_refused(&o, "csv used twice");
    assert_eq!(o.stderr.matches("found `bad0`").count(), 1, "{}", o.stderr);
    assert_error_count(&o, 20);
}

/// An override's value is read as RON reads the file: a name written twice in it is refused
/// (it used to keep the later one silently), and `\u{..}` escapes are characters (`us-\u{65}ast`
/// used to read as the unknown region `us-u{65}ast`).
#[test]
fn override_values_refuse_names_written_twice_and_read_unicode_escapes() {
    let d = TempDir::new("override-literals");
    let exp = write_experiment(
        &d,
        "exp.ron",
        r#"Experiment(
    name: "dup", topology: "two-regions.ron", duration_s: 10,
    design: ActiveActive(regions: ["us-east", "eu-west"]),
    populations: {"boston": (lat: 42.36, lon: -71.06, rate_per_s: 5)},
    variants: [(name: "b", overrides: {"populations.boston": (lat: 1, lon: 2, rate_per_s: 3, rate_per_s: 4)}),
    (name: "c", overrides: {"design": ActiveActive(regions: ["us-\u{65}ast", "eu-west"]), "populations.boston.jurisdiction": "caf\xC3\xA9"}),
    (name: "d", overrides: {"populations": {"a": (lat: 1, lon: 2, rate_per_s: 3), "a": (lat: 1, lon: 2, rate_per_s: 3)}})],
)"#,
    );
    let o = regionsim([OsStr::new("check"), exp.as_os_str()]);
    let errs = assert_refused(&o, "override literals");
    let e = find(
        &errs,
        &o,
        "exp.ron",
        "variant `b`: override `populations.boston`",
    );
    assert!(
        e.message.contains("`rate_per_s` is written twice"),
        "{}",
        e.message
    );
    assert_at(e, 5, 40, &o);
    let e = find(&errs, &o, "exp.ron", "variant `d`: override `populations`");
    assert!(e.message.contains("`a` is written twice"), "{}", e.message);
    assert!(!o.stderr.contains("variant `c`"), "{}", o.stderr);
    assert_error_count(&o, 2);
}

/// A sweep that would make two cases alike is refused at the later value: the same value
/// twice, however written (`60` and `60.0` ran as two cases with equal results), or two values
/// that read alike in case names (`"U S"` and `"US"` both gave cases named `jurisdiction=US`,
/// which the results could not tell apart). A `Zip` may repeat a value in one list, not a point.
#[test]
fn a_sweep_whose_cases_would_be_alike_is_refused() {
    let d = TempDir::new("alike-cases");
    let head = r#"Experiment(
    name: "alike", topology: "two-regions.ron", duration_s: 10,
    design: ActiveActive(regions: ["us-east", "eu-west"]),
    populations: {"boston": (lat: 42.36, lon: -71.06, rate_per_s: 5)},
"#;
    let grid = write_experiment(
        &d,
        "grid.ron",
        &format!(
            r#"{head}    sweep: Grid({{"dns.ttl_s": [60, 30, 6e1], "populations.boston.jurisdiction": ["U S", "EU", "US"]}}),
)"#
        ),
    );
    let o = regionsim([OsStr::new("check"), grid.as_os_str()]);
    let errs = assert_refused(&o, "grid");
    let e = find(
        &errs,
        &o,
        "grid.ron",
        "`dns.ttl_s` lists the same value twice",
    );
    assert!(
        e.message.contains("(`60` at #0 and `6e1` at #2)"),
        "{}",
        e.message
    );
    assert_at(e, 5, 40, &o);
    let e = find(
        &errs,
        &o,
        "grid.ron",
        "two values that read `US` in case names",
    );
    assert!(
        e.message.contains("(`\"U S\"` at #0 and `\"US\"` at #2)"),
        "{}",
        e.message
    );
    assert_error_count(&o, 2);

    let zip = write_experiment(
        &d,
        "zip.ron",
        &format!(
            r#"{head}    sweep: Zip({{"dns.ttl_s": [60, 60, 30, 60.0], "populations.boston.jurisdiction": ["US", "EU", "US", "US"]}}),
)"#
        ),
    );
    let o = regionsim([OsStr::new("check"), zip.as_os_str()]);
    let errs = assert_refused(&o, "zip");
    let e = find(
        &errs,
        &o,
        "zip.ron",
        "the `Zip` lists the same point twice (#0 and #3)",
    );
    assert_on_line(e, 5, &o);
    assert_error_count(&o, 1);

    let fine = write_experiment(
        &d,
        "fine.ron",
        &format!(
            r#"{head}    sweep: Zip({{"dns.ttl_s": [60, 60, 30], "populations.boston.jurisdiction": ["US", "EU", "US"]}}),
)"#
        ),
    );
    let o = regionsim([OsStr::new("check"), fine.as_os_str()]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);

    // A Zip with a path in error is not judged alike on the paths left: only the real error.
    let half = write_experiment(
        &d,
        "half.ron",
        &format!(
            r#"{head}    sweep: Zip({{"dns.ttl_s": [60, 60], "nosuch.path": [1, 2]}}),
)"#
        ),
    );
    let o = regionsim([OsStr::new("check"), half.as_os_str()]);
    assert_refused(&o, "zip with a bad path");
    assert!(!o.stderr.contains("same point"), "{}", o.stderr);
    assert_error_count(&o, 1);
}

/// Weights whose sum overflows a float are refused (each was finite, so each draw compared
/// against an infinite total and picked alike), and a fault naming a place that is both a
/// region and a population is refused instead of taking the region silently.
#[test]
fn overflowing_weights_and_a_place_named_twice_are_refused() {
    let d = TempDir::new("weights-places");
    let exp = write_experiment(
        &d,
        "exp.ron",
        r#"Experiment(
    name: "wp", topology: "two-regions.ron", duration_s: 10,
    design: ActiveActive(regions: ["us-east", "eu-west"]),
    dns: (policy: Weighted(weights: {"us-east": 1e308, "eu-west": 1e308}, schedule: [(at_s: 5, weights: {"us-east": -2, "eu-west": 1})])),
    populations: {"eu-west": (lat: 53.3, lon: -6.3, rate_per_s: 5), "boston": (lat: 42.36, lon: -71.06, rate_per_s: 5)},
    faults: [Partition(a: "eu-west", b: "us-east", at_s: 1, for_s: 2), Partition(a: "boston", b: "us-east", at_s: 1, for_s: 2)],
)"#,
    );
    let o = regionsim([OsStr::new("check"), exp.as_os_str()]);
    let errs = assert_refused(&o, "weights and places");
    let e = find(
        &errs,
        &o,
        "exp.ron",
        "the weights add up to more than a number holds",
    );
    assert_on_line(e, 4, &o);
    let e = find(
        &errs,
        &o,
        "exp.ron",
        "weight of `us-east` must be a finite number",
    );
    assert_at(e, 4, 106, &o);
    assert!(!o.stderr.contains("all be zero"), "{}", o.stderr);
    let e = find(
        &errs,
        &o,
        "exp.ron",
        "`eu-west` is both a region of topology `two-regions` and a population",
    );
    assert_on_line(e, 6, &o);
    assert_error_count(&o, 3);
}

/// An override of a whole group holds only the fields it writes; a later override of another
/// field of that group is still a valid path (it was refused as unknown), and both take effect.
#[test]
fn a_field_override_after_its_group_was_overridden_is_accepted() {
    let e = super::experiment(
        "group-then-field",
        r#"duration_s: 60, design: ActiveActive(regions: ["eastus"]),
        populations: {"new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 10)},
        variants: [(name: "v", overrides: {"dns": (ttl_s: 30), "dns.fail_open": false})],"#,
    );
    let sc = super::variant(&e, "v");
    assert_eq!(sc.dns.ttl, 30_000_000_000);
    assert!(!sc.dns.fail_open);
}

/// Optional fields absent from the base can be overridden: a replication bandwidth, a
/// planned failback, when replicas acknowledge. The first two were refused as unknown paths
/// ("`data.replication` has no `bandwidth`"), so no variant could add them.
#[test]
fn optional_fields_the_base_leaves_out_can_be_overridden() {
    let e = super::experiment(
        "optional-overrides",
        r#"duration_s: 60,
        design: ActivePassive(primary: "eastus", standbys: ["westus2"], failover: Automatic(promotion_s: 30)),
        health: (interval_s: 10),
        populations: {"new-york": (lat: 40.71, lon: -74.01, rate_per_s: 10)},
        variants: [(name: "v", overrides: {
            "data.replication.bandwidth": (bytes_per_s: 1000.0, message_bytes: 100.0),
            "design.failback": Planned(after_s: 60, max_lag_ms: 1000),
            "data.replication.mode": SemiSync(1),
            "data.replication.ack": Applied,
        })],"#,
    );
    let sc = super::variant(&e, "v");
    assert_eq!(sc.data.transmit, 100_000_000);
    assert_eq!(sc.data.ack, regionsim::model::ReplicaAck::Applied);
    assert!(
        matches!(
            &sc.design,
            regionsim::model::Design::ActivePassive {
                failback: Some(_),
                ..
            }
        ),
        "{:?}",
        sc.design
    );
}

/// An override's or a swept value is written as in the file, and read alike: block comments,
/// raw strings, integers in hexadecimal, a struct written with its name (each was refused), and
/// a later override of a field inside that struct finds it. A
/// swept path that only a variant's design has is checked against that variant, and a comment
/// inside a swept value stays out of the case's name.
#[test]
fn override_values_are_read_as_the_file_is() {
    let e = super::experiment(
        "written-as-in-the-file",
        r##"duration_s: 60, design: ActiveActive(regions: ["eastus", "westus2"]),
        health: (interval_s: 10),
        populations: {"new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 10)},
        variants: [(name: "v", overrides: {
            "dns": (policy: Latency, /* a comment */ ttl_s: 0x10),
            "client": Client(retries: 3 /* three */),
            "client.timeout_ms": 700,
            "populations.new-york.jurisdiction": r#"US"#,
            "design": ActivePassive(primary: "eastus", standbys: ["westus2"]),
        })],
        sweep: Grid({"design.failover": [Off, Automatic(/* at once */ promotion_s: 0)]}),"##,
    );
    let names: Vec<&str> = e.variants.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["v @ failover=Off", "v @ failover=Automatic(promotion_s:0)"]
    );
    let sc = &e.variants[1].1;
    assert_eq!(sc.dns.ttl, 16_000_000_000);
    assert_eq!(sc.populations[0].client.retries, 3);
    // A field of the named struct, overridden after it.
    assert_eq!(sc.populations[0].client.timeout, 700_000_000);
    assert_eq!(sc.populations[0].jurisdiction, "US");
    assert!(
        matches!(&sc.design, regionsim::model::Design::ActivePassive { .. }),
        "{:?}",
        sc.design
    );
}

/// A Geo policy with no `"*"` rule has no answer for a population no rule names: every request
/// of it would fail (no_region). The loader warns, naming the population, once.
#[test]
fn a_population_no_geo_rule_answers_is_warned_about() {
    let (_, warnings) = super::experiment_and_warnings(
        "geo-no-star",
        r#"duration_s: 60, design: ActiveActive(regions: ["eastus", "westeurope"]),
        dns: (policy: Geo(rules: {"EU": ["westeurope"]})),
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, rate_per_s: 10),
            "paris": (lat: 48.86, lon: 2.35, rate_per_s: 10, jurisdiction: "EU"),
        },"#,
    );
    let geo: Vec<_> = warnings
        .iter()
        .filter(|w| w.message.contains("geo rule"))
        .collect();
    assert_eq!(geo.len(), 1, "{warnings:?}");
    assert!(
        geo[0].message.contains("`new-york` has no jurisdiction")
            && geo[0].line == Some(4)
            && geo[0].help.as_deref().is_some_and(|h| h.contains("\"*\"")),
        "{:?}",
        geo[0]
    );
}

/// A misspelt standby is left out of the design; the design's region counts are then wrong,
/// and no check that relies on them speaks: one error, at the name, not a second one saying
/// `SemiSync(1)` needs "1 to 0" replicas.
#[test]
fn a_misspelt_standby_gives_one_error_not_follow_on_replica_counts() {
    let err = super::experiment_error(
        "misspelt-standby",
        r#"duration_s: 10,
        design: ActivePassive(primary: "eastus", standbys: ["westeurop"]),
        data: (replication: (mode: SemiSync(1))),
        populations: {"p": (lat: 40.7, lon: -74.0, rate_per_s: 1)},"#,
    );
    eprintln!("{err}");
    assert!(err.contains("unknown region `westeurop`"), "{err}");
    assert!(!err.contains("SemiSync"), "{err}");
}

/// An inline RTT matrix: a refused entry is one error (not also "the matrix is empty" and
/// "not in the RTT matrix" warnings for its regions), and a name that is no region of the
/// topology is a warning at that name, with a did-you-mean.
#[test]
fn inline_rtt_matrix_mistakes_are_reported_where_they_are_and_once() {
    let d = super::temp_dir("inline-matrix");
    let topology = |rows: &str| {
        format!(
            r#"Topology(name: "t",
                defaults: (servers: 8, read_service: Constant(ms: 3.0), write_service: Constant(ms: 6.0), queue_limit: 100),
                regions: {{
                    "eastus": (lat: 36.67, lon: -78.39, continent: "North America", jurisdiction: "US"),
                    "westeurope": (lat: 52.37, lon: 4.90, continent: "Europe", jurisdiction: "EU"),
                }},
                network: (rtt: Matrix(rows: {rows})),
            )"#
        )
    };
    std::fs::write(
        d.join("e.ron"),
        r#"Experiment(name: "e", topology: "t.ron", duration_s: 10,
            design: ActiveActive(regions: ["eastus", "westeurope"]),
            populations: {"p": (lat: 40.7, lon: -74.0, rate_per_s: 1)})"#,
    )
    .unwrap();
    std::fs::write(
        d.join("t.ron"),
        topology(r#"{"eastus": {"westeurope": -80.0}}"#),
    )
    .unwrap();
    let err = regionsim::config::load_experiment(&d.join("e.ron"))
        .unwrap_err()
        .to_string();
    eprintln!("{err}");
    assert!(
        err.contains("must be a finite number at least 0, found -80"),
        "{err}"
    );
    assert!(!err.contains("empty"), "{err}");
    assert!(!err.contains("not in the RTT matrix"), "{err}");
    std::fs::write(
        d.join("t.ron"),
        topology(r#"{"eastus": {"westeurop": 80.0}}"#),
    )
    .unwrap();
    let (_, warnings) = regionsim::config::load_experiment(&d.join("e.ron")).unwrap();
    let named: Vec<_> = warnings
        .iter()
        .filter(|w| w.message.contains("the RTT matrix names `westeurop`"))
        .collect();
    assert_eq!(named.len(), 1, "{warnings:?}");
    assert_eq!(
        named[0].help.as_deref(),
        Some("did you mean `westeurope`?"),
        "{:?}",
        named[0]
    );
}

/// Latitude and longitude the wrong way round (New York at lat −74.01, lon 40.71: the
/// Antarctic coast south of Africa) are valid numbers, so nothing was said and New York's
/// p50 went from 84 to 342 ms. The loader now warns when swapping them would bring a
/// population far nearer its anchor; London, far from its anchor by design, is not warned about.
#[test]
fn latitude_and_longitude_the_wrong_way_round_are_warned_about() {
    let (_, warnings) = super::experiment_and_warnings(
        "lat-lon-swapped",
        r#"duration_s: 60, design: ActiveActive(regions: ["eastus", "westeurope"]),
        populations: {
            "new-york": (lat: -74.01, lon: 40.71, anchor: "eastus", rate_per_s: 10),
            "london": (lat: 51.51, lon: -0.13, anchor: "eastus", rate_per_s: 10),
        },"#,
    );
    let swapped: Vec<_> = warnings
        .iter()
        .filter(|w| w.message.contains("swapped"))
        .collect();
    assert_eq!(swapped.len(), 1, "{warnings:?}");
    assert!(
        swapped[0].message.contains("`new-york`") && swapped[0].line == Some(3),
        "{:?}",
        swapped[0]
    );
}

/// A unit written into a swept or overridden number gets the hint the same mistake gets in
/// the file itself: the field's unit and the number to write.
#[test]
fn a_unit_in_a_swept_or_overridden_value_gets_the_unit_hint() {
    let err = super::experiment_error(
        "swept-unit",
        r#"duration_s: 10,
        design: ActiveActive(regions: ["eastus"]),
        populations: {"p": (lat: 40.7, lon: -74.0, rate_per_s: 1)},
        variants: [(name: "v", overrides: {"client.timeout_ms": "2s"})],
        sweep: Grid({"dns.ttl_s": ["5s", 60]}),"#,
    );
    eprintln!("{err}");
    for help in [
        "`ttl_s` is a number of seconds, written without a unit: for 5 s write `ttl_s: 5`",
        "`timeout_ms` is a number of milliseconds, written without a unit: for 2 s write `timeout_ms: 2000`",
    ] {
        assert!(err.contains(help), "{help}\n{err}");
    }
}

/// A region's `continent` only prices egress (`same_continent_gb` between regions naming the
/// same one), so a name of one's own (`APAC`) or a typo (`Ocenia`) used to price its links to
/// every region naming a real continent at the inter-continent rate without a word. `check` now warns once per unknown name, at its
/// first region, with the count of the others and a did-you-mean; real continents get nothing.
#[test]
fn a_continent_that_is_not_one_is_warned_about_once() {
    let d = TempDir::new("continent-typo");
    let f = d.0.join("t.ron");
    std::fs::write(
        &f,
        r#"Topology(name: "t", defaults: (servers: 4, read_service: Constant(ms: 1.0),
             write_service: Constant(ms: 1.0), queue_limit: 100),
           regions: {
             "singapore": (lat: 1.35, lon: 103.82, continent: "APAC"),
             "tokyo": (lat: 35.68, lon: 139.69, continent: "APAC"),
             "sydney": (lat: -33.87, lon: 151.21, continent: "Ocenia"),
             "dublin": (lat: 53.35, lon: -6.26, continent: "Europe"),
           },
           network: (rtt: GreatCircle, estimate: (inflation: 1.75, base_ms: 0.0)))"#,
    )
    .unwrap();
    let o = regionsim([OsStr::new("check"), f.as_os_str()]);
    let err = &o.stderr;
    assert_eq!(o.code, Some(0), "{err}");
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("is not a continent"))
        .collect();
    assert_eq!(warnings.len(), 2, "{err}");
    assert!(
        warnings[0].contains("t.ron:4:")
            && warnings[0]
                .contains("continent `APAC` of region `singapore` (and of 1 other region)"),
        "{err}"
    );
    assert!(err.contains("help: the continents are `Africa`"), "{err}");
    assert!(
        warnings[1].contains("continent `Ocenia` of region `sydney` is not"),
        "{err}"
    );
    assert!(err.contains("help: did you mean `Oceania`?"), "{err}");
}
