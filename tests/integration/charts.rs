//! Charts and the report: every kind is made, is valid, is reproducible, and survives empty data.

use super::{regionsim, temp_dir};
use std::collections::BTreeMap;
use std::path::Path;

const TINY: &str = "tests/fixtures/tiny-charts.ron";

/// Every chart the tiny experiment must produce, one or more per chart kind.
const CHARTS: [&str; 13] = [
    "latency-cdf-all",
    "latency-cdf-new-york",
    "latency-cdf-frankfurt",
    "latency-cdf-tokyo",
    "latency-percentiles",
    "timeline",
    "data-safety",
    "stale-reads",
    "sequence-conflict",
    "rtt-heatmap",
    "map-one-region",
    "map-three-regions",
    "t-visibility",
];

/// An experiment with a fault, failovers, replication lags in its variant names and an
/// LWW variant: it makes the data-safety, sweep and both sequence charts.
const SWEEP: &str = "tests/fixtures/tiny-sweep.ron";

/// The charts only the sweep experiment makes.
const SWEEP_CHARTS: [&str; 4] = [
    "data-safety",
    "sweep",
    "sequence-failover",
    "sequence-conflict",
];

fn run_tiny(name: &str, extra: &[&str]) -> std::path::PathBuf {
    run_fixture(TINY, name, extra)
}

fn run_fixture(fixture: &str, name: &str, extra: &[&str]) -> std::path::PathBuf {
    let d = temp_dir(name);
    let mut args = vec!["run", fixture, "--quiet", "--out", d.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = regionsim(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    d
}

/// Checks that `s` is one well-formed XML element tree (tags nest and match, attributes are
/// quoted, text holds no raw `<` or bare `&`); returns the root element's name.
fn check_xml(s: &str) -> Result<String, String> {
    let mut stack: Vec<String> = vec![];
    let mut root: Option<String> = None;
    let mut rest = s.trim_start();
    if let Some(r) = rest.strip_prefix("<?xml") {
        rest = &r[r.find("?>").ok_or("unclosed declaration")? + 2..];
    }
    loop {
        let lt = match rest.find('<') {
            Some(i) => i,
            None => {
                check_text(rest)?;
                break;
            }
        };
        check_text(&rest[..lt])?;
        if stack.is_empty() && root.is_some() && !rest[..lt].trim().is_empty() {
            return Err("text after the root element".into());
        }
        rest = &rest[lt..];
        if let Some(r) = rest.strip_prefix("<!--") {
            rest = &r[r.find("-->").ok_or("unclosed comment")? + 3..];
            continue;
        }
        let gt = tag_end(rest).ok_or("unclosed tag")?;
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().ok_or(format!("`</{name}>` closes nothing"))?;
            if open != name.trim() {
                return Err(format!("`<{open}>` closed by `</{name}>`"));
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let body = tag.trim_end_matches('/');
        let name: String = body.chars().take_while(|c| !c.is_whitespace()).collect();
        if name.is_empty() {
            return Err("empty tag name".into());
        }
        check_attrs(&body[name.len()..])?;
        if stack.is_empty() {
            if root.is_some() {
                return Err(format!("second root element `<{name}>`"));
            }
            root = Some(name.clone());
        }
        if !self_closing {
            stack.push(name);
        }
    }
    if let Some(open) = stack.pop() {
        return Err(format!("`<{open}>` never closed"));
    }
    root.ok_or_else(|| "no element".into())
}

/// Index of the `>` ending the tag at the start of `s`, skipping quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn check_text(t: &str) -> Result<(), String> {
    let mut rest = t;
    while let Some(i) = rest.find('&') {
        let after = &rest[i + 1..];
        let semi = after.find(';').ok_or("bare `&` in text")?;
        let ent = &after[..semi];
        let known = ["amp", "lt", "gt", "quot", "apos"].contains(&ent)
            || (ent.starts_with('#') && ent.len() > 1);
        if !known {
            return Err(format!("unknown entity `&{ent};`"));
        }
        rest = &after[semi + 1..];
    }
    Ok(())
}

fn check_attrs(a: &str) -> Result<(), String> {
    let mut rest = a.trim();
    while !rest.is_empty() {
        let eq = rest
            .find('=')
            .ok_or(format!("attribute without value: `{rest}`"))?;
        let name = rest[..eq].trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(format!("bad attribute name `{name}`"));
        }
        let v = rest[eq + 1..].trim_start();
        let q = v.chars().next().ok_or("missing attribute value")?;
        if q != '"' && q != '\'' {
            return Err(format!("unquoted value of `{name}`"));
        }
        let end = v[1..].find(q).ok_or("unclosed attribute value")?;
        let value = &v[1..1 + end];
        if value.contains('<') {
            return Err(format!("`<` in the value of `{name}`"));
        }
        check_text(value)?;
        rest = v[end + 2..].trim_start();
    }
    Ok(())
}

/// Every file under `dir` (recursively) with its bytes, by path relative to `dir`.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn the_xml_checker_rejects_broken_markup() {
    assert_eq!(
        check_xml("<svg a=\"1\"><g/><text>x &amp; y</text></svg>\n"),
        Ok("svg".into())
    );
    assert!(check_xml("<svg><g></svg>").is_err());
    assert!(check_xml("<svg>a < b</svg>").is_err());
    assert!(check_xml("<svg>a & b</svg>").is_err());
    assert!(check_xml("<svg a=1></svg>").is_err());
    assert!(check_xml("<svg></svg><svg></svg>").is_err());
    assert!(check_xml("<svg>").is_err());
}

