//! Observed recovery of one fault from the timeline (SPEC §3 RTO): which populations it hurt,
//! when their windowed availability was back at the SLO for 3 windows, and what failed meanwhile.

use super::Timeline;
use crate::engine::SimTime;

/// Windows of availability at or above the SLO that make a recovery (SPEC §3).
pub const GOOD_WINDOWS: usize = 3;

/// How a fault's affected populations came through it.
#[derive(Debug, Clone, PartialEq)]
pub struct Recovery {
    /// Populations with a failed request that the fault was charged with, or with a failed
    /// request issued while it was active that no fault was charged with.
    pub affected: Vec<usize>,
    /// The observed RTO: `Some(0)` when no window fell below the SLO; `None` when availability
    /// never came back (or the run ended first).
    pub rto: Option<SimTime>,
    /// Whether some window of the affected populations fell below the SLO.
    pub visible: bool,
    /// Requests of the affected populations issued from the fault's window until recovery
    /// (or the end of the run) that failed, in windows that start after the warm-up.
    pub failed: u64,
    /// Request availability of all populations over the windows that start after the warm-up
    /// and lie wholly inside the fault.
    pub availability_during: Option<f64>,
}

/// Computes the recovery of a fault active over `[start, end)`. `first_window` is the first
/// window that starts after the warm-up: the counts of requests (`failed`,
/// `availability_during`) leave out earlier windows, as time availability does; the
/// populations affected and the RTO follow the fault from its start, warm-up or not.
///
/// `charged[p]`: population `p`'s failed requests the fault was charged with (it refused,
/// dropped or lost one of their attempts; shorter than `n_pops` when the rest are 0). A
/// population is affected by the fault if it has one, or if a request of it issued while the
/// fault was active failed with no fault charged (a timeout behind a replica the fault cut
/// off, say): failures charged to another, overlapping fault are that fault's alone.
pub fn recovery(
    tl: &Timeline,
    n_pops: usize,
    charged: &[u64],
    start: SimTime,
    end: SimTime,
    slo: f64,
    first_window: usize,
) -> Recovery {
    let w = tl.window;
    let w0 = ((start / w) as usize).min(tl.n_windows - 1);
    let w_end = ((end.saturating_sub(1) / w) as usize).min(tl.n_windows - 1);
    let affected: Vec<usize> = (0..n_pops)
        .filter(|&p| {
            charged.get(p).is_some_and(|&c| c > 0)
                || (w0..=w_end).any(|i| {
                    let s = tl.population(i, p);
                    s.failed_total() > s.charged
                })
        })
        .collect();
    let (mut ok_in, mut done_in) = (0u64, 0u64);
    for i in w0..=w_end {
        let (a, b) = (i as u64 * w, (i as u64 + 1) * w);
        if a >= start && b <= end && i >= first_window {
            let s = tl.overall(i);
            ok_in += s.ok;
            done_in += s.ok + s.failed_total();
        }
    }
    let availability_during = (done_in > 0).then(|| ok_in as f64 / done_in as f64);
    // Each affected population must be back (SPEC §3): a large healthy population must not
    // hide a small one that is still failing, as a sum over them would.
    let mut rto = Some(0);
    let mut visible = false;
    let mut failed = 0;
    for &p in &affected {
        let (p_rto, p_visible, p_failed) = recovery_of(tl, p, w0, start, end, slo, first_window);
        rto = rto.zip(p_rto).map(|(a, b)| a.max(b));
        visible |= p_visible;
        failed += p_failed;
    }
    Recovery {
        affected,
        rto,
        visible,
        failed,
        availability_during,
    }
}

