//! Turns `Raw*` config into the validated model, collecting every semantic problem at once.

use super::raw::*;
use super::tree::{
    PathError, Strict, canonical_path, drop_struct_names, get_path, parse_ron_literal, set_path,
    set_path_with,
};
use super::units::show;
use super::{ConfigError, Diagnostic, Severity, Source, did_you_mean, locate};
use crate::distribution::{Dist, DistSpec, LengthBiased, MAX_DRAW_MS, MAX_DRAW_WHY};
use crate::engine::{SimTime, ms_to_ns, s_to_ns};
use crate::geo::{HALF_CIRCUMFERENCE_KM, estimated_rtt_ms, great_circle_km};
use crate::model::*;
use indexmap::IndexMap;
use std::collections::{BTreeMap, BTreeSet};

mod cost;
pub(super) use cost::standalone as prices_standalone;

/// Largest number of requests one run may ask for (rate × duration, all populations).
pub const MAX_REQUESTS_PER_RUN: f64 = 2e9;

/// The longest run, in seconds: every simulated time stays below 2^63 ns (about 292 years),
/// so the simulator may convert times through `i64`.
pub const MAX_DURATION_S: f64 = 9.2e9;

/// A validated topology: regions and the region-to-region RTT table.
#[derive(Debug, Clone)]
pub struct TopologyModel {
    pub name: String,
    pub description: String,
    pub source: String,
    pub regions: Vec<Region>,
    /// `[from * n + to]`, ns.
    pub region_rtt: Vec<SimTime>,
    pub estimated: Vec<bool>,
    pub inflation: f64,
    pub base_ms: f64,
    pub jitter: Dist,
}

impl TopologyModel {
    /// RTT from `a` to `b` in ms (for display).
    pub fn rtt_ms(&self, a: usize, b: usize) -> f64 {
        self.region_rtt[a * self.regions.len() + b] as f64 / 1e6
    }
}

/// Collects diagnostics against one source file.
struct Ctx<'a> {
    src: &'a Source,
    diags: &'a mut Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn err(&mut self, path: &[&str], msg: impl Into<String>) {
        let d = self.src.diag(Severity::Error, path, msg.into(), None);
        self.diags.push(d);
    }
    fn err_help(&mut self, path: &[&str], msg: impl Into<String>, help: Option<String>) {
        let d = self.src.diag(Severity::Error, path, msg.into(), help);
        self.diags.push(d);
    }
    fn warn(&mut self, path: &[&str], msg: impl Into<String>, help: Option<String>) {
        let d = self.src.diag(Severity::Warning, path, msg.into(), help);
        self.diags.push(d);
    }
    fn finite(&mut self, path: &[&str], what: &str, v: f64, min: f64, strict: bool) -> bool {
        let ok = v.is_finite() && if strict { v > min } else { v >= min };
        if !ok {
            let rel = if strict { "above" } else { "at least" };
            self.err(
                path,
                format!(
                    "{what} must be a finite number {rel} {min}, found {}",
                    show(v)
                ),
            );
        }
        ok
    }
    /// A delay that is added to others on a message's way (an RTT, a last mile, a spike's
    /// extra): like [`Ctx::finite`], and at most [`MAX_DRAW_MS`], so that sums of them stay far
    /// inside simulated time. Timers and TTLs are not delays: longer than the run means never.
    fn delay_ms(&mut self, path: &[&str], what: &str, v: f64, strict: bool) -> bool {
        if !self.finite(path, what, v, 0.0, strict) {
            return false;
        }
        let ok = v <= MAX_DRAW_MS;
        if !ok {
            self.err(
                path,
                format!(
                    "{what} must be at most {MAX_DRAW_MS:.2e} ms ({MAX_DRAW_WHY}), found {}",
                    show(v)
                ),
            );
        }
        ok
    }
    fn prob(&mut self, path: &[&str], what: &str, v: f64) -> bool {
        let ok = (0.0..=1.0).contains(&v);
        if !ok {
            self.err(
                path,
                format!("{what} is a probability and must be between 0 and 1, found {v}"),
            );
        }
        ok
    }
    /// Checks a distribution and builds its sampler (loading an `EmpiricalCsv` relative to the file).
    fn dist(
        &mut self,
        path: &[&str],
        spec: &DistSpec,
        inputs: &mut Vec<(String, String)>,
    ) -> Option<Dist> {
        let problems = spec.problems();
        for (field, msg) in &problems {
            let mut p = path.to_vec();
            p.push(field);
            self.err(&p, format!("`{}`: {msg}", path.join(".")));
        }
        if !problems.is_empty() {
            return None;
        }
        let csv = if let DistSpec::EmpiricalCsv { path: file } = spec {
            let full = self.src.dir().join(file);
            match read_values_csv(&full) {
                Ok((vals, digest)) => {
                    record_input(inputs, full.display().to_string(), digest);
                    if vals.is_empty() {
                        self.err(path, format!("{} holds no values", full.display()));
                        return None;
                    }
                    Some(vals)
                }
                Err(problems) => {
                    // A file used in several places (read and write service) is reported once.
                    for e in problems {
                        if !self.diags.iter().any(|d| d.message == e) {
                            self.err(path, e);
                        }
                    }
                    return None;
                }
            }
        } else {
            None
        };
        match Dist::new(spec, csv.as_deref()) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(path, format!("`{}`: {e}", path.join(".")));
                None
            }
        }
    }
}

/// Why `name` cannot be written as it is into the result CSVs (a comma, a double quote or a
/// line break), if it cannot.
fn csv_unsafe(what: &str, name: &str) -> Option<String> {
    let c = name
        .chars()
        .find(|c| matches!(c, ',' | '"' | '\n' | '\r'))?;
    let shown = match c {
        '\n' => "line break".to_owned(),
        '\r' => "carriage return".to_owned(),
        c => format!("`{c}`"),
    };
    Some(format!(
        "{what} `{name}` holds a {shown}: names are written as they are into the result CSVs"
    ))
}

fn record_input(inputs: &mut Vec<(String, String)>, path: String, digest: String) {
    if !inputs.iter().any(|(p, _)| *p == path) {
        inputs.push((path, digest));
    }
}

/// At most this many problems are listed for one CSV file; the rest are counted.
const MAX_CSV_PROBLEMS: usize = 20;

/// The problems found in one CSV input, each as `file:line:column: message`.
struct CsvProblems {
    path: String,
    list: Vec<String>,
    more: usize,
}

impl CsvProblems {
    fn new(path: &std::path::Path) -> Self {
        CsvProblems {
            path: path.display().to_string(),
            list: vec![],
            more: 0,
        }
    }
    /// A problem in the cell that starts at byte `col` (0-based) of line `line` (0-based).
    fn at(&mut self, line: usize, col: usize, msg: String) {
        if self.list.len() < MAX_CSV_PROBLEMS {
            self.list
                .push(format!("{}:{}:{}: {msg}", self.path, line + 1, col + 1));
        } else {
            self.more += 1;
        }
    }
    /// All problems, the count of unlisted ones added to the last; `Ok` when there are none.
    fn finish<T>(mut self, value: T) -> Result<T, Vec<String>> {
        let more = self.more;
        match self.list.last_mut() {
            None => Ok(value),
            Some(last) => {
                if more > 0 {
                    last.push_str(&format!(
                        " (and {more} more problems in this file, not listed)"
                    ));
                }
                Err(self.list)
            }
        }
    }
}

/// The cells of a CSV line, each with its byte offset in the line and trimmed.
fn csv_cells(line: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    line.split(',').map(move |cell| {
        let at = start + (cell.len() - cell.trim_start().len());
        start += cell.len() + 1;
        (at, cell.trim())
    })
}

/// Why `v`, read from a CSV as milliseconds of delay, cannot be one, if it cannot.
fn bad_delay_ms(v: f64) -> Option<String> {
    if !v.is_finite() || v < 0.0 {
        Some(format!(
            "expected a finite, non-negative number of ms, found {}",
            show(v)
        ))
    } else if v > MAX_DRAW_MS {
        Some(format!(
            "expected at most {MAX_DRAW_MS:.2e} ms ({MAX_DRAW_WHY}), found {}",
            show(v)
        ))
    } else {
        None
    }
}

/// A one-column CSV of milliseconds (a non-numeric first line is a header). Every bad value is
/// reported (up to [`MAX_CSV_PROBLEMS`]), not only the first.
fn read_values_csv(path: &std::path::Path) -> Result<(Vec<f64>, String), Vec<String>> {
    let text = super::read_capped_string(path)
        .map_err(|e| vec![format!("cannot read {}: {e}", path.display())])?;
    let digest = super::digest_hex(text.as_bytes());
    let mut problems = CsvProblems::new(path);
    let mut vals = vec![];
    for (i, line) in text.lines().enumerate() {
        let Some((col, cell)) = csv_cells(line).next() else {
            continue;
        };
        if cell.is_empty() {
            continue;
        }
        match cell.parse::<f64>() {
            Ok(v) => match bad_delay_ms(v) {
                None => vals.push(v),
                Some(msg) => problems.at(i, col, msg),
            },
            Err(_) if i == 0 => {}
            Err(_) => problems.at(i, col, format!("expected a number of ms, found `{cell}`")),
        }
    }
    problems.finish((vals, digest))
}

/// A directed RTT matrix: `(from, to) -> ms`.
type Matrix = IndexMap<(String, String), f64>;

/// A CSV RTT matrix: a header of region names, then one row per region. Every bad cell is
/// reported (up to [`MAX_CSV_PROBLEMS`]), not only the first.
fn read_matrix_csv(path: &std::path::Path) -> Result<(Matrix, String), Vec<String>> {
    let text = super::read_capped_string(path)
        .map_err(|e| vec![format!("cannot read RTT matrix {}: {e}", path.display())])?;
    let digest = super::digest_hex(text.as_bytes());
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or_else(|| vec![format!("{}: the RTT matrix is empty", path.display())])?;
    let cols: Vec<String> = header
        .split(',')
        .skip(1)
        .map(|s| s.trim().to_owned())
        .collect();
    let mut problems = CsvProblems::new(path);
    let mut m = Matrix::new();
    for (i, line) in lines {
        let mut cells = csv_cells(line);
        let from = cells.next().map(|(_, c)| c).unwrap_or("").to_owned();
        for (j, (col, cell)) in cells.enumerate() {
            if cell.is_empty() {
                continue;
            }
            let Some(to) = cols.get(j) else {
                problems.at(
                    i,
                    col,
                    format!("row `{from}` has more cells than the header has columns"),
                );
                break;
            };
            match cell.parse::<f64>() {
                Err(_) => problems.at(
                    i,
                    col,
                    format!("RTT `{from}` → `{to}`: expected a number of ms, found `{cell}`"),
                ),
                Ok(v) => match bad_delay_ms(v) {
                    Some(msg) => problems.at(i, col, format!("RTT `{from}` → `{to}`: {msg}")),
                    None => {
                        m.insert((from.clone(), to.clone()), v);
                    }
                },
            }
        }
    }
    if m.is_empty() && problems.list.is_empty() {
        problems.list.push(format!(
            "{}: the RTT matrix is empty (no numeric entries)",
            path.display()
        ));
    }
    problems.finish((m, digest))
}

/// At most this many regions in one topology (the clouds together have a few hundred).
const MAX_TOPOLOGY_REGIONS: usize = 1000;

/// Validates a topology.
pub(super) fn topology(
    raw: &RawTopology,
    src: &Source,
    diags: &mut Vec<Diagnostic>,
    inputs: &mut Vec<(String, String)>,
) -> Option<TopologyModel> {
    let (topo, ok) = topology_best_effort(raw, src, diags, inputs);
    topo.filter(|_| ok)
}

/// The continents a region's `continent` may name: egress between two regions naming the same
/// one is priced at `same_continent_gb` (SPEC §3 Cost), as Azure prices it; the names of
/// `../shared/data/azure_regions.csv`, plus Antarctica and the Middle East.
const CONTINENTS: &[&str] = &[
    "Africa",
    "Antarctica",
    "Asia",
    "Europe",
    "Middle East",
    "North America",
    "Oceania",
    "South America",
];

