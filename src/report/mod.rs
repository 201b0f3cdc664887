//! The report: charts and one self-contained report.html, made from a results directory.
//!
//! `regionsim run` writes results, then calls [`build`] on the directory it wrote, and
//! `regionsim report` calls the same [`build`] later: both read the stored files back, so a
//! rebuilt report is byte-identical to the first one and never re-simulates anything.

mod colours;
mod cost;
pub mod data;
mod html;
pub mod sequence;
pub mod sweep;

use crate::chart::bars::{BarPanel, BarsChart};
use crate::chart::cdf::{CdfChart, CdfSeries};
use crate::chart::cost::CostChart;
use crate::chart::heatmap::HeatmapChart;
use crate::chart::map::{Link, MapChart, Place};
use crate::chart::pareto::ParetoChart;
use crate::chart::safety::SafetyChart;
use crate::chart::sequence::SequenceChart;
use crate::chart::style;
use crate::chart::sweep::SweepChart;
use crate::chart::timeline::{Marker, Shade, TimelineChart, TimelinePoint, TimelineSeries};
use crate::chart::{ChartError, Draw, Rendered, render};
use crate::model::Experiment;
use crate::results::write_atomic;
pub use colours::variant_colours;
pub use data::{ReportData, TopologyView};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{dir} holds no summary.json: is it a results directory written by `regionsim run`?")]
    NoSummary { dir: PathBuf },
    #[error("{dir}: no such directory")]
    NoDir { dir: PathBuf },
    /// An experiment file given where its results directory was meant.
    #[error(
        "{file} is a file, not a results directory: `report` redraws what `run` wrote, by default results/<experiment name>/ (did you mean results/{stem}?)"
    )]
    NotADir { file: PathBuf, stem: String },

    /// The I/O error is this error's `source`, printed after it by `{:#}`.
    #[error("cannot read {path}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid: {message}")]
    Json { path: PathBuf, message: String },
    #[error("{path}, line {line}: {message}")]
    Csv {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error(transparent)]
    Chart(#[from] ChartError),
}

impl ReportError {
    /// Whether the error is in the results directory given (exit code 2), not the machine.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            ReportError::NoSummary { .. }
                | ReportError::NoDir { .. }
                | ReportError::NotADir { .. }
                | ReportError::Json { .. }
                | ReportError::Csv { .. }
        )
    }
}

/// Any chart kind.
#[derive(Debug, Clone)]
pub enum AnyChart {
    Cdf(CdfChart),
    Bars(BarsChart),
    Timeline(TimelineChart),
    Heatmap(HeatmapChart),
    Map(MapChart),
    Safety(SafetyChart),
    Sweep(SweepChart),
    Sequence(SequenceChart),
    Cost(CostChart),
    Pareto(ParetoChart),
}

impl AnyChart {
    fn render(&self, name: &str, png: bool) -> Result<Rendered, ChartError> {
        match self {
            AnyChart::Cdf(c) => render(name, c, png),
            AnyChart::Bars(c) => render(name, c, png),
            AnyChart::Timeline(c) => render(name, c, png),
            AnyChart::Heatmap(c) => render(name, c, png),
            AnyChart::Map(c) => render(name, c, png),
            AnyChart::Safety(c) => render(name, c, png),
            AnyChart::Sweep(c) => render(name, c, png),
            AnyChart::Sequence(c) => render(name, c, png),
            AnyChart::Cost(c) => render(name, c, png),
            AnyChart::Pareto(c) => render(name, c, png),
        }
    }
    /// Width and height in pixels.
    pub fn size(&self) -> (u32, u32) {
        match self {
            AnyChart::Cdf(c) => c.size(),
            AnyChart::Bars(c) => c.size(),
            AnyChart::Timeline(c) => c.size(),
            AnyChart::Heatmap(c) => c.size(),
            AnyChart::Map(c) => c.size(),
            AnyChart::Safety(c) => c.size(),
            AnyChart::Sweep(c) => c.size(),
            AnyChart::Sequence(c) => c.size(),
            AnyChart::Cost(c) => c.size(),
            AnyChart::Pareto(c) => c.size(),
        }
    }
}

/// A chart of the report: its file stem, a caption that says what to read in it, and input.
#[derive(Debug, Clone)]
pub struct ChartSpec {
    pub stem: String,
    pub caption: String,
    pub chart: AnyChart,
}

