#!/usr/bin/env bash
# Install private Docker daemons for the live test-suite.
#
#  * Debian bookworm's docker.io (Engine 20.10, API 1.41) as a system package,
#    together with the tools the live tests use (busybox-static, openssl,
#    openssh-server, docker-registry, htpasswd, podman).
#  * docker.io from trixie (Engine 26, API 1.45) and sid (Engine 28,
#    API 1.51), downloaded with `apt-get download` and unpacked with `dpkg -x`
#    into $DAEMON_CACHE/<suite>/ (default /var/cache/docker-engine-daemons),
#    with the same suite's docker CLI and containerd (1.7 / 2.1), which
#    tests/live/daemons.py finds by putting <suite>/usr/bin first on PATH.
#    The suites' runc and tini need glibc 2.38 and are pruned, so bookworm's
#    runc 1.1.5 and docker-init serve all three engines (tested: it works).
#
# Nothing is downloaded except through apt. The newer suites are added with
# Pin-Priority 1, so no installed package is ever upgraded from them.
# Run as root; safe to re-run. Details go to $DAEMON_LOG.
set -euo pipefail

DAEMON_CACHE="${DAEMON_CACHE:-/var/cache/docker-engine-daemons}"
DAEMON_LOG="${DAEMON_LOG:-/tmp/install-daemons.log}"
NEWER_SUITES=(trixie sid)
# Packages unpacked for each newer suite: docker.io holds dockerd and
# docker-proxy, docker-cli the CLI; the rest is the runtime dockerd drives
# (whatever of it cannot run on bookworm is pruned after unpacking).
SUITE_PACKAGES=(docker.io docker-cli containerd runc tini)
SOURCES_FILE=/etc/apt/sources.list.d/docker-engine-daemons.sources
PIN_FILE=/etc/apt/preferences.d/docker-engine-daemons

export DEBIAN_FRONTEND=noninteractive

if [[ $(id -u) -ne 0 ]]; then
    echo "install-daemons.sh: must run as root" >&2
    exit 1
fi

: >"$DAEMON_LOG"
log() { printf '%s\n' "$*" >>"$DAEMON_LOG"; }
say() { printf 'install-daemons: %s\n' "$*"; log "== $*"; }
# Run a command with its output in the log; on failure show the log's tail.
run() {
    log "\$ $*"
    if ! "$@" >>"$DAEMON_LOG" 2>&1; then
        echo "install-daemons: command failed: $*" >&2
        tail -n 40 "$DAEMON_LOG" >&2
        return 1
    fi
}

# --- keep package installs from starting system services -------------------
# The tests never use the default /var/run/docker.sock daemon, so the
# docker.io postinst must not start one. A policy-rc.d that answers 101
# ("action forbidden") does that; keep any existing one, else add ours for the
# duration of this script.
POLICY_RC=/usr/sbin/policy-rc.d
OWN_POLICY_RC=0
if [[ ! -e $POLICY_RC ]]; then
    printf '#!/bin/sh\n# added by install-daemons.sh\nexit 101\n' >"$POLICY_RC"
    chmod 0755 "$POLICY_RC"
    OWN_POLICY_RC=1
fi
cleanup() {
    if [[ $OWN_POLICY_RC -eq 1 ]]; then
        rm -f "$POLICY_RC"
    fi
}
trap cleanup EXIT

