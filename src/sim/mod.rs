//! The request path of SPEC §2 as an engine [`Model`]: arrivals, DNS, network, pools, retries.
//!
//! Each request lives in a slab slot with a generation number; every event that refers to a
//! request carries (slot, generation), and the generation moves on with every retry and with
//! the slot's release, so an event from a timed-out attempt or a finished request is
//! recognised as stale and ignored. Slots are reused: memory is bounded
//! by the requests in flight, not by the requests simulated.

mod failback;
pub mod faults;
pub mod health;
pub mod pool;
mod quorum;
mod run;
mod slots;

use crate::cost::{CostMeter, Sizes};
use crate::data::{DataLayer, DataRegion, Message, Pushed, ReadVerdict};
use crate::distribution::{Dist, MAX_DRAW};
use crate::dns::Dns;
use crate::engine::{Model, Scheduler, SimTime};
use crate::metrics::{FailReason, Metrics, Op};
use crate::model::{
    Design, FailoverPolicy, FaultKind, LagAt, Place, PopulationId, RegionId, ReplicaAck, Scenario,
};
use crate::residency::{ResidencyMap, ResidencyTally, UNPINNED};
use crate::rng::{Stream, stream, unit};
use faults::{ActiveFaults, Blame, FaultId, FaultTally, LinkState, NO_FAULT, set_active};
use health::{HealthChange, HealthChecks};
use pool::{Admission, Pool};
pub use quorum::Phase as QuorumPhase;
use rand_distr::Distribution as _;
pub use run::{
    DataReport, RunOutput, SimError, run_scenario, run_scenario_queued, run_scenario_until,
};
use slots::Slots;
use std::collections::{BTreeMap, BTreeSet};

/// A reference to one attempt of one request: its slot, and the slot's generation, which
/// moves on with every retry and when the request ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReqRef {
    slot: u32,
    generation: u32,
}

/// Result of an attempt, as it reaches the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptResult {
    Ok,
    Failed(FailReason),
}

/// The typed events of the request path.
///
/// Kept at 16 bytes (checked below): the event queue moves events on every push and pop.
#[derive(Debug, Clone, Copy)]
#[repr(u8)]
pub enum Event {
    /// The next request of a population.
    Arrival { pop: PopulationId },
    /// The lookup of resolver `resolver` ([`crate::dns::Dns::resolver_index`]) came back
    /// (`NO_REGION` when DNS had nothing to offer); `joined`: the attempt waited for a lookup
    /// another attempt's miss had started (that one's event stores the answer).
    Resolved {
        joined: bool,
        region: RegionId,
        req: ReqRef,
        resolver: u32,
    },
    /// An attempt (or a forwarded write) reaches a region.
    AtRegion { req: ReqRef, region: RegionId },
    /// A server of `region` finishes `req` (void if the pool crashed since: other `epoch`).
    ServiceDone {
        region: RegionId,
        req: ReqRef,
        epoch: u32,
    },
    /// The attempt's outcome reaches the client.
    Response { req: ReqRef, result: AttemptResult },
    /// The client's per-attempt timer fires.
    AttemptTimeout { req: ReqRef },
    /// Backoff is over: start the next attempt.
    Retry { req: ReqRef },
    /// A scripted fault begins.
    FaultStart { fault: FaultId },
    /// A scripted fault ends.
    FaultEnd { fault: FaultId },
    /// A random outage of `region` begins (index into the random-outage regions).
    RandomFailure { index: u16 },
    /// A random outage ends.
    RandomRepair { index: u16 },
    /// Health checker `checker` probes every region of the design.
    Probe { checker: u16 },
    /// A probe's verdict reaches its checker (`round`: the checker's probe round it answers).
    ProbeResult {
        checker: u16,
        region: RegionId,
        ok: bool,
        round: u32,
    },
    /// Promote a standby in place of `old` (active-passive failover), if still needed and
    /// not called off since (other `epoch`).
    Promote { old: RegionId, epoch: u32 },
    /// A promoted standby reaches full capacity, unless another promotion came since
    /// (other `promotion`).
    ScaleUp { region: RegionId, promotion: u32 },
    /// The head of the replication log `from → to` (data regions) is due.
    ReplDeliver { from: DataRegion, to: DataRegion },
    /// Replica `from`'s acknowledgement of write `(origin, seq)` reaches its origin.
    ReplAck {
        origin: DataRegion,
        from: DataRegion,
        seq: u32,
    },
    /// A planned failback to `region` (its delay after it became ready again is over).
    Failback { region: RegionId },
    /// A message of quorum operation `op` arrives (at `replica`, or back from it).
    Quorum {
        op: u32,
        replica: DataRegion,
        phase: QuorumPhase,
    },
    /// A batch of hints handed off at a heal reaches its replica (`data::quorum`).
    QuorumHints { batch: u32 },
    /// Write `(origin, seq)`, sent on `from → to`, reaches `to`: with
    /// [`ReplicaAck::Received`] the replica acknowledges it now unless a fault holds it.
    ReplReceived {
        from: DataRegion,
        to: DataRegion,
        origin: DataRegion,
        seq: u32,
    },
    /// SemiSync write `(origin, seq)` has waited `fallback_after_ms` for its acknowledgements.
    AckWaitOver { origin: DataRegion, seq: u32 },
}

const _: () = assert!(std::mem::size_of::<Event>() <= 16);

/// One data region's SemiSync writes and their acknowledgements (`fallback_after_ms`).
#[derive(Debug, Clone, Copy, Default)]
struct SemiSyncOrigin {
    /// Replicating asynchronously after a write waited `fallback_after_ms` in vain, until as
    /// many replicas as a write waits for have caught up.
    fallen_back: bool,
    /// Whether the fallback in effect is in `semi_sync_fallbacks` (one begun in the warm-up
    /// is counted when it first acknowledges a write after it).
    counted: bool,
    /// The newest write it had released when it last fell back: a timer of it or an older
    /// write has nothing left to release.
    fallback_seq: u32,
    /// While fallen back, the first write committed since that needs a replica: once as many
    /// replicas as it needs hold it, they have caught up and the origin waits for them again.
    catch_up: Option<u32>,
}

/// A fault that healed, for re-sending the replication messages it held.
#[derive(Debug, Clone, Copy)]
enum Healed {
    /// A region came back up.
    Region(RegionId),
    /// The cut of the directed pair of places `a → b` healed.
    Cut(usize, usize),
}

/// One promotion (or a promotion that found no standby to promote).
#[derive(Debug, Clone)]
pub struct Failover {
    /// When the primary failed in a way the policy reacts to (health verdict or outage).
    pub triggered: SimTime,
    /// When the promotion happened; `None` when it had not happened by the end of the run (a
    /// promotion still waiting for its delay, a planned failback still catching up or
    /// draining).
    pub at: Option<SimTime>,
    pub from: RegionId,
    /// `None`: no standby was up and healthy.
    pub to: Option<RegionId>,
    pub policy: &'static str,
    /// Acknowledged writes of the old primary the new one never applied (SPEC §3 RPO).
    pub lost_writes: u64,
    /// From the oldest lost write's commit to the primary's failure.
    pub rpo_span: Option<SimTime>,
}

/// What the handler does after it responds. A response over no distance is handled at once
/// only when responding is the handler's last action (engine ordering guarantee 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum After {
    /// Responding is the last thing the handler does.
    Nothing,
    /// The handler goes on (other reads to wake, say): the response is queued.
    More,
}

pub use crate::model::NO_REGION;

/// A service of `s` ns at a region slowed `factor` times (`Slowdown` faults, whose overlaps
/// multiply), to the nearest nanosecond and at most the longest delay a run holds.
#[cold]
#[inline(never)]
pub(super) fn slowed(s: SimTime, factor: f64) -> SimTime {
    if factor == 1.0 {
        return s; // a capacity loss alone (a degraded region that is not slowed)
    }
    ((s as f64 * factor).round().min(MAX_DRAW as f64) as SimTime).min(MAX_DRAW)
}

/// The bytes of a response: `read_response` for a successful read (its answer), else
/// `write_response` (a write's outcome, or a failure).
fn response_bytes(z: Sizes, result: AttemptResult, op: Op) -> u64 {
    match (result, op) {
        (AttemptResult::Ok, Op::Read) => z.read_response,
        _ => z.write_response,
    }
}

/// Per-request state, freed when the request ends.
#[derive(Debug, Clone, Copy)]
struct Request {
    generation: u32,
    live: bool,
    pop: PopulationId,
    op: Op,
    user: u32,
    key: u32,
    t0: SimTime,
    attempt: u16,
    /// Region the current attempt entered (DNS's answer), or NO_REGION.
    entry: RegionId,
    /// Region executing the request (the primary for a forwarded write).
    exec: RegionId,
    /// Ask DNS afresh on the next attempt.
    re_resolve: bool,
    /// The last fault that refused, dropped or lost one of its attempts, or blocked the
    /// replication one of them waited on ([`World::charge_blocked_wait`]).
    touched_by: FaultId,
    /// Where the current attempt stands in the pool of the region it reached.
    stage: PoolStage,
    /// The current attempt is a pinned write that residency kept from a primary outside the
    /// allowed regions.
    kept_from_primary: bool,
    /// The write this request had acknowledged: its data region and sequence number (0: none).
    /// Its response reaching the client is when the user has it (read-your-writes, SPEC §3).
    /// Two fields rather than a tuple, so that they fill the struct's padding.
    acked_origin: DataRegion,
    acked_seq: u32,
}

// A request's slot stays within 40 bytes: the hot path copies it.
const _: () = assert!(std::mem::size_of::<Request>() <= 40);

/// What a request's current attempt waits for outside the pools: a synchronous write's
/// replica acknowledgements (its `awaiting_acks` key), a read's replica applying a write (its
/// `read_waiters` key; a `SessionRoute` read's other keys are in `route_groups` under the
/// same number), a write held by a draining primary for a planned failback (in
/// `failback.held`). Cleared when the wait ends or the attempt does: an attempt that times
/// out behind a partition or a long drain leaves nothing behind, so neither makes these
/// collections grow with the requests it blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Waits {
    ack: Option<(DataRegion, u32)>,
    read: Option<(DataRegion, DataRegion, u32, u64)>,
    held: bool,
}

impl Waits {
    const NONE: Waits = Waits {
        ack: None,
        read: None,
        held: false,
    };
}

/// Where a request's current attempt stands in a region's pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PoolStage {
    /// Not in a pool: on its way, answered, or its pool crashed while it waited.
    Outside,
    /// Admitted and waiting for a server.
    Queued,
    /// Being served (a crash of the pool voids its service; the attempt's timer then ends it).
    InService,
}

impl Request {
    /// Whether `r` still names this request's current attempt (not a finished request or a
    /// timed-out attempt).
    #[inline]
    fn is_current(&self, r: ReqRef) -> bool {
        self.live && self.generation == r.generation
    }

    /// The request ends: no reference to it is current any more, and its fields stay as they
    /// were until the slot is reused.
    #[inline]
    fn end(&mut self) {
        self.live = false;
        self.generation = self.generation.wrapping_add(1);
    }
}

/// Counts over the whole run (warm-up included) used to check conservation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Conservation {
    pub issued: u64,
    pub ok: u64,
    pub failed: u64,
}

/// The regions the authoritative DNS may answer a population's resolvers with (its residency
/// tag `tag`): `plain` = (healthy and serving, serving), or under enforced residency only the
/// allowed ones, also when it fails open (masked into `masked`'s buffers).
fn dns_candidates<'w>(
    residency: Option<&ResidencyMap>,
    tag: u8,
    plain: (&'w [bool], &'w [bool]),
    masked: (&'w mut [bool], &'w mut [bool]),
) -> (&'w [bool], &'w [bool]) {
    match residency {
        Some(m) if m.enforced_for(tag) => {
            m.mask(tag, plain.0, masked.0);
            m.mask(tag, plain.1, masked.1);
            (masked.0, masked.1)
        }
        _ => plain,
    }
}

/// Per-population DNS figures after the warm-up.
#[derive(Debug, Clone, Copy, Default)]
pub struct DnsTally {
    /// Cache misses that reached the authoritative DNS.
    pub queries: u64,
    /// Attempts sent where a cached answer pointed to a region that was down, unhealthy or no
    /// longer serving and that DNS would not answer with now, and attempts failed by a cached
    /// negative answer when DNS would have answered with a region: the answers the cache, not
    /// DNS, got wrong.
    pub stale_answers: u64,
    /// Attempts answered from an entry whose TTL had run out (a TTL-violating resolver).
    pub past_ttl_answers: u64,
}

/// Random outage generator of one region: Weibull up and repair times.
struct RandomOutage {
    region: RegionId,
    fault: FaultId,
    rng: Stream,
}

/// Time a condition held after the warm-up.
#[derive(Debug, Clone, Copy, Default)]
struct DownClock {
    since: Option<SimTime>,
    total: SimTime,
}

impl DownClock {
    fn start(&mut self, now: SimTime) {
        if self.since.is_none() {
            self.since = Some(now);
        }
    }
    fn stop(&mut self, now: SimTime, warmup: SimTime) {
        if let Some(s) = self.since.take() {
            self.total += now.saturating_sub(s.max(warmup));
        }
    }
}

/// One population's state on the request path: every arrival and attempt reads it, so it is
/// kept together and found with one lookup.
struct PopulationState<'a> {
    /// The population as the scenario describes it.
    spec: &'a crate::model::Population,
    /// Streams of the arrival times and of the workload's draws (operation, key, user).
    arrivals: Stream,
    workload: Stream,
    /// The key popularity (unused with one key or a uniform choice).
    zipf: rand_distr::Zipf<f64>,
    /// Peak of the diurnal curve, and the peak arrival rate per ns.
    peak: f64,
    rate_per_ns: f64,
    /// The first gap (ns, at the peak rate) of the next arrival's draw, drawn from `arrivals`
    /// as soon as the previous arrival is scheduled: the stream's draws come in the same
    /// order, and the next arrival's time is ready without waiting for the exponential
    /// draw and its division (see [`World::schedule_arrival`]).
    next_gap: f64,
    /// Engine lane of the population's attempt timers (one lane per distinct timeout).
    timeout_lane: usize,
}

/// One region's state on the request path: every attempt that reaches the region reads it, so
/// it is kept together and found with one lookup.
struct RegionState<'a> {
    /// The region as the scenario describes it (its service times).
    spec: &'a crate::model::Region,
    pool: Pool<ReqRef>,
    /// Stream of the service time draws.
    service: Stream,
    /// Outages in effect (scripted and random may overlap); the latest cause is in
    /// [`World::down_by`].
    down: u16,
    /// Share of servers lost; the loss charged with it is in [`World::loss_by`].
    capacity_lost: f64,
    /// How many times longer each service takes: the product of the active `Slowdown`
    /// faults' factors (exactly 1 while none is active); the slowdown charged is the last
    /// begun of [`World::slowdowns`].
    slowdown: f64,
    /// `capacity_lost > 0 || slowdown != 1`, kept in step by the fault handlers: the request
    /// path tests this one flag instead of two floats.
    degraded: bool,
}

impl RegionState<'_> {
    /// Sets [`RegionState::degraded`] after a change of the capacity lost or the slowdown.
    fn note_degradation(&mut self) {
        self.degraded = self.capacity_lost > 0.0 || self.slowdown != 1.0;
    }
}

