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
# Run as root; safe to re-run, and to interrupt: each suite is unpacked into
# <suite>.partial and moved into place only once its dockerd and containerd
# run; a cache directory without a valid .installed stamp, or holding a binary
# that cannot run here, is removed and redone. Details go to $DAEMON_LOG; any
# failure names the step, the command and its line, and shows the log's tail.
#
# Where it writes can be moved (the unit tests run it against a fake apt):
# DAEMON_CACHE, DAEMON_LOG, DAEMON_APT_ETC (/etc/apt), DAEMON_POLICY_RC
# (/usr/sbin/policy-rc.d).
set -Eeuo pipefail
# No `cmd | grep -q` or `cmd | head` below: under pipefail the writer can die
# of SIGPIPE when the reader stops early. Output is captured first, then matched.

DAEMON_CACHE="${DAEMON_CACHE:-/var/cache/docker-engine-daemons}"
DAEMON_LOG="${DAEMON_LOG:-/tmp/install-daemons.log}"
APT_ETC="${DAEMON_APT_ETC:-/etc/apt}"
POLICY_RC="${DAEMON_POLICY_RC:-/usr/sbin/policy-rc.d}"
NEWER_SUITES=(trixie sid)
# Packages unpacked for each newer suite: docker.io holds dockerd and
# docker-proxy, docker-cli the CLI; the rest is the runtime dockerd drives
# (whatever of it cannot run on bookworm is pruned after unpacking).
SUITE_PACKAGES=(docker.io docker-cli containerd runc tini)
SOURCES_FILE=$APT_ETC/sources.list.d/docker-engine-daemons.sources
PIN_FILE=$APT_ETC/preferences.d/docker-engine-daemons
# Wait for another apt/dpkg run instead of failing on its lock.
APT_OPTS=(-o DPkg::Lock::Timeout=600)

export DEBIAN_FRONTEND=noninteractive

STEP="start"
LOG_SHOWN=0
log() { printf '%s\n' "$*" >>"$DAEMON_LOG"; }
say() {
    STEP=$*
    printf 'install-daemons: %s\n' "$*"
    log "== $*"
}
show_log_tail() {
    if [[ $LOG_SHOWN -eq 0 && -s $DAEMON_LOG ]]; then
        LOG_SHOWN=1
        echo "install-daemons: last lines of $DAEMON_LOG:" >&2
        tail -n 40 "$DAEMON_LOG" >&2 || true
    fi
}
on_error() {
    local rc=$1 line=$2 cmd=$3
    trap - ERR
    if ((BASH_SUBSHELL > 0)); then
        exit "$rc" # the shell that ran this subshell reports
    fi
    echo "install-daemons: FAILED (exit $rc) in step \"$STEP\": line $line: $cmd" >&2
    show_log_tail
    exit "$rc"
}
trap 'on_error "$?" "$LINENO" "$BASH_COMMAND"' ERR
on_signal() {
    trap - ERR INT TERM
    echo "install-daemons: interrupted by SIG$1 in step \"$STEP\"; re-run to finish (half-done work is redone)" >&2
    exit 130
}
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM

# Run a command with its output in the log; on failure name it and show the log's tail.
run() {
    log "\$ $*"
    local rc=0
    "$@" >>"$DAEMON_LOG" 2>&1 || rc=$?
    if [[ $rc -ne 0 ]]; then
        echo "install-daemons: command failed (exit $rc) in step \"$STEP\": $*" >&2
        LOG_SHOWN=0
        show_log_tail
        return "$rc"
    fi
}

if [[ $(id -u) -ne 0 ]]; then
    echo "install-daemons.sh: must run as root (sudo bash .ci/install-daemons.sh)" >&2
    exit 1
fi

mkdir -p "$(dirname "$DAEMON_LOG")"
: >"$DAEMON_LOG"