/// Every chart of a report, in report order. A pure function of the stored results.
pub fn charts(d: &ReportData) -> Vec<ChartSpec> {
    let s = &d.summary;
    let colours = variant_colours(d);
    let mut out = vec![];
    let mut stems = BTreeSet::new();
    let mut stem = |base: String| {
        let mut name = base.clone();
        let mut k = 2;
        while !stems.insert(name.clone()) {
            name = format!("{base}-{k}");
            k += 1;
        }
        name
    };
    // Populations in first-seen order over the variants.
    let mut pops: Vec<String> = vec![];
    for v in &s.variants {
        for p in &v.populations {
            if !pops.contains(&p.scope.name) {
                pops.push(p.scope.name.clone());
            }
        }
    }
    let scope_of = |v: &data::VariantView, pop: Option<&str>| -> Option<data::ScopeView> {
        match pop {
            None => Some(v.overall.clone()),
            Some(n) => v
                .populations
                .iter()
                .find(|p| p.scope.name == n)
                .map(|p| p.scope.clone()),
        }
    };

    // Latency CDFs: everyone, then each population.
    let groups: Vec<Option<&str>> = std::iter::once(None)
        .chain(pops.iter().map(|p| Some(p.as_str())))
        .collect();
    for g in &groups {
        let series = s
            .variants
            .iter()
            .enumerate()
            .map(|(i, v)| CdfSeries {
                label: v.variant.clone(),
                colour: colours[i],
                points: scope_of(v, *g).map(|sc| sc.all.cdf).unwrap_or_default(),
            })
            .collect();
        let who = g.unwrap_or("all populations");
        out.push(ChartSpec {
            stem: stem(format!("latency-cdf-{}", style::slug(g.unwrap_or("all")))),
            caption: format!(
                "Latency CDF, {who}: the share of successful requests at or below each latency (log scale). Lines further left are faster; where a line flattens near 100% is its tail."
            ),
            chart: AnyChart::Cdf(CdfChart {
                title: format!("Latency CDF — {who}"),
                series,
            }),
        });
    }

    // Bar charts per population: a group per population, then everyone (`None`).
    let bar_groups: Vec<Option<&str>> = pops
        .iter()
        .map(|p| Some(p.as_str()))
        .chain(std::iter::once(None))
        .collect();
    let labels: Vec<String> = pops
        .iter()
        .cloned()
        .chain(std::iter::once("(all)".to_owned()))
        .collect();

    // p50 / p95 / p99 per population.
    let panel = |name: &str, get: fn(&data::LatencyView) -> f64| BarPanel {
        y_desc: format!("{name} latency (ms)"),
        values: bar_groups
            .iter()
            .map(|&g| {
                s.variants
                    .iter()
                    .map(|v| {
                        scope_of(v, g)
                            .filter(|sc| sc.all.count > 0)
                            .map(|sc| get(&sc.all))
                    })
                    .collect()
            })
            .collect(),
    };
    out.push(ChartSpec {
        stem: stem("latency-percentiles".into()),
        caption: "Median, p95 and p99 latency per population, a bar per variant: how much each design saves where, and whether it saves it in the tail too.".into(),
        chart: AnyChart::Bars(BarsChart {
            title: "Latency percentiles per population".into(),
            groups: labels.clone(),
            variants: variants(d),
            panels: vec![
                panel("p50", |l| l.p50_ms),
                panel("p95", |l| l.p95_ms),
                panel("p99", |l| l.p99_ms),
            ],
            missing: "no successful requests".into(),
        }),
    });

    // Timeline of the overall scope after the warm-up, faults shaded.
    let all: Vec<usize> = (0..s.variants.len()).collect();
    // What the dashed lines of a timeline mark, when it has any, and what they leave out.
    let marked = |markers: &[Marker], omitted: usize| -> String {
        let ttl = markers.iter().any(|m| m.in_legend);
        let events = markers.iter().any(|m| !m.in_legend);
        let lines = match (events, ttl) {
            (true, true) => {
                "; dashed lines mark health verdicts, promotions and, for TTL variants, when cached DNS answers expire"
            }
            (true, false) => "; dashed lines mark health verdicts and promotions",
            (false, true) => {
                "; dashed lines mark when cached DNS answers expire (unhealthy verdict + the variant's TTL)"
            }
            (false, false) => "",
        };
        match omitted {
            0 => lines.to_owned(),
            n => format!(
                "{lines}; its {n} health verdicts and promotions are too many to draw (summary.json lists them)"
            ),
        }
    };
    let timeline_series = |members: &[usize]| -> Vec<TimelineSeries> {
        members
            .iter()
            .map(|&i| {
                let v = &s.variants[i];
                TimelineSeries {
                    label: v.variant.clone(),
                    colour: colours[i],
                    points: d
                        .timeline
                        .iter()
                        .filter(|r| r.variant == v.variant && r.scope == "overall" && !r.warmup)
                        .map(|r| TimelinePoint {
                            start_s: r.window_start_s,
                            availability: r.availability,
                            p99_ms: r.p99_ms,
                        })
                        .collect(),
                }
            })
            .collect()
    };
    let (markers, omitted) = timeline_markers(d, &colours, &all);
    out.push(ChartSpec {
        stem: stem("timeline".into()),
        caption: format!(
            "Availability and p99 latency of all requests per window after the warm-up (requests counted in the window they were issued); shaded spans are faults{}.",
            marked(&markers, omitted)
        ),
        chart: AnyChart::Timeline(TimelineChart {
            title: "Availability and p99 latency over time".into(),
            series: timeline_series(&all),
            shades: fault_shades(s, &all),
            markers,
        }),
    });
    // A sweep too big for one timeline to read: the same chart for each of its lines, the
    // swept values in shades of the line's hue (lighter for smaller values), with the health
    // verdicts and promotions of that line's variants only.
    if let Some(lines) = colours::shaded_lines(d).filter(|l| l.len() > 1) {
        for (label, members) in lines.iter().filter(|(_, m)| !m.is_empty()) {
            let (markers, omitted) = timeline_markers(d, &colours, members);
            out.push(ChartSpec {
                stem: stem(format!("timeline-{}", style::slug(label))),
                caption: format!(
                    "The timeline above for the sweep's line {label} alone: a line per swept value, lighter for smaller values; shaded spans are these variants' faults{}.",
                    marked(&markers, omitted)
                ),
                chart: AnyChart::Timeline(TimelineChart {
                    title: format!("Availability and p99 latency over time — {label}"),
                    series: timeline_series(members),
                    shades: fault_shades(s, members),
                    markers,
                }),
            });
        }
    }

    // Data safety: conflicts and losses per variant.
    type Count = fn(&data::DataView) -> u64;
    let kinds: [(&str, Count); 5] = [
        ("conflicting write pairs", |x| x.conflicts),
        ("lost to conflicts", |x| x.lost_to_conflicts),
        ("wrong winners", |x| x.wrong_winners),
        ("lost at failover", |x| x.lost_at_failover),
        ("pending resolutions", |x| x.pending_resolutions),
    ];
    // Quorum resolves concurrent versions without counting them (README, data layer): its
    // empty bars say nothing of conflicts, and the chart must not call it safe.
    let quorum = s
        .variants
        .iter()
        .filter(|v| v.data.replication.starts_with("Quorum"))
        .count();
    let quorum_note = match quorum {
        0 => "",
        n if n == s.variants.len() => {
            " Quorum counts no conflicts, lost updates or wrong winners (it resolves concurrent versions without counting them) and has no failover, so this chart can show nothing for it: its empty bars say nothing of safety."
        }
        _ => {
            " Quorum variants count no conflicts, lost updates or wrong winners (they resolve concurrent versions without counting them): their empty bars are not a sign of safety."
        }
    };
    out.push(ChartSpec {
        stem: stem("data-safety".into()),
        caption: format!("What happened to acknowledged writes, per variant (log scale, every count written on its bar): conflicting write pairs (pairs of writes to one key accepted in different regions, neither having seen the other), updates lost to last-writer-wins, lost updates whose winner was earlier in true time (wrong winners, from clock skew), writes lost when a standby was promoted, and concurrent versions left for the application.{quorum_note}"),
        chart: AnyChart::Safety(SafetyChart {
            title: "Data safety: conflicts and lost writes".into(),
            kinds: kinds.iter().map(|k| k.0.to_owned()).collect(),
            variants: variants(d),
            counts: kinds
                .iter()
                .map(|k| s.variants.iter().map(|v| (k.1)(&v.data)).collect())
                .collect(),
            all_zero_message: if quorum == s.variants.len() {
                "nothing to show: Quorum counts no conflicts and has no failover (see the caption)".into()
            } else {
                "no conflicts and no lost writes: every acknowledged write survived".into()
            },
        }),
    });

    // Stale reads per population of the reader, when some variant had any. (Their staleness
    // ages are in data.csv: one write lost at a failover makes them minutes, which would hide
    // every other bar on a shared axis.)
    if s.variants
        .iter()
        .any(|v| v.data.by_population.iter().any(|p| p.stale_reads > 0))
    {
        let ratio = |v: &data::VariantView, g: Option<&str>| -> Option<f64> {
            match g {
                None => v.data.stale_read_ratio,
                Some(n) => v
                    .data
                    .by_population
                    .iter()
                    .find(|p| p.population == n)
                    .and_then(|p| p.stale_read_ratio),
            }
        };
        let values = bar_groups
            .iter()
            .map(|&g| {
                s.variants
                    .iter()
                    .map(|v| ratio(v, g).map(|x| x * 100.0))
                    .collect()
            })
            .collect();
        out.push(ChartSpec {
            stem: stem("stale-reads".into()),
            caption: "Stale reads per population of the reader, a bar per variant: the share of its reads that returned a version older than the newest acknowledged anywhere (SPEC §3). Where a population is served, how far that replica lags the writes it misses, and (after a failover) writes lost with the old primary, which keep their keys stale until rewritten, all show here. data.csv has the counts and staleness ages.".into(),
            chart: AnyChart::Bars(BarsChart {
                title: "Stale reads per population".into(),
                groups: labels,
                variants: variants(d),
                panels: vec![BarPanel {
                    y_desc: "stale reads (%)".into(),
                    values,
                }],
                missing: "no reads".into(),
            }),
        });
    }

    // Cost: stacked monthly cost and the cost / p99 / availability Pareto chart, only when
    // some variant has a cost block.
    for spec in cost::cost_charts(d) {
        out.push(ChartSpec {
            stem: stem(spec.stem),
            ..spec
        });
    }

    // t-visibility (PBS): the chance a read sees the newest write, t after its acknowledgement.
    if let Some(chart) = t_visibility_chart(d) {
        out.push(ChartSpec {
            stem: stem("t-visibility".into()),
            caption: "Probability that a read sees the newest acknowledged write to its key, against the time since that write was acknowledged (PBS t-visibility, Bailis et al. 2012; not a SPEC metric): each point is one bin of t_visibility.csv, drawn at the bin's upper edge, with its 95% binomial interval shaded. Reads that could only see their own region's replica climb as replication delivers; a quorum with r + w > n starts at 1.".into(),
            chart: AnyChart::Sweep(chart),
        });
    }
    // A declared sweep: metrics against its first numeric parameter, with 95% bands.
    if let Some(chart) = sweep::declared_sweep_chart(d) {
        out.push(ChartSpec {
            stem: stem("sweep".into()),
            caption: "The metrics that change across the sweep, against its numeric parameter: a line per variant (and value of the other swept parameters); each point is the mean over the seeds, the shaded band its 95% Student-t confidence interval.".into(),
            chart: AnyChart::Sweep(chart),
        });
    }
    // Metrics against the parameter the variant names vary.
    else if let Some((chart, left_out)) = sweep::sweep_chart(d) {
        let out_note = if left_out.is_empty() {
            String::new()
        } else {
            format!(
                " Not on the x axis (their names hold no value of it): {}.",
                left_out.join(", ")
            )
        };
        out.push(ChartSpec {
            stem: stem("sweep".into()),
            caption: format!(
                "The metrics that change most across the variants, against the parameter read from their names (`ttl-60-violators` is 60 s on the line `ttl-N-violators`); {}.{out_note}",
                if sweep::has_repeats(d) {
                    "each point is the mean over the seeds, the shaded band its 95% Student-t confidence interval (where stats.csv has the metric)"
                } else {
                    "one run per point, so no confidence bands (set `seeds:` in the experiment, or pass `--seeds N`, to get them)"
                }
            ),
            chart: AnyChart::Sweep(chart),
        });
    }

    // Teaching diagrams.
    if let Some((chart, caption)) = sequence::failover_diagram(d) {
        out.push(ChartSpec {
            stem: stem("sequence-failover".into()),
            caption,
            chart: AnyChart::Sequence(chart),
        });
    }
    if let Some((chart, caption)) = sequence::conflict_diagram(d) {
        out.push(ChartSpec {
            stem: stem("sequence-conflict".into()),
            caption,
            chart: AnyChart::Sequence(chart),
        });
    }

    // Topology: RTT heatmap and a map per variant.
    let topo = d.topology.clone().unwrap_or_default();
    out.push(ChartSpec {
        stem: stem("rtt-heatmap".into()),
        caption: format!(
            "Round-trip times between the regions of topology `{}` as simulated (ms, row = source).",
            topo.name
        ),
        chart: AnyChart::Heatmap(HeatmapChart {
            title: if topo.name.is_empty() {
                "Region RTT (topology.json missing: rerun to record it)".into()
            } else {
                format!("Region-to-region RTT — {}", topo.name)
            },
            names: topo.regions.iter().map(|r| r.name.clone()).collect(),
            rtt_ms: topo.rtt_ms.clone(),
        }),
    });
    let place = |p: &data::PlaceView| Place {
        name: p.name.clone(),
        lat: p.lat,
        lon: p.lon,
    };
    let regions = &topo.regions;
    // Under a declared sweep, a map per variant for its first case, and one more for each
    // later case that changes who serves whom (a share moving by 5 points or more), at most
    // [`MAX_MAPS_PER_VARIANT`]: the points of a sweep rarely change it, and twenty maps would
    // bury the other charts.
    let variant_of = |i: usize| -> Option<&str> {
        let st = d.stats.as_ref()?;
        if st.cases.iter().all(|c| c.point.is_empty()) {
            return None;
        }
        st.cases.get(i).map(|c| c.variant.as_str())
    };
    // (population, region, share in 5-point steps) of each link with a share.
    type Shape = Vec<(usize, usize, i64)>;
    let mut drawn: Vec<(&str, Shape)> = vec![];
    for (i, v) in s.variants.iter().enumerate() {
        let links: Vec<Link> = v
            .populations
            .iter()
            .filter_map(|p| {
                let pi = topo
                    .populations
                    .iter()
                    .position(|x| x.name == p.scope.name)?;
                Some(p.served_by.iter().filter_map(move |sh| {
                    let ri = regions.iter().position(|x| x.name == sh.region)?;
                    Some(Link {
                        population: pi,
                        region: ri,
                        share: sh.share,
                    })
                }))
            })
            .flatten()
            .collect();
        if let Some(name) = variant_of(i) {
            let shape: Shape = links
                .iter()
                .map(|l| (l.population, l.region, (l.share * 20.0).round() as i64))
                .filter(|l| l.2 > 0)
                .collect();
            let mine = drawn.iter().filter(|(n, _)| *n == name);
            if mine.clone().count() >= MAX_MAPS_PER_VARIANT
                || mine.clone().any(|(_, sh)| *sh == shape)
            {
                continue;
            }
            drawn.push((name, shape));
        }
        out.push(ChartSpec {
            stem: stem(format!("map-{}", style::slug(&v.variant))),
            caption: format!(
                "Where `{}` served its users: a line from each population to each region that served it, as wide as that region's share of its successful requests.",
                v.variant
            ),
            chart: AnyChart::Map(MapChart {
                title: format!("Who serves whom — {}", v.variant),
                colour: colours[i],
                regions: topo.regions.iter().map(place).collect(),
                // A region the design serves from, or one that served some population (a
                // promoted standby): drawn and named, not greyed out as another region.
                serving: topo
                    .regions
                    .iter()
                    .enumerate()
                    .map(|(ri, r)| {
                        v.serving_regions.contains(&r.name)
                            || links.iter().any(|l| l.region == ri && l.share > 0.0)
                    })
                    .collect(),
                populations: topo.populations.iter().map(place).collect(),
                links,
            }),
        });
    }
    out
}