/// Validates a topology and builds its model even when it has errors (then `false`), with a
/// stand-in for each invalid part (a service time or jitter of 0, an inflation of 1, an empty
/// matrix), so that an experiment on it can still be checked: its misspelt region names and
/// out-of-range values are reported together with the topology's errors, not after they are
/// fixed. A model with errors is never run. No model when there are too many regions to build
/// one.
fn topology_best_effort(
    raw: &RawTopology,
    src: &Source,
    diags: &mut Vec<Diagnostic>,
    inputs: &mut Vec<(String, String)>,
) -> (Option<TopologyModel>, bool) {
    let mut cx = Ctx { src, diags };
    let start = cx
        .diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if raw.name.trim().is_empty() {
        cx.err(&["name"], "the topology needs a name");
    }
    if raw.regions.is_empty() {
        cx.err(
            &["regions"],
            "a topology needs at least one region, found none",
        );
    }
    if raw.regions.len() > MAX_TOPOLOGY_REGIONS {
        cx.err(
            &["regions"],
            format!(
                "the topology has {} regions; at most {MAX_TOPOLOGY_REGIONS} are supported (its RTT matrix grows with the square)",
                raw.regions.len()
            ),
        );
    }
    let d = &raw.defaults;
    let def_read = cx.dist(&["defaults", "read_service"], &d.read_service, inputs);
    let def_write = cx.dist(&["defaults", "write_service"], &d.write_service, inputs);
    if d.servers == 0 {
        cx.err(
            &["defaults", "servers"],
            "a server pool needs at least 1 server, found 0",
        );
    }
    let mut regions = vec![];
    for (name, r) in &raw.regions {
        let p = |f: &'static str| ["regions", name.as_str(), f];
        if name.trim().is_empty() {
            cx.err(&["regions"], "a region name is empty");
        }
        if let Some(m) = csv_unsafe("region name", name) {
            cx.err(&["regions", name.as_str()], m);
        }
        if let Some(m) = csv_unsafe("jurisdiction", &r.jurisdiction) {
            cx.err(&p("jurisdiction"), m);
        }
        if !(-90.0..=90.0).contains(&r.lat) {
            cx.err(
                &p("lat"),
                format!("latitude of `{name}` must be in [-90, 90], found {}", r.lat),
            );
        }
        if !(-180.0..=180.0).contains(&r.lon) {
            cx.err(
                &p("lon"),
                format!(
                    "longitude of `{name}` must be in [-180, 180], found {}",
                    r.lon
                ),
            );
        }
        let servers = r.servers.unwrap_or(d.servers);
        if r.servers == Some(0) {
            cx.err(
                &p("servers"),
                format!("region `{name}` has 0 servers; a region needs at least 1"),
            );
        }
        let read = match &r.read_service {
            Some(s) => cx.dist(&p("read_service"), s, inputs),
            None => def_read.clone(),
        };
        let read_typical_ns = read.as_ref().map_or(0.0, |dist| {
            crate::distribution::typical_ns(
                r.read_service.as_ref().unwrap_or(&d.read_service),
                dist,
            )
        });
        let write = match &r.write_service {
            Some(s) => cx.dist(&p("write_service"), s, inputs),
            None => def_write.clone(),
        };
        // Once per name, at its first region: a scheme of one's own (`APAC`) is one mistake.
        // (Only an unknown name is looked up among the other regions.)
        let unknown = !r.continent.is_empty() && !CONTINENTS.contains(&r.continent.as_str());
        let first = || {
            raw.regions
                .iter()
                .find(|(_, o)| o.continent == r.continent)
                .is_some_and(|(n, _)| n == name)
        };
        if unknown && first() {
            let others = raw
                .regions
                .values()
                .filter(|o| o.continent == r.continent)
                .count()
                - 1;
            let also = match others {
                0 => String::new(),
                1 => " (and of 1 other region)".to_owned(),
                n => format!(" (and of {n} other regions)"),
            };
            let help = match did_you_mean(&r.continent, CONTINENTS.iter().copied()) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!(
                    "the continents are {}",
                    CONTINENTS
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            cx.warn(
                &p("continent"),
                format!(
                    "continent `{}` of region `{name}`{also} is not a continent: with prices, egress is priced at `same_continent_gb` only between regions naming the same continent, so links to the regions that name a real one are priced as inter-continent",
                    r.continent
                ),
                Some(help),
            );
        }
        let stand_in = Dist::Constant(0);
        regions.push(Region {
            name: name.clone(),
            lat: r.lat,
            lon: r.lon,
            continent: r.continent.clone(),
            jurisdiction: r.jurisdiction.clone(),
            servers: servers.max(1),
            read_service: read.unwrap_or_else(|| stand_in.clone()),
            read_typical_ns,
            write_service: write.unwrap_or(stand_in),
            queue_limit: r.queue_limit.unwrap_or(d.queue_limit),
        });
    }
    let net = &raw.network;
    let infl_ok = cx.finite(
        &["network", "estimate", "inflation"],
        "network.estimate.inflation",
        net.estimate.inflation,
        0.0,
        true,
    );
    // The largest inflation that keeps an estimated RTT (half the Earth's circumference at
    // most) within the longest delay a run holds.
    let max_inflation = MAX_DRAW_MS / estimated_rtt_ms(HALF_CIRCUMFERENCE_KM, 1.0, 0.0);
    let infl_ok = if infl_ok && net.estimate.inflation > max_inflation {
        cx.err(
            &["network", "estimate", "inflation"],
            format!(
                "network.estimate.inflation must be at most {max_inflation:.2e}, so that the distance part of an estimated RTT stays within {MAX_DRAW_MS:.2e} ms ({MAX_DRAW_WHY}), found {}",
                show(net.estimate.inflation)
            ),
        );
        false
    } else {
        infl_ok
    };
    let base_ok = cx.delay_ms(
        &["network", "estimate", "base_ms"],
        "network.estimate.base_ms",
        net.estimate.base_ms,
        false,
    );
    let intra_ok = cx.delay_ms(
        &["network", "intra_region_rtt_ms"],
        "network.intra_region_rtt_ms",
        net.intra_region_rtt_ms,
        false,
    );
    let jitter = cx.dist(&["network", "jitter"], &net.jitter, inputs);
    let matrix: Option<Matrix> = match &net.rtt {
        RawRttSource::CsvMatrix { path } => {
            let full = src.dir().join(path);
            match read_matrix_csv(&full) {
                Ok((m, digest)) => {
                    record_input(inputs, full.display().to_string(), digest);
                    Some(m)
                }
                Err(problems) => {
                    for e in problems {
                        cx.err(&["network", "rtt"], e);
                    }
                    None
                }
            }
        }
        RawRttSource::Matrix { rows } => {
            let mut m = Matrix::new();
            for (from, row) in rows {
                for (to, v) in row {
                    if cx.delay_ms(
                        &["network", "rtt", from, to],
                        &format!("RTT {from} → {to}"),
                        *v,
                        false,
                    ) {
                        m.insert((from.clone(), to.clone()), *v);
                    }
                }
            }
            // Entries refused above were reported; an empty matrix is one with no entries.
            if rows.values().all(|row| row.is_empty()) {
                cx.err(
                    &["network", "rtt"],
                    "the RTT matrix is empty; give at least one pair or use `GreatCircle`",
                );
            }
            // A name the matrix gives that is no region of the topology (a misspelling).
            let mut unknown = BTreeSet::new();
            for (from, row) in rows {
                if !raw.regions.contains_key(from) && unknown.insert(from.as_str()) {
                    unknown_matrix_region(&mut cx, raw, &["network", "rtt", from], from);
                }
                for to in row.keys() {
                    if !raw.regions.contains_key(to) && unknown.insert(to.as_str()) {
                        unknown_matrix_region(&mut cx, raw, &["network", "rtt", from, to], to);
                    }
                }
            }
            Some(m)
        }
        RawRttSource::GreatCircle => Some(Matrix::new()),
    };
    // Regions the matrix does not know are estimated: say so, with a did-you-mean.
    if let (Some(m), RawRttSource::CsvMatrix { .. } | RawRttSource::Matrix { .. }) =
        (&matrix, &net.rtt)
    {
        // An inline matrix knows every name it gives, entries refused above included.
        let known: BTreeSet<&str> = match &net.rtt {
            RawRttSource::Matrix { rows } => rows
                .iter()
                .flat_map(|(from, row)| std::iter::once(from).chain(row.keys()))
                .map(String::as_str)
                .collect(),
            _ => m
                .keys()
                .flat_map(|(a, b)| [a.as_str(), b.as_str()])
                .collect(),
        };
        let none_known = raw.regions.len() > 1
            && !known.is_empty()
            && raw.regions.keys().all(|n| !known.contains(n.as_str()));
        if none_known {
            // Another cloud's matrix, most likely: every RTT would be a distance estimate.
            let some: Vec<String> = known.iter().take(3).map(|n| format!("`{n}`")).collect();
            cx.err_help(
                &["network", "rtt"],
                format!(
                    "none of the topology's {} regions is in the RTT matrix: every RTT would be estimated from distance",
                    raw.regions.len()
                ),
                Some(format!(
                    "the matrix names regions such as {}: is it the matrix of this cloud? To estimate every RTT on purpose, write `rtt: GreatCircle`",
                    some.join(", ")
                )),
            );
        }
        for name in raw.regions.keys() {
            if !none_known && !known.contains(name.as_str()) && raw.regions.len() > 1 {
                let help = did_you_mean(name, known.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"));
                cx.warn(&["regions", name], format!("region `{name}` is not in the RTT matrix; its RTTs are estimated from great-circle distance"), help);
            }
        }
    }
    let errors = cx
        .diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let ok = errors == start && infl_ok && base_ok && matrix.is_some() && jitter.is_some();
    let inflation = if infl_ok { net.estimate.inflation } else { 1.0 };
    let base_ms = if base_ok { net.estimate.base_ms } else { 0.0 };
    let intra_ms = if intra_ok {
        net.intra_region_rtt_ms
    } else {
        0.0
    };
    if raw.regions.len() > MAX_TOPOLOGY_REGIONS {
        return (None, false);
    }
    let m = matrix.unwrap_or_default();
    let n = regions.len();
    let mut rtt = vec![0; n * n];
    let mut estimated = vec![false; n * n];
    for (i, a) in regions.iter().enumerate() {
        for (j, b) in regions.iter().enumerate() {
            let ms = if i == j {
                // The AWS matrix gives an intra-region RTT on its diagonal; Azure's is empty.
                m.get(&(a.name.clone(), a.name.clone()))
                    .copied()
                    .unwrap_or(intra_ms)
            } else if let Some(v) = m
                .get(&(a.name.clone(), b.name.clone()))
                .or_else(|| m.get(&(b.name.clone(), a.name.clone())))
            {
                *v
            } else {
                estimated[i * n + j] = true;
                estimated_rtt_ms(
                    great_circle_km(a.lat, a.lon, b.lat, b.lon),
                    inflation,
                    base_ms,
                )
            };
            rtt[i * n + j] = ms_to_ns(ms);
        }
    }
    let topo = TopologyModel {
        name: raw.name.clone(),
        description: raw.description.clone(),
        source: raw.source.clone(),
        regions,
        region_rtt: rtt,
        estimated,
        inflation,
        base_ms,
        jitter: jitter.unwrap_or(Dist::Constant(0)),
    };
    (Some(topo), ok)
}

fn resolve_region(
    cx: &mut Ctx,
    topo: &TopologyModel,
    path: &[&str],
    name: &str,
) -> Option<RegionId> {
    match topo.regions.iter().position(|r| r.name == name) {
        Some(i) => Some(i as RegionId),
        None => {
            let help = did_you_mean(name, topo.regions.iter().map(|r| r.name.as_str()))
                .map(|s| format!("did you mean `{s}`?"))
                .or_else(|| {
                    Some(format!(
                        "regions of topology `{}`: {}",
                        topo.name,
                        topo.regions
                            .iter()
                            .map(|r| r.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                });
            cx.err_help(path, format!("unknown region `{name}`"), help);
            None
        }
    }
}

/// Resolves a place name: a region of the topology or a population of the experiment.
fn resolve_place(
    cx: &mut Ctx,
    topo: &TopologyModel,
    pops: &IndexMap<String, RawPopulation>,
    path: &[&str],
    name: &str,
) -> Option<Place> {
    let region = topo.regions.iter().position(|r| r.name == name);
    if region.is_some() && pops.contains_key(name) {
        cx.err(
            path,
            format!(
                "`{name}` is both a region of topology `{}` and a population: a fault naming it could mean either; rename the population",
                topo.name
            ),
        );
        return None;
    }
    if let Some(i) = region {
        return Some(Place::Region(i as RegionId));
    }
    if let Some(i) = pops.get_index_of(name) {
        return Some(Place::Population(i as PopulationId));
    }
    let names = topo
        .regions
        .iter()
        .map(|r| r.name.as_str())
        .chain(pops.keys().map(|k| k.as_str()));
    let help = did_you_mean(name, names).map(|s| format!("did you mean `{s}`?"));
    cx.err_help(
        path,
        format!(
            "`{name}` is neither a region of topology `{}` nor a population",
            topo.name
        ),
        help,
    );
    None
}

/// A share as a percentage for a fault's label: `30` for 0.3, `0.5` for 0.005.
fn percent_label(fraction: f64) -> String {
    let p = fraction * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}")
    } else {
        format!("{}", (p * 100.0).round() / 100.0)
    }
}

/// The largest `Slowdown.factor`: a service a thousand times longer is a region that no
/// longer serves (a `RegionOutage` says that more cheaply).
const MAX_SLOWDOWN: f64 = 1000.0;

/// Checks a fault's `fraction` (fault `idx`, `#0`…), a share in (0, 1]; `what` says what
/// it is the share of.
fn fault_share(cx: &mut Ctx, idx: &str, what: &str, fraction: f64) {
    if !(fraction > 0.0 && fraction <= 1.0) {
        cx.err(
            &["faults", idx, "fraction"],
            format!("{what}, in (0, 1]; found {fraction}"),
        );
    }
}

/// Checks a fault's window and returns it in ns.
fn fault_window(cx: &mut Ctx, path: &[&str], at_s: f64, for_s: f64) -> (SimTime, SimTime) {
    cx.finite(path, "a fault's at_s", at_s, 0.0, false);
    cx.finite(path, "a fault's for_s", for_s, 0.0, true);
    let start = s_to_ns(at_s);
    (start, start.saturating_add(s_to_ns(for_s)))
}

/// Validates the scripted faults.
fn faults(cx: &mut Ctx, topo: &TopologyModel, raw: &RawExperiment) -> Vec<Fault> {
    let pops = &raw.populations;
    let mut out = vec![];
    for (i, f) in raw.faults.iter().enumerate() {
        let idx = format!("#{i}");
        let path = ["faults", idx.as_str()];
        let fault = match f {
            RawFault::RegionOutage {
                region,
                at_s,
                for_s,
            } => {
                let (start, end) = fault_window(cx, &path, *at_s, *for_s);
                resolve_region(cx, topo, &path, region).map(|r| Fault {
                    label: format!("RegionOutage({region})"),
                    kind: FaultKind::RegionOutage { region: r },
                    start,
                    end,
                })
            }
            RawFault::Partition {
                a,
                b,
                at_s,
                for_s,
                one_way,
            } => {
                let (start, end) = fault_window(cx, &path, *at_s, *for_s);
                let pa = resolve_place(cx, topo, pops, &path, a);
                let pb = resolve_place(cx, topo, pops, &path, b);
                if let (Some(Place::Population(_)), Some(Place::Population(_))) = (pa, pb) {
                    cx.err(
                        &path,
                        format!("a partition between two populations (`{a}`, `{b}`) changes nothing: users only talk to regions"),
                    );
                    None
                } else if pa.is_some() && pa == pb {
                    cx.err(
                        &path,
                        format!("a partition needs two different places, found `{a}` twice"),
                    );
                    None
                } else {
                    match (pa, pb) {
                        (Some(pa), Some(pb)) => Some(Fault {
                            label: format!(
                                "Partition({a} {} {b})",
                                if *one_way { "->" } else { "<->" }
                            ),
                            kind: FaultKind::Partition {
                                a: pa,
                                b: pb,
                                one_way: *one_way,
                            },
                            start,
                            end,
                        }),
                        _ => None,
                    }
                }
            }
            RawFault::LatencySpike {
                a,
                b,
                at_s,
                for_s,
                extra_ms,
            } => {
                let (start, end) = fault_window(cx, &path, *at_s, *for_s);
                cx.delay_ms(&path, "LatencySpike.extra_ms", *extra_ms, true);
                let pa = resolve_place(cx, topo, pops, &path, a);
                let pb = match b {
                    Some(b) => resolve_place(cx, topo, pops, &path, b).map(Some),
                    None => Some(None),
                };
                match (pa, pb) {
                    (Some(pa), Some(pb)) => Some(Fault {
                        label: match b {
                            Some(b) => format!("LatencySpike({a} <-> {b}, +{extra_ms} ms)"),
                            None => format!("LatencySpike({a}, +{extra_ms} ms)"),
                        },
                        kind: FaultKind::LatencySpike {
                            a: pa,
                            b: pb,
                            extra: ms_to_ns(*extra_ms),
                        },
                        start,
                        end,
                    }),
                    _ => None,
                }
            }
            RawFault::CapacityLoss {
                region,
                fraction,
                at_s,
                for_s,
            } => {
                let (start, end) = fault_window(cx, &path, *at_s, *for_s);
                fault_share(
                    cx,
                    &idx,
                    "CapacityLoss.fraction is the share of servers lost",
                    *fraction,
                );
                resolve_region(cx, topo, &path, region).map(|r| Fault {
                    label: format!("CapacityLoss({region}, {:.0}%)", fraction * 100.0),
                    kind: FaultKind::CapacityLoss {
                        region: r,
                        fraction: fraction.clamp(0.0, 1.0),
                    },
                    start,
                    end,
                })
            }
            RawFault::ErrorRate {
                region,
                fraction,
                at_s,
                for_s,
                probes_fail,
            } => {
                let (start, end) = fault_window(cx, &path, *at_s, *for_s);
                fault_share(
                    cx,
                    &idx,
                    "ErrorRate.fraction is the share of requests answered with an error",
                    *fraction,
                );
                resolve_region(cx, topo, &path, region).map(|r| Fault {
                    label: format!(
                        "ErrorRate({region}, {}%{})",
                        percent_label(*fraction),
                        if *probes_fail { ", probes fail" } else { "" }
                    ),
                    kind: FaultKind::ErrorRate {
                        region: r,
                        fraction: fraction.clamp(0.0, 1.0),
                        probes_fail: *probes_fail,
                    },
                    start,
                    end,
                })
            }
            RawFault::Slowdown {
                region,
                factor,
                at_s,
                for_s,
                probes_slow,
            } => {
                let (start, end) = fault_window(cx, &path, *at_s, *for_s);
                if !(*factor >= 1.0 && *factor <= MAX_SLOWDOWN) {
                    cx.err(
                        &["faults", &idx, "factor"],
                        format!(
                            "Slowdown.factor is how many times longer each service takes, \
                             in [1, {MAX_SLOWDOWN}]; found {factor}"
                        ),
                    );
                }
                resolve_region(cx, topo, &path, region).map(|r| Fault {
                    label: format!(
                        "Slowdown({region}, {}×{})",
                        (factor * 100.0).round() / 100.0,
                        if *probes_slow { ", probes slow" } else { "" }
                    ),
                    kind: FaultKind::Slowdown {
                        region: r,
                        factor: factor.clamp(1.0, MAX_SLOWDOWN),
                        probes_slow: *probes_slow,
                    },
                    start,
                    end,
                })
            }
            RawFault::LagSpike {
                a,
                b,
                at_s,
                for_s,
                extra_ms,
            } => {
                let (start, end) = fault_window(cx, &path, *at_s, *for_s);
                cx.delay_ms(&path, "LagSpike.extra_ms", *extra_ms, true);
                let ra = resolve_region(cx, topo, &path, a);
                let rb = match b {
                    Some(b) => resolve_region(cx, topo, &path, b).map(Some),
                    None => Some(None),
                };
                match (ra, rb) {
                    (Some(ra), Some(rb)) => Some(Fault {
                        label: match b {
                            Some(b) => format!("LagSpike({a} -> {b}, +{extra_ms} ms)"),
                            None => format!("LagSpike({a}, +{extra_ms} ms)"),
                        },
                        kind: FaultKind::LagSpike {
                            a: ra,
                            b: rb,
                            extra: ms_to_ns(*extra_ms),
                        },
                        start,
                        end,
                    }),
                    _ => None,
                }
            }
            RawFault::ClockJump {
                region,
                at_s,
                by_ms,
            } => {
                cx.finite(&path, "ClockJump.at_s", *at_s, 0.0, false);
                if !by_ms.is_finite() || by_ms.abs() > 3.6e6 {
                    cx.err(
                        &["faults", idx.as_str(), "by_ms"],
                        format!("ClockJump.by_ms must be a finite jump of at most an hour either way, found {by_ms}"),
                    );
                }
                let start = s_to_ns(*at_s);
                resolve_region(cx, topo, &path, region).map(|r| Fault {
                    label: format!("ClockJump({region}, {by_ms:+} ms)"),
                    kind: FaultKind::ClockJump {
                        region: r,
                        by: (by_ms * 1e6) as i64,
                    },
                    start,
                    end: s_to_ns(raw.duration_s.max(0.0)).max(start),
                })
            }
        };
        if let Some(f) = fault {
            if raw.duration_s.is_finite() && f.start >= s_to_ns(raw.duration_s) {
                cx.warn(
                    &path,
                    format!(
                        "fault `{}` starts at or after the end of the run ({} s): it will touch nothing",
                        f.label, raw.duration_s
                    ),
                    None,
                );
            } else if raw.duration_s.is_finite()
                && !matches!(f.kind, FaultKind::ClockJump { .. })
                && f.end > s_to_ns(raw.duration_s)
            {
                let end_s = show(f.end as f64 / 1e9);
                cx.warn(
                    &path,
                    format!(
                        "fault `{}` lasts past the end of the run (it ends at {end_s} s, the run at {} s): its end and what follows it are not simulated",
                        f.label, raw.duration_s
                    ),
                    Some(format!(
                        "to see the recovery, make duration_s at least {end_s} plus the time to recover"
                    )),
                );
            }
            out.push(f);
        }
    }
    out
}

/// Validates the health checks.
fn health(cx: &mut Ctx, topo: &TopologyModel, raw: &RawExperiment, h: &RawHealth) -> HealthConfig {
    cx.finite(
        &["health", "interval_s"],
        "health.interval_s",
        h.interval_s,
        0.0,
        true,
    );
    cx.finite(
        &["health", "timeout_ms"],
        "health.timeout_ms",
        h.timeout_ms,
        0.0,
        true,
    );
    if h.failure_threshold == 0 || h.failure_threshold > 10 {
        cx.err(
            &["health", "failure_threshold"],
            format!(
                "health.failure_threshold must be 1 to 10 (Route 53 allows 1–10), found {}",
                h.failure_threshold
            ),
        );
    }
    if h.recovery_threshold == 0 || h.recovery_threshold > 10 {
        cx.err(
            &["health", "recovery_threshold"],
            format!(
                "health.recovery_threshold must be 1 to 10, found {}",
                h.recovery_threshold
            ),
        );
    }
    if !(0.0..1.0).contains(&h.healthy_above) {
        cx.err(
            &["health", "healthy_above"],
            format!(
                "health.healthy_above is a share of checkers in [0, 1), found {}",
                h.healthy_above
            ),
        );
    }
    if raw.duration_s.is_finite() && h.interval_s > 0.0 && raw.duration_s / h.interval_s > 5e6 {
        cx.err(
            &["health", "interval_s"],
            format!(
                "{} probe rounds are too many (limit 5 000 000): use a longer interval",
                (raw.duration_s / h.interval_s).round()
            ),
        );
    }
    // A region failing at the start of the run is called unhealthy by one checker no sooner
    // than its first probe (checkers are spread over one interval) plus `failure_threshold`
    // − 1 intervals (src/sim/health.rs): a bound that never warns of checks that could work.
    let n_checkers = if h.checkers.is_empty() {
        topo.regions.len().max(1)
    } else {
        h.checkers.len()
    };
    let detect_s =
        h.interval_s * (f64::from(h.failure_threshold) - 1.0) + h.interval_s / n_checkers as f64;
    if raw.duration_s.is_finite()
        && raw.duration_s > 0.0
        && h.interval_s > 0.0
        && (1..=10).contains(&h.failure_threshold)
        && detect_s >= raw.duration_s
    {
        // Timers longer than the run mean never, which a value in the wrong unit also gives.
        cx.warn(
            &["health", "interval_s"],
            format!(
                "the health checks cannot call a region unhealthy within the run: with failure_threshold probes interval_s ({} s) apart, a region failing at the start is detected no sooner than {} s, and the run lasts {} s: nothing fails over",
                show(h.interval_s),
                show(detect_s.round()),
                show(raw.duration_s)
            ),
            Some("interval_s is in seconds: Route 53 probes every 30 s, or 10 s with fast checks".into()),
        );
    }
    let mut checkers = vec![];
    for c in &h.checkers {
        if let Some(p) = resolve_place(cx, topo, &raw.populations, &["health", "checkers", c], c) {
            if checkers.contains(&p) {
                cx.err(
                    &["health", "checkers", c],
                    format!("checker `{c}` is listed twice"),
                );
            }
            checkers.push(p);
        }
    }
    if h.checkers.is_empty() {
        checkers = (0..topo.regions.len())
            .map(|r| Place::Region(r as RegionId))
            .collect();
    }
    HealthConfig {
        interval: s_to_ns(h.interval_s).max(1),
        failure_threshold: h.failure_threshold,
        recovery_threshold: h.recovery_threshold,
        timeout: ms_to_ns(h.timeout_ms),
        checkers,
        healthy_above: h.healthy_above,
    }
}

/// Warns that the inline RTT matrix names `name`, which is no region of the topology.
fn unknown_matrix_region(cx: &mut Ctx, raw: &RawTopology, path: &[&str], name: &str) {
    let help = did_you_mean(name, raw.regions.keys().map(|k| k.as_str()))
        .map(|s| format!("did you mean `{s}`?"));
    cx.warn(
        path,
        format!("the RTT matrix names `{name}`, which is not a region of this topology: its entries are not used"),
        help,
    );
}

/// Largest data-layer state: keys × design regions.
pub const MAX_KEY_REPLICAS: u64 = 50_000_000;

/// Validates the data layer.
fn data_config(
    cx: &mut Ctx,
    topo: &TopologyModel,
    design: Option<&Design>,
    design_complete: bool,
    raw: &RawExperiment,
    inputs: &mut Vec<(String, String)>,
) -> Option<DataConfig> {
    let d = &raw.data;
    let regions = design.map(|d| d.regions()).unwrap_or_default();
    let replicas = regions.len().saturating_sub(1) as u32;
    let active_active = matches!(design, Some(Design::ActiveActive { .. }));
    let mut wars = WarsLatency::default();
    let mode = match &d.replication.mode {
        RawReplicationMode::Async => ReplicationMode::Async,
        RawReplicationMode::Sync => ReplicationMode::Sync,
        RawReplicationMode::SemiSync(k) => {
            let k = *k;
            let path = ["data", "replication", "mode"];
            if k == 0 {
                cx.err(
                    &path,
                    "SemiSync(0) waits for no replica: use Async for that, or SemiSync(1) or more",
                );
            } else if design_complete && design.is_some() && k > replicas {
                cx.err(
                    &path,
                    if replicas == 0 {
                        format!("SemiSync({k}) waits for {k} replica(s), but the design has no region besides the writer: use Async")
                    } else {
                        format!("SemiSync({k}) waits for {k} replica(s), but the design has {replicas} besides the writer: use 1 to {replicas}")
                    },
                );
            }
            ReplicationMode::SemiSync(k)
        }
        RawReplicationMode::Quorum {
            n,
            r,
            w,
            write_ms,
            ack_ms,
            read_ms,
            response_ms,
        } => quorum_mode(
            cx,
            design,
            design_complete,
            d,
            (*n, *r, *w),
            inputs,
            &mut wars,
            [write_ms, ack_ms, read_ms, response_ms],
        ),
    };
    let waits_for_replicas = matches!(
        d.replication.mode,
        RawReplicationMode::SemiSync(_) | RawReplicationMode::Sync
    );
    if waits_for_replicas && d.replication.lag_at == RawLagAt::Sender {
        cx.err_help(
            &["data", "replication", "lag_at"],
            "`lag_at: Sender` holds each write in its origin's log for the lag before it ships, but a SemiSync or Sync write ships when it commits (its origin waits for replicas to take it)",
            Some("with SemiSync or Sync the lag is spent at the replica: use `lag_at: Target` (the default); `ack: Applied` makes the origin wait for it too".into()),
        );
    }
    let mut semi_sync_fallback = None;
    if let Some(ms) = d.replication.fallback_after_ms {
        let path = ["data", "replication", "fallback_after_ms"];
        if !matches!(d.replication.mode, RawReplicationMode::SemiSync(_)) {
            cx.err_help(
                &path,
                "`fallback_after_ms` is how long a SemiSync write waits before its origin falls back to asynchronous replication; this mode is not SemiSync",
                Some("use it with `mode: SemiSync(k)`, or remove it".into()),
            );
        } else if cx.finite(&path, "data.replication.fallback_after_ms", ms, 0.0, true) {
            semi_sync_fallback = Some(((ms * 1e6).round().clamp(1.0, 1e18)) as SimTime);
        }
    }
    if !waits_for_replicas && d.replication.ack.is_some() {
        cx.warn(
            &["data", "replication", "ack"],
            "`ack` says when a replica acknowledges a write its origin waits for, and only SemiSync and Sync writes wait: here it changes nothing",
            None,
        );
    }
    let lag = cx.dist(&["data", "replication", "lag"], &d.replication.lag, inputs);
    if let Some(mean) = d.replication.lag.mean_ms()
        && mean > 0.0
        && mean < 1.0
    {
        cx.warn(
            &["data", "replication", "lag"],
            format!(
                "the replication lag averages {} ms: cross-region replication takes far longer (\"typically under a second\" for Aurora, \"within a second\" for DynamoDB, FACTS.md §5)",
                show(mean)
            ),
            Some("the lag is in milliseconds: a 300 ms median is `LogNormal(median_ms: 300.0, p99_ms: 1000.0)`; `Constant(ms: 0.0)` for none".into()),
        );
    }
    let skew = cx.dist(&["data", "clock_skew"], &d.clock_skew, inputs);
    cx.finite(
        &["data", "clock_drift_ppm"],
        "data.clock_drift_ppm",
        d.clock_drift_ppm,
        0.0,
        false,
    );
    let shape = match &d.replication.shape {
        None if active_active => ReplicationShape::Mesh,
        None => ReplicationShape::Star,
        Some(RawReplicationShape::Star) => {
            if active_active {
                cx.warn(
                    &["data", "replication", "shape"],
                    "`Star` in an active-active design replicates like `Mesh`: every region takes writes and sends them to every other",
                    Some("write `shape: Mesh` to say so, or `Chain(order: [...])` to cascade".into()),
                );
            }
            ReplicationShape::Star
        }
        Some(RawReplicationShape::Mesh) => ReplicationShape::Mesh,
        Some(RawReplicationShape::Chain { order }) => {
            let mut ids = vec![];
            for (i, n) in order.iter().enumerate() {
                // The i-th element of the list, so a repeated name is shown where it repeats.
                let at = format!("#{i}");
                let here = ["data", "replication", "shape", "order", at.as_str()];
                if let Some(r) = resolve_region(cx, topo, &here, n) {
                    if !regions.contains(&r) {
                        cx.err(&here, format!("`{n}` is not a region of the design"));
                    } else if ids.contains(&r) {
                        cx.err(&here, format!("`{n}` is listed twice in the chain"));
                    } else {
                        ids.push(r);
                    }
                }
            }
            if design.is_some() && ids.len() != regions.len() {
                let missing: Vec<&str> = regions
                    .iter()
                    .filter(|r| !ids.contains(r))
                    .map(|r| topo.regions[*r as usize].name.as_str())
                    .collect();
                if !missing.is_empty() {
                    cx.err(
                        &["data", "replication", "shape"],
                        format!(
                            "the chain must list every region of the design; missing: {}",
                            missing.join(", ")
                        ),
                    );
                }
            }
            ReplicationShape::Chain(ids)
        }
    };
    let keys = raw
        .populations
        .values()
        .map(|p| p.keys.count)
        .max()
        .unwrap_or(1)
        .max(1);
    if keys as u64 * regions.len().max(1) as u64 > MAX_KEY_REPLICAS {
        cx.err(
            &["populations"],
            format!("{keys} keys in {} regions is too much data-layer state (limit {MAX_KEY_REPLICAS} key replicas): use fewer keys", regions.len()),
        );
    }
    let mut transmit = 0;
    if let Some(b) = &d.replication.bandwidth {
        let p = ["data", "replication", "bandwidth"];
        cx.finite(
            &[p[0], p[1], p[2], "bytes_per_s"],
            "bandwidth.bytes_per_s",
            b.bytes_per_s,
            0.0,
            true,
        );
        cx.finite(
            &[p[0], p[1], p[2], "message_bytes"],
            "bandwidth.message_bytes",
            b.message_bytes,
            0.0,
            true,
        );
        if b.bytes_per_s > 0.0
            && b.message_bytes > 0.0
            && b.bytes_per_s.is_finite()
            && b.message_bytes.is_finite()
        {
            transmit = ((b.message_bytes / b.bytes_per_s) * 1e9)
                .round()
                .clamp(1.0, 1e15) as SimTime;
        }
    }
    Some(DataConfig {
        mode,
        wars,
        transmit,
        lag: lag?,
        lag_at: match d.replication.lag_at {
            RawLagAt::Target => LagAt::Target,
            RawLagAt::Sender => LagAt::Sender,
        },
        ack: match d.replication.ack.unwrap_or_default() {
            RawReplicaAck::Received => ReplicaAck::Received,
            RawReplicaAck::Applied => ReplicaAck::Applied,
        },
        semi_sync_fallback,
        shape,
        conflict: match d.conflict {
            RawConflict::Lww => ConflictStrategy::Lww,
            RawConflict::Merge => ConflictStrategy::Merge,
            RawConflict::Crdt => ConflictStrategy::Crdt,
            RawConflict::AppLevel => ConflictStrategy::AppLevel,
        },
        class: match d.class {
            RawKeyClass::Register => KeyClass::Register,
            RawKeyClass::Counter => KeyClass::Counter,
            RawKeyClass::Set => KeyClass::Set,
            RawKeyClass::Booking => KeyClass::Booking,
        },
        clock_skew: skew?,
        clock_drift_ppm: d.clock_drift_ppm,
        consistency: match d.consistency {
            RawConsistency::Eventual => Consistency::Eventual,
            RawConsistency::SessionWait => Consistency::SessionWait,
            RawConsistency::SessionRoute => Consistency::SessionRoute,
            RawConsistency::BoundedStaleness { max_ms } => {
                cx.finite(
                    &["data", "consistency", "max_ms"],
                    "BoundedStaleness.max_ms",
                    max_ms,
                    0.0,
                    false,
                );
                Consistency::BoundedStaleness(ms_to_ns(max_ms))
            }
        },
        keys,
    })
}

/// Validates `Quorum { n, r, w }` (`data::quorum`; leaderless replication, an extension of
/// the modes of SPEC §2 step 5, which defines none): leaderless, so only for
/// active-active designs; `1 ≤ r, w ≤ n ≤` the design's regions; registers read and written
/// whole, with eventual reads (the quorum sizes are the consistency knob).
#[allow(clippy::too_many_arguments)]
fn quorum_mode(
    cx: &mut Ctx,
    design: Option<&Design>,
    design_complete: bool,
    d: &RawData,
    (n, r, w): (u32, u32, u32),
    inputs: &mut Vec<(String, String)>,
    wars: &mut WarsLatency,
    phases: [&DistSpec; 4],
) -> ReplicationMode {
    let path = ["data", "replication", "mode"];
    // Counted only when every region of the design resolved.
    let regions = design
        .filter(|_| design_complete)
        .map(|d| d.regions().len() as u32);
    if let Some(Design::ActivePassive { .. }) = design {
        cx.err(
            &path,
            "Quorum replication is leaderless: the region that receives a request coordinates it, so it needs an ActiveActive design; an ActivePassive design has one writer: use Async, SemiSync(k) or Sync".to_string(),
        );
    }
    match regions {
        _ if n == 0 => cx.err(
            &["data", "replication", "mode", "n"],
            "Quorum(n: 0) keeps no replica of a key: use n of at least 1".to_string(),
        ),
        Some(k) if n > k => cx.err(
            &["data", "replication", "mode", "n"],
            format!("Quorum(n: {n}) keeps {n} replicas of each key, but the design has {k} region(s): use n from 1 to {k}"),
        ),
        _ => {}
    }
    for (name, v, what) in [("r", r, "read waits for"), ("w", w, "write waits for")] {
        if v == 0 || v > n {
            cx.err(
                &["data", "replication", "mode", name],
                format!("Quorum({name}: {v}): a {what} {v} of the n = {n} replicas: use {name} from 1 to {n}"),
            );
        }
    }
    if !matches!(d.class, RawKeyClass::Register) {
        cx.err(
            &["data", "class"],
            "Quorum replication reads and writes whole versions of a key (the newest wins): use class: Register".to_string(),
        );
    }
    if !matches!(d.consistency, RawConsistency::Eventual) {
        cx.err(
            &["data", "consistency"],
            "under Quorum replication a read's guarantee comes from r and w (r + w > n: reads see every acknowledged write): use consistency: Eventual".to_string(),
        );
    }
    if d.replication.shape.is_some() {
        cx.err(
            &["data", "replication", "shape"],
            "Quorum replication sends each write straight to its key's n replicas: remove `shape`"
                .to_string(),
        );
    }
    let names = ["write_ms", "ack_ms", "read_ms", "response_ms"];
    let mut got = [None, None, None, None];
    for (i, spec) in phases.iter().enumerate() {
        got[i] = cx.dist(&["data", "replication", "mode", names[i]], spec, inputs);
    }
    let [a, b, c, e] = got;
    if let (Some(a), Some(b), Some(c), Some(e)) = (a, b, c, e) {
        *wars = WarsLatency {
            write: a,
            ack: b,
            read: c,
            response: e,
        };
    }
    let clamp = |v: u32| v.min(u8::MAX as u32) as u8;
    ReplicationMode::Quorum {
        n: clamp(n),
        r: clamp(r),
        w: clamp(w),
    }
}

/// Validates the DNS routing policy against the design's regions.
fn dns_policy(
    cx: &mut Ctx,
    topo: &TopologyModel,
    design: Option<&Design>,
    p: &RawDnsPolicy,
) -> Option<DnsPolicyKind> {
    let used: Vec<RegionId> = design.map(|d| d.regions()).unwrap_or_default();
    let region = |cx: &mut Ctx, path: &[&str], name: &str| -> Option<RegionId> {
        let r = resolve_region(cx, topo, path, name)?;
        if design.is_some() && !used.contains(&r) {
            cx.err(
                path,
                format!("DNS may only answer with a region of the design; `{name}` is not one"),
            );
            return None;
        }
        Some(r)
    };
    match p {
        RawDnsPolicy::Latency => Some(DnsPolicyKind::Latency),
        RawDnsPolicy::Geo { rules } => {
            let mut out = vec![];
            let mut default = vec![];
            let mut ok = true;
            for (jur, regions) in rules {
                let path = ["dns", "policy", "rules", jur.as_str()];
                if regions.is_empty() {
                    cx.err(&path, format!("geo rule `{jur}` lists no region"));
                    ok = false;
                }
                let ids: Vec<RegionId> = regions
                    .iter()
                    .filter_map(|n| {
                        let r = region(cx, &path, n);
                        ok &= r.is_some();
                        r
                    })
                    .collect();
                if jur == "*" {
                    default = ids;
                } else {
                    out.push((jur.clone(), ids));
                }
            }
            ok.then_some(DnsPolicyKind::Geo {
                rules: out,
                default,
            })
        }
        RawDnsPolicy::Weighted { weights, schedule } => {
            let mut steps = vec![];
            let mut ok = true;
            let mut prev = 0.0;
            // Each step: its time, its weights, and where it is (`weights`, `schedule.i`).
            let index: Vec<String> = (0..schedule.len()).map(|i| format!("#{i}")).collect();
            let all = std::iter::once((0.0, weights, vec!["dns", "policy"])).chain(
                schedule.iter().zip(&index).map(|(s, i)| {
                    (
                        s.at_s,
                        &s.weights,
                        vec!["dns", "policy", "schedule", i.as_str()],
                    )
                }),
            );
            for (at, w, step) in all {
                let at_weights = [step.as_slice(), &["weights"]].concat();
                if !(at.is_finite() && at >= prev) {
                    cx.err(
                        &step,
                        format!("weight steps must be in time order (at_s ≥ {prev}), found {at}"),
                    );
                    ok = false;
                }
                prev = at.max(prev);
                let mut v = vec![];
                let mut weights_ok = true;
                for (name, weight) in w {
                    if !(weight.is_finite() && *weight >= 0.0) {
                        cx.err(
                            &[at_weights.as_slice(), &[name.as_str()]].concat(),
                            format!(
                                "weight of `{name}` must be a finite number at least 0, found {}",
                                show(*weight)
                            ),
                        );
                        weights_ok = false;
                    }
                    match region(cx, &at_weights, name) {
                        Some(r) => v.push((r, *weight)),
                        None => ok = false,
                    }
                }
                // The sum is judged only when every weight is valid (a negative one is
                // reported above, not as "all zero").
                let total = v.iter().map(|(_, w)| w).sum::<f64>();
                if weights_ok && total <= 0.0 {
                    cx.err(&at_weights, "weights must not all be zero");
                    ok = false;
                } else if weights_ok && total.is_infinite() {
                    // Each weight is finite, their sum is not: every draw would pick alike.
                    cx.err(
                        &at_weights,
                        "the weights add up to more than a number holds (about 1.8e308): write them as shares, e.g. 1 and 3",
                    );
                    ok = false;
                }
                ok &= weights_ok;
                steps.push((s_to_ns(at), v));
            }
            ok.then_some(DnsPolicyKind::Weighted { steps })
        }
        RawDnsPolicy::Failover { primary, secondary } => {
            let p = region(cx, &["dns", "policy", "primary"], primary);
            let s = region(cx, &["dns", "policy", "secondary"], secondary);
            if p.is_some() && p == s {
                cx.err(&["dns", "policy"], "Failover needs two different regions");
                return None;
            }
            Some(DnsPolicyKind::Failover {
                primary: p?,
                secondary: s?,
            })
        }
    }
}

fn client(cx: &mut Ctx, path: &[&str], c: &RawClient) -> ClientPolicy {
    let p = |f: &'static str| {
        let mut v = path.to_vec();
        v.push(f);
        v
    };
    cx.finite(
        &p("timeout_ms"),
        "client.timeout_ms",
        c.timeout_ms,
        0.0,
        true,
    );
    cx.finite(
        &p("connect_timeout_ms"),
        "client.connect_timeout_ms",
        c.connect_timeout_ms,
        0.0,
        true,
    );
    cx.finite(
        &p("backoff_base_ms"),
        "client.backoff_base_ms",
        c.backoff_base_ms,
        0.0,
        false,
    );
    cx.finite(
        &p("backoff_max_ms"),
        "client.backoff_max_ms",
        c.backoff_max_ms,
        0.0,
        false,
    );
    cx.finite(
        &p("deadline_ms"),
        "client.deadline_ms",
        c.deadline_ms,
        0.0,
        true,
    );
    if c.retries > 100 {
        cx.err(
            &p("retries"),
            format!("client.retries must be at most 100, found {}", c.retries),
        );
    }
    ClientPolicy {
        timeout: ms_to_ns(c.timeout_ms),
        connect_timeout: ms_to_ns(c.connect_timeout_ms),
        retries: c.retries,
        backoff_base: ms_to_ns(c.backoff_base_ms),
        backoff_max: ms_to_ns(c.backoff_max_ms),
        deadline: ms_to_ns(c.deadline_ms),
        re_resolve_on_failure: c.re_resolve_on_failure,
    }
}

/// Validates one scenario (the base experiment or one variant of it).
fn scenario(
    raw: &RawExperiment,
    raw_topo: &RawTopology,
    src: &Source,
    topo_src: &Source,
    diags: &mut Vec<Diagnostic>,
    inputs: &mut Vec<(String, String)>,
) -> Option<Scenario> {
    let (topo, topo_ok) = topology_best_effort(raw_topo, topo_src, diags, inputs);
    // Where the experiment's own messages begin: with an invalid topology only its errors are
    // kept (a warning could come from a stand-in value of the topology).
    let own_from = diags.len();
    let mut cx = Ctx { src, diags };
    let start = cx
        .diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if raw.name.trim().is_empty() {
        cx.err(
            &["name"],
            "the experiment needs a name (it names the results directory)",
        );
    } else if raw.name.contains(['/', '\\']) || raw.name.starts_with('.') {
        cx.err(
            &["name"],
            format!(
                "the experiment name `{}` names a directory: use letters, digits and dashes",
                raw.name
            ),
        );
    }
    let mut duration_ok = cx.finite(&["duration_s"], "duration_s", raw.duration_s, 0.0, true);
    if duration_ok && raw.duration_s > MAX_DURATION_S {
        duration_ok = false;
        cx.err(
            &["duration_s"],
            format!(
                "duration_s is {} s; the limit is {MAX_DURATION_S:e} s (292 years: simulated time is counted in nanoseconds below 2^63)",
                raw.duration_s
            ),
        );
    }
    cx.finite(&["warmup_s"], "warmup_s", raw.warmup_s, 0.0, false);
    if raw.warmup_s >= raw.duration_s {
        cx.err(
            &["warmup_s"],
            format!(
                "warmup_s ({}) must be shorter than duration_s ({})",
                raw.warmup_s, raw.duration_s
            ),
        );
    }
    // (A run over the limit already has its error: the windows would only repeat it.)
    if cx.finite(&["window_s"], "window_s", raw.window_s, 0.0, true)
        && duration_ok
        && raw.duration_s / raw.window_s > 1e6
    {
        cx.err(
            &["window_s"],
            format!(
                "{} windows of {} s are too many (limit 1 000 000): use larger windows",
                (raw.duration_s / raw.window_s).round(),
                raw.window_s
            ),
        );
    }
    if raw.window_s.is_finite()
        && raw.duration_s.is_finite()
        && raw.duration_s > 0.0
        && raw.window_s > raw.duration_s
    {
        cx.warn(
            &["window_s"],
            format!(
                "window_s ({}) is longer than the run ({} s): the timeline has one window, and time availability and RTO cannot resolve anything",
                raw.window_s, raw.duration_s
            ),
            Some("windows of about 1/100 of the run or less give a readable timeline".into()),
        );
    }
    if !(raw.slo > 0.0 && raw.slo <= 1.0) {
        cx.err(
            &["slo"],
            format!(
                "slo is a fraction of requests and must be in (0, 1], found {}",
                raw.slo
            ),
        );
    }
    cx.finite(&["dns", "ttl_s"], "dns.ttl_s", raw.dns.ttl_s, 0.0, false);
    if raw.duration_s.is_finite()
        && raw.duration_s > 0.0
        && raw.dns.ttl_s > raw.duration_s
        && (!raw.faults.is_empty() || raw.random_outages.is_some())
    {
        cx.warn(
            &["dns", "ttl_s"],
            format!(
                "dns.ttl_s ({} s) is longer than the whole run ({} s): each resolver refreshes its cached answer at most once during it, so many users never see DNS move them off a failed region",
                show(raw.dns.ttl_s),
                show(raw.duration_s)
            ),
            Some("ttl_s is in seconds: a 60 s TTL is `ttl_s: 60`".into()),
        );
    }
    if let Some(n) = raw.dns.negative_ttl_s {
        cx.finite(
            &["dns", "negative_ttl_s"],
            "dns.negative_ttl_s",
            n,
            0.0,
            false,
        );
    }
    let lookup = cx.dist(&["dns", "lookup"], &raw.dns.lookup, inputs);
    let default_client = client(&mut cx, &["client"], &raw.client);

    let topo = topo?;
    let errors_before_design = count_errors(cx.diags);
    let design = match &raw.design {
        RawDesign::ActivePassive {
            primary,
            standbys,
            read_local,
            failover,
            standby_capacity,
            scale_up_s,
            failback,
            promote,
        } => {
            let failback = match failback {
                None => None,
                Some(RawFailback::Planned {
                    after_s,
                    max_lag_ms,
                }) => {
                    cx.finite(
                        &["design", "failback", "after_s"],
                        "failback.after_s",
                        *after_s,
                        0.0,
                        false,
                    );
                    cx.finite(
                        &["design", "failback", "max_lag_ms"],
                        "failback.max_lag_ms",
                        *max_lag_ms,
                        0.0,
                        false,
                    );
                    if let Some(mean) = raw.data.replication.lag.mean_ms()
                        && max_lag_ms.is_finite()
                        && mean >= *max_lag_ms
                    {
                        cx.warn(
                            &["design", "failback", "max_lag_ms"],
                            format!(
                                "failback.max_lag_ms is {max_lag_ms} but the replication lag averages {mean} ms: the old primary seldom comes that close to the current primary, so the failback may never start"
                            ),
                            Some("raise max_lag_ms above the lag, or lower the lag".into()),
                        );
                    }
                    if matches!(failover, RawFailover::Off) {
                        cx.err(
                            &["design", "failback"],
                            "failback returns to a primary that failed over, but `failover` is Off",
                        );
                    }
                    Some(PlannedFailback {
                        after: s_to_ns(*after_s),
                        max_lag: ms_to_ns(*max_lag_ms),
                    })
                }
            };
            if !(*standby_capacity > 0.0 && *standby_capacity <= 1.0) {
                cx.err(
                    &["design", "standby_capacity"],
                    format!("standby_capacity is the share of servers a standby runs, in (0, 1]; found {standby_capacity}"),
                );
            }
            cx.finite(
                &["design", "scale_up_s"],
                "design.scale_up_s",
                *scale_up_s,
                0.0,
                false,
            );
            let failover = match failover {
                RawFailover::Off => FailoverPolicy::Off,
                RawFailover::Automatic { promotion_s } => {
                    cx.finite(
                        &["design", "failover", "promotion_s"],
                        "failover.promotion_s",
                        *promotion_s,
                        0.0,
                        false,
                    );
                    FailoverPolicy::Automatic {
                        promotion: s_to_ns(*promotion_s),
                    }
                }
                RawFailover::Manual { delay_s } => {
                    cx.finite(
                        &["design", "failover", "delay_s"],
                        "failover.delay_s",
                        *delay_s,
                        0.0,
                        false,
                    );
                    FailoverPolicy::Manual {
                        delay: s_to_ns(*delay_s),
                    }
                }
            };
            if matches!(failover, FailoverPolicy::Automatic { .. }) && raw.health.is_none() {
                cx.err_help(
                    &["design", "failover"],
                    "automatic failover reacts to health checks, but the experiment has no `health`",
                    Some("add `health: ()` for the default checks, or use `Manual(delay_s: …)`".into()),
                );
            }
            if !matches!(failover, FailoverPolicy::Off) && standbys.is_empty() {
                cx.err(
                    &["design", "failover"],
                    "failover needs at least one standby to promote",
                );
            }
            let p = resolve_region(&mut cx, &topo, &["design", "primary"], primary);
            let mut ids = vec![];
            for s in standbys {
                if let Some(id) = resolve_region(&mut cx, &topo, &["design", "standbys", s], s) {
                    if Some(id) == p {
                        cx.err(
                            &["design", "standbys", s],
                            format!("`{s}` is the primary; it cannot also be a standby"),
                        );
                    } else if ids.contains(&id) {
                        cx.err(
                            &["design", "standbys", s],
                            format!("standby `{s}` is listed twice"),
                        );
                    } else {
                        ids.push(id);
                    }
                }
            }
            p.map(|primary| Design::ActivePassive {
                primary,
                standbys: ids,
                read_local: *read_local,
                failover,
                standby_capacity: standby_capacity.clamp(0.0, 1.0),
                scale_up: s_to_ns(*scale_up_s),
                failback,
                promote: match promote {
                    RawPromote::FirstListed => PromotePolicy::FirstListed,
                    RawPromote::MostCaughtUp => PromotePolicy::MostCaughtUp,
                },
            })
        }
        RawDesign::ActiveActive { regions } => {
            if regions.is_empty() {
                cx.err(
                    &["design", "regions"],
                    "an active-active design needs at least one region",
                );
            }
            let mut ids = vec![];
            for r in regions {
                if let Some(id) = resolve_region(&mut cx, &topo, &["design", "regions", r], r) {
                    if ids.contains(&id) {
                        cx.err(
                            &["design", "regions", r],
                            format!("region `{r}` is listed twice"),
                        );
                    }
                    ids.push(id);
                }
            }
            Some(Design::ActiveActive { regions: ids })
        }
    };
    // A region misnamed in the design is left out of it: counts of its regions are then wrong.
    let design_complete = count_errors(cx.diags) == errors_before_design;
    // The data layer keeps a bit per design region in 64-bit masks.
    let in_design = match &raw.design {
        RawDesign::ActivePassive { standbys, .. } => 1 + standbys.len(),
        RawDesign::ActiveActive { regions } => regions.len(),
    };
    if in_design > 64 {
        cx.err(
            &["design"],
            format!("a design holds at most 64 regions, this one {in_design}"),
        );
    }

    if raw.populations.is_empty() {
        cx.err(
            &["populations"],
            "an experiment needs at least one population of users",
        );
    }
    let n = topo.regions.len();
    let mut pops = vec![];
    let mut out = vec![];
    let mut back = vec![];
    let mut total_requests = 0.0;
    for (name, p) in &raw.populations {
        let path = |f: &'static str| ["populations", name.as_str(), f];
        if name.trim().is_empty() {
            cx.err(&["populations"], "a population name is empty");
        }
        if let Some(m) = csv_unsafe("population name", name) {
            cx.err(&["populations", name.as_str()], m);
        }
        if let Some(m) = csv_unsafe("jurisdiction", &p.jurisdiction) {
            cx.err(&path("jurisdiction"), m);
        }
        if !(-90.0..=90.0).contains(&p.lat) {
            cx.err(
                &path("lat"),
                format!("latitude of `{name}` must be in [-90, 90], found {}", p.lat),
            );
        }
        if !(-180.0..=180.0).contains(&p.lon) {
            cx.err(
                &path("lon"),
                format!(
                    "longitude of `{name}` must be in [-180, 180], found {}",
                    p.lon
                ),
            );
        }
        let anchor = p
            .anchor
            .as_ref()
            .and_then(|a| resolve_region(&mut cx, &topo, &path("anchor"), a).map(Some))
            .unwrap_or(None);
        let anchor_ok = p.anchor.is_none() || anchor.is_some();
        // Latitude and longitude the wrong way round put the users on another continent: warn
        // when swapping them would bring a population far nearer the region it enters through.
        if let (Some(a), Some(a_name)) = (anchor, p.anchor.as_deref())
            && (-90.0..=90.0).contains(&p.lat)
            && (-90.0..=90.0).contains(&p.lon)
        {
            let ar = &topo.regions[a as usize];
            let km = great_circle_km(p.lat, p.lon, ar.lat, ar.lon);
            let swapped = great_circle_km(p.lon, p.lat, ar.lat, ar.lon);
            if km > 3000.0 && swapped < km / 4.0 {
                cx.warn(
                    &path("lat"),
                    format!(
                        "population `{name}` (lat {}, lon {}) is {km:.0} km from its anchor `{a_name}`; with latitude and longitude swapped it would be {swapped:.0} km away",
                        p.lat, p.lon
                    ),
                    Some("`lat` runs north–south (−90 to 90), `lon` east–west (−180 to 180): swap them if they are the wrong way round".into()),
                );
            }
        }
        if cx.finite(
            &path("rate_per_s"),
            &format!("rate_per_s of `{name}`"),
            p.rate_per_s,
            0.0,
            true,
        ) && p.rate_per_s > 1e7
        {
            cx.err(&path("rate_per_s"), format!("rate_per_s of `{name}` is {} requests/s; the limit is 10 000 000 per population", p.rate_per_s));
        }
        let rate_ok = p.rate_per_s.is_finite() && p.rate_per_s >= 0.0;
        let last_mile_ok =
            cx.delay_ms(&path("last_mile_ms"), "last_mile_ms", p.last_mile_ms, false);
        cx.prob(
            &path("write_fraction"),
            &format!("write_fraction of `{name}`"),
            p.write_fraction,
        );
        if !(p.utc_offset_h.is_finite() && (-24.0..=24.0).contains(&p.utc_offset_h)) {
            cx.err(
                &path("utc_offset_h"),
                format!(
                    "utc_offset_h must be a number of hours from -24 to 24, found {}",
                    show(p.utc_offset_h)
                ),
            );
        }
        if p.keys.count == 0 {
            cx.err(
                &["populations", name, "keys", "count"],
                "a key space needs at least 1 key, found 0",
            );
        }
        cx.finite(
            &["populations", name, "keys", "zipf_s"],
            "keys.zipf_s",
            p.keys.zipf_s,
            0.0,
            false,
        );
        if p.users == 0 {
            cx.err(
                &path("users"),
                format!("population `{name}` has 0 users; it needs at least 1"),
            );
        }
        if p.resolvers == 0 {
            cx.err(
                &path("resolvers"),
                format!("population `{name}` sits behind 0 resolvers; it needs at least 1"),
            );
        }
        let diurnal = match &p.diurnal {
            None => None,
            Some(c) if c.len() != 24 => {
                cx.err(
                    &path("diurnal"),
                    format!("a diurnal curve has 24 hourly values, found {}", c.len()),
                );
                None
            }
            Some(c) => {
                let sum = c.iter().sum::<f64>();
                if c.iter().any(|v| !v.is_finite() || *v < 0.0) || !(sum > 0.0 && sum.is_finite()) {
                    cx.err(
                        &path("diurnal"),
                        "diurnal values must be non-negative, not all zero, and sum to a finite number",
                    );
                    None
                } else {
                    let mean = sum / 24.0;
                    let mut a = [0.0; 24];
                    for (i, v) in c.iter().enumerate() {
                        a[i] = v / mean;
                    }
                    Some(a)
                }
            }
        };
        if rate_ok
            && p.rate_per_s <= 1e7
            && let Some(curve) = &diurnal
        {
            let peak = p.rate_per_s * curve.iter().copied().fold(0.0, f64::max);
            if peak > 1e7 {
                cx.err(
                    &path("diurnal"),
                    format!(
                        "population `{name}` peaks at {peak:.3e} requests/s on its diurnal curve (rate_per_s {} × the curve's peak over its mean); the limit is 10 000 000 per population",
                        p.rate_per_s
                    ),
                );
            }
        }
        if rate_ok {
            // Expected arrivals over the run: a run shorter than a day gets the curve's mean
            // over the hours it covers, not the day's.
            let mean = crate::model::diurnal_mean_over(
                diurnal.as_ref(),
                p.utc_offset_h,
                raw.duration_s.max(0.0),
            );
            total_requests += p.rate_per_s * mean * raw.duration_s.max(0.0);
        }
        let client = match &p.client {
            Some(c) => client(&mut cx, &["populations", name, "client"], c),
            None => default_client.clone(),
        };
        if !anchor_ok {
            continue;
        }
        // A stand-in for an invalid last mile (already reported), so the RTTs stay in range.
        let last_mile_ms = if last_mile_ok { p.last_mile_ms } else { 0.0 };
        // Population → region RTTs (SPEC §1 Link): through the anchor when there is one.
        for r in 0..n {
            let reg = &topo.regions[r];
            let (o, b) = match anchor {
                Some(a) => {
                    let a = a as usize;
                    let ar = &topo.regions[a];
                    let access = ms_to_ns(
                        last_mile_ms
                            + estimated_rtt_ms(
                                great_circle_km(p.lat, p.lon, ar.lat, ar.lon),
                                topo.inflation,
                                topo.base_ms,
                            ),
                    );
                    (
                        access + topo.region_rtt[a * n + r],
                        access + topo.region_rtt[r * n + a],
                    )
                }
                None => {
                    let v = ms_to_ns(
                        last_mile_ms
                            + estimated_rtt_ms(
                                great_circle_km(p.lat, p.lon, reg.lat, reg.lon),
                                topo.inflation,
                                topo.base_ms,
                            ),
                    );
                    (v, v)
                }
            };
            out.push(o);
            back.push(b);
        }
        pops.push(Population {
            name: name.clone(),
            lat: p.lat,
            lon: p.lon,
            anchor,
            jurisdiction: p.jurisdiction.clone(),
            rate_per_s: p.rate_per_s,
            diurnal,
            utc_offset_h: p.utc_offset_h,
            write_fraction: p.write_fraction,
            keys: p.keys.count,
            zipf_s: p.keys.zipf_s,
            users: p.users,
            resolvers: p.resolvers,
            client,
        });
    }
    if raw.populations.len() > PopulationId::MAX as usize {
        cx.err(
            &["populations"],
            format!("at most {} populations are supported", PopulationId::MAX),
        );
    }
    let dns_kind = dns_policy(&mut cx, &topo, design.as_ref(), &raw.dns.policy);
    if let Some(DnsPolicyKind::Geo { rules, .. }) = &dns_kind {
        // Rules are keyed by the populations' jurisdictions: one that none has answers nobody.
        let held: BTreeSet<&str> = raw
            .populations
            .values()
            .map(|p| p.jurisdiction.as_str())
            .filter(|j| !j.is_empty())
            .collect();
        for (j, _) in rules {
            if !held.contains(j.as_str()) {
                let listed = if held.is_empty() {
                    "no population has one yet: give each a `jurisdiction: \"…\"`".to_owned()
                } else {
                    format!(
                        "here: {}",
                        held.iter()
                            .map(|h| format!("`{h}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                let guess = did_you_mean(j, held.iter().copied())
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                cx.warn(
                    &["dns", "policy", "rules", j.as_str()],
                    format!("geo rule `{j}` names a jurisdiction no population is in, so it answers nobody"),
                    Some(format!(
                        "{guess}geo rules are keyed by the populations' `jurisdiction` ({listed})"
                    )),
                );
            }
        }
    }
    if let Some(DnsPolicyKind::Geo { rules, default }) = &dns_kind
        && default.is_empty()
    {
        // With no `"*"` rule a population no rule names has no answer at all.
        for (name, p) in &raw.populations {
            if rules.iter().all(|(j, _)| *j != p.jurisdiction) {
                let whose = if p.jurisdiction.is_empty() {
                    "has no jurisdiction".to_string()
                } else {
                    format!(
                        "is in jurisdiction `{}`, which no geo rule names,",
                        p.jurisdiction
                    )
                };
                cx.warn(
                    &["populations", name.as_str()],
                    format!(
                        "population `{name}` {whose} and there is no `\"*\"` geo rule: DNS has no region for it, so every request of it fails (no_region)"
                    ),
                    Some(format!(
                        "add a rule for it, or a `\"*\": [...]` rule for everyone else, to `dns.policy.rules`{}",
                        if p.jurisdiction.is_empty() { " (or give the population a `jurisdiction`)" } else { "" }
                    )),
                );
            }
        }
    }
    let violators = raw.dns.ttl_violators.as_ref().and_then(|v| {
        cx.prob(
            &["dns", "ttl_violators", "fraction"],
            "dns.ttl_violators.fraction",
            v.fraction,
        );
        cx.dist(&["dns", "ttl_violators", "hold"], &v.hold, inputs)
            .map(|hold| TtlViolators {
                fraction: v.fraction,
                hold_in_progress: LengthBiased::new(&v.hold, &hold),
                hold,
            })
    });
    let health = raw.health.as_ref().map(|h| health(&mut cx, &topo, raw, h));
    let faults = faults(&mut cx, &topo, raw);
    let random_outages = raw.random_outages.as_ref().map(|ro| {
        // Down to a millisecond (finer is no outage; the event budget bounds how many a run
        // may have).
        for (field, v) in [("mtbf_h", ro.mtbf_h), ("mttr_h", ro.mttr_h)] {
            if !(v.is_finite() && v >= 1.0 / 3.6e6) {
                cx.err(
                    &["random_outages", field],
                    format!(
                        "random_outages.{field} must be a finite number of hours of at least a millisecond (2.78e-7), found {}",
                        show(v)
                    ),
                );
            }
        }
        cx.finite(
            &["random_outages", "shape"],
            "random_outages.shape",
            ro.shape,
            0.0,
            true,
        );
        if ro.shape.is_finite() && !(0.2..=20.0).contains(&ro.shape) {
            cx.err(
                &["random_outages", "shape"],
                format!(
                    "a Weibull shape between 0.2 and 20 is supported, found {}",
                    ro.shape
                ),
            );
        }
        let mut regions = vec![];
        for r in &ro.regions {
            if let Some(id) = resolve_region(&mut cx, &topo, &["random_outages", "regions", r], r) {
                if regions.contains(&id) {
                    cx.err(
                        &["random_outages", "regions", r],
                        format!("random_outages.regions names `{r}` twice"),
                    );
                } else {
                    regions.push(id);
                }
            }
        }
        if ro.regions.is_empty() {
            regions = design.as_ref().map(|d| d.regions()).unwrap_or_default();
        }
        RandomOutages {
            regions,
            mtbf_h: ro.mtbf_h,
            mttr_h: ro.mttr_h,
            shape: ro.shape,
        }
    });
    let data = data_config(
        &mut cx,
        &topo,
        design.as_ref(),
        design_complete,
        raw,
        inputs,
    );
    let residency = raw
        .residency
        .as_ref()
        .and_then(|r| cost::residency(&mut cx, &topo, raw, r));
    let cost = raw.cost.as_ref().and_then(|c| {
        cost::cost(
            &mut cx,
            &topo,
            raw,
            c,
            design.as_ref(),
            data.as_ref(),
            &pops,
            residency.as_ref(),
            inputs,
        )
    });
    // Not finite: a rate or duration that is itself reported as invalid.
    if total_requests.is_finite() && total_requests > MAX_REQUESTS_PER_RUN {
        cx.err(&["populations"], format!("this experiment asks for about {total_requests:.3e} requests per run; the limit is {MAX_REQUESTS_PER_RUN:.0e}: lower the rates or the duration"));
    }
    let errors = cx
        .diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if !topo_ok {
        let own = cx.diags.split_off(own_from);
        cx.diags
            .extend(own.into_iter().filter(|d| d.severity == Severity::Error));
    }
    if errors > start || !topo_ok {
        return None;
    }
    let sc = Scenario {
        name: raw.name.clone(),
        topology_name: topo.name.clone(),
        duration: s_to_ns(raw.duration_s),
        warmup: s_to_ns(raw.warmup_s),
        window: s_to_ns(raw.window_s).max(1),
        slo: raw.slo,
        network: Network::new(
            n,
            topo.region_rtt.clone(),
            topo.estimated.clone(),
            out,
            back,
            topo.jitter.clone(),
        ),
        regions: topo.regions,
        populations: pops,
        design: design?,
        dns: DnsConfig {
            policy: dns_kind?,
            ttl: s_to_ns(raw.dns.ttl_s),
            negative_ttl: s_to_ns(raw.dns.negative_ttl_s.unwrap_or(raw.dns.ttl_s)),
            lookup: lookup?,
            fail_open: raw.dns.fail_open,
            violators,
        },
        health,
        faults,
        random_outages,
        data: data?,
        cost,
        residency,
    };
    short_timeouts(&mut cx, raw, &sc);
    overload(&mut cx, &sc);
    // What one run will ask of the machine: refused before anything runs when over a limit,
    // pointing at what contributes most.
    let budget = crate::budget::estimate(&sc);
    let (events_by, bytes_by) = budget.largest();
    let mut refused = false;
    if let Some(msg) = budget.events_excess() {
        cx.err(events_by.config_path(), msg);
        refused = true;
    }
    if let Some(msg) = budget.bytes_excess() {
        cx.err(bytes_by.config_path(), msg);
        refused = true;
    }
    (!refused).then_some(sc)
}

/// Warns when the populations offer more work than every region of the design could serve
/// together even if the load were spread perfectly (each request at the shortest mean service
/// time of any of them, every region at its full pool): queues then grow until requests time
/// out or are shed, which a rate or service time in the wrong unit also gives. A lower bound
/// on the load, so it never warns of a design that could keep up. Means are estimated from
/// 4 096 draws of a fixed stream (truncated normals and empirical lists included).
fn overload(cx: &mut Ctx, sc: &Scenario) {
    let regions = sc.design.regions();
    let servers: f64 = regions
        .iter()
        .map(|&r| f64::from(sc.regions[r as usize].servers))
        .sum();
    let mean_s = |d: &Dist| {
        let mut rng = crate::rng::stream(0, "check/service-mean");
        (0..4096).map(|_| d.sample(&mut rng) as f64).sum::<f64>() / 4096.0 / 1e9
    };
    let shortest = |f: fn(&Region) -> &Dist| {
        regions
            .iter()
            .map(|&r| mean_s(f(&sc.regions[r as usize])))
            .fold(f64::INFINITY, f64::min)
    };
    let (read_s, write_s) = (
        shortest(|r| &r.read_service),
        shortest(|r| &r.write_service),
    );
    let busiest = sc
        .populations
        .iter()
        .max_by(|a, b| a.rate_per_s.total_cmp(&b.rate_per_s));
    let work: f64 = sc
        .populations
        .iter()
        .map(|p| p.rate_per_s * ((1.0 - p.write_fraction) * read_s + p.write_fraction * write_s))
        .sum();
    let (Some(busiest), true) = (busiest, servers > 0.0 && work > servers) else {
        return;
    };
    cx.warn(
        &["populations", busiest.name.as_str(), "rate_per_s"],
        format!(
            "the design cannot keep up: the populations offer {} server-seconds of work per second (requests per second × mean service time) to {} servers in all of the design's regions together, {}% busy even with the load spread perfectly: queues grow until requests time out or are shed",
            show((work * 10.0).round() / 10.0),
            show(servers),
            show((work / servers * 100.0).round())
        ),
        Some("rate_per_s is requests per second and service times are in ms; or add servers".into()),
    );
}

/// Warns of a population whose attempt timeout is shorter than its round trip to every
/// region the design serves it from (last mile included): every attempt would time out, and
/// the run would report 0% availability with nothing else amiss (seconds written as
/// milliseconds, say).
fn short_timeouts(cx: &mut Ctx, raw: &RawExperiment, sc: &Scenario) {
    let serving = sc.design.serving_regions();
    for (pid, p) in sc.populations.iter().enumerate() {
        let name = p.name.as_str();
        let Some((rtt, r)) = serving
            .iter()
            .map(|&r| (sc.network.pop_rtt(pid as PopulationId, r), r))
            .min()
        else {
            continue;
        };
        if p.client.timeout >= rtt {
            continue;
        }
        let own = raw
            .populations
            .get(name)
            .is_some_and(|rp| rp.client.is_some());
        let path: Vec<&str> = if own {
            vec!["populations", name, "client", "timeout_ms"]
        } else {
            vec!["client", "timeout_ms"]
        };
        cx.warn(
            &path,
            format!(
                "population `{name}`: its client timeout ({} ms) is shorter than its round trip to the nearest region serving it ({}, {} ms): every attempt will time out",
                show(p.client.timeout as f64 / 1e6),
                sc.regions[r as usize].name,
                show(rtt as f64 / 1e6)
            ),
            Some("timeout_ms is in milliseconds: 2 s is `timeout_ms: 2000`".into()),
        );
    }
}

/// The help for a value of the wrong kind at `path`: a did-you-mean for an unknown name, or
/// the unit hint a file gets for a number written as a string (`"5s"` for a `_s` field).
fn misfit_help(path: &str, why: &str) -> Option<String> {
    unknown_name_hint(why).or_else(|| super::units::string_value_hint(path, why))
}

/// A did-you-mean for serde's "unknown variant `x`, expected `a` or `b`" (or "unknown field"),
/// the message an override's misspelt name gets: the names are in backquotes, the one written
/// first.
fn unknown_name_hint(why: &str) -> Option<String> {
    let (_, rest) = why
        .split_once("unknown variant ")
        .or_else(|| why.split_once("unknown field "))?;
    let mut quoted = rest.split('`').skip(1).step_by(2);
    let found = quoted.next()?;
    did_you_mean(found, quoted).map(|s| format!("did you mean `{s}`?"))
}

/// One override: a dotted path and its value as RON text.
type Override = (String, String);

/// The experiment's own settings, which hold for every case alike: a variant or a sweep that
/// set them would be ignored (every case runs under the file's seeds, name and plan), so
/// doing so is refused.
const RUN_LEVEL: [&str; 7] = [
    "name",
    "question",
    "seed",
    "seeds",
    "target_ci",
    "variants",
    "sweep",
];

/// Why a variant or the sweep may not set `path` (its first field is a run-level setting).
fn run_level(path: &str, by: &str) -> Option<(String, String)> {
    let head = path.split('.').next().unwrap_or(path).trim();
    RUN_LEVEL.contains(&head).then(|| {
        (
            format!(
                "{by} sets `{path}`, but `{head}` is a setting of the whole experiment, the same for every case: it would be ignored"
            ),
            match head {
                "seed" | "seeds" | "target_ci" => format!(
                    "every case runs under the same seeds; set `{head}` at the top of the file (or use `run --seeds`)"
                ),
                _ => format!("set `{head}` at the top of the file"),
            },
        )
    })
}

/// Validates an experiment and all its cases: variants × sweep points (SPEC §4).
pub(super) fn experiment(
    mut raw: RawExperiment,
    raw_topo: RawTopology,
    src: &Source,
    topo_src: &Source,
) -> Result<(Experiment, Vec<Diagnostic>), ConfigError> {
    let mut diags = vec![];
    let mut inputs = vec![
        (src.display.clone(), src.digest()),
        (topo_src.display.clone(), topo_src.digest()),
    ];
    let variants = std::mem::take(&mut raw.variants);
    let sweep = raw.sweep.take();
    let base = scenario(&raw, &raw_topo, src, topo_src, &mut diags, &mut inputs);
    // The base's warnings, and whether some case shows each too: with variants or a sweep the
    // base never runs itself, so a warning about a value every case overrides is dropped.
    let mut base_warnings: BTreeMap<String, bool> = diags
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| (located(d, src, topo_src), false))
        .collect();
    let base_diags = diags.len();
    let mut names = BTreeSet::new();
    for (k, v) in variants.iter().enumerate() {
        let at = ["variants", &format!("#{k}"), &v.name];
        if v.name.trim().is_empty() {
            diags.push(src.diag(
                Severity::Error,
                &["variants"],
                "a variant needs a name".into(),
                None,
            ));
        } else if let Some(m) = csv_unsafe("variant name", &v.name) {
            diags.push(src.diag(Severity::Error, &at, m, None));
        } else if !names.insert(v.name.clone()) {
            diags.push(src.diag(
                Severity::Error,
                &at,
                format!("variant `{}` is defined twice", v.name),
                None,
            ));
        }
    }
    let seeds_ok = repetition(&raw, src, &mut diags);
    let mut tree = serde_json::to_value(&raw).expect("raw config serialises");
    tree["topology"] = serde_json::to_value(&raw_topo).expect("raw topology serialises");
    let mut points = match &sweep {
        None => Some(vec![vec![]]),
        Some(sw) => {
            // Whether a swept path exists in some variant's tree (its overrides that apply,
            // every field present), when the base lacks it: `design.failover` where a variant
            // makes the design active-passive. Built one at a time, only for such a path.
            let in_a_variant = |set: &dyn Fn(&serde_json::Value) -> bool| {
                variants.iter().any(|v| {
                    let mut t = tree.clone();
                    for (p, val) in &v.overrides {
                        let _ = apply_override(&mut t, &tree, p, val.get_ron());
                    }
                    set(&with_defaults(t, &raw.topology))
                })
            };
            sweep_points(sw, &tree, &in_a_variant, src, &mut diags)
        }
    };
    // Every case is checked (and later run) on its own: refuse a plan too big to check or run
    // before building its cases (variants × points, times seeds).
    if let Some(p) = &points {
        let n_cases = variants.len().max(1).saturating_mul(p.len());
        // With a CI target a case may take up to `max_seeds`.
        let seeds = raw
            .target_ci
            .as_ref()
            .map_or(raw.seeds, |t| t.max_seeds.max(raw.seeds))
            .max(1);
        let n_runs = n_cases.saturating_mul(seeds as usize);
        let why = if n_cases > MAX_CASES {
            Some(format!(
                "the experiment has {n_cases} cases ({} variant(s) × {} sweep point(s)); at most {MAX_CASES} are allowed",
                variants.len().max(1),
                p.len()
            ))
        } else if n_runs > MAX_RUNS {
            Some(format!(
                "the experiment asks for up to {n_runs} runs ({n_cases} case(s) × {seeds} seed(s)); at most {MAX_RUNS} are allowed"
            ))
        } else {
            None
        };
        if let Some(why) = why {
            let at: &[&str] = if sweep.is_some() {
                &["sweep"]
            } else {
                &["variants"]
            };
            diags.push(src.diag(
                Severity::Error,
                at,
                why,
                Some("split it into several experiments, or sweep fewer values".into()),
            ));
            points = None;
        }
    }
    // The base's input files: what the experiment runs on without variants or a sweep.
    let base_context = case_context(&inputs, src);
    let base_msgs: BTreeSet<String> = diags.iter().map(|d| located(d, src, topo_src)).collect();
    let checker = CaseChecker {
        src,
        topo_src,
        topology: &raw.topology,
        base_failed: count_errors(&diags) > 0,
    };
    let mut out = vec![];
    let mut cases = vec![];
    let mut expected = 0;
    let plain = variants.is_empty() && sweep.is_none();
    if let Some(points) = &points {
        let named = !variants.is_empty();
        let listed: Vec<(String, Vec<Override>)> = if variants.is_empty() {
            vec![("base".to_owned(), vec![])]
        } else {
            variants
                .iter()
                .map(|v| {
                    let o = v
                        .overrides
                        .iter()
                        .map(|(p, val)| (p.clone(), val.get_ron().to_owned()))
                        .collect();
                    (v.name.clone(), o)
                })
                .collect()
        };
        let shorts = short_names(sweep_paths(sweep.as_ref()));
        let sweep_map = sweep.as_ref().map(|s| match s {
            RawSweep::Grid(m) | RawSweep::Zip(m) => m,
        });
        // Each swept path, the field it sets, and where it is written.
        let swept: Vec<(String, Vec<String>, String)> = sweep_paths(sweep.as_ref())
            .into_iter()
            .map(|p| {
                let canon = canonical_path(&tree, &p);
                let at = locate(&src.text, &["sweep", &p])
                    .map_or_else(|| "in `sweep`".to_owned(), |(l, c)| format!("at {l}:{c}"));
                (p, canon, at)
            })
            .collect();
        for (p, _, _) in &swept {
            if let Some((msg, help)) = run_level(p, "the sweep") {
                diags.push(src.diag(Severity::Error, &["sweep", p.as_str()], msg, Some(help)));
            }
        }
        // Two swept paths of which one is within the other: whichever is applied second
        // replaces (part of) the first in every case, so the sweep's cases are not what it says.
        for (i, (p, canon, at)) in swept.iter().enumerate() {
            for (q, qcanon, qat) in &swept[..i] {
                if canon.starts_with(qcanon) || qcanon.starts_with(canon) {
                    diags.push(src.diag(
                        Severity::Error,
                        &["sweep", p.as_str()],
                        format!(
                            "the sweep sets both `{q}` ({qat}) and `{p}` ({at}), one within the other: in every case one replaces (part of) the other"
                        ),
                        Some("sweep one of them, or move the inner field into the outer one's values".to_owned()),
                    ));
                }
            }
        }
        // Problems already reported for some case, by (line, column, message without the
        // case): where in `diags`, and whether that case's variant is free of errors.
        let mut seen_case = BTreeMap::new();
        // Whether some variant's cases were checked point by point.
        let mut points_checked = false;
        // Overrides (and, when no case is checked, swept values) alone on the base.
        let mut base_check = LoneCheck::new(&checker, &tree, &tree, &[]);
        for (vk, (vname, voverrides)) in listed.iter().enumerate() {
            let errors_before = count_errors(&diags);
            // The variant's place in its list, so that a string equal to its name elsewhere (a
            // variant named after a region) is not taken for it.
            let vat = format!("#{vk}");
            let variant_at = |i: Option<usize>| -> Vec<&str> {
                match i {
                    Some(i) => vec!["variants", &vat, "overrides", voverrides[i].0.as_str()],
                    None => vec!["variants", &vat, vname.as_str()],
                }
            };
            // A value of an override that does not fit, where it is written.
            let who = format!("variant `{vname}`: an override");
            let misfit_diag = |m: &Misfit| {
                src.diag_within(
                    Severity::Error,
                    &variant_at(m.entry),
                    &m.inner(),
                    shape_message(Setter { a: &who, the: &who }, &m.named, &m.why),
                    misfit_help(&m.named, &m.why),
                )
            };
            // The variant's own overrides, applied once: their problems point at the override
            // and are reported once, however many points the sweep has.
            let mut vtree = tree.clone();
            // The overrides that cannot be set (reported as they are found).
            let mut failed = vec![false; voverrides.len()];
            for (k, (path, value)) in voverrides.iter().enumerate() {
                let at = ["variants", vat.as_str(), "overrides", path.as_str()];
                if let Some((msg, help)) = run_level(path, &format!("variant `{vname}`")) {
                    diags.push(src.diag(Severity::Error, &at, msg, Some(help)));
                    failed[k] = true;
                    continue;
                }
                let canon = canonical_path(&tree, path);
                // An override within (or equal to) a later one of the same variant is replaced.
                if let Some((later, _)) = voverrides[k + 1..]
                    .iter()
                    .find(|(q, _)| canon.starts_with(&canonical_path(&tree, q)))
                {
                    diags.push(src.diag(
                        Severity::Error,
                        &at,
                        format!(
                            "variant `{vname}` overrides `{path}`, but its later override of `{later}` replaces it, so this override has no effect"
                        ),
                        Some("remove one of them, or set this field inside the later one".to_owned()),
                    ));
                }
                for (sp, scanon, sat) in &swept {
                    if canon.starts_with(scanon) {
                        diags.push(src.diag(
                            Severity::Error,
                            &at,
                            format!(
                                "variant `{vname}` overrides `{path}`, but the sweep sets `{sp}` ({sat}) for every case, after the variant's overrides, so this override has no effect"
                            ),
                            Some(format!(
                                "remove one of them: this override, or `{sp}` from the sweep"
                            )),
                        ));
                    } else if scanon.starts_with(&canon) {
                        diags.push(src.diag(
                            Severity::Warning,
                            &at,
                            format!(
                                "variant `{vname}` overrides `{path}` as a whole, but the sweep sets `{sp}` ({sat}) for every case, after the variant's overrides, so that part of this override has no effect"
                            ),
                            None,
                        ));
                    }
                }
                if let Err(e) = apply_override(&mut vtree, &tree, path, value) {
                    diags.push(src.diag(
                        Severity::Error,
                        &at,
                        format!("variant `{vname}`: {}", e.message),
                        e.help,
                    ));
                    failed[k] = true;
                }
            }
            if failed.contains(&true) {
                // The other overrides' values are still checked, each on its own: all errors
                // at once, not one round of fixes at a time. (Not their other problems: one
                // may come from the override that failed, such as a region missing from a
                // design whose misspelt override would have added it.)
                let lone = base_check.lone(voverrides, &failed);
                for m in placed(voverrides, lone) {
                    diags.push(misfit_diag(&m));
                }
                expected += points.len();
                continue;
            }
            let vpaths: Vec<&str> = voverrides.iter().map(|(p, _)| p.as_str()).collect();
            // The variant's overrides as its cases record them, built once for all its points.
            let written: Vec<(String, String)> = voverrides
                .iter()
                .map(|(p, v)| (p.clone(), compact_value(v)))
                .collect();
            // The variant on its own: its problems, once (a sweep's points only add theirs).
            let mut var_msgs = BTreeSet::new();
            // With a sweep the variant never runs on its own: its problems are reported only
            // when some point shows them too (a sweep may set what the variant lacks).
            let mut var_pending: BTreeMap<String, Diagnostic> = BTreeMap::new();
            let mut vscenario = None;
            // The input files the variant's runs read.
            let mut vinputs = vec![];
            if named {
                match checker.check(vtree.clone(), &vpaths, &mut vinputs) {
                    CaseCheck::BaseFailed => {}
                    CaseCheck::Shape(p, why) => {
                        for m in base_check.misfits(voverrides, p, why) {
                            diags.push(misfit_diag(&m));
                        }
                        expected += points.len();
                        continue;
                    }
                    CaseCheck::Done(s, vd) => {
                        for d in vd {
                            // With a sweep the variant never runs on its own: its points say
                            // whether a base warning holds.
                            if sweep_map.is_none()
                                && let Some(seen) = base_warnings.get_mut(&d.message)
                            {
                                *seen = true;
                            }
                            if base_msgs.contains(&d.message) || !var_msgs.insert(d.message.clone())
                            {
                                continue;
                            }
                            let i = base_check.culprit(voverrides, &d.message);
                            let vd = src.diag(
                                d.severity,
                                &variant_at(i),
                                format!("variant `{vname}`: {}", d.message),
                                d.help,
                            );
                            if sweep_map.is_some() {
                                var_pending.insert(d.message, vd);
                            } else {
                                diags.push(vd);
                            }
                        }
                        vscenario = s.map(|s| *s);
                    }
                }
            }
            for (p, d) in &vinputs {
                record_input(&mut inputs, p.clone(), d.clone());
            }
            // A sweep's problem is named after a case whose variant has none of its own.
            let var_clean = count_errors(&diags) == errors_before
                && !var_pending.values().any(|d| d.severity == Severity::Error);
            let Some(sweep_map) = sweep_map else {
                // No sweep: the variant (or the base) is the case.
                expected += 1;
                let s = if plain { base.clone() } else { vscenario };
                if let Some(s) = s {
                    out.push((vname.clone(), s));
                    cases.push(CaseInfo {
                        variant: vname.clone(),
                        overrides: written.clone(),
                        point: vec![],
                        digest: case_digest(
                            &vtree,
                            &if plain {
                                base_context.clone()
                            } else {
                                case_context(&vinputs, src)
                            },
                        ),
                    });
                }
                continue;
            };
            points_checked = true;
            // What a swept path may set in this variant: its tree with every field present.
            let vschema = with_defaults(vtree.clone(), &raw.topology);
            // The sweep's values checked alone in this variant, each once.
            let mut point_check = LoneCheck::new(&checker, &vtree, &vschema, &vpaths);
            for point in points {
                expected += 1;
                let label = point_label(point, &shorts);
                let name = if named {
                    format!("{vname} @ {label}")
                } else {
                    label.clone()
                };
                // Where the sweep writes entry `j` of this point: its value in the list.
                let value_at = |j: usize| -> Vec<String> {
                    let (path, value) = &point[j];
                    let mut at = vec!["sweep".to_owned(), path.clone()];
                    if let Some(k) = sweep_map
                        .get(path)
                        .and_then(|vs| vs.iter().position(|v| v.get_ron() == value))
                    {
                        at.push(format!("#{k}"));
                    }
                    at
                };
                // `inner`: where inside the value (a misspelt field of a swept group).
                let mut report = |place: SweepAt,
                                  inner: &[&str],
                                  severity: Severity,
                                  msg: String,
                                  help: Option<String>,
                                  diags: &mut Vec<Diagnostic>| {
                    let at = match place {
                        SweepAt::Sweep => vec!["sweep".to_owned()],
                        SweepAt::Path(j) => vec!["sweep".to_owned(), point[j].0.clone()],
                        SweepAt::Value(j) => value_at(j),
                    };
                    let at: Vec<&str> = at.iter().map(String::as_str).collect();
                    let d = src.diag_within(
                        severity,
                        &at,
                        inner,
                        format!("case `{name}`: {msg}"),
                        help,
                    );
                    match seen_case.entry((d.line, d.col, msg)) {
                        std::collections::btree_map::Entry::Vacant(v) => {
                            v.insert((diags.len(), var_clean));
                            diags.push(d);
                        }
                        std::collections::btree_map::Entry::Occupied(mut o) => {
                            let (i, clean) = *o.get();
                            if var_clean && !clean {
                                diags[i] = d;
                                o.insert((i, true));
                            }
                        }
                    }
                };
                let mut t = vtree.clone();
                let mut failed = vec![false; point.len()];
                for (j, (path, value)) in point.iter().enumerate() {
                    if let Err(e) = apply_override(&mut t, &vschema, path, value) {
                        // A path this variant lacks at the path, once, whatever its values; a
                        // value that cannot be read at the value.
                        let place = if parse_ron_literal(value).is_ok() {
                            SweepAt::Path(j)
                        } else {
                            SweepAt::Value(j)
                        };
                        report(
                            place,
                            &[],
                            Severity::Error,
                            format!("sweep: {}", e.message),
                            e.help,
                            &mut diags,
                        );
                        failed[j] = true;
                    }
                }
                if failed.contains(&true) {
                    // The point's other values are still checked, each on its own.
                    let lone = point_check.lone(point, &failed);
                    for m in placed(point, lone) {
                        let (at, msg, help) = m.swept();
                        report(at, &m.inner(), Severity::Error, msg, help, &mut diags);
                    }
                    continue;
                }
                let point_values = point
                    .iter()
                    .map(|(path, value)| {
                        let label = compact_value(value);
                        PointValue {
                            path: path.clone(),
                            x: label.parse::<f64>().ok().filter(|x| x.is_finite()),
                            label,
                        }
                    })
                    .collect();
                let mut info = CaseInfo {
                    variant: vname.clone(),
                    overrides: written.clone(),
                    point: point_values,
                    digest: String::new(),
                };
                let paths: Vec<&str> = vpaths
                    .iter()
                    .copied()
                    .chain(point.iter().map(|(p, _)| p.as_str()))
                    .collect();
                // The input files this point's runs read.
                let mut pinputs = vec![];
                let checked = checker.check(t.clone(), &paths, &mut pinputs);
                info.digest = case_digest(&t, &case_context(&pinputs, src));
                for (p, d) in pinputs {
                    record_input(&mut inputs, p, d);
                }
                match checked {
                    CaseCheck::BaseFailed => {}
                    CaseCheck::Shape(p, why) => {
                        for m in point_check.misfits(point, p, why) {
                            let (at, msg, help) = m.swept();
                            report(at, &m.inner(), Severity::Error, msg, help, &mut diags);
                        }
                    }
                    CaseCheck::Done(s, vd) => {
                        for d in vd {
                            if var_msgs.contains(&d.message) {
                                if let Some(vd) = var_pending.remove(&d.message) {
                                    diags.push(vd);
                                }
                                continue;
                            }
                            if let Some(seen) = base_warnings.get_mut(&d.message) {
                                *seen = true;
                            }
                            if base_msgs.contains(&d.message) {
                                continue;
                            }
                            let j = point_check.culprit(point, &d.message);
                            let at = SweepAt::of(j);
                            report(at, &[], d.severity, d.message, d.help, &mut diags);
                        }
                        if let Some(s) = s {
                            out.push((name, *s));
                            cases.push(info);
                        }
                    }
                }
            }
        }
        if let Some(sweep_map) = sweep_map
            && !points_checked
        {
            swept_misfits_alone(&mut base_check, sweep_map, src, &mut diags);
        }
    }
    // Every case checked without errors, and none showed a base warning: its value was
    // overridden everywhere. (With errors some cases went unchecked: the warning stays.)
    if !plain && points.is_some() && count_errors(&diags) == 0 {
        let mut k = 0;
        diags.retain(|d| {
            k += 1;
            k > base_diags || base_warnings.get(&located(d, src, topo_src)) != Some(&false)
        });
    }
    let target_ci = raw.target_ci.as_ref().map(|t| TargetCi {
        metric: t.metric.clone(),
        half_width: t.half_width,
        max_seeds: t.max_seeds,
    });
    let exp = Experiment {
        name: raw.name.clone(),
        question: raw.question.clone(),
        seed: raw.seed,
        variants: out,
        cases,
        sweep: sweep_paths(sweep.as_ref()),
        seeds: raw.seeds.max(1),
        target_ci,
        inputs,
    };
    let complete = points.is_some() && seeds_ok && exp.variants.len() == expected;
    super::finish(complete.then_some(exp), diags)
}

/// Parses an override's RON value and sets it at its dotted path.
/// `schema`: the file's tree, every field present ([`set_path_with`]).
fn apply_override(
    tree: &mut serde_json::Value,
    schema: &serde_json::Value,
    path: &str,
    value: &str,
) -> Result<(), PathError> {
    let mut parsed = parse_ron_literal(value).map_err(|e| {
        PathError::from(format!(
            "override `{path}`: cannot read the value `{}`: {e}",
            value.trim()
        ))
    })?;
    if let Some(s) = get_path(schema, path) {
        drop_struct_names(&mut parsed, s);
    }
    set_path_with(tree, path, parsed, Some(schema))
}

/// How many of `diags` are errors.
fn count_errors(diags: &[Diagnostic]) -> usize {
    diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count()
}

/// The fields and indices of a path, however it is spelt: an override's `faults.0.at_s` and
/// the deserialiser's `faults[0].RegionOutage.at_s` (enum tags, capitalised, are dropped).
fn path_parts(p: &str) -> Vec<&str> {
    p.split(['.', '[', ']'])
        .filter(|c| !c.is_empty() && !c.starts_with(|ch: char| ch.is_ascii_uppercase()))
        .collect()
}

/// The path of a value of the wrong kind as the user wrote it (`written`, the override or
/// swept path that set it) when that names the same field, else as the deserialiser found it.
fn as_written(written: Option<&str>, found: String) -> String {
    match written {
        Some(w) if path_parts(w) == path_parts(&found) => w.to_owned(),
        _ => found,
    }
}

/// A value that does not fit the config types, placed at the override (or swept value) that
/// brings it.
struct Misfit {
    /// Which of the entries; `None` when none does alone.
    entry: Option<usize>,
    /// The path as the user wrote it; for an unknown field, its parent's.
    named: String,
    /// The path's fields below the entry's own: where inside the entry's value it is.
    inner_parts: Vec<String>,
    why: String,
}

impl Misfit {
    fn inner(&self) -> Vec<&str> {
        self.inner_parts.iter().map(String::as_str).collect()
    }

    /// As a sweep's problem: where, the message and the did-you-mean.
    fn swept(&self) -> (SweepAt, String, Option<String>) {
        (
            SweepAt::of(self.entry),
            shape_message(SWEEP, &self.named, &self.why),
            misfit_help(&self.named, &self.why),
        )
    }
}

/// An override tree with every field present, as the file's own tree has them (an override
/// writes only some): read as the config types and written back. A tree that does not read
/// is returned as it is. `topology` is the experiment's topology file name.
fn with_defaults(mut t: serde_json::Value, topology: &str) -> serde_json::Value {
    let topo = t["topology"].take();
    let mut e = t.clone();
    e["topology"] = serde_json::Value::String(topology.to_owned());
    let read = serde::Deserialize::deserialize(Strict(e))
        .ok()
        .and_then(|e: RawExperiment| serde_json::to_value(&e).ok());
    let mut out = read.unwrap_or(t);
    out["topology"] = topo;
    out
}

/// Where in the sweep a case's problem is reported.
#[derive(Clone, Copy)]
enum SweepAt {
    /// At `sweep`: no single value of the point brings it (they do together, or with the
    /// variant's overrides), so the case name, which lists them all, tells.
    Sweep,
    /// At the swept path of the point's entry `j` (its values do not matter).
    Path(usize),
    /// At the value the point's entry `j` takes.
    Value(usize),
}

impl SweepAt {
    /// At the value of entry `j`, or at the sweep without one.
    fn of(j: Option<usize>) -> SweepAt {
        j.map_or(SweepAt::Sweep, SweepAt::Value)
    }
}

/// When every variant has errors of its own no case is checked, and a swept value that does not
/// fit would go unreported until they are fixed: each swept value is checked alone on the base
/// instead (`check`; a value of the wrong kind is wrong whatever the variant), and reported at
/// its place in the sweep.
fn swept_misfits_alone(
    check: &mut LoneCheck,
    sweep_map: &IndexMap<String, Vec<Box<ron::value::RawValue>>>,
    src: &Source,
    diags: &mut Vec<Diagnostic>,
) {
    for (path, values) in sweep_map {
        for (k, value) in values.iter().enumerate() {
            let entry = [(path.clone(), value.get_ron().to_owned())];
            for m in placed(&entry, check.lone(&entry, &[])) {
                let at = ["sweep", path.as_str(), &format!("#{k}")];
                let (_, msg, help) = m.swept();
                diags.push(src.diag_within(Severity::Error, &at, &m.inner(), msg, help));
            }
        }
    }
}

/// Checks entries (a variant's overrides, a sweep point's values) one by one, each applied
/// alone to `level` on top of the paths `under` (the variant's own overrides, for a sweep
/// point): for values that do not fit the config types, and for which of them brings a given
/// problem. `schema` is the tree with every field present ([`set_path_with`]). An entry's
/// verdict depends only on its path and value, so it is worked out once, when first needed, and
/// kept: a sweep's points share their values.
struct LoneCheck<'a> {
    checker: &'a CaseChecker<'a>,
    level: &'a serde_json::Value,
    schema: &'a serde_json::Value,
    under: &'a [&'a str],
    memo: BTreeMap<Override, Verdict>,
}

/// What one entry applied alone gives.
#[derive(Default)]
struct Verdict {
    /// Where it does not fit the config types and why, if it does not.
    misfit: Option<(String, String)>,
    /// The messages of its validation, when it fits.
    messages: BTreeSet<String>,
}

impl<'a> LoneCheck<'a> {
    fn new(
        checker: &'a CaseChecker<'a>,
        level: &'a serde_json::Value,
        schema: &'a serde_json::Value,
        under: &'a [&'a str],
    ) -> Self {
        LoneCheck {
            checker,
            level,
            schema,
            under,
            memo: BTreeMap::new(),
        }
    }

    /// `entry` applied alone (an entry whose path cannot be set gives nothing: its own error
    /// says so).
    fn verdict(&mut self, entry: &Override) -> &Verdict {
        if !self.memo.contains_key(entry) {
            let (path, value) = entry;
            let mut t = self.level.clone();
            let paths: Vec<&str> = self.under.iter().copied().chain([path.as_str()]).collect();
            let mut v = Verdict::default();
            if apply_override(&mut t, self.schema, path, value).is_ok() {
                match self.checker.check(t, &paths, &mut vec![]) {
                    CaseCheck::Shape(q, w) if related(path, &q) => v.misfit = Some((q, w)),
                    CaseCheck::Done(_, ds) => {
                        v.messages = ds.into_iter().map(|d| d.message).collect();
                    }
                    _ => {}
                }
            }
            self.memo.insert(entry.clone(), v);
        }
        &self.memo[entry]
    }

    /// Each of `entries` that does not fit on its own: its index, the path and why. An entry
    /// marked in `failed` is passed over.
    fn lone(
        &mut self,
        entries: &[Override],
        failed: &[bool],
    ) -> Vec<(Option<usize>, String, String)> {
        let mut found = vec![];
        for (k, entry) in entries.iter().enumerate() {
            if failed.get(k) == Some(&true) {
                continue;
            }
            if let Some((q, w)) = &self.verdict(entry).misfit {
                found.push((Some(k), q.clone(), w.clone()));
            }
        }
        found
    }

    /// The first of `entries` that, applied alone, gives the problem `msg`; `None` when none
    /// does alone (they do together).
    fn culprit(&mut self, entries: &[Override], msg: &str) -> Option<usize> {
        if entries.len() == 1 {
            return Some(0);
        }
        entries
            .iter()
            .position(|entry| self.verdict(entry).messages.contains(msg))
    }

    /// Every entry that does not fit on its own, placed: all such errors at once. When none
    /// misfits alone, the one the first misfit of all of them together (`p`, `why`) is in.
    fn misfits(&mut self, entries: &[Override], p: String, why: String) -> Vec<Misfit> {
        let mut found = if entries.len() > 1 {
            self.lone(entries, &[])
        } else {
            vec![]
        };
        if found.is_empty() {
            let i = entries.iter().position(|(o, _)| related(o, &p));
            found.push((i, p, why));
        }
        placed(entries, found)
    }
}

/// Misfits found in `entries` ([`LoneCheck::lone`]), each placed inside its entry's value.
fn placed(entries: &[Override], found: Vec<(Option<usize>, String, String)>) -> Vec<Misfit> {
    found
        .into_iter()
        .map(|(i, p, why)| {
            let inner_parts = match i {
                Some(i) => inner_segments(&entries[i].0, &p),
                None => vec![],
            };
            // An unknown field is named by the message: the path is its parent's.
            let named = match p.rsplit_once('.') {
                Some((parent, _)) if why.starts_with("unknown field") => parent,
                _ => p.as_str(),
            };
            // As an override path is written: `faults.1.…`, not `faults[1].…`.
            let named = as_written(
                i.map(|i| entries[i].0.as_str()),
                named.replace('[', ".").replace(']', ""),
            );
            Misfit {
                entry: i,
                named,
                inner_parts,
                why,
            }
        })
        .collect()
}

/// The segments of the deserialiser's path `found` below the override path `written` that
/// leads to it: where inside the override's value the problem is. Unlike [`path_parts`], enum
/// tags and capitalised map keys are kept (the locator passes over a tag, which is no key) and
/// list indices too (`faults[1]` is the second outage).
fn inner_segments(written: &str, found: &str) -> Vec<String> {
    let segments = |p: &str| -> Vec<String> {
        p.split(['.', '[', ']'])
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let written = segments(written);
    let mut inner = vec![];
    let mut matched = 0;
    for seg in segments(found) {
        if matched < written.len() {
            // The override's own path, with any enum tag the deserialiser put between its
            // parts passed over.
            if seg == written[matched] {
                matched += 1;
            }
            continue;
        }
        inner.push(seg);
    }
    inner
}

/// The message for a value that does not fit the config types: an unknown name is said to be
/// one (an override of `dns` has an unknown field …), anything else is a value of the wrong
/// kind (the sweep sets `x` to the wrong kind of value …).
fn shape_message(who: Setter, path: &str, why: &str) -> String {
    if why.starts_with("unknown field") || why.starts_with("unknown variant") {
        format!("{} of `{path}` has an {why}", who.a)
    } else {
        format!(
            "{} sets `{path}` to the wrong kind of value: {why}",
            who.the
        )
    }
}

/// Who set a value that does not fit, named as [`shape_message`] needs it.
struct Setter<'a> {
    /// As one of many: "an override" (of `dns` has an unknown field …).
    a: &'a str,
    /// As the one that did it: "the sweep" (sets `x` to the wrong kind of value).
    the: &'a str,
}

/// A sweep's values, as [`shape_message`] names them.
const SWEEP: Setter = Setter {
    a: "a swept value",
    the: "the sweep",
};

/// True when one path is within the other, field by field.
fn related(a: &str, b: &str) -> bool {
    let (a, b) = (path_parts(a), path_parts(b));
    a.starts_with(&b) || b.starts_with(&a)
}

/// What validating one case's override tree gave.
enum CaseCheck {
    /// The tree does not fit the config types: the dotted path and why.
    Shape(String, String),
    /// It failed where the base failed and no override touched that place: reported already.
    BaseFailed,
    /// Validated: the scenario, when valid, and every diagnostic.
    Done(Option<Box<Scenario>>, Vec<Diagnostic>),
}

/// A case's message as it is reported at the override that caused it: a problem in a file the
/// override brought in (a price file, an RTT matrix) keeps that file's own place in front.
fn located(d: &Diagnostic, src: &Source, topo_src: &Source) -> String {
    if d.file == src.display || d.file == topo_src.display {
        return d.message.clone();
    }
    // One spelling per file (`./p.ron` and `p.ron`, `a/../p.ron`), so that one problem found
    // through two spellings is reported once.
    let mut file = std::path::PathBuf::new();
    for c in std::path::Path::new(&d.file).components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir
                if matches!(
                    file.components().next_back(),
                    Some(std::path::Component::Normal(_))
                ) =>
            {
                file.pop();
            }
            c => file.push(c),
        }
    }
    let file = file.display();
    match (d.line, d.col) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}: {}", d.message),
        _ => format!("{file}: {}", d.message),
    }
}