/// The simulated world of one run.
pub struct World<'a> {
    sc: &'a Scenario,
    end: SimTime,
    /// Per population: what its arrivals and attempts read (see [`PopulationState`]).
    populations: Vec<PopulationState<'a>>,
    /// Per region: its pool, service draws and outage state (see [`RegionState`]).
    regions: Vec<RegionState<'a>>,
    net: Stream,
    dns_rng: Stream,
    client_rng: Stream,
    /// Regions DNS may answer with: serving in the design now.
    serving: Vec<bool>,
    /// Serving and marked healthy by the health checks.
    eligible: Vec<bool>,
    /// Active-passive: the current primary and standbys (in promotion order).
    primary: Option<RegionId>,
    standbys: Vec<RegionId>,
    promotion_pending: bool,
    /// Counts promotions called off because the primary recovered first; a `Promote` event of
    /// an earlier count is void.
    promotion_epoch: u32,
    /// Promotions so far: a scale-up belongs to the promotion that scheduled it.
    promotions: u32,
    /// A promotion found no standby up and healthy: the first to be so is promoted, if the
    /// primary is still failed then (`promotion_pending` stays set meanwhile).
    awaiting_standby: bool,
    /// The latest cause of each region's outages (their count: [`RegionState::down`]).
    down_by: Vec<FaultId>,
    /// The capacity loss charged with each region's lost share of servers
    /// ([`RegionState::capacity_lost`]): the last begun of those active.
    loss_by: Blame,
    /// Share of servers a standby runs (1 for active regions).
    capacity_factor: Vec<f64>,
    /// `Slowdown` faults active per region, in the order they began: (fault, factor, whether
    /// its deep probes are slowed too); the last begun is charged.
    slowdowns: Vec<ActiveFaults>,
    /// `ErrorRate` faults active per region, in the order they began: (fault, share of served
    /// attempts it answers with an error, whether it fails health probes as often). Each
    /// draws on its own, so overlapping faults combine as independent failures; the first to
    /// fire owns the error. How many are active (the request path looks no further while
    /// none is), and each region's streams of draws for requests and for probes.
    errors: Vec<ActiveFaults>,
    errors_active: u32,
    error_rng: Vec<Stream>,
    probe_error_rng: Vec<Stream>,
    links: LinkState,
    health: Option<HealthChecks>,
    random: Vec<RandomOutage>,
    random_scale: (f64, f64),
    dns: Dns,
    pub data: DataLayer,
    repl_rng: Stream,
    /// Quorum replication: the operations in flight and the WARS phase draws.
    quorum_ops: quorum::QuorumOps,
    quorum_rng: Stream,
    /// Active-passive planned failback in progress.
    failback: failback::Failback,
    /// Writes waiting for replica acknowledgements: (origin, seq) → (request, acks missing).
    /// The value also keeps the write's commit time. An entry lives while its attempt does
    /// (see [`Waits`]): acknowledgements reaching an origin that no longer waits are ignored.
    awaiting_acks: BTreeMap<(DataRegion, u32), (ReqRef, u32, SimTime)>,
    /// Writes `(replica, origin, seq)` acknowledged on receipt and not yet applied: their
    /// application sends no second acknowledgement.
    acked_on_receipt: BTreeSet<(DataRegion, DataRegion, u32)>,
    /// Per data region: where its SemiSync writes stand with their acknowledgements.
    semi_sync: Vec<SemiSyncOrigin>,
    /// Per (origin, replica) data regions, `origin × len + replica`: the newest write of the
    /// origin the replica has acknowledged to it. It holds every earlier one the origin sent
    /// it (the log is ordered), but not those residency kept from it: see `ack_needs`.
    acked_up_to: Vec<Option<u32>>,
    /// SemiSync writes `(origin, seq)` residency keeps from some replicas, while a fallback
    /// may still judge them: (replicas the write waits for, a bit per replica kept from).
    /// Every other write waits for `acks_needed` and is sent everywhere.
    ack_needs: BTreeMap<(DataRegion, u32), (u32, u64)>,
    /// Reads waiting for their replica to apply a write: (replica, origin, seq, n) → (request,
    /// region serving it).
    read_waiters: BTreeMap<(DataRegion, DataRegion, u32, u64), (ReqRef, RegionId)>,
    read_waiter_seq: u64,
    /// `SessionRoute` reads waiting at their entry because no region held every recent write
    /// of the user: n → its `read_waiters` keys (first where it waits, then one probe at each
    /// other data region lacking one of those writes). The first of them to wake sends the
    /// read to look again from where it waits (sessions are our extension of SPEC §3).
    route_groups: BTreeMap<u64, Vec<(DataRegion, DataRegion, u32)>>,
    /// When each region last went down (for unshipped replication and RPO).
    down_since: Vec<SimTime>,
    /// Extra replication lag per data link from lag spikes, and the spike charged with it
    /// (the last begun of those active).
    repl_extra: Vec<SimTime>,
    repl_extra_by: Blame,
    /// Per data region, the clock jump that last moved its clock.
    clock_jumped_by: Vec<FaultId>,
    /// After a partition heals: (fault, from, to, origin, seq, heal time) — the last message
    /// it held on a link; its delivery means replication has caught up.
    heal_watch: Vec<(FaultId, DataRegion, DataRegion, DataRegion, u32, SimTime)>,
    /// Per replication link (`from * d + to`): the fault, and which occurrence of it, its
    /// held messages were last counted against ([`NO_FAULT`] once a message gets through), so
    /// that each held message is counted once per occurrence of a fault however often the
    /// link is woken (a random-outage generator's occurrences share one fault).
    held_for: Vec<(FaultId, u64)>,
    /// When set, every occurrence of a random outage is recorded as (region, start, end;
    /// `SimTime::MAX` while it lasts): for tests that replay them as scheduled faults.
    pub outage_trace: Option<Vec<(RegionId, SimTime, SimTime)>>,
    requests: Slots<Request>,
    /// Per request slot: the verdict on the read its current attempt was served (SPEC §3),
    /// counted when the response reaches the user, so that a read is counted once however
    /// many attempts it took.
    read_verdicts: Slots<ReadVerdict>,
    /// Per request slot: what its current attempt waits for outside the pools, removed when
    /// the attempt ends, so that those waits are bounded by the attempts in flight.
    waits: Slots<Waits>,
    /// Most entries ever held at once in `awaiting_acks`, `read_waiters`, the data layer's
    /// writes awaiting acknowledgement and the writes a failback drain holds, together.
    peak_waits: usize,
    free: Vec<u32>,
    in_flight: u64,
    region_clock: Vec<DownClock>,
    service_clock: DownClock,
    pub metrics: Metrics,
    pub counts: Conservation,
    pub tallies: Vec<FaultTally>,
    pub failovers: Vec<Failover>,
    pub health_changes: Vec<HealthChange>,
    pub dns_tally: Vec<DnsTally>,
    /// Cost counters and message sizes, when the scenario has prices (SPEC §3 Cost).
    pub cost: Option<CostMeter>,
    sizes: Option<Sizes>,
    /// The residency policy resolved for this run, its counters, and scratch region masks.
    residency: Option<ResidencyMap>,
    pub residency_tally: ResidencyTally,
    res_eligible: Vec<bool>,
    res_serving: Vec<bool>,
}

/// Bytes of state per request in flight: its slab slot and its place on the free list.
pub fn request_bytes() -> usize {
    std::mem::size_of::<Request>() + std::mem::size_of::<u32>()
}

/// Bytes per request waiting in a region's queue.
pub fn queued_bytes() -> usize {
    std::mem::size_of::<(ReqRef, SimTime)>()
}

/// Health changes kept for the report (a year of random outages stays bounded).
const MAX_HEALTH_CHANGES: usize = 10_000;
/// Failovers kept for the report.
pub(crate) const MAX_FAILOVERS: usize = 10_000;

impl<'a> World<'a> {
    /// A world for `sc`, every stream derived from `seed`.
    pub fn new(sc: &'a Scenario, seed: u64) -> Self {
        let end = sc.duration;
        let n = sc.regions.len();
        let mut serving = vec![false; n];
        for r in sc.design.serving_regions() {
            serving[r as usize] = true;
        }
        let mut capacity_factor = vec![1.0; n];
        let (primary, standbys) = match &sc.design {
            Design::ActivePassive {
                primary,
                standbys,
                standby_capacity,
                ..
            } => {
                for s in standbys {
                    capacity_factor[*s as usize] = *standby_capacity;
                }
                (Some(*primary), standbys.clone())
            }
            Design::ActiveActive { .. } => (None, vec![]),
        };
        let mut timeouts: Vec<SimTime> = vec![];
        let timeout_lane: Vec<usize> = sc
            .populations
            .iter()
            .map(
                |p| match timeouts.iter().position(|t| *t == p.client.timeout) {
                    Some(i) => i,
                    None => {
                        timeouts.push(p.client.timeout);
                        timeouts.len() - 1
                    }
                },
            )
            .collect();
        let random: Vec<RandomOutage> = sc
            .random_outages
            .iter()
            .flat_map(|ro| ro.regions.iter())
            .enumerate()
            .map(|(i, r)| RandomOutage {
                region: *r,
                fault: (sc.faults.len() + i) as FaultId,
                rng: stream(
                    seed,
                    &format!("faults/random/{}", sc.regions[*r as usize].name),
                ),
            })
            .collect();
        let random_scale = sc
            .random_outages
            .as_ref()
            .map(|ro| {
                // Weibull scale so that the mean is MTBF (MTTR): mean = scale · Γ(1 + 1/k).
                let g = statrs::function::gamma::gamma(1.0 + 1.0 / ro.shape);
                (ro.mtbf_h * 3.6e12 / g, ro.mttr_h * 3.6e12 / g)
            })
            .unwrap_or((1.0, 1.0));
        let n_faults = sc.faults.len() + random.len();
        let mut w = World {
            sc,
            end,
            populations: sc
                .populations
                .iter()
                .zip(timeout_lane)
                .map(|(p, timeout_lane)| {
                    let peak = p.diurnal_peak();
                    let rate_per_ns = p.rate_per_s * peak / 1e9;
                    let mut arrivals = stream(seed, &format!("arrivals/{}", p.name));
                    let e: f64 = rand_distr::Exp1.sample(&mut arrivals);
                    PopulationState {
                        spec: p,
                        arrivals,
                        next_gap: e / rate_per_ns,
                        workload: stream(seed, &format!("workload/{}", p.name)),
                        zipf: rand_distr::Zipf::new(p.keys as f64, p.zipf_s)
                            .expect("validated key space"),
                        peak,
                        rate_per_ns,
                        timeout_lane,
                    }
                })
                .collect(),
            regions: sc
                .regions
                .iter()
                .map(|r| RegionState {
                    spec: r,
                    pool: Pool::new(r.servers, r.queue_limit, sc.warmup),
                    service: stream(seed, &format!("service/{}", r.name)),
                    down: 0,
                    capacity_lost: 0.0,
                    slowdown: 1.0,
                    degraded: false,
                })
                .collect(),
            net: stream(seed, "network/jitter"),
            dns_rng: stream(seed, "dns"),
            client_rng: stream(seed, "client/backoff"),
            eligible: serving.clone(),
            serving,
            primary,
            standbys,
            promotion_pending: false,
            promotion_epoch: 0,
            promotions: 0,
            awaiting_standby: false,
            down_by: vec![NO_FAULT; n],
            loss_by: Blame::new(n),
            capacity_factor,
            slowdowns: vec![vec![]; n],
            errors: vec![vec![]; n],
            errors_active: 0,
            error_rng: sc
                .regions
                .iter()
                .map(|r| stream(seed, &format!("faults/errors/{}", r.name)))
                .collect(),
            probe_error_rng: sc
                .regions
                .iter()
                .map(|r| stream(seed, &format!("faults/errors/{}/probes", r.name)))
                .collect(),
            links: LinkState::new(n, sc.populations.len()),
            health: sc.health.as_ref().map(|h| HealthChecks::new(h, n)),
            random,
            random_scale,
            dns: Dns::new(sc, seed),
            data: DataLayer::new(sc, seed),
            repl_rng: stream(seed, "replication/lag"),
            quorum_ops: quorum::QuorumOps::default(),
            quorum_rng: stream(seed, "replication/quorum"),
            failback: failback::Failback::default(),
            awaiting_acks: BTreeMap::new(),
            acked_on_receipt: BTreeSet::new(),
            semi_sync: vec![SemiSyncOrigin::default(); sc.design.regions().len()],
            acked_up_to: vec![None; sc.design.regions().len() * sc.design.regions().len()],
            ack_needs: BTreeMap::new(),
            read_waiters: BTreeMap::new(),
            read_waiter_seq: 0,
            route_groups: BTreeMap::new(),
            down_since: vec![0; n],
            repl_extra: vec![0; sc.design.regions().len().pow(2)],
            repl_extra_by: Blame::new(sc.design.regions().len().pow(2)),
            clock_jumped_by: vec![NO_FAULT; sc.design.regions().len()],
            heal_watch: vec![],
            held_for: vec![(NO_FAULT, 0); sc.design.regions().len().pow(2)],
            outage_trace: None,
            requests: Slots::with_capacity(1024),
            read_verdicts: Slots::with_capacity(1024),
            waits: Slots::with_capacity(1024),
            peak_waits: 0,
            free: Vec::new(),
            in_flight: 0,
            region_clock: vec![DownClock::default(); n],
            service_clock: DownClock::default(),
            metrics: Metrics::new(
                sc.populations.len(),
                sc.regions.len(),
                sc.warmup,
                sc.window,
                sc.duration,
            ),
            counts: Conservation::default(),
            tallies: vec![FaultTally::new(sc.populations.len()); n_faults],
            failovers: vec![],
            health_changes: vec![],
            dns_tally: vec![DnsTally::default(); sc.populations.len()],
            cost: sc
                .cost
                .as_ref()
                .map(|_| CostMeter::new(n, sc.warmup, sc.duration)),
            sizes: sc.cost.as_ref().map(|c| c.sizes),
            residency: ResidencyMap::new(sc),
            residency_tally: ResidencyTally::default(),
            res_eligible: vec![false; n],
            res_serving: vec![false; n],
        };
        for r in 0..n {
            w.apply_capacity(r as RegionId, 0, None);
        }
        for r in sc.design.regions() {
            w.bill_servers(r, 0);
        }
        w.warm_resolver_caches(seed);
        w
    }

    /// Fills the resolvers' caches as they would be in a run that had been going for a while
    /// ([`Dns::warm`]), with the answers DNS gives at time 0, from a stream of their own.
    fn warm_resolver_caches(&mut self, seed: u64) {
        let mut rng = stream(seed, "dns/warm-caches");
        for p in 0..self.sc.populations.len() {
            let pop = p as PopulationId;
            let (eligible, serving) = dns_candidates(
                self.residency.as_ref(),
                self.tag(pop),
                (&self.eligible, &self.serving),
                (&mut self.res_eligible, &mut self.res_serving),
            );
            let pp = &self.sc.populations[p];
            let rate = pp.rate_per_s * pp.diurnal_factor(0);
            let (users, resolvers) = (pp.users.max(1), pp.resolvers.max(1));
            for resolver in 0..pp.resolvers {
                // User u asks resolver u % resolvers: this one serves these many of the users
                // (none when there are fewer users than resolvers and it is past them).
                let served = users / resolvers + u32::from(resolver < users % resolvers);
                let rate = rate * f64::from(served) / f64::from(users);
                // No region: the resolver holds the negative answer (RFC 2308).
                let region = self
                    .dns
                    .answer(pop, eligible, serving, 0, &mut rng)
                    .unwrap_or(NO_REGION);
                let i = self.dns.resolver_index(pop, resolver);
                self.dns.warm(i, region, rate, &mut rng);
            }
        }
    }

    /// Cost: `region` runs its servers times its standby factor from `now` on (SPEC §3 Cost:
    /// a standby is billed at its capacity factor until it has scaled up).
    fn bill_servers(&mut self, region: RegionId, now: SimTime) {
        if let Some(m) = &mut self.cost {
            let full = self.sc.regions[region as usize].servers as f64;
            let billed = ((full * self.capacity_factor[region as usize]).round() as u32).max(1);
            m.set_servers(region, billed, now);
        }
    }

    /// The residency tag of a population's users (0 without a policy).
    #[inline]
    fn tag(&self, pop: PopulationId) -> u8 {
        self.residency.as_ref().map_or(UNPINNED, |m| m.tag(pop))
    }

    /// Whether a record or request tagged `tag` may be in `region` (always without a policy).
    #[inline]
    fn allows(&self, tag: u8, region: RegionId) -> bool {
        self.residency
            .as_ref()
            .is_none_or(|m| m.allows(tag, region))
    }

    /// Whether the residency policy is enforced for `tag`.
    #[inline]
    fn enforced(&self, tag: u8) -> bool {
        self.residency.as_ref().is_some_and(|m| m.enforced_for(tag))
    }

    /// Whether some region serving in the design, allowed for `tag`, is up.
    fn allowed_region_up(&self, tag: u8) -> bool {
        (0..self.serving.len()).any(|r| {
            self.serving[r] && self.regions[r].down == 0 && self.allows(tag, r as RegionId)
        })
    }

    /// Residency counters after the warm-up.
    #[inline]
    fn res_count(&mut self, now: SimTime, f: impl FnOnce(&mut ResidencyTally)) {
        if self.residency.is_some() && now >= self.sc.warmup {
            f(&mut self.residency_tally);
        }
    }

    /// Schedules each population's first arrival, the faults, the random outages and the
    /// health checkers' first probes.
    pub fn start(&mut self, sched: &mut Scheduler<Event>) {
        for p in 0..self.sc.populations.len() {
            self.schedule_arrival(p as PopulationId, 0, sched);
        }
        for (i, f) in self.sc.faults.iter().enumerate() {
            if f.start < self.end {
                sched.schedule_at(
                    f.start,
                    Event::FaultStart {
                        fault: i as FaultId,
                    },
                );
            }
        }
        for i in 0..self.random.len() {
            let up = self.weibull_draw(i, true);
            sched.schedule_at(up, Event::RandomFailure { index: i as u16 });
        }
        if let Some(h) = &self.health {
            for c in 0..h.config().checkers.len() {
                let t = h.first_probe(c);
                sched.schedule_at(t, Event::Probe { checker: c as u16 });
            }
        }
    }

