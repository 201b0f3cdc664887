//! Variant colours: the palette in experiment order, or, for a declared sweep with more
//! variants than the palette tells apart, a hue per line of the sweep and a shade per value.

use super::ReportData;
use super::sweep::declared_series;
use crate::chart::style::{self, DISTINCT_COLOURS, MAX_SHADES, SEQUENTIAL, variant_colour};
use plotters::style::RGBColor;

/// The colour of every variant of `d`, in experiment order: the same in every chart.
///
/// Up to [`DISTINCT_COLOURS`] variants take the palette ([`variant_colour`]). Beyond that the
/// palette would repeat, so the variants of a declared sweep are coloured by what they are: the
/// sweep's lines (a variant and the values of the parameters not on the x axis, as in the
/// sweep chart) each take a hue, and the x parameter's values shades of it, lighter for
/// smaller values. A sweep with more lines than hues or more values than shades keeps the
/// repeating palette.
pub fn variant_colours(d: &ReportData) -> Vec<RGBColor> {
    shaded(d)
        .map(|s| s.variants)
        .unwrap_or_else(|| (0..d.summary.variants.len()).map(variant_colour).collect())
}

/// The colour of each of the `n` lines of the declared sweep chart: the darker shade of the
/// line's hue when its variants are shaded, else the palette.
pub fn sweep_line_colours(d: &ReportData, n: usize) -> Vec<RGBColor> {
    match shaded(d) {
        Some(s) if s.lines.len() == n => s.lines,
        _ => (0..n).map(variant_colour).collect(),
    }
}

struct Shaded {
    variants: Vec<RGBColor>,
    lines: Vec<RGBColor>,
}

fn shaded(d: &ReportData) -> Option<Shaded> {
    let names: Vec<&str> = d
        .summary
        .variants
        .iter()
        .map(|v| v.variant.as_str())
        .collect();
    if names.len() <= DISTINCT_COLOURS {
        return None;
    }
    let sweep = declared_series(d.stats.as_ref()?)?;
    if sweep.series.len() > SEQUENTIAL.len() {
        return None;
    }
    // A variant outside the sweep keeps its palette colour.
    let mut variants: Vec<RGBColor> = (0..names.len()).map(variant_colour).collect();
    for (hue, (_, cases)) in sweep.series.iter().enumerate() {
        let mut xs: Vec<f64> = cases.iter().filter_map(|c| c.point[sweep.px].x).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        if xs.len() > MAX_SHADES {
            return None;
        }
        for c in cases {
            let Some(i) = names.iter().position(|n| *n == c.case) else {
                continue;
            };
            let x = c.point[sweep.px].x.unwrap_or(f64::NAN);
            let k = xs.iter().position(|v| *v == x).unwrap_or(0);
            variants[i] = style::shade(hue, k, xs.len());
        }
    }
    let lines = (0..sweep.series.len())
        .map(|hue| style::shade(hue, 0, 1))
        .collect();
    Some(Shaded { variants, lines })
}
