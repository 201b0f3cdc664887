//! The validated model: ids resolved, units converted to nanoseconds, ready to simulate.
//!
//! Built from the `Raw*` config by `config::validate`; nothing here can be malformed.

use crate::distribution::Dist;
use crate::engine::SimTime;

/// Index of a region in [`Scenario::regions`].
pub type RegionId = u16;

/// Region id meaning "no region" (also a DNS answer of none).
pub const NO_REGION: RegionId = RegionId::MAX;

/// Index of a population in [`Scenario::populations`].
pub type PopulationId = u16;

/// A data center and its server pool (SPEC §1 Region).
#[derive(Debug, Clone)]
pub struct Region {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub continent: String,
    pub jurisdiction: String,
    pub servers: u32,
    pub read_service: Dist,
    /// A typical read service time in ns, for estimates that need one number (a deep health
    /// probe's wait, `Slowdown`): [`crate::distribution::typical_ns`].
    pub read_typical_ns: f64,
    pub write_service: Dist,
    pub queue_limit: u32,
}

/// Round-trip times between every pair of places, in nanoseconds (SPEC §1 Link).
#[derive(Debug, Clone)]
pub struct Network {
    n_regions: usize,
    /// Directed region→region RTT, row-major `[from * n + to]`.
    region_rtt: Vec<SimTime>,
    /// Whether a region pair was estimated rather than taken from the matrix.
    region_estimated: Vec<bool>,
    /// Population→region RTT, `[pop * n + region]`; the path back uses the same value
    /// except for the anchor's leg, which uses the reverse matrix entry.
    pop_rtt_out: Vec<SimTime>,
    pop_rtt_back: Vec<SimTime>,
    /// Extra one-way delay per message.
    pub jitter: Dist,
}

impl Network {
    /// Builds a network from its tables (`region_rtt` is `n × n`, the population tables `p × n`).
    pub fn new(
        n_regions: usize,
        region_rtt: Vec<SimTime>,
        region_estimated: Vec<bool>,
        pop_rtt_out: Vec<SimTime>,
        pop_rtt_back: Vec<SimTime>,
        jitter: Dist,
    ) -> Self {
        debug_assert_eq!(region_rtt.len(), n_regions * n_regions);
        Network {
            n_regions,
            region_rtt,
            region_estimated,
            pop_rtt_out,
            pop_rtt_back,
            jitter,
        }
    }
    /// RTT from region `a` to region `b` (directed: the source's row).
    #[inline]
    pub fn region_rtt(&self, a: RegionId, b: RegionId) -> SimTime {
        self.region_rtt[a as usize * self.n_regions + b as usize]
    }
    /// Whether `a → b` was estimated from distance.
    pub fn region_estimated(&self, a: RegionId, b: RegionId) -> bool {
        self.region_estimated[a as usize * self.n_regions + b as usize]
    }
    /// RTT seen on the way from population `p` to region `r`.
    #[inline]
    pub fn pop_rtt_out(&self, p: PopulationId, r: RegionId) -> SimTime {
        self.pop_rtt_out[p as usize * self.n_regions + r as usize]
    }
    /// RTT seen on the way back from region `r` to population `p`.
    #[inline]
    pub fn pop_rtt_back(&self, p: PopulationId, r: RegionId) -> SimTime {
        self.pop_rtt_back[p as usize * self.n_regions + r as usize]
    }
    /// Symmetric population↔region RTT: the mean of both directions.
    pub fn pop_rtt(&self, p: PopulationId, r: RegionId) -> SimTime {
        (self.pop_rtt_out(p, r) + self.pop_rtt_back(p, r)) / 2
    }
}

/// How a client behaves (SPEC §2 step 7), in nanoseconds.
#[derive(Debug, Clone)]
pub struct ClientPolicy {
    pub timeout: SimTime,
    pub connect_timeout: SimTime,
    pub retries: u32,
    pub backoff_base: SimTime,
    pub backoff_max: SimTime,
    pub deadline: SimTime,
    pub re_resolve_on_failure: bool,
}

