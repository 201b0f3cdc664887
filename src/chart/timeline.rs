//! Timeline chart: availability and p99 latency per window, a line per variant, faults shaded.

use super::style::{self, LegendEntry, Mark};
use super::{Draw, DrawResult, finite};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

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

/// Availability (top) and p99 (bottom) over time.
#[derive(Debug, Clone)]
pub struct TimelineChart {
    pub title: String,
    pub series: Vec<TimelineSeries>,
    pub shades: Vec<Shade>,
}

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

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
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
                if avail[i].is_empty() && p99[i].is_empty() {
                    LegendEntry::new(Mark::Missing, format!("{} (no requests ended)", s.label))
                } else {
                    LegendEntry::new(Mark::Line(s.colour, 4), s.label.clone())
                }
            })
            .collect();
        for s in &shades {
            entries.push(LegendEntry::new(
                Mark::Box(style::FAULT, 0.18),
                format!(
                    "{} ({}–{} s)",
                    s.label,
                    style::tick(s.start_s),
                    style::tick(s.end_s)
                ),
            ));
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
            false,
            11,
        )?;
        shade(&mut a, &shades, lo - pad, 100.0 + pad)?;
        lines(&mut a, &self.series, &avail)?;

        let hi = p99
            .iter()
            .flatten()
            .flatten()
            .map(|p| p.1)
            .fold(0.0f64, f64::max);
        let hi = if hi > 0.0 { hi * 1.12 } else { 1.0 };
        let mut b = panel(&bottom, (t0, t1), (0.0, hi), "p99 latency (ms)", true, 6)?;
        shade(&mut b, &shades, 0.0, hi)?;
        lines(&mut b, &self.series, &p99)?;
        Ok(())
    }
}

type Panel<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    (t0, t1): (f64, f64),
    (y0, y1): (f64, f64),
    y_desc: &str,
    x_desc: bool,
    y_labels: usize,
) -> Result<Panel<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut c = ChartBuilder::on(area)
        .margin_left(20)
        .margin_right(50)
        .margin_top(15)
        .margin_bottom(5)
        .x_label_area_size(if x_desc { 100 } else { 50 })
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
    if x_desc {
        mesh.x_desc("simulated time (s)");
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
        };
        let r = render("timeline", &c, false).unwrap();
        assert!(r.svg.contains("outage (12–18 s)"));
        assert!(r.svg.contains("b (no requests ended)"));
        assert!(!r.svg.contains("NaN"));
        let empty = TimelineChart {
            title: "t".into(),
            series: vec![],
            shades: vec![],
        };
        let r = render("timeline", &empty, false).unwrap();
        assert!(r.svg.contains("no windows with requests"));
    }
}
