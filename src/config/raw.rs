//! `Raw*` serde types that mirror the RON files one to one (`deny_unknown_fields`), before validation.
//!
//! Every field is serialised back too: overrides (variants, sweeps) are applied to a tree made
//! from these types, so every field must exist in that tree, even when it holds its default.

use crate::distribution::DistSpec;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// A topology file: regions and the network between them (SPEC §1 Region, Link).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Topology", deny_unknown_fields)]
pub struct RawTopology {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Where the numbers come from.
    #[serde(default)]
    pub source: String,
    /// Server pool used by every region that does not set its own.
    pub defaults: RawPool,
    #[serde(deserialize_with = "super::unique::map")]
    pub regions: IndexMap<String, RawRegion>,
    pub network: RawNetwork,
}

/// A region's server pool (SPEC §1 Region).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Pool", deny_unknown_fields)]
pub struct RawPool {
    /// Number of servers `c`.
    pub servers: u32,
    pub read_service: DistSpec,
    pub write_service: DistSpec,
    /// Requests that may wait when every server is busy; more are shed (`overload`).
    pub queue_limit: u32,
}

/// One region. Pool fields left out come from the topology's `defaults`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Region", deny_unknown_fields)]
pub struct RawRegion {
    pub lat: f64,
    pub lon: f64,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub continent: String,
    /// Jurisdiction tag, e.g. "EU".
    #[serde(default)]
    pub jurisdiction: String,
    #[serde(default)]
    pub servers: Option<u32>,
    #[serde(default)]
    pub read_service: Option<DistSpec>,
    #[serde(default)]
    pub write_service: Option<DistSpec>,
    #[serde(default)]
    pub queue_limit: Option<u32>,
}

/// The network: where region-to-region RTTs come from and how user RTTs are estimated.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Network", deny_unknown_fields)]
pub struct RawNetwork {
    pub rtt: RawRttSource,
    /// Great-circle estimate for pairs the source does not give, and for users' access paths.
    #[serde(default)]
    pub estimate: RawEstimate,
    /// RTT inside one region (the Azure matrix leaves its diagonal empty).
    #[serde(default = "default_intra_rtt")]
    pub intra_region_rtt_ms: f64,
    /// Extra one-way delay drawn per message, on top of RTT/2.
    #[serde(default = "default_jitter")]
    pub jitter: DistSpec,
}

fn default_intra_rtt() -> f64 {
    1.0
}
fn default_jitter() -> DistSpec {
    DistSpec::Constant { ms: 0.0 }
}

/// Source of region-to-region RTTs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "RttSource", deny_unknown_fields)]
pub enum RawRttSource {
    /// A directed matrix in a CSV file: header `source\destination,r1,r2,…`, one row per source,
    /// RTT in ms, empty cells for unknown pairs. Path relative to the topology file.
    CsvMatrix { path: String },
    /// A directed matrix written inline: `rows: {"a": {"b": 12.0}}`.
    Matrix {
        #[serde(deserialize_with = "super::unique::nested")]
        rows: IndexMap<String, IndexMap<String, f64>>,
    },
    /// Every pair estimated from great-circle distance.
    GreatCircle,
}

/// `rtt = 2 * d / (200 000 km/s) * inflation + base` (SPEC §1 Link).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Estimate", deny_unknown_fields)]
pub struct RawEstimate {
    pub inflation: f64,
    pub base_ms: f64,
}

impl Default for RawEstimate {
    /// FACTS.md §1.6: the median measured/ideal ratio is 1.75–1.84; 1.8 is the suggested fallback.
    fn default() -> Self {
        RawEstimate {
            inflation: 1.8,
            base_ms: 0.0,
        }
    }
}

