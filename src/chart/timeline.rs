//! Timeline chart: availability and p99 latency per window, a line per variant, faults shaded,
//! events (health verdicts, promotions, DNS TTL expiry) marked by dashed vertical lines.

use super::style::{self, LegendEntry, Mark};
use super::{Draw, DrawResult, finite};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One window of one variant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimelinePoint {
    /// Start of the window (s).
    pub start_s: f64,
    /// ok / (ok + failed) in [0, 1], `None` when no request ended.
    pub availability: Option<f64>,
    /// p99 latency of successful requests (ms), `None` when none succeeded.
    pub p99_ms: Option<f64>,
}

/// A variant's windows.
#[derive(Debug, Clone)]
pub struct TimelineSeries {
    pub label: String,
    pub colour: RGBColor,
    pub points: Vec<TimelinePoint>,
}

/// A span to shade, e.g. a fault.
#[derive(Debug, Clone, PartialEq)]
pub struct Shade {
    pub label: String,
    pub start_s: f64,
    pub end_s: f64,
}

/// An instant to mark with a dashed vertical line across both panels.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub at_s: f64,
    /// Written in a strip above the panels (never over data), or, when `in_legend`, once in
    /// the legend for every marker with the same label.
    pub label: String,
    pub colour: RGBColor,
    pub in_legend: bool,
}

/// Availability (top) and p99 (bottom) over time.
#[derive(Debug, Clone)]
pub struct TimelineChart {
    pub title: String,
    pub series: Vec<TimelineSeries>,
    pub shades: Vec<Shade>,
    pub markers: Vec<Marker>,
}

/// Rows of the marker-label strip, at most: one per marker the report draws, so that no
/// label is written over another.
const MARKER_ROWS: usize = 8;

/// Runs of consecutive windows that have a value, as (time at window middle, value).
fn segments(
    points: &[TimelinePoint],
    half: f64,
    get: impl Fn(&TimelinePoint) -> Option<f64>,
) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![];
    let mut cur: Vec<(f64, f64)> = vec![];
    for p in points {
        match get(p).filter(|v| finite(*v)).filter(|_| finite(p.start_s)) {
            Some(v) => cur.push((p.start_s + half, v)),
            None => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

impl TimelineChart {
    /// The window length: the smallest gap between window starts (1 s if unknown).
    fn window(&self) -> f64 {
        let mut w = f64::INFINITY;
        for s in &self.series {
            for p in s.points.windows(2) {
                let d = p[1].start_s - p[0].start_s;
                if finite(d) && d > 0.0 {
                    w = w.min(d);
                }
            }
        }
        if w.is_finite() { w } else { 1.0 }
    }
}

impl Draw for TimelineChart {
    fn size(&self) -> (u32, u32) {
        (1600, 1200)
    }

    /// A run of days is drawn in days, one of hours in hours: `30000000` seconds on the axis
    /// says nothing to a reader.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let starts = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.start_s));
        let (lo, hi) = starts
            .filter(|t| finite(*t))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), t| {
                (a.min(t), b.max(t))
            });
        let span = if hi >= lo { hi - lo } else { 0.0 };
        let (unit, name) = if span > 3.0 * 86_400.0 {
            (86_400.0, "days")
        } else if span > 3.0 * 3_600.0 {
            (3_600.0, "h")
        } else {
            return self.draw_in(root, "s");
        };
        let mut scaled = self.clone();
        for s in &mut scaled.series {
            for p in &mut s.points {
                p.start_s /= unit;
            }
        }
        for s in &mut scaled.shades {
            s.start_s /= unit;
            s.end_s /= unit;
        }
        for m in &mut scaled.markers {
            m.at_s /= unit;
        }
        scaled.draw_in(root, name)
    }
}