/// Validates override trees of one experiment.
struct CaseChecker<'a> {
    src: &'a Source,
    topo_src: &'a Source,
    /// The experiment's `topology` field as written.
    topology: &'a str,
    /// The base experiment had problems (reported already).
    base_failed: bool,
}

impl CaseChecker<'_> {
    /// Deserialises and validates `t`, to which overrides of `overridden` were applied.
    fn check(
        &self,
        mut t: serde_json::Value,
        overridden: &[&str],
        inputs: &mut Vec<(String, String)>,
    ) -> CaseCheck {
        let topo_tree = t["topology"].take();
        t["topology"] = serde_json::Value::String(self.topology.to_owned());
        let vt: Result<RawTopology, _> = serde_path_to_error::deserialize(Strict(topo_tree));
        let ve: Result<RawExperiment, _> = serde_path_to_error::deserialize(Strict(t));
        // A value the tree cannot hold (NaN or infinity becomes null) fails here in every
        // case although no override touched it; the base's validation has reported it.
        let shape = |p: String, why: String| {
            if self.base_failed && !overridden.iter().any(|o| related(o, &p)) {
                CaseCheck::BaseFailed
            } else {
                CaseCheck::Shape(p, why)
            }
        };
        match (vt, ve) {
            (Ok(vt), Ok(ve)) => {
                let mut vd = vec![];
                let s = scenario(&ve, &vt, self.src, self.topo_src, &mut vd, inputs);
                for d in &mut vd {
                    d.message = located(d, self.src, self.topo_src);
                }
                CaseCheck::Done(s.map(Box::new), vd)
            }
            (Err(e), _) => shape(format!("topology.{}", e.path()), e.inner().to_string()),
            (_, Err(e)) => shape(e.path().to_string(), e.inner().to_string()),
        }
    }
}