/// An experiment file: a topology, users, a design and the variants to compare (SPEC §4).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Experiment", deny_unknown_fields)]
pub struct RawExperiment {
    pub name: String,
    /// The question the experiment answers, shown in reports.
    #[serde(default)]
    pub question: String,
    /// Path of the topology file, relative to this file. In the override tree this key holds the
    /// topology itself, so `topology.regions.eastus.servers` is a valid override path.
    pub topology: String,
    #[serde(default = "default_seed")]
    pub seed: u64,
    pub duration_s: f64,
    #[serde(default)]
    pub warmup_s: f64,
    #[serde(default = "default_window")]
    pub window_s: f64,
    /// Availability objective for time-based availability (SPEC §3).
    #[serde(default = "default_slo")]
    pub slo: f64,
    #[serde(default)]
    pub dns: RawDns,
    pub design: RawDesign,
    /// Client behaviour for populations that do not set their own.
    #[serde(default)]
    pub client: RawClient,
    #[serde(deserialize_with = "super::unique::map")]
    pub populations: IndexMap<String, RawPopulation>,
    /// Health checks that tell DNS (and failover) which regions are up (SPEC §1 DNS).
    #[serde(default)]
    pub health: Option<RawHealth>,
    /// Scripted faults (SPEC §1 Faults).
    #[serde(default)]
    pub faults: Vec<RawFault>,
    /// The data layer: replication, conflict strategy, key class, clocks (SPEC §1 Design, Clock).
    #[serde(default)]
    pub data: RawData,
    /// Random region outages from MTBF/MTTR distributions, for long-horizon availability.
    #[serde(default)]
    pub random_outages: Option<RawRandomOutages>,
    /// Prices, message sizes and the value of downtime: adds a cost section (SPEC §3 Cost).
    #[serde(default)]
    pub cost: Option<RawCost>,
    /// Which regions may store and serve each jurisdiction's records (SPEC §3 Residency).
    #[serde(default)]
    pub residency: Option<RawResidency>,
    #[serde(default)]
    pub variants: Vec<RawVariant>,
    /// Parameter values applied to every variant: each point is a case of its own (SPEC §4).
    #[serde(default)]
    pub sweep: Option<RawSweep>,
    /// Replications: every case runs under this many seeds, derived from `seed` (SPEC §4).
    #[serde(default = "default_seeds")]
    pub seeds: u32,
    /// Add seeds to each case until a metric's 95% confidence half-width is under a target.
    #[serde(default)]
    pub target_ci: Option<RawTargetCi>,
}

fn default_seeds() -> u32 {
    1
}

/// A sweep: dotted override paths, each with the values it takes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Sweep")]
pub enum RawSweep {
    /// Every combination of the values; the first path varies slowest.
    Grid(
        #[serde(deserialize_with = "super::unique::map")]
        IndexMap<String, Vec<Box<ron::value::RawValue>>>,
    ),
    /// The i-th value of every path together; every list has the same length.
    Zip(
        #[serde(deserialize_with = "super::unique::map")]
        IndexMap<String, Vec<Box<ron::value::RawValue>>>,
    ),
}

/// Sequential stopping: seeds are added until `metric`'s 95% CI half-width is at most
/// `half_width` in every case, or `max_seeds` is reached.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "TargetCi", deny_unknown_fields)]
pub struct RawTargetCi {
    /// A headline metric name as in stats.csv, e.g. "p99_ms" or "availability".
    pub metric: String,
    pub half_width: f64,
    #[serde(default = "default_max_seeds")]
    pub max_seeds: u32,
}

fn default_max_seeds() -> u32 {
    64
}

/// The cost block of an experiment (SPEC §3 Cost).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Cost", deny_unknown_fields)]
pub struct RawCost {
    /// Path of a price file (`Prices(…)`), relative to the experiment file.
    pub prices: String,
    #[serde(default)]
    pub sizes: RawSizes,
    /// Data set size (one copy), GB; default: keys × record size.
    #[serde(default)]
    pub dataset_gb: Option<f64>,
    /// Real requests each simulated request stands for (when traffic is a sample).
    #[serde(default = "default_one")]
    pub requests_represented: f64,
    #[serde(default)]
    pub downtime: RawDowntime,
}

/// What unavailability costs the business (SPEC §3 Downtime cost).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename = "Downtime", deny_unknown_fields)]
pub struct RawDowntime {
    /// USD lost per failed request.
    #[serde(default)]
    pub per_failed_request_usd: f64,
    /// USD lost per minute of total outage (partial outages count by their failed share).
    #[serde(default)]
    pub per_minute_usd: f64,
}

