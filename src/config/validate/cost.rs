//! Validation of the cost block, its price file and the residency policy (SPEC §1 prices, §3 Cost, Residency).

use super::{Ctx, TopologyModel, record_input, resolve_region};
use crate::config::raw::{
    RawCost, RawDnsPolicy, RawExperiment, RawPrices, RawReplicationMode, RawReplicationShape,
    RawResidency,
};
use crate::config::{ConfigError, Severity, Source, did_you_mean};
use crate::cost::{CostConfig, Prices, RegionPrices, Sizes};
use crate::model::{DataConfig, Design, KeyClass, Population};
use crate::residency::Residency;

/// Default record sizes per key class (bytes).
fn default_record_bytes(class: KeyClass) -> u64 {
    match class {
        KeyClass::Register => 1024,
        KeyClass::Counter => 16,
        KeyClass::Set => 512,
        KeyClass::Booking => 2048,
    }
}

const CLASSES: [&str; 4] = ["Register", "Counter", "Set", "Booking"];

/// Checks the residency policy against the topology and the populations.
pub(super) fn residency(
    cx: &mut Ctx,
    topo: &TopologyModel,
    raw: &RawExperiment,
    res: &RawResidency,
) -> Option<Residency> {
    let jurisdictions: Vec<&str> = raw
        .populations
        .values()
        .map(|p| p.jurisdiction.as_str())
        .filter(|j| !j.is_empty())
        .collect();
    let mut rules = vec![];
    let mut ok = true;
    if res.allow.is_empty() {
        cx.err(
            &["residency", "allow"],
            "a residency policy needs at least one jurisdiction: allow: {\"EU\": [\"westeurope\"]}",
        );
        ok = false;
    }
    for (j, regions) in &res.allow {
        let path = ["residency", "allow", j.as_str()];
        if j.trim().is_empty() {
            cx.err(&path, "a jurisdiction name is empty");
            ok = false;
        } else if !jurisdictions.contains(&j.as_str()) {
            let help = did_you_mean(j, jurisdictions.iter().copied())
                .map(|s| format!("did you mean `{s}`?"));
            cx.warn(
                &path,
                format!("no population has jurisdiction `{j}`: the rule pins nothing"),
                help,
            );
        }
        if regions.is_empty() {
            cx.err(
                &path,
                format!("jurisdiction `{j}` allows no region; give at least one"),
            );
            ok = false;
        }
        let mut ids = vec![];
        for r in regions {
            match resolve_region(cx, topo, &["residency", "allow", j, r], r) {
                Some(id) if !ids.contains(&id) => ids.push(id),
                Some(_) => {}
                None => ok = false,
            }
        }
        rules.push((j.clone(), ids));
    }
    if res.enforce
        && let Some(RawReplicationShape::Chain { .. }) = &raw.data.replication.shape
    {
        cx.err(
            &["residency", "enforce"],
            "enforced residency supports Star and Mesh replication, not Chain (a cascade would have to skip regions)",
        );
        ok = false;
    }
    if let RawReplicationMode::Quorum { .. } = &raw.data.replication.mode {
        // The ring places a key's replicas whatever its records' jurisdiction, and neither the
        // quorum's writes nor its hints are counted or withheld: refused rather than reported
        // as compliant.
        cx.err(
            &["residency"],
            "residency is not modelled with Quorum replication (a key's replicas sit on the ring whatever its jurisdiction); use Async, SemiSync or Sync",
        );
        ok = false;
    }
    ok.then_some(Residency {
        enforce: res.enforce,
        rules,
    })
}