    /// Requests still in flight.
    pub fn in_flight(&self) -> u64 {
        self.in_flight
    }

    /// Most replica waits held at once (see [`Waits`]).
    pub fn peak_waits(&self) -> usize {
        self.peak_waits
    }

    /// Request slots allocated (the peak number of requests alive at once).
    pub fn request_slots(&self) -> usize {
        self.requests.len()
    }

    /// Quorum operation slots allocated (the peak number in flight at once).
    pub fn quorum_slots(&self) -> usize {
        self.quorum_ops.slots()
    }

    /// DNS queries that missed the resolvers' caches, per population.
    pub fn dns_queries(&self) -> &[u64] {
        &self.dns.queries
    }

    /// Resolvers that keep answers past their TTL.
    pub fn ttl_violators(&self) -> usize {
        self.dns.violators()
    }

    /// Closes the pools' time-weighted statistics and returns them.
    pub fn finish_pools(&mut self, end: SimTime) -> Vec<pool::PoolStats> {
        self.regions
            .iter_mut()
            .map(|r| {
                r.pool.finish(end);
                r.pool.stats.clone()
            })
            .collect()
    }

    /// Closes the clocks at the end of the run: (per-region down time, service down time)
    /// after the warm-up, and each fault's active time.
    pub fn finish_clocks(&mut self, end: SimTime) -> (Vec<SimTime>, SimTime) {
        let w = self.sc.warmup;
        for c in &mut self.region_clock {
            c.stop(end, w);
        }
        self.service_clock.stop(end, w);
        for t in &mut self.tallies {
            if let Some(s) = t.started.take() {
                t.active_time += end - s;
            }
        }
        (
            self.region_clock.iter().map(|c| c.total).collect(),
            self.service_clock.total,
        )
    }

    /// Poisson arrivals at the peak rate, thinned by the diurnal curve; none past the end.
    ///
    /// The first gap was drawn when the previous arrival was scheduled (or when the world was
    /// made), and the next one's first gap is drawn once this arrival is scheduled: the
    /// stream gives the same draws in the same order as drawing each gap where it is used,
    /// and the arrival's time, which the queue's sift compares, no longer waits for a draw.
    fn schedule_arrival(&mut self, pop: PopulationId, from: SimTime, sched: &mut Scheduler<Event>) {
        let end = self.end as i64 as f64;
        let ps = &mut self.populations[pop as usize];
        let (p, peak, rate_per_ns) = (ps.spec, ps.peak, ps.rate_per_ns);
        let rng = &mut ps.arrivals;
        // Through `i64` (one instruction each way): the loader keeps a run's times below 2^63.
        let mut t = from as i64 as f64;
        let mut gap = ps.next_gap;
        loop {
            t += gap;
            if t >= end {
                return;
            }
            if p.diurnal.is_none() || unit(rng) * peak < p.diurnal_factor(t as SimTime) {
                break;
            }
            let e: f64 = rand_distr::Exp1.sample(rng);
            gap = e / rate_per_ns;
        }
        let e: f64 = rand_distr::Exp1.sample(rng);
        ps.next_gap = e / rate_per_ns;
        sched.schedule_at(t as i64 as SimTime, Event::Arrival { pop });
    }

    /// One-way delay of a message over a link of `rtt`, plus jitter and any latency spike on
    /// `from → to` (counted against the spike).
    #[inline]
    fn one_way(&mut self, rtt: SimTime, from: usize, to: usize) -> SimTime {
        let j = &self.sc.network.jitter;
        let mut d = rtt / 2
            + if j.is_zero() {
                0
            } else {
                j.sample(&mut self.net)
            };
        let (extra, by) = self.links.extra(from, to);
        if extra > 0 {
            d += extra;
            self.tallies[by as usize].delayed += 1;
        }
        d
    }

    #[inline]
    fn get(&self, r: ReqRef) -> Option<&Request> {
        let q = &self.requests[r.slot];
        q.is_current(r).then_some(q)
    }

    fn on_arrival(&mut self, pop: PopulationId, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let ps = &mut self.populations[pop as usize];
        let p = ps.spec;
        let w = &mut ps.workload;
        let op = if unit(w) < p.write_fraction {
            Op::Write
        } else {
            Op::Read
        };
        let key = match (p.keys, p.zipf_s) {
            (1, _) => 0,
            (k, 0.0) => ((unit(w) * k as f64) as u32).min(k - 1),
            _ => (ps.zipf.sample(w) as u32).saturating_sub(1),
        };
        let user = ((unit(w) * p.users as f64) as u32).min(p.users - 1);
        let req = Request {
            generation: 0,
            live: true,
            pop,
            op,
            user,
            key,
            t0: now,
            attempt: 0,
            entry: NO_REGION,
            exec: NO_REGION,
            re_resolve: false,
            touched_by: NO_FAULT,
            stage: PoolStage::Outside,
            kept_from_primary: false,
            acked_origin: 0,
            acked_seq: 0,
        };
        let r = match self.free.pop() {
            Some(slot) => {
                let q = &mut self.requests[slot];
                *q = Request {
                    generation: q.generation,
                    ..req
                };
                ReqRef {
                    slot,
                    generation: q.generation,
                }
            }
            None => {
                self.requests.push(req);
                self.read_verdicts.push(ReadVerdict::NONE);
                self.waits.push(Waits::NONE);
                ReqRef {
                    slot: (self.requests.len() - 1) as u32,
                    generation: 0,
                }
            }
        };
        self.in_flight += 1;
        self.counts.issued += 1;
        self.metrics.issued(pop, op, now);
        // The next arrival is drawn first, so that the attempt is this handler's last action
        // and a zero-delay hop can be handed over at once (engine ordering guarantee 7).
        self.schedule_arrival(pop, now, sched);
        self.start_attempt(r, sched);
    }

    /// An attempt: the first one and re-resolving retries ask the user's resolver (its cache,
    /// else the authoritative DNS); other retries go back to the region of the last attempt.
    fn start_attempt(&mut self, r: ReqRef, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        // The fields it needs, not a copy of the whole slot.
        let q = &self.requests[r.slot];
        let (pop, user, t0, entry) = (q.pop, q.user, q.t0, q.entry);
        let same_region = q.attempt > 0 && !q.re_resolve && entry != NO_REGION;
        let ps = &self.populations[pop as usize];
        let client = &ps.spec.client;
        // The attempt's timer never runs past the request's deadline.
        let deadline = t0.saturating_add(client.deadline);
        let timer = now.saturating_add(client.timeout).min(deadline).max(now);
        if timer <= self.end {
            sched.schedule_at_lane(ps.timeout_lane, timer, Event::AttemptTimeout { req: r });
        }
        if same_region {
            self.send(r, entry, sched);
            return;
        }
        let resolver = self.dns.resolver_of(pop, user);
        match self.dns.cached(pop, resolver, now) {
            Some(ans) if ans.region == NO_REGION => self.cached_no_region(r, pop, sched),
            Some(ans) => {
                if now >= self.sc.warmup {
                    let a = ans.region as usize;
                    if !self.eligible[a] || self.regions[a].down > 0 {
                        self.count_stale_answer(pop, ans.region, now);
                    }
                    if ans.past_ttl {
                        self.dns_tally[pop as usize].past_ttl_answers += 1;
                    }
                }
                self.send(r, ans.region, sched)
            }
            None => {
                let q = self.requests[r.slot];
                self.resolve(r, &q, resolver, now, sched)
            }
        }
    }

    /// A cache miss: the attempt joins the resolver's lookup in flight, else asks the
    /// authoritative DNS (billed, answered under enforced residency with allowed regions
    /// only). Out of line: the hot path is the cache hit.
    #[cold]
    #[inline(never)]
    fn resolve(
        &mut self,
        r: ReqRef,
        q: &Request,
        resolver: u32,
        now: SimTime,
        sched: &mut Scheduler<Event>,
    ) {
        let index = self.dns.resolver_index(q.pop, resolver);
        if let Some((at, region)) = self.dns.lookup_in_flight(index, now) {
            // The resolver is already asking: the attempt waits for that answer
            // (one query, one bill).
            sched.schedule_at(
                at,
                Event::Resolved {
                    req: r,
                    region,
                    joined: true,
                    resolver: index,
                },
            );
            return;
        }
        let delay = self.dns.lookup.sample(&mut self.dns_rng);
        if let Some(m) = &mut self.cost {
            m.dns_query(now);
        }
        let (eligible, serving) = dns_candidates(
            self.residency.as_ref(),
            self.tag(q.pop),
            (&self.eligible, &self.serving),
            (&mut self.res_eligible, &mut self.res_serving),
        );
        let region = self
            .dns
            .query(q.pop, eligible, serving, now, &mut self.dns_rng)
            .unwrap_or(NO_REGION);
        self.dns
            .lookup_started(index, now.saturating_add(delay), region);
        sched.schedule_in(
            delay,
            Event::Resolved {
                req: r,
                region,
                joined: false,
                resolver: index,
            },
        );
    }

    /// A lookup came back: the resolver caches the answer whether or not the attempt that
    /// asked is still waiting for it (its client may have timed out or given up). An attempt
    /// that `joined` another's lookup gets the same answer, which that lookup stored.
    fn on_resolved(
        &mut self,
        r: ReqRef,
        region: RegionId,
        joined: bool,
        resolver: u32,
        sched: &mut Scheduler<Event>,
    ) {
        if !joined {
            self.dns
                .store(resolver, region, sched.now(), &mut self.dns_rng);
        }
        let Some(q) = self.get(r) else { return };
        let pop = q.pop;
        if region == NO_REGION {
            self.no_region(r, pop, sched);
            return;
        }
        self.requests[r.slot].re_resolve = false;
        self.send(r, region, sched);
    }

    /// The resolver of request `r`'s user holds a negative answer: the attempt fails
    /// `no_region` without a query. After the warm-up it counts as a stale answer when DNS would
    /// now answer with a region (one came back, or was promoted, since the answer was cached).
    #[cold]
    #[inline(never)]
    fn cached_no_region(&mut self, r: ReqRef, pop: PopulationId, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        if now >= self.sc.warmup {
            let (eligible, serving) = dns_candidates(
                self.residency.as_ref(),
                self.tag(pop),
                (&self.eligible, &self.serving),
                (&mut self.res_eligible, &mut self.res_serving),
            );
            if self.dns.would_answer(pop, eligible, serving, now) {
                self.dns_tally[pop as usize].stale_answers += 1;
            }
        }
        self.no_region(r, pop, sched);
    }

    /// A cached answer sent an attempt to `region`, which is down, unhealthy or no longer
    /// serving: stale when the authoritative DNS would not answer with it now. Under fail-open
    /// with every region unhealthy, or before the health checks see a region down, DNS gives
    /// the same answer: the cache is not behind it, and a shorter TTL would change nothing.
    #[cold]
    #[inline(never)]
    fn count_stale_answer(&mut self, pop: PopulationId, region: RegionId, now: SimTime) {
        let (eligible, serving) = dns_candidates(
            self.residency.as_ref(),
            self.tag(pop),
            (&self.eligible, &self.serving),
            (&mut self.res_eligible, &mut self.res_serving),
        );
        if !self
            .dns
            .could_answer_with(pop, eligible, serving, now, region)
        {
            self.dns_tally[pop as usize].stale_answers += 1;
        }
    }

    /// DNS answered the attempt of request `r` (of population `pop`) with no region, from the
    /// authoritative servers or from a resolver's negative cache: the attempt fails `no_region`.
    #[cold]
    #[inline(never)]
    fn no_region(&mut self, r: ReqRef, pop: PopulationId, sched: &mut Scheduler<Event>) {
        if self.enforced(self.tag(pop)) {
            self.res_count(sched.now(), |t| t.lookups_without_allowed_region += 1);
        }
        // This attempt went nowhere: its failure is not charged to the region an earlier
        // attempt reached (a retry that re-resolved, the only kind that gets here with one,
        // resolves again).
        self.requests[r.slot].entry = NO_REGION;
        self.attempt_failed(r, FailReason::NoRegion, sched);
    }

    /// The user connects to `region`: refused after the connect timeout when the region is
    /// down or cut off from the users (SPEC §2 step 3).
    fn send(&mut self, r: ReqRef, region: RegionId, sched: &mut Scheduler<Event>) {
        let q = &mut self.requests[r.slot];
        q.entry = region;
        q.exec = region;
        let pop = q.pop;
        let (from, to) = (self.links.population(pop), self.links.region(region));
        let refused_by = if self.regions[region as usize].down > 0 {
            Some(self.down_by[region as usize])
        } else {
            self.links
                .cut(from, to)
                .or_else(|| self.links.cut(to, from))
        };
        if let Some(f) = refused_by {
            self.refuse(r, pop, region, f, sched);
            return;
        }
        let d = self.one_way(self.sc.network.pop_rtt_out(pop, region), from, to);
        let ev = Event::AtRegion { req: r, region };
        if d > 0 {
            sched.schedule_in(d, ev);
        } else if sched.hand_over_now::<Self>(ev).is_some() {
            // Users at zero distance: sending is the last action of every handler that sends.
            self.at_region(r, region, sched);
        }
    }

    /// Fault `f` refuses the connection of request `r` (of population `pop`) to `region`: the
    /// attempt fails once its connect timeout has passed.
    #[cold]
    #[inline(never)]
    fn refuse(
        &mut self,
        r: ReqRef,
        pop: PopulationId,
        region: RegionId,
        f: FaultId,
        sched: &mut Scheduler<Event>,
    ) {
        if self.regions[region as usize].down > 0 {
            self.tallies[f as usize].last_attempt_while_down = Some(sched.now());
        }
        self.tallies[f as usize].refused += 1;
        self.requests[r.slot].touched_by = f;
        let ct = self.sc.populations[pop as usize].client.connect_timeout;
        sched.schedule_in(
            ct,
            Event::Response {
                req: r,
                result: AttemptResult::Failed(FailReason::Unreachable),
            },
        );
    }

    /// Sends request `r` (an `op`) on from region `from` to region `to`, where it executes: a
    /// cut drops it (the cut owns its failure; its client's timer fires), else it is billed as
    /// forwarding egress once it crosses (SPEC §3 Cost) and arrives after the one-way delay.
    fn forward_request(
        &mut self,
        r: ReqRef,
        from: RegionId,
        to: RegionId,
        op: Op,
        sched: &mut Scheduler<Event>,
    ) {
        let slot = r.slot;
        self.requests[slot].exec = to;
        let (a, b) = (self.links.region(from), self.links.region(to));
        if let Some(f) = self.links.cut(a, b) {
            self.tallies[f as usize].dropped += 1;
            self.requests[slot].touched_by = f;
            return;
        }
        if let (Some(m), Some(z)) = (&mut self.cost, &self.sizes) {
            let bytes = match op {
                Op::Read => z.read_request,
                Op::Write => z.write_request,
            };
            m.forwarding(from, to, bytes, sched.now());
        }
        let d = self.one_way(self.sc.network.region_rtt(from, to), a, b);
        sched.schedule_in(d, Event::AtRegion { req: r, region: to });
    }

    /// An attempt (or a forwarded write) reaches `region`: the `AtRegion` event.
    #[inline(never)]
    fn on_at_region(&mut self, r: ReqRef, region: RegionId, sched: &mut Scheduler<Event>) {
        self.at_region(r, region, sched);
    }

    /// [`World::on_at_region`]'s body, inlined into `send`, whose hand-over is every
    /// zero-distance attempt's way in: no call, and its arguments stay in registers.
    #[inline(always)]
    fn at_region(&mut self, r: ReqRef, region: RegionId, sched: &mut Scheduler<Event>) {
        let Some(q) = self.get(r) else { return };
        let op = q.op;
        let ri = region as usize;
        let rs = &self.regions[ri];
        // Only faults change a region's capacity loss or slowdown, not a write's diversion.
        let (down, degraded) = (rs.down > 0, rs.degraded);
        if down {
            self.lost_at_dead_region(r, region);
            return;
        }
        if op == Op::Write && self.write_diverted(r, region, sched) {
            return;
        }
        if degraded {
            self.charge_degradation(r, region);
        }
        let now = sched.now();
        match self.regions[ri].pool.arrive(r, now) {
            Admission::Serve => self.start_service(region, r, now, sched),
            Admission::Queued => self.requests[r.slot].stage = PoolStage::Queued,
            Admission::Shed => self.respond(
                r,
                region,
                AttemptResult::Failed(FailReason::Overload),
                After::Nothing,
                sched,
            ),
        }
    }

