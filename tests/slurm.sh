#!/usr/bin/env bash
# make test-slurm: a sharded sweep on a real single-node Slurm cluster.
#
# Installs Debian's slurm-wlm and munge when missing (as root), starts
# munged, slurmctld and slurmd on this machine with a generated slurm.conf
# and munge key under a scratch directory (nothing under /etc is changed),
# writes the job script with `l2sim slurm`, submits it with sbatch, waits
# for the array and the merge job, checks that the merged database holds
# exactly the rows of the unsharded run, and stops the daemons it started.
. "$(dirname "$0")/scenario/lib.sh"
case $L2SIM in /*) ;; *) L2SIM=$PWD/$L2SIM ;; esac
S=$PWD/tests/data/sweep.json
start=$SECONDS

if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
	if [ "$(id -u)" != 0 ]; then
		echo "FAIL: slurm-wlm and munge are missing; run as root to install them"
		exit 1
	fi
	echo "installing slurm-wlm and munge"
	apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive \
		apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends \
		slurm-wlm munge >/dev/null || { echo "FAIL: apt-get install slurm-wlm munge"; exit 1; }
fi
if [ "$(id -u)" != 0 ]; then
	echo "FAIL: the Slurm test starts slurmd, which needs root"
	exit 1
fi

C=$TMP/cluster
mkdir -p "$C/state" "$C/spool" "$C/log" "$C/munge"
chmod 0700 "$C/munge"
pids=()
stop_all() {
	for f in "$C"/slurmd.pid "$C"/slurmctld.pid "$C"/munge/munged.pid; do
		# only daemons this test started: their pid files are ours
		[ -f "$f" ] || continue
		p=$(cat "$f")
		kill "$p" 2>/dev/null
		for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap stop_all EXIT

# munge: a fresh key and a private socket
dd if=/dev/urandom of="$C/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 0400 "$C/munge/munge.key"
munged --force --key-file="$C/munge/munge.key" --socket="$C/munge/munge.sock" \
	--pid-file="$C/munge/munged.pid" --log-file="$C/munge/munged.log" \
	--seed-file="$C/munge/munged.seed" || { echo "FAIL: munged did not start"; cat "$C/munge/munged.log"; exit 1; }

# ports that are free now
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
host=$(hostname -s)
cat >"$C/slurm.conf" <<CONF
ClusterName=l2simtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(port)
SlurmdPort=$(port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$C/munge/munge.sock
StateSaveLocation=$C/state
SlurmdSpoolDir=$C/spool
SlurmctldPidFile=$C/slurmctld.pid
SlurmdPidFile=$C/slurmd.pid
SlurmctldLogFile=$C/log/slurmctld.log
SlurmdLogFile=$C/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
SwitchType=switch/none
MaxArraySize=1001
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=l2sim Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$C/slurm.conf
slurmctld -f "$SLURM_CONF" -i || { echo "FAIL: slurmctld did not start"; cat "$C/log/slurmctld.log"; exit 1; }
slurmd -f "$SLURM_CONF" || { echo "FAIL: slurmd did not start"; cat "$C/log/slurmd.log"; exit 1; }
for _ in $(seq 1 100); do
	sinfo -h -o %t 2>/dev/null | grep -q idle && break
	sleep 0.2
done
if ! sinfo -h -o %t 2>/dev/null | grep -q idle; then
	echo "FAIL: the node did not come up"
	sinfo 2>&1; tail -20 "$C/log/slurmctld.log" "$C/log/slurmd.log"
	exit 1
fi
echo "ok: single-node cluster up ($host, $(nproc) CPUs) after $((SECONDS - start)) s"

# the sweep: unsharded here, sharded on the cluster
run_scenario "$S" "$TMP/ref.db" --reps 3
mkdir -p "$TMP/job"
(cd "$TMP/job" && "$L2SIM" slurm "$S" --array 3 --reps 3 --partition l2sim \
	--time 10:00 --out merged.db --script job.sbatch) || { echo "FAIL: l2sim slurm exited $?"; exit 1; }
grep -q '^#SBATCH --array=1-3$' "$TMP/job/job.sbatch" && echo "ok: the script is a 3-task job array" \
	|| { echo "FAIL: no array directive"; failures=$((failures + 1)); }
bash -n "$TMP/job/job.sbatch" && echo "ok: the script parses" || { echo "FAIL: bash -n"; failures=$((failures + 1)); }
job=$(cd "$TMP/job" && sbatch --parsable job.sbatch) || { echo "FAIL: sbatch"; exit 1; }
echo "ok: submitted array job $job"
# wait_jobs JOB: until the queue is empty with the merge submitted, or it
# stays empty for 5 s without (the array failed), or 300 s pass
wait_jobs() {
	local t0=$SECONDS idle=0
	while [ $((SECONDS - t0)) -lt 300 ]; do
		if [ -z "$(squeue -h 2>/dev/null)" ]; then
			[ -s "$TMP/job/merged.shards/.merge-$1" ] && return 0
			idle=$((idle + 1))
			[ "$idle" -ge 5 ] && return 1
		fi
		sleep 1
	done
	echo "FAIL: jobs still queued after 300 s"; squeue
	return 1
}
wait_jobs "$job" || failures=$((failures + 1))
merge_job=$(cat "$TMP/job/merged.shards/.merge-$job" 2>/dev/null)
[ -n "$merge_job" ] && echo "ok: the first task submitted merge job $merge_job" \
	|| { echo "FAIL: no merge job was submitted"; failures=$((failures + 1)); }
for k in 1 2 3; do
	n=$(sqlite3 "$TMP/job/merged.shards/shard-$k-of-3.db" "SELECT count(*) FROM runs" 2>/dev/null)
	[ "$n" = 2 ] && echo "ok: shard $k/3 holds 2 runs" || { echo "FAIL: shard $k/3 holds '$n' runs"; failures=$((failures + 1)); }
done
if [ -f "$TMP/job/merged.db" ]; then
	same_rows "Slurm: 3 shards merged = the unsharded sweep" "$TMP/ref.db" "$TMP/job/merged.db"
else
	echo "FAIL: no merged database"; failures=$((failures + 1))
fi
if [ "$failures" -gt 0 ]; then
	for f in "$TMP"/job/merged.shards/slurm-*.out; do echo "--- $f"; cat "$f"; done
	tail -20 "$C/log/slurmctld.log"
fi
# submitting again resumes: every shard skips its runs, the merge adds nothing
job2=$(cd "$TMP/job" && sbatch --parsable job.sbatch)
wait_jobs "$job2" || failures=$((failures + 1))
grep -qs "skipped 2 runs already complete" "$TMP"/job/merged.shards/slurm-"$job2"_1.out \
	&& echo "ok: resubmitted: shards skip their complete runs" \
	|| { echo "FAIL: resubmission did not resume"; cat "$TMP"/job/merged.shards/slurm-"$job2"_*.out; failures=$((failures + 1)); }
same_rows "Slurm: resubmitted and merged again = the unsharded sweep" "$TMP/ref.db" "$TMP/job/merged.db"
echo "slurm test: $((SECONDS - start)) s"
finish
