//! The look shared by every chart: font, palette, text sizes, legends, overlaps, empty panels.

use super::{ChartError, DrawResult};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::sync::OnceLock;

/// DejaVu Sans (Bitstream Vera licence, assets/fonts/LICENSE-DejaVu.txt).
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The font family every chart asks for; the bundled font is registered under it.
pub const FAMILY: &str = "sans-serif";

/// Registers the bundled font with plotters once per process.
pub fn ensure_font() -> Result<(), ChartError> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE
        .get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok { Ok(()) } else { Err(ChartError::Font) }
}

/// Colours for variants, in experiment order (Okabe–Ito, safe for colour-blind readers).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
    RGBColor(153, 153, 51),  // olive
];

/// Colours for the ninth to sixteenth variants (Paul Tol's "muted" scheme, its olive left out
/// as [`PALETTE`] has one), so that no two of sixteen variants share a colour.
pub const PALETTE_MORE: [RGBColor; 8] = [
    RGBColor(204, 102, 119), // rose
    RGBColor(51, 34, 136),   // indigo
    RGBColor(221, 204, 119), // sand
    RGBColor(17, 119, 51),   // green
    RGBColor(136, 204, 238), // cyan
    RGBColor(136, 34, 85),   // wine
    RGBColor(68, 170, 153),  // teal
    RGBColor(170, 68, 153),  // purple
];

/// The palette colour of the variant at `index` in the experiment. Sixteen variants get sixteen
/// colours; beyond that they repeat, and a report shades the variants of a sweep instead
/// (`report::variant_colours`).
pub fn variant_colour(index: usize) -> RGBColor {
    let i = index % (PALETTE.len() + PALETTE_MORE.len());
    if i < PALETTE.len() {
        PALETTE[i]
    } else {
        PALETTE_MORE[i - PALETTE.len()]
    }
}

/// Sequential schemes, light to dark, for a sweep with more variants than [`PALETTE`]:
/// a hue per line of the sweep, a shade per swept value (ColorBrewer's 9-class Blues, Oranges,
/// Purples, Greens, Reds and Greys, by Cynthia Brewer, Apache 2.0 licence; blue and orange first,
/// as in [`PALETTE`]).
pub const SEQUENTIAL: [[RGBColor; 9]; 6] = [
    [
        RGBColor(0xf7, 0xfb, 0xff),
        RGBColor(0xde, 0xeb, 0xf7),
        RGBColor(0xc6, 0xdb, 0xef),
        RGBColor(0x9e, 0xca, 0xe1),
        RGBColor(0x6b, 0xae, 0xd6),
        RGBColor(0x42, 0x92, 0xc6),
        RGBColor(0x21, 0x71, 0xb5),
        RGBColor(0x08, 0x51, 0x9c),
        RGBColor(0x08, 0x30, 0x6b),
    ],
    [
        RGBColor(0xff, 0xf5, 0xeb),
        RGBColor(0xfe, 0xe6, 0xce),
        RGBColor(0xfd, 0xd0, 0xa2),
        RGBColor(0xfd, 0xae, 0x6b),
        RGBColor(0xfd, 0x8d, 0x3c),
        RGBColor(0xf1, 0x69, 0x13),
        RGBColor(0xd9, 0x48, 0x01),
        RGBColor(0xa6, 0x36, 0x03),
        RGBColor(0x7f, 0x27, 0x04),
    ],
    [
        RGBColor(0xfc, 0xfb, 0xfd),
        RGBColor(0xef, 0xed, 0xf5),
        RGBColor(0xda, 0xda, 0xeb),
        RGBColor(0xbc, 0xbd, 0xdc),
        RGBColor(0x9e, 0x9a, 0xc8),
        RGBColor(0x80, 0x7d, 0xba),
        RGBColor(0x6a, 0x51, 0xa3),
        RGBColor(0x54, 0x27, 0x8f),
        RGBColor(0x3f, 0x00, 0x7d),
    ],
    [
        RGBColor(0xf7, 0xfc, 0xf5),
        RGBColor(0xe5, 0xf5, 0xe0),
        RGBColor(0xc7, 0xe9, 0xc0),
        RGBColor(0xa1, 0xd9, 0x9b),
        RGBColor(0x74, 0xc4, 0x76),
        RGBColor(0x41, 0xab, 0x5d),
        RGBColor(0x23, 0x8b, 0x45),
        RGBColor(0x00, 0x6d, 0x2c),
        RGBColor(0x00, 0x44, 0x1b),
    ],
    [
        RGBColor(0xff, 0xf5, 0xf0),
        RGBColor(0xfe, 0xe0, 0xd2),
        RGBColor(0xfc, 0xbb, 0xa1),
        RGBColor(0xfc, 0x92, 0x72),
        RGBColor(0xfb, 0x6a, 0x4a),
        RGBColor(0xef, 0x3b, 0x2c),
        RGBColor(0xcb, 0x18, 0x1d),
        RGBColor(0xa5, 0x0f, 0x15),
        RGBColor(0x67, 0x00, 0x0d),
    ],
    [
        RGBColor(0xff, 0xff, 0xff),
        RGBColor(0xf0, 0xf0, 0xf0),
        RGBColor(0xd9, 0xd9, 0xd9),
        RGBColor(0xbd, 0xbd, 0xbd),
        RGBColor(0x96, 0x96, 0x96),
        RGBColor(0x73, 0x73, 0x73),
        RGBColor(0x52, 0x52, 0x52),
        RGBColor(0x25, 0x25, 0x25),
        RGBColor(0x00, 0x00, 0x00),
    ],
];