/// One population's recovery: its RTO, whether it fell below the SLO, and its failed requests
/// until recovery in windows that start after the warm-up (the fields of [`Recovery`] of the
/// same names).
fn recovery_of(
    tl: &Timeline,
    p: usize,
    w0: usize,
    start: SimTime,
    end: SimTime,
    slo: f64,
    first_window: usize,
) -> (Option<SimTime>, bool, u64) {
    let w = tl.window;
    // A last window cut short by the run's end is not judged (as time availability).
    let judged = tl.judged_windows(w0);
    let mut seen_bad = false;
    let mut run = 0;
    let mut run_start = w0;
    let mut failed = 0;
    let mut failed_until_run = 0;
    for i in w0..tl.n_windows {
        let s = tl.population(i, p);
        let (ok, f) = (s.ok, s.failed_total());
        let counted = if i >= first_window { f } else { 0 };
        failed += counted;
        if ok + f == 0 || i >= judged {
            continue;
        }
        if (ok as f64) < slo * (ok + f) as f64 {
            seen_bad = true;
            run = 0;
            continue;
        }
        if run == 0 {
            run_start = i;
            failed_until_run = failed - counted;
        }
        run += 1;
        if run >= GOOD_WINDOWS {
            if seen_bad {
                return (
                    Some((run_start as u64 * w).saturating_sub(start)),
                    true,
                    failed_until_run,
                );
            }
            if (i as u64 + 1) * w >= end {
                return (Some(0), false, failed_until_run);
            }
        }
    }
    (if seen_bad { None } else { Some(0) }, seen_bad, failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::FailReason;

    /// One population; per window (ok, failed) requests.
    fn timeline(windows: &[(u64, u64)]) -> Timeline {
        let mut tl = Timeline::new(10, windows.len() as u64 * 10, 1, 1);
        for (i, (ok, failed)) in windows.iter().enumerate() {
            let t = i as u64 * 10;
            for _ in 0..*ok {
                tl.issued(t, 0);
                tl.ok(t, 0, 0, 1_000_000);
            }
            for _ in 0..*failed {
                tl.issued(t, 0);
                tl.failed(t, 0, Some(0), FailReason::Timeout, false);
            }
        }
        // As when a run ends: the overall cells are summed from the populations'.
        tl.finish();
        tl
    }

    #[test]
    fn rto_is_the_start_of_three_good_windows_after_a_bad_one() {
        let tl = timeline(&[(10, 0), (5, 5), (0, 10), (10, 0), (10, 0), (10, 0), (10, 0)]);
        let r = recovery(&tl, 1, &[], 12, 30, 0.999, 0);
        assert_eq!(r.rto, Some(30 - 12));
        assert!(r.visible);
        assert_eq!(r.failed, 15);
        assert_eq!(r.affected, vec![0]);
        assert_eq!(r.availability_during, Some(0.0));
    }

    #[test]
    fn requests_of_the_warm_up_are_not_counted_but_the_rto_runs_from_the_start() {
        // The fault starts at 10 in the warm-up (which ends at 30) and lasts to 40.
        let tl = timeline(&[(10, 0), (0, 10), (4, 6), (2, 8), (10, 0), (10, 0), (10, 0)]);
        let r = recovery(&tl, 1, &[], 10, 40, 0.999, 3);
        assert_eq!(r.affected, vec![0]);
        assert_eq!(r.rto, Some(40 - 10));
        // Only window 3's failures count; windows 1 and 2 are in the warm-up.
        assert_eq!(r.failed, 8);
        assert_eq!(r.availability_during, Some(0.2));
        let all = recovery(&tl, 1, &[], 10, 40, 0.999, 0);
        assert_eq!((all.failed, all.rto), (24, Some(30)));
    }

    #[test]
    fn never_recovering_and_no_effect() {
        let tl = timeline(&[(10, 0), (0, 10), (10, 0), (10, 0)]);
        assert_eq!(recovery(&tl, 1, &[], 10, 20, 0.999, 0).rto, None);
        let tl = timeline(&[(10, 0), (10, 0), (10, 0), (10, 0), (10, 0)]);
        let r = recovery(&tl, 1, &[], 10, 20, 0.999, 0);
        assert_eq!(r.rto, Some(0));
        assert!(!r.visible);
        assert!(r.affected.is_empty());
    }

    #[test]
    fn every_affected_population_must_be_back_not_their_sum() {
        // Population 0: 10 000 requests a window, one failure during the fault. Population 1:
        // 10 a window, failing until window 5. Summed, every window from 2 on is above
        // 99.9%; population 1 is back only from window 5.
        let mut tl = Timeline::new(10, 90, 2, 1);
        for i in 0..9u64 {
            let t = i * 10;
            for n in 0..10_000 {
                tl.issued(t, 0);
                if i == 1 && n == 0 {
                    tl.failed(t, 0, Some(0), FailReason::Timeout, false);
                } else {
                    tl.ok(t, 0, 0, 1_000_000);
                }
            }
            for _ in 0..10 {
                tl.issued(t, 1);
                if (1..5).contains(&i) {
                    tl.failed(t, 1, Some(0), FailReason::Unreachable, false);
                } else {
                    tl.ok(t, 1, 0, 1_000_000);
                }
            }
        }
        tl.finish();
        let r = recovery(&tl, 2, &[], 10, 20, 0.999, 0);
        assert_eq!(r.affected, vec![0, 1]);
        assert_eq!(r.rto, Some(50 - 10));
        assert!(r.visible);
        // Population 0 never fell below the SLO: its one failure is not part of an outage.
        assert_eq!(r.failed, 40);
    }

    #[test]
    fn failures_another_fault_owns_do_not_make_a_population_affected() {
        // Population 0 fails in windows 1–3, every failure charged to some fault.
        let mut tl = Timeline::new(10, 70, 1, 1);
        for i in 0..7u64 {
            let t = i * 10;
            for _ in 0..10 {
                tl.issued(t, 0);
                if (1..4).contains(&i) {
                    tl.failed(t, 0, Some(0), FailReason::Unreachable, true);
                } else {
                    tl.ok(t, 0, 0, 1_000_000);
                }
            }
        }
        tl.finish();
        // A fault over windows 1–2 charged with none of them: it affected nobody.
        let other = recovery(&tl, 1, &[], 10, 30, 0.999, 0);
        assert!(other.affected.is_empty());
        assert_eq!((other.rto, other.visible), (Some(0), false));
        // The fault charged with them: the population is affected, back at 40.
        let owner = recovery(&tl, 1, &[30], 10, 40, 0.999, 0);
        assert_eq!(owner.affected, vec![0]);
        assert_eq!(owner.rto, Some(30));
    }

    #[test]
    fn a_last_window_cut_short_is_counted_but_not_judged() {
        // A run of 65 in windows of 10: the last window holds 5, all failed (in flight at the
        // end, say). The fault's failures count; no full window fell below the SLO.
        let mut tl = Timeline::new(10, 65, 1, 1);
        for i in 0..7u64 {
            for _ in 0..10 {
                tl.issued(i * 10, 0);
                if i == 6 {
                    tl.failed(i * 10, 0, Some(0), FailReason::Timeout, false);
                } else {
                    tl.ok(i * 10, 0, 0, 1_000_000);
                }
            }
        }
        tl.finish();
        assert_eq!((tl.n_windows, tl.full_windows), (7, 6));
        let r = recovery(&tl, 1, &[], 30, 65, 0.999, 0);
        assert_eq!(r.affected, vec![0]);
        assert_eq!((r.rto, r.visible, r.failed), (Some(0), false, 10));
    }
}
