#!/bin/bash
# Submit the sharded sweep and its merge in one go; the merge starts only after every shard succeeded.
#
#   deploy/slurm/submit.sh [SHARDS]          (run from the repo root; default 8 shards)
#
# Same settings as the scripts (exported, so sbatch passes them on):
#   REGIONSIM_EXPERIMENT (experiments/failover-sweep.ron), REGIONSIM_BIN (./target/release/regionsim),
#   REGIONSIM_OUT (results/slurm-sweep, must be on a filesystem every node sees).
# Any extra arguments after SHARDS go to both sbatch calls (e.g. --partition=short --account=me).
set -euo pipefail

shards="${1:-8}"
shift || true
here="$(cd "$(dirname "$0")" && pwd)"

export REGIONSIM_EXPERIMENT="${REGIONSIM_EXPERIMENT:-experiments/failover-sweep.ron}"
export REGIONSIM_BIN="${REGIONSIM_BIN:-./target/release/regionsim}"
export REGIONSIM_OUT="${REGIONSIM_OUT:-results/slurm-sweep}"

# Shards run with --resume: records already there (an earlier, interrupted sweep) are reused.
if [ -d "${REGIONSIM_OUT}/shards" ]; then
    echo "note: ${REGIONSIM_OUT}/shards already exists; its records are reused (--resume); set a new REGIONSIM_OUT for a fresh sweep" >&2
fi
mkdir -p "${REGIONSIM_OUT}"

# --parsable prints "jobid" or "jobid;cluster"; keep the id.
array_id="$(sbatch --parsable --array="0-$((shards - 1))" "$@" "${here}/sweep.sbatch" | cut -d';' -f1)"
merge_id="$(sbatch --parsable --dependency="afterok:${array_id}" "$@" "${here}/merge.sbatch" | cut -d';' -f1)"

echo "shards: job ${array_id} (array 0-$((shards - 1)))"
echo "merge:  job ${merge_id} (after all shards succeed) -> ${REGIONSIM_OUT}/final"
echo "watch:  squeue -j ${array_id},${merge_id}"
