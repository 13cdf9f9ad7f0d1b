#!/usr/bin/env bash
# Runs the README's two set-up commands, exactly as written, on a pristine
# Debian 12 (bookworm) root: what a newcomer meets on a new cloud machine.
#
#   sudo scripts/fresh-debian.sh
#
# 1. A minbase Debian 12 root with git, sudo, curl and ca-certificates (and the
#    point releases and security updates), bootstrapped with debootstrap and kept
#    as a tarball in FRESH_DEBIAN_CACHE (default /var/cache/helpline-gateway/
#    fresh-debian) for the next run; it is made again when older than
#    FRESH_DEBIAN_MAX_AGE_DAYS (default 7). Every run unpacks a new copy.
# 2. In that copy: a user `newcomer` with passwordless sudo (as cloud images
#    have), the certificate authorities this machine trusts, and a clone of this
#    repository's committed HEAD in ~newcomer/helpline-gateway.
# 3. As newcomer: `scripts/setup.sh && build/gateway serve` until
#    http://127.0.0.1:8080/healthz answers and the first administrator's
#    one-time password has been printed; then the server is stopped.
# 4. As newcomer: `scripts/test.sh --quick` (the Release build of the suite);
#    with FRESH_DEBIAN_FULL=1, `scripts/test.sh` (both builds, as CI runs it).
#
# Everything runs in a private mount and PID namespace: the mounts (proc, sys,
# dev, a tmpfs /dev/shm) and every process started inside end with the script,
# however it ends, and the unpacked root is removed. Downloaded .deb files are
# kept in FRESH_DEBIAN_CACHE/apt-archives between runs; nothing else is.
# The chroot shares this machine's network: port 8080 on loopback must be free.
#
# Needs root and Linux (debootstrap, unshare, chroot); installs debootstrap with
# apt-get when it is missing. Logs go to FRESH_DEBIAN_LOGS (default a folder
# under /var/tmp, printed at the end).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${FRESH_DEBIAN_CACHE:-/var/cache/helpline-gateway/fresh-debian}
mirror=${FRESH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${FRESH_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
max_age_days=${FRESH_DEBIAN_MAX_AGE_DAYS:-7}
base_packages=git,sudo,curl,ca-certificates
tarball="$cache/bookworm-minbase.tar"
port=8080

say() { printf 'fresh-debian: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# --- inside the private namespaces: mount, run the two commands, stop ---------
if [[ "${1:-}" == "--inside" ]]; then
  root=$2 logs=$3
  (($$ == 1)) || die "--inside runs only in the PID namespace the script makes"
  mounts=()
  cleanup_inside() {
    # Stop whatever the commands left running (this script is PID 1 of its own
    # PID namespace, so -1 reaches only what it started), then unmount.
    if (($$ == 1)); then kill -KILL -1 2>/dev/null || true; fi
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done
  }
  trap cleanup_inside EXIT
  mount_at() { mount "$@"; mounts+=("${*: -1}"); }
  mount_at -t proc proc "$root/proc"
  mount_at -t sysfs sysfs "$root/sys"
  mount_at --bind /dev "$root/dev"
  mount_at -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
  mount_at -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
  mkdir -p "$cache/apt-archives/partial"
  mount_at --bind "$cache/apt-archives" "$root/var/cache/apt/archives"
  chroot "$root" chown _apt:root /var/cache/apt/archives/partial

  as_newcomer() { chroot "$root" runuser -l newcomer -c "$1"; }

  # The run command, in the background, until /healthz answers.
  say "run command: scripts/setup.sh && build/gateway serve (log: $logs/run.log)"
  started=$(date +%s)
  setsid chroot "$root" runuser -l newcomer -c \
    'cd ~/helpline-gateway && scripts/setup.sh && build/gateway serve' >"$logs/run.log" 2>&1 &
  server=$!
  up=0
  for ((t = 0; t < 3600; t += 2)); do
    if chroot "$root" curl -fsS --max-time 2 "http://127.0.0.1:$port/healthz" >"$logs/healthz.json" 2>/dev/null; then
      up=1
      break
    fi
    if ! kill -0 "$server" 2>/dev/null; then break; fi
    sleep 2
  done
  if ((!up)); then
    tail -n 30 "$logs/run.log" >&2
    die "the run command did not answer on http://127.0.0.1:$port/healthz"
  fi
  say "run command: /healthz answered after $(($(date +%s) - started)) s: $(cat "$logs/healthz.json")"
  for ((t = 0; t < 20; t++)); do
    grep -q 'First administrator: admin / ' "$logs/run.log" && break
    sleep 0.5
  done
  grep -q 'First administrator: admin / ' "$logs/run.log" ||
    die "the run command did not print the first administrator's one-time password"
  kill -TERM -- "-$server" 2>/dev/null || true
  stopped=0
  for ((t = 0; t < 40; t++)); do
    if ! kill -0 "$server" 2>/dev/null; then stopped=1; break; fi
    sleep 0.5
  done
  ((stopped)) || die "the gateway did not stop within 20 s of SIGTERM"
  say "run command: the gateway stopped on SIGTERM"

  test_command='scripts/test.sh --quick'
  [[ "${FRESH_DEBIAN_FULL:-0}" == 1 ]] && test_command='scripts/test.sh'
  say "test command: $test_command (log: $logs/test.log)"
  started=$(date +%s)
  if ! as_newcomer "cd ~/helpline-gateway && $test_command" >"$logs/test.log" 2>&1; then
    tail -n 60 "$logs/test.log" >&2
    die "the test command failed after $(($(date +%s) - started)) s"
  fi
  grep -E 'tests passed|tests failed' "$logs/test.log" | tail -n 1 >&2 || true
  say "test command: passed in $(($(date +%s) - started)) s"
  if grep -qi 'npm warn EBADENGINE' "$logs/test.log"; then
    die "npm printed an engine warning on Debian's Node.js (see $logs/test.log)"
  fi
  # Tests never rewrite tracked files.
  dirty=$(as_newcomer 'cd ~/helpline-gateway && git status --porcelain --untracked-files=no')
  [[ -z "$dirty" ]] || die "the test command changed tracked files: $dirty"
  exit 0
fi

# --- outside: the cached root, a fresh copy of it, the namespaces -------------
[[ $(id -u) -eq 0 ]] || die "must run as root (debootstrap, chroot and mounts need it); try: sudo $0"
[[ $(uname -s) == Linux ]] || die "needs Linux"
for tool in unshare chroot runuser tar; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
if ! command -v debootstrap >/dev/null; then
  say "installing debootstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi
if curl -fsS --max-time 2 "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 ||
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  die "something already listens on 127.0.0.1:$port; stop it first (the README's run command listens there)"
fi
commit=$(git -C "$repo" rev-parse HEAD) || die "$repo is not a git clone"
if [[ -n $(git -C "$repo" status --porcelain --untracked-files=no) ]]; then
  say "note: uncommitted changes are not tried; the clone is of HEAD ($commit)"
fi

mkdir -p "$cache"
work=$(mktemp -d /var/tmp/fresh-debian.XXXXXX)
logs=${FRESH_DEBIAN_LOGS:-$work-logs}
mkdir -p "$logs"
cleanup() {
  local rc=$?
  if [[ -d "$work" ]]; then
    # The namespaces are gone, and their mounts with them; never delete through
    # a mount that is somehow still there.
    if grep -qF " $work/" /proc/self/mountinfo; then
      grep -F " $work/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l || true
    fi
    if grep -qF " $work/" /proc/self/mountinfo; then
      say "left $work in place: something is still mounted under it"
    else
      rm -rf --one-file-system "$work"
    fi
  fi
  if ((rc == 0)); then say "passed (logs: $logs)"; else say "FAILED (logs: $logs)"; fi
}
trap cleanup EXIT

if [[ -f "$tarball" ]] && [[ -z $(find "$tarball" -mtime "+$max_age_days") ]]; then
  say "using the cached Debian 12 root ($tarball)"
else
  say "bootstrapping Debian 12 minbase + $base_packages from $mirror (log: $logs/debootstrap.log)"
  fresh="$work/bootstrap"
  mkdir -p "$fresh"
  debootstrap --variant=minbase --include="$base_packages" bookworm "$fresh" "$mirror" >"$logs/debootstrap.log" 2>&1 ||
    { tail -n 20 "$logs/debootstrap.log" >&2; die "debootstrap failed"; }
  cat >"$fresh/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security_mirror bookworm-security main
EOF
  cp /etc/resolv.conf "$fresh/etc/resolv.conf"
  # The point release and security updates a new machine comes with; then the
  # package lists are dropped, as on a new cloud image before its first update.
  unshare --mount --propagation private sh -c '
    mount -t proc proc "$1/proc" &&
    chroot "$1" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -y -qq dist-upgrade && apt-get clean"
  ' sh "$fresh" >>"$logs/debootstrap.log" 2>&1 || { tail -n 20 "$logs/debootstrap.log" >&2; die "updating the new root failed"; }
  rm -rf "$fresh"/var/lib/apt/lists/* "$fresh/etc/resolv.conf"
  tar -C "$fresh" --numeric-owner -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  rm -rf --one-file-system "$fresh"
  say "cached the root in $tarball"
fi

root="$work/root"
mkdir -p "$root"
tar -C "$root" --numeric-owner -xf "$tarball"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp /etc/hosts "$root/etc/hosts"
# This machine's certificate authorities, one file each, so that the root's own
# update-ca-certificates keeps them whenever a package runs it again.
mkdir -p "$root/usr/local/share/ca-certificates/this-machine"
awk -v dir="$root/usr/local/share/ca-certificates/this-machine" '
  /-----BEGIN CERTIFICATE-----/ { n++; file = sprintf("%s/%03d.crt", dir, n) }
  file { print > file }
  /-----END CERTIFICATE-----/ { close(file); file = "" }
' /etc/ssl/certs/ca-certificates.crt
chroot "$root" update-ca-certificates >/dev/null 2>&1 || die "update-ca-certificates failed in the new root"
chroot "$root" useradd --create-home --shell /bin/bash newcomer
echo 'newcomer ALL=(ALL) NOPASSWD:ALL' >"$root/etc/sudoers.d/newcomer"
chmod 0440 "$root/etc/sudoers.d/newcomer"
git clone -q --no-hardlinks "$repo" "$root/home/newcomer/helpline-gateway"
chroot "$root" chown -R newcomer:newcomer /home/newcomer/helpline-gateway
say "cloned $commit into ~newcomer/helpline-gateway"

started=$(date +%s)
unshare --mount --pid --fork --propagation private -- "$repo/scripts/fresh-debian.sh" --inside "$root" "$logs"
say "both commands passed on a pristine Debian 12 in $(($(date +%s) - started)) s"