/// Shades [`shade`] takes from the classes of a hue: the three lightest are too pale for a
/// line on white, so the shades come from the six darkest.
const CLASSES_USED: usize = 6;

/// Most shades [`shade`] gives one hue: up to [`CLASSES_USED`] are classes of the scheme; more
/// (a sweep over nine values) are blends of neighbouring classes, closer together but still
/// in order from light to dark.
pub const MAX_SHADES: usize = 9;

/// Shade `k` of `n` (`k < n ≤` [`MAX_SHADES`]) of sequential hue `family`, lighter for smaller
/// `k`, spread evenly over the usable classes; one shade alone is the second darkest.
pub fn shade(family: usize, k: usize, n: usize) -> RGBColor {
    let scheme = &SEQUENTIAL[family % SEQUENTIAL.len()];
    let (lo, hi) = (9 - CLASSES_USED, 8);
    if n <= 1 {
        return scheme[7];
    }
    let at = lo as f64 + (k.min(n - 1) * (hi - lo)) as f64 / (n - 1) as f64;
    if n <= CLASSES_USED {
        return scheme[(at.round() as usize).min(hi)];
    }
    // Between two classes: a blend, channel by channel.
    let (a, b) = (
        scheme[at.floor() as usize],
        scheme[(at.ceil() as usize).min(hi)],
    );
    let f = at - at.floor();
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Text colour for labels and axes.
pub const INK: RGBColor = RGBColor(40, 40, 40);
/// Light grey for graticules, empty panels and missing values.
pub const MUTED: RGBColor = RGBColor(150, 150, 150);
/// Shading of fault windows.
pub const FAULT: RGBColor = RGBColor(214, 39, 40);

/// Font sizes in plotters units (SVG font-size is this / 1.24), chosen for slide reading.
pub const TITLE_SIZE: f64 = 40.0;
pub const LABEL_SIZE: f64 = 30.0;
pub const TICK_SIZE: f64 = 26.0;
pub const LEGEND_SIZE: f64 = 28.0;
pub const NOTE_SIZE: f64 = 24.0;

/// A text style of `size` in the chart font.
pub fn text(size: f64) -> TextStyle<'static> {
    TextStyle::from((FAMILY, size).into_font()).color(&INK)
}