/// Bytes of each message (SPEC §3 Cost: bytes of every request, response, forwarded write and
/// replication message).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Sizes", deny_unknown_fields)]
pub struct RawSizes {
    /// Size of one record per key class: `{"Register": 1024, "Counter": 16}`; classes left out
    /// use the defaults (Register 1 024, Counter 16, Set 512, Booking 2 048).
    #[serde(default, deserialize_with = "super::unique::map")]
    pub record_bytes: IndexMap<String, u64>,
    /// Request envelope (headers, TLS framing); a write request also carries its record.
    #[serde(default = "default_request_bytes")]
    pub request_bytes: u64,
    /// Response envelope; a read response also carries the record.
    #[serde(default = "default_response_bytes")]
    pub response_bytes: u64,
    /// Envelope of a replication message (key, version, origin, timestamp).
    #[serde(default = "default_replication_overhead")]
    pub replication_overhead_bytes: u64,
    /// A replica's acknowledgement.
    #[serde(default = "default_ack_bytes")]
    pub ack_bytes: u64,
    /// Compressed / raw size of records in replication messages, in (0, 1].
    #[serde(default = "default_one")]
    pub replication_compression: f64,
}

fn default_request_bytes() -> u64 {
    600
}
fn default_response_bytes() -> u64 {
    400
}
fn default_replication_overhead() -> u64 {
    100
}
fn default_ack_bytes() -> u64 {
    64
}

impl Default for RawSizes {
    fn default() -> Self {
        RawSizes {
            record_bytes: IndexMap::new(),
            request_bytes: default_request_bytes(),
            response_bytes: default_response_bytes(),
            replication_overhead_bytes: default_replication_overhead(),
            ack_bytes: default_ack_bytes(),
            replication_compression: 1.0,
        }
    }
}

/// A residency policy: `(enforce: true, allow: {"EU": ["westeurope", "northeurope"]})`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Residency", deny_unknown_fields)]
pub struct RawResidency {
    /// Route, forward and replicate only to allowed regions; otherwise only count violations.
    #[serde(default)]
    pub enforce: bool,
    /// Per jurisdiction (as populations name it), the regions its records may live in.
    #[serde(deserialize_with = "super::unique::map")]
    pub allow: IndexMap<String, Vec<String>>,
}

/// A price file (`topologies/prices/*.ron`): what a provider charges (SPEC §1 Region prices,
/// Link egress price; FACTS.md §2).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Prices", deny_unknown_fields)]
pub struct RawPrices {
    pub name: String,
    /// Where every figure comes from.
    #[serde(default)]
    pub source: String,
    #[serde(default = "default_currency")]
    pub currency: String,
    /// Prices of every region the file does not list under `regions`.
    pub defaults: RawRegionPrices,
    /// Per-region prices; fields left out come from `defaults`.
    #[serde(default, deserialize_with = "super::unique::map")]
    pub regions: IndexMap<String, RawRegionPartial>,
    /// Inter-region egress by the provider's rule: same continent or not.
    pub egress: RawEgressRule,
    /// Directed exceptions: `{"eastus": {"westus2": 0.02}}` (USD/GB from the row's region).
    #[serde(default, deserialize_with = "super::unique::nested")]
    pub links: IndexMap<String, IndexMap<String, f64>>,
    /// USD per million DNS queries, per routing policy.
    pub dns_per_million: RawDnsPrices,
    /// USD per health check (one per endpoint) per month.
    pub health_check_month: f64,
    /// Extra USD per health check per month when checks run every 10 s or faster.
    #[serde(default)]
    pub fast_health_check_month: f64,
}

fn default_currency() -> String {
    "USD".into()
}

/// Prices of a region, every one given.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "RegionPrices", deny_unknown_fields)]
pub struct RawRegionPrices {
    pub server_hour: f64,
    pub storage_gb_month: f64,
    pub internet_egress_gb: f64,
}

/// Prices of a region that differ from the defaults.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "RegionPrices", deny_unknown_fields)]
pub struct RawRegionPartial {
    #[serde(default)]
    pub server_hour: Option<f64>,
    #[serde(default)]
    pub storage_gb_month: Option<f64>,
    #[serde(default)]
    pub internet_egress_gb: Option<f64>,
    /// Egress to any other region from this one (AWS prices inter-region transfer by the
    /// source region); replaces the continent rule, not a `links` entry.
    #[serde(default)]
    pub inter_region_egress_gb: Option<f64>,
}

/// Inter-region egress by continent (regions carry a `continent`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "EgressRule", deny_unknown_fields)]
pub struct RawEgressRule {
    pub same_continent_gb: f64,
    pub inter_continent_gb: f64,
}

/// DNS query prices by routing policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "DnsPrices", deny_unknown_fields)]
pub struct RawDnsPrices {
    pub latency: f64,
    pub geo: f64,
    pub weighted: f64,
    pub failover: f64,
}

