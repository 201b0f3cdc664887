//! Cost chart: a stacked bar per variant of the monthly cost, infrastructure by component on the left, the total with downtime (hatched) on the right.

use super::style::{self, LegendEntry, Mark};
use super::sweep::compact;
use super::{Draw, DrawResult};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The infrastructure components, in the order the cost report writes them, with a fixed
/// colour each (Okabe–Ito, safe for colour-blind readers) so every report reads alike.
pub const COMPONENTS: [(&str, &str, RGBColor); 7] = [
    ("compute", "compute", RGBColor(0, 114, 178)),
    ("storage", "storage", RGBColor(86, 180, 233)),
    (
        "replication_egress",
        "replication egress",
        RGBColor(0, 158, 115),
    ),
    (
        "forwarding_egress",
        "forwarding egress",
        RGBColor(230, 159, 0),
    ),
    ("client_egress", "client egress", RGBColor(204, 121, 167)),
    ("dns", "DNS", RGBColor(240, 228, 66)),
    ("health_checks", "health checks", RGBColor(153, 153, 51)),
];

/// Downtime: vermillion, hatched, so it never reads as one more infrastructure line.
pub const DOWNTIME: RGBColor = RGBColor(213, 94, 0);

/// The infrastructure as one segment, under the downtime in the total panel.
pub const INFRA_TOTAL: RGBColor = RGBColor(110, 110, 110);

/// The colour of an infrastructure component (grey for one this version does not know).
pub fn component_colour(component: &str) -> RGBColor {
    COMPONENTS
        .iter()
        .find(|c| c.0 == component)
        .map(|c| c.2)
        .unwrap_or(style::MUTED)
}

/// The readable name of a component (`replication_egress` → `replication egress`).
pub fn component_label(component: &str) -> String {
    COMPONENTS
        .iter()
        .find(|c| c.0 == component)
        .map(|c| c.1.to_owned())
        .unwrap_or_else(|| component.replace('_', " "))
}

/// A sum of money, short: `$672`, `$1,216`, `$163.9k`, `$12.01M`.
pub fn usd(v: f64) -> String {
    let a = v.abs();
    let s = if a >= 1e6 {
        format!("${:.2}M", a / 1e6)
    } else if a >= 1e5 {
        format!("${:.1}k", a / 1e3)
    } else {
        format!("${}", compact(a.round()))
    };
    if v < 0.0 { format!("-{s}") } else { s }
}

/// A sum of money for an axis tick, shorter still: `$500`, `$1,500`, `$15k`, `$100M`.
pub fn usd_tick(v: f64) -> String {
    let a = v.abs();
    let short = |x: f64, unit: &str| {
        let s = format!("{x:.1}");
        format!("${}{unit}", s.trim_end_matches('0').trim_end_matches('.'))
    };
    let s = if a >= 1e6 {
        short(a / 1e6, "M")
    } else if a >= 1e4 {
        short(a / 1e3, "k")
    } else {
        usd(a)
    };
    if v < 0.0 { format!("-{s}") } else { s }
}