/// Centred text (both axes) of `size`.
pub fn centred(size: f64) -> TextStyle<'static> {
    text(size).pos(Pos::new(HPos::Center, VPos::Center))
}

/// Width and height `s` would take in `style` (an estimate from the font's advances).
pub fn text_size<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    style: &TextStyle,
) -> (u32, u32) {
    area.estimate_text_size(s, style).unwrap_or((0, 0))
}

/// `s` cut with "…" so it fits `max_w` pixels in `style`.
pub fn fit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    style: &TextStyle,
    max_w: u32,
) -> String {
    if text_size(area, s, style).0 <= max_w {
        return s.to_owned();
    }
    let chars: Vec<char> = s.chars().collect();
    for n in (1..chars.len()).rev() {
        let t: String = chars[..n].iter().collect::<String>() + "…";
        if text_size(area, &t, style).0 <= max_w {
            return t;
        }
    }
    "…".to_owned()
}

/// The stroke width of line `i` of `n` drawn in order: earlier lines wider, so that a line
/// drawn over an earlier one with the same values leaves a stripe of it on each side (lines
/// that coincide stay visible). Many lines share one thin width. Only for smooth curves (the
/// CDFs): a thick line folding back on itself (a timeline's dip) draws spikes at its joins.
pub fn nested_width(i: usize, n: usize) -> u32 {
    let step = match n {
        0..=1 => return 4,
        2..=4 => 3,
        5..=6 => 2,
        _ => return 3,
    };
    3 + step * (n.saturating_sub(1 + i)) as u32
}

/// The earlier line that line `i` of `lines` lies on, so that drawn over it, it hides it there:
/// the first line before it with as many runs of points (a missing value breaks a line into
/// runs), each as long as its own, and every point at the same x with a y `close` to its own
/// (`close(its y, the earlier line's y)`). `None` when line `i` has no point or lies on no
/// earlier line. A line is its runs of (x, y) in drawing order; how close two y values may be
/// before a reader cannot tell the lines apart is the chart's to say (a share of the panel's
/// y range, a tenth of a percentage point, 1% of a latency).
pub fn earlier_line_under(
    lines: &[Vec<Vec<(f64, f64)>>],
    i: usize,
    close: impl Fn(f64, f64) -> bool,
) -> Option<usize> {
    let runs = &lines[i];
    if runs.iter().all(Vec::is_empty) {
        return None;
    }
    (0..i).find(|&j| {
        runs.len() == lines[j].len()
            && runs.iter().zip(&lines[j]).all(|(a, b)| {
                a.len() == b.len() && a.iter().zip(b).all(|(p, q)| p.0 == q.0 && close(p.1, q.1))
            })
    })
}

/// The legend label of the line `label` that lies on an earlier one (see
/// [`earlier_line_under`]): `how` says which line, and where (`availability as a`).
pub fn overlap_label(label: &str, how: &str) -> String {
    format!("{label} ({how}: the lines overlap)")
}

/// How a legend entry marks its series.
#[derive(Debug, Clone, Copy)]
pub enum Mark {
    /// A line sample of this colour and width.
    Line(RGBColor, u32),
    /// A filled box (bars, shaded windows) of this colour and opacity.
    Box(RGBColor, f64),
    /// A filled circle.
    Dot(RGBColor),
    /// A hollow square.
    Square(RGBColor, bool),
    /// A dashed grey line: a series with nothing to draw.
    Missing,
    /// A dashed line of this colour: a marker (an event in time).
    Dashed(RGBColor),
}

/// One legend entry.
#[derive(Debug, Clone)]
pub struct LegendEntry {
    pub mark: Mark,
    pub label: String,
}

impl LegendEntry {
    pub fn new(mark: Mark, label: impl Into<String>) -> Self {
        LegendEntry {
            mark,
            label: label.into(),
        }
    }
}

const SAMPLE_W: i32 = 44;
const ENTRY_GAP: i32 = 36;

