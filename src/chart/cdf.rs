//! Latency CDF chart: for one population, one line per variant on a log latency axis.

use super::style::{self, LegendEntry, Mark};
use super::{Draw, DrawResult, finite};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One variant's CDF: (latency ms, fraction of requests at or below it) points.
#[derive(Debug, Clone)]
pub struct CdfSeries {
    pub label: String,
    pub colour: RGBColor,
    pub points: Vec<(f64, f64)>,
}

/// A CDF chart: a title and a series per variant.
#[derive(Debug, Clone)]
pub struct CdfChart {
    pub title: String,
    pub series: Vec<CdfSeries>,
}

/// The points of `s` that can be drawn: finite, positive latency, fraction in [0, 1].
fn drawable(s: &CdfSeries) -> Vec<(f64, f64)> {
    s.points
        .iter()
        .copied()
        .filter(|&(x, y)| finite(x) && finite(y) && x > 0.0 && (0.0..=1.0).contains(&y))
        .collect()
}

/// The values k × 10^d within [`lo`, `hi`] for each k of `ks` (ascending, in [1, 10)), in
/// increasing order: the ticks of a log axis. `lo` > 0; at most 40 decades.
fn log_ticks(lo: f64, hi: f64, ks: &[f64]) -> Vec<f64> {
    let mut out = vec![];
    if !(lo > 0.0 && lo.is_finite() && hi.is_finite()) {
        return out;
    }
    let first = lo.log10().floor() as i32;
    for d in first..first + 40 {
        let base = 10f64.powi(d);
        if base > hi {
            break;
        }
        out.extend(
            ks.iter()
                .map(|k| k * base)
                .filter(|v| (lo..=hi).contains(v)),
        );
    }
    out
}

impl Draw for CdfChart {
    fn size(&self) -> (u32, u32) {
        (1600, 1000)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let clean: Vec<Vec<(f64, f64)>> = self.series.iter().map(drawable).collect();
        let entries: Vec<LegendEntry> = self
            .series
            .iter()
            .zip(&clean)
            .enumerate()
            .map(|(i, (s, pts))| {
                if pts.is_empty() {
                    LegendEntry::new(
                        Mark::Missing,
                        format!("{} (no successful requests)", s.label),
                    )
                } else {
                    LegendEntry::new(
                        Mark::Line(s.colour, style::nested_width(i, self.series.len())),
                        s.label.clone(),
                    )
                }
            })
            .collect();
        let body = style::frame(root, &self.title, &entries)?;
        let xs = clean.iter().flatten().map(|p| p.0);
        let (lo, hi) = xs.fold((f64::INFINITY, 0.0f64), |(a, b), x| (a.min(x), b.max(x)));
        if !(lo.is_finite() && hi > 0.0) {
            return style::message_panel(&body, "no successful requests: no latency to plot");
        }
        let (lo, hi) = if hi / lo < 1.5 {
            (lo / 1.5, hi * 1.5)
        } else {
            (lo / 1.15, hi * 1.15)
        };
        // The axis starts at the 1-2-5 value at or below the fastest request, not at its
        // decade (a CDF from 7 ms spent 40% of its width on 1-5 ms), so its ticks are placed
        // here: plotters' own log ticks start at the first power of ten above the start.
        let decade = 10f64.powf(lo.log10().floor());
        let lo = [5.0, 2.0, 1.0]
            .into_iter()
            .find(|k| k * decade <= lo)
            .unwrap_or(1.0)
            * decade
            * 0.999;
        let wide = hi / lo >= 10.0;
        let every = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
        // 1-2-5 labels over a decade or more; within one, every multiple is labelled.
        let labelled = log_ticks(lo, hi, if wide { &[1.0, 2.0, 5.0] } else { &every });
        let mut chart = ChartBuilder::on(&body)
            .margin_left(20)
            .margin_right(50)
            .margin_top(20)
            .margin_bottom(10)
            .x_label_area_size(100)
            .y_label_area_size(130)
            .build_cartesian_2d(
                (lo..hi)
                    .log_scale()
                    .with_key_points(labelled)
                    .with_light_points(log_ticks(lo, hi, &every)),
                0f64..100.0,
            )?;
        chart
            .configure_mesh()
            .x_desc("latency (ms, log scale)")
            .y_desc("requests at or below (%)")
            .x_label_formatter(&|v| style::tick(*v))
            .y_label_formatter(&|v| style::tick(*v))
            .x_labels(30)
            .y_labels(11)
            .label_style(style::text(style::TICK_SIZE))
            .axis_desc_style(style::text(style::LABEL_SIZE))
            .bold_line_style(RGBColor(215, 215, 215))
            .light_line_style(RGBColor(242, 242, 242))
            .axis_style(style::INK.stroke_width(2))
            .draw()?;
        for (i, (s, pts)) in self.series.iter().zip(&clean).enumerate() {
            if pts.is_empty() {
                continue;
            }
            chart.draw_series(LineSeries::new(
                pts.iter().map(|&(x, y)| (x, y * 100.0)),
                s.colour
                    .stroke_width(style::nested_width(i, self.series.len())),
            ))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::render;

    #[test]
    fn empty_and_nan_series_give_a_labelled_panel() {
        let c = CdfChart {
            title: "Latency CDF: nowhere".into(),
            series: vec![
                CdfSeries {
                    label: "a".into(),
                    colour: style::variant_colour(0),
                    points: vec![],
                },
                CdfSeries {
                    label: "b".into(),
                    colour: style::variant_colour(1),
                    points: vec![(f64::NAN, 0.5), (-1.0, 0.2)],
                },
            ],
        };
        let r = render("cdf", &c, false).unwrap();
        assert!(r.svg.contains("no successful requests: no latency to plot"));
        assert!(r.svg.contains("a (no successful requests)"));
        assert!(!r.svg.contains("NaN"));
    }

    /// The x axis is labelled at 1-2-5 values across its whole span: a CDF from 12 to 230 ms
    /// used to be labelled "100" alone (plotters' ticks start at the first power of ten).
    #[test]
    fn a_log_axis_starting_above_a_power_of_ten_is_labelled_below_it_too() {
        let c = CdfChart {
            title: "span".into(),
            series: vec![CdfSeries {
                label: "a".into(),
                colour: style::variant_colour(0),
                points: vec![(12.0, 0.0), (30.0, 0.5), (230.0, 1.0)],
            }],
        };
        let r = render("cdf", &c, false).unwrap();
        // The x axis's labels are centred under their ticks (the y axis's end at them).
        let x_labels: Vec<&str> = r
            .svg
            .split("<text ")
            .filter(|t| t.contains("text-anchor=\"middle\""))
            .filter_map(|t| t.split('\n').nth(1))
            .collect();
        for label in ["20", "50", "100", "200"] {
            assert!(
                x_labels.contains(&label),
                "tick {label} missing: {x_labels:?}"
            );
        }
    }

    #[test]
    fn a_single_point_still_draws() {
        let c = CdfChart {
            title: "one".into(),
            series: vec![CdfSeries {
                label: "a".into(),
                colour: style::variant_colour(0),
                points: vec![(20.0, 1.0)],
            }],
        };
        let r = render("cdf", &c, false).unwrap();
        assert!(r.svg.contains("latency (ms, log scale)"));
    }
}