/// Maps drawn for the cases of one variant of a sweep, at most.
const MAX_MAPS_PER_VARIANT: usize = 4;

/// More verdicts and promotions than this are not marked (random outages make dozens).
const MAX_EVENT_MARKERS: usize = 8;

/// Dashed lines on the timeline of the variants `members` (indices in experiment order):
/// health verdicts (what DNS and failover act on), promotions, and, when the variants vary the
/// DNS TTL (`ttl-N…` names), when cached answers expire. Past [`MAX_EVENT_MARKERS`] verdicts
/// and promotions none is drawn; the second value counts those left out.
fn timeline_markers(
    d: &ReportData,
    colours: &[plotters::style::RGBColor],
    members: &[usize],
) -> (Vec<Marker>, usize) {
    let vs: Vec<&data::VariantView> = members.iter().map(|&i| &d.summary.variants[i]).collect();
    let mut out: Vec<Marker> = vec![];
    // Which variants saw an event, when not all did: "(a, b)", or "(4 of 20 variants)" when
    // the names would make the label long.
    let which = |names: &[&str]| {
        // Each variant once, in experiment order.
        let mut distinct: Vec<&str> = vec![];
        for n in names {
            if !distinct.contains(n) {
                distinct.push(n);
            }
        }
        if distinct.len() == vs.len() {
            return String::new();
        }
        let names = distinct;
        let joined = names.join(", ");
        if joined.chars().count() <= 40 {
            format!(" ({joined})")
        } else {
            format!(" ({} of {} variants)", names.len(), vs.len())
        }
    };
    // Health verdicts shared by variants are drawn once, labelled by the designs that saw them
    // and, when not every variant did, by the variants.
    struct Verdict<'a> {
        t: f64,
        region: &'a str,
        healthy: bool,
        designs: Vec<&'a str>,
        names: Vec<&'a str>,
    }
    let mut verdicts: Vec<Verdict> = vec![];
    for v in &vs {
        for h in &v.health_changes {
            let t = (h.at_s * 1000.0).round() / 1000.0;
            match verdicts
                .iter_mut()
                .find(|x| x.t == t && x.region == h.region && x.healthy == h.healthy)
            {
                Some(x) => {
                    x.designs.push(v.design.as_str());
                    x.names.push(v.variant.as_str());
                }
                None => verdicts.push(Verdict {
                    t,
                    region: &h.region,
                    healthy: h.healthy,
                    designs: vec![v.design.as_str()],
                    names: vec![v.variant.as_str()],
                }),
            }
        }
    }
    for Verdict {
        t,
        region,
        healthy,
        designs,
        names,
    } in verdicts
    {
        let aa = designs.iter().filter(|d| **d == "active-active").count();
        let label = match (healthy, aa == designs.len(), aa == 0) {
            (false, true, _) => format!("{region} unhealthy: DNS stops answering it"),
            (false, _, true) => format!("{region} unhealthy: failover starts"),
            (false, _, _) => format!("{region} unhealthy (active-active: DNS stops answering it)"),
            (true, true, _) => format!("{region} healthy: DNS answers it again"),
            (true, _, _) => format!("{region} healthy again"),
        };
        out.push(Marker {
            at_s: t,
            label: label + &which(&names),
            colour: style::INK,
            in_legend: false,
        });
    }
    let mut promoted: Vec<(f64, &str, Vec<&str>)> = vec![];
    for v in &vs {
        for f in &v.failovers {
            if let (Some(to), Some(promoted_s)) = (&f.to, f.promoted_s) {
                let t = (promoted_s * 1000.0).round() / 1000.0;
                match promoted.iter_mut().find(|p| p.0 == t && p.1 == to) {
                    Some(p) => p.2.push(v.variant.as_str()),
                    None => promoted.push((t, to, vec![v.variant.as_str()])),
                }
            }
        }
    }
    for (t, to, names) in promoted {
        out.push(Marker {
            at_s: t,
            label: format!("{to} promoted{}", which(&names)),
            colour: style::INK,
            in_legend: false,
        });
    }
    // Random outages over a year change verdicts dozens of times: too many lines to read.
    let omitted = if out.len() > MAX_EVENT_MARKERS {
        std::mem::take(&mut out).len()
    } else {
        0
    };
    for (&i, v) in members.iter().zip(&vs) {
        let Some(p) = sweep::parse_name(&v.variant).filter(|p| p.param == "ttl") else {
            continue;
        };
        for h in v.health_changes.iter().filter(|h| !h.healthy) {
            out.push(Marker {
                at_s: h.at_s + p.x_s,
                label: "cached DNS answers expire: unhealthy verdict + the variant's TTL".into(),
                colour: colours[i],
                in_legend: true,
            });
        }
    }
    (out, omitted)
}

