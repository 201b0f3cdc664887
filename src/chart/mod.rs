//! Charts: pure functions from result data to SVG and PNG files, one chart kind per file.
//!
//! Each kind takes a plain input struct (numbers and names, never simulation state) and draws
//! it on any plotters backend, so the SVG and the PNG of a chart are the same drawing. Text is
//! measured and rasterised with the bundled DejaVu Sans, so no system font is needed, and
//! nothing time- or hash-dependent is drawn: the same input gives byte-identical files.
//! Missing data (an empty series, a variant without successful requests) is drawn as a
//! labelled empty panel or a labelled legend entry, never as NaN and never as a panic.

pub mod bars;
pub mod cdf;
pub mod cost;
pub mod heatmap;
pub mod map;
pub mod pareto;
pub mod safety;
pub mod sequence;
pub mod style;
pub mod sweep;
pub mod timeline;

use plotters::coord::Shift;
use plotters::prelude::*;
use std::panic::AssertUnwindSafe;

/// Why a chart could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the bundled chart font cannot be loaded")]
    Font,
    #[error("cannot draw chart `{chart}`: {message}")]
    Draw { chart: String, message: String },
    #[error("cannot encode chart `{chart}` as PNG: {message}")]
    Png { chart: String, message: String },
}

/// The error type of drawing on a backend.
pub type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A chart kind: a size and a drawing on any backend.
pub trait Draw {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    /// Draws the whole chart on `root` (already filled white).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// One rendered chart: its SVG text and, when asked for, its PNG bytes.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub svg: String,
    pub png: Option<Vec<u8>>,
}

/// Renders `chart` (called `name` in errors) as SVG, and as PNG when `png` is set.
pub fn render<C: Draw>(name: &str, chart: &C, png: bool) -> Result<Rendered, ChartError> {
    style::ensure_font()?;
    let (w, h) = chart.size();
    let draw_err = |message: String| ChartError::Draw {
        chart: name.to_owned(),
        message,
    };
    let mut svg = String::new();
    guarded(name, || {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        chart.draw(&root).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    })
    .map_err(draw_err)?;
    let png = if png {
        let mut buf = vec![255u8; w as usize * h as usize * 3];
        guarded(name, || {
            let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
            root.fill(&WHITE).map_err(|e| e.to_string())?;
            chart.draw(&root).map_err(|e| e.to_string())?;
            root.present().map_err(|e| e.to_string())
        })
        .map_err(draw_err)?;
        Some(encode_png(&buf, w, h).map_err(|message| ChartError::Png {
            chart: name.to_owned(),
            message,
        })?)
    } else {
        None
    };
    Ok(Rendered { svg, png })
}

/// Runs a drawing, turning a panic inside the plotting library into an error: inputs are
/// checked before drawing, so this is a last line of defence, not the normal path.
fn guarded(name: &str, f: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => Err(format!(
            "the plotting library panicked while drawing `{name}`"
        )),
    }
}

/// Encodes an RGB buffer as PNG (fixed settings, so the same pixels give the same bytes).
fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Balanced);
        let mut writer = enc.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(rgb).map_err(|e| e.to_string())?;
        writer.finish().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// Whether `x` can be drawn: finite.
pub(crate) fn finite(x: f64) -> bool {
    x.is_finite()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Blank;
    impl Draw for Blank {
        fn size(&self) -> (u32, u32) {
            (320, 200)
        }
        fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
            style::empty_panel(root, "nothing", "no data")
        }
    }

    #[test]
    fn svg_and_png_of_an_empty_panel() {
        let r = render("blank", &Blank, true).unwrap();
        assert!(r.svg.starts_with("<svg"), "{}", &r.svg[..40]);
        assert!(r.svg.contains("no data"));
        let png = r.png.unwrap();
        assert_eq!(&png[1..4], b"PNG");
        assert_eq!(render("blank", &Blank, true).unwrap().png.unwrap(), png);
    }
}