impl TimelineChart {
    /// Draws the chart with its times in `unit` (`s`, `h` or `days`).
    fn draw_in<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        unit: &str,
    ) -> DrawResult<DB> {
        let window = self.window();
        let half = window / 2.0;
        let avail: Vec<Vec<Vec<(f64, f64)>>> = self
            .series
            .iter()
            .map(|s| segments(&s.points, half, |p| p.availability.map(|a| a * 100.0)))
            .collect();
        let p99: Vec<Vec<Vec<(f64, f64)>>> = self
            .series
            .iter()
            .map(|s| segments(&s.points, half, |p| p.p99_ms.filter(|v| *v >= 0.0)))
            .collect();
        let shades: Vec<&Shade> = self
            .shades
            .iter()
            .filter(|s| finite(s.start_s) && finite(s.end_s) && s.end_s > s.start_s)
            .collect();
        let mut entries: Vec<LegendEntry> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                // A variant whose windows all equal an earlier one's hides it (drawn over it).
                let twin = self.series[..i]
                    .iter()
                    .find(|t| t.points == s.points)
                    .filter(|_| !avail[i].is_empty() || !p99[i].is_empty());
                // Or only in one panel, within what a reader could tell apart (a tenth of a
                // percentage point, 1% of a p99): the later line hides the earlier there.
                let avail_twin = style::earlier_line_under(&avail, i, |a, b| (a - b).abs() <= 0.1);
                let p99_twin = style::earlier_line_under(&p99, i, |a, b| {
                    (a - b).abs() <= 0.01 * a.abs().max(b.abs())
                });
                if avail[i].is_empty() && p99[i].is_empty() {
                    return LegendEntry::new(
                        Mark::Missing,
                        format!("{} (no requests ended)", s.label),
                    );
                }
                let name = |j: usize| &self.series[j].label;
                let overlap = match (twin, avail_twin, p99_twin) {
                    (Some(t), _, _) => Some(format!("same as {}", t.label)),
                    (None, Some(a), Some(b)) if name(a) == name(b) => {
                        Some(format!("as {} within a hair", name(a)))
                    }
                    (None, Some(a), Some(b)) => {
                        Some(format!("availability as {}, p99 as {}", name(a), name(b)))
                    }
                    (None, Some(a), None) => Some(format!("availability as {}", name(a))),
                    (None, None, Some(b)) => Some(format!("p99 as {}", name(b))),
                    (None, None, None) => None,
                };
                let label = match overlap {
                    Some(o) => style::overlap_label(&s.label, &o),
                    None => s.label.clone(),
                };
                LegendEntry::new(Mark::Line(s.colour, 4), label)
            })
            .collect();
        for s in &shades {
            entries.push(LegendEntry::new(
                Mark::Box(style::FAULT, 0.18),
                format!(
                    "{} ({}–{} {unit})",
                    s.label,
                    style::tick(s.start_s),
                    style::tick(s.end_s)
                ),
            ));
        }
        let markers: Vec<&Marker> = self.markers.iter().filter(|m| finite(m.at_s)).collect();
        for m in &markers {
            if m.in_legend && !entries.iter().any(|e| e.label == m.label) {
                entries.push(LegendEntry::new(Mark::Dashed(m.colour), m.label.clone()));
            }
        }
        let body = style::frame(root, &self.title, &entries)?;
        let starts = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.start_s))
            .filter(|t| finite(*t));
        let (t0, t1) = starts.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), t| {
            (a.min(t), b.max(t + window))
        });
        if !(t0.is_finite() && t1 > t0)
            || (avail.iter().all(Vec::is_empty) && p99.iter().all(Vec::is_empty))
        {
            return style::message_panel(&body, "no windows with requests: nothing to plot");
        }
        let labelled: Vec<&Marker> = markers
            .iter()
            .copied()
            .filter(|m| !m.in_legend && m.at_s >= t0 && m.at_s <= t1)
            .collect();
        let row_h = (style::NOTE_SIZE * 1.3) as u32;
        let at_px: Vec<(i32, &Marker)> = labelled
            .iter()
            .map(|m| (time_px(m.at_s, (t0, t1), body.dim_in_pixel().0), *m))
            .collect();
        let placed = place_labels(&body, &at_px);
        let (strip, body) = match placed.iter().map(|p| p.row + 1).max() {
            None => (None, body),
            Some(rows) => {
                let (a, b) = body.split_vertically(row_h * rows as u32 + 12);
                (Some(a), b)
            }
        };
        let (top, bottom) = body.split_vertically(body.dim_in_pixel().1 / 2);

        // Availability: from a little under the lowest value (at most 99%) to 100%.
        let lo = avail
            .iter()
            .flatten()
            .flatten()
            .map(|p| p.1)
            .fold(99.0f64, f64::min)
            .max(0.0);
        let pad = (100.0 - lo) * 0.06;
        let mut a = panel(
            &top,
            (t0, t1),
            ((lo - pad).max(0.0), 100.0 + pad),
            "availability (%)",
            None,
            11,
        )?;
        shade(&mut a, &shades, lo - pad, 100.0 + pad)?;
        lines(&mut a, &self.series, &avail)?;
        vlines(&mut a, &markers, (lo - pad).max(0.0), 100.0 + pad)?;
        if let Some(strip) = &strip {
            marker_labels(strip, &placed, &at_px, row_h)?;
        }

        let hi = p99
            .iter()
            .flatten()
            .flatten()
            .map(|p| p.1)
            .fold(0.0f64, f64::max);
        let hi = if hi > 0.0 { hi * 1.12 } else { 1.0 };
        let x_desc = format!("simulated time ({unit})");
        let mut b = panel(
            &bottom,
            (t0, t1),
            (0.0, hi),
            "p99 latency (ms)",
            Some(&x_desc),
            6,
        )?;
        shade(&mut b, &shades, 0.0, hi)?;
        lines(&mut b, &self.series, &p99)?;
        vlines(&mut b, &markers, 0.0, hi)?;
        Ok(())
    }
}