    /// Request `r` reached `region`, which is down: lost; its client's timer will fire.
    #[cold]
    #[inline(never)]
    fn lost_at_dead_region(&mut self, r: ReqRef, region: RegionId) {
        let f = self.down_by[region as usize];
        self.tallies[f as usize].dropped += 1;
        self.requests[r.slot].touched_by = f;
    }

    /// `region` runs with part of its capacity lost or slowed down: the charged loss or
    /// slowdown (when both are active, the one begun last) owns request `r`'s failure if it
    /// fails here (overload, a queue too long for its timer, a service past it). Each counts
    /// the arrival.
    #[cold]
    #[inline(never)]
    fn charge_degradation(&mut self, r: ReqRef, region: RegionId) {
        let ri = region as usize;
        let loss = (self.regions[ri].capacity_lost > 0.0).then(|| self.loss_by.get(ri));
        let slow = (self.regions[ri].slowdown != 1.0)
            .then(|| self.slowdowns[ri].last().map_or(NO_FAULT, |e| e.0));
        if let Some(f) = loss {
            self.tallies[f as usize].reduced_capacity_arrivals += 1;
        }
        if let Some(f) = slow {
            self.tallies[f as usize].slowed_arrivals += 1;
        }
        let owner = match (loss, slow) {
            (Some(l), Some(s)) => {
                let begun = |f: FaultId| self.tallies[f as usize].started;
                if begun(l) > begun(s) { l } else { s }
            }
            (l, s) => l.or(s).unwrap_or(NO_FAULT),
        };
        self.requests[r.slot].touched_by = owner;
    }

    /// Write request `r` reached `region`: whether it goes elsewhere instead of being served
    /// here: forwarded to an active-passive primary (SPEC §2 step 5), refused a forward out of
    /// its allowed regions, or held while the primary drains for a planned failback. Out of
    /// line: reads are the hot path.
    #[inline(never)]
    fn write_diverted(
        &mut self,
        r: ReqRef,
        region: RegionId,
        sched: &mut Scheduler<Event>,
    ) -> bool {
        if let Some(primary) = self.primary
            && primary != region
        {
            let tag = self.tag(self.requests[r.slot].pop);
            if self.enforced(tag) && !self.allows(tag, primary) {
                // Enforced residency: a pinned write never leaves its allowed regions.
                self.res_count(sched.now(), |t| t.forwards_refused += 1);
                self.requests[r.slot].kept_from_primary = true;
                self.respond(
                    r,
                    region,
                    AttemptResult::Failed(FailReason::NoRegion),
                    After::Nothing,
                    sched,
                );
                return true;
            }
            self.forward_request(r, region, primary, Op::Write, sched);
            return true;
        }
        // The primary drains for a planned failback.
        self.failback.draining() && self.failback_hold(r, region)
    }

    #[inline(always)]
    fn start_service(
        &mut self,
        region: RegionId,
        r: ReqRef,
        arrived: SimTime,
        sched: &mut Scheduler<Event>,
    ) {
        let q = &mut self.requests[r.slot];
        q.stage = PoolStage::InService;
        let op = q.op;
        let rs = &mut self.regions[region as usize];
        let d: &Dist = if op == Op::Write {
            &rs.spec.write_service
        } else {
            &rs.spec.read_service
        };
        let mut s = d.sample(&mut rs.service);
        if rs.degraded {
            s = slowed(s, rs.slowdown);
        }
        let pool = &mut rs.pool;
        pool.record_service(arrived, sched.now(), s);
        let epoch = pool.epoch();
        sched.schedule_in(
            s,
            Event::ServiceDone {
                region,
                req: r,
                epoch,
            },
        );
    }

    fn on_service_done(
        &mut self,
        region: RegionId,
        r: ReqRef,
        epoch: u32,
        sched: &mut Scheduler<Event>,
    ) {
        let pool = &mut self.regions[region as usize].pool;
        if pool.epoch() != epoch {
            return; // the region crashed while serving it
        }
        let now = sched.now();
        let requests = &self.requests;
        let next = pool.depart(now, |h| requests[h.slot].is_current(h));
        if let Some((n, arrived)) = next {
            self.start_service(region, n, arrived, sched);
        }
        let q = &mut self.requests[r.slot];
        if !q.is_current(r) {
            return;
        }
        // The fields it needs, read before the stage is written: a read back over a fresh
        // one-byte store would wait for it (no store forwarding), on every request's path.
        let (pop, op) = (q.pop, q.op);
        q.stage = PoolStage::Outside;
        let tag = self.tag(pop);
        if !self.allows(tag, region) {
            self.res_count(now, |t| t.requests_served_outside += 1);
        }
        if self.errors_active > 0 && self.answers_with_error(r, region) {
            // Served, and answered with an error: a write is not committed, a read not judged.
            if op == Op::Write && self.failback.draining() {
                // The draining primary will not commit it: the switchover may have waited
                // only for it (as `commit_write` checks for a write that commits).
                self.failback_progress(sched);
            }
            self.respond(
                r,
                region,
                AttemptResult::Failed(FailReason::Error),
                After::Nothing,
                sched,
            );
            return;
        }
        let Some(x) = self.data.data_region(region) else {
            self.respond(r, region, AttemptResult::Ok, After::Nothing, sched);
            return;
        };
        if self.data.quorum().is_some() {
            self.quorum_start(r, x, region, op == Op::Write, sched);
            return;
        }
        if op == Op::Read {
            self.serve_read(r, x, region, After::Nothing, sched);
            return;
        }
        let q = self.requests[r.slot];
        self.commit_write(r, &q, x, region, tag, now, sched);
    }

    /// Whether `region`'s `ErrorRate` faults answer request `r` with an error: each active one
    /// draws in turn (in the order they began), and the first that fires is charged with the
    /// attempt, so `k` overlapping faults fail it with probability 1 − ∏(1 − fᵢ).
    #[cold]
    #[inline(never)]
    fn answers_with_error(&mut self, r: ReqRef, region: RegionId) -> bool {
        let ri = region as usize;
        let fired = self.errors[ri]
            .iter()
            .find(|(_, share, _)| unit(&mut self.error_rng[ri]) < *share)
            .map(|(f, _, _)| *f);
        let Some(f) = fired else { return false };
        self.tallies[f as usize].errors += 1;
        self.requests[r.slot].touched_by = f;
        true
    }

    /// Whether `region`'s `ErrorRate` faults that fail probes (`probes_fail`) fail a health
    /// probe, drawn as [`World::answers_with_error`] draws; `Some(fault)` to charge.
    #[cold]
    #[inline(never)]
    fn probe_errors(&mut self, region: RegionId) -> Option<FaultId> {
        let ri = region as usize;
        self.errors[ri]
            .iter()
            .filter(|(_, _, probes_fail)| *probes_fail)
            .find(|(_, share, _)| unit(&mut self.probe_error_rng[ri]) < *share)
            .map(|(f, _, _)| *f)
    }

    /// How long a deep health probe of `region` takes there while `Slowdown` faults slow it,
    /// and the fault to charge if that makes it fail: `(0, NO_FAULT)` unless one of them slows
    /// probes (`probes_slow`). The probe waits behind the live requests queued there when it
    /// is sent, served `servers` at a time at the typical read service time
    /// ([`crate::model::Region::read_typical_ns`]), then is served itself, every service
    /// slowed by the region's slowdown (an estimate from the queue's length, not a place in
    /// it: the probe takes no server's time). With no server left (a `CapacityLoss` of every
    /// one) it is never served, and the loss is charged.
    #[cold]
    #[inline(never)]
    fn deep_probe_wait(&self, region: RegionId) -> (SimTime, FaultId) {
        let ri = region as usize;
        let Some(&(f, _, _)) = self.slowdowns[ri].iter().rev().find(|e| e.2) else {
            return (0, NO_FAULT);
        };
        let rs = &self.regions[ri];
        let servers = rs.pool.servers();
        if servers == 0 {
            let loss = self.loss_by.get(ri);
            return (MAX_DRAW, if loss == NO_FAULT { f } else { loss });
        }
        let service = rs.spec.read_typical_ns * rs.slowdown;
        let ahead = if rs.pool.all_busy() {
            let requests = &self.requests;
            let live = rs.pool.queued_live(|h| requests[h.slot].is_current(h));
            (live + 1) as f64 / f64::from(servers)
        } else {
            0.0
        };
        let wait = service * (1.0 + ahead);
        (wait.min(MAX_DRAW as f64).round() as SimTime, f)
    }

    /// Write request `r` (`q`) served at `region` (data region `x`) commits: it is
    /// replicated, and acknowledged once enough replicas have it (SPEC §2 step 5).
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn commit_write(
        &mut self,
        r: ReqRef,
        q: &Request,
        x: DataRegion,
        region: RegionId,
        tag: u8,
        now: SimTime,
        sched: &mut Scheduler<Event>,
    ) {
        // Enforced residency: the record is not replicated outside its allowed regions.
        let withheld_from = if self.enforced(tag) {
            self.withheld_from(x, tag)
        } else {
            0
        };
        let mut hops = self.data.first_hops(x);
        hops.retain(|y| withheld_from & (1 << y) == 0);
        let withheld = withheld_from.count_ones();
        let seq = self.data.commit(x, q.key, now, withheld == 0);
        if !self.allows(tag, region) {
            self.res_count(now, |t| t.records_stored_outside += 1);
        }
        let jumped = self.clock_jumped_by[x as usize];
        if jumped != NO_FAULT {
            self.tallies[jumped as usize].writes_stamped += 1;
        }
        for y in hops {
            self.replicate(x, y, x, seq, now, true, tag, sched);
        }
        if self.failback.draining() {
            // A write served as the drain began: does it keep the old primary waiting long?
            self.failback_progress(sched);
        }
        let mut needed = self.data.acks_needed();
        if withheld > 0 {
            self.res_count(now, |t| t.replications_withheld += u64::from(withheld));
            self.data.withhold(x, seq, withheld_from);
            let reachable = (self.data.len() as u32).saturating_sub(1 + withheld);
            needed = needed.min(reachable);
        }
        // A write a fallback timer will judge, or the first since a fallback, is judged by
        // the replicas residency lets it reach.
        let state = &self.semi_sync[x as usize];
        let judged = if state.fallen_back {
            state.catch_up.is_none()
        } else {
            self.sc.data.semi_sync_fallback.is_some()
        };
        if judged && needed > 0 && withheld > 0 {
            self.ack_needs.insert((x, seq), (needed, withheld_from));
        }
        let state = &mut self.semi_sync[x as usize];
        if needed > 0 && state.fallen_back {
            // Fallen back to asynchronous replication: acknowledged at once.
            needed = 0;
            state.catch_up.get_or_insert(seq);
            if now >= self.sc.warmup {
                self.data.tally.acked_without_replicas += 1;
                if !state.counted {
                    state.counted = true;
                    self.data.tally.semi_sync_fallbacks += 1;
                }
            }
        }
        if needed == 0 {
            self.acknowledge(r, q, x, seq, now, now);
            self.respond(r, region, AttemptResult::Ok, After::Nothing, sched);
        } else {
            self.awaiting_acks.insert((x, seq), (r, needed, now));
            self.waits[r.slot].ack = Some((x, seq));
            self.note_waits();
            if let Some(wait) = self.sc.data.semi_sync_fallback {
                sched.schedule_in(wait, Event::AckWaitOver { origin: x, seq });
            }
        }
    }

    /// Enforced residency: the replicas that may not hold a write of data region `x` tagged
    /// `tag` (a bit per data region). Every replica is a first hop: the loader refuses a
    /// `Chain` with enforced residency.
    fn withheld_from(&self, x: DataRegion, tag: u8) -> u64 {
        let regions = &self.data.regions;
        (0..self.data.len() as DataRegion)
            .filter(|z| *z != x && !self.allows(tag, regions[*z as usize]))
            .fold(0, |m, z| m | 1 << z)
    }

    /// Sends write `(origin, seq)` from data region `from` to `to` at `now`. A first hop
    /// spends the replication lag (and any lag spike on the link) at the target, after it
    /// arrives (SPEC §2), or before it ships with `lag_at: Sender`.
    #[allow(clippy::too_many_arguments)]
    fn replicate(
        &mut self,
        from: DataRegion,
        to: DataRegion,
        origin: DataRegion,
        seq: u32,
        now: SimTime,
        first_hop: bool,
        tag: u8,
        sched: &mut Scheduler<Event>,
    ) {
        let li = from as usize * self.data.len() + to as usize;
        let spike = self.repl_extra[li];
        if spike > 0 {
            self.tallies[self.repl_extra_by.get(li) as usize].replication_delayed += 1;
        }
        let lag = spike
            + if first_hop {
                self.data.stream_lag(from, to, now, &mut self.repl_rng)
            } else {
                0
            };
        let (a, b) = (
            self.data.regions[from as usize],
            self.data.regions[to as usize],
        );
        let at_target = self.sc.data.lag_at == LagAt::Target;
        let mut ship = if at_target { now } else { now + lag };
        let tx = self.sc.data.transmit;
        if tx > 0 {
            // Bandwidth: messages leave one after another, each taking `tx` to send.
            let link = &mut self.data.links[li];
            ship = ship.max(link.busy_until) + tx;
            link.busy_until = ship;
        }
        let d = self.one_way(
            self.sc.network.region_rtt(a, b),
            self.links.region(a),
            self.links.region(b),
        );
        let arrive = ship + d;
        let msg = Message {
            origin,
            seq,
            ship,
            arrive,
            due: if at_target { arrive + lag } else { arrive },
            tag,
            billed: true,
        };
        if self.sc.data.ack == ReplicaAck::Received && self.data.acks_needed() > 0 {
            // Scheduled before the delivery, so that at equal times the receipt comes first.
            sched.schedule_at(
                arrive,
                Event::ReplReceived {
                    from,
                    to,
                    origin,
                    seq,
                },
            );
        }
        if let (Some(m), Some(z)) = (&mut self.cost, &self.sizes) {
            // Billed when it leaves (SPEC §3 Cost): behind the link's backlog, after a lag
            // spent in the sender.
            m.replication(a, b, z.replication, ship);
        }
        match self.data.push(from, to, msg) {
            Pushed::Schedule(due) => {
                sched.schedule_at(due.max(now), Event::ReplDeliver { from, to })
            }
            Pushed::Pending => {}
            Pushed::Parked => {
                // Queued behind a head a fault holds: held too, until the heal wakes the link.
                // Charged to the fault holding the head now, which is not the one that parked
                // the link when that one ended under another (overlapping outages of a region).
                let head = self.data.head(from, to).expect("a parked link has a head");
                match self.held_by(from, to, &head) {
                    Some(f) => {
                        self.count_held(li, f, 1);
                        self.unbill_unsent(from, to, true);
                    }
                    None => {
                        // Nothing holds it any more: wake the link.
                        self.data.links[li].scheduled = true;
                        sched.schedule_at(head.due.max(now), Event::ReplDeliver { from, to });
                    }
                }
            }
        }
    }

    /// The head of a replication log is due: applied, or parked while a fault blocks it.
    fn on_repl_deliver(&mut self, from: DataRegion, to: DataRegion, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let Some(head) = self.data.head(from, to) else {
            self.data.park(from, to);
            return;
        };
        if head.due > now {
            // The head is due later than this event: a promotion applied the messages before
            // it (`drain_to_promoted`), or a heal sent it again (`restamp`).
            sched.schedule_at(head.due, Event::ReplDeliver { from, to });
            return;
        }
        if let Some(f) = self.held_by(from, to, &head) {
            self.count_held(from as usize * self.data.len() + to as usize, f, 0);
            self.data.park(from, to);
            self.unbill_unsent(from, to, false);
            return;
        }
        self.held_for[from as usize * self.data.len() + to as usize] = (NO_FAULT, 0);
        let (msg, next) = self.apply_head(from, to, &head, now);
        if let Some(t) = next {
            sched.schedule_at(t, Event::ReplDeliver { from, to });
        }
        self.delivered(from, to, msg, sched);
    }

    /// Applies `head`, the head of `from → to`, at `now`, billing it if a fault had held it
    /// back; a head that applied nothing (fenced off, a duplicate) drops its receipt entry.
    /// Returns what [`DataLayer::deliver`] does: the message applied and the next one's due time.
    fn apply_head(
        &mut self,
        from: DataRegion,
        to: DataRegion,
        head: &Message,
        now: SimTime,
    ) -> (Option<Message>, Option<SimTime>) {
        self.bill_if_held_back(from, to, head, now);
        let (msg, next) = self.data.deliver(from, to, now);
        if msg.is_none() {
            self.acked_on_receipt.remove(&(to, head.origin, head.seq));
        }
        (msg, next)
    }

