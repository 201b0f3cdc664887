//! The engine half of leaderless `Quorum { n, r, w }` replication (`data::quorum` holds the
//! replicas' state): the in-flight quorum operations and the four message phases of the WARS
//! model as events over the simulated links (an extension of SPEC §2 step 5's modes).
//!
//! An operation lives in a slot until every message it sent has arrived or was lost, so a late
//! ack or read response (after the client was answered, or after its attempt timed out) still
//! finds its slot and is ignored; memory is bounded by the operations in flight. A message
//! to a region that is down, or across a cut link, is lost: the replica does not ack or answer.
//! A write a replica missed is kept by the coordinator as a hint (hinted handoff), counted in
//! the `messages_held` of the fault that kept it from the replica (not in its `dropped`: it
//! is delivered later, as a held replication message is under the other modes), and sent
//! again when the replica is reachable: it arrives the link's one-way delay after the heal
//! (half the round trip plus a latency spike active on the link then, as held messages of the
//! other modes are re-sent), and a partition's `caught_up_after` is measured to the arrival of
//! the last hint it held (SPEC §3 Convergence). Every message sent between two regions is
//! billed as replication egress by its sender (write: a replication message; ack; read: a
//! read request; answer: a read response): one to a dead region is sent and lost, and its hint
//! is sent (and billed) again later; one across a cut link is never sent, so only its hint is
//! billed.

use super::faults::FaultId;
use super::{After, AttemptResult, Event, ReqRef, World};
use crate::data::DataRegion;
use crate::data::conflict::Version;
use crate::data::quorum::Committed;
use crate::distribution::Dist;
use crate::engine::{Scheduler, SimTime};
use crate::model::RegionId;

/// One quorum write or read in flight.
#[derive(Debug, Clone)]
pub(super) struct QuorumOp {
    req: ReqRef,
    /// The coordinator: the region serving the request, and its data region.
    region: RegionId,
    x: DataRegion,
    key: u32,
    write: bool,
    /// A write: its version. A read: unused.
    version: Version,
    /// Acks (write) or answers (read) still needed before the client hears back.
    needed: u8,
    /// Messages sent and not yet arrived or lost.
    outstanding: u8,
    /// The client was answered.
    done: bool,
    /// The slot holds an operation (not on the free list).
    live: bool,
    /// A read: when it was issued and the write committed last by then.
    start: SimTime,
    newest: Committed,
    /// A read registered with the data layer as in flight (`DataLayer::quorum_read_began`)
    /// and not yet ended.
    reading: bool,
    /// A read: each replica's answer, taken when the read request reached it.
    answers: Vec<(DataRegion, Version)>,
    /// A read: the newest version among the answers received.
    best: Version,
}

/// The in-flight quorum operations: a slab with a free list.
#[derive(Debug, Default)]
pub(super) struct QuorumOps {
    ops: Vec<QuorumOp>,
    free: Vec<u32>,
    /// Hint batches a partition's heal sent across it: (batch, the partition, heal time); the
    /// arrival of each measures how long replication took to catch up.
    watch: Vec<(u32, FaultId, SimTime)>,
}

impl QuorumOps {
    /// Operation slots allocated (the peak in flight).
    pub(super) fn slots(&self) -> usize {
        self.ops.len()
    }
}

/// Which phase a message is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// A write request reaches a replica.
    Write,
    /// A replica's ack reaches the coordinator.
    Ack,
    /// A read request reaches a replica.
    Read,
    /// A replica's answer reaches the coordinator.
    Response,
}