/// (name, colour) of every variant, in experiment order.
fn variants(d: &ReportData) -> Vec<(String, plotters::style::RGBColor)> {
    d.summary
        .variants
        .iter()
        .zip(variant_colours(d))
        .map(|(v, c)| (v.variant.clone(), c))
        .collect()
}

/// A rendered chart of the report.
pub struct Figure {
    pub spec: ChartSpec,
    pub rendered: Rendered,
}

/// Writes topology.json (the chart input that summary.json lacks) for experiment `exp`.
pub fn write_topology(dir: &Path, exp: &Experiment) -> Result<PathBuf, ReportError> {
    let topo = exp
        .variants
        .first()
        .map(|(_, sc)| TopologyView::from_scenario(sc))
        .unwrap_or_default();
    let mut bytes = serde_json::to_vec_pretty(&topo).map_err(|e| ReportError::Json {
        path: dir.join("topology.json"),
        message: e.to_string(),
    })?;
    bytes.push(b'\n');
    let p = dir.join("topology.json");
    write_atomic(&p, &bytes).map_err(|source| ReportError::Write {
        path: p.clone(),
        source,
    })?;
    Ok(p)
}

/// What [`build`] did to a results directory.
#[derive(Debug, Default)]
pub struct Built {
    /// Charts and report.html, written.
    pub written: Vec<PathBuf>,
    /// Chart files of earlier reports that this one does not make, removed.
    pub removed: Vec<PathBuf>,
    /// Inputs the directory lacked, with what the charts then lack.
    pub missing: Vec<(&'static str, &'static str)>,
}

