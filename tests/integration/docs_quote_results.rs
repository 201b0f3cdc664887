//! The figures README.md and docs/teaching.md quote are the committed results' figures: a
//! change of behaviour that moves a result must move its quotation too.

use super::root;

/// The integers written in `text` (digits, with groups of three after `,`, a space, a
/// no-break or a narrow no-break space), separators removed.
fn numbers_in(text: &str) -> std::collections::BTreeSet<u64> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = std::collections::BTreeSet::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit()
            || (i > 0 && (chars[i - 1].is_ascii_digit() || chars[i - 1] == '.'))
        {
            i += 1;
            continue;
        }
        let mut digits = String::new();
        while i < chars.len() && chars[i].is_ascii_digit() {
            digits.push(chars[i]);
            i += 1;
        }
        // Groups of exactly three digits after a separator.
        while i + 3 < chars.len()
            && matches!(chars.get(i), Some(',' | ' ' | '\u{a0}' | '\u{202f}'))
            && chars[i + 1..].iter().take(3).all(char::is_ascii_digit)
            && chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
        {
            digits.extend(&chars[i + 1..i + 4]);
            i += 4;
        }
        // A decimal is not an integer figure.
        if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
            continue;
        }
        if let Ok(n) = digits.parse() {
            out.insert(n);
        }
    }
    out
}

/// Column `col` of the row of `file` (under results/) whose first cells are `key`.
fn cell(file: &str, key: &[&str], col: &str) -> u64 {
    let text = std::fs::read_to_string(root().join("results").join(file)).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let c = header
        .iter()
        .position(|h| *h == col)
        .unwrap_or_else(|| panic!("{file}: no {col}"));
    let row = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|r| r.len() > c && r[..key.len()] == *key)
        .unwrap_or_else(|| panic!("{file}: no row {key:?}"));
    let v: f64 = row[c].parse().unwrap();
    v.round() as u64
}

/// A case's mean over its seeds from a swept experiment's stats.csv (case, variant, point,
/// seeds, metric, …): `variant @ field=value` swept over `faults.0.<field>`, the value as
/// written.
fn sweep_mean(
    experiment: &str,
    seeds: &str,
    variant: &str,
    field_value: &str,
    metric: &str,
) -> u64 {
    let case = format!("{variant} @ {field_value}");
    let point = format!("faults.0.{field_value}");
    cell(
        &format!("{experiment}/stats.csv"),
        &[&case, variant, &point, seeds, metric],
        "mean",
    )
}

/// A mean over gray-failure's four seeds: `checks` is the variant, `share` the swept error
/// share as written.
fn gray(checks: &str, share: &str, metric: &str) -> u64 {
    sweep_mean(
        "gray-failure",
        "4",
        checks,
        &format!("fraction={share}"),
        metric,
    )
}

/// A mean over slow-region's two seeds: `checks` is the variant, `factor` the swept slowdown
/// as written.
fn slow(checks: &str, factor: &str, metric: &str) -> u64 {
    sweep_mean(
        "slow-region",
        "2",
        checks,
        &format!("factor={factor}"),
        metric,
    )
}

fn assert_quotes(doc: &str, figures: &[(&str, u64)]) {
    let text = std::fs::read_to_string(root().join(doc)).unwrap();
    let written = numbers_in(&text);
    let missing: Vec<_> = figures
        .iter()
        .filter(|(_, v)| !written.contains(v))
        .collect();
    assert!(
        missing.is_empty(),
        "{doc} no longer quotes these committed figures (what each is, its value): {missing:?}"
    );
}

#[test]
fn the_number_reader_takes_grouped_integers_and_skips_decimals() {
    let n = numbers_in("13,540 → 34 451, 115\u{202f}604 at 0.279 s; 8 seeds, 1 10");
    assert_eq!(
        n.into_iter().collect::<Vec<_>>(),
        [1, 8, 10, 13540, 34451, 115604]
    );
}

