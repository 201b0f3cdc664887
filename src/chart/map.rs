//! World map: regions and populations on a lat/lon grid, lines to the regions that served them.

use super::style::{self, LegendEntry, Mark};
use super::{Draw, DrawResult, finite};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A named place.
#[derive(Debug, Clone)]
pub struct Place {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
}

/// A population's traffic to a region: indices into `populations` and `regions`, and the
/// share of the population's successful requests that region served.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    pub population: usize,
    pub region: usize,
    pub share: f64,
}

/// An equirectangular map of one variant: where users are and who served them.
#[derive(Debug, Clone)]
pub struct MapChart {
    pub title: String,
    pub colour: RGBColor,
    pub regions: Vec<Place>,
    /// Whether each region serves users in this variant (drawn filled; others hollow).
    pub serving: Vec<bool>,
    pub populations: Vec<Place>,
    pub links: Vec<Link>,
}

fn ok(p: &Place) -> bool {
    finite(p.lat)
        && finite(p.lon)
        && (-90.0..=90.0).contains(&p.lat)
        && (-180.0..=180.0).contains(&p.lon)
}

/// A box in pixels: (left, top, right, bottom).
type PixelBox = (i32, i32, i32, i32);

/// A name to place: its marker's pixel, its text's width and height, and whether it goes
/// above the marker first (else below).
#[derive(Debug, Clone, Copy)]
struct Wanted {
    anchor: (i32, i32),
    size: (i32, i32),
    above: bool,
}

/// Pixels two boxes share.
fn overlap(a: PixelBox, b: PixelBox) -> i64 {
    let w = (a.2.min(b.2) - a.0.max(b.0)).max(0) as i64;
    let h = (a.3.min(b.3) - a.1.max(b.1)).max(0) as i64;
    w * h
}

/// Pixels from box `b` to point `p` (0 inside it).
fn distance(b: PixelBox, p: (i32, i32)) -> i32 {
    let dx = (b.0 - p.0).max(p.0 - b.2).max(0);
    let dy = (b.1 - p.1).max(p.1 - b.3).max(0);
    dx.max(dy)
}

/// Where each name goes, as the offset of its top-left corner from its marker: the first of
/// its places (right of the marker, then left, then centred; above or below as it prefers,
/// then the other; then each a line or two further out) that covers no marker, no name placed
/// before it and nothing outside `area`, and is no nearer another marker than its own; else the
/// place covering least (a name read as another marker's costs less than any overlap).
fn place_labels(wanted: &[Wanted], markers: &[PixelBox], area: PixelBox) -> Vec<(i32, i32)> {
    let mut placed: Vec<PixelBox> = vec![];
    let mut out = vec![];
    for w in wanted {
        let (tw, th) = w.size;
        let (ax, ay) = w.anchor;
        let mut best: Option<((i32, i32), i64)> = None;
        'search: for ring in 0..3 {
            let step = ring * (th + 4);
            let (up, down) = (-10 - th - step, 8 + step);
            let rows = if w.above { [up, down] } else { [down, up] };
            for dy in rows {
                for dx in [12, -12 - tw, -tw / 2] {
                    let b = (ax + dx, ay + dy, ax + dx + tw, ay + dy + th);
                    let inside = b.0 >= area.0 && b.1 >= area.1 && b.2 <= area.2 && b.3 <= area.3;
                    // A name nearer another marker than its own reads as that one's.
                    let own = distance(b, (ax, ay));
                    let misread = markers
                        .iter()
                        .map(|m| ((m.0 + m.2) / 2, (m.1 + m.3) / 2))
                        .any(|c| c != (ax, ay) && distance(b, c) + 4 < own);
                    let cost = 1000
                        * markers
                            .iter()
                            .chain(&placed)
                            .map(|m| overlap(b, *m))
                            .sum::<i64>()
                        + if misread { 500 } else { 0 }
                        + if inside { 0 } else { 1 << 40 };
                    if best.is_none_or(|(_, c)| cost < c) {
                        best = Some(((dx, dy), cost));
                    }
                    if cost == 0 {
                        break 'search;
                    }
                }
            }
        }
        let (d, _) = best.unwrap_or(((12, 8), 0));
        placed.push((ax + d.0, ay + d.1, ax + d.0 + tw, ay + d.1 + th));
        out.push(d);
    }
    out
}