/// Health checks: checkers poll every serving region (SPEC §1 DNS; FACTS.md §3.1).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Health", deny_unknown_fields)]
pub struct RawHealth {
    /// Seconds between two probes of one checker (Route 53: 30, or 10 with fast checks).
    #[serde(default = "default_interval")]
    pub interval_s: f64,
    /// Consecutive failed probes before a checker calls a region unhealthy (Route 53 default 3).
    #[serde(default = "default_threshold")]
    pub failure_threshold: u32,
    /// Consecutive good probes before a checker calls it healthy again.
    #[serde(default = "default_threshold")]
    pub recovery_threshold: u32,
    /// How long a probe waits for an answer.
    #[serde(default = "default_probe_timeout")]
    pub timeout_ms: f64,
    /// Where the checkers run: region or population names. Empty: one in every region.
    #[serde(default)]
    pub checkers: Vec<String>,
    /// A region is healthy while more than this share of checkers find it healthy (Route 53: 0.18).
    #[serde(default = "default_healthy_above")]
    pub healthy_above: f64,
}

fn default_interval() -> f64 {
    30.0
}
fn default_threshold() -> u32 {
    3
}
fn default_probe_timeout() -> f64 {
    4_000.0
}
fn default_healthy_above() -> f64 {
    0.18
}

/// A scripted fault. `a`/`b`/`region` name regions; partitions and latency spikes may also name
/// populations. Times in seconds from the start of the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Fault", deny_unknown_fields)]
pub enum RawFault {
    /// The region is down: nothing reaches it, work inside it is lost.
    RegionOutage {
        region: String,
        at_s: f64,
        for_s: f64,
    },
    /// Messages between `a` and `b` are dropped (only `a` → `b` when `one_way`).
    Partition {
        a: String,
        b: String,
        at_s: f64,
        for_s: f64,
        #[serde(default)]
        one_way: bool,
    },
    /// Every message between `a` and `b` (or to and from `a` when `b` is absent) takes `extra_ms` longer.
    LatencySpike {
        a: String,
        #[serde(default)]
        b: Option<String>,
        at_s: f64,
        for_s: f64,
        extra_ms: f64,
    },
    /// The region loses `fraction` of its servers.
    CapacityLoss {
        region: String,
        fraction: f64,
        at_s: f64,
        for_s: f64,
    },
    /// A gray failure: the region stays up and serves every request, but answers `fraction`
    /// of them with an error (a bad deploy, a failing dependency). Health checks see it only
    /// when `probes_fail` (a deep check that exercises the same path fails as often); a
    /// shallow check (the default) keeps passing, so DNS keeps sending users there.
    ErrorRate {
        region: String,
        fraction: f64,
        at_s: f64,
        for_s: f64,
        #[serde(default)]
        probes_fail: bool,
    },
    /// A gray failure of speed: the region stays up and serves every request, but each
    /// service takes `factor` times as long (a degraded disk, a noisy neighbour, a dependency
    /// that has slowed down), so its latency rises and its capacity falls by that factor.
    /// Health checks see it only when `probes_slow` (a deep check, answered through the same
    /// servers and queue); a shallow check (the default) keeps passing.
    Slowdown {
        region: String,
        factor: f64,
        at_s: f64,
        for_s: f64,
        #[serde(default)]
        probes_slow: bool,
    },
    /// Replication from and to region `a` (or only on the link `a` → `b`) lags `extra_ms`
    /// more: spent where the lag is (`lag_at`: at the target, or before it ships).
    LagSpike {
        a: String,
        #[serde(default)]
        b: Option<String>,
        at_s: f64,
        for_s: f64,
        extra_ms: f64,
    },
    /// The region's clock jumps by `by_ms` (negative: backwards) at `at_s` and stays there.
    ClockJump {
        region: String,
        at_s: f64,
        by_ms: f64,
    },
}