/// A projection factor as written: one decimal below 10 (× 1.5 for a 20-day run), else whole.
pub fn times(x: f64) -> String {
    if x < 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

/// Monthly cost of each variant.
#[derive(Debug, Clone)]
pub struct CostChart {
    pub title: String,
    pub variants: Vec<String>,
    /// Component keys (`compute`, …), one stacked segment each.
    pub components: Vec<String>,
    /// `infra[variant][component]`, USD per month.
    pub infra: Vec<Vec<f64>>,
    /// Downtime per variant, USD per month (0 when the experiment prices no downtime).
    pub downtime: Vec<f64>,
    /// How many times the month counts the simulated span's failures (30 days / the span,
    /// SPEC §3 Cost): above 1, the downtime is the run's faults as if they recurred all month.
    pub downtime_times: f64,
}

const ROW_PX: u32 = 64;

impl CostChart {
    fn infra_total(&self, v: usize) -> f64 {
        self.infra
            .get(v)
            .map(|r| r.iter().filter(|x| x.is_finite()).sum())
            .unwrap_or(0.0)
    }
    fn downtime_of(&self, v: usize) -> f64 {
        self.downtime
            .get(v)
            .copied()
            .filter(|x| x.is_finite() && *x > 0.0)
            .unwrap_or(0.0)
    }
    fn has_downtime(&self) -> bool {
        (0..self.variants.len()).any(|v| self.downtime_of(v) > 0.0)
    }
    /// Whether the total panel needs a log axis: the totals span more than 20×.
    pub fn total_is_log(&self) -> bool {
        let totals: Vec<f64> = (0..self.variants.len())
            .map(|v| self.infra_total(v) + self.downtime_of(v))
            .filter(|t| *t > 0.0)
            .collect();
        let lo = totals.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = totals.iter().copied().fold(0.0, f64::max);
        lo.is_finite() && hi / lo > 20.0
    }
}

/// Draws diagonal hatching over the pixel rectangle (x0, y0)–(x1, y1) of `area`.
fn hatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
    colour: RGBColor,
) -> DrawResult<DB> {
    let (x0, x1) = (x0.min(x1), x0.max(x1));
    let (y0, y1) = (y0.min(y1), y0.max(y1));
    let h = y1 - y0;
    let mut k = x0 - h;
    while k < x1 {
        // The line from (k, y1) up to (k + h, y0), clipped to [x0, x1].
        let (mut ax, mut ay) = (k, y1);
        let (mut bx, mut by) = (k + h, y0);
        if ax < x0 {
            ay -= x0 - ax;
            ax = x0;
        }
        if bx > x1 {
            by += bx - x1;
            bx = x1;
        }
        if bx > ax {
            area.draw(&PathElement::new(
                vec![(ax, ay), (bx, by)],
                colour.stroke_width(2),
            ))?;
        }
        k += 12;
    }
    Ok(())
}