    /// A write a fault had kept from crossing (its egress taken back by `unbill_unsent`) and
    /// not sent again at the heal crosses now, and is billed now.
    fn bill_if_held_back(&mut self, from: DataRegion, to: DataRegion, msg: &Message, now: SimTime) {
        if msg.billed {
            return;
        }
        if let (Some(m), Some(z)) = (&mut self.cost, &self.sizes) {
            let (a, b) = (
                self.data.regions[from as usize],
                self.data.regions[to as usize],
            );
            m.replication(a, b, z.replication, now);
        }
    }

    /// A cut of `from → to` or a dead receiver keeps the writes sent since it began from
    /// crossing (the sender is up): with the lag spent at the sender they wait in its log,
    /// with the lag at the target they are sent again at the heal (`restamp`). Either way
    /// they have not crossed, so their egress, billed when they were due to leave, is taken
    /// back, and billed when they cross (README, Cost: "when the bytes leave"; not at all if
    /// that is after the run). Only the newest queued message when `newest_only` (it joined a
    /// link already parked, whose older messages were seen to when it parked). A dead
    /// sender's log is billed when each write was first due to leave, as documented.
    fn unbill_unsent(&mut self, from: DataRegion, to: DataRegion, newest_only: bool) {
        let (Some(m), Some(z)) = (&mut self.cost, &self.sizes) else {
            return;
        };
        let (a, b) = (
            self.data.regions[from as usize],
            self.data.regions[to as usize],
        );
        let since = if self.regions[a as usize].down > 0 {
            return;
        } else if self.regions[b as usize].down > 0 {
            self.down_since[b as usize]
        } else {
            let (la, lb) = (self.links.region(a), self.links.region(b));
            if self.links.cut(la, lb).is_none() {
                return;
            }
            self.links.cut_began(la, lb)
        };
        let li = from as usize * self.data.len() + to as usize;
        let queue = &mut self.data.links[li].queue;
        let skip = if newest_only {
            queue.len().saturating_sub(1)
        } else {
            0
        };
        for msg in queue.iter_mut().skip(skip) {
            if msg.billed && msg.ship >= since {
                m.replication_refund(a, b, z.replication, msg.ship);
                msg.billed = false;
            }
        }
    }

    /// Fault `f` holds the head of link `li`: the first time in this occurrence of `f` (since
    /// a message last got through) everything queued is held behind it and counted; after
    /// that only the `new` messages queued behind it. So each held message counts once per
    /// occurrence, however often the link is woken.
    fn count_held(&mut self, li: usize, f: FaultId, new: u64) {
        let occurrence = (f, self.tallies[f as usize].occurrences);
        let held = if self.held_for[li] == occurrence {
            new
        } else {
            self.held_for[li] = occurrence;
            self.data.links[li].queue.len() as u64
        };
        self.tallies[f as usize].messages_held += held;
    }

    /// Whether message `m` at the head of `from → to` is applied by a promotion of `to` at
    /// `now`: it has arrived and no fault holds it (see `drain_to_promoted`).
    fn drains_now(&self, from: DataRegion, to: DataRegion, m: &Message, now: SimTime) -> bool {
        m.arrive <= now && self.held_by(from, to, m).is_none()
    }

    /// The fault that keeps `head` of `from → to` from being applied now, if any: a dead
    /// receiver; a sender that died before the write left it (it waits in the sender's log);
    /// a cut link, which with the lag spent at the target holds only a write that had not yet
    /// arrived when the cut began.
    fn held_by(&self, from: DataRegion, to: DataRegion, head: &Message) -> Option<FaultId> {
        let (a, b) = (
            self.data.regions[from as usize],
            self.data.regions[to as usize],
        );
        let (la, lb) = (self.links.region(a), self.links.region(b));
        if self.regions[b as usize].down > 0 {
            Some(self.down_by[b as usize])
        } else if self.regions[a as usize].down > 0 && self.down_since[a as usize] <= head.ship {
            Some(self.down_by[a as usize])
        } else if self.sc.data.lag_at == LagAt::Target {
            self.links.cut_since(la, lb, head.arrive)
        } else {
            self.links.cut(la, lb)
        }
    }

    /// A promotion with the lag spent at the target: the promoted replica first applies
    /// every write on `old → new` that reached it before its sender failed or was cut off
    /// (its relay log), as database promotions do; only writes that never left, or never
    /// arrived, are lost (SPEC §2, §3 RPO).
    fn drain_to_promoted(
        &mut self,
        old: DataRegion,
        new: DataRegion,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        let li = old as usize * self.data.len() + new as usize;
        let was_scheduled = self.data.links[li].scheduled;
        while let Some(head) = self.data.head(old, new) {
            if !self.drains_now(old, new, &head, now) {
                break;
            }
            let (msg, _) = self.apply_head(old, new, &head, now);
            self.delivered(old, new, msg, sched);
        }
        // A pending delivery event finds the new head (or none) and reschedules or parks.
        self.data.links[li].scheduled = was_scheduled;
    }

    /// What follows the delivery of `msg` on `from → to` (`None`: fenced off or a duplicate):
    /// the heal watch, residency, a failback under way, waiting reads, the next hop of a chain
    /// and the acknowledgement of a synchronous write.
    fn delivered(
        &mut self,
        from: DataRegion,
        to: DataRegion,
        msg: Option<Message>,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        let b = self.data.regions[to as usize];
        if let Some(m) = msg
            && !self.heal_watch.is_empty()
        {
            self.heal_watch.retain(|&(f, wf, wt, o, seq, healed)| {
                let done = wf == from && wt == to && m.origin == o && m.seq >= seq;
                if done {
                    let t = &mut self.tallies[f as usize];
                    let after = now.saturating_sub(healed);
                    t.caught_up_after = Some(t.caught_up_after.map_or(after, |x| x.max(after)));
                }
                !done
            });
        }
        let Some(msg) = msg else { return };
        if !self.allows(msg.tag, b) {
            self.res_count(now, |t| t.records_stored_outside += 1);
        }
        if self.failback_under_way() {
            self.failback_progress(sched);
        }
        if !self.read_waiters.is_empty() {
            self.wake_reads(to, msg.origin, msg.seq, sched);
        }
        if let Some(n) = self.data.next_hop(msg.origin, from, to) {
            self.replicate(to, n, msg.origin, msg.seq, now, false, msg.tag, sched);
        }
        // In a synchronous mode every replica acknowledges every write (and the link bills
        // it), whether or not its origin still waits for it: here, unless it did on receipt.
        if self.data.acks_needed() > 0 && !self.acked_on_receipt.remove(&(to, msg.origin, msg.seq))
        {
            self.send_ack(to, msg.origin, msg.seq, sched);
        }
    }

    /// Write `(origin, seq)` reaches replica `to` over `from → to` (it left at `ship`): with
    /// [`ReplicaAck::Received`] the replica acknowledges it now, as a relay log does, unless a
    /// fault holds it (then it does when it applies it, after the heal) or it was applied
    /// already (a promotion drained it at this instant, and acknowledged it then).
    fn on_repl_received(
        &mut self,
        (from, to): (DataRegion, DataRegion),
        origin: DataRegion,
        seq: u32,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        // Applied already (a promotion drained it at this instant), fenced off and dropped
        // from the log, or sent again later by a heal: no receipt now.
        let li = from as usize * self.data.len() + to as usize;
        let Some(arrived) = self.data.links[li]
            .queue
            .iter()
            .rev()
            .find(|m| m.origin == origin && m.seq == seq && m.arrive == now)
            .copied()
        else {
            return;
        };
        if self.data.has_applied(to, origin, seq) || self.held_by(from, to, &arrived).is_some() {
            return;
        }
        self.acked_on_receipt.insert((to, origin, seq));
        self.send_ack(to, origin, seq, sched);
    }

    /// Replica `to` acknowledges write `(origin, seq)` to its origin, over the link back
    /// (billed; dropped by a cut).
    fn send_ack(
        &mut self,
        to: DataRegion,
        origin: DataRegion,
        seq: u32,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        let b = self.data.regions[to as usize];
        let o = self.data.regions[origin as usize];
        let (pa, pb) = (self.links.region(b), self.links.region(o));
        if let Some(f) = self.links.cut(pa, pb) {
            self.tallies[f as usize].dropped += 1;
            return;
        }
        let d = self.one_way(self.sc.network.region_rtt(b, o), pa, pb);
        if let (Some(m), Some(z)) = (&mut self.cost, &self.sizes) {
            m.replication(b, o, z.ack, now);
        }
        sched.schedule_in(
            d,
            Event::ReplAck {
                origin,
                from: to,
                seq,
            },
        );
    }

    /// Serves a read at data region `x` (pool region `region`): under session or bounded
    /// staleness it first waits for, or is routed to, the write it must see.
    #[inline(always)]
    fn serve_read(
        &mut self,
        r: ReqRef,
        x: DataRegion,
        region: RegionId,
        after: After,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        // The fields the read needs, not a copy of the whole slot (see `on_service_done`).
        let Some(q) = self.get(r) else {
            return;
        };
        let (key, pop, user, t0) = (q.key, q.pop, q.user, q.t0);
        let c = self.sc.data.consistency;
        // An eventual read waits for nothing (checked here: the call is the hot path's).
        let requirement = if c == crate::model::Consistency::Eventual {
            None
        } else {
            self.data.read_requirement(c, x, key, pop, user, t0, now)
        };
        if let Some((o, seq)) = requirement {
            self.read_must_see(r, x, region, (o, seq), after, sched);
            return;
        }
        self.read_verdicts[r.slot] = self.data.judge_read(x, key, pop, user, t0, now);
        self.respond_inline(r, region, AttemptResult::Ok, after, sched);
    }

    /// Read request `r` (`q`) at data region `x` (pool region `region`) must see write `seq`
    /// of `o`, which `x` lacks: routed to a region that has it (`SessionRoute`), or waiting
    /// at `x` until it arrives.
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn read_must_see(
        &mut self,
        r: ReqRef,
        x: DataRegion,
        region: RegionId,
        (o, seq): (DataRegion, u32),
        after: After,
        sched: &mut Scheduler<Event>,
    ) {
        let q = self.requests[r.slot];
        let now = sched.now();
        let c = self.sc.data.consistency;
        let counted = now >= self.sc.warmup;
        // A `SessionRoute` read still at its entry may be sent on (once).
        let may_route = c == crate::model::Consistency::SessionRoute && q.exec == q.entry;
        // What a read routed now would wait for at each replica (computed once: the target
        // and, when there is none, the probes both need it).
        let (needs, route_to) = if may_route {
            let needs: Vec<Option<(DataRegion, u32)>> = (0..self.data.len() as DataRegion)
                .map(|y| {
                    if y == x {
                        Some((o, seq))
                    } else {
                        self.data
                            .read_requirement(c, y, q.key, q.pop, q.user, q.t0, now)
                    }
                })
                .collect();
            let target = self.session_target(o, x, &needs, self.tag(q.pop));
            (needs, target)
        } else {
            (vec![], None)
        };
        if let Some(target) = route_to {
            // Send the read to a region with every recent write of the user.
            if counted {
                self.data.tally.reads_routed += 1;
            }
            self.forward_request(r, region, target, Op::Read, sched);
        } else {
            // Counted once per replica it waits at (woken, it may wait again for another).
            if counted && after == After::Nothing {
                self.data.tally.reads_waited += 1;
            }
            self.read_waiter_seq += 1;
            let n = self.read_waiter_seq;
            self.read_waiters.insert((x, o, seq, n), (r, region));
            self.waits[r.slot].read = Some((x, o, seq, n));
            if may_route {
                // No region holds them all yet: probe every other region too, so that
                // the read goes to the first that does rather than waiting here.
                let mut keys = vec![(x, o, seq)];
                for (y, need) in needs.iter().enumerate() {
                    let y = y as DataRegion;
                    if let Some((oy, sy)) = *need
                        && y != x
                    {
                        self.read_waiters.insert((y, oy, sy, n), (r, region));
                        keys.push((y, oy, sy));
                    }
                }
                self.route_groups.insert(n, keys);
            }
            self.note_waits();
        }
    }

    /// Keeps the peak of the waits held (`peak_waits`).
    fn note_waits(&mut self) {
        self.peak_waits = self.peak_waits.max(
            self.awaiting_acks.len()
                + self.read_waiters.len()
                + self.data.unacknowledged()
                + self.failback.held.len(),
        );
    }

    /// The attempt of slot `slot` ended: it waits for nothing any more (see [`Waits`]).
    fn stop_waiting(&mut self, slot: u32) {
        let w = std::mem::replace(&mut self.waits[slot], Waits::NONE);
        if let Some(k) = w.ack {
            self.awaiting_acks.remove(&k);
            self.data.abandoned(k.0, k.1);
        }
        if let Some(k) = w.read {
            self.read_waiters.remove(&k);
            if let Some(group) = self.route_groups.remove(&k.3) {
                for (y, o, seq) in group {
                    self.read_waiters.remove(&(y, o, seq, k.3));
                }
            }
        }
        if w.held {
            // Only the slot's current attempt can be held: the others left with their attempts.
            self.failback.held.retain(|h| h.slot != slot);
        }
    }

    /// `SessionRoute`: where a read at `x` lacking the user's write from `origin` goes: that
    /// origin if it holds every recent write of the user, else the nearest other such region
    /// that is up; `None` (the read waits at `x`) when there is none. `needs[y]`: what the read
    /// would wait for at replica `y`. Under enforced residency only regions allowed for the
    /// user's jurisdiction (`tag`) are candidates: a pinned request is never served outside.
    fn session_target(
        &self,
        origin: DataRegion,
        x: DataRegion,
        needs: &[Option<(DataRegion, u32)>],
        tag: u8,
    ) -> Option<RegionId> {
        let here = self.data.regions[x as usize];
        let enforced = self.enforced(tag);
        let has_all = |y: DataRegion| {
            let r = self.data.regions[y as usize];
            y != x
                && self.regions[r as usize].down == 0
                && needs[y as usize].is_none()
                && (!enforced || self.allows(tag, r))
        };
        (0..self.data.len() as DataRegion)
            .filter(|y| has_all(*y))
            .min_by_key(|y| {
                let r = self.data.regions[*y as usize];
                (*y != origin, self.sc.network.region_rtt(here, r), r)
            })
            .map(|y| self.data.regions[y as usize])
    }

    /// A failover fenced off writes of `origin`: every read waiting for one of its writes
    /// looks again (it waits on for a write still to come, or returns).
    fn recheck_waiters(&mut self, origin: DataRegion, sched: &mut Scheduler<Event>) {
        let waiting: Vec<_> = self
            .read_waiters
            .keys()
            .filter(|k| k.1 == origin)
            .copied()
            .collect();
        self.serve_waiting(waiting, sched);
    }

    /// The reads waiting under `keys` look again: served, sent on, or waiting anew.
    fn serve_waiting(
        &mut self,
        keys: Vec<(DataRegion, DataRegion, u32, u64)>,
        sched: &mut Scheduler<Event>,
    ) {
        for k in keys {
            let Some((r, region)) = self.read_waiters.remove(&k) else {
                continue;
            };
            let w = &mut self.waits[r.slot].read;
            if w.is_some_and(|w| w.3 == k.3) {
                *w = None;
            }
            let x = match self.route_groups.remove(&k.3) {
                // A `SessionRoute` read: whichever of its keys woke, it looks again from the
                // region where it waits, and its other keys go.
                Some(group) => {
                    for &(y, o, seq) in &group {
                        self.read_waiters.remove(&(y, o, seq, k.3));
                    }
                    group[0].0
                }
                None => k.0,
            };
            // The user may have written again meanwhile: check anew.
            self.serve_read(r, x, region, After::More, sched);
        }
    }

    /// Replica `x` applied `(origin, seq)`: reads waiting for it (or for an older write of
    /// that origin) return now.
    fn wake_reads(
        &mut self,
        x: DataRegion,
        origin: DataRegion,
        seq: u32,
        sched: &mut Scheduler<Event>,
    ) {
        let ready: Vec<_> = self
            .read_waiters
            .range((x, origin, 0, 0)..=(x, origin, seq, u64::MAX))
            .map(|(k, _)| *k)
            .collect();
        self.serve_waiting(ready, sched);
    }

