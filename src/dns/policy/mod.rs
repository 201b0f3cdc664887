//! Routing policies: how the authoritative DNS picks a region for a population's resolver.
//!
//! Each policy lives in its own file; [`Dns`](super::Dns) hands it the regions it may answer
//! with now (serving in the design and marked healthy by the health checks).

pub mod failover;
pub mod geo;
pub mod latency;
pub mod weighted;

use crate::engine::SimTime;
use crate::model::{PopulationId, RegionId};
use crate::rng::Stream;

/// A DNS routing policy over the regions the health checks mark healthy.
pub trait RoutingPolicy: Send {
    /// The region to answer with at `now`, or `None` when no permitted region is eligible.
    /// `eligible[r]` tells whether region `r` may be returned now. `rng` is the DNS stream,
    /// for policies that draw (weighted).
    fn choose(
        &self,
        pop: PopulationId,
        eligible: &[bool],
        now: SimTime,
        rng: &mut Stream,
    ) -> Option<RegionId>;

    /// Whether [`RoutingPolicy::choose`] would answer with some region, without drawing: a
    /// resolver's cached negative answer is stale when it would.
    fn would_answer(&self, pop: PopulationId, eligible: &[bool], now: SimTime) -> bool;

    /// Whether [`RoutingPolicy::choose`] could answer with `region` now, without drawing: a
    /// resolver's cached answer of `region` is stale when it could not.
    fn may_choose(
        &self,
        pop: PopulationId,
        eligible: &[bool],
        now: SimTime,
        region: RegionId,
    ) -> bool;
}