type Panel<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    (t0, t1): (f64, f64),
    (y0, y1): (f64, f64),
    y_desc: &str,
    x_desc: Option<&str>,
    y_labels: usize,
) -> Result<Panel<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut c = ChartBuilder::on(area)
        .margin_left(20)
        .margin_right(50)
        .margin_top(15)
        .margin_bottom(5)
        .x_label_area_size(if x_desc.is_some() { 100 } else { 50 })
        .y_label_area_size(130)
        .build_cartesian_2d(t0..t1, y0..y1)?;
    let mut mesh = c.configure_mesh();
    mesh.y_desc(y_desc)
        .x_label_formatter(&|v| style::tick(*v))
        .y_label_formatter(&|v| style::tick(*v))
        .x_labels(12)
        .y_labels(y_labels)
        .label_style(style::text(style::TICK_SIZE))
        .axis_desc_style(style::text(style::LABEL_SIZE))
        .bold_line_style(RGBColor(215, 215, 215))
        .light_line_style(RGBColor(242, 242, 242))
        .axis_style(style::INK.stroke_width(2));
    if let Some(d) = x_desc {
        mesh.x_desc(d);
    }
    mesh.draw()?;
    Ok(c)
}

fn shade<DB: DrawingBackend>(
    c: &mut Panel<'_, DB>,
    shades: &[&Shade],
    y0: f64,
    y1: f64,
) -> DrawResult<DB> {
    let (t0, t1) = (c.x_range().start, c.x_range().end);
    for s in shades {
        let (a, b) = (s.start_s.max(t0), s.end_s.min(t1));
        if b > a {
            c.draw_series(std::iter::once(Rectangle::new(
                [(a, y0), (b, y1)],
                style::FAULT.mix(0.18).filled(),
            )))?;
        }
    }
    Ok(())
}

/// Dashed vertical lines at the markers inside the panel's time range.
fn vlines<DB: DrawingBackend>(
    c: &mut Panel<'_, DB>,
    markers: &[&Marker],
    y0: f64,
    y1: f64,
) -> DrawResult<DB> {
    let (t0, t1) = (c.x_range().start, c.x_range().end);
    let n = 40;
    for m in markers.iter().filter(|m| m.at_s >= t0 && m.at_s <= t1) {
        let dy = (y1 - y0) / n as f64;
        c.draw_series((0..n).step_by(2).map(|k| {
            let a = y0 + k as f64 * dy;
            PathElement::new(
                vec![(m.at_s, a), (m.at_s, a + dy)],
                m.colour.stroke_width(3),
            )
        }))?;
    }
    Ok(())
}

/// A laid-out marker label: its text, row, anchor x, and whether it runs left of its line.
struct Placed {
    x: i32,
    label: String,
    row: usize,
    left: bool,
}