    /// Replica `from` acknowledged a synchronous write: answer the client once enough have.
    fn on_repl_ack(
        &mut self,
        origin: DataRegion,
        from: DataRegion,
        seq: u32,
        sched: &mut Scheduler<Event>,
    ) {
        let o = origin as usize;
        let n = self.data.len();
        let high = &mut self.acked_up_to[o * n + from as usize];
        *high = Some(high.map_or(seq, |h| h.max(seq)));
        // As many replicas as a write waits for hold the first write committed since the
        // fallback: they have caught up, and the origin waits for replicas again (as MySQL's
        // source switches semi-sync back on once `wait_for_replica_count` replicas
        // acknowledged past the point where it switched off). An older write's
        // acknowledgement, from a replica still behind, or fewer replicas than a write waits
        // for (one of two dead under `SemiSync(2)`), would only make the next writes wait out
        // the timeout again.
        if let Some(first) = self.semi_sync[o].catch_up.filter(|f| seq >= *f)
            && self.taken(origin, first)
        {
            self.end_fallback(origin);
        }
        let Some((_, left, _)) = self.awaiting_acks.get_mut(&(origin, seq)) else {
            return;
        };
        *left -= 1;
        if *left > 0 {
            return;
        }
        self.acks_complete(origin, seq, sched);
    }

    /// Whether as many replicas as SemiSync write `(origin, seq)` waits for hold it: they
    /// acknowledged it or a later write, and residency did not keep it from them.
    fn taken(&self, origin: DataRegion, seq: u32) -> bool {
        let (needed, kept_from) = self
            .ack_needs
            .get(&(origin, seq))
            .copied()
            .unwrap_or((self.data.acks_needed(), 0));
        let (o, n) = (origin as usize, self.data.len());
        let holding = self.acked_up_to[o * n..(o + 1) * n]
            .iter()
            .enumerate()
            .filter(|&(x, h)| x != o && kept_from & (1 << x) == 0 && h.is_some_and(|h| h >= seq))
            .count() as u32;
        holding >= needed
    }

    /// Data region `origin` waits for its replicas again.
    fn end_fallback(&mut self, origin: DataRegion) {
        let state = &mut self.semi_sync[origin as usize];
        state.fallen_back = false;
        if let Some(first) = state.catch_up.take() {
            self.ack_needs.remove(&(origin, first));
        }
    }

    /// SemiSync write `(origin, seq)` has waited `fallback_after_ms`: if it still waits, or
    /// its attempt gave up before as many replicas as it waits for took it, the origin falls
    /// back to asynchronous replication, and a write still waiting is acknowledged without
    /// its replicas.
    fn on_ack_wait_over(&mut self, origin: DataRegion, seq: u32, sched: &mut Scheduler<Event>) {
        let o = origin as usize;
        let waiting = self.awaiting_acks.contains_key(&(origin, seq));
        // Taken by enough replicas, released by an earlier fallback, or its writer is down (a
        // write it holds is answered by nobody): nothing to fall back from.
        let state = self.semi_sync[o];
        let done = !waiting && (self.taken(origin, seq) || seq <= state.fallback_seq)
            || self.regions[self.data.regions[o] as usize].down > 0;
        // Its timer was the last to judge it (a write with a timer is never `catch_up`: that
        // one is committed while fallen back, with no timer).
        self.ack_needs.remove(&(origin, seq));
        if done {
            return;
        }
        let counted = sched.now() >= self.sc.warmup;
        if !state.fallen_back {
            let s = &mut self.semi_sync[o];
            s.fallen_back = true;
            s.counted = counted;
            if counted {
                self.data.tally.semi_sync_fallbacks += 1;
            }
        }
        // Every write of the origin still waiting is released with it (as MySQL's source
        // stops waiting when it switches to asynchronous replication), oldest first.
        let released: Vec<u32> = self
            .awaiting_acks
            .range((origin, 0)..=(origin, u32::MAX))
            .map(|(&(_, s), _)| s)
            .collect();
        self.semi_sync[o].fallback_seq = released.iter().copied().fold(seq, u32::max);
        for s in released {
            if self.acks_complete(origin, s, sched) && counted {
                self.data.tally.acked_without_replicas += 1;
            }
        }
    }

    /// Write `(origin, seq)` has the acknowledgements it waited for (or waited long enough):
    /// its attempt is answered (true), unless its writer died or was fenced off meanwhile.
    fn acks_complete(
        &mut self,
        origin: DataRegion,
        seq: u32,
        sched: &mut Scheduler<Event>,
    ) -> bool {
        let now = sched.now();
        let Some((r, _, committed)) = self.awaiting_acks.remove(&(origin, seq)) else {
            return false;
        };
        // An entry leaves with its attempt (`stop_waiting`): the one found is the slot's own.
        debug_assert_eq!(self.waits[r.slot].ack, Some((origin, seq)));
        self.waits[r.slot].ack = None;
        let region = self.data.regions[origin as usize];
        let q = self.get(r).copied();
        debug_assert!(
            q.is_some(),
            "an attempt awaiting acknowledgements ended still waiting"
        );
        // The writer died waiting, or a failover fenced the write off while its
        // acknowledgements were held (a cut-off primary's semi-synchronous write, say): the
        // demoted writer never acknowledges it, so it is not a lost write (SPEC §3 RPO counts
        // acknowledged writes), and the client's timer fires.
        let Some(q) = q.filter(|_| {
            self.regions[region as usize].down == 0 && !self.data.is_fenced(origin, seq)
        }) else {
            self.data.abandoned(origin, seq);
            return false;
        };
        self.acknowledge(r, &q, origin, seq, committed, now);
        self.respond(r, region, AttemptResult::Ok, After::Nothing, sched);
        true
    }

    /// Write `seq` of data region `x`, committed at `committed`, is acknowledged at `now` to
    /// request `r` (`q`): the data layer records it, and the request remembers it, so that
    /// its response reaching the user makes it theirs (read-your-writes, SPEC §3).
    fn acknowledge(
        &mut self,
        r: ReqRef,
        q: &Request,
        x: DataRegion,
        seq: u32,
        committed: SimTime,
        now: SimTime,
    ) {
        self.data
            .acknowledged(x, seq, q.key, q.pop, q.user, committed, now);
        let slot = &mut self.requests[r.slot];
        (slot.acked_origin, slot.acked_seq) = (x, seq);
    }

    /// With the lag spent at the target (SPEC §2), when a fault heals at `now`: the messages it
    /// held are sent again and applied their lag after they arrive. A region back up held
    /// what arrived while it was down and what had not left it when it died; a healed cut
    /// held what would have arrived during it.
    fn restamp(&mut self, healed: Healed, now: SimTime) {
        if self.sc.data.lag_at != LagAt::Target {
            return;
        }
        let n = self.data.len() as DataRegion;
        for from in 0..n {
            for to in (0..n).filter(|t| *t != from) {
                let (ra, rb) = (
                    self.data.regions[from as usize],
                    self.data.regions[to as usize],
                );
                let (la, lb) = (self.links.region(ra), self.links.region(rb));
                // When the fault began, and whether it held writes in the sender (that had
                // not left) rather than on the way (that had not arrived).
                let (since, in_sender) = match healed {
                    Healed::Region(r) if rb == r => (self.down_since[r as usize], false),
                    Healed::Region(r) if ra == r => (self.down_since[r as usize], true),
                    Healed::Cut(a, b) if (la, lb) == (a, b) => {
                        (self.links.cut_began(la, lb), false)
                    }
                    _ => continue,
                };
                // Half the round trip, plus a latency spike active on the link now (jitter,
                // a draw per message, is left out).
                let (extra, by) = self.links.extra(la, lb);
                let delay = self.sc.network.region_rtt(ra, rb) / 2 + extra;
                let (resent, unbilled) =
                    self.data
                        .restamp_held(from, to, now, delay, self.sc.data.transmit, |m| {
                            if in_sender {
                                m.ship >= since
                            } else {
                                m.arrive >= since && m.arrive < now
                            }
                        });
                // Sent during the fault, their egress had been taken back (`unbill_unsent`):
                // they leave now.
                if let (Some(m), Some(z)) = (&mut self.cost, &self.sizes) {
                    for ship in unbilled {
                        m.replication(ra, rb, z.replication, ship);
                    }
                }
                if extra > 0 {
                    self.tallies[by as usize].delayed += resent;
                }
            }
        }
    }

    /// After a fault heals, parked replication logs resume and a quorum's hints are sent.
    /// `healed`: a partition that healed, with the data regions on its two sides.
    fn resume_replication(
        &mut self,
        healed: Option<(FaultId, DataRegion, DataRegion)>,
        sched: &mut Scheduler<Event>,
    ) {
        let n = self.data.len() as DataRegion;
        let now = sched.now();
        let at_target = self.sc.data.lag_at == LagAt::Target;
        self.quorum_resume(healed, sched);
        for from in 0..n {
            for to in 0..n {
                let li = from as usize * n as usize + to as usize;
                let link = &mut self.data.links[li];
                if !link.scheduled && !link.queue.is_empty() {
                    link.scheduled = true;
                    let (a, b) = (
                        self.data.regions[from as usize],
                        self.data.regions[to as usize],
                    );
                    // With the lag at the target, `restamp` already timed the messages the
                    // fault held as sent again now; the others had reached the replica (its
                    // relay log) and are due as they were, or now. At the sender, the head
                    // was held before it left, and crosses the link now.
                    let floor = if at_target {
                        now
                    } else {
                        now + self.sc.network.region_rtt(a, b) / 2
                    };
                    let due = link.queue.front().map_or(now, |m| m.due).max(floor);
                    sched.schedule_at(due, Event::ReplDeliver { from, to });
                }
            }
        }
    }

    /// Sends the outcome back: through the forwarding region when the write was forwarded.
    /// A response that would cross a cut link is lost (the client's timer fires).
    #[inline(never)]
    fn respond(
        &mut self,
        r: ReqRef,
        from: RegionId,
        result: AttemptResult,
        after: After,
        sched: &mut Scheduler<Event>,
    ) {
        self.respond_inline(r, from, result, after, sched);
    }

    /// [`World::respond`]'s body, inlined into `serve_read`, every read's way back.
    #[inline(always)]
    fn respond_inline(
        &mut self,
        r: ReqRef,
        from: RegionId,
        result: AttemptResult,
        after: After,
        sched: &mut Scheduler<Event>,
    ) {
        let q = &self.requests[r.slot];
        let (pop, entry) = (q.pop, q.entry);
        let mut d = 0;
        if entry != from {
            match self.respond_through(r, from, result, sched.now()) {
                Some(hop) => d = hop,
                None => return,
            }
        }
        let (a, b) = (self.links.region(entry), self.links.population(pop));
        if let Some(f) = self.links.cut(a, b) {
            self.response_lost(r, f);
            return;
        }
        d += self.one_way(self.sc.network.pop_rtt_back(pop, entry), a, b);
        if self.cost.is_some() {
            self.bill_response(r, result, sched.now());
        }
        let ev = Event::Response { req: r, result };
        if d > 0 || after == After::More {
            sched.schedule_in(d, ev);
        } else if sched.hand_over_now::<Self>(ev).is_some() {
            self.on_response(r, result, sched);
        }
    }

    /// Bills the bytes of request `r`'s response back to its users as internet egress from
    /// the region it entered (SPEC §3 Cost).
    #[inline(never)]
    fn bill_response(&mut self, r: ReqRef, result: AttemptResult, now: SimTime) {
        let q = &self.requests[r.slot];
        if let (Some(m), Some(z)) = (&mut self.cost, self.sizes) {
            m.internet(q.entry, response_bytes(z, result, q.op), now);
        }
    }

    /// The first hop of request `r`'s response when it was served at `from`, not where it
    /// entered (a forwarded write): its delay, billed as forwarding egress; `None` when a cut
    /// drops it.
    #[inline(never)]
    fn respond_through(
        &mut self,
        r: ReqRef,
        from: RegionId,
        result: AttemptResult,
        now: SimTime,
    ) -> Option<SimTime> {
        let q = self.requests[r.slot];
        let (a, b) = (self.links.region(from), self.links.region(q.entry));
        if let Some(f) = self.links.cut(a, b) {
            self.response_lost(r, f);
            return None;
        }
        let d = self.one_way(self.sc.network.region_rtt(from, q.entry), a, b);
        if let (Some(m), Some(z)) = (&mut self.cost, self.sizes) {
            m.forwarding(from, q.entry, response_bytes(z, result, q.op), now);
        }
        Some(d)
    }

    /// Fault `f` drops request `r`'s response: its client's timer fires.
    #[cold]
    #[inline(never)]
    fn response_lost(&mut self, r: ReqRef, f: FaultId) {
        self.tallies[f as usize].dropped += 1;
        self.requests[r.slot].touched_by = f;
    }

    fn on_response(&mut self, r: ReqRef, result: AttemptResult, sched: &mut Scheduler<Event>) {
        let q = &mut self.requests[r.slot];
        if !q.is_current(r) {
            return;
        }
        match result {
            AttemptResult::Ok => {
                // The fields it needs, not a copy of the whole slot (see `on_service_done`).
                let (pop, entry, op, t0) = (q.pop, q.entry, q.op, q.t0);
                let acked = q.acked_seq > 0;
                // The request ends: its slot is freed while at hand (what follows reads of it
                // only an acknowledged write's fields, which freeing leaves as they are).
                q.end();
                self.released(r.slot);
                let now = sched.now();
                if acked {
                    self.ack_reached_user(r.slot, now);
                }
                let v = std::mem::replace(&mut self.read_verdicts[r.slot], ReadVerdict::NONE);
                self.data.count_read(v);
                self.metrics.ok(pop, entry, op, t0, now - t0);
                self.counts.ok += 1;
            }
            AttemptResult::Failed(reason) => self.attempt_failed(r, reason, sched),
        }
    }

    /// The acknowledgement of the write request in `slot` (just freed, its fields as they
    /// were) reached its user at `now`: the write is theirs (read-your-writes, SPEC §3).
    #[inline(never)]
    fn ack_reached_user(&mut self, slot: u32, now: SimTime) {
        let q = self.requests[slot];
        let (x, seq) = (q.acked_origin, q.acked_seq);
        self.data.ack_received(x, seq, q.key, q.pop, q.user, now);
    }

    /// An attempt timed out waiting on replication: a write for its replicas'
    /// acknowledgements while one of them was down or cut off from the writer, or a read for
    /// a write that could not reach its replica (its origin down, or the link cut). The fault
    /// that blocked it is charged with the failure (SPEC §3 RTO: the fault lost the attempt),
    /// as a request it refused or dropped would be.
    #[cold]
    #[inline(never)]
    fn charge_blocked_wait(&mut self, slot: u32, waits: Waits) {
        let blocked = |from: DataRegion, to: DataRegion| -> Option<FaultId> {
            let (a, b) = (
                self.data.regions[from as usize],
                self.data.regions[to as usize],
            );
            if self.regions[b as usize].down > 0 {
                return Some(self.down_by[b as usize]);
            }
            if self.regions[a as usize].down > 0 {
                return Some(self.down_by[a as usize]);
            }
            self.links.cut(self.links.region(a), self.links.region(b))
        };
        let by = if let Some((x, _)) = waits.ack {
            (0..self.data.len() as DataRegion)
                .filter(|y| *y != x)
                .find_map(|y| blocked(x, y))
        } else if let Some((x, o, _, _)) = waits.read {
            blocked(o, x)
        } else {
            None
        };
        if let Some(f) = by {
            self.requests[slot].touched_by = f;
        }
    }

    /// Retries when attempts and deadline allow; otherwise the request fails.
    fn attempt_failed(&mut self, r: ReqRef, reason: FailReason, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let waits = self.waits[r.slot];
        if waits != Waits::NONE {
            if reason == FailReason::Timeout && self.requests[r.slot].touched_by == NO_FAULT {
                self.charge_blocked_wait(r.slot, waits);
            }
            self.stop_waiting(r.slot);
        }
        let q = self.requests[r.slot];
        if q.op == Op::Write && q.stage != PoolStage::Outside && self.failback.draining() {
            // A write the draining primary was serving or queueing will not commit: the
            // switchover may have waited only for it.
            self.requests[r.slot].stage = PoolStage::Outside;
            self.failback_progress(sched);
        }
        let client = &self.sc.populations[q.pop as usize].client;
        if u32::from(q.attempt) < client.retries {
            let cap = client
                .backoff_base
                .saturating_mul(1u64 << q.attempt.min(40))
                .min(client.backoff_max);
            let backoff = (unit(&mut self.client_rng) * cap as f64) as SimTime;
            if now.saturating_add(backoff) < q.t0.saturating_add(client.deadline) {
                let re = client.re_resolve_on_failure;
                // The next attempt is judged afresh where it is served.
                self.read_verdicts[r.slot] = ReadVerdict::NONE;
                let s = &mut self.requests[r.slot];
                s.attempt += 1;
                s.generation = s.generation.wrapping_add(1);
                s.re_resolve = re;
                s.stage = PoolStage::Outside;
                s.kept_from_primary = false;
                let next = ReqRef {
                    generation: s.generation,
                    ..r
                };
                sched.schedule_in(backoff, Event::Retry { req: next });
                return;
            }
        }
        let region = (q.entry != NO_REGION).then_some(q.entry);
        let tag = self.tag(q.pop);
        if self.enforced(tag) {
            let up = self.allowed_region_up(tag);
            if q.kept_from_primary && up {
                self.res_count(q.t0, |t| t.writes_failed_primary_outside += 1);
            } else if reason == FailReason::NoRegion || !up {
                self.res_count(q.t0, |t| t.requests_failed_no_allowed_region += 1);
            }
        }
        let charged = q.touched_by != NO_FAULT;
        if charged {
            let t = &mut self.tallies[q.touched_by as usize];
            if q.t0 >= self.sc.warmup {
                t.requests_failed += 1;
            }
            t.failed_by_population[q.pop as usize] += 1;
        }
        self.read_verdicts[r.slot] = ReadVerdict::NONE;
        self.metrics
            .failed(q.pop, region, q.op, q.t0, reason, charged);
        self.counts.failed += 1;
        self.release(r);
    }