/// Reads the results in `dir` and writes charts/*.svg (and *.png when `png`) and
/// report.html there. Chart files of earlier runs that this run does not make (a renamed
/// population, say, or every PNG without `png`) are removed.
pub fn build(dir: &Path, png: bool) -> Result<Built, ReportError> {
    let data = ReportData::load(dir)?;
    let figures: Vec<Figure> = charts(&data)
        .into_iter()
        .map(|spec| {
            let rendered = spec.chart.render(&spec.stem, png)?;
            Ok(Figure { spec, rendered })
        })
        .collect::<Result<_, ChartError>>()?;
    let charts_dir = dir.join("charts");
    let mut written = vec![];
    let mut keep = BTreeSet::new();
    let write = |p: PathBuf, bytes: &[u8]| {
        write_atomic(&p, bytes).map_err(|source| ReportError::Write {
            path: p.clone(),
            source,
        })?;
        Ok::<PathBuf, ReportError>(p)
    };
    for f in &figures {
        let name = format!("{}.svg", f.spec.stem);
        keep.insert(name.clone());
        written.push(write(charts_dir.join(name), f.rendered.svg.as_bytes())?);
        if let Some(png) = &f.rendered.png {
            let name = format!("{}.png", f.spec.stem);
            keep.insert(name.clone());
            written.push(write(charts_dir.join(name), png)?);
        }
    }
    let removed = remove_stale(&charts_dir, &keep)?;
    let html = html::report_html(&data, &figures);
    written.push(write(dir.join("report.html"), html.as_bytes())?);
    Ok(Built {
        written,
        removed,
        missing: data.missing,
    })
}

