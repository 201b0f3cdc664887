//! Data-safety chart: counts of conflicts and losses, a group per kind, variants side by side, log scale with every count written on its bar.

use super::style::{self, LegendEntry, Mark};
use super::sweep::compact;
use super::{Draw, DrawResult};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontTransform;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Counts per kind: `counts[kind][variant]`.
#[derive(Debug, Clone)]
pub struct SafetyChart {
    pub title: String,
    /// Kinds of count (conflicts, lost updates, …), one group each.
    pub kinds: Vec<String>,
    pub variants: Vec<(String, RGBColor)>,
    pub counts: Vec<Vec<u64>>,
    /// Shown in an empty panel when every count is zero.
    pub all_zero_message: String,
}

/// Where the bars start on the log axis: below 1, so a count of 1 still has a bar.
const FLOOR: f64 = 0.5;

impl SafetyChart {
    fn count(&self, k: usize, v: usize) -> u64 {
        self.counts
            .get(k)
            .and_then(|r| r.get(v))
            .copied()
            .unwrap_or(0)
    }
}

/// The top of the log axis: room above the tallest bar for its count (written along the bar
/// when the bar is too narrow for it). On a log axis a factor of headroom buys fewer pixels
/// the more decades the counts span, so the factor grows with them (at least 4×).
fn headroom_top<DB: DrawingBackend>(
    body: &DrawingArea<DB, Shift>,
    max: u64,
    kinds: usize,
    variants: usize,
) -> f64 {
    let (w, h) = body.dim_in_pixel();
    // The plot area: less the margins (20 each side) and the label areas (150 left, 60 below).
    let (plot_w, plot_h) = (
        w.saturating_sub(190) as f64,
        h.saturating_sub(100).max(1) as f64,
    );
    let bar_px = plot_w / kinds.max(1) as f64 * 0.8 / variants.max(1) as f64 * 0.88;
    let (tw, th) = style::text_size(body, &compact(max as f64), &style::text(style::NOTE_SIZE));
    let extent = if f64::from(tw + 4) > bar_px { tw } else { th };
    // The label sits 8 px above the bar; 8 more keep it off the frame.
    let share = ((f64::from(extent) + 16.0) / plot_h).min(0.5);
    let decades = (max as f64 / FLOOR).log10();
    let above = (share * decades / (1.0 - share)).max(4f64.log10());
    (max as f64 * 10f64.powf(above)).max(10.0)
}

impl Draw for SafetyChart {
    fn size(&self) -> (u32, u32) {
        (1600, 900)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let entries: Vec<LegendEntry> = self
            .variants
            .iter()
            .map(|(n, c)| LegendEntry::new(Mark::Box(*c, 1.0), n.clone()))
            .collect();
        let body = style::frame(root, &self.title, &entries)?;
        let (nk, nv) = (self.kinds.len(), self.variants.len());
        let max = (0..nk)
            .flat_map(|k| (0..nv).map(move |v| (k, v)))
            .map(|(k, v)| self.count(k, v))
            .max()
            .unwrap_or(0);
        if nk == 0 || nv == 0 || max == 0 {
            let msg = if nk == 0 || nv == 0 {
                "no variants: nothing to plot"
            } else {
                self.all_zero_message.as_str()
            };
            return style::message_panel(&body, msg);
        }
        let top = headroom_top(&body, max, nk, nv);
        let mut c = ChartBuilder::on(&body)
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(150)
            .build_cartesian_2d(0f64..nk as f64, (FLOOR..top).log_scale())?;
        c.configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_desc("count (log scale)")
            .y_label_formatter(&|v| style::log_tick(*v))
            .label_style(style::text(style::TICK_SIZE))
            .axis_desc_style(style::text(style::LABEL_SIZE))
            .bold_line_style(RGBColor(215, 215, 215))
            .light_line_style(RGBColor(242, 242, 242))
            .axis_style(style::INK.stroke_width(2))
            .draw()?;
        let base = body.get_base_pixel();
        let name_st = style::text(style::TICK_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
        let (gx0, _) = c.backend_coord(&(0.0, FLOOR));
        let (gx1, _) = c.backend_coord(&(1.0, FLOOR));
        let group_px = (gx1 - gx0).max(20) as u32;
        let bw = 0.8 / nv as f64;
        let bar_px = (group_px as f64 * bw * 0.88) as u32;
        let note = style::text(style::NOTE_SIZE);
        for (k, kind) in self.kinds.iter().enumerate() {
            let (x, y) = c.backend_coord(&(k as f64 + 0.5, FLOOR));
            let label = style::fit(&body, kind, &name_st, group_px.saturating_sub(8));
            body.draw(&Text::new(
                label,
                (x - base.0, y - base.1 + 12),
                name_st.clone(),
            ))?;
            if (0..nv).all(|v| self.count(k, v) == 0) {
                c.draw_series(std::iter::once(Text::new(
                    "none in any variant",
                    (k as f64 + 0.5, FLOOR * 1.6),
                    style::centred(style::NOTE_SIZE).color(&style::MUTED),
                )))?;
                continue;
            }
            for (v, (_, col)) in self.variants.iter().enumerate() {
                let x0 = k as f64 + 0.1 + v as f64 * bw;
                let x1 = x0 + bw * 0.88;
                let n = self.count(k, v);
                let text = compact(n as f64);
                let vertical = style::text_size(&body, &text, &note).0 + 4 > bar_px;
                let at = if n == 0 { FLOOR } else { n as f64 };
                if n > 0 {
                    c.draw_series(std::iter::once(Rectangle::new(
                        [(x0, FLOOR), (x1, n as f64)],
                        col.filled(),
                    )))?;
                }
                let (px, py) = c.backend_coord(&((x0 + x1) / 2.0, at));
                let (px, py) = (px - base.0, py - base.1 - 8);
                let st = if vertical {
                    note.clone()
                        .transform(FontTransform::Rotate270)
                        .pos(Pos::new(HPos::Left, VPos::Center))
                } else {
                    note.clone().pos(Pos::new(HPos::Center, VPos::Bottom))
                };
                let st = if n == 0 { st.color(&style::MUTED) } else { st };
                body.draw(&Text::new(text, (px, py), st))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::render;

    fn chart(counts: Vec<Vec<u64>>) -> SafetyChart {
        SafetyChart {
            title: "data safety".into(),
            kinds: vec!["conflicts".into(), "lost updates".into()],
            variants: vec![
                ("a".into(), style::variant_colour(0)),
                ("b".into(), style::variant_colour(1)),
            ],
            counts,
            all_zero_message: "every acknowledged write survived".into(),
        }
    }

    #[test]
    fn counts_are_written_and_zeros_are_labelled() {
        let r = render("safety", &chart(vec![vec![128710, 0], vec![0, 0]]), true).unwrap();
        assert!(r.svg.contains("128,710"));
        assert!(r.svg.contains("none in any variant"));
        assert!(!r.svg.contains("NaN"));
        let r = render("safety", &chart(vec![vec![0, 0]]), false).unwrap();
        assert!(r.svg.contains("every acknowledged write survived"));
        let r = render("safety", &chart(vec![]), false).unwrap();
        assert!(r.svg.contains("every acknowledged write survived"));
    }
}