    fn release(&mut self, r: ReqRef) {
        self.requests[r.slot].end();
        self.released(r.slot);
    }

    /// Puts a slot its request has left (no longer live, its generation moved on) on the
    /// free list.
    #[inline]
    fn released(&mut self, slot: u32) {
        debug_assert_eq!(self.waits[slot], Waits::NONE, "a request ends waiting");
        self.free.push(slot);
        self.in_flight -= 1;
    }

    /// The data region of the current primary (active-passive), if any.
    pub fn primary_data_region(&self) -> Option<DataRegion> {
        self.primary.and_then(|p| self.data.data_region(p))
    }

    /// The design under test.
    pub fn design(&self) -> &Design {
        &self.sc.design
    }

    // ----- faults -------------------------------------------------------------------------

    /// `region` runs at `factor` of its servers from `now` on (a standby's capacity factor, or
    /// 1 for the primary), billed the same.
    fn set_capacity_factor(
        &mut self,
        region: RegionId,
        factor: f64,
        now: SimTime,
        sched: &mut Scheduler<Event>,
    ) {
        if self.capacity_factor[region as usize] == factor {
            return;
        }
        self.capacity_factor[region as usize] = factor;
        self.bill_servers(region, now);
        self.apply_capacity(region, now, Some(sched));
    }

    /// Sets a region's servers from its standby factor and capacity loss.
    fn apply_capacity(
        &mut self,
        region: RegionId,
        now: SimTime,
        sched: Option<&mut Scheduler<Event>>,
    ) {
        let ri = region as usize;
        let full = self.sc.regions[ri].servers as f64;
        let lost = self.regions[ri].capacity_lost.min(1.0);
        let n = full * self.capacity_factor[ri] * (1.0 - lost);
        let servers = if lost >= 1.0 {
            0
        } else {
            (n.round() as u32).max(1)
        };
        if servers == self.regions[ri].pool.servers() {
            return;
        }
        let requests = &self.requests;
        let started = self.regions[ri]
            .pool
            .set_servers(now, servers, |h| requests[h.slot].is_current(h));
        if let Some(sched) = sched {
            for (h, at) in started {
                self.start_service(region, h, at, sched);
            }
        }
    }

    /// Whether the design can serve right now (ignoring DNS and health checks): for
    /// active-active some region is up; for active-passive the current primary is up.
    fn service_up(&self) -> bool {
        match self.primary {
            Some(p) => self.regions[p as usize].down == 0,
            None => self
                .serving
                .iter()
                .enumerate()
                .any(|(r, s)| *s && self.regions[r].down == 0),
        }
    }

    fn refresh_service_clock(&mut self, now: SimTime) {
        if self.service_up() {
            self.service_clock.stop(now, self.sc.warmup);
        } else {
            self.service_clock.start(now);
        }
    }

    fn region_goes_down(&mut self, region: RegionId, by: FaultId, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let ri = region as usize;
        self.regions[ri].down += 1;
        if self.regions[ri].down > 1 {
            // Already down: the fault that took it down keeps what follows while it lasts.
            return;
        }
        self.down_by[ri] = by;
        let requests = &mut self.requests;
        self.down_since[ri] = now;
        let lost = self.regions[ri].pool.crash(now, |h| {
            let q = &mut requests[h.slot];
            if q.is_current(h) {
                q.touched_by = by;
                q.stage = PoolStage::Outside;
            }
        });
        // The pool only knows how many it was serving: find them (their completions are void;
        // their timers will fire) so that the fault owns their failures and a drain for a
        // planned failback does not wait for them.
        for q in self.requests.iter_mut() {
            if q.live && q.exec == region && q.stage == PoolStage::InService {
                q.touched_by = by;
                q.stage = PoolStage::Outside;
            }
        }
        self.tallies[by as usize].lost_in_region += lost;
        self.failback_review(sched);
        self.region_clock[ri].start(now);
        self.refresh_service_clock(now);
        if self.primary == Some(region)
            && !self.promotion_pending
            && let Design::ActivePassive {
                failover: FailoverPolicy::Manual { delay },
                ..
            } = self.sc.design
        {
            self.promotion_pending = true;
            self.schedule_promotion(region, now, delay, sched);
        }
    }

    fn region_comes_up(&mut self, region: RegionId, by: FaultId, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let ri = region as usize;
        self.regions[ri].down -= 1;
        if self.regions[ri].down > 0 && self.down_by[ri] == by {
            // Another outage keeps it down: the earliest begun of those still on owns it now.
            self.down_by[ri] = self.earliest_outage_of(region).unwrap_or(NO_FAULT);
        }
        if self.regions[ri].down == 0 {
            self.region_clock[ri].stop(now, self.sc.warmup);
            self.refresh_service_clock(now);
            self.restamp(Healed::Region(region), now);
            self.resume_replication(None, sched);
            self.failback_review(sched);
            self.recheck_route_groups(sched);
            self.promotion_review(sched);
        }
    }

    /// The outage of `region` still on (scripted or random) that began first.
    fn earliest_outage_of(&self, region: RegionId) -> Option<FaultId> {
        let scripted = self
            .sc
            .faults
            .iter()
            .enumerate()
            .filter(|(_, f)| matches!(f.kind, FaultKind::RegionOutage { region: r } if r == region))
            .map(|(i, _)| i as FaultId);
        let random = self
            .random
            .iter()
            .filter(|o| o.region == region)
            .map(|o| o.fault);
        scripted
            .chain(random)
            .filter_map(|f| self.tallies[f as usize].started.map(|t| (t, f)))
            .min()
            .map(|(_, f)| f)
    }

    /// A region came back: `SessionRoute` reads waiting for a region with every recent write
    /// of the user look again (the region may hold them all).
    fn recheck_route_groups(&mut self, sched: &mut Scheduler<Event>) {
        let keys: Vec<_> = self
            .route_groups
            .iter()
            .map(|(&n, g)| (g[0].0, g[0].1, g[0].2, n))
            .collect();
        self.serve_waiting(keys, sched);
    }

    fn schedule_promotion(
        &mut self,
        old: RegionId,
        triggered: SimTime,
        delay: SimTime,
        sched: &mut Scheduler<Event>,
    ) {
        // The trigger time travels in the failover record, pushed now and completed later.
        if self.failovers.len() < MAX_FAILOVERS {
            self.failovers.push(Failover {
                triggered,
                at: None,
                from: old,
                to: None,
                lost_writes: 0,
                rpo_span: None,
                policy: match self.sc.design {
                    Design::ActivePassive {
                        failover: FailoverPolicy::Manual { .. },
                        ..
                    } => "manual",
                    _ => "automatic",
                },
            });
        }
        sched.schedule_in(
            delay,
            Event::Promote {
                old,
                epoch: self.promotion_epoch,
            },
        );
    }

    /// Whether a promotion away from `old` is still called for: it is the primary and still
    /// failed as the policy sees it (down, for a manual failover; unhealthy to the checks, for
    /// an automatic one).
    fn promotion_still_due(&self, old: RegionId) -> bool {
        self.primary == Some(old)
            && match self.sc.design {
                Design::ActivePassive {
                    failover: FailoverPolicy::Manual { .. },
                    ..
                } => self.regions[old as usize].down > 0,
                _ => self
                    .health
                    .as_ref()
                    .is_some_and(|h| !h.healthy[old as usize]),
            }
    }

    /// At the end of the run, a promotion still waiting for its delay stays listed (not done)
    /// only if [`World::on_promote`] would still carry it out. One promotion is pending at a
    /// time, so there is at most one such record.
    pub(super) fn promotions_unfinished(&mut self) {
        if let Some(i) = self.failovers.iter().rposition(|f| f.at.is_none())
            && !self.promotion_still_due(self.failovers[i].from)
        {
            self.failovers.remove(i);
        }
    }

    /// Standby `new` becomes the primary and primary `old` a standby. The standbys stay in
    /// the design's order, the design's primary (when it is one) last: `FirstListed` is a
    /// fixed runbook (README), whatever promotions and failbacks did since.
    fn swap_primary(&mut self, old: RegionId, new: RegionId) {
        self.primary = Some(new);
        if let Some(x) = self.data.data_region(new) {
            self.end_fallback(x);
        }
        self.standbys.retain(|s| *s != new);
        self.standbys.push(old);
        let sc = self.sc;
        if let Design::ActivePassive { standbys, .. } = &sc.design {
            self.standbys
                .sort_by_key(|r| standbys.iter().position(|s| s == r).unwrap_or(usize::MAX));
        }
    }

    /// The ready standby a failover promotes, by the design's
    /// [`crate::model::PromotePolicy`].
    fn standby_to_promote(&self, now: SimTime) -> Option<RegionId> {
        let mut ready = self
            .standbys
            .iter()
            .copied()
            .filter(|&r| self.standby_ready(r));
        let most = matches!(
            self.sc.design,
            Design::ActivePassive {
                promote: crate::model::PromotePolicy::MostCaughtUp,
                ..
            }
        );
        if !most {
            return ready.next();
        }
        // The first listed among those holding the most of the lineage (strictly more to win).
        ready
            .fold(None, |best: Option<(RegionId, u64)>, r| {
                let held = self.log_held(r, now);
                match best {
                    Some((_, b)) if b >= held => best,
                    _ => Some((r, held)),
                }
            })
            .map(|(r, _)| r)
    }

    /// How much of the lineage standby `r` holds at `now`: over the old primary and every
    /// earlier one, the writes it applied, or, with the lag spent at the target, received
    /// (those a promotion applies first: see `drain_to_promoted`), less those fenced off at
    /// earlier failovers; its own writes (as an earlier primary) it holds all of. After home →
    /// B, a standby that has all of B's writes but lacks home's last ones is not as far ahead
    /// as one that has both.
    fn log_held(&self, r: RegionId, now: SimTime) -> u64 {
        let Some(n) = self.data.data_region(r) else {
            return 0;
        };
        let d = self.data.len() as DataRegion;
        (0..d)
            .map(|o| {
                let mut held = if o == n {
                    self.data.writes_of(o)
                } else {
                    self.data.applied_of(n, o)
                };
                if o != n && self.sc.data.lag_at == LagAt::Target {
                    let li = o as usize * self.data.len() + n as usize;
                    for m in &self.data.links[li].queue {
                        if !self.drains_now(o, n, m, now) {
                            break;
                        }
                        if m.origin == o {
                            held = held.max(m.seq);
                        }
                    }
                }
                u64::from(self.data.unfenced_up_to(o, held))
            })
            .sum()
    }

    /// Whether standby `r` may be promoted: up, and healthy to the checks when there are any.
    fn standby_ready(&self, r: RegionId) -> bool {
        self.regions[r as usize].down == 0
            && self.health.as_ref().is_none_or(|h| h.healthy[r as usize])
    }

    /// A region came up or changed health. A pending promotion is called off when its primary
    /// is no longer failed (its `Promote` event, if still queued, becomes void, so a later
    /// failure waits a full delay of its own); a failover waiting for a standby promotes one
    /// as soon as any is up and healthy (which one: the design's `promote`).
    fn promotion_review(&mut self, sched: &mut Scheduler<Event>) {
        if !self.promotion_pending {
            return;
        }
        let Some(old) = self.primary else { return };
        if !self.promotion_still_due(old) {
            // The primary came back first: no failover happened.
            self.call_off_promotion(old);
            return;
        }
        if self.awaiting_standby && self.standbys.iter().any(|&r| self.standby_ready(r)) {
            self.awaiting_standby = false;
            self.on_promote(old, sched);
        }
    }

    /// Calls off the promotion pending away from `old` (it recovered, or a planned failback
    /// demoted it first): its `Promote` event, if still queued, becomes void and its open
    /// record goes. A later failure of the primary then waits a full delay of its own.
    pub(super) fn call_off_promotion(&mut self, old: RegionId) {
        if !self.promotion_pending {
            return;
        }
        self.awaiting_standby = false;
        self.promotion_pending = false;
        self.promotion_epoch = self.promotion_epoch.wrapping_add(1);
        if let Some(i) = self
            .failovers
            .iter()
            .rposition(|f| f.at.is_none() && f.from == old)
        {
            self.failovers.remove(i);
        }
    }

    fn on_promote(&mut self, old: RegionId, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        if !self.promotion_still_due(old) {
            // The primary recovered before the promotion: nothing to do.
            self.call_off_promotion(old);
            return;
        }
        self.promotion_pending = false;
        let pending = self
            .failovers
            .iter()
            .rposition(|f| f.at.is_none() && f.from == old);
        let Some(new) = self.standby_to_promote(now) else {
            // No standby to promote: the failover waits for one (its record stays open).
            self.awaiting_standby = true;
            self.promotion_pending = true;
            return;
        };
        if let Some(i) = pending {
            self.failovers[i].at = Some(now);
            self.failovers[i].to = Some(new);
        }
        if let (Some(o), Some(n)) = (self.data.data_region(old), self.data.data_region(new)) {
            let at_target = self.sc.data.lag_at == LagAt::Target;
            if at_target {
                // The old primary's relay log first, then what earlier primaries' links had
                // brought (writes of the lineage the old primary held).
                self.drain_to_promoted(o, n, sched);
                for from in (0..self.data.len() as DataRegion).filter(|x| ![o, n].contains(x)) {
                    self.drain_to_promoted(from, n, sched);
                }
            }
            let loss = self.data.failover(o, n);
            // Reads waiting for a write that is now fenced off wait no more.
            let fenced = loss.fenced_origins | 1 << o;
            for origin in (0..self.data.len() as DataRegion).filter(|x| fenced & 1 << x != 0) {
                self.recheck_waiters(origin, sched);
            }
            let failed_at = if self.regions[old as usize].down > 0 {
                self.down_since[old as usize]
            } else {
                now
            };
            if let Some(i) = pending {
                self.failovers[i].lost_writes = loss.lost_writes;
                self.failovers[i].rpo_span = loss.oldest.map(|t| failed_at.saturating_sub(t));
            }
        }
        self.swap_primary(old, new);
        self.failback_note_demoted(old, sched);
        if let Design::ActivePassive {
            read_local,
            scale_up,
            standby_capacity,
            ..
        } = self.sc.design
        {
            // The demoted primary is a standby now: it runs, and is billed, at the standby's
            // capacity factor (SPEC §1 Region, §3 Cost).
            self.set_capacity_factor(old, standby_capacity, now, sched);
            if !read_local {
                self.serving[old as usize] = false;
                self.eligible[old as usize] = false;
            }
            self.serving[new as usize] = true;
            self.eligible[new as usize] =
                self.health.as_ref().is_none_or(|h| h.healthy[new as usize]);
            self.promotions = self.promotions.wrapping_add(1);
            if scale_up == 0 {
                self.set_capacity_factor(new, 1.0, now, sched);
            } else {
                sched.schedule_in(
                    scale_up,
                    Event::ScaleUp {
                        region: new,
                        promotion: self.promotions,
                    },
                );
            }
        }
        self.refresh_service_clock(now);
    }

