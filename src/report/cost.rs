//! The cost charts of a report: stacked monthly cost per variant and the cost / p99 / availability Pareto chart.

use super::variant_colours;
use super::{AnyChart, ChartSpec, ReportData};
use crate::chart::cost::{COMPONENTS, CostChart, usd};
use crate::chart::pareto::{ParetoChart, ParetoPanel, ParetoPoint};

/// The cost chart and the Pareto chart, as (stem, caption, chart); empty when no variant
/// has a cost block (an experiment without prices, or results older than cost accounting).
pub fn cost_charts(d: &ReportData) -> Vec<ChartSpec> {
    let vs = &d.summary.variants;
    let colours = variant_colours(d);
    let costed: Vec<usize> = (0..vs.len()).filter(|i| vs[*i].cost.is_some()).collect();
    if costed.is_empty() {
        return vec![];
    }
    let mut out = vec![];

    // Stacked bars: components in the report's order, known ones first.
    let mut components: Vec<String> = COMPONENTS
        .iter()
        .map(|c| c.0.to_owned())
        .filter(|c| {
            costed.iter().any(|i| {
                vs[*i].cost.as_ref().is_some_and(|k| {
                    k.components
                        .iter()
                        .any(|l| &l.component == c && l.month_usd > 0.0)
                })
            })
        })
        .collect();
    for i in &costed {
        for l in &vs[*i].cost.as_ref().unwrap().components {
            if !components.contains(&l.component) && !COMPONENTS.iter().any(|c| c.0 == l.component)
            {
                components.push(l.component.clone());
            }
        }
    }
    let chart = CostChart {
        title: "Monthly cost per variant".into(),
        components: components.clone(),
        variants: costed.iter().map(|i| vs[*i].variant.clone()).collect(),
        infra: costed
            .iter()
            .map(|i| {
                let c = vs[*i].cost.as_ref().unwrap();
                components
                    .iter()
                    .map(|k| {
                        c.components
                            .iter()
                            .filter(|l| &l.component == k)
                            .map(|l| l.month_usd)
                            .sum()
                    })
                    .collect()
            })
            .collect(),
        downtime: costed
            .iter()
            .map(|i| vs[*i].cost.as_ref().unwrap().downtime_month_usd)
            .collect(),
        downtime_times: costed
            .iter()
            .map(|i| vs[*i].cost.as_ref().unwrap().span_s)
            .filter(|s| s.is_finite() && *s > 0.0)
            .map(|s| crate::cost::MONTH_S / s)
            .fold(1.0, f64::max),
    };
    let has_downtime = chart.downtime.iter().any(|x| *x > 0.0);
    let caption = if !has_downtime {
        "Monthly infrastructure cost per variant (a 30-day month projected from the simulated span), stacked by component in fixed colours, the total written at the end of each bar. The experiment prices no downtime, so this is the whole bill.".to_owned()
    } else {
        let scale = if chart.total_is_log() {
            "on a log axis, because the totals span more than 20× (a minute of downtime can cost more than a month of servers): the written totals are the values to compare"
        } else {
            "on a linear axis"
        };
        let projected = if chart.downtime_times > 1.05 {
            format!(
                " The downtime is the simulated span's failures counted {} times, as if its faults recurred all month; the span_usd column of cost.csv prices them once.",
                crate::chart::cost::times(chart.downtime_times)
            )
        } else {
            String::new()
        };
        format!(
            "Monthly cost per variant (a 30-day month projected from the simulated span). Left: infrastructure only, stacked by component in fixed colours on a linear axis, so the designs' bills stay readable however large the downtime; right: the total, infrastructure (grey) plus the priced downtime (hatched), {scale}. Totals are written at the end of each bar.{projected}"
        )
    };
    out.push(ChartSpec {
        stem: "cost".into(),
        caption,
        chart: AnyChart::Cost(chart),
    });

    // Pareto: one panel per downtime price.
    #[derive(PartialEq)]
    enum Price {
        /// USD per minute of downtime and per failed request.
        Per(f64, f64),
        Unpriced,
        NoDowntime,
    }
    let cents = |x: f64| (x * 100.0).round() / 100.0;
    let price = |i: usize| -> Price {
        let c = vs[i].cost.as_ref().unwrap();
        match c.downtime_prices() {
            Some((m, r)) => Price::Per(cents(m), r),
            None if c.downtime_minutes > 0.0 => Price::Unpriced,
            None => Price::NoDowntime,
        }
    };
    let mut groups: Vec<Price> = vec![];
    for i in &costed {
        let p = price(*i);
        if p != Price::NoDowntime && !groups.contains(&p) {
            groups.push(p);
        }
    }
    if groups.is_empty() {
        groups.push(Price::Unpriced);
    }
    let priced = groups.iter().any(|g| matches!(g, Price::Per(..)));
    // A summary row names its case (`variant @ point` under a sweep), as stats.csv does.
    let case = |i: usize| {
        let st = d.stats.as_ref()?;
        st.cases
            .get(i)
            .filter(|c| c.case == vs[i].variant)
            .or_else(|| st.cases.iter().find(|c| c.case == vs[i].variant))
    };
    // The mean and 95% half-width over seeds when there are several, else the run's value.
    let est = |i: usize, metric: &str, fallback: f64| -> (f64, Option<f64>) {
        match case(i).and_then(|c| c.get(metric)) {
            Some(e) if e.n > 1 && e.mean.is_finite() => (e.mean, e.ci95),
            _ => (fallback, None),
        }
    };
    // A design priced at several downtime prices keeps one colour in every panel: variants
    // whose overrides differ only in `cost.downtime` are one design, drawn in the colour of
    // its first variant. Only across prices: within one panel (the points of a sweep share
    // their variant's overrides) every variant keeps its own colour.
    let design: Vec<Option<std::collections::BTreeMap<&String, &String>>> = vs
        .iter()
        .map(|v| {
            v.overrides.as_ref().map(|o| {
                o.iter()
                    .filter(|(path, _)| !path.starts_with("cost.downtime"))
                    .collect()
            })
        })
        .collect();
    let design_colour = |i: usize| {
        costed
            .iter()
            .copied()
            .find(|&k| {
                k == i || (design[i].is_some() && design[k] == design[i] && price(k) != price(i))
            })
            .map_or(colours[i], |k| colours[k])
    };
    let mut panels = vec![];
    for g in &groups {
        let total = matches!(g, Price::Per(..));
        let members = costed.iter().copied().filter(|i| {
            let p = price(*i);
            p == *g || (p == Price::NoDowntime && (total || !priced))
        });
        let points = members
            .map(|i| {
                let v = &vs[i];
                let c = v.cost.as_ref().unwrap();
                let (cost, cost_ci) = if total {
                    est(i, "total_month_usd", c.total_month_usd)
                } else {
                    est(i, "infrastructure_month_usd", c.infrastructure_month_usd)
                };
                // No successful request: no latency at all (summary.json's 0 is a placeholder),
                // so the variant is not drawn and cannot be on the frontier.
                let (p99_ms, p99_ci) = if v.overall.all.count == 0 {
                    (f64::NAN, None)
                } else {
                    est(i, "p99_ms", v.overall.all.p99_ms)
                };
                let availability = v.overall.availability.map(|a| est(i, "availability", a).0);
                // Data safety is not an axis, but a cheap design that loses writes is no bargain:
                // its lost updates, those lost to conflicts and at failovers (SPEC §3).
                let writes_lost = est(i, "lost_updates", v.data.lost_updates as f64).0;
                ParetoPoint {
                    writes_lost,
                    label: v.variant.clone(),
                    colour: design_colour(i),
                    cost,
                    cost_ci,
                    p99_ms,
                    p99_ci,
                    availability,
                }
            })
            .collect();
        panels.push(ParetoPanel {
            title: match g {
                Price::Per(m, 0.0) => format!("downtime at {}/min", usd(*m)),
                Price::Per(0.0, r) => format!("downtime at {} per failed request", cents_usd(*r)),
                Price::Per(m, r) => format!(
                    "downtime at {}/min and {} per failed request",
                    usd(*m),
                    cents_usd(*r)
                ),
                _ if groups.len() == 1 => "no downtime price: infrastructure only".into(),
                _ => "downtime not priced: infrastructure only".into(),
            },
            x_desc: if total {
                "total $/month incl. downtime".into()
            } else {
                "infrastructure $/month".into()
            },
            points,
        });
    }
    let repeats = costed.iter().any(|i| case(*i).is_some_and(|c| c.seeds > 1));
    let cost_axis = if priced {
        "x: monthly total, infrastructure plus priced downtime"
    } else {
        "x: monthly infrastructure cost (the experiment prices no downtime)"
    };
    let panels_note = if panels.len() > 1 {
        " One panel per downtime price: variants are compared only under the same price of a minute of downtime. A design keeps its colour from panel to panel (variants that differ only in the downtime price are one design)."
    } else {
        ""
    };
    let ci_note = if repeats {
        " Points are means over the seeds, bars their 95% confidence intervals."
    } else {
        " One run per variant, so no error bars (set `seeds:` in the experiment, or pass `--seeds N`, to get them)."
    };
    out.push(ChartSpec {
        stem: "cost-pareto".into(),
        caption: format!(
            "What each design buys for its money ({cost_axis}; y: p99 latency of all requests; availability, cost and, when a variant loses data, the writes it lost written under each name; data safety is not an axis, so compare it there or in the data-safety chart). A variant is dominated (grey square) when another is at least as cheap, as fast and as available and better on one of the three; the others, joined by the frontier line, are the only ones worth choosing between.{panels_note}{ci_note}"
        ),
        chart: AnyChart::Pareto(ParetoChart {
            title: "Cost, p99 latency and availability".into(),
            panels,
        }),
    });
    out
}

