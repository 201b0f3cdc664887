//! The validated price list and message sizes of a run (SPEC §1 Region prices, Link egress price; FACTS.md §2).

/// Prices of one region (SPEC §1 Region), USD.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionPrices {
    pub server_hour: f64,
    pub storage_gb_month: f64,
    /// Data transfer out to the internet (responses to users).
    pub internet_egress_gb: f64,
}

/// A price list resolved against a topology.
#[derive(Debug, Clone, PartialEq)]
pub struct Prices {
    pub name: String,
    pub currency: String,
    /// Per region id.
    pub regions: Vec<RegionPrices>,
    /// `[from * n + to]`: USD per GB leaving `from` for `to` (the source pays, FACTS.md §2.2).
    pub link_gb: Vec<f64>,
    /// USD per million DNS queries under the scenario's routing policy.
    pub dns_per_million: f64,
    /// USD per health check per month, optional features (fast interval) included.
    pub health_check_month: f64,
}

/// Bytes of each message the cost counts (deterministic: no random draw).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub read_request: u64,
    pub write_request: u64,
    pub read_response: u64,
    pub write_response: u64,
    /// A replication message: the record (compressed) plus its envelope.
    pub replication: u64,
    pub ack: u64,
}

/// Everything the cost report needs besides the run's counters.
#[derive(Debug, Clone, PartialEq)]
pub struct CostConfig {
    pub prices: Prices,
    pub sizes: Sizes,
    /// Per region id: GB stored there (dataset × its share of records the region holds).
    pub stored_gb: Vec<f64>,
    /// Health checks billed: one per region of the design when the experiment has health
    /// checks (Route 53 bills a check per endpoint, whatever the number of checker locations).
    pub health_checks: u32,
    /// Real requests each simulated request stands for (sampled traffic).
    pub requests_represented: f64,
    /// USD lost per failed request.
    pub downtime_per_request: f64,
    /// USD lost per minute of (equivalent) total outage.
    pub downtime_per_minute: f64,
}