/// Removes .svg and .png files in `charts_dir` that are not in `keep`; returns them.
fn remove_stale(charts_dir: &Path, keep: &BTreeSet<String>) -> Result<Vec<PathBuf>, ReportError> {
    let entries = std::fs::read_dir(charts_dir).map_err(|source| ReportError::Io {
        path: charts_dir.to_owned(),
        source,
    })?;
    let mut removed = vec![];
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let chart_file = name.ends_with(".svg") || name.ends_with(".png");
        if chart_file && !keep.contains(&name) {
            let p = e.path();
            std::fs::remove_file(&p).map_err(|source| ReportError::Write {
                path: p.clone(),
                source,
            })?;
            removed.push(p);
        }
    }
    // read_dir's order is the file system's: sorted, so what is reported does not depend on it.
    removed.sort();
    Ok(removed)
}

/// The fault windows of the variants `members` (indices in experiment order) to shade on their
/// timeline, each once. A window only some of them have is
/// labelled with them (`RegionOutage(eastus) [outage, outage-long]`): the shading is shared by
/// every line, so without the names a reader would take it for every variant's. Windows over
/// the same span whose labels differ only after their first argument (a sweep over an
/// `ErrorRate`'s share: `ErrorRate(eastus, 20%)`, `ErrorRate(eastus, 30%)`, …) are one shade,
/// `ErrorRate(eastus, …)`, whose settings the variants' names give: one legend row each would
/// crowd out the chart, and shades drawn over each other would darken into a solid block.
fn fault_shades(s: &data::SummaryView, members: &[usize]) -> Vec<Shade> {
    fn add<'a>(windows: &mut Vec<(Shade, Vec<&'a str>)>, sh: Shade, names: &[&'a str]) {
        let i = match windows.iter().position(|(w, _)| *w == sh) {
            Some(i) => i,
            None => {
                windows.push((sh, vec![]));
                windows.len() - 1
            }
        };
        for n in names {
            if !windows[i].1.contains(n) {
                windows[i].1.push(n);
            }
        }
    }
    let vs: Vec<&data::VariantView> = members.iter().map(|&i| &s.variants[i]).collect();
    let mut windows: Vec<(Shade, Vec<&str>)> = vec![];
    for v in &vs {
        for f in &v.fault_windows {
            let sh = Shade {
                label: f.label.clone(),
                start_s: f.start_s,
                end_s: f.end_s,
            };
            add(&mut windows, sh, &[v.variant.as_str()]);
        }
    }
    {
        // A label up to its first argument, when it has more than one: `ErrorRate(eastus`.
        let stem = |label: &str| {
            label
                .strip_suffix(')')
                .and_then(|l| l.split_once(", "))
                .map(|(stem, _)| stem.to_owned())
        };
        let stems: Vec<Option<String>> = windows.iter().map(|(w, _)| stem(&w.label)).collect();
        let mut merged: Vec<(Shade, Vec<&str>)> = vec![];
        for (i, (sh, names)) in windows.iter().enumerate() {
            let shared = stems[i].as_ref().filter(|st| {
                (0..windows.len())
                    .filter(|&k| {
                        let w = &windows[k].0;
                        w.start_s == sh.start_s
                            && w.end_s == sh.end_s
                            && stems[k].as_ref() == Some(*st)
                    })
                    .count()
                    > 1
            });
            let sh = Shade {
                label: shared.map_or_else(|| sh.label.clone(), |st| format!("{st}, …)")),
                start_s: sh.start_s,
                end_s: sh.end_s,
            };
            add(&mut merged, sh, names);
        }
        windows = merged;
    }
    windows
        .into_iter()
        .map(|(mut sh, names)| {
            if names.len() <= 3 && names.len() < vs.len() {
                sh.label = format!("{} [{}]", sh.label, names.join(", "));
            } else if names.len() < vs.len() {
                sh.label = format!("{} [{} of {} variants]", sh.label, names.len(), vs.len());
            }
            sh
        })
        .collect()
}

