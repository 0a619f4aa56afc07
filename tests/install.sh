#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make install`/`make uninstall` staged with DESTDIR the way a packager
# runs them, against Debian's headers (this host's own kernel has none and
# cannot load modules), and dkms.conf through a real `dkms add` + `dkms
# build` for that kernel. TAP on stdout.
set -u
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N $1"; }
not_ok() {	# not_ok NAME [LOG]: LOG's tail as diagnostics
	TAP_N=$((TAP_N + 1)); echo "not ok $TAP_N $1"; TAP_FAILED=1
	[ $# -gt 1 ] && [ -f "$2" ] && tail -n 15 "$2" | sed 's/^/#   /'
}
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N $1 # SKIP $2"; }
mode() { stat -c %a "$1" 2>/dev/null || echo missing; }

kdir=$(ls -d /lib/modules/*-amd64/build 2>/dev/null | sort -V | tail -n 1)
kver=${kdir#/lib/modules/}
kver=${kver%/build}
version=$(sed -n 's/^VERSION *:= *//p' Makefile)

# --- the staged tree of a packager's install -------------------------------
d=$tmp/stage
if [ -z "$kdir" ]; then
	skip "make install DESTDIR= PREFIX=/usr KDIR= KVER=" "no /lib/modules/*-amd64/build (linux-headers-amd64)"
	module=0
elif make -s install DESTDIR="$d" PREFIX=/usr KDIR="$kdir" KVER="$kver" \
		> "$tmp/install.log" 2>&1; then
	ok "make install DESTDIR= PREFIX=/usr KDIR=$kdir KVER=$kver"
	module=1
else
	not_ok "make install DESTDIR= PREFIX=/usr KDIR=$kdir KVER=$kver" "$tmp/install.log"
	module=0
fi

if [ "$module" = 1 ]; then
	ko=$d/lib/modules/$kver/extra/vsim.ko
	check "module at lib/modules/$kver/extra/vsim.ko, mode 0644" 644 "$(mode "$ko")"
	check "installed module's vermagic is $kver" "$kver" \
		"$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)"
	check "staged: no depmod output (modules.dep) in DESTDIR" "" \
		"$(ls "$d/lib/modules/$kver" | grep -v '^extra$')"
	check "staged: says depmod was not run" 1 \
		"$(grep -c "not running depmod on a staged tree" "$tmp/install.log")"
	check "UAPI header at usr/include/linux/vsim.h, 0644" 644 "$(mode "$d/usr/include/linux/vsim.h")"
	cmp -s include/uapi/linux/vsim.h "$d/usr/include/linux/vsim.h" &&
		ok "installed header is the UAPI header" ||
		not_ok "installed header is the UAPI header"
	check "vsimctl at usr/bin, 0755" 755 "$(mode "$d/usr/bin/vsimctl")"
	check "vsimd at usr/sbin, 0755" 755 "$(mode "$d/usr/sbin/vsimd")"
	check "vsim-modem at usr/bin, 0755" 755 "$(mode "$d/usr/bin/vsim-modem")"
	"$d/usr/bin/vsimctl" exec --profile examples/test-usim.ini 00A4000C023F00 \
		> "$tmp/exec.out" 2>&1
	check "installed vsimctl runs an APDU" 9000 "$(cat "$tmp/exec.out")"
	check "udev rules at etc/udev/rules.d, 0644" 644 "$(mode "$d/etc/udev/rules.d/60-vsim.rules")"
	check "SIMtrace2 udev rules at etc/udev/rules.d, 0644" 644 "$(mode "$d/etc/udev/rules.d/61-vsim-cardem.rules")"
	check "systemd unit at etc/systemd/system, 0644" 644 "$(mode "$d/etc/systemd/system/vsimd.service")"
	check "unit starts /usr/sbin/vsimd" 1 \
		"$(grep -c '^ExecStart=/usr/sbin/vsimd ' "$d/etc/systemd/system/vsimd.service")"
	check "vsim-modem at usr/bin, 0755" 755 "$(mode "$d/usr/bin/vsim-modem")"
	check "vsim-modem's unit at etc/systemd/system, 0644" 644 "$(mode "$d/etc/systemd/system/vsim-modem.service")"
	check "vsim-modem's unit starts /usr/bin/vsim-modem --gadget with its control socket" 1 \
		"$(grep -c '^ExecStart=/usr/bin/vsim-modem --gadget --control /run/vsim-modem/control ' "$d/etc/systemd/system/vsim-modem.service")"
	pu="$d/etc/systemd/system/vsim-pcscd@.service"
	check "pcscd group template unit at etc/systemd/system, 0644" 644 "$(mode "$pu")"
	check "it starts /usr/bin/vsimctl pcscd run %i" 1 \
		"$(grep -c '^ExecStart=/usr/bin/vsimctl pcscd run %i$' "$pu")"
	bu="$d/usr/share/doc/vsim/examples/vsim-bankd@.service"
	check "remsim bankd template unit among the examples, 0644" 644 "$(mode "$bu")"
	# systemd-analyze verify: each unit with the units it binds to beside
	# it and its ExecStart pointing at the staged binary (it must exist);
	# unknown keys are only warned about, so any output fails
	mkdir -p "$tmp/units"
	for u in "$d"/etc/systemd/system/*.service "$bu"; do
		sed "s|/usr/bin/vsim-modem|$d/usr/bin/vsim-modem|; s|/usr/bin/vsimctl|$d/usr/bin/vsimctl|;
		     s|/usr/sbin/vsimd|$d/usr/sbin/vsimd|" "$u" > "$tmp/units/${u##*/}"
	done
	for u in vsim-modem.service vsim-pcscd@.service vsim-bankd@.service; do
		if ! command -v systemd-analyze > /dev/null; then
			skip "systemd-analyze verify: $u" "no systemd-analyze"
		elif systemd-analyze verify --man=no "$tmp/units/$u" > "$tmp/verify.log" 2>&1 &&
		   [ ! -s "$tmp/verify.log" ]; then
			ok "systemd-analyze verify: $u"
		else
			not_ok "systemd-analyze verify: $u" "$tmp/verify.log"
		fi
	done
	check "docs at usr/share/doc/vsim, 0644" 644 "$(mode "$d/usr/share/doc/vsim/uapi.md")"
	check "config at etc/vsim/vsimd.conf, 0644" 644 "$(mode "$d/etc/vsim/vsimd.conf")"
	check "profile with keys at etc/vsim/test-usim.ini, 0600" 600 "$(mode "$d/etc/vsim/test-usim.ini")"

	# an admin's config survives a reinstall and an uninstall
	echo "; edited" >> "$d/etc/vsim/vsimd.conf"
	make -s install-user DESTDIR="$d" PREFIX=/usr > "$tmp/reinstall.log" 2>&1
	check "reinstall keeps an edited config" 1 "$(grep -c '^; edited' "$d/etc/vsim/vsimd.conf")"

	if make -s uninstall DESTDIR="$d" PREFIX=/usr KVER="$kver" > "$tmp/uninstall.log" 2>&1; then
		ok "make uninstall DESTDIR= PREFIX=/usr KVER=$kver"
	else
		not_ok "make uninstall DESTDIR= PREFIX=/usr KVER=$kver" "$tmp/uninstall.log"
	fi
	check "uninstall leaves only the edited config" "$d/etc/vsim/vsimd.conf" \
		"$(find "$d" -type f | sort | tr '\n' ' ' | sed 's/ $//')"
fi

# --- default PREFIX ----------------------------------------------------------
d=$tmp/local
if make -s install-user DESTDIR="$d" > "$tmp/local.log" 2>&1; then
	check "default PREFIX /usr/local: vsimctl in usr/local/bin" 755 "$(mode "$d/usr/local/bin/vsimctl")"
	check "default PREFIX: header in usr/local/include/linux" 644 "$(mode "$d/usr/local/include/linux/vsim.h")"
	check "default PREFIX: vsim-modem's unit starts /usr/local/bin/vsim-modem" 1 \
		"$(grep -c '^ExecStart=/usr/local/bin/vsim-modem ' "$d/etc/systemd/system/vsim-modem.service")"
	check "default PREFIX: unit starts /usr/local/sbin/vsimd" 1 \
		"$(grep -c '^ExecStart=/usr/local/sbin/vsimd ' "$d/etc/systemd/system/vsimd.service")"
	check "default PREFIX: unit documents /usr/local/share/doc/vsim" 1 \
		"$(grep -c '^Documentation=file:/usr/local/share/doc/vsim/vsimd.md$' "$d/etc/systemd/system/vsimd.service")"
else
	not_ok "make install-user DESTDIR= (default PREFIX)" "$tmp/local.log"
fi

# --- refusals -----------------------------------------------------------------
make -s install-module DESTDIR="$tmp/bad" KDIR="$tmp/nowhere" KVER=9.9.9 > "$tmp/bad.log" 2>&1
rc=$?
check "KDIR without a kernel tree: make fails" 2 "$rc"
check "KDIR without a kernel tree: says so" 1 "$(grep -c "no kernel build tree at $tmp/nowhere" "$tmp/bad.log")"
check "KDIR without a kernel tree: nothing installed" "" "$(find "$tmp/bad" -type f 2>/dev/null)"
if [ -n "$kdir" ]; then
	make -s install-module DESTDIR="$tmp/bad" KDIR="$kdir" KVER=9.9.9-other > "$tmp/mismatch.log" 2>&1
	rc=$?
	check "KVER not matching KDIR: make fails" 2 "$rc"
	check "KVER not matching KDIR: says so" 1 "$(grep -c "is for $kver, not 9.9.9-other" "$tmp/mismatch.log")"
fi

# --- dkms ---------------------------------------------------------------------
conf() { sed -n "s/^$1=\"\(.*\)\"$/\1/p" dkms.conf; }
check "dkms.conf PACKAGE_VERSION is the Makefile's VERSION" "$version" "$(conf PACKAGE_VERSION)"
check "dkms.conf BUILT_MODULE_NAME is vsim" vsim "$(conf 'BUILT_MODULE_NAME\[0\]')"
check "dkms.conf DEST_MODULE_LOCATION is /extra" /extra "$(conf 'DEST_MODULE_LOCATION\[0\]')"

if ! command -v dkms > /dev/null; then
	skip "dkms add + build" "dkms is not installed (scripts/install-deps installs it)"
elif [ -z "$kdir" ]; then
	skip "dkms add + build" "no Debian kernel headers"
elif [ "$(id -u)" != 0 ] || ! command -v unshare > /dev/null; then
	skip "dkms add + build" "needs root and unshare (dkms writes its MOK key to /var/lib/dkms; a private mount keeps it off the host)"
else
	src=$tmp/dkmsroot
	make -s install-dkms DESTDIR="$src" > "$tmp/dkms-stage.log" 2>&1 ||
		not_ok "make install-dkms" "$tmp/dkms-stage.log"
	mkdir -p "$tmp/dkmstree" "$tmp/varlib"
	# Own trees for source and builds; /var/lib/dkms (where dkms makes a
	# signing key on first use) replaced by an empty directory for this run.
	unshare -m sh -c '
		mount --make-rprivate / &&
		mkdir -p /var/lib/dkms && mount --bind "$4" /var/lib/dkms &&
		dkms add -m vsim -v "$3" --sourcetree "$1" --dkmstree "$2" &&
		dkms build -m vsim -v "$3" -k "$5" --sourcetree "$1" --dkmstree "$2"' \
		dkms "$src/usr/src" "$tmp/dkmstree" "$version" "$tmp/varlib" "$kver" \
		> "$tmp/dkms.log" 2>&1
	rc=$?
	built=$tmp/dkmstree/vsim/$version/$kver/x86_64/module/vsim.ko
	if [ $rc = 0 ] && [ -f "$built" ]; then
		ok "dkms add + dkms build -k $kver"
	else
		not_ok "dkms add + dkms build -k $kver (exit $rc)" "$tmp/dkms.log"
	fi
	check "dkms-built module's vermagic is $kver" "$kver" \
		"$(modinfo -F vermagic "$built" 2>/dev/null | cut -d' ' -f1)"
	check "dkms-built module is vsim" vsim "$(modinfo -F name "$built" 2>/dev/null)"
fi

tap_done