/// Reads the price file and builds the cost configuration.
#[allow(clippy::too_many_arguments)]
pub(super) fn cost(
    cx: &mut Ctx,
    topo: &TopologyModel,
    raw: &RawExperiment,
    c: &RawCost,
    design: Option<&Design>,
    data: Option<&DataConfig>,
    pops: &[Population],
    residency: Option<&Residency>,
    inputs: &mut Vec<(String, String)>,
) -> Option<CostConfig> {
    let start = errors(cx);
    // The experiment's own figures.
    cx.finite(
        &["cost", "requests_represented"],
        "cost.requests_represented",
        c.requests_represented,
        0.0,
        true,
    );
    cx.finite(
        &["cost", "downtime", "per_failed_request_usd"],
        "cost.downtime.per_failed_request_usd",
        c.downtime.per_failed_request_usd,
        0.0,
        false,
    );
    cx.finite(
        &["cost", "downtime", "per_minute_usd"],
        "cost.downtime.per_minute_usd",
        c.downtime.per_minute_usd,
        0.0,
        false,
    );
    let (per_request, per_minute) = (c.downtime.per_failed_request_usd, c.downtime.per_minute_usd);
    if per_request > 0.0 && per_minute > 0.0 {
        cx.warn(
            &["cost", "downtime"],
            format!(
                "downtime is priced twice: failed requests × ${per_request} plus unavailable minutes × ${per_minute} are added (SPEC §3 prices it one way or the other)"
            ),
            Some("set the one you mean and leave the other out".into()),
        );
    }
    // SPEC §3 projects the span to a 30-day month: a short run's outage recurs in it.
    use crate::cost::MONTH_S;
    let span = raw.duration_s;
    if (per_request > 0.0 || per_minute > 0.0) && span.is_finite() && span > 0.0 && span < MONTH_S {
        let times = MONTH_S / span;
        cx.warn(
            &["cost", "downtime"],
            format!(
                "downtime is projected from the simulated {span} s to a 30-day month, so this run's failures count {times:.0} times in `downtime/month` and `total/month` (as if its faults recurred all month)"
            ),
            Some("to price one outage, read the span figures (cost.csv's span_usd), or simulate a month as experiments/cost-of-a-second-region.ron does".into()),
        );
    }
    if let Some(gb) = c.dataset_gb {
        cx.finite(&["cost", "dataset_gb"], "cost.dataset_gb", gb, 0.0, false);
    }
    let s = &c.sizes;
    let comp = s.replication_compression;
    if !(comp > 0.0 && comp <= 1.0) {
        cx.err(
            &["cost", "sizes", "replication_compression"],
            format!("replication_compression is compressed / raw size, in (0, 1]; found {comp}"),
        );
    }
    for (class, bytes) in &s.record_bytes {
        if !CLASSES.contains(&class.as_str()) {
            let help = did_you_mean(class, CLASSES).map(|x| format!("did you mean `{x}`?"));
            cx.err_help(
                &["cost", "sizes", "record_bytes", class],
                format!("unknown key class `{class}`"),
                help.or_else(|| Some(format!("key classes: {}", CLASSES.join(", ")))),
            );
        }
        if *bytes > 1 << 40 {
            cx.err(
                &["cost", "sizes", "record_bytes", class],
                format!("a record of {bytes} bytes is more than 1 TiB"),
            );
        }
    }
    for (f, v) in [
        ("request_bytes", s.request_bytes),
        ("response_bytes", s.response_bytes),
        ("replication_overhead_bytes", s.replication_overhead_bytes),
        ("ack_bytes", s.ack_bytes),
    ] {
        if v > 1 << 40 {
            cx.err(
                &["cost", "sizes", f],
                format!("{f} of {v} is more than 1 TiB"),
            );
        }
    }
    // The price file.
    let full = cx.src.dir().join(&c.prices);
    let psrc = match Source::read(&full) {
        Ok(p) => p,
        Err(ConfigError::Io { error, .. }) => {
            cx.err(
                &["cost", "prices"],
                format!("cannot read the price file {}: {error}", full.display()),
            );
            return None;
        }
        Err(ConfigError::Invalid(ds)) => {
            cx.diags.extend(ds);
            return None;
        }
    };
    record_input(inputs, psrc.display.clone(), psrc.digest());
    let rp: RawPrices = match psrc.parse() {
        Ok(p) => p,
        Err(d) => {
            cx.diags.push(d);
            return None;
        }
    };
    let prices = {
        let mut pc = Ctx {
            src: &psrc,
            diags: &mut *cx.diags,
        };
        prices(&mut pc, topo, &rp, &raw.dns.policy)
    };
    if errors(cx) > start {
        return None;
    }
    let prices = prices?;
    let class = data.map(|d| d.class).unwrap_or(KeyClass::Register);
    let class_name = match class {
        KeyClass::Register => "Register",
        KeyClass::Counter => "Counter",
        KeyClass::Set => "Set",
        KeyClass::Booking => "Booking",
    };
    let record = s
        .record_bytes
        .get(class_name)
        .copied()
        .unwrap_or_else(|| default_record_bytes(class));
    let sizes = Sizes {
        read_request: s.request_bytes,
        write_request: s.request_bytes + record,
        read_response: s.response_bytes + record,
        write_response: s.response_bytes,
        replication: s.replication_overhead_bytes + (record as f64 * comp).round() as u64,
        ack: s.ack_bytes,
    };
    let keys = data.map(|d| d.keys).unwrap_or(0);
    let dataset_gb = c
        .dataset_gb
        .unwrap_or(keys as f64 * record as f64 / crate::cost::GB);
    // Share of records per pinned jurisdiction, by write rate (records inherit the writer's
    // jurisdiction).
    let write_rate = |pred: &dyn Fn(&Population) -> bool| -> f64 {
        pops.iter()
            .filter(|p| pred(p))
            .map(|p| p.rate_per_s * p.write_fraction)
            .sum()
    };
    let total_writes = write_rate(&|_| true);
    let n = topo.regions.len();
    let mut stored_gb = vec![0.0; n];
    let design_regions = design.map(|d| d.regions()).unwrap_or_default();
    // Quorum: a region stores the keys whose n replicas on the ring include it (SPEC §3 Cost:
    // storage = data set × the regions holding it), not a full copy.
    let quorum_share = |x: usize| -> f64 {
        match data.map(|d| (&d.mode, d.keys)) {
            Some((crate::model::ReplicationMode::Quorum { n, .. }, keys)) if keys > 0 => {
                let d = design_regions.len();
                let held = (0..keys)
                    .filter(|&k| crate::data::quorum::holds_key(k, x, d, *n as usize))
                    .count();
                held as f64 / f64::from(keys)
            }
            _ => 1.0,
        }
    };
    for (x, &r) in design_regions.iter().enumerate() {
        let mut share = 1.0;
        if let Some(res) = residency.filter(|res| res.enforce)
            && total_writes > 0.0
        {
            for (j, allowed) in &res.rules {
                if !allowed.contains(&r) {
                    share -= write_rate(&|p| p.jurisdiction == *j) / total_writes;
                }
            }
        }
        stored_gb[r as usize] = dataset_gb * share.max(0.0) * quorum_share(x);
    }
    let health_checks = match (&raw.health, design) {
        (Some(_), Some(d)) => d.regions().len() as u32,
        _ => 0,
    };
    let fast = raw.health.as_ref().is_some_and(|h| h.interval_s <= 10.0);
    let health_check_month = rp.health_check_month
        + if fast {
            rp.fast_health_check_month
        } else {
            0.0
        };
    Some(CostConfig {
        prices: Prices {
            health_check_month,
            ..prices
        },
        sizes,
        stored_gb,
        health_checks,
        requests_represented: c.requests_represented,
        downtime_per_request: c.downtime.per_failed_request_usd,
        downtime_per_minute: c.downtime.per_minute_usd,
    })
}

