//! Sweep chart: metrics against a parameter, a panel per metric, a line per series.
//!
//! The x axis is linear, or logarithmic when asked; ticks are placed at the parameter values
//! themselves, so every point can be read off the axis. Each point may carry a band (a 95%
//! confidence interval once experiments repeat seeds); it is drawn when present.

use super::style::{self, LegendEntry, Mark};
use super::{Draw, DrawResult, finite};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One point: parameter value, metric value (`None`: not measured), optional band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SweepPoint {
    pub x: f64,
    pub y: Option<f64>,
    /// (low, high) of a confidence band around `y`; `None` until runs are repeated.
    pub band: Option<(f64, f64)>,
}

/// A line: points in any order (drawn sorted by x).
#[derive(Debug, Clone)]
pub struct SweepSeries {
    pub label: String,
    pub colour: RGBColor,
    pub points: Vec<SweepPoint>,
}

/// One metric: its axis description and a line per series.
#[derive(Debug, Clone)]
pub struct SweepPanel {
    pub y_desc: String,
    pub series: Vec<SweepSeries>,
}

/// Metrics against a parameter, panels stacked vertically, one legend for all.
#[derive(Debug, Clone)]
pub struct SweepChart {
    pub title: String,
    pub x_desc: String,
    /// Draw x on a log scale (ignored when some x is not positive).
    pub log_x: bool,
    /// Formats an x value for its tick (e.g. "500 ms").
    pub x_ticks: Vec<(f64, String)>,
    pub panels: Vec<SweepPanel>,
}

/// A point ready to draw: x, y and the band (low, high) if any.
type Drawn = (f64, f64, Option<(f64, f64)>);

/// The finite points of `s`, sorted by x, with y required.
fn drawable(s: &SweepSeries) -> Vec<Drawn> {
    let mut v: Vec<_> = s
        .points
        .iter()
        .filter(|p| finite(p.x))
        .filter_map(|p| {
            let y = p.y.filter(|y| finite(*y))?;
            let band = p.band.filter(|(a, b)| finite(*a) && finite(*b) && a <= b);
            Some((p.x, y, band))
        })
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v
}

/// Compact value label: 1234 → "1,234", 0.281 → "0.28".
pub fn compact(v: f64) -> String {
    let a = v.abs();
    if a >= 1000.0 {
        let s = format!("{:.0}", a);
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if v < 0.0 { format!("-{out}") } else { out }
    } else {
        style::tick(v)
    }
}

impl SweepChart {
    /// Where the line of series `label` lies on an earlier series' line in a panel, so that
    /// it hides it there: every drawn point at the same x and within 1.5% of the panel's y
    /// range (a few pixels). One `availability, RTO as a` per earlier line, or none.
    fn overlaps(&self, label: &str) -> Vec<String> {
        let mut found: Vec<(String, Vec<String>)> = vec![];
        for p in &self.panels {
            let Some(i) = p.series.iter().position(|s| s.label == label) else {
                continue;
            };
            // Each line one run of (x, y): it is drawn through a point with no value.
            let lines: Vec<Vec<Vec<(f64, f64)>>> = p
                .series
                .iter()
                .map(|s| vec![drawable(s).iter().map(|d| (d.0, d.1)).collect()])
                .collect();
            let ys = lines.iter().flatten().flatten().map(|d| d.1);
            let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
                (a.min(y), b.max(y))
            });
            let tolerance = 0.015 * (hi - lo);
            let under = style::earlier_line_under(&lines, i, |a, b| (a - b).abs() <= tolerance);
            if let Some(j) = under {
                let panel = p.y_desc.split(" (").next().unwrap_or(&p.y_desc).to_owned();
                let other = &p.series[j].label;
                match found.iter_mut().find(|(o, _)| o == other) {
                    Some((_, panels)) => panels.push(panel),
                    None => found.push((other.clone(), vec![panel])),
                }
            }
        }
        found
            .iter()
            .map(|(other, panels)| match self.panels.len() {
                1 => format!("same as {other}"),
                _ => format!("{} as {other}", panels.join(", ")),
            })
            .collect()
    }
}

