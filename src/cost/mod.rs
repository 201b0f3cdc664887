//! Cost accounting (SPEC §3 Cost): prices, traffic counters kept during a run, and the cost report built from them.
//!
//! The simulation only counts: bytes per directed link and per region (integers), provisioned
//! server-nanoseconds per region, DNS queries that missed the resolvers' caches. Memory is
//! O(regions²), whatever the number of requests. Money is computed once, at the end, from
//! those counters and the price list (SPEC §1 Region prices, Link egress price; FACTS.md §2).

pub mod prices;

use crate::engine::SimTime;
use crate::model::{RegionId, Scenario};
pub use prices::{CostConfig, Prices, RegionPrices, Sizes};
use serde::Serialize;

/// Seconds in the 30-day month every projection uses.
pub const MONTH_S: f64 = 30.0 * 86_400.0;
/// Bytes in the (decimal) gigabyte the price lists use.
pub const GB: f64 = 1e9;

/// What the simulation counted for the cost report (after the warm-up).
#[derive(Debug, Clone, Default)]
pub struct CostMeter {
    n: usize,
    warmup: SimTime,
    end: SimTime,
    /// `[from * n + to]`: replication messages and their acknowledgements, in bytes.
    pub replication_bytes: Vec<u64>,
    /// `[from * n + to]`: forwarded writes, routed reads and their answers, in bytes.
    pub forwarding_bytes: Vec<u64>,
    /// Per region: responses sent to users over the internet, in bytes.
    pub internet_bytes: Vec<u64>,
    /// Per region: ∫ provisioned servers dt (ns), and the current count and since when.
    pub server_ns: Vec<u128>,
    servers: Vec<u32>,
    since: Vec<SimTime>,
    /// DNS queries that reached the authoritative servers.
    pub dns_queries: u64,
    /// Health-check probes sent.
    pub probes: u64,
    /// Messages billed as replication egress: replicated writes, their acknowledgements, and
    /// a quorum's reads and answers.
    pub replication_messages: u64,
}

impl CostMeter {
    /// A meter for `n` regions; it counts what happens from `warmup` until `end`.
    pub fn new(n: usize, warmup: SimTime, end: SimTime) -> Self {
        CostMeter {
            n,
            warmup,
            end,
            replication_bytes: vec![0; n * n],
            forwarding_bytes: vec![0; n * n],
            internet_bytes: vec![0; n],
            server_ns: vec![0; n],
            servers: vec![0; n],
            since: vec![0; n],
            ..CostMeter::default()
        }
    }

    #[inline]
    fn counted(&self, now: SimTime) -> bool {
        now >= self.warmup && now < self.end
    }

    /// `bytes` of replication traffic leave `from` for `to` at `at`, which may be later than
    /// the event that queues them (a link's bandwidth, a lag spent in the sender): a message
    /// that would leave after the run ends is not billed (nothing between two replicas in one
    /// region: no egress).
    #[inline]
    pub fn replication(&mut self, from: RegionId, to: RegionId, bytes: u64, at: SimTime) {
        if self.counted(at) && from != to {
            self.replication_bytes[from as usize * self.n + to as usize] += bytes;
            self.replication_messages += 1;
        }
    }

    /// Takes back a [`CostMeter::replication`] of `bytes` on `from → to` at `at`: the message
    /// did not leave then.
    pub fn replication_refund(&mut self, from: RegionId, to: RegionId, bytes: u64, at: SimTime) {
        if self.counted(at) && from != to {
            self.replication_bytes[from as usize * self.n + to as usize] -= bytes;
            self.replication_messages -= 1;
        }
    }

    /// `bytes` of forwarded request traffic leave `from` for `to` at `now`.
    #[inline]
    pub fn forwarding(&mut self, from: RegionId, to: RegionId, bytes: u64, now: SimTime) {
        if self.counted(now) && from != to {
            self.forwarding_bytes[from as usize * self.n + to as usize] += bytes;
        }
    }

    /// `bytes` leave `region` for the users over the internet at `now`.
    #[inline]
    pub fn internet(&mut self, region: RegionId, bytes: u64, now: SimTime) {
        if self.counted(now) {
            self.internet_bytes[region as usize] += bytes;
        }
    }

    /// A DNS query reached the authoritative servers at `now`.
    #[inline]
    pub fn dns_query(&mut self, now: SimTime) {
        if self.counted(now) {
            self.dns_queries += 1;
        }
    }

    /// A health checker sent a probe at `now`.
    #[inline]
    pub fn probe(&mut self, now: SimTime) {
        if self.counted(now) {
            self.probes += 1;
        }
    }

