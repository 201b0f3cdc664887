#!/bin/bash
# End-to-end test of deploy/slurm on ONE machine: a throwaway single-node Slurm cluster runs
# sweep.sbatch as a job array, merge.sbatch merges it, and the merged results must be
# byte-identical (cmp) to a plain single-machine `regionsim run`.
#
#   sudo deploy/slurm/local-test.sh            (from anywhere; Debian/Ubuntu, as root, no systemd needed)
#
# Settings (environment):
#   REGIONSIM_BIN         binary to test (default: <repo>/target/release/regionsim, copied to the work dir)
#   REGIONSIM_EXPERIMENT  experiment (default: <repo>/experiments/failover-sweep.ron)
#   SHARDS                array size (default 4)
#   WORK                  scratch directory (default /tmp/regionsim-slurm-test; wiped at start)
#   KEEP_DAEMONS=1        leave slurmctld/slurmd/munged running at the end
#
# Idempotent: installs slurm-wlm + munge only if missing, rewrites its own config under $WORK,
# stops daemons it started earlier (by their pid files) before starting new ones.
# Exit status: 0 = identical, 1 = mismatch or a job failed, 2 = setup problem.
set -uo pipefail

t0=$(date +%s)
repo="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="${WORK:-/tmp/regionsim-slurm-test}"
SHARDS="${SHARDS:-4}"
EXP="${REGIONSIM_EXPERIMENT:-$repo/experiments/failover-sweep.ron}"
EXP="$(cd "$(dirname "$EXP")" && pwd)/$(basename "$EXP")"
SRC_BIN="${REGIONSIM_BIN:-$repo/target/release/regionsim}"

say()  { printf '[%4ss] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }
die()  { say "ERROR: $*"; exit "${2:-2}"; }

[ "$(id -u)" = 0 ] || die "run as root (it installs packages and starts slurm daemons)"
[ -x "$SRC_BIN" ] || die "no regionsim binary at $SRC_BIN (cargo build --release, or set REGIONSIM_BIN)"
[ -f "$EXP" ] || die "no experiment at $EXP"

# ---- 1. packages ----
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    say "installing slurm-wlm and munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq slurm-wlm munge >/dev/null || die "apt-get install failed"
fi
say "slurm $(slurmctld -V | awk '{print $2}'), $(munged -V 2>&1 | head -1)"

# ---- 2. stop what an earlier run of this script left behind (by pid file, nothing else) ----
stop_daemons() {
    for f in "$WORK/state/slurmd.pid" "$WORK/state/slurmctld.pid" "$WORK/munge/munged.pid"; do
        if [ -s "$f" ]; then
            pid=$(cat "$f")
            if kill "$pid" 2>/dev/null; then
                for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            fi
            rm -f "$f"
        fi
    done
}
stop_daemons
rm -rf "$WORK"
mkdir -p "$WORK"/{state,spool,log,munge,job,single}
cp "$SRC_BIN" "$WORK/regionsim"           # a copy: a rebuild during the test cannot change it

# ---- 3. munge (authentication between slurm commands and daemons) ----
chown munge:munge "$WORK/munge"; chmod 700 "$WORK/munge"
mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
chown munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
if [ ! -s /etc/munge/munge.key ]; then
    say "creating /etc/munge/munge.key"
    if command -v mungekey >/dev/null; then mungekey --create --keyfile=/etc/munge/munge.key
    else dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; fi
fi
chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
MUNGE_SOCK="$WORK/munge/munge.socket"
runuser -u munge -- munged --socket="$MUNGE_SOCK" --pid-file="$WORK/munge/munged.pid" \
    --log-file="$WORK/munge/munged.log" --seed-file="$WORK/munge/munged.seed" --force \
    || die "munged did not start: $(tail -3 "$WORK/munge/munged.log" 2>/dev/null)"
munge -S "$MUNGE_SOCK" -n | unmunge -S "$MUNGE_SOCK" >/dev/null || die "munge round trip failed"
say "munged up"

# ---- 4. slurm.conf: one node, this machine ----
host="$(hostname -s)"
cpus="$(nproc)"
mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10 ))
export SLURM_CONF="$WORK/slurm.conf"      # daemons (-f) and clients (sbatch, sinfo, …) both use it
cat > "$SLURM_CONF" <<CONF
ClusterName=regionsim-test
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${MUNGE_SOCK}
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool/%n
SlurmctldPidFile=$WORK/state/slurmctld.pid
SlurmdPidFile=$WORK/state/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem_mb} State=UNKNOWN
PartitionName=test Nodes=${host} Default=YES MaxTime=INFINITE State=UP
CONF

