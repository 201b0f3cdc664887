//! Teaching diagrams: an illustrative failover and an illustrative LWW conflict, laid out from measured medians (a schematic, never a trace).
//!
//! * Failover: drawn when some variant's failover lost acknowledged writes; the variant that
//!   lost most is drawn, with its replication link's median lag, the detection and promotion
//!   delays and the loss it measured.
//! * Conflict: drawn when some last-writer-wins variant lost at least 1% of its writes to
//!   conflicts; the variant with most wrong winners (then most lost updates) is drawn, with
//!   the two regions whose clocks are furthest apart, their measured offsets and median lags.
//!   Two concurrent writes are placed half the clock gap apart in true time, so when the
//!   clocks disagree the later write loses (a wrong winner), as the experiment counted.

use super::data::{ReportData, VariantView};
use crate::chart::sequence::{EventKind, MsgKind, SeqItem, SequenceChart};
use crate::chart::sweep::compact;

fn lag_ms(v: &VariantView, from: &str, to: &str) -> Option<f64> {
    v.data
        .replication_lag
        .iter()
        .find(|l| l.from == from && l.to == to && l.lag.count > 0)
        .map(|l| l.lag.p50_ms)
        .filter(|x| x.is_finite())
}

fn ms(x: Option<f64>) -> String {
    match x {
        Some(v) if v >= 10_000.0 => format!("{} s", compact(v / 1000.0)),
        Some(v) => format!("{} ms", compact((v * 10.0).round() / 10.0)),
        None => "? ms".into(),
    }
}

fn secs(x: f64) -> String {
    compact((x * 10.0).round() / 10.0)
}

/// The failover diagram and its caption, or `None` when no failover lost a write.
pub fn failover_diagram(d: &ReportData) -> Option<(SequenceChart, String)> {
    let (v, f) = d
        .summary
        .variants
        .iter()
        .flat_map(|v| v.failovers.iter().map(move |f| (v, f)))
        .filter(|(_, f)| f.lost_writes > 0 && f.to.is_some() && f.promoted_s.is_some())
        .fold(
            None,
            |best: Option<(&VariantView, &super::data::FailoverView)>, x| match best {
                Some(b) if b.1.lost_writes >= x.1.lost_writes => Some(b),
                _ => Some(x),
            },
        )?;
    let to = f.to.clone().unwrap_or_default();
    let promoted_s = f.promoted_s.unwrap_or_default();
    let lag = lag_ms(v, &f.from, &to);
    let start = v
        .faults
        .iter()
        .filter_map(|x| x.start_s.map(|s| (s, &x.fault)))
        .filter(|(s, _)| *s <= f.triggered_s)
        .find(|(_, name)| name.contains(&f.from))
        .map(|x| x.0);
    let down_at = start
        .map(|s| format!("t = {} s", secs(s)))
        .unwrap_or_else(|| "down".into());
    let detect = start
        .map(|s| format!("+{} s", secs(f.triggered_s - s)))
        .unwrap_or_default();
    let items = vec![
        SeqItem::Message {
            from: 0,
            to: 1,
            sent: 0.0,
            arrives: 0.6,
            label: "write x=1".into(),
            kind: MsgKind::Sync,
        },
        SeqItem::Message {
            from: 1,
            to: 0,
            sent: 0.8,
            arrives: 1.4,
            label: "ack".into(),
            kind: MsgKind::Sync,
        },
        SeqItem::Message {
            from: 1,
            to: 2,
            sent: 1.0,
            arrives: 3.0,
            label: format!("replicate x=1 (median lag {})", ms(lag)),
            kind: MsgKind::Async,
        },
        SeqItem::Event {
            lane: 2,
            row: 3.0,
            label: "applies x=1".into(),
            kind: EventKind::Step,
        },
        SeqItem::Message {
            from: 0,
            to: 1,
            sent: 3.4,
            arrives: 4.0,
            label: "write x=2".into(),
            kind: MsgKind::Sync,
        },
        SeqItem::Message {
            from: 1,
            to: 0,
            sent: 4.2,
            arrives: 4.8,
            label: "ack: x=2 is acknowledged".into(),
            kind: MsgKind::Sync,
        },
        SeqItem::Message {
            from: 1,
            to: 2,
            sent: 4.6,
            arrives: 7.0,
            label: "replicate x=2 (not yet shipped)".into(),
            kind: MsgKind::Lost,
        },
        SeqItem::Event {
            lane: 1,
            row: 5.4,
            label: format!("{} goes down", f.from),
            kind: EventKind::Crash,
        },
        SeqItem::Down {
            lane: 1,
            from: 5.4,
            to: 10.6,
        },
        SeqItem::Note {
            row: 5.4,
            label: down_at,
        },
        SeqItem::Note {
            row: 7.0,
            label: format!("t = {} s {detect}", secs(f.triggered_s)),
        },
        SeqItem::Event {
            lane: 2,
            row: 7.0,
            label: format!("health checks: {} unhealthy", f.from),
            kind: EventKind::Step,
        },
        SeqItem::Note {
            row: 8.0,
            label: format!(
                "t = {} s +{} s",
                secs(promoted_s),
                secs(promoted_s - f.triggered_s)
            ),
        },
        SeqItem::Event {
            lane: 2,
            row: 8.0,
            label: format!("{to} promoted ({})", f.policy),
            kind: EventKind::Good,
        },
        SeqItem::Message {
            from: 0,
            to: 2,
            sent: 9.0,
            arrives: 9.6,
            label: "read x".into(),
            kind: MsgKind::Sync,
        },
        SeqItem::Message {
            from: 2,
            to: 0,
            sent: 9.8,
            arrives: 10.4,
            label: "x = 1".into(),
            kind: MsgKind::Sync,
        },
        SeqItem::Event {
            lane: 0,
            row: 10.6,
            label: "the acknowledged x=2 is lost".into(),
            kind: EventKind::Bad,
        },
    ];
    let rpo = f
        .rpo_s
        .map(|r| format!(", RPO {} s", secs(r)))
        .unwrap_or_default();
    let footer = format!(
        "Schematic from the measured medians of “{}”, not a trace: this failover lost {} acknowledged writes{rpo}.",
        v.variant,
        compact(f.lost_writes as f64)
    );
    let caption = format!(
        "How an asynchronous failover loses acknowledged writes, drawn for “{}” (the variant that lost most): a schematic laid out from its measured median replication lag ({} → {}: {}), detection and promotion times — not a trace of particular requests. The primary acknowledges x=2 before shipping it; when it dies, x=2 dies with it, and the promoted standby serves x=1. Rows are steps, not a time scale.",
        v.variant,
        f.from,
        to,
        ms(lag)
    );
    Some((
        SequenceChart {
            title: format!("How a failover loses acknowledged writes — {}", v.variant),
            lanes: vec![
                "client".into(),
                format!("{} (primary)", f.from),
                format!("{to} (standby)"),
            ],
            items,
            footer,
        },
        caption,
    ))
}