/// The data layer: how writes replicate and how concurrent writes are resolved.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Data", deny_unknown_fields)]
pub struct RawData {
    #[serde(default)]
    pub replication: RawReplication,
    /// How concurrent writes to one key in different regions are resolved (active-active).
    #[serde(default)]
    pub conflict: RawConflict,
    /// What the keys hold: `Register` (a value), `Counter` (increments), `Set` (a cart: adds),
    /// `Booking` (a value only the application may resolve).
    #[serde(default)]
    pub class: RawKeyClass,
    /// Each region's clock offset from true time: a magnitude drawn once per run per region,
    /// with a random sign (SPEC §1 Clock).
    #[serde(default = "default_zero_dist")]
    pub clock_skew: DistSpec,
    /// Clock drift, parts per million (each region's sign drawn with its offset).
    #[serde(default)]
    pub clock_drift_ppm: f64,
    /// What a read guarantees: eventual (SPEC §3 measures its stale reads), or session and
    /// bounded-staleness guarantees, which SPEC does not define (an extension).
    #[serde(default)]
    pub consistency: RawConsistency,
}

/// Read consistency.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[serde(rename = "Consistency", deny_unknown_fields)]
pub enum RawConsistency {
    /// Reads return whatever the serving replica holds.
    #[default]
    Eventual,
    /// Session: a read waits until the serving replica has the user's last write.
    SessionWait,
    /// Session: a read goes to the region that took the user's last write when the serving
    /// replica does not have it yet.
    SessionRoute,
    /// A read may miss only writes acknowledged less than `max_ms` ago; otherwise it waits.
    BoundedStaleness { max_ms: f64 },
}

impl Default for RawData {
    fn default() -> Self {
        RawData {
            replication: RawReplication::default(),
            conflict: RawConflict::default(),
            class: RawKeyClass::default(),
            clock_skew: default_zero_dist(),
            clock_drift_ppm: 0.0,
            consistency: RawConsistency::default(),
        }
    }
}

fn default_zero_dist() -> DistSpec {
    DistSpec::Constant { ms: 0.0 }
}

/// Replication (SPEC §1 Design, §2 step 5).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Replication", deny_unknown_fields)]
pub struct RawReplication {
    #[serde(default)]
    pub mode: RawReplicationMode,
    /// Replication lag: with `lag_at: Target` (the default, SPEC §2) the replica applies a
    /// write this long after it arrives; with `lag_at: Sender` the write waits this long
    /// before it leaves its region (log shipping, batching) and is applied on arrival.
    #[serde(default = "default_zero_dist")]
    pub lag: DistSpec,
    /// Where the lag is spent, which decides what a failover loses: `Target` (default) or
    /// `Sender`.
    #[serde(default)]
    pub lag_at: RawLagAt,
    /// When a replica acknowledges a `SemiSync`/`Sync` write: `Received` (default: on arrival,
    /// in its relay log) or `Applied` (after its lag at the target).
    #[serde(default)]
    pub ack: Option<RawReplicaAck>,
    /// `SemiSync` only: a write whose acknowledgements have not come this long after its
    /// commit is acknowledged anyway, and its origin replicates asynchronously until as many
    /// replicas as a write waits for hold a write committed since (MySQL's
    /// `rpl_semi_sync_source_timeout`, 10 000 ms by default there). Default: none, the write
    /// waits for as long as its client does.
    #[serde(default)]
    pub fallback_after_ms: Option<f64>,
    /// Who sends to whom; default: Star from the primary (active-passive), Mesh (active-active).
    #[serde(default)]
    pub shape: Option<RawReplicationShape>,
    /// Optional bandwidth of every replication link: a message takes `message_bytes` /
    /// `bytes_per_s` to send, one after another, so replication queues under load.
    #[serde(default)]
    pub bandwidth: Option<RawBandwidth>,
}

/// Where a write spends its replication lag (SPEC §2 applies it at the target).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "LagAt", deny_unknown_fields)]
pub enum RawLagAt {
    /// The write leaves at once and waits at the replica before it is applied: a write that
    /// has left survives its origin's death.
    #[default]
    Target,
    /// The write waits in its origin's log before it ships (Aurora's `rpo_lag_in_msec`): a
    /// write not yet shipped is lost when its origin dies.
    Sender,
}

/// When a replica acknowledges a write its origin waits for (`SemiSync`, `Sync`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "ReplicaAck", deny_unknown_fields)]
pub enum RawReplicaAck {
    /// When the write reaches it (MySQL semi-sync, PostgreSQL `synchronous_commit = on`).
    #[default]
    Received,
    /// When it has applied the write (PostgreSQL `remote_apply`).
    Applied,
}

/// Bandwidth of a replication link.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Bandwidth", deny_unknown_fields)]
pub struct RawBandwidth {
    pub bytes_per_s: f64,
    /// Size of one replicated write on the wire.
    pub message_bytes: f64,
}