    /// `region` runs `servers` provisioned servers from `now` on (billing counts from the
    /// warm-up).
    pub fn set_servers(&mut self, region: RegionId, servers: u32, now: SimTime) {
        let r = region as usize;
        self.close(r, now);
        self.servers[r] = servers;
    }

    fn close(&mut self, r: usize, now: SimTime) {
        let from = self.since[r].max(self.warmup);
        if now > from {
            self.server_ns[r] += u128::from(self.servers[r]) * u128::from(now - from);
        }
        self.since[r] = now.max(self.since[r]);
    }

    /// Closes the server integrals at the end of the run.
    pub fn finish(&mut self, end: SimTime) {
        for r in 0..self.n {
            self.close(r, end);
        }
    }
}

/// One component of the cost (SPEC §3 Cost), for the span and projected to a month.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct CostLine {
    pub component: String,
    pub span_usd: f64,
    pub month_usd: f64,
    /// What was counted, e.g. `server_hours=47.5` or `queries=259200`.
    pub quantity: String,
}

/// A region's share: what it runs, stores and sends.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct RegionCost {
    pub region: String,
    pub server_hours: f64,
    pub stored_gb: f64,
    pub compute_usd: f64,
    pub storage_usd: f64,
    /// Egress out of this region (the source pays, FACTS.md §2.2).
    pub replication_egress_usd: f64,
    pub forwarding_egress_usd: f64,
    pub client_egress_usd: f64,
    pub internet_gb: f64,
    pub total_usd: f64,
}

/// A directed link's cross-region egress.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct LinkCost {
    pub from: String,
    pub to: String,
    pub price_per_gb: f64,
    pub replication_gb: f64,
    pub forwarding_gb: f64,
    pub usd: f64,
}

/// The cost of one run (SPEC §3 Cost): infrastructure, downtime, total.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct CostReport {
    pub prices: String,
    pub currency: String,
    /// Simulated span billed: duration − warm-up, seconds.
    pub span_s: f64,
    /// Real requests each simulated request stands for.
    pub requests_represented: f64,
    /// Requests issued after the warm-up, scaled by `requests_represented`.
    pub requests: f64,
    pub failed_requests: f64,
    /// Components in a fixed order: compute, storage, replication_egress, forwarding_egress,
    /// client_egress, dns, health_checks.
    pub components: Vec<CostLine>,
    pub infrastructure_usd: f64,
    pub infrastructure_month_usd: f64,
    /// Infrastructure cost per million requests issued after the warm-up (the few still in
    /// flight at the end included).
    pub per_million_requests_usd: Option<f64>,
    /// Minutes of total outage equivalent to the failed share of requests:
    /// span × failed / (ok + failed).
    pub downtime_minutes: f64,
    /// The experiment's downtime prices: per minute of downtime and per failed request.
    pub downtime_per_minute_usd: f64,
    pub downtime_per_failed_request_usd: f64,
    pub downtime_usd: f64,
    pub downtime_month_usd: f64,
    pub total_usd: f64,
    pub total_month_usd: f64,
    pub dns_queries: f64,
    pub health_checks: u32,
    /// Health-check probes sent during the span (informational: checks are billed per month).
    pub health_check_probes: u64,
    pub regions: Vec<RegionCost>,
    pub links: Vec<LinkCost>,
}

/// Request counts the cost report needs from the metrics (after the warm-up).
#[derive(Debug, Clone, Copy)]
pub struct RequestCounts {
    pub issued: u64,
    pub ok: u64,
    pub failed: u64,
}