/// The t-visibility curve of every variant that measured it, as a sweep chart (log t).
fn t_visibility_chart(d: &ReportData) -> Option<SweepChart> {
    let colours = variant_colours(d);
    use crate::chart::sweep::{SweepPanel, SweepPoint, SweepSeries};
    let mut series = vec![];
    let mut edges: Vec<f64> = vec![];
    for (i, v) in d.summary.variants.iter().enumerate() {
        let points: Vec<SweepPoint> = v
            .data
            .t_visibility
            .iter()
            .filter(|b| b.reads > 0)
            .filter_map(|b| {
                let x = b.t_to_ms?;
                Some(SweepPoint {
                    x,
                    y: Some(b.saw_write as f64 / b.reads as f64),
                    band: crate::stats::wilson95(b.saw_write, b.reads),
                })
            })
            .collect();
        if points.len() < 2 {
            continue;
        }
        for p in &points {
            if !edges.contains(&p.x) {
                edges.push(p.x);
            }
        }
        series.push(SweepSeries {
            label: v.variant.clone(),
            colour: colours[i],
            points,
        });
    }
    if series.is_empty() {
        return None;
    }
    edges.sort_by(f64::total_cmp);
    Some(SweepChart {
        title: "t-visibility: does a read see the newest write?".into(),
        x_desc: "t since the write was acknowledged (ms, log scale; upper edge of each bin)".into(),
        log_x: edges.first().is_some_and(|x| *x > 0.0),
        x_ticks: edges.iter().map(|x| (*x, style::tick(*x))).collect(),
        panels: vec![SweepPanel {
            y_desc: "P(read sees the write)".into(),
            series,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::data::{PlaceView, ReportData, SummaryView, TopologyView};
    use super::{AnyChart, charts};

    /// A sweep over a fault's setting gives each case its own fault label: eighteen legend rows
    /// of `ErrorRate(eastus, 20%) [case]` left the gray-failure timeline no room to draw in.
    #[test]
    fn a_sweep_over_a_faults_setting_is_one_shade_not_a_row_per_value() {
        let summary = |shares: &[u32]| -> SummaryView {
            let variants: Vec<serde_json::Value> = shares
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "variant": format!("v @ fraction=0.{p}"),
                        "fault_windows": [
                            {"label": format!("ErrorRate(eastus, {p}0%)"), "start_s": 300.0, "end_s": 1500.0},
                            {"label": "RegionOutage(westus2)", "start_s": 100.0, "end_s": 200.0},
                        ],
                    })
                })
                .collect();
            serde_json::from_value(serde_json::json!({ "variants": variants })).unwrap()
        };
        let labels = |s: &SummaryView| -> Vec<String> {
            super::fault_shades(s, &(0..s.variants.len()).collect::<Vec<_>>())
                .into_iter()
                .map(|x| x.label)
                .collect()
        };
        assert_eq!(
            labels(&summary(&[2, 3, 4, 5, 6, 7])),
            ["ErrorRate(eastus, …)", "RegionOutage(westus2)"]
        );
        // Even two over one span are one shade: drawn over each other they would read as a
        // darker, different fault.
        assert_eq!(
            labels(&summary(&[2, 3])),
            ["ErrorRate(eastus, …)", "RegionOutage(westus2)"]
        );
        // Windows over other spans keep their own labels, named by their variants.
        let mut s = summary(&[2, 3]);
        s.variants[1].fault_windows[0].start_s = 600.0;
        assert_eq!(
            labels(&s),
            [
                "ErrorRate(eastus, 20%) [v @ fraction=0.2]",
                "RegionOutage(westus2)",
                "ErrorRate(eastus, 30%) [v @ fraction=0.3]"
            ]
        );
    }

    /// A region that served users is drawn and named on the map even when the design lists
    /// it as a standby (promoted during the run): it was drawn grey and unnamed, so the lines
    /// of half the traffic ended at an anonymous square.
    #[test]
    fn a_region_that_served_users_is_named_on_the_map() {
        let summary: SummaryView = serde_json::from_str(
            r#"{"variants":[{"variant":"ap","serving_regions":["east"],
                "populations":[{"name":"ny","served_by":[
                    {"region":"east","share":0.52},{"region":"west","share":0.48}]}]}]}"#,
        )
        .unwrap();
        let place = |name: &str, lon: f64| PlaceView {
            name: name.into(),
            lat: 40.0,
            lon,
        };
        let d = ReportData {
            summary,
            timeline: vec![],
            topology: Some(TopologyView {
                name: "t".into(),
                regions: vec![
                    place("east", -77.0),
                    place("west", -120.0),
                    place("eu", 5.0),
                ],
                populations: vec![place("ny", -74.0)],
                rtt_ms: vec![],
            }),
            manifest: None,
            stats: None,
            missing: vec![],
        };
        let map = charts(&d)
            .into_iter()
            .find_map(|c| match c.chart {
                AnyChart::Map(m) => Some(m),
                _ => None,
            })
            .expect("a map");
        assert_eq!(map.serving, vec![true, true, false]);
    }
}