/// Height a legend strip of `width` px needs for `entries` (rows wrap), 0 when empty.
pub fn legend_height<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    width: u32,
) -> u32 {
    strip_height(legend_layout(area, entries, width).last().map(|p| p.1))
}

/// Height of a legend strip whose last entry is on row `last_row` (`None`: no entries).
fn strip_height(last_row: Option<usize>) -> u32 {
    last_row.map_or(0, |row| (row as u32 + 1) * row_height() + 12)
}

/// [`legend_height`] estimated without a drawing area (for a chart's size, chosen before it is
/// drawn): each label taken as 0.6 em a character, which DejaVu Sans rarely exceeds, so the
/// estimate errs towards room.
pub fn legend_height_estimate<'a>(labels: impl IntoIterator<Item = &'a str>, width: u32) -> u32 {
    let char_w = LEGEND_SIZE * 0.6;
    let widths = labels
        .into_iter()
        .map(|l| SAMPLE_W + 10 + (l.chars().count() as f64 * char_w).ceil() as i32);
    strip_height(wrap(widths, width).last().map(|p| p.1))
}

/// (x, row) of each legend entry of width `widths` laid out left to right in `width`, wrapping.
fn wrap(widths: impl IntoIterator<Item = i32>, width: u32) -> Vec<(i32, usize)> {
    let (mut x, mut row) = (10i32, 0usize);
    let mut out = vec![];
    for w in widths {
        if x > 10 && x + w > width as i32 - 10 {
            x = 10;
            row += 1;
        }
        out.push((x, row));
        x += w + ENTRY_GAP;
    }
    out
}

fn row_height() -> u32 {
    (LEGEND_SIZE * 1.35) as u32
}

/// (x, row) of each entry when laid out left to right in `width`, wrapping.
fn legend_layout<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    width: u32,
) -> Vec<(i32, usize, String)> {
    let st = text(LEGEND_SIZE);
    let max_label = (width as i32 - SAMPLE_W - 20).max(40) as u32;
    let labels: Vec<String> = entries
        .iter()
        .map(|e| fit(area, &e.label, &st, max_label))
        .collect();
    let widths = labels
        .iter()
        .map(|l| SAMPLE_W + 10 + text_size(area, l, &st).0 as i32);
    wrap(widths, width)
        .into_iter()
        .zip(labels)
        .map(|((x, row), label)| (x, row, label))
        .collect()
}

/// Draws `entries` as a wrapping strip filling `area` (which nothing else draws on, so the
/// legend never covers data).
pub fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
) -> DrawResult<DB> {
    let width = area.dim_in_pixel().0;
    let rh = row_height() as i32;
    let st = text(LEGEND_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    for ((x, row, label), e) in legend_layout(area, entries, width).into_iter().zip(entries) {
        let y = 6 + row as i32 * rh + rh / 2;
        let (x0, x1) = (x, x + SAMPLE_W);
        match e.mark {
            Mark::Line(c, w) => {
                area.draw(&PathElement::new(
                    vec![(x0, y), (x1, y)],
                    c.stroke_width(w.max(1)),
                ))?;
            }
            Mark::Box(c, a) => {
                area.draw(&Rectangle::new(
                    [(x0, y - rh / 3), (x1, y + rh / 3)],
                    c.mix(a).filled(),
                ))?;
            }
            Mark::Dot(c) => {
                area.draw(&Circle::new(((x0 + x1) / 2, y), 8, c.filled()))?;
            }
            Mark::Square(c, filled) => {
                let r = 9;
                let m = (x0 + x1) / 2;
                let s = if filled {
                    c.filled()
                } else {
                    c.stroke_width(3)
                };
                area.draw(&Rectangle::new([(m - r, y - r), (m + r, y + r)], s))?;
            }
            Mark::Missing | Mark::Dashed(_) => {
                let c = match e.mark {
                    Mark::Dashed(c) => c,
                    _ => MUTED,
                };
                let mut xs = x0;
                while xs < x1 {
                    area.draw(&PathElement::new(
                        vec![(xs, y), ((xs + 7).min(x1), y)],
                        c.stroke_width(3),
                    ))?;
                    xs += 12;
                }
            }
        }
        area.draw(&Text::new(label, (x1 + 10, y), st.clone()))?;
    }
    Ok(())
}

/// Splits `root` into a title strip, a legend strip for `entries`, and the rest (returned).
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    entries: &[LegendEntry],
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    let (w, _) = root.dim_in_pixel();
    let title_st = text(TITLE_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    let title_h = (TITLE_SIZE * 1.6) as u32;
    let (top, rest) = root.split_vertically(title_h);
    let t = fit(root, title, &title_st, w.saturating_sub(40));
    top.draw(&Text::new(t, (20, title_h as i32 / 2 + 4), title_st))?;
    let lh = legend_height(root, entries, w);
    if lh == 0 {
        return Ok(rest);
    }
    let (legend, body) = rest.split_vertically(lh);
    draw_legend(&legend, entries)?;
    Ok(body)
}

/// A labelled empty panel: a light frame with `message` in the middle, and a `title` on top.
pub fn empty_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    message: &str,
) -> DrawResult<DB> {
    let body = frame(area, title, &[])?;
    message_panel(&body, message)
}

