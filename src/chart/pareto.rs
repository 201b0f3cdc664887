//! Pareto chart: monthly cost against p99 latency, availability written on each point, the non-dominated variants joined by a frontier line.

use super::cost::{usd, usd_tick};
use super::style::{self, LegendEntry, Mark};
use super::{Draw, DrawResult};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One variant: cost, p99 and availability, each with an optional 95% half-width.
#[derive(Debug, Clone, PartialEq)]
pub struct ParetoPoint {
    pub label: String,
    pub colour: RGBColor,
    /// USD per month.
    pub cost: f64,
    pub cost_ci: Option<f64>,
    pub p99_ms: f64,
    pub p99_ci: Option<f64>,
    /// Fraction of requests that succeeded, `None` when unknown (then it counts as worst).
    pub availability: Option<f64>,
    /// Acknowledged writes lost (updates lost to conflicts and at failovers; a mean over
    /// seeds). Written on the label when any point of the panel lost some; not an axis.
    pub writes_lost: f64,
}

impl ParetoPoint {
    /// Whether it has a cost to place it by (a positive, finite one: the axis may be log).
    fn has_cost(&self) -> bool {
        self.cost.is_finite() && self.cost > 0.0
    }
    /// Whether it is drawn: a cost and a p99.
    fn drawn(&self) -> bool {
        self.has_cost() && self.p99_ms.is_finite()
    }
}

/// "1,234 writes lost" (a mean over seeds may have decimals).
fn lost(n: f64) -> String {
    let n = if n.is_finite() { n.max(0.0) } else { 0.0 };
    format!("{} writes lost", super::sweep::compact(n))
}

/// One panel: the variants compared with each other (the same downtime price).
#[derive(Debug, Clone)]
pub struct ParetoPanel {
    pub title: String,
    pub x_desc: String,
    pub points: Vec<ParetoPoint>,
}

/// Panels side by side.
#[derive(Debug, Clone)]
pub struct ParetoChart {
    pub title: String,
    pub panels: Vec<ParetoPanel>,
}

/// Whether each of `points` (cost, p99, availability) is non-dominated: no other point is at
/// least as good on all three (lower cost, lower p99, higher availability) and better on one.
/// Points with a non-finite cost or p99 are never on the frontier and dominate nothing; a
/// missing availability is NaN here and counts as the worst.
pub fn non_dominated(points: &[(f64, f64, f64)]) -> Vec<bool> {
    let ok = |p: &(f64, f64, f64)| p.0.is_finite() && p.1.is_finite();
    let avail = |a: f64| if a.is_nan() { f64::NEG_INFINITY } else { a };
    let dominates = |a: &(f64, f64, f64), b: &(f64, f64, f64)| {
        let (aa, ba) = (avail(a.2), avail(b.2));
        a.0 <= b.0 && a.1 <= b.1 && aa >= ba && (a.0 < b.0 || a.1 < b.1 || aa > ba)
    };
    points
        .iter()
        .map(|b| ok(b) && !points.iter().any(|a| ok(a) && dominates(a, b)))
        .collect()
}

fn percent(a: Option<f64>) -> String {
    match a {
        None => "availability unknown".into(),
        Some(a) => {
            let p = a * 100.0;
            if p >= 99.0 {
                format!("{p:.3}%")
            } else {
                format!("{p:.2}%")
            }
        }
    }
}