/// A price that may be under a dollar (per failed request): `$0.50`, `$2.25`, `$1,000`.
fn cents_usd(v: f64) -> String {
    if v.abs() < 100.0 && v.fract() != 0.0 {
        format!("${v:.2}")
    } else {
        usd(v)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{AnyChart, charts};
    use super::*;
    use crate::report::data::SummaryView;

    fn data(summary: &str) -> ReportData {
        ReportData {
            summary: serde_json::from_str::<SummaryView>(summary).unwrap(),
            timeline: vec![],
            topology: None,
            manifest: None,
            stats: None,
            missing: vec![],
        }
    }

    fn variant(name: &str, p99: f64, a: f64, infra: f64, minutes: f64, per_min: f64) -> String {
        let dt = minutes * per_min;
        format!(
            r#"{{"variant":"{name}","overall":{{"availability":{a},"all":{{"count":1000,"p99_ms":{p99}}}}},
            "cost":{{"components":[{{"component":"compute","month_usd":{infra}}}],
            "infrastructure_month_usd":{infra},"downtime_usd":{dt},"downtime_month_usd":{dt},
            "total_month_usd":{},"downtime_minutes":{minutes}}}}}"#,
            infra + dt
        )
    }

    #[test]
    fn variants_priced_per_failed_request_share_one_panel() {
        // The same price per failed request, different failed shares: the downtime cost per
        // minute read back differs by variant, and used to split them into panels.
        let priced = |name: &str, minutes: f64, failed: f64| {
            let dt = failed * 0.5;
            format!(
                r#"{{"variant":"{name}","overall":{{"availability":0.99,"all":{{"count":1000,"p99_ms":100}}}},
                "cost":{{"components":[{{"component":"compute","month_usd":500}}],
                "infrastructure_month_usd":500,"downtime_usd":{dt},"downtime_month_usd":{dt},
                "total_month_usd":{},"downtime_minutes":{minutes},
                "downtime_per_minute_usd":0.0,"downtime_per_failed_request_usd":0.5}}}}"#,
                500.0 + dt
            )
        };
        let d = data(&format!(
            r#"{{"experiment":"e","variants":[{},{}]}}"#,
            priced("one", 120.0, 10_007.0),
            priced("two", 3.0, 251.0)
        ));
        let all = charts(&d);
        let pareto = all.iter().find(|c| c.stem == "cost-pareto").unwrap();
        let AnyChart::Pareto(pc) = &pareto.chart else {
            panic!("pareto is a pareto chart")
        };
        assert_eq!(pc.panels.len(), 1);
        assert_eq!(pc.panels[0].title, "downtime at $0.50 per failed request");
        assert_eq!(pc.panels[0].points.len(), 2);
    }

    #[test]
    fn no_cost_block_no_cost_charts() {
        let d = data(r#"{"experiment":"e","variants":[{"variant":"a"},{"variant":"b"}]}"#);
        assert!(cost_charts(&d).is_empty());
        assert!(
            !charts(&d)
                .iter()
                .any(|c| matches!(c.chart, AnyChart::Cost(_) | AnyChart::Pareto(_)))
        );
    }

    #[test]
    fn a_cost_block_gives_both_charts_with_a_panel_per_downtime_price() {
        let vs = [
            variant("one-50", 248.0, 0.9944, 672.0, 240.0, 50.0),
            variant("aa-50", 193.0, 0.99998, 1170.0, 0.9, 50.0),
            variant("one-5000", 248.0, 0.9944, 672.0, 240.0, 5000.0),
            variant("aa-5000", 193.0, 0.99998, 1170.0, 0.9, 5000.0),
            variant("perfect", 150.0, 1.0, 3000.0, 0.0, 0.0),
        ];
        let d = data(&format!(
            r#"{{"experiment":"e","variants":[{},{{"variant":"no-cost"}}]}}"#,
            vs.join(",")
        ));
        let all = charts(&d);
        let cost = all.iter().find(|c| c.stem == "cost").expect("cost chart");
        let AnyChart::Cost(cc) = &cost.chart else {
            panic!("cost is a cost chart")
        };
        assert_eq!(cc.variants.len(), 5, "the variant without cost is left out");
        assert!(cc.total_is_log());
        let pareto = all
            .iter()
            .find(|c| c.stem == "cost-pareto")
            .expect("pareto");
        let AnyChart::Pareto(pc) = &pareto.chart else {
            panic!("pareto is a pareto chart")
        };
        assert_eq!(pc.panels.len(), 2);
        assert_eq!(pc.panels[0].title, "downtime at $50/min");
        // A variant without downtime costs the same at any price: it is in every panel.
        assert!(pc.panels.iter().all(|p| p.points.len() == 3));
        for c in [cost, pareto] {
            let r = c.chart.render(&c.stem, false).unwrap();
            assert!(!r.svg.contains("NaN"));
        }
        // Without a downtime price the x axis is the infrastructure cost.
        let d = data(&format!(
            r#"{{"experiment":"e","variants":[{},{}]}}"#,
            variant("a", 100.0, 0.99, 2000.0, 1.4, 0.0),
            variant("b", 70.0, 0.83, 2027.0, 15.0, 0.0)
        ));
        let out = cost_charts(&d);
        let AnyChart::Pareto(pc) = &out[1].chart else {
            panic!()
        };
        assert_eq!(pc.panels.len(), 1);
        assert_eq!(pc.panels[0].x_desc, "infrastructure $/month");
        assert!(out[0].caption.contains("prices no downtime"));
    }

    /// A variant none of whose requests succeeded has no p99 (summary.json writes 0 with a
    /// count of 0): it is named in the panel's title, not drawn, and not on the frontier. It
    /// used to be drawn at 0 ms, on the frontier as "worth choosing".
    #[test]
    fn a_variant_with_no_successful_request_is_named_not_drawn() {
        let dead = variant("dead", 0.0, 0.0, 500.0, 43200.0, 50.0)
            .replace("\"count\":1000", "\"count\":0");
        let d = data(&format!(
            r#"{{"experiment":"e","variants":[{},{}]}}"#,
            variant("alive", 120.0, 0.999, 1000.0, 40.0, 50.0),
            dead
        ));
        let out = cost_charts(&d);
        let AnyChart::Pareto(pc) = &out[1].chart else {
            panic!()
        };
        let panel = &pc.panels[0];
        assert!(panel.points[1].p99_ms.is_nan());
        let pts: Vec<_> = panel
            .points
            .iter()
            .map(|p| (p.cost, p.p99_ms, p.availability.unwrap_or(f64::NAN)))
            .collect();
        assert_eq!(crate::chart::pareto::non_dominated(&pts), [true, false]);
        let r = out[1].chart.render(&out[1].stem, false).unwrap();
        assert!(
            r.svg.contains("(no request succeeded, not drawn: dead)"),
            "the title names it"
        );
        assert!(!r.svg.contains("NaN"));
    }

    #[test]
    fn swept_cases_with_seeds_get_their_own_means_and_bars() {
        // Under a sweep a summary row is named by its case (`aa @ x=1`), and stats.json names
        // the case and its variant (`aa`): each point must take its own case's estimate.
        let mut d = data(&format!(
            r#"{{"experiment":"e","variants":[{},{}]}}"#,
            variant("aa @ x=1", 100.0, 0.99, 1000.0, 1.0, 50.0),
            variant("aa @ x=2", 100.0, 0.99, 1000.0, 1.0, 50.0)
        ));
        let case = |name: &str, total: f64| {
            format!(
                r#"{{"case":"aa @ {name}","variant":"aa","point":[],"seeds":3,"metrics":[
                {{"metric":"total_month_usd","estimate":{{"n":3,"mean":{total},"sd":1.0,"ci95":5.0}}}}]}}"#
            )
        };
        d.stats = Some(
            serde_json::from_str(&format!(
                r#"{{"master_seed":1,"cases":[{},{}],"paired":[],"sensitivity":[]}}"#,
                case("x=1", 1111.0),
                case("x=2", 2222.0)
            ))
            .unwrap(),
        );
        let out = cost_charts(&d);
        let AnyChart::Pareto(pc) = &out[1].chart else {
            panic!()
        };
        let costs: Vec<_> = pc.panels[0]
            .points
            .iter()
            .map(|p| (p.cost, p.cost_ci))
            .collect();
        assert_eq!(costs, [(1111.0, Some(5.0)), (2222.0, Some(5.0))]);
        assert!(out[1].caption.contains("means over the seeds"));
    }
}