fn errors(cx: &Ctx) -> usize {
    cx.diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count()
}

/// A price: finite and not negative.
fn price(cx: &mut Ctx, path: &[&str], what: &str, v: f64) -> f64 {
    cx.finite(path, what, v, 0.0, false);
    v
}

/// Checks a price file and resolves it against the topology's regions.
fn prices(
    cx: &mut Ctx,
    topo: &TopologyModel,
    rp: &RawPrices,
    policy: &RawDnsPolicy,
) -> Option<Prices> {
    let start = errors(cx);
    if rp.name.trim().is_empty() {
        cx.err(&["name"], "the price list needs a name");
    }
    let d = &rp.defaults;
    let defaults = RegionPrices {
        server_hour: price(
            cx,
            &["defaults", "server_hour"],
            "server_hour",
            d.server_hour,
        ),
        storage_gb_month: price(
            cx,
            &["defaults", "storage_gb_month"],
            "storage_gb_month",
            d.storage_gb_month,
        ),
        internet_egress_gb: price(
            cx,
            &["defaults", "internet_egress_gb"],
            "internet_egress_gb",
            d.internet_egress_gb,
        ),
    };
    let names: Vec<&str> = topo.regions.iter().map(|r| r.name.as_str()).collect();
    // A price file covers a provider's regions, more than one topology uses: names the
    // topology lacks are fine, unless they look like a typo of one it has.
    let typo = |cx: &mut Ctx, path: &[&str], name: &str| {
        if !names.contains(&name)
            && let Some(s) = did_you_mean(name, names.iter().copied())
        {
            cx.warn(
                path,
                format!(
                    "region `{name}` is not in topology `{}`; its prices are not used",
                    topo.name
                ),
                Some(format!("did you mean `{s}`?")),
            );
        }
    };
    for (name, r) in &rp.regions {
        typo(cx, &["regions", name], name);
        for (f, v) in [
            ("server_hour", r.server_hour),
            ("storage_gb_month", r.storage_gb_month),
            ("internet_egress_gb", r.internet_egress_gb),
            ("inter_region_egress_gb", r.inter_region_egress_gb),
        ] {
            if let Some(v) = v {
                price(cx, &["regions", name, f], f, v);
            }
        }
    }
    let e = &rp.egress;
    price(
        cx,
        &["egress", "same_continent_gb"],
        "egress.same_continent_gb",
        e.same_continent_gb,
    );
    price(
        cx,
        &["egress", "inter_continent_gb"],
        "egress.inter_continent_gb",
        e.inter_continent_gb,
    );
    for (from, row) in &rp.links {
        typo(cx, &["links", from], from);
        for (to, v) in row {
            typo(cx, &["links", from, to], to);
            price(
                cx,
                &["links", from, to],
                &format!("egress {from} → {to}"),
                *v,
            );
        }
    }
    let dp = &rp.dns_per_million;
    for (f, v) in [
        ("latency", dp.latency),
        ("geo", dp.geo),
        ("weighted", dp.weighted),
        ("failover", dp.failover),
    ] {
        price(cx, &["dns_per_million", f], f, v);
    }
    price(
        cx,
        &["health_check_month"],
        "health_check_month",
        rp.health_check_month,
    );
    price(
        cx,
        &["fast_health_check_month"],
        "fast_health_check_month",
        rp.fast_health_check_month,
    );
    if errors(cx) > start {
        return None;
    }
    let regions: Vec<RegionPrices> = topo
        .regions
        .iter()
        .map(|r| match rp.regions.get(&r.name) {
            Some(o) => RegionPrices {
                server_hour: o.server_hour.unwrap_or(defaults.server_hour),
                storage_gb_month: o.storage_gb_month.unwrap_or(defaults.storage_gb_month),
                internet_egress_gb: o.internet_egress_gb.unwrap_or(defaults.internet_egress_gb),
            },
            None => defaults.clone(),
        })
        .collect();
    let n = topo.regions.len();
    let mut link_gb = vec![0.0; n * n];
    for (i, a) in topo.regions.iter().enumerate() {
        for (j, b) in topo.regions.iter().enumerate() {
            if i == j {
                continue;
            }
            link_gb[i * n + j] = match rp.links.get(&a.name).and_then(|row| row.get(&b.name)) {
                Some(v) => *v,
                None if let Some(v) = rp
                    .regions
                    .get(&a.name)
                    .and_then(|o| o.inter_region_egress_gb) =>
                {
                    v
                }
                None if !a.continent.is_empty() && a.continent == b.continent => {
                    e.same_continent_gb
                }
                None => e.inter_continent_gb,
            };
        }
    }
    let dns_per_million = match policy {
        RawDnsPolicy::Latency => dp.latency,
        RawDnsPolicy::Geo { .. } => dp.geo,
        RawDnsPolicy::Weighted { .. } => dp.weighted,
        RawDnsPolicy::Failover { .. } => dp.failover,
    };
    Some(Prices {
        name: rp.name.clone(),
        currency: rp.currency.clone(),
        regions,
        link_gb,
        dns_per_million,
        health_check_month: rp.health_check_month,
    })
}

/// Checks a price file on its own (`regionsim check`): every figure finite and not negative.
/// Region names are checked when an experiment resolves it against a topology.
pub(in crate::config) fn standalone(
    rp: &RawPrices,
    src: &Source,
    diags: &mut Vec<crate::config::Diagnostic>,
) -> Option<Prices> {
    let topo = TopologyModel {
        name: String::new(),
        description: String::new(),
        source: String::new(),
        regions: vec![],
        region_rtt: vec![],
        estimated: vec![],
        inflation: 1.0,
        base_ms: 0.0,
        jitter: crate::distribution::Dist::Constant(0),
    };
    let mut cx = Ctx { src, diags };
    prices(&mut cx, &topo, rp, &RawDnsPolicy::Latency)
}
