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
    pub populations: IndexMap<String, RawPopulation>,
    #[serde(default)]
    pub variants: Vec<RawVariant>,
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
    /// Round trip from a resolver to the authoritative servers, paid on a cache miss.
    #[serde(default = "default_lookup")]
    pub lookup: DistSpec,
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
            lookup: default_lookup(),
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
    },
    /// Every listed region serves reads and writes locally.
    ActiveActive { regions: Vec<String> },
}

/// Client policy (SPEC §1 Population, §2 step 7).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Client", deny_unknown_fields)]
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
    #[serde(default)]
    pub overrides: IndexMap<String, Box<ron::value::RawValue>>,
}