/// A light frame with `message` centred in it, filling `area`.
pub fn message_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    message: &str,
) -> DrawResult<DB> {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    area.draw(&Rectangle::new(
        [(10, 10), ((w - 10).max(11), (h - 10).max(11))],
        MUTED.stroke_width(2),
    ))?;
    let st = centred(LABEL_SIZE).color(&MUTED);
    let m = fit(area, message, &st, (w - 40).max(20) as u32);
    area.draw(&Text::new(m, (w / 2, h / 2), st))?;
    Ok(())
}

/// A number for an axis tick: no more digits than it needs.
pub fn tick(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 || a == 0.0 || (a - a.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    } else {
        format!("{v:.3}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    }
}

/// A tick label on a log axis: only 1, 2 and 5 times a power of ten are written, so the
/// crowded ticks near the top of each decade stay unlabelled.
pub fn log_tick(v: f64) -> String {
    if !(v.is_finite() && v > 0.0) {
        return String::new();
    }
    let m = v / 10f64.powf(v.log10().floor());
    if [1.0, 2.0, 5.0, 10.0]
        .iter()
        .any(|k| (m - k).abs() < 1e-6 * k)
    {
        tick(v)
    } else {
        String::new()
    }
}

/// A file-name-safe slug of `s`: lower-case letters, digits and dashes.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    // File names stay well inside the usual 255-byte limit, however long the name (the
    // report numbers the ones a cut makes equal).
    out.truncate(SLUG_MAX);
    let t = out.trim_matches('-');
    if t.is_empty() { "x".into() } else { t.into() }
}

/// Longest slug (ASCII, so bytes); chart file names add a prefix and an extension to it.
const SLUG_MAX: usize = 60;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shades_of_a_hue_differ_and_darken_with_their_index() {
        let sum = |c: RGBColor| u32::from(c.0) + u32::from(c.1) + u32::from(c.2);
        for family in 0..SEQUENTIAL.len() {
            for n in 1..=MAX_SHADES {
                let cs: Vec<RGBColor> = (0..n).map(|k| shade(family, k, n)).collect();
                assert!(
                    cs.windows(2).all(|w| sum(w[0]) > sum(w[1])),
                    "family {family}, {n} shades: {cs:?}"
                );
                // Neighbours stay apart: at nine shades the closest (Purples) differ by 34
                // over the three channels, against 55 at six.
                let apart = |a: RGBColor, b: RGBColor| {
                    a.0.abs_diff(b.0) as u32 + a.1.abs_diff(b.1) as u32 + a.2.abs_diff(b.2) as u32
                };
                assert!(
                    cs.windows(2).all(|w| apart(w[0], w[1]) >= 30),
                    "family {family}, {n} shades: {cs:?}"
                );
                // None is the near-white lightest classes, which vanish on a white chart.
                assert!(cs.iter().all(|c| sum(*c) < 3 * 0xd0), "{cs:?}");
            }
        }
        // Hues differ: the same shade of two families is never the same colour.
        for a in 0..SEQUENTIAL.len() {
            for b in a + 1..SEQUENTIAL.len() {
                assert_ne!(shade(a, 2, 5), shade(b, 2, 5));
            }
        }
    }

    #[test]
    fn sixteen_variants_get_sixteen_colours_that_differ_visibly() {
        let cs: Vec<RGBColor> = (0..16).map(variant_colour).collect();
        for i in 0..16 {
            for j in 0..i {
                let (a, b) = (cs[i], cs[j]);
                let d = (a.0 as i32 - b.0 as i32).abs()
                    + (a.1 as i32 - b.1 as i32).abs()
                    + (a.2 as i32 - b.2 as i32).abs();
                assert!(d >= 60, "variants {j} and {i} look alike: {b:?} {a:?}");
            }
        }
        // The first eight keep their colours (every committed chart uses them).
        assert_eq!(variant_colour(0), PALETTE[0]);
        assert_eq!(variant_colour(16), PALETTE[0]);
    }

    /// A line on an earlier one is matched to the first such line, only where every point
    /// has the same x and a close y and the runs (gaps) agree; a line with no point is on none.
    #[test]
    fn a_line_lies_on_the_first_earlier_line_with_its_runs_and_close_values() {
        let close = |a: f64, b: f64| (a - b).abs() <= 0.5;
        let lines = vec![
            vec![vec![(0.0, 1.0), (1.0, 2.0)], vec![(3.0, 4.0)]],
            vec![vec![(0.0, 1.2), (1.0, 2.2)], vec![(3.0, 4.2)]],
            vec![vec![(0.0, 1.1), (1.0, 2.1)], vec![(3.0, 4.1)]],
            // The first line's points without its gap; a point more than 0.5 off the first
            // line (so on the second); a point at another x.
            vec![vec![(0.0, 1.0), (1.0, 2.0), (3.0, 4.0)]],
            vec![vec![(0.0, 1.0), (1.0, 2.6)], vec![(3.0, 4.0)]],
            vec![vec![(0.0, 1.0), (1.5, 2.0)], vec![(3.0, 4.0)]],
            vec![],
            vec![vec![]],
        ];
        let under: Vec<Option<usize>> = (0..lines.len())
            .map(|i| earlier_line_under(&lines, i, close))
            .collect();
        assert_eq!(
            under,
            [None, Some(0), Some(0), None, Some(1), None, None, None]
        );
        assert_eq!(
            overlap_label("b", "p99 as a"),
            "b (p99 as a: the lines overlap)"
        );
    }

    #[test]
    fn ticks_are_short() {
        assert_eq!(tick(200.0), "200");
        assert_eq!(tick(12.5), "12.5");
        assert_eq!(tick(2.5), "2.5");
        assert_eq!(tick(0.05), "0.05");
        assert_eq!(tick(99.9), "99.9");
    }

    #[test]
    fn log_ticks_label_one_two_five() {
        assert_eq!(log_tick(20.0), "20");
        assert_eq!(log_tick(500.0), "500");
        assert_eq!(log_tick(90.0), "");
        assert_eq!(log_tick(0.0), "");
    }

    #[test]
    fn slugs_are_file_names() {
        assert_eq!(slug("New York"), "new-york");
        assert_eq!(slug("a/b..c"), "a-b-c");
        assert_eq!(slug("///"), "x");
        assert_eq!(slug(&"ab".repeat(200)).len(), SLUG_MAX);
        assert_eq!(slug(&format!("{}-b", "a".repeat(59))), "a".repeat(59));
    }
}
