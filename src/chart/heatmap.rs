//! RTT heatmap: a topology's region-to-region round-trip times as coloured cells.

use super::style;
use super::{Draw, DrawResult, finite};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Round-trip times between regions: `rtt_ms[from][to]`, `None` where unknown.
#[derive(Debug, Clone)]
pub struct HeatmapChart {
    pub title: String,
    pub names: Vec<String>,
    pub rtt_ms: Vec<Vec<Option<f64>>>,
}

/// Viridis, sampled at five stops and interpolated linearly: dark = near, yellow = far.
const STOPS: [(f64, f64, f64); 5] = [
    (68.0, 1.0, 84.0),
    (59.0, 82.0, 139.0),
    (33.0, 145.0, 140.0),
    (94.0, 201.0, 98.0),
    (253.0, 231.0, 37.0),
];

/// The colour of `t` in [0, 1].
pub fn colour_at(t: f64) -> RGBColor {
    let t = if finite(t) { t.clamp(0.0, 1.0) } else { 0.0 };
    let x = t * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: f64, q: f64| (p + (q - p) * f).round().clamp(0.0, 255.0) as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

impl HeatmapChart {
    fn value(&self, i: usize, j: usize) -> Option<f64> {
        self.rtt_ms
            .get(i)
            .and_then(|r| r.get(j))
            .copied()
            .flatten()
            .filter(|v| finite(*v) && *v >= 0.0)
    }
}

impl Draw for HeatmapChart {
    fn size(&self) -> (u32, u32) {
        (1600, 1450)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let body = style::frame(root, &self.title, &[])?;
        let n = self.names.len();
        let vals: Vec<f64> = (0..n)
            .flat_map(|i| (0..n).map(move |j| (i, j)))
            .filter_map(|(i, j)| self.value(i, j))
            .collect();
        if n == 0 || vals.is_empty() {
            return style::message_panel(&body, "no round-trip times to plot");
        }
        let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = vals.iter().copied().fold(0.0f64, f64::max);
        let span = if hi > lo { hi - lo } else { 1.0 };
        let (w, h) = body.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let label_st = style::text(style::NOTE_SIZE);
        let label_w = self
            .names
            .iter()
            .map(|s| style::text_size(&body, s, &label_st).0 as i32)
            .max()
            .unwrap_or(0)
            .min(320);
        let colourbar_w = 190;
        let left = label_w + 70;
        let top = 10;
        let grid = (w - left - colourbar_w - 20)
            .min(h - top - label_w - 70)
            .max(n as i32);
        let cell = grid / n as i32;
        let grid = cell * n as i32;
        let names: Vec<String> = self
            .names
            .iter()
            .map(|s| style::fit(&body, s, &label_st, label_w as u32))
            .collect();
        let cell_st = style::centred((cell as f64 * 0.42).min(style::NOTE_SIZE));
        for (i, row_name) in names.iter().enumerate() {
            let y = top + i as i32 * cell;
            for j in 0..n {
                let x = left + j as i32 * cell;
                let rect = [(x, y), (x + cell, y + cell)];
                match self.value(i, j) {
                    Some(v) => {
                        let t = (v - lo) / span;
                        body.draw(&Rectangle::new(rect, colour_at(t).filled()))?;
                        if cell >= 36 {
                            let ink = if t > 0.55 { BLACK } else { WHITE };
                            body.draw(&Text::new(
                                format!("{v:.0}"),
                                (x + cell / 2, y + cell / 2),
                                cell_st.clone().color(&ink),
                            ))?;
                        }
                    }
                    None => {
                        body.draw(&Rectangle::new(rect, RGBColor(235, 235, 235).filled()))?;
                        body.draw(&Text::new(
                            "–",
                            (x + cell / 2, y + cell / 2),
                            cell_st.clone().color(&style::MUTED),
                        ))?;
                    }
                }
                body.draw(&Rectangle::new(rect, WHITE.stroke_width(1)))?;
            }
            // Row label: the source region.
            body.draw(&Text::new(
                row_name.clone(),
                (left - 12, y + cell / 2),
                label_st.clone().pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
        }
        // Column labels (destination), written downwards under the grid.
        let col_st = label_st
            .clone()
            .transform(FontTransform::Rotate90)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (j, name) in names.iter().enumerate() {
            let x = left + j as i32 * cell + cell / 2;
            body.draw(&Text::new(
                name.clone(),
                (x, top + grid + 12),
                col_st.clone(),
            ))?;
        }
        // Axis titles.
        let axis_st = style::text(style::LABEL_SIZE);
        body.draw(&Text::new(
            "from (source region)",
            (20, top + grid / 2),
            axis_st
                .clone()
                .transform(FontTransform::Rotate270)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
        body.draw(&Text::new(
            "to (destination region)",
            (left + grid / 2, h - 8),
            axis_st.pos(Pos::new(HPos::Center, VPos::Bottom)),
        ))?;
        // Colour bar.
        let bx = left + grid + 40;
        let (by0, by1) = (top, top + grid);
        let steps = 100;
        for k in 0..steps {
            let ya = by1 - (k + 1) * (by1 - by0) / steps;
            let yb = by1 - k * (by1 - by0) / steps;
            let t = (k as f64 + 0.5) / steps as f64;
            body.draw(&Rectangle::new(
                [(bx, ya), (bx + 36, yb)],
                colour_at(t).filled(),
            ))?;
        }
        body.draw(&Rectangle::new(
            [(bx, by0), (bx + 36, by1)],
            style::INK.stroke_width(1),
        ))?;
        let tick_st = style::text(style::NOTE_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
        for k in 0..=4 {
            let v = lo + span * k as f64 / 4.0;
            let y = by1 - (by1 - by0) * k / 4;
            body.draw(&PathElement::new(
                vec![(bx + 36, y), (bx + 44, y)],
                style::INK.stroke_width(2),
            ))?;
            body.draw(&Text::new(format!("{v:.0}"), (bx + 50, y), tick_st.clone()))?;
        }
        body.draw(&Text::new(
            "RTT (ms)",
            (bx, by1 + 30),
            style::text(style::NOTE_SIZE).pos(Pos::new(HPos::Left, VPos::Top)),
        ))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::render;

    #[test]
    fn colours_run_from_dark_to_yellow() {
        assert_eq!(colour_at(0.0), RGBColor(68, 1, 84));
        assert_eq!(colour_at(1.0), RGBColor(253, 231, 37));
        assert_eq!(colour_at(f64::NAN), colour_at(0.0));
    }

    #[test]
    fn missing_cells_and_empty_matrices() {
        let c = HeatmapChart {
            title: "rtt".into(),
            names: vec!["a".into(), "b".into()],
            rtt_ms: vec![vec![None, Some(10.0)], vec![Some(f64::NAN)]],
        };
        let r = render("heatmap", &c, false).unwrap();
        assert!(r.svg.contains("\n10\n"), "value written: {}", r.svg);
        assert!(!r.svg.contains("NaN"));
        let e = HeatmapChart {
            title: "rtt".into(),
            names: vec![],
            rtt_ms: vec![],
        };
        assert!(
            render("heatmap", &e, false)
                .unwrap()
                .svg
                .contains("no round-trip times")
        );
    }
}