# --- newer suites, pinned low -----------------------------------------------
# Use the mirror already configured for bookworm.
mirror=""
for f in /etc/apt/sources.list.d/*.sources; do
    [[ -e $f ]] || continue
    mirror=$(awk '
        /^[[:space:]]*$/ { uris = ""; debian = 0; next }
        /^URIs:/ { uris = $2 }
        /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") debian = 1 }
        uris != "" && debian { print uris; exit }
    ' "$f")
    [[ -n $mirror ]] && break
done
if [[ -z $mirror && -e /etc/apt/sources.list ]]; then
    mirror=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list)
fi
mirror="${mirror:-http://deb.debian.org/debian}"
say "newer suites from $mirror"

# The mirror may be a dated snapshot whose Release files have passed their
# Valid-Until (and the clock may be off): accept them, they are still signed.
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
new_sources="Types: deb
URIs: $mirror
Suites: ${NEWER_SUITES[*]}
Components: main
Signed-By: $keyring
Check-Valid-Until: no
Check-Date: no
"
new_pin="# Written by .ci/install-daemons.sh: the newer suites are only used for
# 'apt-get download' of test daemons; never install or upgrade from them.
"
for suite in "${NEWER_SUITES[@]}"; do
    new_pin+="
Package: *
Pin: release n=$suite
Pin-Priority: 1
"
done
changed=0
if [[ ! -e $PIN_FILE ]] || [[ $(cat "$PIN_FILE") != "$(printf '%s' "$new_pin")" ]]; then
    printf '%s' "$new_pin" >"$PIN_FILE"
    changed=1
fi
if [[ ! -e $SOURCES_FILE ]] || [[ $(cat "$SOURCES_FILE") != "$(printf '%s' "$new_sources")" ]]; then
    printf '%s' "$new_sources" >"$SOURCES_FILE"
    changed=1
fi
log "sources changed: $changed"

# One update for everything. Should the newer suites break it (mirror without
# them, say), drop them and carry on with bookworm alone.
NEWER_OK=1
say "apt-get update (bookworm + ${NEWER_SUITES[*]})"
if ! run apt-get update; then
    echo "install-daemons: WARNING: apt-get update failed with ${NEWER_SUITES[*]}; only bookworm's daemon will be installed" >&2
    rm -f "$SOURCES_FILE"
    NEWER_OK=0
    run apt-get update
fi

# --- bookworm packages ------------------------------------------------------
say "installing docker.io (bookworm) and test tools"
run apt-get install -y --no-install-recommends \
    docker.io containerd runc tini iptables \
    busybox-static openssl openssh-server docker-registry apache2-utils \
    ca-certificates procps util-linux xz-utils podman

# If some init system started the default daemon anyway, stop it: the tests
# start their own daemons and never talk to /var/run/docker.sock.
if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
    systemctl disable --now docker.service docker.socket >>"$DAEMON_LOG" 2>&1 || true
fi

# --- download and unpack the newer daemons ----------------------------------
# The newer suites build against a newer glibc. Go programs built without cgo
# (dockerd, containerd, the shims, the CLI) run on bookworm, but runc and tini
# need GLIBC_2.38 (bookworm has 2.36). Remove every binary that cannot run
# here, and symlinks left dangling, so PATH lookups fall through to bookworm's
# runc (1.1.5) and docker-init, which work with dockerd 26/28.
prune_unrunnable() {
    local dest=$1 f
    for f in "$dest"/usr/bin/* "$dest"/usr/sbin/*; do
        [[ -f $f && ! -L $f ]] || continue
        if ldd "$f" 2>&1 | grep -q 'not found'; then
            log "pruning $f: $(ldd "$f" 2>&1 | grep 'not found' | head -n 1)"
            rm -f "$f"
        fi
    done
    for f in "$dest"/usr/bin/* "$dest"/usr/sbin/*; do
        if [[ -L $f && ! -e $f ]]; then
            log "pruning dangling symlink $f"
            rm -f "$f"
        fi
    done
}

# Unpack one suite's packages into $DAEMON_CACHE/<suite> (skipped when the
# same versions are already there).
unpack_suite() {
    local suite=$1 dest="$DAEMON_CACHE/$1" debs="$DAEMON_CACHE/debs/$1" pkg ver deb
    local wanted=()
    for pkg in "${SUITE_PACKAGES[@]}"; do
        # e.g. "docker.io | 26.1.5+dfsg1-9+deb13u1+b1 | http://... trixie/main amd64 Packages"
        ver=$(printf '%s\n' "$MADISON" | awk -F'|' -v p="$pkg" -v s="$suite" '
            { gsub(/ /, "", $1) } $1 == p && $3 ~ (" " s "/") { gsub(/ /, "", $2); print $2; exit }')
        if [[ -z $ver ]]; then
            echo "install-daemons: WARNING: $pkg has no version in $suite" >&2
            return 1
        fi
        wanted+=("$pkg=$ver")
    done
    local stamp="$dest/.installed"
    if [[ -e $stamp && $(cat "$stamp") == "${wanted[*]}" && -x $dest/usr/sbin/dockerd ]]; then
        say "$suite: already unpacked (${wanted[*]})"
        return 0
    fi
    say "$suite: downloading ${wanted[*]}"
    rm -rf "$debs" "$dest"
    mkdir -p "$debs" "$dest"
    (cd "$debs" && run apt-get download "${wanted[@]}") || return 1
    for deb in "$debs"/*.deb; do
        run dpkg -x "$deb" "$dest" || return 1
    done
    rm -rf "$debs"
    prune_unrunnable "$dest"
    printf '%s' "${wanted[*]}" >"$stamp"
}

mkdir -p "$DAEMON_CACHE"
if [[ $NEWER_OK -eq 1 ]]; then
    # Every version of every package wanted, from all suites (one slow call).
    MADISON=$(apt-cache madison "${SUITE_PACKAGES[@]}")
    for suite in "${NEWER_SUITES[@]}"; do
        if ! unpack_suite "$suite"; then
            echo "install-daemons: WARNING: no daemon from $suite" >&2
            rm -rf "${DAEMON_CACHE:?}/$suite" "${DAEMON_CACHE:?}/debs/$suite"
        fi
    done
fi
rmdir "$DAEMON_CACHE/debs" 2>/dev/null || true

# --- report -------------------------------------------------------------------
report() {
    local suite=$1 dockerd=$2 path=$3 ver
    if [[ ! -x $dockerd ]]; then
        ver="(not installed)"
    else
        ver=$(PATH="$path" "$dockerd" --version 2>/dev/null | head -n 1) || ver="(not runnable)"
        ver+=" / $(PATH="$path" containerd --version 2>/dev/null | awk '{ print "containerd", $3 }')"
        ver+=" / $(PATH="$path" runc --version 2>/dev/null | head -n 1)"
    fi
    printf '%-9s %-58s %s\n' "$suite" "$dockerd" "$ver"
}
echo "daemons:"
report bookworm /usr/sbin/dockerd "$PATH"
for suite in "${NEWER_SUITES[@]}"; do
    dest="$DAEMON_CACHE/$suite"
    report "$suite" "$dest/usr/sbin/dockerd" "$dest/usr/bin:$dest/usr/sbin:$PATH"
done