impl ParetoPanel {
    fn frontier(&self) -> Vec<bool> {
        let pts: Vec<(f64, f64, f64)> = self
            .points
            .iter()
            .map(|p| (p.cost, p.p99_ms, p.availability.unwrap_or(f64::NAN)))
            .collect();
        non_dominated(&pts)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let pts: Vec<&ParetoPoint> = self.points.iter().filter(|p| p.drawn()).collect();
        if pts.is_empty() {
            let body = style::frame(area, &self.title, &[])?;
            return style::message_panel(&body, "no variant with a cost and a p99");
        }
        let front = self.frontier();
        let on: Vec<bool> = self
            .points
            .iter()
            .zip(&front)
            .filter(|(p, _)| p.drawn())
            .map(|(_, f)| *f)
            .collect();
        let lo_hi = |v: &dyn Fn(&ParetoPoint) -> (f64, f64)| {
            pts.iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), p| {
                    let (a, b) = v(p);
                    (l.min(a), h.max(b))
                })
        };
        let (xl, xh) = lo_hi(&|p| {
            let e = p.cost_ci.filter(|e| e.is_finite()).unwrap_or(0.0);
            ((p.cost - e).max(p.cost * 0.5), p.cost + e)
        });
        let (yl, yh) = lo_hi(&|p| {
            let e = p.p99_ci.filter(|e| e.is_finite()).unwrap_or(0.0);
            (p.p99_ms - e, p.p99_ms + e)
        });
        let ypad = ((yh - yl) * 0.25).max(yh.abs() * 0.05).max(1.0);
        let (y0, y1) = ((yl - ypad).max(0.0), yh + ypad);
        let log = xh / xl > 20.0;
        let title_st = style::text(style::LABEL_SIZE);
        // Variants with a cost but no p99 (no request succeeded) are named, not drawn.
        let missing: Vec<&str> = self
            .points
            .iter()
            .filter(|p| p.has_cost() && !p.drawn())
            .map(|p| p.label.as_str())
            .collect();
        let title = if missing.is_empty() {
            self.title.clone()
        } else {
            let mut names = missing[..missing.len().min(3)].join(", ");
            if missing.len() > 3 {
                names.push_str(&format!(" and {} more", missing.len() - 3));
            }
            format!("{} (no request succeeded, not drawn: {names})", self.title)
        };
        let mut cb = ChartBuilder::on(area);
        cb.margin(20)
            .margin_right(50)
            .x_label_area_size(70)
            .y_label_area_size(100)
            .caption(&title, title_st);
        let note = style::text(style::NOTE_SIZE);
        let (w, h) = area.dim_in_pixel();
        let base = area.get_base_pixel();
        macro_rules! plot {
            ($c:expr, $x_desc:expr) => {{
                let mut c = $c;
                c.configure_mesh()
                    .x_labels(5)
                    .y_labels(6)
                    .x_desc($x_desc)
                    .y_desc("p99 latency (ms)")
                    .x_label_formatter(&|v| {
                        if log && style::log_tick(*v).is_empty() {
                            String::new()
                        } else {
                            usd_tick(*v)
                        }
                    })
                    .y_label_formatter(&|v| style::tick(*v))
                    .label_style(style::text(style::TICK_SIZE))
                    .axis_desc_style(style::text(style::LABEL_SIZE))
                    .bold_line_style(RGBColor(215, 215, 215))
                    .light_line_style(RGBColor(242, 242, 242))
                    .axis_style(style::INK.stroke_width(2))
                    .draw()?;
                // Error bars first, so the points sit on top.
                for p in &pts {
                    let col = style::MUTED;
                    if let Some(e) = p.p99_ci.filter(|e| e.is_finite() && *e > 0.0) {
                        c.draw_series(std::iter::once(PathElement::new(
                            vec![(p.cost, p.p99_ms - e), (p.cost, p.p99_ms + e)],
                            col.stroke_width(2),
                        )))?;
                    }
                    if let Some(e) = p.cost_ci.filter(|e| e.is_finite() && *e > 0.0) {
                        let l = (p.cost - e).max(p.cost * 0.5);
                        c.draw_series(std::iter::once(PathElement::new(
                            vec![(l, p.p99_ms), (p.cost + e, p.p99_ms)],
                            col.stroke_width(2),
                        )))?;
                    }
                }
                let mut line: Vec<(f64, f64)> = pts
                    .iter()
                    .zip(&on)
                    .filter(|(_, f)| **f)
                    .map(|(p, _)| (p.cost, p.p99_ms))
                    .collect();
                line.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
                if line.len() > 1 {
                    c.draw_series(std::iter::once(PathElement::new(
                        line,
                        style::INK.stroke_width(3),
                    )))?;
                }
                for (p, f) in pts.iter().zip(&on) {
                    if *f {
                        c.draw_series(std::iter::once(Circle::new(
                            (p.cost, p.p99_ms),
                            13,
                            p.colour.filled(),
                        )))?;
                        c.draw_series(std::iter::once(Circle::new(
                            (p.cost, p.p99_ms),
                            13,
                            style::INK.stroke_width(2),
                        )))?;
                    } else {
                        c.draw_series(std::iter::once(
                            EmptyElement::at((p.cost, p.p99_ms))
                                + Rectangle::new([(-9, -9), (9, 9)], style::MUTED.stroke_width(3)),
                        ))?;
                    }
                }
                // Labels: name above, availability below, on the side with room, moved up
                // or down until they cover no other label and no point.
                let centres: Vec<(i32, i32)> = pts
                    .iter()
                    .map(|p| {
                        let (x, y) = c.backend_coord(&(p.cost, p.p99_ms));
                        (x - base.0, y - base.1)
                    })
                    .collect();
                let mut taken: Vec<(i32, i32, i32, i32)> = centres
                    .iter()
                    .map(|(x, y)| (x - 14, y - 14, x + 14, y + 14))
                    .collect();
                let line_h = style::text_size(area, "Ag", &note).1 as i32 + 4;
                let any_lost = pts.iter().any(|p| p.writes_lost > 0.0);
                for ((p, f), (px, py)) in pts.iter().zip(&on).zip(&centres) {
                    let (px, py) = (*px, *py);
                    let second = format!("{} · {}", percent(p.availability), usd(p.cost));
                    let third = any_lost.then(|| lost(p.writes_lost));
                    let tw = [Some(&p.label), Some(&second), third.as_ref()]
                        .into_iter()
                        .flatten()
                        .map(|t| style::text_size(area, t, &note).0)
                        .max()
                        .unwrap_or(0) as i32;
                    // Lines below the point's row: availability and cost, then writes lost.
                    let below = if third.is_some() { 2 * line_h } else { line_h };
                    let prefer_right = (px as f64) < w as f64 * 0.6;
                    // Where nothing fits: the side that fits across, else the wider one.
                    let fits_right = px + 18 + tw <= w as i32;
                    let fits_left = px - 18 - tw >= 0;
                    let side = match (fits_right, fits_left) {
                        (true, true) => prefer_right,
                        (true, false) => true,
                        (false, true) => false,
                        (false, false) => 2 * px < w as i32,
                    };
                    let mut choice = (side, 0);
                    'search: for k in 0..9 {
                        let dy = if k % 2 == 0 { k / 2 } else { -(k / 2 + 1) } * line_h;
                        for right in [prefer_right, !prefer_right] {
                            let (x0, x1) = if right {
                                (px + 18, px + 18 + tw)
                            } else {
                                (px - 18 - tw, px - 18)
                            };
                            let (y0, y1) = (py + dy - line_h, py + dy + below);
                            // Inside the panel, and over no other label or point.
                            if x0 >= 0
                                && x1 <= w as i32
                                && y0 >= 0
                                && y1 <= h as i32
                                && !taken
                                    .iter()
                                    .any(|b| x0 < b.2 && b.0 < x1 && y0 < b.3 && b.1 < y1)
                            {
                                choice = (right, dy);
                                break 'search;
                            }
                        }
                    }
                    let (right, dy) = choice;
                    let (hp, dx) = if right {
                        (HPos::Left, 18)
                    } else {
                        (HPos::Right, -18)
                    };
                    let (x0, x1) = if right {
                        (px + 18, px + 18 + tw)
                    } else {
                        (px - 18 - tw, px - 18)
                    };
                    taken.push((x0, py + dy - line_h, x1, py + dy + below));
                    let st = if *f {
                        note.clone()
                    } else {
                        note.clone().color(&style::MUTED)
                    };
                    if dy != 0 {
                        area.draw(&PathElement::new(
                            vec![(px, py), (px + dx, py + dy)],
                            style::MUTED.stroke_width(1),
                        ))?;
                    }
                    area.draw(&Text::new(
                        p.label.clone(),
                        (px + dx, py + dy - 2),
                        st.clone().pos(Pos::new(hp, VPos::Bottom)),
                    ))?;
                    area.draw(&Text::new(
                        second,
                        (px + dx, py + dy + 2),
                        st.clone().pos(Pos::new(hp, VPos::Top)),
                    ))?;
                    if let Some(third) = third {
                        area.draw(&Text::new(
                            third,
                            (px + dx, py + dy + 2 + line_h),
                            st.pos(Pos::new(hp, VPos::Top)),
                        ))?;
                    }
                }
            }};
        }
        if log {
            let x0 = 10f64.powf((xl / 1.5).log10().floor());
            let x1 = 10f64.powf((xh * 1.5).log10().ceil());
            plot!(
                cb.build_cartesian_2d((x0..x1).log_scale(), y0..y1)?,
                format!("{} (log)", self.x_desc)
            );
        } else {
            let pad = ((xh - xl) * 0.3).max(xh * 0.05);
            let (x0, x1) = ((xl - pad).max(0.0), xh + pad);
            plot!(cb.build_cartesian_2d(x0..x1, y0..y1)?, self.x_desc.clone());
        }
        Ok(())
    }
}

