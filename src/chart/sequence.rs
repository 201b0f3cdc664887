//! Message-sequence (Lamport) diagram: a lane per process, time flowing down, arrows for messages, marks for events.
//!
//! Rows are logical steps, not a time scale: the labels carry the times. The caller decides
//! what the diagram shows; this file only lays it out.

use super::style::{self, LegendEntry, Mark};
use super::{Draw, DrawResult, finite};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// How a message is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MsgKind {
    /// A request or reply: solid.
    Sync,
    /// Asynchronous replication: dashed.
    Async,
    /// Never delivered: dashed, ending in a cross halfway.
    Lost,
}

/// How an event is marked on its lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// An ordinary step: a dot.
    Step,
    /// A crash: a red cross.
    Crash,
    /// A loss or wrong outcome: a red dot.
    Bad,
    /// A good outcome: a green dot.
    Good,
}

/// One element of the diagram; rows count down from 0.
#[derive(Debug, Clone, PartialEq)]
pub enum SeqItem {
    Message {
        from: usize,
        to: usize,
        sent: f64,
        arrives: f64,
        label: String,
        kind: MsgKind,
    },
    Event {
        lane: usize,
        row: f64,
        label: String,
        kind: EventKind,
    },
    /// The lane is down (crashed) between two rows: drawn as a hatched bar.
    Down { lane: usize, from: f64, to: f64 },
    /// A note in the left margin (a time, an elapsed span).
    Note { row: f64, label: String },
}

/// A message-sequence diagram.
#[derive(Debug, Clone)]
pub struct SequenceChart {
    pub title: String,
    /// Lane headers, left to right; text after a `\n` is a smaller second line.
    pub lanes: Vec<String>,
    pub items: Vec<SeqItem>,
    /// A line under the diagram (what it is drawn from).
    pub footer: String,
}

const RED: RGBColor = RGBColor(213, 94, 0);
const GREEN: RGBColor = RGBColor(0, 158, 115);
const BLUE: RGBColor = RGBColor(0, 114, 178);
const NOTE_W: i32 = 250;
const HEAD_H: i32 = 80;

impl SequenceChart {
    fn rows(&self) -> f64 {
        self.items
            .iter()
            .flat_map(|i| match i {
                SeqItem::Message { sent, arrives, .. } => vec![*sent, *arrives],
                SeqItem::Event { row, .. } | SeqItem::Note { row, .. } => vec![*row],
                SeqItem::Down { from, to, .. } => vec![*from, *to],
            })
            .filter(|r| finite(*r))
            .fold(0.0, f64::max)
    }
}

fn dashed<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    style: ShapeStyle,
) -> DrawResult<DB> {
    let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
    let len = (dx * dx + dy * dy).sqrt();
    let n = (len / 14.0).ceil().max(1.0) as i32;
    for k in (0..n).step_by(2) {
        let f0 = k as f64 / n as f64;
        let f1 = ((k + 1) as f64 / n as f64).min(1.0);
        let p = |f: f64| (a.0 + (dx * f) as i32, a.1 + (dy * f) as i32);
        area.draw(&PathElement::new(vec![p(f0), p(f1)], style))?;
    }
    Ok(())
}

fn arrow_head<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    colour: RGBColor,
) -> DrawResult<DB> {
    let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let (s, w) = (22.0, 9.0);
    let base = (b.0 as f64 - ux * s, b.1 as f64 - uy * s);
    let p1 = ((base.0 - uy * w) as i32, (base.1 + ux * w) as i32);
    let p2 = ((base.0 + uy * w) as i32, (base.1 - ux * w) as i32);
    area.draw(&Polygon::new(vec![b, p1, p2], colour.filled()))
}

fn cross<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    r: i32,
) -> DrawResult<DB> {
    let st = RED.stroke_width(6);
    area.draw(&PathElement::new(vec![(x - r, y - r), (x + r, y + r)], st))?;
    area.draw(&PathElement::new(vec![(x - r, y + r), (x + r, y - r)], st))
}