/// Places the labels of `markers` (x in pixels of `area`) in the first of [`MARKER_ROWS`]
/// rows where each does not overlap an earlier one.
fn place_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    markers: &[(i32, &Marker)],
) -> Vec<Placed> {
    let w = area.dim_in_pixel().0 as i32;
    let st = style::text(style::NOTE_SIZE);
    let mut sorted: Vec<(i32, &Marker)> = markers.to_vec();
    sorted.sort_by_key(|m| m.0);
    let mut ends = [i32::MIN; MARKER_ROWS];
    sorted
        .into_iter()
        .map(|(x, m)| {
            let label = style::fit(area, &m.label, &st, (w as u32).saturating_sub(40) / 2);
            let tw = style::text_size(area, &label, &st).0 as i32;
            let left = x + 8 + tw > w - 10;
            let (l, r) = if left {
                (x - 8 - tw, x)
            } else {
                (x, x + 8 + tw)
            };
            let row = (0..MARKER_ROWS)
                .find(|k| ends[*k] + 12 < l)
                .unwrap_or(MARKER_ROWS - 1);
            ends[row] = r;
            Placed {
                x,
                label,
                row,
                left,
            }
        })
        .collect()
}

/// The x pixel of time `t` in a panel of `width` (the margins [`panel`] uses).
fn time_px(t: f64, (t0, t1): (f64, f64), width: u32) -> i32 {
    let (l, r) = (150.0, width as f64 - 50.0);
    (l + (t - t0) / (t1 - t0) * (r - l)).round() as i32
}

/// Writes the placed labels in `strip`, each joined to its line by a short tick.
fn marker_labels<DB: DrawingBackend>(
    strip: &DrawingArea<DB, Shift>,
    placed: &[Placed],
    markers: &[(i32, &Marker)],
    row_h: u32,
) -> DrawResult<DB> {
    let h = strip.dim_in_pixel().1 as i32;
    let st = style::text(style::NOTE_SIZE);
    for (p, (_, m)) in placed.iter().zip(markers_sorted(markers)) {
        let y = 6 + p.row as i32 * row_h as i32 + row_h as i32 / 2;
        let (pos, tx) = if p.left {
            (Pos::new(HPos::Right, VPos::Center), p.x - 8)
        } else {
            (Pos::new(HPos::Left, VPos::Center), p.x + 8)
        };
        strip.draw(&Text::new(
            p.label.clone(),
            (tx, y),
            st.clone().color(&m.colour).pos(pos),
        ))?;
        strip.draw(&PathElement::new(
            vec![(p.x, y), (p.x, h)],
            m.colour.stroke_width(2),
        ))?;
    }
    Ok(())
}

/// `markers` in the order [`place_labels`] places them.
fn markers_sorted<'a>(markers: &[(i32, &'a Marker)]) -> Vec<(i32, &'a Marker)> {
    let mut v = markers.to_vec();
    v.sort_by_key(|m| m.0);
    v
}

