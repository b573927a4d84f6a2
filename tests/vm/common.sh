# SPDX-License-Identifier: BSD-3-Clause
# tests/vm/common.sh -- host-side helpers shared by prepare, mkroot, vmrun,
# tests/run and tests/demo (sourced, never run).  Defines the package lists,
# the cache layout, the Debian mirror (derived from this machine's apt
# configuration at run time) and a chroot runner that cannot leak mounts.
#
# Env:
#   PMRD_VM_CACHE   cache base dir (default /var/cache/pmrd-vm); per platform
#                   $PMRD_VM_CACHE/<platform>/ holds kernel, initrd, pmem.img
#   PMRD_VM_ROOT    trixie root (default $PMRD_VM_CACHE/trixie-root)
#   PMRD_VM_MIRROR  Debian mirror URI (default: from /etc/apt sources)

PMRD_VM_CACHE=${PMRD_VM_CACHE:-/var/cache/pmrd-vm}
PMRD_VM_ROOT=${PMRD_VM_ROOT:-$PMRD_VM_CACHE/trixie-root}

# What the project needs to build (host and trixie root alike).
PMRD_BUILD_DEPS="cmake gcc make pkg-config libibverbs-dev librdmacm-dev
libpmem2-dev libev-dev libinih-dev libcriterion-dev
libjson-c-dev libssl-dev"
# librpma, tests/bench's baseline library (pmr-rpma, optional): Debian
# bookworm's 1.2.0, dropped from Debian after bookworm.  bookworm: installed
# on the host (the bookworm VM root); trixie: tests/vm/prepare caches these
# bookworm .debs in $PMRD_VM_CACHE/trixie/librpma-debs and tests/bench
# unpacks them into the trixie build (they run against trixie's rdma-core).
PMRD_RPMA_DEBS="librpma0 librpma-dev"
# What the VM suites use inside the VM (host root = bookworm VM root).
PMRD_VM_TOOLS="rdma-core ibverbs-utils rdmacm-utils perftest ndctl daxctl
iproute2 kmod e2fsprogs xfsprogs util-linux python3 attr procps"
# What the host needs to prepare and boot VMs (lintian: tests/vm/sdboot's
# package build checks the trixie-built packages on the host).
PMRD_VM_HOST="qemu-system-x86 busybox-static cpio kmod xz-utils zstd
debootstrap debian-archive-keyring lintian"
# What the trixie root (only) needs to build a kernel module out of tree
# against Debian's linux-headers (tests/vm/build-rxe): the kernel's own
# compiler (gcc-14), pahole for the BTF step, libelf for objtool/modpost.
PMRD_ROOT_KBUILD="gcc-14 make libelf-dev bc kmod pahole xz-utils"

# vm_log MSG... -- progress message on stderr, prefixed with the caller
vm_log()
{
	echo "${0##*/}: $*" >&2
}

# vm_die MSG... -- print and exit 1
vm_die()
{
	vm_log "error: $*"
	exit 1
}

# apt_missing PKG... -- print the packages that are not installed
apt_missing()
{
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q 'install ok installed' || printf '%s ' "$p"
	done
}

# apt_need PKG... -- install missing packages (apt-get update only then)
apt_need()
{
	local missing
	missing=$(apt_missing "$@")
	[ -n "$missing" ] || return 0
	[ "$(id -u)" = 0 ] || vm_die "missing packages (need root): $missing"
	vm_log "installing:$missing"
	# shellcheck disable=SC2086
	apt-get -o DPkg::Lock::Timeout=600 update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get \
			-o DPkg::Lock::Timeout=600 install -y -qq \
			--no-install-recommends $missing >/dev/null
}

# host_release -- this machine's Debian codename (e.g. bookworm)
host_release()
{
	(. /etc/os-release && echo "${VERSION_CODENAME:-}")
}

