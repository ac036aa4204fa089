#!/bin/sh
# Build the objects a patch touches with the real kernel build, in a scratch copy of the tree.
#
#   tools/kbuild_check.sh LINUX_TREE PATCH [OBJECT.o ...]
#
# The tree is never modified: it is copied with hard links (cheap), the files the patch
# touches are replaced by real copies before `git apply`, and everything the build writes
# goes to a separate O= directory. Objects default to the .c files the patch touches.
# Steps: make defconfig, scripts/config -e ZSWAP (and SWAP), make olddefconfig, make OBJECTS.
# Needs gcc, make, flex, bison, bc, libelf-dev, libssl-dev (apt-get install them if missing).
#
# Exit status: 0 when gcc accepts every object, 1 when the build fails, 2 on bad usage or
# when the patch does not apply. KBUILD_CHECK_KEEP=1 keeps the scratch directory;
# KBUILD_CHECK_JOBS sets make -j (default: CPU count).
set -eu

usage() {
	echo "usage: $0 LINUX_TREE PATCH [OBJECT.o ...]" >&2
	exit 2
}

[ $# -ge 2 ] || usage
tree=$(cd "$1" && pwd) || usage
patch=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
shift 2
[ -f "$tree/Makefile" ] && [ -d "$tree/mm" ] || { echo "$tree is not a kernel tree" >&2; exit 2; }
[ -f "$patch" ] || { echo "no patch $patch" >&2; exit 2; }

missing=""
for tool in gcc make flex bison bc perl git; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
[ -f /usr/include/gelf.h ] || missing="$missing libelf-dev"
[ -f /usr/include/openssl/ssl.h ] || missing="$missing libssl-dev"
if [ -n "$missing" ]; then
	echo "missing:$missing (apt-get install flex bison bc libelf-dev libssl-dev gcc make)" >&2
	exit 2
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/kbuild-check.XXXXXX")
cleanup() {
	if [ "${KBUILD_CHECK_KEEP:-0}" = 1 ]; then
		echo "kept $scratch" >&2
	else
		rm -rf "$scratch"
	fi
}
trap cleanup EXIT INT TERM
src="$scratch/src"
build="$scratch/build"
log="$scratch/build.log"

echo "== copying $tree (hard links) to $src"
cp -al "$tree" "$src"

# files the patch touches: real copies, so applying never writes through a hard link
files=$(sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "$patch" | sort -u)
[ -n "$files" ] || { echo "no diff in $patch" >&2; exit 2; }
for f in $files; do
	if [ -f "$src/$f" ]; then
		cp -p "$src/$f" "$src/$f.kbuild-check-copy"
		mv -f "$src/$f.kbuild-check-copy" "$src/$f"
	fi
done

echo "== git apply --check, then git apply"
(cd "$src" && git apply --check "$patch" && git apply "$patch") || {
	echo "RESULT: the patch does not apply to $tree" >&2
	exit 2
}

if [ $# -eq 0 ]; then
	set --
	for f in $files; do
		case "$f" in
		*.c) set -- "$@" "${f%.c}.o" ;;
		esac
	done
fi
[ $# -gt 0 ] || { echo "the patch touches no .c file; give objects to build" >&2; exit 2; }

jobs=${KBUILD_CHECK_JOBS:-$(nproc 2>/dev/null || echo 2)}
mkdir -p "$build"
echo "== make defconfig, enable SWAP and ZSWAP, olddefconfig (O=$build)"
make -s -C "$src" O="$build" defconfig >"$log" 2>&1
"$src/scripts/config" --file "$build/.config" -e SWAP -e ZSWAP >>"$log" 2>&1
make -s -C "$src" O="$build" olddefconfig >>"$log" 2>&1
grep -E "^CONFIG_(SWAP|ZSWAP)=" "$build/.config" || echo "CONFIG_ZSWAP is not set"

echo "== make -j$jobs $*"
status=0
make -C "$src" O="$build" -j"$jobs" KCFLAGS="${KCFLAGS:-}" "$@" >>"$log" 2>&1 || status=$?

echo "== compiler diagnostics in the touched files"
diag=0
for f in $files; do
	if grep -E "(^|/)$f:[0-9]+:[0-9]+: (error|warning)" "$log"; then
		diag=1
	fi
done
[ $diag -eq 1 ] || echo "(none)"

if [ $status -eq 0 ]; then
	for o in "$@"; do
		[ -f "$build/$o" ] || { echo "RESULT: $o was not built" >&2; exit 1; }
	done
	echo "RESULT: gcc accepts $* ($(gcc -dumpfullversion 2>/dev/null || gcc -dumpversion))"
	exit 0
fi
echo "== last lines of the build log"
tail -n 40 "$log"
echo "RESULT: the build of $* failed (make exit $status)"
exit 1