fn lines<DB: DrawingBackend>(
    c: &mut Panel<'_, DB>,
    series: &[TimelineSeries],
    segs: &[Vec<Vec<(f64, f64)>>],
) -> DrawResult<DB> {
    for (s, runs) in series.iter().zip(segs) {
        for run in runs {
            if run.len() == 1 {
                c.draw_series(std::iter::once(Circle::new(run[0], 6, s.colour.filled())))?;
            } else {
                c.draw_series(LineSeries::new(
                    run.iter().copied(),
                    s.colour.stroke_width(4),
                ))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::render;

    fn pt(t: f64, a: Option<f64>, p: Option<f64>) -> TimelinePoint {
        TimelinePoint {
            start_s: t,
            availability: a,
            p99_ms: p,
        }
    }

    #[test]
    fn gaps_split_lines() {
        let pts = [
            pt(0.0, Some(1.0), None),
            pt(10.0, None, None),
            pt(20.0, Some(0.5), None),
            pt(30.0, Some(0.9), None),
        ];
        let s = segments(&pts, 5.0, |p| p.availability);
        assert_eq!(s, vec![vec![(5.0, 1.0)], vec![(25.0, 0.5), (35.0, 0.9)]]);
    }

    #[test]
    fn shades_and_empty_windows() {
        let c = TimelineChart {
            title: "t".into(),
            series: vec![
                TimelineSeries {
                    label: "a".into(),
                    colour: style::variant_colour(0),
                    points: vec![
                        pt(10.0, Some(1.0), Some(20.0)),
                        pt(20.0, Some(0.2), Some(f64::NAN)),
                    ],
                },
                TimelineSeries {
                    label: "b".into(),
                    colour: style::variant_colour(1),
                    points: vec![pt(10.0, None, None)],
                },
            ],
            shades: vec![Shade {
                label: "outage".into(),
                start_s: 12.0,
                end_s: 18.0,
            }],
            markers: vec![
                Marker {
                    at_s: 14.0,
                    label: "DNS stops answering eastus".into(),
                    colour: style::INK,
                    in_legend: false,
                },
                Marker {
                    at_s: 15.0,
                    label: "cached answers expire".into(),
                    colour: style::variant_colour(0),
                    in_legend: true,
                },
                Marker {
                    at_s: f64::NAN,
                    label: "nowhere".into(),
                    colour: style::INK,
                    in_legend: false,
                },
            ],
        };
        let r = render("timeline", &c, false).unwrap();
        assert!(r.svg.contains("outage (12–18 s)"));
        assert!(r.svg.contains("b (no requests ended)"));
        assert!(r.svg.contains("DNS stops answering eastus"));
        assert_eq!(r.svg.matches("cached answers expire").count(), 1);
        assert!(!r.svg.contains("nowhere"));
        assert!(!r.svg.contains("NaN"));
        let empty = TimelineChart {
            title: "t".into(),
            series: vec![],
            shades: vec![],
            markers: vec![],
        };
        let r = render("timeline", &empty, false).unwrap();
        assert!(r.svg.contains("no windows with requests"));
    }

    #[test]
    fn a_variant_equal_to_an_earlier_one_says_so_in_the_legend() {
        let series = |label: &str, i: usize, a: f64| TimelineSeries {
            label: label.into(),
            colour: style::variant_colour(i),
            points: vec![
                pt(0.0, Some(1.0), Some(20.0)),
                pt(10.0, Some(a), Some(30.0)),
            ],
        };
        let c = TimelineChart {
            title: "t".into(),
            series: vec![
                series("a", 0, 0.5),
                series("b", 1, 0.6),
                series("c", 2, 0.5),
            ],
            shades: vec![],
            markers: vec![],
        };
        let r = render("timeline", &c, false).unwrap();
        assert!(
            r.svg.contains("c (same as a: the lines overlap)"),
            "{}",
            r.svg
        );
        assert!(!r.svg.contains("b (same as"));
    }

    /// A line hidden in one panel only, or within a hair of an earlier one (a tenth of a
    /// point of availability), is named in the legend too; such lines used to vanish without
    /// a word (three of global-latency's four availability lines at 100%).
    #[test]
    fn a_line_hidden_in_one_panel_says_so_and_long_runs_read_in_days() {
        let series = |label: &str, i: usize, a: f64, p: f64| TimelineSeries {
            label: label.into(),
            colour: style::variant_colour(i),
            points: vec![
                pt(0.0, Some(1.0), Some(20.0)),
                pt(86_400.0 * 5.0, Some(a), Some(p)),
            ],
        };
        let c = TimelineChart {
            title: "t".into(),
            series: vec![
                series("a", 0, 0.5, 30.0),
                series("b", 1, 0.5004, 90.0),
                series("c", 2, 0.9, 30.1),
            ],
            shades: vec![Shade {
                label: "outage".into(),
                start_s: 86_400.0,
                end_s: 2.0 * 86_400.0,
            }],
            markers: vec![],
        };
        let r = render("timeline", &c, false).unwrap();
        assert!(
            r.svg.contains("b (availability as a: the lines overlap)"),
            "{}",
            r.svg
        );
        assert!(r.svg.contains("c (p99 as a: the lines overlap)"));
        assert!(r.svg.contains("simulated time (days)"));
        assert!(r.svg.contains("outage (1–2 days)"));
    }
}