impl Default for RawReplication {
    fn default() -> Self {
        RawReplication {
            mode: RawReplicationMode::default(),
            lag: default_zero_dist(),
            lag_at: RawLagAt::default(),
            ack: None,
            fallback_after_ms: None,
            shape: None,
            bandwidth: None,
        }
    }
}

/// When a write is acknowledged to the client.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename = "ReplicationMode", deny_unknown_fields)]
pub enum RawReplicationMode {
    /// After the local commit.
    #[default]
    Async,
    /// After `k` replicas have applied it.
    SemiSync(u32),
    /// After every replica has applied it.
    Sync,
    /// Leaderless (Dynamo/Cassandra style, `ActiveActive` only): each key lives on `n`
    /// replicas; the region that receives a request coordinates it, a write returns after `w`
    /// replica acks, a read asks all `n` and returns the newest of the first `r` answers. The
    /// four WARS phases (write request, ack, read request, read response) each add a draw of
    /// their distribution to the simulated one-way delay (default: nothing extra).
    Quorum {
        n: u32,
        r: u32,
        w: u32,
        #[serde(default = "default_zero_dist")]
        write_ms: DistSpec,
        #[serde(default = "default_zero_dist")]
        ack_ms: DistSpec,
        #[serde(default = "default_zero_dist")]
        read_ms: DistSpec,
        #[serde(default = "default_zero_dist")]
        response_ms: DistSpec,
    },
}

/// Replication topology.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "ReplicationShape", deny_unknown_fields)]
pub enum RawReplicationShape {
    /// The writing region sends to every other region of the design.
    Star,
    /// Every region sends its writes to every other (active-active).
    Mesh,
    /// A cascade: each region forwards to the next one in `order` (away from the origin).
    Chain { order: Vec<String> },
}

/// Conflict strategy (SPEC §3 Conflict).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[serde(rename = "ConflictStrategy", deny_unknown_fields)]
pub enum RawConflict {
    /// Last writer wins by each region's (skewed) clock.
    #[default]
    Lww,
    /// Counters add, sets union; registers fall back to LWW.
    Merge,
    /// CRDTs: PN-counter, OR-set, LWW register on hybrid logical clocks.
    Crdt,
    /// Both versions kept; the application resolves them later (counted as pending).
    AppLevel,
}

/// What a key holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "KeyClass", deny_unknown_fields)]
pub enum RawKeyClass {
    #[default]
    Register,
    Counter,
    Set,
    Booking,
}

/// Random outages of regions: alternating up times (MTBF) and repair times (MTTR).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "RandomOutages", deny_unknown_fields)]
pub struct RawRandomOutages {
    /// Regions that fail; empty means every serving region.
    #[serde(default)]
    pub regions: Vec<String>,
    pub mtbf_h: f64,
    pub mttr_h: f64,
    /// Weibull shape of both distributions (1 = exponential).
    #[serde(default = "default_shape")]
    pub shape: f64,
}

fn default_shape() -> f64 {
    1.0
}

fn default_seed() -> u64 {
    1
}
fn default_window() -> f64 {
    10.0
}
fn default_slo() -> f64 {
    0.999
}

/// DNS routing (SPEC §1 DNS, §2 step 2).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Dns", deny_unknown_fields)]
pub struct RawDns {
    #[serde(default)]
    pub policy: RawDnsPolicy,
    #[serde(default = "default_ttl")]
    pub ttl_s: f64,
    /// How long a resolver caches an answer of "no region" (RFC 2308 negative caching: the
    /// zone's SOA decides it); absent: the record TTL, `ttl_s`.
    #[serde(default)]
    pub negative_ttl_s: Option<f64>,
    /// Round trip from a resolver to the authoritative servers, paid on a cache miss.
    #[serde(default = "default_lookup")]
    pub lookup: DistSpec,
    /// When no permitted region is healthy, answer as if all were (Route 53 does); otherwise
    /// the lookup fails (`no_region`).
    #[serde(default = "default_true")]
    pub fail_open: bool,
    /// Resolvers that keep answers past the TTL (SPEC §1 DNS; FACTS.md §3.2).
    #[serde(default)]
    pub ttl_violators: Option<RawTtlViolators>,
}

fn default_true() -> bool {
    true
}