impl Draw for SweepChart {
    fn size(&self) -> (u32, u32) {
        (1600, 420 * self.panels.len().max(1) as u32 + 240)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        // Legend: every series label once, in first-seen order.
        let mut entries: Vec<LegendEntry> = vec![];
        let mut seen: Vec<String> = vec![];
        for p in &self.panels {
            for s in &p.series {
                if !seen.contains(&s.label) {
                    seen.push(s.label.clone());
                    let any = self.panels.iter().any(|q| {
                        q.series
                            .iter()
                            .any(|t| t.label == s.label && !drawable(t).is_empty())
                    });
                    if !any {
                        entries.push(LegendEntry::new(
                            Mark::Missing,
                            format!("{} (no values)", s.label),
                        ));
                        continue;
                    }
                    let groups = self.overlaps(&s.label);
                    let note = |o: &str| style::overlap_label(&s.label, o);
                    let all = note(&groups.join("; "));
                    // One entry, or one per line it lies on when that would not fit a row.
                    let labels = if groups.is_empty() {
                        vec![s.label.clone()]
                    } else if all.chars().count() <= 110 {
                        vec![all]
                    } else {
                        groups.iter().map(|o| note(o)).collect()
                    };
                    for label in labels {
                        entries.push(LegendEntry::new(Mark::Line(s.colour, 4), label));
                    }
                }
            }
        }
        let body = style::frame(root, &self.title, &entries)?;
        let xs: Vec<f64> = self
            .panels
            .iter()
            .flat_map(|p| p.series.iter().flat_map(drawable))
            .map(|p| p.0)
            .collect();
        let (x0, x1) = xs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                (a.min(*x), b.max(*x))
            });
        if self.panels.is_empty() || !(x0.is_finite() && x1.is_finite()) {
            return style::message_panel(&body, "no variants form a series: nothing to plot");
        }
        let log = self.log_x && x0 > 0.0;
        let u = |x: f64| if log { x.log10() } else { x };
        let (u0, u1) = (u(x0), u(x1));
        let pad = if u1 > u0 { (u1 - u0) * 0.06 } else { 1.0 };
        let (u0, u1) = (u0 - pad, u1 + pad);
        let rows = body.split_evenly((self.panels.len(), 1));
        let last = self.panels.len() - 1;
        for (k, (panel, area)) in self.panels.iter().zip(&rows).enumerate() {
            let pts: Vec<_> = panel.series.iter().map(drawable).collect();
            let ymax = pts
                .iter()
                .flatten()
                .map(|p| p.2.map(|b| b.1).unwrap_or(p.1).max(p.1))
                .fold(0.0f64, f64::max);
            let ymin = pts
                .iter()
                .flatten()
                .map(|p| p.2.map(|b| b.0).unwrap_or(p.1).min(p.1))
                .fold(0.0f64, f64::min);
            if pts.iter().all(Vec::is_empty) {
                let (top, rest) = area.split_vertically(50);
                top.draw(&Text::new(
                    panel.y_desc.clone(),
                    (20, 25),
                    style::text(style::LABEL_SIZE).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
                style::message_panel(&rest, "no values of this metric to plot")?;
                continue;
            }
            // Values all well above zero (availability in the 90s, say): the axis starts near
            // the lowest, so differences and their confidence bands are visible; the tick
            // labels say where it starts.
            let lowest = pts
                .iter()
                .flatten()
                .map(|p| p.2.map(|b| b.0).unwrap_or(p.1).min(p.1))
                .fold(f64::INFINITY, f64::min);
            let ymin = if lowest > 0.0 && lowest > 0.5 * ymax {
                (lowest - (ymax - lowest) * 0.25).max(0.0)
            } else {
                ymin
            };
            let yspan = if ymax > ymin { ymax - ymin } else { 1.0 };
            let (y0, y1) = (ymin, ymax + yspan * 0.18);
            let mut c = ChartBuilder::on(area)
                .margin_left(20)
                .margin_right(50)
                .margin_top(15)
                .margin_bottom(5)
                .x_label_area_size(if k == last { 100 } else { 50 })
                .y_label_area_size(150)
                .build_cartesian_2d(u0..u1, y0..y1)?;
            let mut mesh = c.configure_mesh();
            mesh.disable_x_mesh()
                .x_labels(0)
                .y_desc(panel.y_desc.clone())
                .y_label_formatter(&|v| compact(*v))
                .y_labels(6)
                .label_style(style::text(style::TICK_SIZE))
                .axis_desc_style(style::text(style::LABEL_SIZE))
                .bold_line_style(RGBColor(215, 215, 215))
                .light_line_style(RGBColor(242, 242, 242))
                .axis_style(style::INK.stroke_width(2));
            if k == last {
                mesh.x_desc(self.x_desc.clone());
            }
            mesh.draw()?;
            // Ticks and light grid lines at the parameter values.
            let base = area.get_base_pixel();
            let tick_st = style::text(style::TICK_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
            let tick_h = (style::TICK_SIZE * 1.1) as i32;
            // A tick label that would touch the one before it drops to a second row.
            let mut ends = [i32::MIN; 2];
            let mut ticks: Vec<&(f64, String)> = self.x_ticks.iter().collect();
            ticks.sort_by(|a, b| a.0.total_cmp(&b.0));
            for (x, label) in ticks {
                if !finite(*x) || (log && *x <= 0.0) {
                    continue;
                }
                c.draw_series(std::iter::once(PathElement::new(
                    vec![(u(*x), y0), (u(*x), y1)],
                    RGBColor(225, 225, 225).stroke_width(2),
                )))?;
                let (px, py) = c.backend_coord(&(u(*x), y0));
                let tw = style::text_size(area, label, &tick_st).0 as i32;
                let row = if px - tw / 2 > ends[0] + 8 { 0 } else { 1 };
                ends[row] = px + tw / 2;
                area.draw(&Text::new(
                    label.clone(),
                    (px - base.0, py - base.1 + 10 + row as i32 * tick_h),
                    tick_st.clone(),
                ))?;
            }
            // Value labels drawn so far in this panel (left, top, right, bottom in pixels): a
            // label that would overlap one takes the other side of its point, or is left out
            // (the value is in the CSV; the line and legend still show the series).
            let mut placed: Vec<(i32, i32, i32, i32)> = pts
                .iter()
                .flatten()
                .map(|q| {
                    let (x, y) = c.backend_coord(&(u(q.0), q.1));
                    (x - 9, y - 9, x + 9, y + 9)
                })
                .collect();
            for (s, p) in panel.series.iter().zip(&pts) {
                let bands: Vec<(f64, f64, f64)> = p
                    .iter()
                    .filter_map(|q| q.2.map(|b| (u(q.0), b.0, b.1)))
                    .collect();
                if bands.len() >= 2 {
                    let poly: Vec<(f64, f64)> = bands
                        .iter()
                        .map(|b| (b.0, b.2))
                        .chain(bands.iter().rev().map(|b| (b.0, b.1)))
                        .collect();
                    c.draw_series(std::iter::once(Polygon::new(poly, s.colour.mix(0.18))))?;
                }
                c.draw_series(LineSeries::new(
                    p.iter().map(|q| (u(q.0), q.1)),
                    s.colour.stroke_width(4),
                ))?;
                c.draw_series(
                    p.iter()
                        .map(|q| Circle::new((u(q.0), q.1), 8, s.colour.filled())),
                )?;
                let val_st = style::text(style::NOTE_SIZE).color(&s.colour);
                let mut prev: Option<(i32, bool)> = None;
                for q in p {
                    // Above the point, unless another line is higher at this x (then below,
                    // so the two labels do not collide); a label that would touch the
                    // previous one of its line takes the other side.
                    let mut below = pts.iter().flatten().any(|o| o.0 == q.0 && o.1 > q.1);
                    let (px, py) = c.backend_coord(&(u(q.0), q.1));
                    let text = compact(q.1);
                    let tw = style::text_size(area, &text, &val_st).0 as i32;
                    if let Some((end, side)) = prev
                        && px - tw / 2 <= end + 6
                        && side == below
                    {
                        below = !below;
                    }
                    prev = Some((px + tw / 2, below));
                    // Below a point at the foot of the panel would cross the axis: beside it.
                    let floor = c.backend_coord(&(u0, y0)).1;
                    let th = style::text_size(area, &text, &val_st).1 as i32;
                    let spot = |below: bool| {
                        if below && py + 14 + th > floor {
                            (14, 0, Pos::new(HPos::Left, VPos::Center))
                        } else if below {
                            (0, 14, Pos::new(HPos::Center, VPos::Top))
                        } else {
                            (0, -12, Pos::new(HPos::Center, VPos::Bottom))
                        }
                    };
                    let rect = |(dx, dy, pos): (i32, i32, Pos)| {
                        let x = px + dx;
                        let y = py + dy;
                        let (l, r) = match pos.h_pos {
                            HPos::Left => (x, x + tw),
                            HPos::Right => (x - tw, x),
                            HPos::Center => (x - tw / 2, x + tw / 2),
                        };
                        let (t, b) = match pos.v_pos {
                            VPos::Top => (y, y + th),
                            VPos::Bottom => (y - th, y),
                            VPos::Center => (y - th / 2, y + th / 2),
                        };
                        (l - 3, t - 2, r + 3, b + 2)
                    };
                    let free = |r: (i32, i32, i32, i32)| {
                        !placed
                            .iter()
                            .any(|o| r.0 < o.2 && o.0 < r.2 && r.1 < o.3 && o.1 < r.3)
                    };
                    let Some((dx, dy, pos)) = [below, !below]
                        .into_iter()
                        .map(spot)
                        .find(|sp| free(rect(*sp)))
                    else {
                        continue;
                    };
                    placed.push(rect((dx, dy, pos)));
                    area.draw(&Text::new(
                        text,
                        (px - base.0 + dx, py - base.1 + dy),
                        val_st.clone().pos(pos),
                    ))?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::render;

    fn pt(x: f64, y: Option<f64>) -> SweepPoint {
        SweepPoint { x, y, band: None }
    }

    #[test]
    fn compact_numbers() {
        assert_eq!(compact(1234.0), "1,234");
        assert_eq!(compact(128710.0), "128,710");
        assert_eq!(compact(0.28), "0.28");
        assert_eq!(compact(44.0), "44");
    }

    #[test]
    fn lines_bands_gaps_and_empty_panels() {
        let c = SweepChart {
            title: "RTO vs TTL".into(),
            x_desc: "DNS TTL (s)".into(),
            log_x: true,
            x_ticks: vec![(5.0, "5 s".into()), (300.0, "300 s".into())],
            panels: vec![
                SweepPanel {
                    y_desc: "RTO (s)".into(),
                    series: vec![SweepSeries {
                        label: "ttl-N".into(),
                        colour: style::variant_colour(0),
                        points: vec![
                            SweepPoint {
                                x: 300.0,
                                y: Some(390.0),
                                band: Some((350.0, 420.0)),
                            },
                            SweepPoint {
                                x: 5.0,
                                y: Some(100.0),
                                band: Some((90.0, 110.0)),
                            },
                            pt(60.0, Some(f64::NAN)),
                        ],
                    }],
                },
                SweepPanel {
                    y_desc: "lost writes".into(),
                    series: vec![SweepSeries {
                        label: "other".into(),
                        colour: style::variant_colour(1),
                        points: vec![pt(5.0, None)],
                    }],
                },
            ],
        };
        let r = render("sweep", &c, true).unwrap();
        assert!(r.svg.contains("300 s") && r.svg.contains("390"));
        assert!(r.svg.contains("no values of this metric to plot"));
        assert!(r.svg.contains("other (no values)"));
        assert!(!r.svg.contains("NaN"));
        let empty = SweepChart {
            panels: vec![],
            ..c
        };
        let r = render("sweep", &empty, false).unwrap();
        assert!(r.svg.contains("no variants form a series"));
    }

    /// failover-sweep's `fast-checks, failure_threshold=3` lay on `standard-checks,
    /// failure_threshold=1` in two panels (within 0.1 point of availability): the later line
    /// now says so in the legend, per panel; a line apart from every other says nothing.
    #[test]
    fn a_line_on_an_earlier_one_is_named_in_the_legend() {
        let series = |label: &str, colour: usize, ys: [f64; 3]| SweepSeries {
            label: label.into(),
            colour: style::variant_colour(colour),
            points: [5.0, 60.0, 300.0]
                .iter()
                .zip(ys)
                .map(|(x, y)| pt(*x, Some(y)))
                .collect(),
        };
        let c = SweepChart {
            title: "sweep".into(),
            x_desc: "DNS TTL (s, dns.ttl_s, log scale)".into(),
            log_x: true,
            x_ticks: vec![],
            panels: vec![
                SweepPanel {
                    y_desc: "availability (%)".into(),
                    series: vec![
                        series("standard", 0, [98.0, 96.8, 89.3]),
                        series("slow", 1, [94.1, 92.8, 85.0]),
                        series("fast", 2, [97.9, 96.7, 89.2]),
                    ],
                },
                SweepPanel {
                    y_desc: "p99 latency (ms)".into(),
                    series: vec![
                        series("standard", 0, [174.0, 155.0, 133.0]),
                        series("slow", 1, [100.0, 90.0, 80.0]),
                        series("fast", 2, [120.0, 110.0, 100.0]),
                    ],
                },
            ],
        };
        assert_eq!(c.overlaps("fast"), ["availability as standard"]);
        assert!(c.overlaps("standard").is_empty());
        assert!(c.overlaps("slow").is_empty());
        let svg = render("sweep", &c, false).unwrap().svg;
        assert!(
            svg.contains("fast (availability as standard: the lines overlap)"),
            "legend"
        );
    }
}
