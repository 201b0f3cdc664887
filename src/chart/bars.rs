//! Grouped bar chart: a panel per percentile, a group per population, variants side by side.

use super::style::{self, LegendEntry, Mark};
use super::{Draw, DrawResult, finite};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One panel: an axis description and `values[group][variant]` (`None`: nothing to show).
#[derive(Debug, Clone)]
pub struct BarPanel {
    pub y_desc: String,
    pub values: Vec<Vec<Option<f64>>>,
}

/// Grouped bars: the same groups and variants in every panel, panels stacked vertically.
#[derive(Debug, Clone)]
pub struct BarsChart {
    pub title: String,
    pub groups: Vec<String>,
    pub variants: Vec<(String, RGBColor)>,
    pub panels: Vec<BarPanel>,
    /// Why a variant without a single value has no bars, for its legend entry.
    pub missing: String,
}

impl BarsChart {
    /// `values[g][v]` of `panel` if it can be drawn (finite, not negative).
    fn value(panel: &BarPanel, g: usize, v: usize) -> Option<f64> {
        panel
            .values
            .get(g)
            .and_then(|r| r.get(v))
            .copied()
            .flatten()
            .filter(|x| finite(*x) && *x >= 0.0)
    }
}

const Y_LABEL_AREA: u32 = 130;
const MARGIN: u32 = 20;

impl Draw for BarsChart {
    fn size(&self) -> (u32, u32) {
        // Panels keep their height however many rows the legend of many variants takes.
        let legend = style::legend_height_estimate(
            self.variants.iter().map(|(name, _)| name.as_str()),
            1600,
        );
        let one_row = style::legend_height_estimate(["x"], 1600);
        (
            1600,
            380 * self.panels.len().max(1) as u32 + 220 + legend.saturating_sub(one_row),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let entries: Vec<LegendEntry> = self
            .variants
            .iter()
            .enumerate()
            .map(|(v, (name, c))| {
                let any = self
                    .panels
                    .iter()
                    .any(|p| (0..self.groups.len()).any(|g| Self::value(p, g, v).is_some()));
                if any {
                    LegendEntry::new(Mark::Box(*c, 1.0), name.clone())
                } else {
                    LegendEntry::new(Mark::Missing, format!("{name} ({})", self.missing))
                }
            })
            .collect();
        let body = style::frame(root, &self.title, &entries)?;
        let n_groups = self.groups.len();
        let n_var = self.variants.len();
        if n_groups == 0 || n_var == 0 || self.panels.is_empty() {
            return style::message_panel(&body, "no populations or variants: nothing to plot");
        }
        let (w, _) = body.dim_in_pixel();
        let group_px = (w.saturating_sub(Y_LABEL_AREA + 3 * MARGIN) / n_groups as u32).max(20);
        let tick_st = style::text(style::TICK_SIZE);
        let labels: Vec<String> = self
            .groups
            .iter()
            .map(|g| style::fit(&body, g, &tick_st, group_px.saturating_sub(8)))
            .collect();
        let rows = body.split_evenly((self.panels.len(), 1));
        for (panel, area) in self.panels.iter().zip(&rows) {
            let max = (0..n_groups)
                .flat_map(|g| (0..n_var).map(move |v| (g, v)))
                .filter_map(|(g, v)| Self::value(panel, g, v))
                .fold(0.0f64, f64::max);
            if max <= 0.0 {
                let (top, rest) = area.split_vertically(50);
                top.draw(&Text::new(
                    panel.y_desc.clone(),
                    (MARGIN as i32, 25),
                    style::text(style::LABEL_SIZE).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
                style::message_panel(&rest, "no successful requests: no latency to plot")?;
                continue;
            }
            let mut chart = ChartBuilder::on(area)
                .margin(MARGIN)
                .x_label_area_size(50)
                .y_label_area_size(Y_LABEL_AREA)
                .build_cartesian_2d(0f64..n_groups as f64, 0f64..max * 1.12)?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .y_desc(panel.y_desc.clone())
                .x_labels(0)
                .y_label_formatter(&|v| style::tick(*v))
                .y_labels(6)
                .label_style(tick_st.clone())
                .axis_desc_style(style::text(style::LABEL_SIZE))
                .bold_line_style(RGBColor(215, 215, 215))
                .light_line_style(RGBColor(242, 242, 242))
                .axis_style(style::INK.stroke_width(2))
                .draw()?;
            // Group names under the axis, centred on their groups.
            let base = area.get_base_pixel();
            let name_st = tick_st.clone().pos(Pos::new(HPos::Center, VPos::Top));
            for (g, label) in labels.iter().enumerate() {
                let (x, y) = chart.backend_coord(&(g as f64 + 0.5, 0.0));
                area.draw(&Text::new(
                    label.clone(),
                    (x - base.0, y - base.1 + 12),
                    name_st.clone(),
                ))?;
            }
            let bw = 0.8 / n_var as f64;
            for g in 0..n_groups {
                for (v, (_, c)) in self.variants.iter().enumerate() {
                    let x0 = g as f64 + 0.1 + v as f64 * bw;
                    let x1 = x0 + bw * 0.88;
                    match Self::value(panel, g, v) {
                        Some(y) => {
                            chart.draw_series(std::iter::once(Rectangle::new(
                                [(x0, 0.0), (x1, y)],
                                c.filled(),
                            )))?;
                        }
                        None => {
                            chart.draw_series(std::iter::once(Text::new(
                                "–",
                                ((x0 + x1) / 2.0, max * 0.03),
                                style::centred(style::TICK_SIZE).color(&style::MUTED),
                            )))?;
                        }
                    }
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

    #[test]
    fn a_variant_without_values_is_labelled_and_nothing_is_nan() {
        let c = BarsChart {
            title: "p99".into(),
            groups: vec!["a".into(), "b".into()],
            variants: vec![
                ("x".into(), style::variant_colour(0)),
                ("y".into(), style::variant_colour(1)),
            ],
            panels: vec![
                BarPanel {
                    y_desc: "p99 latency (ms)".into(),
                    values: vec![vec![Some(10.0), None], vec![Some(f64::NAN), None]],
                },
                BarPanel {
                    y_desc: "p50 latency (ms)".into(),
                    values: vec![vec![None, None]],
                },
            ],
            missing: "no successful requests".into(),
        };
        let r = render("bars", &c, false).unwrap();
        assert!(r.svg.contains("y (no successful requests)"));
        assert!(r.svg.contains("no successful requests: no latency to plot"));
        assert!(!r.svg.contains("NaN"));
    }
}