/// Users at a location (SPEC §1 Population).
#[derive(Debug, Clone)]
pub struct Population {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub anchor: Option<RegionId>,
    pub jurisdiction: String,
    /// Mean arrival rate per second.
    pub rate_per_s: f64,
    /// 24 hourly multipliers (mean 1) in local time, or none for a flat rate.
    pub diurnal: Option<[f64; 24]>,
    pub utc_offset_h: f64,
    pub write_fraction: f64,
    pub keys: u32,
    pub zipf_s: f64,
    pub users: u32,
    pub resolvers: u32,
    pub client: ClientPolicy,
}

impl Population {
    /// The rate multiplier at simulated time `t` (linear between hourly points).
    pub fn diurnal_factor(&self, t: SimTime) -> f64 {
        match &self.diurnal {
            None => 1.0,
            Some(curve) => diurnal_at(curve, t as f64 / 3.6e12 + self.utc_offset_h),
        }
    }
    /// The mean multiplier over the first `duration_s` seconds of a run: the expected number
    /// of arrivals is `rate_per_s × this × duration_s` (a run shorter than a day that falls in
    /// the curve's busy hours gets more than its mean rate).
    pub fn diurnal_mean_over(&self, duration_s: f64) -> f64 {
        diurnal_mean_over(self.diurnal.as_ref(), self.utc_offset_h, duration_s)
    }
    /// The largest multiplier (the thinning envelope).
    pub fn diurnal_peak(&self) -> f64 {
        self.diurnal
            .as_ref()
            .map(|c| c.iter().copied().fold(0.0, f64::max))
            .unwrap_or(1.0)
    }
}

/// A diurnal curve's multiplier `hours` hours after local midnight (any number of days on),
/// linear between its hourly points.
#[inline]
fn diurnal_at(curve: &[f64; 24], hours: f64) -> f64 {
    let h = hours.rem_euclid(24.0);
    let i = h.floor() as usize % 24;
    let frac = h - h.floor();
    curve[i] * (1.0 - frac) + curve[(i + 1) % 24] * frac
}

/// The mean of a diurnal curve (24 hourly multipliers in local time, linear between them, as
/// [`Population::diurnal_factor`] reads it) over the first `duration_s` seconds of a run that
/// starts at 00:00 UTC, for a population `utc_offset_h` hours ahead of UTC. 1 without a curve.
pub fn diurnal_mean_over(curve: Option<&[f64; 24]>, utc_offset_h: f64, duration_s: f64) -> f64 {
    let Some(c) = curve else { return 1.0 };
    let hours = duration_s / 3600.0;
    if !(hours.is_finite() && hours > 0.0 && utc_offset_h.is_finite()) {
        return c.iter().sum::<f64>() / 24.0;
    }
    // Whole days give the curve's mean; the rest is integrated piece by piece between the
    // hourly points (each piece is linear, so the trapezoid rule is exact).
    let days = (hours / 24.0).floor();
    let rest = hours - days * 24.0;
    let mut integral = days * c.iter().sum::<f64>();
    let start = utc_offset_h.rem_euclid(24.0);
    let (mut a, end) = (start, start + rest);
    while a < end {
        let b = (a.floor() + 1.0).min(end);
        integral += (diurnal_at(c, a) + diurnal_at(c, b)) / 2.0 * (b - a);
        a = b;
    }
    integral / hours
}

/// How an active-passive design replaces a failed primary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FailoverPolicy {
    /// The primary stays the primary.
    Off,
    /// Promote the first healthy standby `promotion` after health checks mark the primary down.
    Automatic { promotion: SimTime },
    /// An operator promotes the first healthy standby `delay` after the primary goes down.
    Manual { delay: SimTime },
}

/// Which of the ready standbys a failover promotes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PromotePolicy {
    /// The first in the design's `standbys` order.
    FirstListed,
    /// The one holding the most of the lineage: the old primary's writes and those of every
    /// earlier primary it kept (ties: the first listed).
    MostCaughtUp,
}