impl World<'_> {
    /// Starts a quorum write or read served by `region` (data region `x`) for request `r`.
    pub(super) fn quorum_start(
        &mut self,
        r: ReqRef,
        x: DataRegion,
        region: RegionId,
        write: bool,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        let q = self.requests[r.slot];
        let (n, needed) = {
            let s = self.data.quorum().expect("quorum mode");
            (s.n, if write { s.w } else { s.r })
        };
        let version = if write {
            let v = self.data.quorum_stamp(x, q.key, now);
            let jumped = self.clock_jumped_by[x as usize];
            if jumped != super::NO_FAULT {
                self.tallies[jumped as usize].writes_stamped += 1;
            }
            v
        } else {
            Version::default()
        };
        let op = QuorumOp {
            req: r,
            region,
            x,
            key: q.key,
            write,
            version,
            needed,
            outstanding: 0,
            done: false,
            live: true,
            start: now,
            newest: self.data.quorum_snapshot(q.key),
            reading: !write,
            answers: vec![],
            best: Version::default(),
        };
        let id = match self.quorum_ops.free.pop() {
            Some(i) => {
                let slot = &mut self.quorum_ops.ops[i as usize];
                let mut answers = std::mem::take(&mut slot.answers);
                answers.clear();
                *slot = QuorumOp { answers, ..op };
                i
            }
            None => {
                self.quorum_ops.ops.push(op);
                (self.quorum_ops.ops.len() - 1) as u32
            }
        };
        if !write {
            self.data.quorum_read_began(now);
        }
        let phase = if write { Phase::Write } else { Phase::Read };
        for i in 0..n as usize {
            let y = self.data.replica(q.key, i);
            if !self.quorum_send(id, x, y, phase, sched) && write {
                self.data.quorum_hint(x, y, q.key, version);
            }
        }
        self.quorum_release(id);
    }

    /// Sends a message of `phase` for operation `id` from data region `from` to `to`: the
    /// link's one-way delay plus the phase's WARS draw. False when a cut link loses it.
    fn quorum_send(
        &mut self,
        id: u32,
        from: DataRegion,
        to: DataRegion,
        phase: Phase,
        sched: &mut Scheduler<Event>,
    ) -> bool {
        let (a, b) = (
            self.data.regions[from as usize],
            self.data.regions[to as usize],
        );
        let (pa, pb) = (self.links.region(a), self.links.region(b));
        if let Some(f) = self.links.cut(pa, pb) {
            // A write the cut keeps from its replica is held as a hint (the caller keeps it);
            // the other messages are lost.
            let t = &mut self.tallies[f as usize];
            if phase == Phase::Write {
                t.messages_held += 1;
            } else {
                t.dropped += 1;
            }
            return false;
        }
        let wars = &self.sc.data.wars;
        let extra: &Dist = match phase {
            Phase::Write => &wars.write,
            Phase::Ack => &wars.ack,
            Phase::Read => &wars.read,
            Phase::Response => &wars.response,
        };
        let extra = if extra.is_zero() {
            0
        } else {
            extra.sample(&mut self.quorum_rng)
        };
        // A replica's part of a write or a read (the W and R phases) is its work: a `Slowdown`
        // of its region slows it as it slows the region's servers.
        let slowdown = self.regions[b as usize].slowdown;
        let extra = if matches!(phase, Phase::Write | Phase::Read) && slowdown != 1.0 {
            super::slowed(extra, slowdown)
        } else {
            extra
        };
        let d = self.one_way(self.sc.network.region_rtt(a, b), pa, pb) + extra;
        if let (Some(m), Some(z)) = (&mut self.cost, &self.sizes)
            && self.regions[b as usize].down == 0
        {
            // Sent is billed, arrived or not: the bytes left the region (SPEC §3 Cost). Not to
            // a region already down (nothing crosses to it: a write is billed once, when its
            // hint is handed off, as one a cut holds).
            let bytes = match phase {
                Phase::Write => z.replication,
                Phase::Ack => z.ack,
                Phase::Read => z.read_request,
                Phase::Response => z.read_response,
            };
            m.replication(a, b, bytes, sched.now());
        }
        self.quorum_ops.ops[id as usize].outstanding += 1;
        let replica = if matches!(phase, Phase::Write | Phase::Read) {
            to
        } else {
            from
        };
        sched.schedule_in(
            d,
            Event::Quorum {
                op: id,
                replica,
                phase,
            },
        );
        true
    }

    /// Frees operation `id` once nothing it sent is still travelling (a read never answered
    /// ends there).
    fn quorum_release(&mut self, id: u32) {
        let op = &mut self.quorum_ops.ops[id as usize];
        if op.outstanding == 0 && op.live {
            op.live = false;
            self.quorum_ops.free.push(id);
            self.quorum_read_over(id);
        }
    }

    /// Read `id` needs its key's history no longer.
    fn quorum_read_over(&mut self, id: u32) {
        let op = &mut self.quorum_ops.ops[id as usize];
        if op.reading {
            op.reading = false;
            let (key, start) = (op.key, op.start);
            self.data.quorum_read_ended(key, start);
        }
    }

    /// A message of operation `id` arrives: at `replica` (write, read) or back at the
    /// coordinator from it (ack, response).
    pub(super) fn on_quorum(
        &mut self,
        id: u32,
        replica: DataRegion,
        phase: Phase,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        let op = &mut self.quorum_ops.ops[id as usize];
        op.outstanding -= 1;
        let (x, key, region) = (op.x, op.key, op.region);
        match phase {
            Phase::Write | Phase::Read => {
                let b = self.data.regions[replica as usize];
                if self.regions[b as usize].down > 0 {
                    // Lost at a dead replica: no ack, no answer. A write is held by its
                    // coordinator as a hint.
                    let t = &mut self.tallies[self.down_by[b as usize] as usize];
                    if phase == Phase::Write {
                        t.messages_held += 1;
                        let v = self.quorum_ops.ops[id as usize].version;
                        self.data.quorum_hint(x, replica, key, v);
                    } else {
                        t.dropped += 1;
                    }
                } else {
                    if phase == Phase::Write {
                        let v = self.quorum_ops.ops[id as usize].version;
                        self.data.quorum_apply(replica, key, v, now, true);
                    } else {
                        let held = self.data.held(replica, key);
                        self.quorum_ops.ops[id as usize]
                            .answers
                            .push((replica, held));
                    }
                    let back = if phase == Phase::Write {
                        Phase::Ack
                    } else {
                        Phase::Response
                    };
                    self.quorum_send(id, replica, x, back, sched);
                }
            }
            Phase::Ack | Phase::Response => {
                let op = &mut self.quorum_ops.ops[id as usize];
                if phase == Phase::Response {
                    let got = op
                        .answers
                        .iter()
                        .find(|(y, _)| *y == replica)
                        .map(|(_, v)| *v)
                        .unwrap_or_default();
                    if !op.done && got.exists() && got.lww_key() > op.best.lww_key() {
                        op.best = got;
                    }
                }
                // A dead coordinator hears nothing; the client's timer fires.
                if !op.done && self.regions[region as usize].down == 0 {
                    op.needed = op.needed.saturating_sub(1);
                    if op.needed == 0 {
                        op.done = true;
                        self.quorum_done(id, sched);
                    }
                }
            }
        }
        self.quorum_release(id);
    }

    /// Operation `id` has its w acks or r answers: the client hears back (if its attempt is
    /// still current).
    fn quorum_done(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let op = &self.quorum_ops.ops[id as usize];
        let (r, region, key, write, version) = (op.req, op.region, op.key, op.write, op.version);
        let (best, newest, start) = (op.best, op.newest, op.start);
        let Some(q) = self.get(r).copied() else {
            self.quorum_read_over(id);
            return;
        };
        if write {
            self.data.quorum_committed(key, version, q.pop, q.user, now);
            // The user owes it to their reads once the response reaches them (`on_response`).
            let slot = &mut self.requests[r.slot];
            (slot.acked_origin, slot.acked_seq) = (version.origin, version.seq);
        } else {
            self.read_verdicts[r.slot] = self
                .data
                .judge_quorum_read(key, best, newest, q.pop, q.user, start, q.t0);
            self.quorum_read_over(id);
        }
        // quorum_done is followed by releasing the operation: the response is queued.
        self.respond(r, region, AttemptResult::Ok, After::More, sched);
    }

    /// At the end of the run: writes still travelling to their replicas become hints, so the
    /// converged state (SPEC §3 Convergence) includes them.
    pub(super) fn quorum_flush(&mut self) {
        if self.data.quorum().is_none() {
            return;
        }
        let n = self.data.quorum().map_or(0, |q| q.n);
        for i in 0..self.quorum_ops.ops.len() {
            let op = &self.quorum_ops.ops[i];
            if !(op.live && op.write) {
                continue;
            }
            let (x, key, v) = (op.x, op.key, op.version);
            for j in 0..n as usize {
                let y = self.data.replica(key, j);
                self.data.quorum_hint(x, y, key, v);
            }
        }
    }

    /// After a fault heals at `now`: hints whose replica is reachable from their holder are
    /// sent, one batch per (holder, replica), arriving the link's one-way delay later: half the
    /// round trip plus a latency spike active on the link now (counted against the spike; the
    /// per-message jitter and WARS write delay are left out), as `restamp` re-sends the held
    /// messages of the other modes. `healed`: the partition that healed and the data regions
    /// on its two sides, whose hints across it measure its `caught_up_after`.
    pub(super) fn quorum_resume(
        &mut self,
        healed: Option<(FaultId, DataRegion, DataRegion)>,
        sched: &mut Scheduler<Event>,
    ) {
        if self.data.quorum().is_none_or(|q| q.hints() == 0) {
            return;
        }
        let now = sched.now();
        let regions = self.data.regions.clone();
        let (states, links) = (&self.regions, &self.links);
        let sent = self.data.quorum_send_hints(|h, y| {
            let (a, b) = (regions[h as usize], regions[y as usize]);
            states[a as usize].down == 0
                && states[b as usize].down == 0
                && links.cut(links.region(a), links.region(b)).is_none()
        });
        for (batch, h, y, count) in sent {
            let (a, b) = (regions[h as usize], regions[y as usize]);
            let (la, lb) = (self.links.region(a), self.links.region(b));
            let (extra, by) = self.links.extra(la, lb);
            if extra > 0 {
                self.tallies[by as usize].delayed += count;
            }
            let delay = self.sc.network.region_rtt(a, b) / 2 + extra;
            // Each hint handed off is one write message from its holder to its replica.
            if let (Some(m), Some(z)) = (&mut self.cost, &self.sizes) {
                for _ in 0..count {
                    m.replication(a, b, z.replication, now);
                }
            }
            if let Some((f, xa, xb)) = healed
                && ((h, y) == (xa, xb) || (h, y) == (xb, xa))
            {
                self.quorum_ops.watch.push((batch, f, now));
            }
            sched.schedule_in(delay, Event::QuorumHints { batch });
        }
    }

    /// Hint batch `batch` reaches its replica: applied, or held again by its holder when the
    /// replica is down (counted in that outage's `messages_held`).
    pub(super) fn on_quorum_hints(&mut self, batch: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let Some(y) = self.data.quorum_hint_replica(batch) else {
            return;
        };
        let b = self.data.regions[y as usize];
        let up = self.regions[b as usize].down == 0;
        let (_, _, count) = self.data.quorum_land_hints(batch, now, up);
        if !up {
            self.tallies[self.down_by[b as usize] as usize].messages_held += count;
        }
        if let Some(i) = self.quorum_ops.watch.iter().position(|w| w.0 == batch) {
            let (_, f, healed) = self.quorum_ops.watch.swap_remove(i);
            if up {
                let t = &mut self.tallies[f as usize];
                let after = now.saturating_sub(healed);
                t.caught_up_after = Some(t.caught_up_after.map_or(after, |x| x.max(after)));
            }
        }
    }
}