# debian_mirror -- the Debian archive URI this machine's apt uses for its
# own release: deb822 "URIs:" of the stanza whose Suites list the release,
# else the one-line "deb URI release ..." form
debian_mirror()
{
	local rel uri f
	if [ -n "${PMRD_VM_MIRROR:-}" ]; then
		echo "$PMRD_VM_MIRROR"
		return 0
	fi
	rel=$(host_release)
	[ -n "$rel" ] || vm_die "cannot tell this machine's Debian release"
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		uri=$(awk -v rel="$rel" '
			BEGIN { RS = ""; FS = "\n" }
			{
				uris = ""; ok = 0; deb = 0; off = 0
				for (i = 1; i <= NF; i++) {
					l = $i
					if (l ~ /^#/) continue
					if (l ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", l); split(l, u, /[ \t]+/); uris = u[1] }
					if (l ~ /^Suites:/) { n = split(l, s, /[ \t]+/); for (j = 2; j <= n; j++) if (s[j] == rel) ok = 1 }
					if (l ~ /^Types:/ && l ~ /[ \t]deb([ \t]|$)/) deb = 1
					if (l ~ /^Enabled:[ \t]*no/) off = 1
				}
				if (ok && deb && !off && uris != "") { print uris; exit }
			}' "$f")
		[ -n "$uri" ] && break
	done
	if [ -z "$uri" ]; then
		uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
			2>/dev/null | awk -v rel="$rel" '
			$1 == "deb" {
				i = 2
				if ($i ~ /^\[/) while ($i !~ /\]$/) i++
				if ($i ~ /^\[/ || $i ~ /\]$/) i++
				if ($(i + 1) == rel) { print $i; exit }
			}')
	fi
	[ -n "$uri" ] || vm_die "no Debian mirror for '$rel' in /etc/apt (set PMRD_VM_MIRROR)"
	echo "${uri%/}"
}

# vm_apt_opts P -- set the array APT to the apt-get/apt-cache options for
# platform P's kernel packages: none for bookworm (this machine's apt
# state); for trixie a private apt state in A=$PMRD_VM_CACHE/apt-trixie-
# backports (trixie-backports main; the machine's apt sources untouched)
# shellcheck disable=SC2034 # APT is for the callers
vm_apt_opts()
{
	local src
	APT=()
	[ "$1" = trixie ] || return 0
	A=$PMRD_VM_CACHE/apt-trixie-backports
	mkdir -p "$A/lists/partial" "$A/cache/archives/partial"
	src="deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_mirror) trixie-backports main"
	if [ "$(cat "$A/sources.list" 2>/dev/null)" != "$src" ]; then
		echo "$src" >"$A/sources.list"
		rm -f "$A/lists/"*_* "$A/cache/"*.bin
	fi
	APT=(-o "Dir::Etc::SourceList=$A/sources.list"
		-o Dir::Etc::SourceParts=/nonexistent
		-o "Dir::State::Lists=$A/lists"
		-o "Dir::Cache=$A/cache")
}

# vm_pmem_image P -- the NVDIMM backing file of platform P's VMs
# (PMRD_VM_PMEM wins); its lock file is the same path plus .lock
vm_pmem_image()
{
	if [ -n "${PMRD_VM_PMEM:-}" ]; then
		echo "$PMRD_VM_PMEM"
	elif [ "$1" = trixie ]; then
		echo "$PMRD_VM_CACHE/trixie/pmem-1g.img"
	else
		echo "$PMRD_VM_CACHE/bookworm/pmem.img"
	fi
}

# vm_platform_check PLATFORM -- die unless PLATFORM is bookworm or trixie
vm_platform_check()
{
	case "$1" in
	bookworm | trixie) ;;
	*) vm_die "unknown platform '$1' (bookworm|trixie)" ;;
	esac
}

# in_root ROOT 'DIR...' CMD -- run shell CMD chrooted in ROOT with /proc,
# /sys, /dev and each DIR bind-mounted at its own path.  The mounts live in
# a private mount namespace: they vanish with it, even on SIGKILL, so
# nothing can stay mounted inside ROOT (and a later rm -rf of ROOT can
# never reach through a bind mount into the source tree).
in_root()
{
	local root=$1 dirs=$2 cmd=$3
	unshare --mount --propagation private /bin/bash -eu -c '
		root=$1 dirs=$2 cmd=$3
		trap "umount -R \"\$root/proc\" \"\$root/sys\" \"\$root/dev\" 2>/dev/null || true" EXIT
		mount -t proc proc "$root/proc"
		mount --rbind /sys "$root/sys"
		mount --rbind /dev "$root/dev"
		for d in $dirs; do
			mkdir -p "$root$d"
			mount --bind "$d" "$root$d"
		done
		chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			CI="${CI:-}" /bin/bash -eu -c "$cmd"
	' in_root "$root" "$dirs" "$cmd"
}

# trixie_root_build SRC BUILD DIRS [CMAKE_OPTS...] -- configure and build
# SRC in BUILD inside the trixie root (chroot, DIRS bound at their own
# paths); the configure log goes to BUILD/configure.log (shown on failure).
# Shared by tests/run and tests/bench.
trixie_root_build()
{
	local src=$1 build=$2 dirs=$3 opts
	shift 3
	mkdir -p "$build"
	opts=$(printf '%q ' "$@")
	in_root "$PMRD_VM_ROOT" "$dirs" \
		"cmake -S $(printf %q "$src") -B $(printf %q "$build") $opts >$(printf %q "$build/configure.log") 2>&1 || { cat $(printf %q "$build/configure.log"); false; }
		 cmake --build $(printf %q "$build") -j2"
}

# asan_build PLATFORM SRC BUILD DIRS -- pmrd, libpmr and pmr_example (and
# the libraries they link) with -DPMRD_SANITIZE=ON (ASan + UBSan) and
# -DPMRD_FAULT_INJECTION=ON in BUILD, for the load and fault-injection
# suites (without PMR_FAULT_N nothing fails: the wrappers only count): on
# the host for bookworm, inside the trixie root (chroot, DIRS bound) for
# trixie.  Only those targets: the tests and tools are not rebuilt.  The
# configure log is BUILD/configure.log.
asan_build()
{
	local p=$1 src=$2 build=$3 dirs=$4 cmd
	mkdir -p "$build"
	cmd="cmake -S $(printf %q "$src") -B $(printf %q "$build") -DPMRD_SANITIZE=ON -DPMRD_FAULT_INJECTION=ON -DPMRD_BUILD_TESTS=OFF >$(printf %q "$build/configure.log") 2>&1 || { cat $(printf %q "$build/configure.log"); false; }
		cmake --build $(printf %q "$build") -j2 --target pmrd pmr pmr_example"
	if [ "$p" = trixie ]; then
		in_root "$PMRD_VM_ROOT" "$dirs" "$cmd"
	else
		/bin/bash -eu -c "$cmd"
	fi
}