impl Draw for SequenceChart {
    fn size(&self) -> (u32, u32) {
        let rows = self.rows().clamp(4.0, 30.0);
        (1600, (rows * 95.0) as u32 + 420)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let entries = vec![
            LegendEntry::new(Mark::Line(style::INK, 3), "request / reply"),
            LegendEntry::new(Mark::Dashed(BLUE), "asynchronous replication"),
            LegendEntry::new(Mark::Dashed(RED), "never delivered"),
        ];
        let body = style::frame(root, &self.title, &entries)?;
        let (w, h) = body.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let n = self.lanes.len();
        if n == 0 || self.items.is_empty() {
            return style::message_panel(&body, "no scenario to draw");
        }
        let foot_h = 60;
        let rows = self.rows().max(1.0);
        let top = HEAD_H + 30;
        let bottom = h - foot_h - 20;
        let y = |r: f64| top + ((r.max(0.0) / rows) * (bottom - top) as f64) as i32;
        let lane_w = (w - NOTE_W - 40) / n as i32;
        let x = |l: usize| NOTE_W + lane_w * l.min(n - 1) as i32 + lane_w / 2;
        // Lane headers and lifelines.
        let head_st = style::centred(style::LABEL_SIZE);
        for (l, name) in self.lanes.iter().enumerate() {
            let (x0, x1) = (x(l) - lane_w / 2 + 10, x(l) + lane_w / 2 - 10);
            body.draw(&Rectangle::new(
                [(x0, 10), (x1, HEAD_H)],
                RGBColor(238, 238, 238).filled(),
            ))?;
            body.draw(&Rectangle::new(
                [(x0, 10), (x1, HEAD_H)],
                style::INK.stroke_width(2),
            ))?;
            // A second line (after `\n`) is written smaller under the first.
            let max_w = (x1 - x0 - 16).max(10) as u32;
            let mut lines = name.splitn(2, '\n');
            let first = lines.next().unwrap_or_default();
            match lines.next() {
                Some(second) => {
                    let t = style::fit(&body, first, &head_st, max_w);
                    body.draw(&Text::new(t, (x(l), 10 + HEAD_H / 3), head_st.clone()))?;
                    let st = style::centred(style::NOTE_SIZE);
                    let t = style::fit(&body, second, &st, max_w);
                    body.draw(&Text::new(t, (x(l), 10 + HEAD_H * 2 / 3), st))?;
                }
                None => {
                    let t = style::fit(&body, first, &head_st, max_w);
                    body.draw(&Text::new(t, (x(l), (10 + HEAD_H) / 2), head_st.clone()))?;
                }
            }
            body.draw(&PathElement::new(
                vec![(x(l), HEAD_H), (x(l), bottom + 10)],
                style::MUTED.stroke_width(2),
            ))?;
        }
        let note = style::text(style::NOTE_SIZE);
        let label_w = (lane_w as u32).saturating_mul(2).saturating_sub(40).max(60);
        let drawable = |i: &&SeqItem| match i {
            SeqItem::Message { sent, arrives, .. } => finite(*sent) && finite(*arrives),
            SeqItem::Event { row, .. } | SeqItem::Note { row, .. } => finite(*row),
            SeqItem::Down { from, to, .. } => finite(*from) && finite(*to),
        };
        let items: Vec<&SeqItem> = self.items.iter().filter(drawable).collect();
        for item in &items {
            match item {
                SeqItem::Down { lane, from, to } => {
                    let (a, b) = (y(*from), y(*to));
                    body.draw(&Rectangle::new(
                        [(x(*lane) - 14, a), (x(*lane) + 14, b)],
                        RED.mix(0.25).filled(),
                    ))?;
                }
                SeqItem::Note { row, label } => {
                    let st = note.clone().pos(Pos::new(HPos::Left, VPos::Center));
                    let t = style::fit(&body, label, &st, (NOTE_W - 20) as u32);
                    body.draw(&Text::new(t, (10, y(*row)), st.color(&style::MUTED)))?;
                    let mut xs = NOTE_W - 10;
                    while xs < w - 20 {
                        body.draw(&PathElement::new(
                            vec![(xs, y(*row)), (xs + 6, y(*row))],
                            RGBColor(220, 220, 220).stroke_width(1),
                        ))?;
                        xs += 14;
                    }
                }
                _ => {}
            }
        }
        for item in &items {
            match item {
                SeqItem::Message {
                    from,
                    to,
                    sent,
                    arrives,
                    label,
                    kind,
                } => {
                    let a = (x(*from), y(*sent));
                    let full = (x(*to), y(*arrives));
                    let (colour, b) = match kind {
                        MsgKind::Sync => (style::INK, full),
                        MsgKind::Async => (BLUE, full),
                        MsgKind::Lost => (RED, ((a.0 + full.0) / 2, (a.1 + full.1) / 2)),
                    };
                    if *kind == MsgKind::Sync {
                        body.draw(&PathElement::new(vec![a, b], colour.stroke_width(3)))?;
                    } else {
                        dashed(&body, a, b, colour.stroke_width(3))?;
                    }
                    if *kind == MsgKind::Lost {
                        cross(&body, b, 14)?;
                    } else {
                        arrow_head(&body, a, b, colour)?;
                    }
                    // A request's label sits above its middle; a replication's starts a
                    // quarter of the way along and runs away from its source lane.
                    let (at, h) = if *kind == MsgKind::Sync {
                        // Lifted by the arrow's rise over half the label's width, so that a
                        // sloping arrow does not cross the label's higher end.
                        let st = note.clone().pos(Pos::new(HPos::Center, VPos::Bottom));
                        let half = style::fit(&body, label, &st, label_w);
                        let half =
                            body.estimate_text_size(&half, &st).map_or(0, |(w, _)| w) as f64 / 2.0;
                        let slope = (b.1 - a.1).abs() as f64 / (b.0 - a.0).abs().max(1) as f64;
                        // The arrow spans half its width on each side of its middle.
                        let reach = half.min((b.0 - a.0).abs() as f64 / 2.0);
                        let lift = 10 + (slope * reach).ceil() as i32;
                        (((a.0 + b.0) / 2, (a.1 + b.1) / 2 - lift), HPos::Center)
                    } else {
                        let q = (a.0 + (b.0 - a.0) / 4, a.1 + (b.1 - a.1) / 4 - 10);
                        if b.0 >= a.0 {
                            ((q.0 + 12, q.1), HPos::Left)
                        } else {
                            ((q.0 - 12, q.1), HPos::Right)
                        }
                    };
                    let st = note.clone().pos(Pos::new(h, VPos::Bottom));
                    let t = style::fit(&body, label, &st, label_w);
                    body.draw(&Text::new(t, at, st.color(&colour)))?;
                }
                SeqItem::Event {
                    lane,
                    row,
                    label,
                    kind,
                } => {
                    let p = (x(*lane), y(*row));
                    let colour = match kind {
                        EventKind::Step => style::INK,
                        EventKind::Crash | EventKind::Bad => RED,
                        EventKind::Good => GREEN,
                    };
                    if *kind == EventKind::Crash {
                        cross(&body, p, 18)?;
                    } else {
                        body.draw(&Circle::new(p, 10, colour.filled()))?;
                    }
                    // Labels go right of the lane, or left of the last lane; a crash's
                    // goes left, clear of the messages its lane was sending.
                    let right = *lane + 1 < n && (*kind != EventKind::Crash || *lane == 0);
                    let st = note.clone().pos(Pos::new(
                        if right { HPos::Left } else { HPos::Right },
                        VPos::Center,
                    ));
                    let t = style::fit(&body, label, &st, label_w);
                    let tx = if right { p.0 + 26 } else { p.0 - 26 };
                    let (tw, th) = style::text_size(&body, &t, &st);
                    let (l, r) = if right {
                        (tx - 4, tx + tw as i32 + 4)
                    } else {
                        (tx - tw as i32 - 4, tx + 4)
                    };
                    body.draw(&Rectangle::new(
                        [(l, p.1 - th as i32 / 2 - 4), (r, p.1 + th as i32 / 2 + 4)],
                        WHITE.mix(0.85).filled(),
                    ))?;
                    body.draw(&Text::new(t, (tx, p.1), st.color(&colour)))?;
                }
                _ => {}
            }
        }
        let st = style::text(style::NOTE_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
        let t = style::fit(&body, &self.footer, &st, (w - 40) as u32);
        body.draw(&Text::new(t, (20, h - foot_h / 2), st.color(&style::MUTED)))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::render;

    #[test]
    fn a_small_diagram_and_an_empty_one() {
        let c = SequenceChart {
            title: "failover".into(),
            lanes: vec!["client".into(), "eastus".into(), "westus2".into()],
            items: vec![
                SeqItem::Message {
                    from: 0,
                    to: 1,
                    sent: 0.0,
                    arrives: 0.5,
                    label: "write k".into(),
                    kind: MsgKind::Sync,
                },
                SeqItem::Message {
                    from: 1,
                    to: 2,
                    sent: 1.0,
                    arrives: 3.0,
                    label: "replicate k".into(),
                    kind: MsgKind::Lost,
                },
                SeqItem::Event {
                    lane: 1,
                    row: 2.0,
                    label: "crash".into(),
                    kind: EventKind::Crash,
                },
                SeqItem::Down {
                    lane: 1,
                    from: 2.0,
                    to: 4.0,
                },
                SeqItem::Event {
                    lane: 2,
                    row: f64::NAN,
                    label: "promoted".into(),
                    kind: EventKind::Good,
                },
                SeqItem::Note {
                    row: 4.0,
                    label: "+60 s".into(),
                },
            ],
            footer: "schematic".into(),
        };
        let r = render("seq", &c, true).unwrap();
        for s in [
            "write k",
            "replicate k",
            "crash",
            "+60 s",
            "schematic",
            "westus2",
        ] {
            assert!(r.svg.contains(s), "{s}");
        }
        assert!(!r.svg.contains("NaN") && !r.svg.contains("promoted"));
        let empty = SequenceChart { items: vec![], ..c };
        assert!(
            render("seq", &empty, false)
                .unwrap()
                .svg
                .contains("no scenario to draw")
        );
    }
}
