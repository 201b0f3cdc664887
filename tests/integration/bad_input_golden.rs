//! Golden messages for the corpus of real mistakes in tests/fixtures/bad/: `regionsim check`
//! on each fixture must exit with code 2 and print exactly the committed `<name>.stderr`, so a
//! changed or lost diagnostic shows in review. `UPDATE_GOLDEN=1 cargo test bad_input_golden`
//! rewrites the files after a deliberate change.

use super::{regionsim, root};

/// Fixtures that are not mistakes themselves (helpers the mistakes refer to).
const VALID: &[&str] = &["two-regions.ron"];

#[test]
fn every_bad_fixture_prints_its_golden_message() {
    let dir = root().join("tests/fixtures/bad");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".ron") && !VALID.contains(&n.as_str()))
        .collect();
    names.sort();
    assert!(names.len() >= 20, "{names:?}");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut mismatches = vec![];
    for name in &names {
        let rel = format!("tests/fixtures/bad/{name}");
        let out = regionsim(&["check", &rel]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{name}: bad input must exit with code 2\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
        let got = String::from_utf8(out.stderr).expect("diagnostics are UTF-8");
        let golden = dir.join(name.replace(".ron", ".stderr"));
        if update {
            std::fs::write(&golden, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_else(|_| {
            panic!(
                "{} is missing; run with UPDATE_GOLDEN=1 to create it",
                golden.display()
            )
        });
        if got != want {
            mismatches.push(format!("{name}:\n--- golden\n{want}--- now\n{got}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "diagnostics changed (UPDATE_GOLDEN=1 accepts a deliberate change):\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn the_corpus_covers_the_mistakes_issue_8_lists() {
    // Misspelt fields, wrong units, cycles in cascade replication, a 0-server region, a rate
    // of 1e12 (a sweep over an unknown path waits for sweeps).
    for f in [
        "misspelt-field.ron",
        "units-in-a-value.ron",
        "unit-in-a-field-name.ron",
        "chain-cycle.ron",
        "zero-servers.ron",
        "rate-too-high.ron",
        "zero-servers-bad-override.ron",
        "latin1.ron",
        // Limits on what one file can ask, refused before running.
        "total-requests-too-many.ron",
        "memory-year-in-seconds.ron",
        "events-replication-too-many.ron",
    ] {
        assert!(
            root().join("tests/fixtures/bad").join(f).exists(),
            "tests/fixtures/bad/{f}"
        );
    }
}