/// The design under test (SPEC §1 Design).
#[derive(Debug, Clone, PartialEq)]
pub enum Design {
    /// Writes go to the primary; standbys serve reads when `read_local`.
    ActivePassive {
        primary: RegionId,
        standbys: Vec<RegionId>,
        read_local: bool,
        failover: FailoverPolicy,
        /// Which ready standby a failover promotes.
        promote: PromotePolicy,
        /// Share of servers a standby runs until promoted.
        standby_capacity: f64,
        /// Time from promotion to full capacity.
        scale_up: SimTime,
        /// Planned failback to a failed-over primary (`src/sim/failback.rs`); `None`: it stays
        /// a standby.
        failback: Option<PlannedFailback>,
    },
    /// Every region serves reads and writes.
    ActiveActive { regions: Vec<RegionId> },
}

/// A planned switchover back to a primary that failed over: once it has been up, healthy and
/// reachable from the current primary for `after`, and would apply every write already on its
/// way to it within `max_lag`, the current primary drains (holds new writes), the old primary
/// applies the rest, and they switch roles without losing anything (`src/sim/failback.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedFailback {
    /// How long the old primary must have been ready before the switchover begins.
    pub after: SimTime,
    /// The longest the drain may be foreseen to hold writes: the latest due time of the
    /// writes on their way to the old primary, less now, at which the drain may start.
    pub max_lag: SimTime,
}

impl Design {
    /// Regions DNS may send users to, in a fixed order.
    pub fn serving_regions(&self) -> Vec<RegionId> {
        match self {
            Design::ActivePassive {
                primary,
                standbys,
                read_local,
                ..
            } => {
                let mut v = vec![*primary];
                if *read_local {
                    v.extend(standbys.iter().copied());
                }
                v
            }
            Design::ActiveActive { regions } => regions.clone(),
        }
    }
    /// Every region the design uses (primary and standbys, or the active regions).
    pub fn regions(&self) -> Vec<RegionId> {
        match self {
            Design::ActivePassive {
                primary, standbys, ..
            } => {
                let mut v = vec![*primary];
                v.extend(standbys.iter().copied());
                v
            }
            Design::ActiveActive { regions } => regions.clone(),
        }
    }
    /// A short name for tables.
    pub fn kind(&self) -> &'static str {
        match self {
            Design::ActivePassive { .. } => "active-passive",
            Design::ActiveActive { .. } => "active-active",
        }
    }
}

/// DNS routing policy (SPEC §1 DNS), with region names resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum DnsPolicyKind {
    /// Lowest RTT among healthy serving regions.
    Latency,
    /// Per jurisdiction a list of regions; `default` for the rest (and as fallback).
    Geo {
        rules: Vec<(String, Vec<RegionId>)>,
        default: Vec<RegionId>,
    },
    /// Weighted random; each step's weights apply from its time on (first step at 0).
    Weighted {
        steps: Vec<(SimTime, Vec<(RegionId, f64)>)>,
    },
    /// Primary while healthy, else secondary.
    Failover {
        primary: RegionId,
        secondary: RegionId,
    },
}

/// Resolvers that keep answers past the TTL.
#[derive(Debug, Clone)]
pub struct TtlViolators {
    pub fraction: f64,
    pub hold: Dist,
    /// `hold`'s length-biased form, for warming caches (`None`: no finite mean).
    pub hold_in_progress: Option<crate::distribution::LengthBiased>,
}

/// DNS configuration.
#[derive(Debug, Clone)]
pub struct DnsConfig {
    pub policy: DnsPolicyKind,
    pub ttl: SimTime,
    /// How long a resolver caches an answer of "no region" (RFC 2308).
    pub negative_ttl: SimTime,
    pub lookup: Dist,
    pub fail_open: bool,
    pub violators: Option<TtlViolators>,
}

/// A place messages travel between: a region or a population's users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Region(RegionId),
    Population(PopulationId),
}

/// What a scripted fault does while it lasts.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    RegionOutage {
        region: RegionId,
    },
    Partition {
        a: Place,
        b: Place,
        one_way: bool,
    },
    LatencySpike {
        a: Place,
        b: Option<Place>,
        extra: SimTime,
    },
    CapacityLoss {
        region: RegionId,
        fraction: f64,
    },
    /// The region answers `fraction` of the requests it serves with an error; its health
    /// probes fail as often only when `probes_fail` (a gray failure otherwise).
    ErrorRate {
        region: RegionId,
        fraction: f64,
        probes_fail: bool,
    },
    /// Each service at the region takes `factor` (≥ 1) times as long; its deep health probes
    /// wait behind its queue and are served as slowly only when `probes_slow`.
    Slowdown {
        region: RegionId,
        factor: f64,
        probes_slow: bool,
    },
    /// Extra replication lag on the links from and to `a` (or `a` → `b` only).
    LagSpike {
        a: RegionId,
        b: Option<RegionId>,
        extra: SimTime,
    },
    /// The region's clock moves by `by` ns (signed) and stays moved.
    ClockJump {
        region: RegionId,
        by: i64,
    },
}