    fn on_fault(&mut self, fault: FaultId, start: bool, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let f = &self.sc.faults[fault as usize];
        let t = &mut self.tallies[fault as usize];
        if start {
            t.occurrences += 1;
            t.started = Some(now);
            if f.end < self.end {
                sched.schedule_at(f.end, Event::FaultEnd { fault });
            }
        } else if let Some(s) = t.started.take() {
            t.active_time += now - s;
        }
        match f.kind.clone() {
            FaultKind::RegionOutage { region } => {
                if start {
                    self.region_goes_down(region, fault, sched);
                } else {
                    self.region_comes_up(region, fault, sched);
                }
            }
            FaultKind::Partition { a, b, one_way } => {
                let (a, b) = (self.links.index(a), self.links.index(b));
                self.links.set_cut(a, b, start, fault, now);
                if !one_way {
                    self.links.set_cut(b, a, start, fault, now);
                }
                self.failback_review(sched);
                if !start {
                    // Another partition of the same link may still cut it: only the last to end
                    // heals it (and reports the heal), and each direction heals on its own.
                    let ab = self.links.cut(a, b).is_none();
                    let ba = !one_way && self.links.cut(b, a).is_none();
                    let sides = if ab && (one_way || ba) {
                        self.on_partition_healed(fault, a, b, now)
                    } else {
                        None
                    };
                    if ab {
                        self.restamp(Healed::Cut(a, b), now);
                    }
                    if ba {
                        self.restamp(Healed::Cut(b, a), now);
                    }
                    if ab || ba {
                        self.resume_replication(sides.map(|(xa, xb)| (fault, xa, xb)), sched);
                    }
                }
            }
            FaultKind::LagSpike { a, b, extra } => {
                let n = self.data.len();
                let (Some(xa), xb) = (
                    self.data.data_region(a),
                    b.and_then(|b| self.data.data_region(b)),
                ) else {
                    return;
                };
                for y in 0..n as DataRegion {
                    let pairs: &[(DataRegion, DataRegion)] = match (b, xb) {
                        (None, _) => &[(xa, y), (y, xa)],
                        (Some(_), Some(xb)) if y == xb => &[(xa, xb)],
                        _ => &[],
                    };
                    for &(f, t) in pairs {
                        if f == t {
                            continue;
                        }
                        let li = f as usize * n + t as usize;
                        if start {
                            self.repl_extra[li] += extra;
                            self.repl_extra_by.begin(li, fault);
                        } else {
                            self.repl_extra[li] = self.repl_extra[li].saturating_sub(extra);
                            self.repl_extra_by.end(li, fault);
                        }
                    }
                }
            }
            FaultKind::ClockJump { region, by } => {
                if start && let Some(x) = self.data.data_region(region) {
                    self.data.jump_clock(x, by);
                    self.clock_jumped_by[x as usize] = fault;
                }
            }
            FaultKind::LatencySpike { a, b, extra } => {
                let ai = self.links.index(a);
                let others: Vec<usize> = match b {
                    Some(b) => vec![self.links.index(b)],
                    None => self.links.places().filter(|x| *x != ai).collect(),
                };
                for o in others {
                    self.links.set_extra(ai, o, extra, start, fault);
                    self.links.set_extra(o, ai, extra, start, fault);
                }
            }
            FaultKind::ErrorRate {
                region,
                fraction,
                probes_fail,
            } => {
                let entry = (fault, fraction, probes_fail);
                if set_active(&mut self.errors[region as usize], entry, start) {
                    if start {
                        self.errors_active += 1;
                    } else {
                        self.errors_active -= 1;
                    }
                }
            }
            FaultKind::Slowdown {
                region,
                factor,
                probes_slow,
            } => {
                let active = &mut self.slowdowns[region as usize];
                set_active(active, (fault, factor, probes_slow), start);
                // Recomputed, not divided back out: exactly 1 again once none is active.
                let rs = &mut self.regions[region as usize];
                rs.slowdown = active.iter().map(|e| e.1).product();
                rs.note_degradation();
            }
            FaultKind::CapacityLoss { region, fraction } => {
                let ri = region as usize;
                let lost = &mut self.regions[ri].capacity_lost;
                if start {
                    *lost += fraction;
                    self.loss_by.begin(ri, fault);
                } else {
                    self.loss_by.end(ri, fault);
                    *lost = (*lost - fraction).max(0.0);
                    if *lost < 1e-12 {
                        *lost = 0.0;
                    }
                }
                self.regions[ri].note_degradation();
                self.apply_capacity(region, now, Some(sched));
            }
        }
    }

    /// A partition between two of the design's regions heals: how far apart they drifted, and
    /// which held messages mark replication as caught up once delivered (a quorum's hints
    /// across it are watched as `quorum_resume` sends them). Returns the data regions on its
    /// two sides.
    fn on_partition_healed(
        &mut self,
        fault: FaultId,
        a: usize,
        b: usize,
        now: SimTime,
    ) -> Option<(DataRegion, DataRegion)> {
        let n_regions = self.sc.regions.len();
        if a >= n_regions || b >= n_regions {
            return None; // a population: no replication crosses it
        }
        let (Some(xa), Some(xb)) = (
            self.data.data_region(a as RegionId),
            self.data.data_region(b as RegionId),
        ) else {
            return None;
        };
        self.tallies[fault as usize].diverged_keys_at_heal = Some(self.data.diverged_keys());
        for (f, t) in [(xa, xb), (xb, xa)] {
            let li = f as usize * self.data.len() + t as usize;
            if let Some(last) = self.data.links[li].queue.back() {
                self.heal_watch
                    .push((fault, f, t, last.origin, last.seq, now));
            } else {
                self.tallies[fault as usize]
                    .caught_up_after
                    .get_or_insert(0);
            }
        }
        Some((xa, xb))
    }

    /// A Weibull draw (ns) for random outage generator `i`: time to failure or to repair.
    fn weibull_draw(&mut self, i: usize, up: bool) -> SimTime {
        let shape = self
            .sc
            .random_outages
            .as_ref()
            .map(|r| r.shape)
            .unwrap_or(1.0);
        let scale = if up {
            self.random_scale.0
        } else {
            self.random_scale.1
        };
        let u = unit(&mut self.random[i].rng);
        // Inverse CDF: scale · (−ln(1 − u))^(1/k).
        let x = scale * (-(1.0 - u).ln()).powf(1.0 / shape);
        x.min(1e18) as SimTime
    }

    fn on_random(&mut self, index: u16, failure: bool, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let i = index as usize;
        let (region, fault) = (self.random[i].region, self.random[i].fault);
        let t = &mut self.tallies[fault as usize];
        if let Some(trace) = &mut self.outage_trace {
            if failure {
                trace.push((region, now, SimTime::MAX));
            } else if let Some(o) = trace.iter_mut().rev().find(|o| o.0 == region) {
                o.2 = now;
            }
        }
        if failure {
            t.occurrences += 1;
            t.started = Some(now);
            self.region_goes_down(region, fault, sched);
            let d = self.weibull_draw(i, false);
            sched.schedule_in(d, Event::RandomRepair { index });
        } else {
            if let Some(s) = t.started.take() {
                t.active_time += now - s;
            }
            self.region_comes_up(region, fault, sched);
            let d = self.weibull_draw(i, true);
            sched.schedule_in(d, Event::RandomFailure { index });
        }
    }

    // ----- health checks ------------------------------------------------------------------

    fn on_probe(&mut self, checker: u16, sched: &mut Scheduler<Event>) {
        let Some(h) = &mut self.health else { return };
        let round = h.next_round(checker as usize);
        let cfg = h.config();
        let place = cfg.checkers[checker as usize];
        let (interval, timeout) = (cfg.interval, cfg.timeout);
        let pi = self.links.index(place);
        for region in self.sc.design.regions() {
            let ri = self.links.region(region);
            let rtt = match place {
                Place::Region(a) => self.sc.network.region_rtt(a, region),
                Place::Population(p) => self.sc.network.pop_rtt(p, region),
            };
            let (there, there_by) = self.links.extra(pi, ri);
            let (back, back_by) = self.links.extra(ri, pi);
            let extra = there + back;
            let blocked = if self.regions[region as usize].down > 0 {
                Some(self.down_by[region as usize])
            } else {
                self.links.cut(pi, ri).or_else(|| self.links.cut(ri, pi))
            };
            // A deep probe of a slowed region waits behind its queue and is served slowly.
            let (deep_wait, slow_by) = if self.regions[region as usize].slowdown != 1.0 {
                self.deep_probe_wait(region)
            } else {
                (0, NO_FAULT)
            };
            let answered = blocked.is_none() && rtt + extra + deep_wait <= timeout;
            // A probe only a latency spike made too slow is failed by that spike.
            let mut blocked = match blocked {
                None if !answered && rtt + extra <= timeout => Some(slow_by),
                None if !answered && rtt <= timeout => {
                    Some(if there > 0 { there_by } else { back_by })
                }
                b => b,
            };
            let mut ok = answered;
            // A deep check under an `ErrorRate` fault: an error answer, in one round trip.
            if answered
                && self.errors_active > 0
                && let Some(f) = self.probe_errors(region)
            {
                ok = false;
                blocked = Some(f);
            }
            if let Some(m) = &mut self.cost {
                m.probe(sched.now());
            }
            if let Some(f) = blocked {
                self.tallies[f as usize].probes_failed += 1;
            }
            let delay = if answered {
                rtt + extra + deep_wait
            } else {
                timeout
            };
            sched.schedule_in(
                delay,
                Event::ProbeResult {
                    checker,
                    region,
                    ok,
                    round,
                },
            );
        }
        sched.schedule_in(interval, Event::Probe { checker });
    }

    fn on_probe_result(
        &mut self,
        checker: u16,
        region: RegionId,
        ok: bool,
        round: u32,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        let Some(h) = &mut self.health else { return };
        let Some(healthy) = h.record(checker as usize, region, ok, round) else {
            return;
        };
        let ri = region as usize;
        self.eligible[ri] = self.serving[ri] && healthy;
        if self.health_changes.len() < MAX_HEALTH_CHANGES {
            self.health_changes.push(HealthChange {
                at: now,
                region,
                healthy,
            });
        }
        if !healthy
            && self.primary == Some(region)
            && !self.promotion_pending
            && let Design::ActivePassive {
                failover: FailoverPolicy::Automatic { promotion },
                ..
            } = self.sc.design
        {
            self.promotion_pending = true;
            self.schedule_promotion(region, now, promotion, sched);
        }
        self.failback_review(sched);
        self.promotion_review(sched);
    }
}

impl Model for World<'_> {
    type Event = Event;

    /// The variant's tag (engine docs: the event trace digest).
    #[inline]
    fn trace_kind(event: &Event) -> u64 {
        // SAFETY: `Event` is `#[repr(u8)]`, so its first byte is the tag of its variant.
        u64::from(unsafe { *(event as *const Event).cast::<u8>() })
    }

    #[inline]
    fn handle(&mut self, event: Event, sched: &mut Scheduler<Event>) {
        match event {
            Event::Arrival { pop } => self.on_arrival(pop, sched),
            Event::Resolved {
                req,
                region,
                joined,
                resolver,
            } => self.on_resolved(req, region, joined, resolver, sched),
            Event::AtRegion { req, region } => self.on_at_region(req, region, sched),
            Event::ServiceDone { region, req, epoch } => {
                self.on_service_done(region, req, epoch, sched)
            }
            Event::Response { req, result } => self.on_response(req, result, sched),
            Event::AttemptTimeout { req } => {
                if let Some(q) = self.get(req) {
                    // Still waiting for a server when its time ran out: shed for an expired
                    // deadline, which SPEC §2 step 4 counts as overload.
                    let reason = if q.stage == PoolStage::Queued {
                        FailReason::Overload
                    } else {
                        FailReason::Timeout
                    };
                    self.attempt_failed(req, reason, sched);
                }
            }
            Event::Retry { req } => {
                if self.get(req).is_some() {
                    self.start_attempt(req, sched);
                }
            }
            Event::FaultStart { fault } => self.on_fault(fault, true, sched),
            Event::FaultEnd { fault } => self.on_fault(fault, false, sched),
            Event::RandomFailure { index } => self.on_random(index, true, sched),
            Event::RandomRepair { index } => self.on_random(index, false, sched),
            Event::Probe { checker } => self.on_probe(checker, sched),
            Event::ProbeResult {
                checker,
                region,
                ok,
                round,
            } => self.on_probe_result(checker, region, ok, round, sched),
            Event::Promote { old, epoch } => {
                if epoch == self.promotion_epoch {
                    self.on_promote(old, sched)
                }
            }
            Event::ReplDeliver { from, to } => self.on_repl_deliver(from, to, sched),
            Event::ReplAck { origin, from, seq } => self.on_repl_ack(origin, from, seq, sched),
            Event::Quorum { op, replica, phase } => self.on_quorum(op, replica, phase, sched),
            Event::QuorumHints { batch } => self.on_quorum_hints(batch, sched),
            Event::ReplReceived {
                from,
                to,
                origin,
                seq,
            } => self.on_repl_received((from, to), origin, seq, sched),
            Event::AckWaitOver { origin, seq } => self.on_ack_wait_over(origin, seq, sched),
            Event::Failback { region } => self.on_failback(region, sched),
            // A region demoted again before its scale-up ended stays a standby; promoted
            // again, it waits for its new promotion's scale-up.
            Event::ScaleUp { region, promotion }
                if self.primary == Some(region) && promotion == self.promotions =>
            {
                self.set_capacity_factor(region, 1.0, sched.now(), sched);
            }
            Event::ScaleUp { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records the times of the events it is handed.
    struct Times(Vec<SimTime>);
    impl Model for Times {
        type Event = Event;
        fn handle(&mut self, _: Event, sched: &mut Scheduler<Event>) {
            self.0.push(sched.now());
        }
    }

    /// Arrivals whose first gap is drawn ahead come at the times drawing every gap where it is
    /// used gives (the stream's draws in the same order), with and without a diurnal curve
    /// thinning them.
    #[test]
    fn arrivals_drawn_ahead_are_the_arrivals_drawn_in_place() {
        let mut curve = [1.0; 24];
        for (h, c) in curve.iter_mut().enumerate() {
            *c = 0.2 + (h % 7) as f64 / 3.0;
        }
        for diurnal in [None, Some(curve)] {
            // About a hundred thousand arrivals over two days and a half.
            let mut sc = crate::bench::mmc_scenario(0.5, 10, 1.0, 200_000.0, 0.0);
            sc.populations[0].diurnal = diurnal;
            let p = sc.populations[0].clone();
            let end = sc.duration;
            let mut world = World::new(&sc, 11);
            // The times as drawn before: each gap where it is used.
            let mut rng = crate::rng::stream(11, &format!("arrivals/{}", p.name));
            let (peak, rate) = (p.diurnal_peak(), p.rate_per_s * p.diurnal_peak() / 1e9);
            let mut t = 0.0;
            let mut from = 0;
            for n in 0.. {
                let expected = loop {
                    let e: f64 = rand_distr::Exp1.sample(&mut rng);
                    t += e / rate;
                    if t >= end as f64 {
                        break None;
                    }
                    if p.diurnal.is_none() || unit(&mut rng) * peak < p.diurnal_factor(t as SimTime)
                    {
                        break Some(t as SimTime);
                    }
                };
                // A fresh engine per arrival, its clock at 0: it delivers the one scheduled.
                let mut engine = crate::engine::Engine::<Event>::new();
                world.schedule_arrival(0, from, engine.scheduler());
                let mut times = Times(vec![]);
                engine.run_until(&mut times, SimTime::MAX);
                let got = times.0.first().copied();
                assert_eq!(got, expected, "arrival {n}");
                match got {
                    Some(at) => {
                        from = at;
                        t = at as f64;
                    }
                    None => {
                        assert!(n > 1_000, "{n} arrivals");
                        break;
                    }
                }
            }
        }
    }

    #[test]
    fn trace_kind_reads_the_variant_and_nothing_else() {
        let kind = <World<'_> as Model>::trace_kind;
        let req = ReqRef {
            slot: 7,
            generation: 3,
        };
        // Same variant, other fields: one kind; other variants: other kinds.
        assert_eq!(
            kind(&Event::Arrival { pop: 0 }),
            kind(&Event::Arrival { pop: 9 })
        );
        let kinds = [
            kind(&Event::Arrival { pop: 1 }),
            kind(&Event::Resolved {
                req,
                region: 1,
                joined: false,
                resolver: 0,
            }),
            kind(&Event::AtRegion { req, region: 1 }),
            kind(&Event::ServiceDone {
                region: 1,
                req,
                epoch: 1,
            }),
            kind(&Event::Response {
                req,
                result: AttemptResult::Ok,
            }),
            kind(&Event::AttemptTimeout { req }),
            kind(&Event::Retry { req }),
            kind(&Event::Probe { checker: 1 }),
            kind(&Event::ReplAck {
                origin: 1,
                from: 0,
                seq: 1,
            }),
            kind(&Event::ScaleUp {
                region: 1,
                promotion: 0,
            }),
        ];
        let mut distinct = kinds.to_vec();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), kinds.len(), "{kinds:?}");
        assert!(kinds.iter().all(|&k| k < 32));
    }
}
