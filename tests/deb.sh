#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The Debian packages (debian/, issue #16): `make deb` in a copy of the
# tree (dpkg-buildpackage writes to the parent directory: a temporary one
# here), then what each package holds (dpkg-deb -c, -f, -I), its
# maintainer scripts, the packaged binaries' hardening and version, the
# systemd unit's exposure against the README's number, and lintian at its
# default level. Leaves the packages in build/deb for tests/vm/deb_install.sh.
# Skipped where the packaging tools are not installed (scripts/install-deps
# installs them). TAP on stdout.
set -u
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
version=$(sed -n 's/^VERSION *:= *//p' Makefile)
arch=$(dpkg --print-architecture 2>/dev/null)

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N $1"; }
not_ok() {	# not_ok NAME [LOG]: LOG's tail as diagnostics
	TAP_N=$((TAP_N + 1)); echo "not ok $TAP_N $1"; TAP_FAILED=1
	[ $# -gt 1 ] && [ -f "$2" ] && tail -n 20 "$2" | sed 's/^/#   /'
}
has() {	# has LIST PATH: PATH is a line of LIST
	grep -qxF "$2" "$1"
}

missing=
for t in dpkg-buildpackage dh dh_dkms lintian; do
	command -v $t > /dev/null || missing="$missing $t"
done
if [ -n "$missing" ]; then
	echo "ok 1 make deb # SKIP not installed:$missing (scripts/install-deps)"
	tap_done
fi

check "debian/changelog's version is the Makefile's VERSION" "$version" \
	"$(dpkg-parsechangelog -S Version)"
if dpkg-checkbuilddeps > "$tmp/bdeps.log" 2>&1; then
	ok "build dependencies installed (dpkg-checkbuilddeps)"
else
	not_ok "build dependencies installed (dpkg-checkbuilddeps)" "$tmp/bdeps.log"
fi

# --- make deb in a copy ------------------------------------------------------
src=$tmp/vsim
mkdir -p "$src"
tar -C . --exclude=./build --exclude=./.git --exclude=./debian/build \
	--exclude=./debian/tmp -cf - . | tar -C "$src" -xf -
if make -C "$src" deb > "$tmp/deb.log" 2>&1; then
	ok "make deb (dpkg-buildpackage -us -uc -b)"
else
	not_ok "make deb (dpkg-buildpackage -us -uc -b)" "$tmp/deb.log"
	tap_done
fi
out=$src/build/deb
debs="vsim_${version}_$arch.deb vsim-dkms_${version}_all.deb libvsim-dev_${version}_all.deb"
for d in $debs; do
	ok_if "built $d" test -s "$out/$d"
done
check "nothing left in the copy's parent but the copy" vsim "$(ls "$tmp" | grep -v '\.log$')"

contents() {	# contents DEB: one path a line, "./" and trailing "/" cut
	dpkg-deb -c "$out/$1" | awk '{ print $6 }' | sed 's|^\./|/|; s|/$||' | grep -v '^$'
}
modes() {	# modes DEB: "mode owner path" a line
	dpkg-deb -c "$out/$1" | awk '{ print $1, $2, $6 }' | sed 's| \./| /|'
}

# --- vsim --------------------------------------------------------------------
V=vsim_${version}_$arch.deb
contents "$V" > "$tmp/vsim.list"
modes "$V" > "$tmp/vsim.modes"
for f in /usr/bin/vsimctl /usr/bin/vsim-modem /usr/sbin/vsimd \
	/lib/udev/rules.d/60-vsim.rules /lib/udev/rules.d/61-vsim-cardem.rules \
	/lib/systemd/system/vsimd.service /lib/systemd/system/vsim-pcscd@.service \
	/etc/vsim/vsimd.conf \
	/etc/vsim/test-usim.ini /etc/default/vsimd \
	/usr/share/man/man1/vsimctl.1.gz /usr/share/man/man1/vsim-modem.1.gz \
	/usr/share/man/man4/vsim.4.gz /usr/share/man/man5/vsim-profile.5.gz \
	/usr/share/man/man8/vsimd.8.gz /usr/share/doc/vsim/vsimd.md \
	/usr/share/doc/vsim/README.md /usr/share/doc/vsim/copyright \
	/usr/share/doc/vsim/examples/test-usim.ini; do
	ok_if "vsim holds $f" has "$tmp/vsim.list" "$f"
done
check "vsim: every docs/man page is packaged" "$(ls docs/man | wc -l)" \
	"$(grep -c '^/usr/share/man/man./.*\.gz$' "$tmp/vsim.list")"
check "vsim: the profile with keys is root's, 0600" "-rw------- root/root" \
	"$(awk '$3 == "/etc/vsim/test-usim.ini" { print $1, $2 }' "$tmp/vsim.modes")"
check "vsim: no header, no module source" "" \
	"$(grep -E '^/usr/(include|src)' "$tmp/vsim.list")"
check "vsim: conffiles" "/etc/default/vsimd /etc/vsim/test-usim.ini /etc/vsim/vsimd.conf" \
	"$(dpkg-deb -I "$out/$V" conffiles | sort | tr '\n' ' ' | sed 's/ $//')"
dep=$(dpkg-deb -f "$out/$V" Depends)
ok_if "vsim depends on adduser (postinst's groups)" contains "$dep" "adduser"
ok_if "vsim depends on libsqlite3 and libpcsclite (shlibs)" \
	contains "$dep" "libsqlite3-0"
ok_if "vsim recommends pcscd and vsmartcard-vpcd" \
	contains "$(dpkg-deb -f "$out/$V" Recommends)" "pcscd, vsmartcard-vpcd"
mkdir -p "$tmp/vsim" "$tmp/vsim.ctl"
dpkg-deb -x "$out/$V" "$tmp/vsim"
dpkg-deb -e "$out/$V" "$tmp/vsim.ctl"
ok_if "postinst creates group vsim" grep -q '^[[:space:]]*addgroup --system --quiet vsim$' "$tmp/vsim.ctl/postinst"
ok_if "postinst creates group vsim-admin" grep -q '^[[:space:]]*addgroup --system --quiet vsim-admin$' "$tmp/vsim.ctl/postinst"
ok_if "postrm purges vsimd's store /var/lib/vsim" grep -q 'rm -rf /var/lib/vsim' "$tmp/vsim.ctl/postrm"
# dh_installsystemd --no-enable --no-start: no start, enable only where
# the admin had enabled it before (an upgrade)
check "vsimd.service is not started on install" 0 \
	"$(grep -c 'deb-systemd-invoke' "$tmp/vsim.ctl/postinst")"
check "vsimd.service is enabled only if it was enabled" \
	"$(grep -c 'deb-systemd-helper --quiet was-enabled' "$tmp/vsim.ctl/postinst")" \
	"$(grep -c 'deb-systemd-helper enable' "$tmp/vsim.ctl/postinst")"
check "packaged vsimctl --version" "vsimctl $version" "$("$tmp/vsim/usr/bin/vsimctl" --version 2>&1)"
check "packaged vsimd --version" "vsimd $version" "$("$tmp/vsim/usr/sbin/vsimd" --version 2>&1)"
check "packaged vsim-modem --version" "vsim-modem $version" "$("$tmp/vsim/usr/bin/vsim-modem" --version 2>&1)"
out1=$("$tmp/vsim/usr/bin/vsimctl" exec --profile examples/test-usim.ini 00A4000C023F00 2>&1)
check "packaged vsimctl runs an APDU" 9000 "$out1"
if command -v hardening-check > /dev/null; then
	for b in usr/sbin/vsimd usr/bin/vsimctl usr/bin/vsim-modem; do
		# control-flow protection: Debian 12's default flags do not ask for it
		if hardening-check --nocfprotection "$tmp/vsim/$b" > "$tmp/hc.log" 2>&1; then
			ok "$b: PIE, stack protector, fortify, relro, bindnow (hardening-check)"
		else
			not_ok "$b: PIE, stack protector, fortify, relro, bindnow (hardening-check)" "$tmp/hc.log"
		fi
	done
fi

# the unit: parses without a warning, its exposure is the README's
unit=$tmp/vsim/lib/systemd/system/vsimd.service
if command -v systemd-analyze > /dev/null; then
	systemd-analyze security --offline=true --no-pager "$unit" \
		> "$tmp/sec.out" 2> "$tmp/sec.err"
	check "systemd-analyze security: the unit parses without a warning" "" "$(cat "$tmp/sec.err")"
	score=$(sed -n 's/^→ Overall exposure level for vsimd.service: \([0-9.]*\) .*/\1/p' "$tmp/sec.out")
	readme=$(sed -n 's/.*`systemd-analyze security vsimd` scores it \*\*\([0-9.]*\)\*\*.*/\1/p' README.md)
	check "unit's exposure ($score) is the one README.md states" "$readme" "$score"
fi

# --- vsim-dkms -------------------------------------------------------------
D=vsim-dkms_${version}_all.deb
contents "$D" > "$tmp/dkms.list"
s=/usr/src/vsim-$version
check "vsim-dkms: the module's sources, Kbuild, dkms.conf and the UAPI header" \
	"$(cd . && { echo "$s/Kbuild"; echo "$s/dkms.conf"; echo "$s/include/uapi/linux/vsim.h";
		ls kmod/*.[ch] kmod/card/*.[ch] | sed "s|^|$s/|"; } | sort)" \
	"$(grep "^$s/.*\.[ch]\$\|^$s/Kbuild\$\|^$s/dkms.conf\$" "$tmp/dkms.list" | sort)"
check "vsim-dkms: nothing outside /usr/src and its docs" "" \
	"$(grep -vE "^/usr(/src(/vsim-$version(/.*)?)?|/share(/doc(/vsim-dkms(/.*)?)?)?)?\$" "$tmp/dkms.list")"
ok_if "vsim-dkms depends on dkms" contains "$(dpkg-deb -f "$out/$D" Depends)" dkms
mkdir -p "$tmp/dkms" "$tmp/dkms.ctl"
dpkg-deb -x "$out/$D" "$tmp/dkms"
dpkg-deb -e "$out/$D" "$tmp/dkms.ctl"
ok_if "vsim-dkms: packaged dkms.conf is the tree's" cmp -s dkms.conf "$tmp/dkms$s/dkms.conf"
ok_if "vsim-dkms postinst: DKMS builds vsim $version" \
	grep -q "^DKMS_VERSION=$version\$" "$tmp/dkms.ctl/postinst"
ok_if "vsim-dkms prerm: dkms remove" grep -q 'dkms remove -m $DKMS_NAME' "$tmp/dkms.ctl/prerm"

# --- libvsim-dev -------------------------------------------------------------
L=libvsim-dev_${version}_all.deb
check "libvsim-dev: the UAPI header, copyright, changelog" \
	"/usr/include/linux/vsim.h /usr/share/doc/libvsim-dev/changelog.gz /usr/share/doc/libvsim-dev/copyright" \
	"$(dpkg-deb -c "$out/$L" | awk '$1 !~ /^d/ { print substr($6, 2) }' | sort | tr '\n' ' ' | sed 's/ $//')"
mkdir -p "$tmp/dev"
dpkg-deb -x "$out/$L" "$tmp/dev"
ok_if "libvsim-dev: the header is include/uapi/linux/vsim.h" \
	cmp -s include/uapi/linux/vsim.h "$tmp/dev/usr/include/linux/vsim.h"
printf '#include <linux/vsim.h>\nint main(void) { return VSIM_IOC_NEW_CARD == 0; }\n' > "$tmp/use.c"
ok_if "libvsim-dev: a program includes <linux/vsim.h> from it" \
	cc -std=c11 -Wall -Werror -I"$tmp/dev/usr/include" -o "$tmp/use" "$tmp/use.c"

# --- lintian -------------------------------------------------------------------
# default level (errors and warnings); the overrides are in debian/*.lintian-overrides
lintian --tag-display-limit 0 "$out/vsim_${version}_$arch.changes" > "$tmp/lintian.log" 2>&1
rc=$?
grep -v '^running with root privileges is not recommended' "$tmp/lintian.log" > "$tmp/lintian.out"
if [ $rc = 0 ] && [ ! -s "$tmp/lintian.out" ]; then
	ok "lintian: no error, no warning"
else
	not_ok "lintian: no error, no warning (exit $rc)" "$tmp/lintian.out"
fi

# for tests/vm/deb_install.sh
mkdir -p build/deb
cp "$out"/*.deb build/deb/
tap_done