/// Checks `seeds` and `target_ci`; false when either is unusable.
fn repetition(raw: &RawExperiment, src: &Source, diags: &mut Vec<Diagnostic>) -> bool {
    let mut ok = true;
    if raw.seeds == 0 || raw.seeds > MAX_SEEDS {
        diags.push(src.diag(
            Severity::Error,
            &["seeds"],
            format!(
                "`seeds` is {}: expected a number of replications from 1 to {MAX_SEEDS}",
                raw.seeds
            ),
            None,
        ));
        ok = false;
    }
    if let Some(t) = &raw.target_ci {
        if !crate::stats::is_metric(&t.metric) {
            diags.push(src.diag(
                Severity::Error,
                &["target_ci", "metric"],
                format!("`target_ci.metric`: unknown metric `{}`", t.metric),
                Some(crate::stats::metric_hint(&t.metric)),
            ));
            ok = false;
        }
        if !(t.half_width.is_finite() && t.half_width > 0.0) {
            diags.push(src.diag(
                Severity::Error,
                &["target_ci", "half_width"],
                format!(
                    "`target_ci.half_width` is {}: expected a positive number in the metric's unit",
                    t.half_width
                ),
                None,
            ));
            ok = false;
        }
        if t.max_seeds < raw.seeds.max(2) || t.max_seeds > MAX_SEEDS {
            diags.push(src.diag(
                Severity::Error,
                &["target_ci", "max_seeds"],
                format!(
                    "`target_ci.max_seeds` is {}: expected from {} (`seeds`, and at least 2 for an interval) to {MAX_SEEDS}",
                    t.max_seeds,
                    raw.seeds.max(2)
                ),
                None,
            ));
            ok = false;
        }
    }
    ok
}

