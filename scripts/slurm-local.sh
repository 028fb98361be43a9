#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for `cmlab sweep --slurm` tests and trials.
#
#   eval "$(bash scripts/slurm-local.sh start)"   # installs slurm-wlm + munge if missing, starts
#                                                 # munged, slurmctld, slurmd; prints SLURM_CONF
#                                                 # (and CMLAB_SLURM_STARTED=1 if it started them)
#   bash scripts/slurm-local.sh status            # exit 0 when the node answers
#   bash scripts/slurm-local.sh stop              # stops only the daemons `start` started
#
# Runs as root (no systemd needed). Its configuration, state, spool, logs and pid files live in
# $CMLAB_SLURM_DIR (default /tmp/cmlab-slurm). `start` is idempotent: with the cluster already
# up it only prints the environment. Progress goes to standard error; standard output is only
# the `export` lines, so `eval` is safe.
set -euo pipefail
# Close every descriptor inherited beyond 0-2: the daemons would keep them open for their
# lifetime, and a caller waiting for one to close (Foundation's Process watches a socket
# the child inherits) would wait for as long as the cluster runs.
for fd in /proc/$$/fd/*; do
  fd="${fd##*/}"
  if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
done

dir="${CMLAB_SLURM_DIR:-${TMPDIR:-/tmp}/cmlab-slurm}"
conf="$dir/slurm.conf"
node="$(hostname -s)"

say() { echo "slurm-local: $*" >&2; }
die() { say "$*"; exit 1; }

# The pid in FILE when that process is alive and is the program NAME, else nothing.
live_pid() {
  local file="$1" name="$2" pid
  [ -s "$file" ] || return 1
  pid="$(tr -dc 0-9 <"$file")"
  [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = "$name" ] || return 1
  echo "$pid"
}

node_state() { SLURM_CONF="$conf" sinfo -h -N -n "$node" -o %t 2>/dev/null | head -1 || true; }

# The environment to eval; CMLAB_SLURM_STARTED=1 when this call started the daemons (so a
# caller stops the cluster only when it started it).
print_env() {
  printf "export SLURM_CONF='%s'\nexport CMLAB_SLURM_DIR='%s'\nexport CMLAB_SLURM_STARTED=%s\n" "$conf" "$dir" "${1:-0}"
}

install_missing() {
  local missing=() p
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} (apt-get)"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
}

munge_key() {
  local key=/etc/munge/munge.key
  if [ ! -s "$key" ]; then
    say "writing a new munge key to $key"
    install -d -m 700 -o munge -g munge /etc/munge
    (umask 277; dd if=/dev/urandom of="$key" bs=1 count=1024 status=none)
  fi
  chown munge:munge "$key"
  chmod 400 "$key"
}

start_munged() {
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    say "munged already answers; using it"
    return 0
  fi
  install -d -m 755 -o munge -g munge /run/munge
  install -d -m 700 -o munge -g munge "$dir/munge"
  runuser -u munge -- munged --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" 9>&- \
    || die "munged did not start; see $dir/munge/munged.log"
  cp "$dir/munge/munged.pid" "$dir/munged.pid"  # ours: `stop` ends it
  local i
  for i in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "munged started but does not answer; see $dir/munge/munged.log"
}

write_conf() {
  local hw cpus mem
  hw="$(slurmd -C 2>/dev/null | head -1 || true)"  # NodeName=… CPUs=… Boards=… RealMemory=…
  cpus="$(nproc)"
  mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10 ))
  if [[ "$hw" == NodeName=* ]]; then
    hw="$(sed -E "s/^NodeName=[^ ]+/NodeName=$node/; s/RealMemory=[0-9]+/RealMemory=$mem/" <<<"$hw")"
  else
    hw="NodeName=$node CPUs=$cpus RealMemory=$mem"
  fi
  mkdir -p "$dir/state" "$dir/spool"
  cat >"$conf" <<EOF
# Written by scripts/slurm-local.sh: one node ($node), one partition, state in $dir.
ClusterName=cmlab-local
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SwitchType=switch/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
MinJobAge=300
MaxArraySize=100001
# Job ids from the clock, so a restarted cluster does not reuse the ids an older sweep recorded.
FirstJobId=$(( $(date +%s) % 50000000 + 1 ))
$hw State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  [ "$(id -u)" -eq 0 ] || die "start needs root (it installs packages and runs munged as the munge user)"
  mkdir -p "$dir"
  exec 9>"$dir/lock"
  flock 9
  if live_pid "$dir/slurmctld.pid" slurmctld >/dev/null && [[ "$(node_state)" =~ ^(idle|mix|alloc)$ ]]; then
    say "already running ($conf)"
    print_env
    return 0
  fi
  install_missing
  munge_key
  start_munged
  write_conf
  rm -rf "$dir/state"/* "$dir/spool"/*
  if ! live_pid "$dir/slurmctld.pid" slurmctld >/dev/null; then
    slurmctld -c -f "$conf" 9>&- || die "slurmctld did not start; see $dir/slurmctld.log"
  fi
  if ! live_pid "$dir/slurmd.pid" slurmd >/dev/null; then
    slurmd -f "$conf" 9>&- || die "slurmd did not start; see $dir/slurmd.log"
  fi
  local i s=""
  for i in $(seq 120); do
    s="$(node_state)"
    [ "$s" = idle ] && break
    sleep 0.5
  done
  if [ "$s" != idle ]; then
    say "node $node is '${s:-not listed}' after 60 s, not idle; last lines of the logs:"
    tail -n 5 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
    stop_daemons
    exit 1
  fi
  say "node $node idle: $(SLURM_CONF="$conf" sinfo -h -o '%P %D nodes, %c CPUs, %m MB')"
  print_env 1
}

# Sends TERM to the daemon in FILE (if it is ours and alive), then KILL after 10 s.
stop_one() {
  local file="$1" name="$2" pid i
  pid="$(live_pid "$file" "$name")" || { rm -f "$file"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  [ -d "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$file"
  say "stopped $name (pid $pid)"
}

stop_daemons() {
  if live_pid "$dir/slurmctld.pid" slurmctld >/dev/null; then
    SLURM_CONF="$conf" scancel --full --quiet --partition=local 2>/dev/null || true
  fi
  stop_one "$dir/slurmd.pid" slurmd
  stop_one "$dir/slurmctld.pid" slurmctld
  stop_one "$dir/munged.pid" munged
}

stop() {
  [ -d "$dir" ] || { say "nothing to stop ($dir does not exist)"; return 0; }
  exec 9>"$dir/lock"
  flock 9
  stop_daemons
  rm -rf "$dir/state" "$dir/spool"
}

status() {
  local s
  s="$(node_state)"
  if [ -n "$s" ]; then
    echo "node $node: $s ($conf)"
    SLURM_CONF="$conf" squeue -h -o '%i %T %j' | sed 's/^/  job /'
    return 0
  fi
  echo "not running ($conf)"
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) print_env ;;
  *) echo "usage: bash scripts/slurm-local.sh start|stop|status|env" >&2; exit 2 ;;
esac
