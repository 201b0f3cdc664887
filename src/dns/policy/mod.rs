//! Routing policies: how the authoritative DNS picks a region for a population's resolver.

pub mod latency;

use crate::model::{PopulationId, RegionId};

/// A DNS routing policy over the regions the health checks mark healthy.
pub trait RoutingPolicy: Send {
    /// The region to answer with, or `None` when no permitted region is healthy.
    /// `healthy[r]` tells whether region `r` may be returned now.
    fn choose(&self, pop: PopulationId, healthy: &[bool]) -> Option<RegionId>;
}