/// Most replications one case may ask for.
pub const MAX_SEEDS: u32 = 10_000;

/// Most cases one sweep may expand to.
const MAX_POINTS: usize = 10_000;
/// At most this many cases (variants × sweep points) in one experiment.
const MAX_CASES: usize = 10_000;
/// At most this many runs (cases × seeds) in one experiment.
const MAX_RUNS: usize = 1_000_000;

/// The swept paths, in order.
fn sweep_paths(sweep: Option<&RawSweep>) -> Vec<String> {
    match sweep {
        None => vec![],
        Some(RawSweep::Grid(m) | RawSweep::Zip(m)) => m.keys().cloned().collect(),
    }
}

/// A question about a config tree.
type TreeTest<'a> = &'a dyn Fn(&serde_json::Value) -> bool;

/// The points of a sweep (each a list of overrides), or `None` after reporting why not.
/// Every path is tried on the base tree once, so a bad path is reported once, with did-you-mean;
/// one that only some variant's tree has (`in_a_variant` tells) is left to each case.
fn sweep_points(
    sweep: &RawSweep,
    tree: &serde_json::Value,
    in_a_variant: &dyn Fn(TreeTest) -> bool,
    src: &Source,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<Vec<Override>>> {
    let (grid, m) = match sweep {
        RawSweep::Grid(m) => (true, m),
        RawSweep::Zip(m) => (false, m),
    };
    // Paths with an error are left out of the points, which are still built from the others
    // so that the cases' own problems are reported with the sweep's (the run is refused).
    let mut bad = BTreeSet::new();
    if m.is_empty() {
        diags.push(src.diag(
            Severity::Error,
            &["sweep"],
            "the sweep names no path: expected `Grid({\"path\": [values…]})` or `Zip({…})`".into(),
            None,
        ));
        return Some(vec![vec![]]);
    }
    for (path, values) in m {
        if values.is_empty() {
            diags.push(src.diag(
                Severity::Error,
                &["sweep", path],
                format!("sweep: `{path}` has no values"),
                None,
            ));
            bad.insert(path);
            continue;
        }
        let first = values[0].get_ron();
        let set_in = |t: &serde_json::Value| {
            let mut t = t.clone();
            parse_ron_literal(first)
                .map_err(|e| {
                    PathError::from(format!("cannot read the value `{}`: {e}", first.trim()))
                })
                .and_then(|v| set_path(&mut t, path, v))
        };
        // A path some variant has is checked case by case (where a variant lacks it).
        let r = set_in(tree).or_else(|e| {
            if in_a_variant(&|t| set_in(t).is_ok()) {
                Ok(())
            } else {
                Err(e)
            }
        });
        if let Err(e) = r {
            diags.push(src.diag(
                Severity::Error,
                &["sweep", path],
                format!("sweep: {}", e.message),
                e.help,
            ));
            bad.insert(path);
        }
    }
    let mut lists: Vec<(&String, Vec<String>)> = m
        .iter()
        .filter(|(p, _)| !bad.contains(p))
        .map(|(p, vs)| (p, vs.iter().map(|v| v.get_ron().to_owned()).collect()))
        .collect();
    if lists.is_empty() {
        return Some(vec![vec![]]);
    }
    if !grid {
        // (Checked over every path, as written, not only the readable ones; `m` is not empty.)
        let (first, n) = m
            .iter()
            .next()
            .map_or((lists[0].0, 0), |(p, vs)| (p, vs.len()));
        if let Some((p, vs)) = m.iter().find(|(_, vs)| vs.len() != n) {
            diags.push(src.diag(
                Severity::Error,
                &["sweep", p],
                format!(
                    "sweep: `Zip` takes lists of one length; `{first}` has {n} values but `{p}` has {}",
                    vs.len()
                ),
                Some("use `Grid` for every combination".into()),
            ));
            // The cases are checked at the points all lists have.
            let shortest = lists.iter().map(|(_, vs)| vs.len()).min().unwrap_or(0);
            for (_, vs) in &mut lists {
                vs.truncate(shortest);
            }
        }
    }
    // As written (a path with an error counts too: the sweep is refused once it is fixed).
    let count: usize = if grid {
        m.values()
            .map(|v| v.len().max(1))
            .try_fold(1usize, |a, n| a.checked_mul(n))
            .unwrap_or(usize::MAX)
    } else {
        m.values().map(Vec::len).max().unwrap_or(0)
    };
    if count > MAX_POINTS {
        diags.push(src.diag(
            Severity::Error,
            &["sweep"],
            format!("the sweep has {count} points; at most {MAX_POINTS} are allowed"),
            None,
        ));
        return None;
    }
    // A Zip with a path left out (an error) or cut short (lists of unequal length) is not
    // checked: points differing only in what is missing would look alike.
    let whole = lists.len() == m.len() && m.values().all(|vs| vs.len() == lists[0].1.len());
    if grid || whole {
        repeated_sweep_cases(grid, &lists, src, diags);
    }
    let mut points: Vec<Vec<Override>> = vec![];
    if grid {
        points.push(vec![]);
        for (p, vs) in &lists {
            let mut next = Vec::with_capacity(points.len() * vs.len());
            for pt in &points {
                for v in vs {
                    let mut q = pt.clone();
                    q.push(((*p).clone(), v.clone()));
                    next.push(q);
                }
            }
            points = next;
        }
    } else {
        for i in 0..lists[0].1.len() {
            points.push(
                lists
                    .iter()
                    .map(|(p, vs)| ((*p).clone(), vs[i].clone()))
                    .collect(),
            );
        }
    }
    Some(points)
}

/// Reports sweep values that would make two cases alike: the same value twice (`60` and `60.0`
/// too: each case would run twice), or two values that read alike in case names (`"U S"` and
/// `"US"` both read `US`: the results could not tell them apart). A `Grid` is checked path by
/// path, at the later value; a `Zip` point by point (a value may repeat in one of its lists).
fn repeated_sweep_cases(
    grid: bool,
    lists: &[(&String, Vec<String>)],
    src: &Source,
    diags: &mut Vec<Diagnostic>,
) {
    /// One value (a Grid's) or point (a Zip's): its value key, its label in case names, and
    /// how a message shows it. The k-th item of a group is at `#k` of its list.
    struct Item {
        key: String,
        label: String,
        shown: String,
    }
    // Per group (a Grid's path, or the Zip's points): where its list is, and its items.
    let groups: Vec<(&String, Vec<Item>)> = if grid {
        lists
            .iter()
            .map(|(p, vs)| {
                let items = vs
                    .iter()
                    .enumerate()
                    .map(|(k, v)| Item {
                        key: value_key(v),
                        label: compact_value(v),
                        shown: format!("`{}` at #{k}", v.trim()),
                    })
                    .collect();
                (*p, items)
            })
            .collect()
    } else {
        let n = lists[0].1.len();
        let items = (0..n)
            .map(|i| {
                let key = lists
                    .iter()
                    .map(|(_, vs)| value_key(&vs[i]))
                    .collect::<Vec<_>>();
                let label = lists
                    .iter()
                    .map(|(_, vs)| compact_value(&vs[i]))
                    .collect::<Vec<_>>();
                Item {
                    key: key.join("\u{1}"),
                    label: label.join("; "),
                    shown: format!("#{i}"),
                }
            })
            .collect();
        vec![(lists[0].0, items)]
    };
    let (one, two) = if grid {
        ("value", "values")
    } else {
        ("point", "points")
    };
    for (path, items) in &groups {
        let what = if grid {
            format!("`{path}`")
        } else {
            "the `Zip`".to_owned()
        };
        let mut keys: BTreeMap<&str, usize> = BTreeMap::new();
        let mut labels: BTreeMap<&str, usize> = BTreeMap::new();
        for (k, item) in items.iter().enumerate() {
            let clash = if let Some(&j) = keys.get(item.key.as_str()) {
                Some((
                    format!(
                        "sweep: {what} lists the same {one} twice ({} and {}): its cases would run twice",
                        items[j].shown, item.shown
                    ),
                    Some("remove one of them".to_owned()),
                ))
            } else if let Some(&j) = labels.get(item.label.as_str()) {
                Some((
                    format!(
                        "sweep: {what} has two {two} that read `{}` in case names ({} and {}): the results could not tell their cases apart",
                        item.label, items[j].shown, item.shown
                    ),
                    None,
                ))
            } else {
                keys.insert(&item.key, k);
                labels.insert(&item.label, k);
                None
            };
            if let Some((msg, help)) = clash {
                let at = format!("#{k}");
                diags.push(src.diag(Severity::Error, &["sweep", path, &at], msg, help));
            }
        }
    }
}

/// A sweep value as a key equal for equal values however they are written (`60`, `60.0`,
/// `6e1`; spacing, a trailing comma); the text itself when it cannot be read (reported elsewhere).
fn value_key(ron: &str) -> String {
    fn norm(v: &mut serde_json::Value) {
        match v {
            // A whole float is its integer (exactly: only below 2^63).
            serde_json::Value::Number(n) => {
                if let Some(f) = n.as_f64().filter(|f| n.is_f64() && f.fract() == 0.0)
                    && f.abs() < 9.2e18
                {
                    *n = (f as i64).into();
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(norm),
            serde_json::Value::Object(m) => m.values_mut().for_each(norm),
            _ => {}
        }
    }
    match parse_ron_literal(ron) {
        Ok(mut v) => {
            norm(&mut v);
            v.to_string()
        }
        Err(_) => ron.to_owned(),
    }
}

/// Short names for swept paths: the last segment, or the whole path where two would clash.
fn short_names(paths: Vec<String>) -> Vec<(String, String)> {
    let last = |p: &str| p.rsplit('.').next().unwrap_or(p).to_owned();
    paths
        .iter()
        .map(|p| {
            let l = last(p);
            let clash = paths.iter().filter(|q| last(q) == l).count() > 1;
            (p.clone(), if clash { p.clone() } else { l })
        })
        .collect()
}

/// A RON value for labels and CSV cells: whitespace and quotes removed, commas turned into
/// spaces (`LogNormal(median_ms:100.0 p99_ms:200.0)`, `[eastus westus2]`).
fn compact_value(ron: &str) -> String {
    // Comments are no part of the value (a string may hold `//`), nor a raw string's `r#…#`.
    let b = ron.as_bytes();
    let mut comments = vec![];
    let mut i = 0;
    while i < b.len() {
        if let Some(end) = super::comment_end(b, i) {
            comments.push((i, end));
            i = end;
        } else if let Some(end) = super::string_end(b, i) {
            if b[i] == b'r' {
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                comments.push((i, i + 1 + hashes));
                comments.push(((end + 1).saturating_sub(hashes), end + 1));
            }
            i = end + 1;
        } else {
            i += 1;
        }
    }
    let s: String = ron
        .char_indices()
        .filter(|(at, _)| !comments.iter().any(|&(s, e)| (s..e).contains(at)))
        .map(|(_, c)| c)
        .filter(|c| !c.is_whitespace() && *c != '"')
        .map(|c| if c == ',' { ' ' } else { c })
        .collect();
    s.trim().to_owned()
}

/// `lag=100; ttl_s=30`: a point's label.
fn point_label(point: &[Override], shorts: &[(String, String)]) -> String {
    point
        .iter()
        .map(|(p, v)| {
            let short = shorts
                .iter()
                .find(|(full, _)| full == p)
                .map(|(_, s)| s.as_str())
                .unwrap_or(p);
            format!("{short}={}", compact_value(v))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// What a case depends on besides its own tree: the tool and the content of the input files
/// its runs read (not their paths, which depend on where the tool runs from), except the
/// experiment file, whose content is the tree.
fn case_context(inputs: &[(String, String)], src: &Source) -> String {
    let mut c = format!("regionsim {}\n", env!("CARGO_PKG_VERSION"));
    for (_, d) in inputs.iter().filter(|(p, _)| *p != src.display) {
        c.push_str(d);
        c.push('\n');
    }
    c
}

/// sha256 of a case's override tree (without the fields that do not change a run) and of its
/// context ([`case_context`]).
fn case_digest(tree: &serde_json::Value, context: &str) -> String {
    let mut t = tree.clone();
    if let Some(m) = t.as_object_mut() {
        for k in [
            "name",
            "question",
            "variants",
            "sweep",
            "seeds",
            "target_ci",
        ] {
            m.remove(k);
        }
    }
    let mut bytes = context.as_bytes().to_vec();
    bytes.extend(serde_json::to_vec(&t).expect("tree serialises"));
    super::digest_hex(&bytes)
}