/// A scripted fault over `[start, end)`.
#[derive(Debug, Clone)]
pub struct Fault {
    /// A readable name, e.g. `RegionOutage(eastus)`.
    pub label: String,
    pub kind: FaultKind,
    pub start: SimTime,
    pub end: SimTime,
}

/// Health checks (SPEC §1 DNS).
#[derive(Debug, Clone)]
pub struct HealthConfig {
    pub interval: SimTime,
    pub failure_threshold: u32,
    pub recovery_threshold: u32,
    pub timeout: SimTime,
    pub checkers: Vec<Place>,
    pub healthy_above: f64,
}

/// Random region outages.
#[derive(Debug, Clone)]
pub struct RandomOutages {
    pub regions: Vec<RegionId>,
    pub mtbf_h: f64,
    pub mttr_h: f64,
    pub shape: f64,
}

/// When a write is acknowledged (SPEC §2 step 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicationMode {
    Async,
    SemiSync(u32),
    Sync,
    /// Leaderless: `n` replicas per key, reads wait for `r` answers, writes for `w` acks
    /// (`1 ≤ r, w ≤ n ≤` design regions; see `data::quorum`).
    Quorum {
        n: u8,
        r: u8,
        w: u8,
    },
}

/// Extra delay of each phase of a quorum operation (the WARS model of probabilistically
/// bounded staleness: Write request, Ack, Read request, read reSponse), added to the link's
/// one-way delay.
#[derive(Debug, Clone)]
pub struct WarsLatency {
    pub write: Dist,
    pub ack: Dist,
    pub read: Dist,
    pub response: Dist,
}

impl Default for WarsLatency {
    fn default() -> Self {
        WarsLatency {
            write: Dist::Constant(0),
            ack: Dist::Constant(0),
            read: Dist::Constant(0),
            response: Dist::Constant(0),
        }
    }
}

/// Where a replicated write spends its lag, which decides what a failover loses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LagAt {
    /// SPEC §2: the write leaves its origin when it commits and the replica applies it the
    /// lag after it arrives. A write that has left survives its origin's death; a promoted
    /// replica first applies every write that reached it.
    #[default]
    Target,
    /// Log shipping: the write waits the lag in its origin's log before it leaves and is
    /// applied on arrival. A write still waiting when its origin dies is lost at failover.
    Sender,
}

/// When a replica acknowledges a write its origin waits for (`SemiSync`, `Sync`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplicaAck {
    /// When the write reaches the replica (its relay log, which a promotion applies): one
    /// round trip, whatever the lag at the target. A write held by a fault on its way is
    /// acknowledged when it is applied after the heal.
    #[default]
    Received,
    /// When the replica has applied it: with the lag at the target, a round trip plus the lag.
    Applied,
}

/// Who sends a write to whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplicationShape {
    Star,
    Mesh,
    /// Region ids in cascade order.
    Chain(Vec<RegionId>),
}

/// How concurrent writes are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictStrategy {
    Lww,
    Merge,
    Crdt,
    AppLevel,
}

/// What a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyClass {
    Register,
    Counter,
    Set,
    Booking,
}

/// What a read guarantees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consistency {
    Eventual,
    SessionWait,
    SessionRoute,
    /// Reads may miss only writes acknowledged less than this long ago.
    BoundedStaleness(SimTime),
}

