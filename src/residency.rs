//! Data residency (SPEC §1 Population jurisdiction, §3 Residency violation): which regions may store and serve the records of a jurisdiction.
//!
//! A policy pins jurisdictions (e.g. `"EU"`) to allowed regions. A record inherits the
//! jurisdiction of the user who wrote it (SPEC §3). When the policy is enforced, DNS answers a
//! pinned population only with allowed regions, a pinned write is never forwarded to a
//! primary outside them, and a pinned record is never replicated outside them; when it is not
//! enforced, every record stored and every request served outside is counted.

use crate::model::{PopulationId, RegionId, Scenario};

/// A validated residency policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Residency {
    /// Route, forward and replicate only to allowed regions (otherwise: count violations).
    pub enforce: bool,
    /// Per pinned jurisdiction, its allowed regions (by region id).
    pub rules: Vec<(String, Vec<RegionId>)>,
}

/// Jurisdiction tag of a record or population: 0 = not pinned, `k + 1` = rule `k`.
pub type Tag = u8;

/// No jurisdiction rule applies.
pub const UNPINNED: Tag = 0;

/// The policy resolved for one run: population tags and per-rule region masks.
#[derive(Debug, Clone)]
pub struct ResidencyMap {
    pub enforce: bool,
    /// Per population, the tag of its jurisdiction.
    pub pop_tag: Vec<Tag>,
    /// `[(tag - 1) * n_regions + region]`: region allowed for the tag.
    allowed: Vec<bool>,
    n_regions: usize,
}

impl ResidencyMap {
    /// The map of a scenario, or `None` without a residency policy.
    pub fn new(sc: &Scenario) -> Option<Self> {
        let pol = sc.residency.as_ref()?;
        let n = sc.regions.len();
        let mut allowed = vec![false; pol.rules.len() * n];
        for (k, (_, regions)) in pol.rules.iter().enumerate() {
            for r in regions {
                allowed[k * n + *r as usize] = true;
            }
        }
        let pop_tag = sc
            .populations
            .iter()
            .map(|p| {
                pol.rules
                    .iter()
                    .position(|(j, _)| *j == p.jurisdiction)
                    .map_or(UNPINNED, |k| (k + 1) as Tag)
            })
            .collect();
        Some(ResidencyMap {
            enforce: pol.enforce,
            pop_tag,
            allowed,
            n_regions: n,
        })
    }

    /// The tag of a population's users (and of the records they write).
    #[inline]
    pub fn tag(&self, pop: PopulationId) -> Tag {
        self.pop_tag[pop as usize]
    }

    /// Whether a record or request tagged `tag` may be stored or served in `region`.
    #[inline]
    pub fn allows(&self, tag: Tag, region: RegionId) -> bool {
        tag == UNPINNED || self.allowed[(tag as usize - 1) * self.n_regions + region as usize]
    }

    /// Whether the policy restricts what the simulation does for `tag`.
    #[inline]
    pub fn enforced_for(&self, tag: Tag) -> bool {
        self.enforce && tag != UNPINNED
    }

    /// `mask[r] = src[r] && allowed(tag, r)`.
    pub fn mask(&self, tag: Tag, src: &[bool], mask: &mut [bool]) {
        for (r, (m, s)) in mask.iter_mut().zip(src).enumerate() {
            *m = *s && self.allows(tag, r as RegionId);
        }
    }
}

/// Residency counters of one run (after the warm-up).
#[derive(Debug, Clone, Copy, Default)]
pub struct ResidencyTally {
    /// Pinned records committed or applied by replication in a region outside their allowed
    /// set (SPEC §3: stored or replicated elsewhere).
    pub records_stored_outside: u64,
    /// Requests of pinned users served (executed) by a region outside their allowed set.
    pub requests_served_outside: u64,
    /// Replication messages of pinned records not sent because the target is not allowed.
    pub replications_withheld: u64,
    /// Pinned writes not forwarded to a primary outside the allowed set (attempt failed).
    pub forwards_refused: u64,
    /// DNS lookups of pinned users that found no allowed region (attempt failed `no_region`),
    /// answered by the authoritative servers or from a resolver's negative cache.
    pub lookups_without_allowed_region: u64,
    /// Pinned requests that finally failed, under enforcement, with `no_region` or while no
    /// allowed serving region was up: the requests that failed because no allowed region was
    /// up (SPEC §3, the price of residency).
    pub requests_failed_no_allowed_region: u64,
    /// Pinned writes that finally failed, under enforcement, because the primary was outside
    /// the allowed regions while an allowed region was up (their last attempt's forward was
    /// refused): the other price of residency, a design whose primary the rule forbids.
    pub writes_failed_primary_outside: u64,
}