impl Draw for ParetoChart {
    fn size(&self) -> (u32, u32) {
        (1800, 1000)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let ci = self
            .panels
            .iter()
            .flat_map(|p| &p.points)
            .any(|p| p.cost_ci.is_some_and(|e| e > 0.0) || p.p99_ci.is_some_and(|e| e > 0.0));
        let mut entries = vec![
            LegendEntry::new(Mark::Dot(style::INK), "non-dominated (a colour per design)"),
            LegendEntry::new(Mark::Line(style::INK, 3), "frontier"),
            LegendEntry::new(Mark::Square(style::MUTED, false), "dominated (grey)"),
        ];
        if ci {
            entries.push(LegendEntry::new(
                Mark::Line(style::MUTED, 2),
                "95% confidence interval over seeds",
            ));
        }
        let body = style::frame(root, &self.title, &entries)?;
        if self.panels.is_empty() {
            return style::message_panel(&body, "no variant has a cost: nothing to plot");
        }
        let areas = body.split_evenly((1, self.panels.len()));
        for (panel, area) in self.panels.iter().zip(&areas) {
            panel.draw(area)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::render;

    #[test]
    fn dominance_by_hand() {
        // b is cheaper, faster and more available than a: only b survives.
        assert_eq!(
            non_dominated(&[(10.0, 100.0, 0.99), (5.0, 50.0, 0.999)]),
            vec![false, true]
        );
        // A trade-off: cheaper but slower — both survive.
        assert_eq!(
            non_dominated(&[(10.0, 50.0, 0.99), (5.0, 100.0, 0.99)]),
            vec![true, true]
        );
        // Ties: identical points dominate neither each other.
        assert_eq!(
            non_dominated(&[(5.0, 50.0, 0.99), (5.0, 50.0, 0.99)]),
            vec![true, true]
        );
        // Equal on two, better on one (availability) dominates.
        assert_eq!(
            non_dominated(&[(5.0, 50.0, 0.99), (5.0, 50.0, 0.999)]),
            vec![false, true]
        );
        // Equal cost and availability, lower p99 dominates.
        assert_eq!(
            non_dominated(&[(5.0, 40.0, 0.99), (5.0, 50.0, 0.99)]),
            vec![true, false]
        );
        // Cheaper and faster but less available: no domination.
        assert_eq!(
            non_dominated(&[(4.0, 40.0, 0.98), (5.0, 50.0, 0.99)]),
            vec![true, true]
        );
        // Unknown availability counts as worst; a NaN cost is never on the frontier.
        assert_eq!(
            non_dominated(&[(5.0, 50.0, f64::NAN), (5.0, 50.0, 0.9), (1.0, 1.0, 1.0)]),
            vec![false, false, true]
        );
        assert_eq!(
            non_dominated(&[(f64::NAN, 1.0, 1.0), (5.0, 50.0, 0.9)]),
            vec![false, true]
        );
        assert!(non_dominated(&[]).is_empty());
    }

    fn point(label: &str, cost: f64, p99: f64, a: f64, ci: Option<f64>) -> ParetoPoint {
        ParetoPoint {
            label: label.into(),
            colour: style::variant_colour(0),
            cost,
            cost_ci: ci,
            p99_ms: p99,
            p99_ci: ci,
            availability: Some(a),
            writes_lost: 0.0,
        }
    }

    #[test]
    fn every_point_is_labelled_and_error_bars_come_with_cis() {
        let chart = ParetoChart {
            title: "cost, p99 and availability".into(),
            panels: vec![
                ParetoPanel {
                    title: "downtime at $50/min".into(),
                    x_desc: "total USD per month".into(),
                    points: vec![
                        point("one-region", 12_680.0, 248.5, 0.9944, Some(20.0)),
                        ParetoPoint {
                            writes_lost: 12.5,
                            ..point("active-passive", 1_216.0, 240.1, 0.99992, Some(3.0))
                        },
                        ParetoPoint {
                            writes_lost: 1234.0,
                            ..point("active-active", 1_216.5, 192.9, 0.99998, None)
                        },
                    ],
                },
                ParetoPanel {
                    title: "empty".into(),
                    x_desc: "infrastructure USD per month".into(),
                    points: vec![point("x", f64::NAN, 1.0, 1.0, None)],
                },
            ],
        };
        let r = render("pareto", &chart, true).unwrap();
        for needle in [
            "one-region",
            "active-passive",
            "active-active",
            "99.998%",
            "95% confidence interval",
            "no variant with a cost",
            "1,234 writes lost",
            "12.5 writes lost",
            "0 writes lost",
        ] {
            assert!(r.svg.contains(needle), "{needle}");
        }
        assert!(!r.svg.contains("NaN"));
        // A panel where nothing was lost says nothing about it.
        assert_eq!(r.svg.matches("writes lost").count(), 3);
    }
}