impl Draw for CostChart {
    fn size(&self) -> (u32, u32) {
        let n = self.variants.len().max(3) as u32;
        (1800, 330 + ROW_PX * n)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let downtime = self.has_downtime();
        let mut entries: Vec<LegendEntry> = self
            .components
            .iter()
            .map(|c| LegendEntry::new(Mark::Box(component_colour(c), 1.0), component_label(c)))
            .collect();
        if downtime {
            entries.push(LegendEntry::new(
                Mark::Box(INFRA_TOTAL, 1.0),
                "infrastructure (right panel)",
            ));
            let label = if self.downtime_times > 1.05 {
                format!(
                    "downtime (hatched): the run's failures × {}, as if its faults recurred all month",
                    times(self.downtime_times)
                )
            } else {
                "downtime (hatched)".to_owned()
            };
            entries.push(LegendEntry::new(Mark::Box(DOWNTIME, 0.45), label));
        }
        let body = style::frame(root, &self.title, &entries)?;
        let n = self.variants.len();
        if n == 0 {
            return style::message_panel(&body, "no variant has a cost: nothing to plot");
        }
        let (w, _) = body.dim_in_pixel();
        let (left, right) = if downtime {
            let (l, r) = body.split_horizontally((w as f64 * 0.55) as u32);
            (l, Some(r))
        } else {
            (body.clone(), None)
        };
        let names_px = 330;
        let x_area = 70;
        let margin = 20;
        let note = style::text(style::NOTE_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
        let row_y = |v: usize| n as f64 - v as f64 - 0.5;

        // Left: infrastructure by component, linear.
        let max_infra = (0..n).map(|v| self.infra_total(v)).fold(0.0, f64::max);
        let top = if max_infra > 0.0 {
            max_infra * 1.3
        } else {
            1.0
        };
        let mut c = ChartBuilder::on(&left)
            .margin(margin)
            .margin_right(60)
            .x_label_area_size(x_area)
            .y_label_area_size(names_px)
            .caption("infrastructure per month", style::text(style::LABEL_SIZE))
            .build_cartesian_2d(0f64..top, 0f64..n as f64)?;
        c.configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_desc("USD per month")
            .x_label_formatter(&|v| usd_tick(*v))
            .label_style(style::text(style::TICK_SIZE))
            .axis_desc_style(style::text(style::LABEL_SIZE))
            .bold_line_style(RGBColor(215, 215, 215))
            .light_line_style(RGBColor(242, 242, 242))
            .axis_style(style::INK.stroke_width(2))
            .draw()?;
        let base = left.get_base_pixel();
        let name_st = style::text(style::TICK_SIZE).pos(Pos::new(HPos::Right, VPos::Center));
        for (v, name) in self.variants.iter().enumerate() {
            let y = row_y(v);
            let (px, py) = c.backend_coord(&(0.0, y));
            let label = style::fit(&left, name, &name_st, names_px - 20);
            left.draw(&Text::new(
                label,
                (px - base.0 - 12, py - base.1),
                name_st.clone(),
            ))?;
            let mut x = 0.0;
            for (k, comp) in self.components.iter().enumerate() {
                let m = self
                    .infra
                    .get(v)
                    .and_then(|r| r.get(k))
                    .copied()
                    .filter(|m| m.is_finite() && *m > 0.0)
                    .unwrap_or(0.0);
                if m > 0.0 {
                    c.draw_series(std::iter::once(Rectangle::new(
                        [(x, y - 0.36), (x + m, y + 0.36)],
                        component_colour(comp).filled(),
                    )))?;
                }
                x += m;
            }
            let (px, py) = c.backend_coord(&(x, y));
            left.draw(&Text::new(
                usd(x),
                (px - base.0 + 8, py - base.1),
                note.clone(),
            ))?;
        }

        // Right: the total, infrastructure solid and downtime hatched.
        let Some(right) = right else { return Ok(()) };
        let totals: Vec<f64> = (0..n)
            .map(|v| self.infra_total(v) + self.downtime_of(v))
            .collect();
        let max_total = totals.iter().copied().fold(0.0, f64::max);
        let base = right.get_base_pixel();
        let infra_st = INFRA_TOTAL;
        if self.total_is_log() {
            let lo = totals
                .iter()
                .copied()
                .filter(|t| *t > 0.0)
                .fold(f64::INFINITY, f64::min)
                .min(
                    (0..n)
                        .map(|v| self.infra_total(v))
                        .filter(|t| *t > 0.0)
                        .fold(f64::INFINITY, f64::min),
                );
            let floor = 10f64.powf((lo / 2.0).log10().floor());
            let mut c = ChartBuilder::on(&right)
                .margin(margin)
                .margin_right(60)
                .x_label_area_size(x_area)
                .y_label_area_size(10)
                .caption(
                    "total per month incl. downtime (log scale)",
                    style::text(style::LABEL_SIZE),
                )
                .build_cartesian_2d((floor..max_total * 12.0).log_scale(), 0f64..n as f64)?;
            c.configure_mesh()
                .disable_y_mesh()
                .y_labels(0)
                .x_desc("USD per month (log scale)")
                .x_label_formatter(&|v| {
                    let t = style::log_tick(*v);
                    if t.is_empty() { t } else { usd_tick(*v) }
                })
                .label_style(style::text(style::TICK_SIZE))
                .axis_desc_style(style::text(style::LABEL_SIZE))
                .bold_line_style(RGBColor(215, 215, 215))
                .light_line_style(RGBColor(242, 242, 242))
                .axis_style(style::INK.stroke_width(2))
                .draw()?;
            for (v, total) in totals.iter().enumerate() {
                let y = row_y(v);
                let infra = self.infra_total(v).max(floor);
                c.draw_series(std::iter::once(Rectangle::new(
                    [(floor, y - 0.36), (infra, y + 0.36)],
                    infra_st.filled(),
                )))?;
                if *total > infra {
                    self.draw_downtime(&c, &right, base, (infra, *total), y)?;
                }
                let (px, py) = c.backend_coord(&(total.max(floor), y));
                right.draw(&Text::new(
                    usd(*total),
                    (px - base.0 + 8, py - base.1),
                    note.clone(),
                ))?;
            }
        } else {
            let mut c = ChartBuilder::on(&right)
                .margin(margin)
                .margin_right(60)
                .x_label_area_size(x_area)
                .y_label_area_size(10)
                .caption(
                    "total per month incl. downtime",
                    style::text(style::LABEL_SIZE),
                )
                .build_cartesian_2d(0f64..max_total * 1.35, 0f64..n as f64)?;
            c.configure_mesh()
                .disable_y_mesh()
                .y_labels(0)
                .x_labels(5)
                .x_desc("USD per month")
                .x_label_formatter(&|v| usd_tick(*v))
                .label_style(style::text(style::TICK_SIZE))
                .axis_desc_style(style::text(style::LABEL_SIZE))
                .bold_line_style(RGBColor(215, 215, 215))
                .light_line_style(RGBColor(242, 242, 242))
                .axis_style(style::INK.stroke_width(2))
                .draw()?;
            for (v, total) in totals.iter().enumerate() {
                let y = row_y(v);
                let infra = self.infra_total(v);
                if infra > 0.0 {
                    c.draw_series(std::iter::once(Rectangle::new(
                        [(0.0, y - 0.36), (infra, y + 0.36)],
                        infra_st.filled(),
                    )))?;
                }
                if *total > infra {
                    self.draw_downtime(&c, &right, base, (infra, *total), y)?;
                }
                let (px, py) = c.backend_coord(&(*total, y));
                right.draw(&Text::new(
                    usd(*total),
                    (px - base.0 + 8, py - base.1),
                    note.clone(),
                ))?;
            }
        }
        Ok(())
    }
}

impl CostChart {
    /// The hatched downtime segment from `x0` to `x1` on row `y`.
    fn draw_downtime<DB: DrawingBackend, X: Ranged<ValueType = f64>>(
        &self,
        c: &ChartContext<'_, DB, Cartesian2d<X, plotters::coord::types::RangedCoordf64>>,
        area: &DrawingArea<DB, Shift>,
        base: (i32, i32),
        (x0, x1): (f64, f64),
        y: f64,
    ) -> DrawResult<DB> {
        let (ax, ay) = c.backend_coord(&(x0, y + 0.36));
        let (bx, by) = c.backend_coord(&(x1, y - 0.36));
        let (a, b) = ((ax - base.0, ay - base.1), (bx - base.0, by - base.1));
        area.draw(&Rectangle::new([a, b], DOWNTIME.mix(0.25).filled()))?;
        hatch(area, a, b, DOWNTIME)?;
        area.draw(&Rectangle::new([a, b], DOWNTIME.stroke_width(2)))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::render;

    fn chart(downtime: Vec<f64>) -> CostChart {
        CostChart {
            title: "monthly cost".into(),
            variants: vec!["one-region".into(), "active-active".into()],
            components: COMPONENTS.iter().map(|c| c.0.to_owned()).collect(),
            infra: vec![
                vec![470.0, 20.0, 0.0, 0.0, 148.3, 33.6, 0.36],
                vec![940.0, 40.0, 7.3, 0.0, 149.1, 33.6, 0.72],
            ],
            downtime,
            downtime_times: 1.0,
        }
    }

    #[test]
    fn money_is_short() {
        assert_eq!(usd(672.2), "$672");
        assert_eq!(usd(1216.5), "$1,217");
        assert_eq!(usd(163_897.0), "$163.9k");
        assert_eq!(usd(12_008_636.0), "$12.01M");
        assert_eq!(usd_tick(1500.0), "$1,500");
        assert_eq!(usd_tick(15_000.0), "$15k");
        assert_eq!(usd_tick(100e6), "$100M");
        assert_eq!(usd_tick(2.5e6), "$2.5M");
    }

    #[test]
    fn totals_are_written_and_downtime_gets_its_own_panel() {
        let r = render("cost", &chart(vec![12_007_964.0, 45_812.8]), true).unwrap();
        assert!(r.svg.contains("$672"), "infrastructure total written");
        assert!(r.svg.contains("$12.01M"), "total written");
        assert!(r.svg.contains("log scale"));
        assert!(r.svg.contains("downtime (hatched)"));
        assert!(!r.svg.contains("NaN"));
        assert!(
            !r.svg.contains("recurred"),
            "a month simulated: no projection to name"
        );
        let projected = CostChart {
            downtime_times: 720.0,
            ..chart(vec![12_007_964.0, 45_812.8])
        };
        let svg = render("cost", &projected, false).unwrap().svg;
        assert!(
            svg.contains("failures × 720, as if its faults recurred all month"),
            "an hour's downtime projected to a month says so"
        );
        let r = render("cost", &chart(vec![0.0, 0.0]), false).unwrap();
        assert!(!r.svg.contains("downtime"));
        assert!(r.svg.contains("health checks"));
        let r = render("cost", &chart(vec![100.0, 20.0]), false).unwrap();
        assert!(!r.svg.contains("log scale"));
        let empty = CostChart {
            variants: vec![],
            infra: vec![],
            downtime: vec![],
            ..chart(vec![])
        };
        assert!(
            render("cost", &empty, false)
                .unwrap()
                .svg
                .contains("nothing to plot")
        );
    }
}