/// A share of resolvers holds each answer for an extra time drawn from `hold`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "TtlViolators", deny_unknown_fields)]
pub struct RawTtlViolators {
    pub fraction: f64,
    pub hold: DistSpec,
}

fn default_ttl() -> f64 {
    60.0
}
fn default_lookup() -> DistSpec {
    DistSpec::Constant { ms: 20.0 }
}

impl Default for RawDns {
    fn default() -> Self {
        RawDns {
            policy: RawDnsPolicy::default(),
            ttl_s: default_ttl(),
            negative_ttl_s: None,
            lookup: default_lookup(),
            fail_open: true,
            ttl_violators: None,
        }
    }
}

/// How the authoritative DNS picks a region for a resolver.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename = "DnsPolicy")]
pub enum RawDnsPolicy {
    /// The serving region with the lowest RTT from the resolver's users.
    #[default]
    Latency,
    /// By the users' jurisdiction: `rules: {"EU": ["westeurope"], "*": ["eastus"]}`; the nearest
    /// healthy region of the matching rule, then of the `"*"` rule.
    Geo {
        #[serde(deserialize_with = "super::unique::map")]
        rules: IndexMap<String, Vec<String>>,
    },
    /// Random by weight among healthy regions; `schedule` changes the weights at given times
    /// (a gradual traffic shift: 0.1% → 1% → 5% → 100%).
    Weighted {
        #[serde(deserialize_with = "super::unique::map")]
        weights: IndexMap<String, f64>,
        #[serde(default)]
        schedule: Vec<RawWeightStep>,
    },
    /// The primary while healthy, else the secondary (both unhealthy: the primary).
    Failover { primary: String, secondary: String },
}

/// New weights from `at_s` on.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "WeightStep", deny_unknown_fields)]
pub struct RawWeightStep {
    pub at_s: f64,
    #[serde(deserialize_with = "super::unique::map")]
    pub weights: IndexMap<String, f64>,
}

/// The design under test (SPEC §1 Design).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Design", deny_unknown_fields)]
pub enum RawDesign {
    /// One primary takes every write; standbys may serve reads (`read_local`) and forward writes.
    ActivePassive {
        primary: String,
        #[serde(default)]
        standbys: Vec<String>,
        #[serde(default)]
        read_local: bool,
        /// How a standby takes over when the primary fails.
        #[serde(default)]
        failover: RawFailover,
        /// Share of its servers a standby runs until it is scaled up after promotion (SPEC §1
        /// Region; SPEC §3 cost bills it at this share until then).
        #[serde(default = "default_one")]
        standby_capacity: f64,
        /// Time after promotion until a standby runs all its servers.
        #[serde(default)]
        scale_up_s: f64,
        /// What a failed-over primary does when it returns (default: it stays a standby).
        #[serde(default)]
        failback: Option<RawFailback>,
        /// Which ready standby a failover promotes (default: the first listed).
        #[serde(default)]
        promote: RawPromote,
    },
    /// Every listed region serves reads and writes locally.
    ActiveActive { regions: Vec<String> },
}

fn default_one() -> f64 {
    1.0
}

/// Which of the ready standbys (up and healthy) a failover promotes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Promote")]
pub enum RawPromote {
    /// The first in `standbys` order: a fixed runbook.
    #[default]
    FirstListed,
    /// The one that holds the most of the old primary's log, so the failover loses the fewest
    /// acknowledged writes (ties: the first listed), as orchestrators of MySQL and PostgreSQL
    /// replicas pick the most advanced replica.
    MostCaughtUp,
}

/// Active-passive failover (SPEC §1 Design).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename = "FailoverPolicy", deny_unknown_fields)]
pub enum RawFailover {
    /// No failover: the primary stays the primary.
    #[default]
    Off,
    /// When health checks mark the primary unhealthy, the first healthy standby is promoted
    /// after `promotion_s` (Aurora Global Database: "under a minute", FACTS.md §5.1).
    Automatic { promotion_s: f64 },
    /// An operator promotes the first healthy standby `delay_s` after the primary goes down.
    Manual { delay_s: f64 },
}

fn default_failback_max_lag_ms() -> f64 {
    1000.0
}