#[test]
fn the_teaching_exercises_quote_the_committed_results() {
    let faults = |v: &str, col: &str| cell("dns-ttl-failover/faults.csv", &[v], col);
    let data = |f: &str, v: &str, col: &str| cell(f, &[v, "overall", "all"], col);
    let lost = |f: &str, v: &str| cell(f, &[v], "lost_writes");
    let mut figures = vec![];
    for v in ["ttl-5", "ttl-300", "ttl-5-violators", "ttl-300-violators"] {
        figures.push((
            "dns-ttl-failover failed_requests",
            faults(v, "failed_requests"),
        ));
    }
    for v in ["ttl-5", "ttl-30", "ttl-60", "ttl-300", "ttl-5-violators"] {
        figures.push(("dns-ttl-failover rto_s", faults(v, "rto_s")));
    }
    for v in ["lag-100ms", "lag-500ms", "lag-1s", "lag-2s", "lag-5s"] {
        figures.push((
            "replication-lag-rpo lost_writes",
            lost("replication-lag-rpo/failovers.csv", v),
        ));
    }
    let lww = "lww-clock-skew/data.csv";
    figures.push(("lww conflicts", data(lww, "skew-0ms", "conflicts")));
    figures.push((
        "lww lost_updates at 0 ms",
        data(lww, "skew-0ms", "lost_updates"),
    ));
    figures.push((
        "lww lost_updates at 100 ms",
        data(lww, "skew-100ms", "lost_updates"),
    ));
    figures.push((
        "lww lost_updates with HLC",
        data(lww, "skew-100ms-hlc", "lost_updates"),
    ));
    for v in [
        "skew-1ms",
        "skew-10ms",
        "skew-50ms",
        "skew-100ms",
        "skew-100ms-hlc",
    ] {
        figures.push(("lww wrong_winners", data(lww, v, "wrong_winners")));
    }
    let aa = "ap-vs-aa/data.csv";
    figures.push((
        "ap-vs-aa lost at failover, async",
        lost("ap-vs-aa/failovers.csv", "active-passive"),
    ));
    figures.push((
        "ap-vs-aa lost at failover, semi-sync",
        lost("ap-vs-aa/failovers.csv", "active-passive-semisync"),
    ));
    figures.push((
        "ap-vs-aa conflicts",
        data(aa, "active-active-lww", "conflicts"),
    ));
    figures.push((
        "ap-vs-aa lost_updates",
        data(aa, "active-active-lww", "lost_updates"),
    ));
    figures.push((
        "ap-vs-aa wrong_winners",
        data(aa, "active-active-lww", "wrong_winners"),
    ));
    figures.push((
        "gray-failure failed, shallow, 30%",
        gray("shallow-checks", "0.3", "failed"),
    ));
    figures.push((
        "gray-failure failed, shallow, 100%",
        gray("shallow-checks", "1.0", "failed"),
    ));
    figures.push((
        "gray-failure RTO, shallow",
        gray("shallow-checks", "0.3", "max_rto_s"),
    ));
    figures.push((
        "gray-failure RTO, deep, 50%",
        gray("deep-checks", "0.5", "max_rto_s"),
    ));
    figures.push((
        "gray-failure RTO, deep, 100%",
        gray("deep-checks", "1.0", "max_rto_s"),
    ));
    figures.push((
        "slow-region failed, shallow, 4×",
        slow("shallow-checks", "4", "failed"),
    ));
    figures.push((
        "slow-region RTO, shallow",
        slow("shallow-checks", "4", "max_rto_s"),
    ));
    for factor in ["4", "10"] {
        figures.push((
            "slow-region RTO, deep",
            slow("deep-checks", factor, "max_rto_s"),
        ));
    }
    for factor in ["1.5", "3"] {
        figures.push((
            "slow-region New York p99",
            slow("shallow-checks", factor, "p99_ms@new-york"),
        ));
    }
    assert_quotes("docs/teaching.md", &figures);
}

#[test]
fn the_readme_quotes_the_committed_results() {
    let lost = |v: &str| cell("ap-vs-aa/failovers.csv", &[v], "lost_writes");
    let aa = |col: &str| {
        cell(
            "ap-vs-aa/data.csv",
            &["active-active-lww", "overall", "all"],
            col,
        )
    };
    let faults = |v: &str| cell("dns-ttl-failover/faults.csv", &[v], "failed_requests");
    assert_quotes(
        "README.md",
        &[
            (
                "gray-failure failed, shallow, 30%",
                gray("shallow-checks", "0.3", "failed"),
            ),
            (
                "gray-failure failed, shallow, 100%",
                gray("shallow-checks", "1.0", "failed"),
            ),
            (
                "gray-failure RTO, shallow",
                gray("shallow-checks", "0.3", "max_rto_s"),
            ),
            (
                "gray-failure RTO, deep, 50%",
                gray("deep-checks", "0.5", "max_rto_s"),
            ),
            (
                "gray-failure RTO, deep, 100%",
                gray("deep-checks", "1.0", "max_rto_s"),
            ),
            ("ap-vs-aa lost at failover, async", lost("active-passive")),
            (
                "ap-vs-aa lost at failover, semi-sync",
                lost("active-passive-semisync"),
            ),
            ("ap-vs-aa lost_updates", aa("lost_updates")),
            ("dns-ttl-failover failed at TTL 5 s", faults("ttl-5")),
            ("dns-ttl-failover failed at TTL 300 s", faults("ttl-300")),
        ],
    );
    let mut slow_figures = vec![];
    for factor in ["1.5", "3"] {
        for metric in ["p50_ms@new-york", "p99_ms@new-york", "p99_ms"] {
            slow_figures.push((
                format!("slow-region {metric}, {factor}×"),
                slow("shallow-checks", factor, metric),
            ));
        }
    }
    for checks in ["shallow-checks", "deep-checks", "deep-slow-return"] {
        for factor in ["4", "10"] {
            slow_figures.push((
                format!("slow-region failed, {checks}, {factor}×"),
                slow(checks, factor, "failed"),
            ));
        }
    }
    for factor in ["4", "10"] {
        for checks in ["shallow-checks", "deep-checks"] {
            slow_figures.push((
                format!("slow-region RTO, {checks}, {factor}×"),
                slow(checks, factor, "max_rto_s"),
            ));
        }
    }
    slow_figures.push((
        "slow-region p50, deep, 4×".into(),
        slow("deep-checks", "4", "p50_ms@new-york"),
    ));
    let slow_figures: Vec<(&str, u64)> =
        slow_figures.iter().map(|(w, v)| (w.as_str(), *v)).collect();
    assert_quotes("README.md", &slow_figures);
}