/// Prices the meter's counts (SPEC §3 Cost).
pub fn report(sc: &Scenario, cfg: &CostConfig, m: &CostMeter, req: RequestCounts) -> CostReport {
    let p = &cfg.prices;
    let n = sc.regions.len();
    let span_s = sc.duration.saturating_sub(sc.warmup) as f64 / 1e9;
    let months = span_s / MONTH_S;
    let scale = cfg.requests_represented;
    let design = sc.design.regions();
    let mut regions = vec![];
    let (mut compute, mut storage, mut repl, mut fwd, mut client) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for r in 0..n {
        let in_design = design.contains(&(r as RegionId));
        let out_bytes: u64 = (0..n)
            .map(|t| m.replication_bytes[r * n + t] + m.forwarding_bytes[r * n + t])
            .sum();
        if !in_design && out_bytes == 0 && m.internet_bytes[r] == 0 && m.server_ns[r] == 0 {
            continue;
        }
        let rp = &p.regions[r];
        let server_hours = m.server_ns[r] as f64 / 3.6e12;
        let stored_gb = cfg.stored_gb.get(r).copied().unwrap_or(0.0);
        let c = server_hours * rp.server_hour;
        let s = stored_gb * rp.storage_gb_month * months;
        let egress = |bytes: &[u64]| -> f64 {
            (0..n)
                .map(|t| bytes[r * n + t] as f64 * scale / GB * p.link_gb[r * n + t])
                .sum()
        };
        let re = egress(&m.replication_bytes);
        let fe = egress(&m.forwarding_bytes);
        let internet_gb = m.internet_bytes[r] as f64 * scale / GB;
        let ce = internet_gb * rp.internet_egress_gb;
        compute += c;
        storage += s;
        repl += re;
        fwd += fe;
        client += ce;
        regions.push(RegionCost {
            region: sc.regions[r].name.clone(),
            server_hours,
            stored_gb,
            compute_usd: c,
            storage_usd: s,
            replication_egress_usd: re,
            forwarding_egress_usd: fe,
            client_egress_usd: ce,
            internet_gb,
            total_usd: c + s + re + fe + ce,
        });
    }
    let mut links = vec![];
    for a in 0..n {
        for b in 0..n {
            let (rb, fb) = (
                m.replication_bytes[a * n + b],
                m.forwarding_bytes[a * n + b],
            );
            if rb + fb == 0 {
                continue;
            }
            let price = p.link_gb[a * n + b];
            let (rg, fg) = (rb as f64 * scale / GB, fb as f64 * scale / GB);
            links.push(LinkCost {
                from: sc.regions[a].name.clone(),
                to: sc.regions[b].name.clone(),
                price_per_gb: price,
                replication_gb: rg,
                forwarding_gb: fg,
                usd: (rg + fg) * price,
            });
        }
    }
    let dns_queries = m.dns_queries as f64 * scale;
    let dns = dns_queries / 1e6 * p.dns_per_million;
    let checks = cfg.health_checks;
    let checks_usd = f64::from(checks) * p.health_check_month * months;
    let sum_gb = |v: &[u64]| v.iter().map(|b| *b as f64).sum::<f64>() * scale / GB;
    let parts = [
        (
            "compute",
            compute,
            format!(
                "server_hours={:.3}",
                regions.iter().map(|r| r.server_hours).sum::<f64>()
            ),
        ),
        (
            "storage",
            storage,
            format!(
                "stored_gb={:.3}",
                regions.iter().map(|r| r.stored_gb).sum::<f64>()
            ),
        ),
        (
            "replication_egress",
            repl,
            format!(
                "gb={:.6} messages={:.0}",
                sum_gb(&m.replication_bytes),
                m.replication_messages as f64 * scale
            ),
        ),
        (
            "forwarding_egress",
            fwd,
            format!("gb={:.6}", sum_gb(&m.forwarding_bytes)),
        ),
        (
            "client_egress",
            client,
            format!("gb={:.6}", sum_gb(&m.internet_bytes)),
        ),
        ("dns", dns, format!("queries={dns_queries:.0}")),
        (
            "health_checks",
            checks_usd,
            format!("checks={checks} probes={}", m.probes),
        ),
    ];
    let per_month = |x: f64| if months > 0.0 { x / months } else { 0.0 };
    let infrastructure: f64 = parts.iter().map(|(_, v, _)| v).sum();
    let ended = req.ok + req.failed;
    let failed_share = if ended > 0 {
        req.failed as f64 / ended as f64
    } else {
        0.0
    };
    let failed_requests = req.failed as f64 * scale;
    let downtime_minutes = span_s / 60.0 * failed_share;
    let downtime =
        failed_requests * cfg.downtime_per_request + downtime_minutes * cfg.downtime_per_minute;
    let requests = req.issued as f64 * scale;
    CostReport {
        prices: p.name.clone(),
        currency: p.currency.clone(),
        span_s,
        requests_represented: scale,
        requests,
        failed_requests,
        components: parts
            .iter()
            .map(|(c, v, q)| CostLine {
                component: (*c).to_owned(),
                span_usd: *v,
                month_usd: per_month(*v),
                quantity: q.clone(),
            })
            .collect(),
        infrastructure_usd: infrastructure,
        infrastructure_month_usd: per_month(infrastructure),
        per_million_requests_usd: (requests > 0.0).then(|| infrastructure / requests * 1e6),
        downtime_minutes,
        downtime_per_minute_usd: cfg.downtime_per_minute,
        downtime_per_failed_request_usd: cfg.downtime_per_request,
        downtime_usd: downtime,
        downtime_month_usd: per_month(downtime),
        total_usd: infrastructure + downtime,
        total_month_usd: per_month(infrastructure + downtime),
        dns_queries,
        health_checks: checks,
        health_check_probes: m.probes,
        regions,
        links,
    }
}

/// Money to the cent, as written in every result file.
pub fn cents(x: f64) -> String {
    format!("{x:.2}")
}