# ---- 5. daemons ----
slurmctld -f "$SLURM_CONF" || die "slurmctld did not start: $(tail -5 "$WORK/log/slurmctld.log")"
slurmd -f "$SLURM_CONF"    || die "slurmd did not start: $(tail -5 "$WORK/log/slurmd.log")"
[ -n "${KEEP_DAEMONS:-}" ] || trap stop_daemons EXIT
for _ in $(seq 60); do
    state="$(sinfo -h -N -o '%T' 2>/dev/null | head -1)"
    [ "$state" = idle ] && break
    sleep 1
done
[ "$state" = idle ] || { sinfo -N -l; tail -5 "$WORK/log/slurmctld.log" "$WORK/log/slurmd.log"; die "node not idle (state: ${state:-none})"; }
say "slurm up: $(sinfo -h -N -o '%N %T cpus=%c mem=%mMB')"

# ---- 6. the array + merge, exactly as a user would submit them ----
export REGIONSIM_EXPERIMENT="$EXP" REGIONSIM_BIN="$WORK/regionsim" REGIONSIM_OUT="$WORK/job/out"
export REGIONSIM_MERGE_FLAGS="--no-charts"
cd "$WORK/job"                            # SLURM_SUBMIT_DIR, where the job logs land
# --cpus-per-task=1: tasks run side by side on a small node (the script's 2 would serialise on 2 cores).
tj=$(date +%s)
# Through submit.sh, as a user would; extra args go to both sbatch calls.
sub="$("$repo/deploy/slurm/submit.sh" "$SHARDS" --cpus-per-task=1)" || die "submit.sh failed: $sub"
echo "$sub"
array_id=$(awk '/^shards:/ {print $3}' <<<"$sub")
merge_id=$(awk '/^merge:/ {print $3}' <<<"$sub")
[ -n "$array_id" ] && [ -n "$merge_id" ] || die "could not read job ids from submit.sh"
say "submitted array ${array_id} (0-$((SHARDS - 1))) and merge ${merge_id}"

# Meanwhile the reference: a plain single-machine run (threads don't change results).
(cd "$repo" && "$WORK/regionsim" run "$EXP" --out "$WORK/single" --no-charts --quiet) \
    || die "single-machine run failed" 1
say "single-machine run done"

for _ in $(seq 1800); do
    [ -z "$(squeue -h -j "${array_id},${merge_id}" 2>/dev/null)" ] && break
    # A failed shard leaves the merge pending forever (DependencyNeverSatisfied).
    if squeue -h -j "$merge_id" -o '%r' 2>/dev/null | grep -q DependencyNeverSatisfied; then
        scancel "$merge_id"; cat "$WORK"/job/regionsim-sweep-*.out
        die "a shard failed; merge cancelled" 1
    fi
    sleep 1
done
say "jobs finished in $(( $(date +%s) - tj )) s"
for f in "$WORK"/job/regionsim-sweep-*.out "$WORK"/job/regionsim-merge-*.out; do
    echo "--- $(basename "$f")"; cat "$f"
done
[ -d "$REGIONSIM_OUT/final" ] || die "merge produced no $REGIONSIM_OUT/final" 1

# ---- 7. compare ----
# Every result file of the single run (summary.csv, stats.csv, runs.csv, …, manifest.json), then runs/.
rc=0
for p in "$WORK"/single/*; do
    [ -f "$p" ] || continue
    f="$(basename "$p")"
    if cmp "$p" "$REGIONSIM_OUT/final/$f"; then say "identical: $f"
    else say "DIFFERENT: $f"; rc=1; fi
done
if diff -r "$WORK/single/runs" "$REGIONSIM_OUT/final/runs" >/dev/null; then say "identical: runs/ ($(ls "$WORK/single/runs" | wc -l) records)"
else say "DIFFERENT: runs/"; rc=1; fi
[ "$rc" = 0 ] && say "PASS: ${SHARDS}-task Slurm array + merge == single-machine run (total $(( $(date +%s) - t0 )) s)" \
              || say "FAIL (total $(( $(date +%s) - t0 )) s)"
exit "$rc"