/// The conflict diagram and its caption, or `None` when no LWW variant lost 1% of its writes.
pub fn conflict_diagram(d: &ReportData) -> Option<(SequenceChart, String)> {
    let v = d
        .summary
        .variants
        .iter()
        .filter(|v| v.data.conflict_strategy == "Lww")
        .filter(|v| v.data.lost_to_conflicts > 0 && v.data.lost_to_conflicts * 100 >= v.data.writes)
        .fold(None, |best: Option<&VariantView>, x| match best {
            Some(b)
                if (b.data.wrong_winners, b.data.lost_to_conflicts)
                    >= (x.data.wrong_winners, x.data.lost_to_conflicts) =>
            {
                Some(b)
            }
            _ => Some(x),
        })?;
    // The two regions whose clocks are furthest apart; b's clock is the one ahead.
    let offs: Vec<(&str, f64)> = v
        .data
        .clock_offsets_ms
        .iter()
        .filter(|o| o.value.is_finite())
        .map(|o| (o.region.as_str(), o.value))
        .collect();
    type Clock<'a> = (&'a str, f64);
    // Prefer regions that both took writes (replication measured both ways), so that the
    // diagram's lags are measured ones and its writers are real; any pair otherwise.
    let furthest = |both_ways: bool| {
        let mut pair: Option<(Clock, Clock)> = None;
        for (i, a) in offs.iter().enumerate() {
            for b in &offs[i + 1..] {
                if both_ways && (lag_ms(v, a.0, b.0).is_none() || lag_ms(v, b.0, a.0).is_none()) {
                    continue;
                }
                let (lo, hi) = if a.1 <= b.1 { (*a, *b) } else { (*b, *a) };
                if pair.is_none_or(|p| hi.1 - lo.1 > p.1.1 - p.0.1) {
                    pair = Some((lo, hi));
                }
            }
        }
        pair
    };
    let ((a, off_a), (b, off_b)) = furthest(true).or_else(|| furthest(false))?;
    let diff = off_b - off_a;
    let lag_ab = lag_ms(v, a, b);
    let lag_ba = lag_ms(v, b, a);
    // True times: B writes at 0, A half the clock gap later (or 10 ms later without skew).
    let g = if diff > 0.0 { diff / 2.0 } else { 10.0 };
    let (stamp_b, stamp_a) = (off_b, g + off_a);
    let wrong = stamp_b > stamp_a;
    let (w, hi, lo) = if wrong {
        ("B", stamp_b, stamp_a)
    } else {
        ("A", stamp_a, stamp_b)
    };
    let r1 = |x: f64| format!("{:.1}", x);
    let items = vec![
        SeqItem::Message {
            from: 3,
            to: 2,
            sent: 0.0,
            arrives: 0.6,
            label: "write x=B (true t = 0)".into(),
            kind: MsgKind::Sync,
        },
        SeqItem::Event {
            lane: 2,
            row: 0.6,
            label: format!("stamp {} ms", r1(stamp_b)),
            kind: EventKind::Step,
        },
        SeqItem::Message {
            from: 0,
            to: 1,
            sent: 1.0,
            arrives: 1.6,
            label: format!("write x=A (true t = +{} ms)", r1(g)),
            kind: MsgKind::Sync,
        },
        SeqItem::Event {
            lane: 1,
            row: 1.6,
            label: format!("stamp {} ms", r1(stamp_a)),
            kind: EventKind::Step,
        },
        SeqItem::Message {
            from: 2,
            to: 3,
            sent: 1.0,
            arrives: 1.6,
            label: "ack".into(),
            kind: MsgKind::Sync,
        },
        SeqItem::Message {
            from: 1,
            to: 0,
            sent: 2.0,
            arrives: 2.6,
            label: "ack".into(),
            kind: MsgKind::Sync,
        },
        SeqItem::Message {
            from: 2,
            to: 1,
            sent: 1.2,
            arrives: 5.0,
            label: format!("replicate x=B ({})", ms(lag_ba)),
            kind: MsgKind::Async,
        },
        SeqItem::Message {
            from: 1,
            to: 2,
            sent: 2.2,
            arrives: 5.0,
            label: format!("replicate x=A ({})", ms(lag_ab)),
            kind: MsgKind::Async,
        },
        SeqItem::Note {
            row: 3.6,
            label: "concurrent writes".into(),
        },
        SeqItem::Event {
            lane: 1,
            row: 5.6,
            label: format!("keeps x={w} ({} > {})", r1(hi), r1(lo)),
            kind: EventKind::Step,
        },
        SeqItem::Event {
            lane: 2,
            row: 6.2,
            label: format!("keeps x={w}"),
            kind: EventKind::Step,
        },
        SeqItem::Event {
            lane: 0,
            row: 7.0,
            label: if wrong {
                "A's later write is lost: a wrong winner".into()
            } else {
                "clocks agree: the later write wins".into()
            },
            kind: if wrong {
                EventKind::Bad
            } else {
                EventKind::Good
            },
        },
        SeqItem::Event {
            lane: 3,
            row: 7.6,
            label: if wrong {
                "B's earlier write wins".into()
            } else {
                "B's write is lost (a lost update)".into()
            },
            kind: if wrong {
                EventKind::Step
            } else {
                EventKind::Bad
            },
        },
    ];
    let footer = format!(
        "Schematic from “{}”'s measured clock offsets and median lags, not a trace: {} conflicts, {} updates lost to last-writer-wins, {} wrong winners.",
        v.variant,
        compact(v.data.conflicts as f64),
        compact(v.data.lost_to_conflicts as f64),
        compact(v.data.wrong_winners as f64)
    );
    let caption = format!(
        "How last-writer-wins picks a winner, drawn for “{}”: a schematic laid out from its measured clock offsets ({a} {:+.1} ms, {b} {:+.1} ms) and median replication lags — not a trace. Two clients write the same key at nearly the same time in two regions; neither write has seen the other, so each region keeps the higher timestamp.{} Rows are steps, not a time scale.",
        v.variant,
        off_a,
        off_b,
        if wrong {
            " The clock ahead stamps the earlier write higher, so the later, acknowledged write is discarded."
        } else {
            " With agreeing clocks the later write wins, but the earlier one is still an acknowledged update that is lost."
        }
    );
    Some((
        SequenceChart {
            title: format!("How last-writer-wins picks a winner — {}", v.variant),
            lanes: vec![
                format!("client near {a}"),
                format!("{a}\nclock {off_a:+.1} ms"),
                format!("{b}\nclock {off_b:+.1} ms"),
                format!("client near {b}"),
            ],
            items,
            footer,
        },
        caption,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::data::{
        DataView, FailoverView, FaultView, LinkLagView, RegionValueView, SummaryView,
    };

    fn data(vs: Vec<VariantView>) -> ReportData {
        ReportData {
            summary: SummaryView {
                experiment: "e".into(),
                variants: vs,
                ..Default::default()
            },
            timeline: vec![],
            topology: None,
            manifest: None,
            stats: None,
            missing: vec![],
        }
    }

    fn lag(from: &str, to: &str, p50: f64) -> LinkLagView {
        let mut l = LinkLagView {
            from: from.into(),
            to: to.into(),
            ..Default::default()
        };
        l.lag.count = 10;
        l.lag.p50_ms = p50;
        l
    }

    #[test]
    fn the_failover_that_lost_most_is_drawn_with_its_numbers() {
        let fo = |lost| FailoverView {
            policy: "automatic".into(),
            from: "eastus".into(),
            to: Some("westus2".into()),
            triggered_s: 634.0,
            promoted_s: Some(664.0),
            lost_writes: lost,
            rpo_s: Some(5.4),
        };
        let v = |name: &str, lost, lag_ms| VariantView {
            variant: name.into(),
            failovers: vec![fo(lost)],
            faults: vec![FaultView {
                fault: "RegionOutage(eastus)".into(),
                start_s: Some(600.0),
                ..Default::default()
            }],
            data: DataView {
                replication_lag: vec![lag("eastus", "westus2", lag_ms)],
                ..Default::default()
            },
            ..Default::default()
        };
        let d = data(vec![v("lag-1s", 100, 1098.9), v("lag-5s", 478, 6039.8)]);
        let (c, caption) = failover_diagram(&d).unwrap();
        assert!(c.title.contains("lag-5s"));
        assert!(caption.contains("eastus → westus2: 6,040 ms"), "{caption}");
        assert!(c.footer.contains("478 acknowledged writes, RPO 5.4 s"));
        let notes: Vec<&str> = c
            .items
            .iter()
            .filter_map(|i| match i {
                SeqItem::Note { label, .. } => Some(label.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(notes, ["t = 600 s", "t = 634 s +34 s", "t = 664 s +30 s"]);
        assert!(failover_diagram(&data(vec![v("x", 0, 1.0)])).is_none());
        assert!(conflict_diagram(&d).is_none());
    }

    #[test]
    fn skewed_clocks_make_the_later_write_lose() {
        let v = |name: &str, offs: [f64; 3], wrong| VariantView {
            variant: name.into(),
            data: DataView {
                conflict_strategy: "Lww".into(),
                writes: 1000,
                conflicts: 300,
                lost_updates: 150,
                lost_to_conflicts: 150,
                wrong_winners: wrong,
                clock_offsets_ms: ["eastus", "westeurope", "japaneast"]
                    .iter()
                    .zip(offs)
                    .map(|(r, o)| RegionValueView {
                        region: (*r).into(),
                        value: o,
                    })
                    .collect(),
                replication_lag: vec![lag("eastus", "japaneast", 134.2)],
                ..Default::default()
            },
            ..Default::default()
        };
        let d = data(vec![
            v("skew-0ms", [0.0; 3], 0),
            v("skew-100ms", [-55.4, 56.3, 95.0], 88),
        ]);
        let (c, _) = conflict_diagram(&d).unwrap();
        assert!(c.title.contains("skew-100ms"));
        assert_eq!(c.lanes[1], "eastus\nclock -55.4 ms");
        assert_eq!(c.lanes[2], "japaneast\nclock +95.0 ms");
        let labels: Vec<String> = c
            .items
            .iter()
            .filter_map(|i| match i {
                SeqItem::Event { label, .. } | SeqItem::Message { label, .. } => {
                    Some(label.clone())
                }
                _ => None,
            })
            .collect();
        assert!(
            labels.iter().any(|l| l.contains("wrong winner")),
            "{labels:?}"
        );
        assert!(
            labels.iter().any(|l| l == "replicate x=A (134 ms)"),
            "{labels:?}"
        );
        let (c, _) = conflict_diagram(&data(vec![v("skew-0ms", [0.0; 3], 0)])).unwrap();
        assert!(c.items.iter().any(
            |i| matches!(i, SeqItem::Event { label, .. } if label.contains("later write wins"))
        ));
    }
}