/// Failback to a primary that failed over and is ready again (issue #3 part 4).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Failback", deny_unknown_fields)]
pub enum RawFailback {
    /// A planned switchover once the old primary has been up, healthy and reachable from the
    /// current primary for `after_s` and would apply the writes already on their way to it
    /// within `max_lag_ms` (default 1 000 ms: Aurora's cross-region replication is "typically
    /// under a second", FACTS.md §5): the current primary drains (holds new writes, for about
    /// that long at most), the old primary applies the rest of its log, then it becomes the
    /// primary again and the held writes go to it. Nothing acknowledged is lost.
    Planned {
        after_s: f64,
        #[serde(default = "default_failback_max_lag_ms")]
        max_lag_ms: f64,
    },
}

/// Client policy (SPEC §1 Population, §2 step 7). Fields left out take the defaults below,
/// so `client: (timeout_ms: 500)` changes the timeout alone.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Client", default, deny_unknown_fields)]
pub struct RawClient {
    /// Per-attempt timeout, from sending to the response.
    pub timeout_ms: f64,
    /// How long a client waits before declaring a region that does not answer unreachable.
    pub connect_timeout_ms: f64,
    /// Further attempts after the first.
    pub retries: u32,
    /// Backoff before retry k (k = 1, 2, …): uniform in [0, base × 2^(k-1)], capped at `backoff_max_ms`.
    pub backoff_base_ms: f64,
    pub backoff_max_ms: f64,
    /// Overall deadline of a request, all attempts included.
    pub deadline_ms: f64,
    /// Whether a retry asks DNS again (bypassing a cached answer) after a failed attempt.
    pub re_resolve_on_failure: bool,
}

impl Default for RawClient {
    fn default() -> Self {
        RawClient {
            timeout_ms: 2_000.0,
            connect_timeout_ms: 1_000.0,
            retries: 2,
            backoff_base_ms: 50.0,
            backoff_max_ms: 1_000.0,
            deadline_ms: 10_000.0,
            re_resolve_on_failure: true,
        }
    }
}

/// Users at a location (SPEC §1 Population).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Population", deny_unknown_fields)]
pub struct RawPopulation {
    pub lat: f64,
    pub lon: f64,
    /// The region whose network these users enter through: their RTT to region R is the access
    /// RTT to the anchor plus the anchor's RTT to R. Without an anchor, RTTs are estimated from
    /// great-circle distance.
    #[serde(default)]
    pub anchor: Option<String>,
    /// RTT of the last mile (home or office to the provider's edge).
    #[serde(default = "default_last_mile")]
    pub last_mile_ms: f64,
    #[serde(default)]
    pub jurisdiction: String,
    /// Mean request rate (Poisson).
    pub rate_per_s: f64,
    /// 24 hourly multipliers in local time, normalised to mean 1, interpolated linearly.
    #[serde(default)]
    pub diurnal: Option<Vec<f64>>,
    /// Local time = UTC + this; simulated time 0 is 00:00 UTC.
    #[serde(default)]
    pub utc_offset_h: f64,
    /// Share of requests that are writes, in [0, 1].
    #[serde(default = "default_write_fraction")]
    pub write_fraction: f64,
    #[serde(default)]
    pub keys: RawKeys,
    /// Distinct users; each always asks the same resolver.
    #[serde(default = "default_users")]
    pub users: u32,
    /// Number of DNS resolvers the users sit behind.
    #[serde(default = "default_resolvers")]
    pub resolvers: u32,
    /// Overrides the experiment's `client`.
    #[serde(default)]
    pub client: Option<RawClient>,
}

fn default_last_mile() -> f64 {
    5.0
}
fn default_write_fraction() -> f64 {
    0.1
}
fn default_users() -> u32 {
    10_000
}
fn default_resolvers() -> u32 {
    100
}

/// Key space: `count` keys with Zipf popularity of exponent `zipf_s` (0 = uniform).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Keys", deny_unknown_fields)]
pub struct RawKeys {
    pub count: u32,
    pub zipf_s: f64,
}

impl Default for RawKeys {
    fn default() -> Self {
        RawKeys {
            count: 10_000,
            zipf_s: 0.99,
        }
    }
}

/// A named variant: overrides of any field by dotted path (SPEC §4).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Variant", deny_unknown_fields)]
pub struct RawVariant {
    pub name: String,
    /// `{"design.regions": ["eastus"], "dns.ttl_s": 30}`: values are RON.
    #[serde(default, deserialize_with = "super::unique::map")]
    pub overrides: IndexMap<String, Box<ron::value::RawValue>>,
}