#[test]
fn every_chart_kind_is_made_valid_and_inlined_in_the_report() {
    let d = run_tiny("charts-all", &[]);
    for c in CHARTS {
        let svg = std::fs::read_to_string(d.join("charts").join(format!("{c}.svg")))
            .unwrap_or_else(|e| panic!("{c}.svg: {e}"));
        assert!(
            svg.starts_with("<svg"),
            "{c}.svg starts with {:?}",
            &svg[..20]
        );
        assert_eq!(check_xml(&svg), Ok("svg".into()), "{c}.svg");
        assert!(!svg.contains("NaN"), "{c}.svg");
        let png = std::fs::read(d.join("charts").join(format!("{c}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{c}.png signature");
        assert!(png.len() > 10_000, "{c}.png has content");
    }
    let chart_files = std::fs::read_dir(d.join("charts")).unwrap().count();
    assert_eq!(
        chart_files,
        2 * CHARTS.len(),
        "nothing but the expected charts"
    );

    let html = std::fs::read_to_string(d.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(
        html.matches("<svg ").count(),
        CHARTS.len(),
        "every chart inline"
    );
    for c in CHARTS {
        assert!(
            html.contains(&format!("<figure id=\"{c}\">")),
            "{c} in report"
        );
    }
    for needle in [
        "Does a second continent&#39;s region help users far from Virginia?",
        "three-regions",
        "active-active",
        "Master seed <code>11</code>",
        "regionsim run tests/fixtures/tiny-charts.ron --seed 11",
        "regionsim report DIR",
        "japaneast 100%",
    ] {
        assert!(html.contains(needle), "report lacks {needle:?}");
    }
    // Self-contained: nothing is fetched.
    for bad in ["<script", "<link", "<img", "src=", "url(", "href=\"http"] {
        assert!(!html.contains(bad), "report contains {bad:?}");
    }
    // The body of the report, SVGs taken out, is well-formed markup too.
    let body = &html[html.find("<html").unwrap()..];
    let body = body
        .replace("<!DOCTYPE html>", "")
        .replace("<meta charset=\"utf-8\">", "<meta charset=\"utf-8\"/>")
        .replace(
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>",
        );
    assert_eq!(check_xml(&body), Ok("html".into()));

    // summary.json carries the CDF points the charts were drawn from.
    let s = super::summary(&d);
    let cdf = super::population(&s, "three-regions", "tokyo")["all"]["cdf"]
        .as_array()
        .unwrap()
        .clone();
    assert!(cdf.len() > 20 && cdf.len() <= 57, "{}", cdf.len());
    assert_eq!(cdf.last().unwrap()[1], 1.0);
    assert_eq!(s["variants"][0]["fault_windows"], serde_json::json!([]));
}

#[test]
fn data_safety_sweep_sequence_and_markers_come_from_the_stored_summary() {
    let d = run_fixture(SWEEP, "charts-sweep", &[]);
    let svg = |n: &str| {
        std::fs::read_to_string(d.join("charts").join(format!("{n}.svg")))
            .unwrap_or_else(|e| panic!("{n}.svg: {e}"))
    };
    for c in SWEEP_CHARTS {
        let s = svg(c);
        assert_eq!(check_xml(&s), Ok("svg".into()), "{c}.svg");
        assert!(!s.contains("NaN"), "{c}.svg");
        let png = std::fs::read(d.join("charts").join(format!("{c}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{c}.png signature");
    }
    let s = super::summary(&d);
    let v = |name: &str| {
        s["variants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["variant"] == name)
            .unwrap()
            .clone()
    };
    // The sweep reads lag from the names (100 ms, 500 ms, 2 s: in seconds), draws the failover family,
    // and leaves the variant whose name holds no lag out.
    let sweep = svg("sweep");
    for needle in [
        "0.1 s",
        "0.5 s",
        "2 s",
        "writes lost at failover",
        "RPO (s)",
    ] {
        assert!(sweep.contains(needle), "sweep lacks {needle:?}");
    }
    let lost = v("lag-2s")["data"]["lost_at_failover"].as_u64().unwrap();
    assert!(lost > 0);
    assert!(sweep.contains(&lost.to_string()), "sweep lacks {lost}");
    // The failover diagram is drawn for the variant that lost most, with its numbers.
    let seq = svg("sequence-failover");
    assert!(seq.contains("lag-2s") && seq.contains("not a trace"));
    assert!(
        seq.contains(&format!("lost {lost} acknowledged writes")),
        "{lost}"
    );
    let conflict = svg("sequence-conflict");
    assert!(conflict.contains("aa-lww-skewed") && conflict.contains("clock"));
    // Data safety writes every count on its bar.
    let lww = v("aa-lww-skewed")["data"]["lost_updates"].as_u64().unwrap();
    assert!(lww > 0);
    let safety = svg("data-safety");
    for n in [lost, lww] {
        let shown = if n >= 1000 {
            format!("{},{:03}", n / 1000, n % 1000)
        } else {
            n.to_string()
        };
        assert!(safety.contains(&shown), "data-safety lacks {shown}");
    }
    // The timeline marks the health verdict and the promotion.
    let tl = svg("timeline");
    assert!(
        tl.contains("eastus unhealthy"),
        "timeline lacks the verdict"
    );
    // Only the three active-passive variants promote: the marker names them.
    assert!(
        tl.contains("westus2 promoted (lag-100ms, lag-500ms, lag-2s)"),
        "timeline lacks the promotion or its variants"
    );
    // The report tabulates faults and failovers, and inlines every chart.
    let html = std::fs::read_to_string(d.join("report.html")).unwrap();
    assert!(html.contains("<h2 id=\"recovery\">Faults and recovery</h2>"));
    assert!(html.contains("eastus → westus2"));
    // ... why requests failed, and the data layer: a row per variant with its losses.
    let failed = v("lag-2s")["overall"]["failed"].as_u64().unwrap();
    assert!(failed > 0);
    assert!(
        html.contains("<h3>Failed requests by reason</h3>")
            && html.contains(&format!("<tr><td>lag-2s</td><td class=\"n\">{failed}</td>")),
        "failures by reason"
    );
    let data = &html[html
        .find("<h2 id=\"data\">Data layer</h2>")
        .expect("data layer")..];
    let row = |name: &str| {
        let start = data.find(&format!("<tr><td>{name}</td>")).unwrap();
        &data[start..start + data[start..].find("</tr>").unwrap()]
    };
    assert!(
        row("lag-2s").contains(&format!("<td class=\"n\">{lost}</td>")),
        "{}",
        row("lag-2s")
    );
    let to_conflicts = v("aa-lww-skewed")["data"]["lost_to_conflicts"]
        .as_u64()
        .unwrap();
    assert!(
        row("aa-lww-skewed").contains(&format!(
            ">{} ({to_conflicts})<",
            v("aa-lww-skewed")["data"]["lost_updates"]
        )),
        "{}",
        row("aa-lww-skewed")
    );
    for c in SWEEP_CHARTS {
        assert!(
            html.contains(&format!("<figure id=\"{c}\">")),
            "{c} in report"
        );
    }
    let charts = std::fs::read_dir(d.join("charts")).unwrap().count() / 2;
    assert_eq!(html.matches("<svg ").count(), charts, "every chart inline");
}

#[test]
fn charts_and_report_are_identical_across_runs_and_rebuilt_without_simulating() {
    let a = run_tiny("charts-a", &[]);
    let b = run_tiny("charts-b", &["--threads", "1"]);
    let fa = files(&a);
    assert_eq!(fa, files(&b), "two runs with the same seed differ");
    assert!(fa.contains_key("report.html") && fa.contains_key("topology.json"));

    // `report` on a copy holding only the stored results redraws the same bytes.
    let c = temp_dir("charts-rebuilt");
    for f in [
        "summary.json",
        "timeline.csv",
        "topology.json",
        "manifest.json",
    ] {
        std::fs::copy(a.join(f), c.join(f)).unwrap();
    }
    std::fs::create_dir_all(c.join("charts")).unwrap();
    std::fs::write(c.join("charts").join("stale-chart.svg"), "<svg/>").unwrap();
    let out = regionsim(&["report", c.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Compare what `report` makes: the charts and report.html (run writes other files too).
    let made = |m: &BTreeMap<String, Vec<u8>>| -> BTreeMap<String, Vec<u8>> {
        m.iter()
            .filter(|(k, _)| k.starts_with("charts") || *k == "report.html")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    assert_eq!(
        made(&fa),
        made(&files(&c)),
        "rebuilt report differs (or a stale chart survived)"
    );
}

#[test]
fn no_charts_skips_charts_and_report_but_keeps_results() {
    let d = run_tiny("charts-none", &["--no-charts"]);
    assert!(!d.join("charts").exists());
    assert!(!d.join("report.html").exists());
    for f in [
        "summary.json",
        "timeline.csv",
        "topology.json",
        "manifest.json",
    ] {
        assert!(d.join(f).exists(), "{f}");
    }
    // The report can still be made later, SVG only when asked.
    let out = regionsim(&["report", d.to_str().unwrap(), "--no-png"]);
    assert!(out.status.success());
    assert!(d.join("charts/timeline.svg").exists());
    assert!(!d.join("charts/timeline.png").exists());
    assert!(d.join("report.html").exists());
}

#[test]
fn cost_charts_come_only_with_a_cost_block() {
    // Stored results with prices: the report makes the cost and Pareto charts from them.
    let d = temp_dir("charts-cost");
    for f in ["summary.json", "stats.json", "topology.json"] {
        std::fs::copy(
            Path::new("results/cost-of-a-second-region").join(f),
            d.join(f),
        )
        .unwrap();
    }
    let out = regionsim(&["report", d.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for c in ["cost", "cost-pareto"] {
        let svg = std::fs::read_to_string(d.join("charts").join(format!("{c}.svg")))
            .unwrap_or_else(|e| panic!("{c}.svg: {e}"));
        assert_eq!(check_xml(&svg), Ok("svg".into()), "{c}.svg");
        assert!(!svg.contains("NaN"), "{c}.svg");
        assert!(
            svg.contains("active-active-50"),
            "{c}.svg names the variants"
        );
        let png = std::fs::read(d.join("charts").join(format!("{c}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{c}.png signature");
    }
    let html = std::fs::read_to_string(d.join("report.html")).unwrap();
    assert!(html.contains("<figure id=\"cost\">"));
    assert!(html.contains("<figure id=\"cost-pareto\">"));
    // The cost table `run` prints is on the page too, with the same monthly total.
    assert!(html.contains("<h2 id=\"cost\">Cost</h2>") && html.contains("href=\"#cost\""));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("summary.json")).unwrap()).unwrap();
    let total = s["variants"][0]["cost"]["total_month_usd"]
        .as_f64()
        .unwrap();
    assert!(
        html.contains(&format!("<b>{total:.2}</b>")),
        "total {total:.2} not in the cost table"
    );

    // The same summary without its cost blocks (an older regionsim): no cost charts.
    let mut s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("summary.json")).unwrap()).unwrap();
    for v in s["variants"].as_array_mut().unwrap() {
        v.as_object_mut().unwrap().remove("cost");
    }
    std::fs::write(d.join("summary.json"), s.to_string()).unwrap();
    let out = regionsim(&["report", d.to_str().unwrap(), "--no-png"]);
    assert!(out.status.success());
    // The PNGs of the first report go, and the user is told.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("PNG(s) of") && err.contains("--no-png draws SVG only"),
        "{err}"
    );
    assert!(!d.join("charts/cost.svg").exists());
    assert!(!d.join("charts/cost-pareto.svg").exists());
    assert!(d.join("charts/timeline.svg").exists());
    let html = std::fs::read_to_string(d.join("report.html")).unwrap();
    assert!(
        !html.contains("id=\"cost\""),
        "a cost section without costs"
    );
}

#[test]
fn empty_data_gives_labelled_empty_panels() {
    // A variant whose only population had no successful request, no timeline, no topology.
    let d = temp_dir("charts-empty");
    let summary = serde_json::json!({
        "experiment": "empty",
        "question": "What if nothing succeeds?",
        "seed": 1,
        "variants": [
            {
                "variant": "down",
                "design": "active-passive",
                "serving_regions": ["eastus"],
                "seed": 5,
                "overall": {"name": "all", "issued": 10, "ok": 0, "failed": 10, "availability": 0.0,
                            "all": {"count": 0, "p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}},
                "populations": [
                    {"name": "nowhere", "issued": 10, "ok": 0, "failed": 10, "availability": 0.0,
                     "all": {"count": 0, "p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0},
                     "served_by": []}
                ]
            }
        ]
    });
    std::fs::write(d.join("summary.json"), summary.to_string()).unwrap();
    let out = regionsim(&["report", d.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Drawn anyway, but the user is told what is missing.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("has no timeline.csv: the timeline charts have nothing to plot"),
        "{err}"
    );
    assert!(err.contains("has no topology.json"), "{err}");
    let svg = |n: &str| std::fs::read_to_string(d.join("charts").join(format!("{n}.svg"))).unwrap();
    for (chart, label) in [
        (
            "latency-cdf-all",
            "no successful requests: no latency to plot",
        ),
        ("latency-cdf-nowhere", "down (no successful requests)"),
        (
            "latency-percentiles",
            "no successful requests: no latency to plot",
        ),
        ("timeline", "no windows with requests: nothing to plot"),
        (
            "data-safety",
            "no conflicts and no lost writes: every acknowledged write survived",
        ),
        ("rtt-heatmap", "no round-trip times to plot"),
        ("map-down", "no places with coordinates: nothing to map"),
    ] {
        let s = svg(chart);
        assert!(s.contains(label), "{chart} lacks {label:?}");
        assert_eq!(check_xml(&s), Ok("svg".into()), "{chart}");
        assert!(!s.contains("NaN"), "{chart}");
    }
    let html = std::fs::read_to_string(d.join("report.html")).unwrap();
    assert!(html.contains("No manifest.json"));
}

#[test]
fn report_of_a_directory_without_results_is_an_input_error() {
    let d = temp_dir("charts-nothing");
    let out = regionsim(&["report", d.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("summary.json"), "{err}");
    std::fs::write(d.join("summary.json"), "{not json").unwrap();
    let out = regionsim(&["report", d.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not valid"));
    // An experiment file where its results were meant: said so, with the likely directory.
    let out = regionsim(&["report", "experiments/dns-ttl-failover.ron"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("is a file, not a results directory")
            && err.contains("did you mean results/dns-ttl-failover?"),
        "{err}"
    );
}

#[test]
fn json_format_prints_the_summary_file() {
    let d = temp_dir("charts-json");
    let out = regionsim(&[
        "run",
        TINY,
        "--format",
        "json",
        "--no-charts",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert_eq!(out.stdout, std::fs::read(d.join("summary.json")).unwrap());
}

/// A declared sweep in which one point never recovers from its outage (a TTL longer than the
/// rest of the run) still draws the RTO panel for the points that did, with a gap where the
/// other has no value, and says so on the axis. The whole panel used to be dropped.
#[test]
fn the_sweep_chart_keeps_the_rto_panel_when_some_point_never_recovers() {
    let d = temp_dir("sweep-unrecovered");
    let topo = super::root().join("topologies/azure-15.ron");
    let exp = d.join("unrec.ron");
    std::fs::write(
        &exp,
        format!(
            r#"Experiment(name: "unrec", topology: "{}", duration_s: 400, warmup_s: 0, window_s: 10,
            dns: (policy: Latency, ttl_s: 60),
            health: (interval_s: 10, failure_threshold: 3, checkers: ["westus2", "northeurope"]),
            faults: [RegionOutage(region: "eastus", at_s: 60, for_s: 340)],
            design: ActiveActive(regions: ["eastus", "westus2"]),
            populations: {{"new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 20,
                                        users: 2000, resolvers: 100)}},
            sweep: Grid({{"dns.ttl_s": [5, 60, 2000]}}),
            )"#,
            topo.display()
        ),
    )
    .unwrap();
    let out = d.join("out");
    let o = regionsim(&[
        "run",
        exp.to_str().unwrap(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stats = std::fs::read_to_string(out.join("stats.csv")).unwrap();
    let rto: Vec<&str> = stats
        .lines()
        .filter(|l| l.contains(",max_rto_s,"))
        .collect();
    assert_eq!(rto.len(), 3, "{rto:?}");
    assert!(
        rto.iter()
            .any(|l| l.contains("ttl_s=2000") && l.ends_with(",max_rto_s,0,,,,,")),
        "the 2000 s point has no RTO: {rto:?}"
    );
    let sweep = std::fs::read_to_string(out.join("charts/sweep.svg")).unwrap();
    assert!(sweep.contains("RTO (s; gap = never recovered)"), "{sweep}");
}

/// A fault window only some variants have is labelled with their names in the timeline's
/// legend: the shading is drawn behind every line, so unlabelled it read as every variant's.
/// A window all variants share keeps its plain label.
#[test]
fn the_timeline_names_the_variants_a_fault_window_belongs_to() {
    let d = temp_dir("timeline-fault-owners");
    let exp = d.join("owners.ron");
    std::fs::write(
        &exp,
        format!(
            r#"Experiment(
    name: "owners", topology: "{}/topologies/azure-15.ron", seed: 3, duration_s: 40, warmup_s: 2, window_s: 2,
    design: ActiveActive(regions: ["eastus", "westus2"]),
    faults: [LatencySpike(a: "eastus", b: "westus2", at_s: 5, for_s: 5, extra_ms: 50)],
    populations: {{"new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 50)}},
    variants: [
        (name: "spike-only", overrides: {{}}),
        (name: "outage", overrides: {{"faults": [LatencySpike(a: "eastus", b: "westus2", at_s: 5, for_s: 5, extra_ms: 50), RegionOutage(region: "eastus", at_s: 20, for_s: 10)]}}),
    ],
)"#,
            super::root().display()
        ),
    )
    .unwrap();
    let out = d.join("out");
    let o = regionsim(&[
        "run",
        exp.to_str().unwrap(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let svg = std::fs::read_to_string(out.join("charts/timeline.svg")).unwrap();
    assert!(
        svg.contains("RegionOutage(eastus) [outage] (20–30 s)"),
        "{svg}"
    );
    assert!(
        svg.contains("(eastus &lt;-&gt; westus2, +50 ms) (5–10 s)")
            || svg.contains("(eastus <-> westus2, +50 ms) (5–10 s)"),
        "{svg}"
    );
    assert!(
        !svg.contains("+50 ms) ["),
        "a window every variant has is not labelled"
    );
}

/// Past sixteen variants the palette would repeat (failover-sweep has twenty: fast-checks at a
/// 120 s TTL drew in the same blue as standard-checks at 5 s). A declared sweep's variants
/// are shaded instead: a hue per line of the sweep chart, darker for a larger swept value, so
/// every variant keeps a colour of its own and the charts show the sweep's structure.
#[test]
fn a_sweep_of_more_variants_than_colours_is_shaded_by_line_and_value() {
    use regionsim::report::{ReportData, variant_colours};
    let dir = super::root().join("results/failover-sweep");
    let d = ReportData::load(&dir).unwrap();
    let names: Vec<String> = d
        .summary
        .variants
        .iter()
        .map(|v| v.variant.clone())
        .collect();
    assert_eq!(names.len(), 20, "{names:?}");
    let colours = variant_colours(&d);
    let hex = |c: &plotters::style::RGBColor| format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
    let distinct: std::collections::BTreeSet<String> = colours.iter().map(hex).collect();
    assert_eq!(distinct.len(), 20, "{distinct:?}");
    // Each line (a variant at one failure threshold) gets darker as the TTL grows, and no two
    // lines share a colour.
    let ttl = |n: &str| -> u32 {
        let t = n.split("ttl_s=").nth(1).unwrap();
        t.split(';').next().unwrap().parse().unwrap()
    };
    let line = |n: &str| n.replace(&format!("ttl_s={};", ttl(n)), "");
    let lines: std::collections::BTreeSet<String> = names.iter().map(|n| line(n)).collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    for l in &lines {
        let mut members: Vec<(u32, u32)> = names
            .iter()
            .zip(&colours)
            .filter(|(n, _)| line(n) == *l)
            .map(|(n, c)| (ttl(n), u32::from(c.0) + u32::from(c.1) + u32::from(c.2)))
            .collect();
        members.sort();
        assert_eq!(members.len(), 5, "{l}: {members:?}");
        assert!(
            members.windows(2).all(|w| w[0].1 > w[1].1),
            "{l}: not darker with a longer TTL: {members:?}"
        );
    }
    // The charts draw those colours: every variant's line is in the CDF.
    let cdf = std::fs::read_to_string(dir.join("charts/latency-cdf-all.svg")).unwrap();
    for c in &distinct {
        assert!(cdf.contains(&format!("stroke=\"{c}\"")), "{c} not drawn");
    }
}

/// A sweep of more variants than the first palette's eight is shaded even when its values
/// are more than six (gray-failure: two lines of nine error shares, eighteen variants, which
/// used to take the repeating palette), and each of its lines gets a timeline of its own: one
/// timeline of eighteen or twelve lines cannot be read.
#[test]
fn a_crowded_sweep_gets_a_timeline_per_line_in_shades_of_its_hue() {
    use regionsim::report::{AnyChart, ReportData, charts, variant_colours};
    for (experiment, lines, values) in [
        ("gray-failure", ["shallow-checks", "deep-checks", ""], 9),
        (
            "slow-region",
            ["shallow-checks", "deep-checks", "deep-slow-return"],
            4,
        ),
    ] {
        let lines: Vec<&str> = lines.into_iter().filter(|l| !l.is_empty()).collect();
        let dir = super::root().join("results").join(experiment);
        let d = ReportData::load(&dir).unwrap();
        let colours = variant_colours(&d);
        let sum = |c: &plotters::style::RGBColor| u32::from(c.0) + u32::from(c.1) + u32::from(c.2);
        let distinct: std::collections::BTreeSet<(u8, u8, u8)> =
            colours.iter().map(|c| (c.0, c.1, c.2)).collect();
        assert_eq!(
            distinct.len(),
            lines.len() * values,
            "{experiment}: {colours:?}"
        );
        let specs = charts(&d);
        for line in &lines {
            let stem = format!("timeline-{line}");
            let spec = specs
                .iter()
                .find(|s| s.stem == stem)
                .unwrap_or_else(|| panic!("{experiment}: no {stem}"));
            let AnyChart::Timeline(t) = &spec.chart else {
                panic!("{stem} is not a timeline")
            };
            // The line's variants, by increasing value, each in its colour in every chart.
            assert_eq!(t.series.len(), values, "{experiment} {line}");
            let value = |label: &str| -> f64 { label.rsplit('=').next().unwrap().parse().unwrap() };
            for s in &t.series {
                assert!(s.label.starts_with(&format!("{line} @ ")), "{}", s.label);
                let i = d
                    .summary
                    .variants
                    .iter()
                    .position(|v| v.variant == s.label)
                    .unwrap();
                assert_eq!(s.colour, colours[i], "{}", s.label);
            }
            assert!(
                t.series
                    .windows(2)
                    .all(|w| value(&w[0].label) < value(&w[1].label)
                        && sum(&w[0].colour) > sum(&w[1].colour)),
                "{experiment} {line}: not lighter to darker by value"
            );
            // The committed chart draws them.
            let svg = std::fs::read_to_string(dir.join(format!("charts/{stem}.svg"))).unwrap();
            for s in &t.series {
                let hex = format!("#{:02X}{:02X}{:02X}", s.colour.0, s.colour.1, s.colour.2);
                assert!(svg.contains(&format!("stroke=\"{hex}\"")), "{stem}: {hex}");
            }
        }
        // Only the sweep's lines get one.
        let per_line = specs
            .iter()
            .filter(|s| s.stem.starts_with("timeline-"))
            .count();
        assert_eq!(per_line, lines.len(), "{experiment}");
    }
}

/// Each line's timeline shades that line's faults only, labelled against its own variants: a
/// line whose error rate starts at 300 s must not show the other line's window at 600 s
/// (found in review: every per-line chart shaded every line's windows, "[5 of 10 variants]").
#[test]
fn a_lines_timeline_shades_only_its_own_faults() {
    use regionsim::report::{AnyChart, ReportData, charts};
    let f = super::write_experiment(
        "two-windows",
        r#"seed: 3, duration_s: 900, warmup_s: 60, window_s: 10,
        dns: (policy: Latency, ttl_s: 60),
        faults: [ErrorRate(region: "eastus", fraction: 0.3, at_s: 300, for_s: 100)],
        design: ActiveActive(regions: ["eastus", "westus2"]),
        populations: {
            "new-york": (lat: 40.71, lon: -74.01, anchor: "eastus", rate_per_s: 5),
        },
        variants: [(name: "early", overrides: {}), (name: "late", overrides: {"faults.0.at_s": 600})],
        sweep: Grid({"faults.0.fraction": [0.2, 0.4, 0.6, 0.8, 1.0]}),"#,
    );
    let dir = run_fixture(f.to_str().unwrap(), "two-windows-out", &["--no-charts"]);
    let d = ReportData::load(&dir).unwrap();
    let specs = charts(&d);
    let shades = |stem: &str| -> Vec<(f64, String)> {
        let spec = specs.iter().find(|s| s.stem == stem).unwrap();
        let AnyChart::Timeline(t) = &spec.chart else {
            panic!("{stem}")
        };
        t.shades
            .iter()
            .map(|s| (s.start_s, s.label.clone()))
            .collect()
    };
    let all = shades("timeline");
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(
        all.iter().all(|(_, l)| l.ends_with("[5 of 10 variants]")),
        "{all:?}"
    );
    for (line, at) in [("early", 300.0), ("late", 600.0)] {
        let own = shades(&format!("timeline-{line}"));
        assert_eq!(own.len(), 1, "{line}: {own:?}");
        assert_eq!(own[0].0, at, "{line}: {own:?}");
        assert!(!own[0].1.contains('['), "{line}: {own:?}");
    }
}
