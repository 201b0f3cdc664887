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
        let region_label =
            style::text(style::NOTE_SIZE * 0.85).pos(Pos::new(HPos::Left, VPos::Top));
        let mut labels = vec![];
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
            if serving {
                labels.push(
                    EmptyElement::at(clip(r))
                        + Text::new(
                            r.name.clone(),
                            (12, 8),
                            region_label.clone().color(&self.colour),
                        ),
                );
            }
        }
        let pop_label = style::text(style::NOTE_SIZE).pos(Pos::new(HPos::Left, VPos::Bottom));
        for p in self.populations.iter().filter(|p| ok(p)) {
            chart.draw_series(std::iter::once(
                EmptyElement::at(clip(p)) + Circle::new((0, 0), 8, style::INK.filled()),
            ))?;
            labels.push(
                EmptyElement::at(clip(p)) + Text::new(p.name.clone(), (12, -8), pop_label.clone()),
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
}