# --- keep package installs from starting system services -------------------
# The tests never use the default /var/run/docker.sock daemon, so the
# docker.io postinst must not start one. A policy-rc.d that answers 101
# ("action forbidden") does that; keep any existing one, else add ours for the
# duration of this script.
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
say "configuring apt for ${NEWER_SUITES[*]}"
# Use the mirror already configured for bookworm.
mirror=""
for f in "$APT_ETC"/sources.list.d/*.sources; do
    [[ -e $f ]] || continue
    mirror=$(awk '
        /^[[:space:]]*$/ { uris = ""; debian = 0; next }
        /^URIs:/ { uris = $2 }
        /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") debian = 1 }
        uris != "" && debian { print uris; exit }
    ' "$f")
    [[ -n $mirror ]] && break
done
if [[ -z $mirror && -e $APT_ETC/sources.list ]]; then
    mirror=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' "$APT_ETC/sources.list")
fi
mirror="${mirror:-http://deb.debian.org/debian}"
log "newer suites from $mirror"

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
mkdir -p "$(dirname "$SOURCES_FILE")" "$(dirname "$PIN_FILE")"
if [[ ! -e $PIN_FILE ]] || [[ $(cat "$PIN_FILE") != "$(printf '%s' "$new_pin")" ]]; then
    printf '%s' "$new_pin" >"$PIN_FILE"
fi
if [[ ! -e $SOURCES_FILE ]] || [[ $(cat "$SOURCES_FILE") != "$(printf '%s' "$new_sources")" ]]; then
    printf '%s' "$new_sources" >"$SOURCES_FILE"
fi

# One update for everything. Should the newer suites break it (mirror without
# them, say), drop them and carry on with bookworm alone.
NEWER_OK=1
say "apt-get update (bookworm + ${NEWER_SUITES[*]})"
if ! run apt-get "${APT_OPTS[@]}" update; then
    echo "install-daemons: WARNING: apt-get update failed with ${NEWER_SUITES[*]}; only bookworm's daemon will be installed" >&2
    rm -f "$SOURCES_FILE"
    NEWER_OK=0
    run apt-get "${APT_OPTS[@]}" update
fi

# --- bookworm packages ------------------------------------------------------
say "installing docker.io (bookworm) and test tools"
run apt-get "${APT_OPTS[@]}" install -y --no-install-recommends \
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

# The binaries under $1 that cannot run here, one a line, with ldd's complaint.
unrunnable() {
    local f out line
    for f in "$1"/usr/bin/* "$1"/usr/sbin/*; do
        [[ -f $f && ! -L $f ]] || continue
        out=$(ldd "$f" 2>&1) || true # a static binary: "not a dynamic executable", exit 1
        while IFS= read -r line; do
            if [[ $line == *"not found"* ]]; then
                printf '%s: %s\n' "$f" "${line#"${line%%[![:space:]]*}"}"
                break
            fi
        done <<<"$out"
    done
}

prune_unrunnable() {
    local dest=$1 f bad
    bad=$(unrunnable "$dest")
    while IFS= read -r f; do
        [[ -n $f ]] || continue
        log "pruning ${f}"
        rm -f "${f%%: *}"
    done <<<"$bad"
    for f in "$dest"/usr/bin/* "$dest"/usr/sbin/*; do
        if [[ -L $f && ! -e $f ]]; then
            log "pruning dangling symlink $f"
            rm -f "$f"
        fi
    done
}

# Whether $1 holds daemons that run: dockerd and containerd answer --version
# (with the suite's own bin directories first on PATH, as tests/live/daemons.py).
daemons_run() {
    local dest=$1 out
    out=$(PATH="$dest/usr/bin:$dest/usr/sbin:$PATH" "$dest/usr/sbin/dockerd" --version 2>&1) || {
        log "$dest/usr/sbin/dockerd --version failed: $out"
        return 1
    }
    out=$(PATH="$dest/usr/bin:$dest/usr/sbin:$PATH" "$dest/usr/bin/containerd" --version 2>&1) || {
        log "$dest/usr/bin/containerd --version failed: $out"
        return 1
    }
}

# The cache of one suite is valid when its stamp names the wanted versions,
# its dockerd and containerd run, and no binary in it is unrunnable.
cache_valid() {
    local dest=$1 want=$2 bad
    [[ -f $dest/.installed && $(cat "$dest/.installed") == "$want" ]] || return 1
    daemons_run "$dest" || return 1
    bad=$(unrunnable "$dest")
    if [[ -n $bad ]]; then
        log "unrunnable binaries in $dest: $bad"
        return 1
    fi
}

# Unpack one suite's packages into $DAEMON_CACHE/<suite> (skipped when the
# same versions are already there and valid).
unpack_suite() {
    local suite=$1 dest="$DAEMON_CACHE/$1" partial="$DAEMON_CACHE/$1.partial" pkg ver deb
    local wanted=()
    for pkg in "${SUITE_PACKAGES[@]}"; do
        # e.g. "docker.io | 26.1.5+dfsg1-9+deb13u1+b1 | http://... trixie/main amd64 Packages"
        ver=$(awk -F'|' -v p="$pkg" -v s="$suite" '
            { gsub(/ /, "", $1) } $1 == p && $3 ~ (" " s "/") { gsub(/ /, "", $2); print $2; exit }' <<<"$MADISON")
        if [[ -z $ver ]]; then
            echo "install-daemons: WARNING: $pkg has no version in $suite" >&2
            return 1
        fi
        wanted+=("$pkg=$ver")
    done
    if cache_valid "$dest" "${wanted[*]}"; then
        say "$suite: already unpacked (${wanted[*]})"
        return 0
    fi
    # (unpack_suite runs under `if`, where set -e is off: every step checks.)
    if [[ -e $dest ]]; then
        say "$suite: removing an incomplete or outdated $dest"
        rm -rf "$dest" || return 1
    fi
    say "$suite: downloading ${wanted[*]}"
    rm -rf "$partial" || return 1
    mkdir -p "$partial/.debs" || return 1
    (cd "$partial/.debs" && run apt-get "${APT_OPTS[@]}" download "${wanted[@]}") || return 1
    say "$suite: unpacking"
    for deb in "$partial"/.debs/*.deb; do
        run dpkg -x "$deb" "$partial" || return 1
    done
    rm -rf "$partial/.debs" || return 1
    prune_unrunnable "$partial" || return 1
    if ! daemons_run "$partial"; then
        echo "install-daemons: WARNING: $suite's dockerd or containerd does not run here (see $DAEMON_LOG)" >&2
        return 1
    fi
    printf '%s' "${wanted[*]}" >"$partial/.installed" || return 1
    mv "$partial" "$dest"
}

mkdir -p "$DAEMON_CACHE"
# Left by an interrupted run.
rm -rf "$DAEMON_CACHE"/*.partial "$DAEMON_CACHE/debs"
if [[ $NEWER_OK -eq 1 ]]; then
    say "apt-cache madison ${SUITE_PACKAGES[*]}"
    # Every version of every package wanted, from all suites (one slow call).
    MADISON=$(apt-cache madison "${SUITE_PACKAGES[@]}")
    for suite in "${NEWER_SUITES[@]}"; do
        if ! unpack_suite "$suite"; then
            echo "install-daemons: WARNING: no daemon from $suite" >&2
            rm -rf "${DAEMON_CACHE:?}/$suite" "${DAEMON_CACHE:?}/$suite.partial"
        fi
    done
fi

# The reference BuildKit client (issue #14's parity tests): sid's docker-buildx, run as its plugin
# binary against the private daemons; unpacked beside them, never installed.
unpack_buildx() {
    local dest="$DAEMON_CACHE/buildx" partial="$DAEMON_CACHE/buildx.partial" ver deb
    ver=$(apt-cache madison docker-buildx |
        awk -F'|' '{ gsub(/ /, "", $1) } $1 == "docker-buildx" && $3 ~ / sid\// { gsub(/ /, "", $2); print $2; exit }')
    if [[ -z $ver ]]; then
        echo "install-daemons: WARNING: docker-buildx has no version in sid" >&2
        return 1
    fi
    if [[ -f $dest/.installed && $(cat "$dest/.installed") == "$ver" ]] &&
        "$dest/usr/libexec/docker/cli-plugins/docker-buildx" version >/dev/null 2>&1; then
        say "buildx: already unpacked ($ver)"
        return 0
    fi
    rm -rf "$dest" "$partial" || return 1
    mkdir -p "$partial/.debs" || return 1
    (cd "$partial/.debs" && run apt-get "${APT_OPTS[@]}" download "docker-buildx=$ver") || return 1
    for deb in "$partial"/.debs/*.deb; do
        run dpkg -x "$deb" "$partial" || return 1
    done
    rm -rf "$partial/.debs" || return 1
    "$partial/usr/libexec/docker/cli-plugins/docker-buildx" version >>"$DAEMON_LOG" 2>&1 || return 1
    printf '%s' "$ver" >"$partial/.installed" || return 1
    mv "$partial" "$dest"
}
if [[ $NEWER_OK -eq 1 ]] && ! unpack_buildx; then
    echo "install-daemons: WARNING: no docker-buildx" >&2
    rm -rf "${DAEMON_CACHE:?}/buildx" "${DAEMON_CACHE:?}/buildx.partial"
fi

# --- report -------------------------------------------------------------------
say "report"
first_line() {
    local out
    out=$("$@" 2>/dev/null) || return 1
    printf '%s' "${out%%$'\n'*}"
}
report() {
    local suite=$1 dockerd=$2 path=$3 ver part
    if [[ ! -x $dockerd ]]; then
        ver="(not installed)"
    else
        ver=$(PATH="$path" first_line "$dockerd" --version) || ver="(dockerd not runnable)"
        part=$(PATH="$path" first_line containerd --version) || part="(containerd not runnable)"
        ver+=" / ${part}"
        part=$(PATH="$path" first_line runc --version) || part="(runc not runnable)"
        ver+=" / ${part}"
    fi
    printf '%-9s %-58s %s\n' "$suite" "$dockerd" "$ver"
}
echo "daemons:"
report bookworm /usr/sbin/dockerd "$PATH"
for suite in "${NEWER_SUITES[@]}"; do
    dest="$DAEMON_CACHE/$suite"
    report "$suite" "$dest/usr/sbin/dockerd" "$dest/usr/bin:$dest/usr/sbin:$PATH"
done
