//! Variant colours: the palette in experiment order, or, for a declared sweep with more
//! variants than the first palette holds, a hue per line of the sweep and a shade per value.

use super::ReportData;
use super::sweep::declared_series;
use crate::chart::style::{self, MAX_SHADES, PALETTE, SEQUENTIAL, variant_colour};
use plotters::style::RGBColor;

/// The colour of every variant of `d`, in experiment order: the same in every chart.
///
/// Up to [`PALETTE`]'s eight variants take the palette ([`variant_colour`]). Beyond that a
/// reader can no longer match a dozen unrelated colours to their legend rows, so the variants
/// of a declared sweep are coloured by what they are: the sweep's lines (a variant and the
/// values of the parameters not on the x axis, as in the sweep chart) each take a hue, and the
/// x parameter's values shades of it, lighter for smaller values. A sweep with more lines than
/// hues or more values than shades keeps the palette (which repeats beyond sixteen).
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
    /// Each line's label and its variants (indices in experiment order), by increasing value.
    members: Vec<(String, Vec<usize>)>,
}

/// The lines of a declared sweep whose variants are shaded ([`variant_colours`]): each line's
/// label and its variants' indices, lighter (smaller values) first. `None` when the variants
/// keep the palette.
pub fn shaded_lines(d: &ReportData) -> Option<Vec<(String, Vec<usize>)>> {
    shaded(d).map(|s| s.members)
}

fn shaded(d: &ReportData) -> Option<Shaded> {
    let names: Vec<&str> = d
        .summary
        .variants
        .iter()
        .map(|v| v.variant.as_str())
        .collect();
    if names.len() <= PALETTE.len() {
        return None;
    }
    let sweep = declared_series(d.stats.as_ref()?)?;
    if sweep.series.len() > SEQUENTIAL.len() {
        return None;
    }
    // A variant outside the sweep keeps its palette colour.
    let mut variants: Vec<RGBColor> = (0..names.len()).map(variant_colour).collect();
    let mut members: Vec<(String, Vec<usize>)> = vec![];
    for (hue, (label, cases)) in sweep.series.iter().enumerate() {
        let mut xs: Vec<f64> = cases.iter().filter_map(|c| c.point[sweep.px].x).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        if xs.len() > MAX_SHADES {
            return None;
        }
        let mut line: Vec<(usize, usize)> = vec![];
        for c in cases {
            let Some(i) = names.iter().position(|n| *n == c.case) else {
                continue;
            };
            let x = c.point[sweep.px].x.unwrap_or(f64::NAN);
            let k = xs.iter().position(|v| *v == x).unwrap_or(0);
            variants[i] = style::shade(hue, k, xs.len());
            line.push((k, i));
        }
        line.sort();
        members.push((label.clone(), line.into_iter().map(|(_, i)| i).collect()));
    }
    let lines = (0..sweep.series.len())
        .map(|hue| style::shade(hue, 0, 1))
        .collect();
    Some(Shaded {
        variants,
        lines,
        members,
    })
}