impl Draw for MapChart {
    fn size(&self) -> (u32, u32) {
        (1600, 1000)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let entries = vec![
            LegendEntry::new(Mark::Square(self.colour, true), "serving region"),
            LegendEntry::new(Mark::Square(style::MUTED, false), "other region"),
            LegendEntry::new(Mark::Dot(style::INK), "population"),
            LegendEntry::new(
                Mark::Line(self.colour, 8),
                "share of its requests served (width)",
            ),
        ];
        let body = style::frame(root, &self.title, &entries)?;
        if !self.regions.iter().chain(&self.populations).any(ok) {
            return style::message_panel(&body, "no places with coordinates: nothing to map");
        }
        let mut chart = ChartBuilder::on(&body)
            .margin_left(20)
            .margin_right(40)
            .margin_top(10)
            .margin_bottom(10)
            .x_label_area_size(90)
            .y_label_area_size(110)
            .build_cartesian_2d(-180f64..180f64, -60f64..80f64)?;
        chart
            .configure_mesh()
            .x_desc("longitude (°)")
            .y_desc("latitude (°)")
            .x_labels(13)
            .y_labels(8)
            .x_label_formatter(&|v| style::tick(*v))
            .y_label_formatter(&|v| style::tick(*v))
            .label_style(style::text(style::TICK_SIZE))
            .axis_desc_style(style::text(style::LABEL_SIZE))
            .bold_line_style(RGBColor(205, 205, 205))
            .light_line_style(RGBColor(238, 238, 238))
            .axis_style(style::INK.stroke_width(2))
            .draw()?;
        let clip = |p: &Place| (p.lon, p.lat.clamp(-60.0, 80.0));
        // Links first, widest underneath.
        let mut links: Vec<&Link> = self
            .links
            .iter()
            .filter(|l| finite(l.share) && l.share > 0.0)
            .filter(|l| {
                self.populations.get(l.population).is_some_and(ok)
                    && self.regions.get(l.region).is_some_and(ok)
            })
            .collect();
        links.sort_by(|a, b| b.share.total_cmp(&a.share));
        for l in links {
            let (p, r) = (&self.populations[l.population], &self.regions[l.region]);
            let w = (1.0 + 11.0 * l.share.min(1.0)).round() as u32;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![clip(p), clip(r)],
                self.colour.mix(0.55).stroke_width(w),
            )))?;
        }
        // Markers, then every label on top, so no marker hides a name.
        let mut markers: Vec<PixelBox> = vec![];
        let around = |(x, y): (i32, i32), r: i32| (x - r, y - r, x + r, y + r);
        let mut region_labels = vec![];
        for (i, r) in self.regions.iter().enumerate() {
            if !ok(r) {
                continue;
            }
            let serving = self.serving.get(i).copied().unwrap_or(false);
            let st = if serving {
                self.colour.filled()
            } else {
                style::MUTED.stroke_width(2)
            };
            let size = if serving { 9 } else { 6 };
            chart.draw_series(std::iter::once(
                EmptyElement::at(clip(r)) + Rectangle::new([(-size, -size), (size, size)], st),
            ))?;
            markers.push(around(chart.backend_coord(&clip(r)), size + 1));
            if serving {
                region_labels.push(r);
            }
        }
        let pops: Vec<&Place> = self.populations.iter().filter(|p| ok(p)).collect();
        for p in &pops {
            chart.draw_series(std::iter::once(
                EmptyElement::at(clip(p)) + Circle::new((0, 0), 8, style::INK.filled()),
            ))?;
            markers.push(around(chart.backend_coord(&clip(p)), 9));
        }
        // Each name beside its marker where it covers no marker and no name placed before it:
        // the populations' first, above; the serving regions' below (Europe's regions and
        // cities are a few pixels apart).
        let top_left = Pos::new(HPos::Left, VPos::Top);
        let pop_label = style::text(style::NOTE_SIZE).pos(top_left);
        let region_label = style::text(style::NOTE_SIZE * 0.85)
            .pos(top_left)
            .color(&self.colour);
        let mut wanted = vec![];
        for (p, st, above) in pops
            .iter()
            .map(|p| (*p, &pop_label, true))
            .chain(region_labels.iter().map(|r| (*r, &region_label, false)))
        {
            let (w, h) = body.estimate_text_size(&p.name, st).unwrap_or((0, 0));
            wanted.push((
                p,
                st,
                Wanted {
                    anchor: chart.backend_coord(&clip(p)),
                    size: (w as i32, h as i32),
                    above,
                },
            ));
        }
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        let area = (xr.start, yr.start, xr.end, yr.end);
        let spots = place_labels(
            &wanted.iter().map(|w| w.2).collect::<Vec<_>>(),
            &markers,
            area,
        );
        let mut labels = vec![];
        for ((p, st, w), (dx, dy)) in wanted.iter().zip(spots) {
            // A name moved away from its marker is joined to it.
            let (x0, y0, x1, y1) = (dx, dy, dx + w.size.0, dy + w.size.1);
            let near = (0.clamp(x0, x1), 0.clamp(y0, y1));
            if near.0.abs().max(near.1.abs()) > 16 {
                chart.draw_series(std::iter::once(
                    EmptyElement::at(clip(p))
                        + PathElement::new(vec![(0, 0), near], style::MUTED.stroke_width(1)),
                ))?;
            }
            labels.push(
                EmptyElement::at(clip(p)) + Text::new(p.name.clone(), (dx, dy), (*st).clone()),
            );
        }
        chart.draw_series(labels)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::render;

    #[test]
    fn bad_coordinates_and_links_are_skipped() {
        let c = MapChart {
            title: "map".into(),
            colour: style::variant_colour(0),
            regions: vec![Place {
                name: "r".into(),
                lat: 10.0,
                lon: 10.0,
            }],
            serving: vec![true],
            populations: vec![Place {
                name: "p".into(),
                lat: f64::NAN,
                lon: 0.0,
            }],
            links: vec![
                Link {
                    population: 0,
                    region: 0,
                    share: 1.0,
                },
                Link {
                    population: 7,
                    region: 0,
                    share: f64::NAN,
                },
            ],
        };
        let r = render("map", &c, false).unwrap();
        assert!(r.svg.contains("serving region"));
        assert!(!r.svg.contains("NaN"));
        let e = MapChart {
            regions: vec![],
            populations: vec![],
            links: vec![],
            serving: vec![],
            ..c
        };
        assert!(
            render("map", &e, false)
                .unwrap()
                .svg
                .contains("nothing to map")
        );
    }

    /// London, Frankfurt and three regions within 40 pixels (the global-latency map): every
    /// name finds a place covering no marker and no other name, inside the plot.
    #[test]
    fn names_of_places_close_together_do_not_overlap() {
        let anchors = [(700, 300), (730, 306), (690, 296), (720, 304), (745, 312)];
        let markers: Vec<PixelBox> = anchors
            .iter()
            .map(|&(x, y)| (x - 10, y - 10, x + 10, y + 10))
            .collect();
        let wanted: Vec<Wanted> = anchors
            .iter()
            .enumerate()
            .map(|(i, &anchor)| Wanted {
                anchor,
                size: (150, 24),
                above: i < 2,
            })
            .collect();
        let area = (0, 0, 1600, 1000);
        let spots = place_labels(&wanted, &markers, area);
        let boxes: Vec<PixelBox> = wanted
            .iter()
            .zip(&spots)
            .map(|(w, d)| {
                let (x, y) = (w.anchor.0 + d.0, w.anchor.1 + d.1);
                (x, y, x + w.size.0, y + w.size.1)
            })
            .collect();
        for (i, b) in boxes.iter().enumerate() {
            assert!(markers.iter().all(|m| overlap(*b, *m) == 0), "{i}: {b:?}");
            assert!(
                boxes
                    .iter()
                    .enumerate()
                    .all(|(j, o)| i == j || overlap(*b, *o) == 0),
                "{i}: {boxes:?}"
            );
        }
        // Alone, a population's name sits just above right of its marker, a region's below.
        assert_eq!(place_labels(&wanted[..1], &markers[..1], area), [(12, -34)]);
    }
}