/// The data layer's configuration.
#[derive(Debug, Clone)]
pub struct DataConfig {
    pub mode: ReplicationMode,
    /// Per-phase extra delays of `Quorum` operations (zero otherwise).
    pub wars: WarsLatency,
    /// Time to send one replication message on a link (its size / the link's bandwidth);
    /// 0: unlimited bandwidth.
    pub transmit: SimTime,
    pub lag: Dist,
    /// Where the lag is spent (SPEC §2: at the target).
    pub lag_at: LagAt,
    /// When replicas acknowledge writes their origin waits for.
    pub ack: ReplicaAck,
    /// `SemiSync` only: how long a write waits for its acknowledgements before its origin
    /// falls back to asynchronous replication (until a replica acknowledges again).
    pub semi_sync_fallback: Option<SimTime>,
    pub shape: ReplicationShape,
    pub conflict: ConflictStrategy,
    pub class: KeyClass,
    pub clock_skew: Dist,
    pub clock_drift_ppm: f64,
    pub consistency: Consistency,
    /// Keys in the shared key space (the largest population key count).
    pub keys: u32,
}

/// One fully resolved simulation input: a topology, users, design and run settings.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub topology_name: String,
    pub duration: SimTime,
    pub warmup: SimTime,
    pub window: SimTime,
    pub slo: f64,
    pub regions: Vec<Region>,
    pub populations: Vec<Population>,
    pub network: Network,
    pub design: Design,
    pub dns: DnsConfig,
    pub health: Option<HealthConfig>,
    pub faults: Vec<Fault>,
    pub random_outages: Option<RandomOutages>,
    pub data: DataConfig,
    /// Prices, sizes and the value of downtime; `None`: no cost section (SPEC §3 Cost).
    pub cost: Option<crate::cost::CostConfig>,
    /// Which regions may hold and serve each jurisdiction's records (SPEC §3 Residency).
    pub residency: Option<crate::residency::Residency>,
}

impl Scenario {
    /// A place's name.
    pub fn place_name(&self, p: Place) -> &str {
        match p {
            Place::Region(r) => &self.regions[r as usize].name,
            Place::Population(q) => &self.populations[q as usize].name,
        }
    }
    /// RTT from a place to a region (a population's outbound RTT, or the region matrix).
    pub fn rtt_to_region(&self, from: Place, r: RegionId) -> SimTime {
        match from {
            Place::Region(a) => self.network.region_rtt(a, r),
            Place::Population(p) => self.network.pop_rtt_out(p, r),
        }
    }

    /// The id of a region by name.
    pub fn region_id(&self, name: &str) -> Option<RegionId> {
        self.regions
            .iter()
            .position(|r| r.name == name)
            .map(|i| i as RegionId)
    }
}

/// A validated experiment: one scenario per case, a case being a variant (the base alone when
/// there are none) at one point of the sweep (SPEC §4).
#[derive(Debug, Clone)]
pub struct Experiment {
    pub name: String,
    pub question: String,
    pub seed: u64,
    /// Every case, named: the variant's name, then ` @ ` and the point's label under a sweep
    /// (or the point's label alone when there are no variants).
    pub variants: Vec<(String, Scenario)>,
    /// What each case is, parallel to `variants`.
    pub cases: Vec<CaseInfo>,
    /// The swept paths, in the sweep's order (empty without a sweep).
    pub sweep: Vec<String>,
    /// Replications per case (at least 1).
    pub seeds: u32,
    pub target_ci: Option<TargetCi>,
    /// (path, sha256 hex) of every input file read.
    pub inputs: Vec<(String, String)>,
}

/// One case: which variant, which sweep point, and a digest of everything it depends on (the
/// scenario after overrides, the topology and data files, the tool version), so a resumed
/// run reuses a finished case only when none of them changed.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseInfo {
    pub variant: String,
    /// The variant's overrides: path and value as written (compact, like a sweep's labels).
    pub overrides: Vec<(String, String)>,
    pub point: Vec<PointValue>,
    pub digest: String,
}

/// A swept path's value at one point.
#[derive(Debug, Clone, PartialEq)]
pub struct PointValue {
    pub path: String,
    /// The value as written (RON), spaces removed.
    pub label: String,
    /// The value when it is a number (the x of sweep charts).
    pub x: Option<f64>,
}

/// Sequential stopping target (see `RawTargetCi`).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetCi {
    pub metric: String,
    pub half_width: f64,
    pub max_seeds: u32,
}
