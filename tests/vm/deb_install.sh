#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The Debian packages installed, used and purged inside the QEMU guest
# (scripts/vmtest -M overlay -- 'bash tests/vm/deb_install.sh'), which
# boots Debian's kernel and has its headers: a fresh root is an overlay of
# the host's / (read-only in the guest) with a tmpfs on top; in a chroot of
# it `apt-get install` takes build/deb's vsim, vsim-dkms and libvsim-dev
# (tests/deb.sh or `make deb` built them), DKMS builds vsim.ko in the
# guest, `modprobe vsim`, vsimd runs the packaged config on the kernel
# backend, the demo's PC/SC part (scripts/demo-pcsc) runs on the packaged
# programs, then remove and purge, after which the overlay's upper layer
# holds nothing of vsim. vsimd's unit is not run: the guest has no systemd
# (tests/deb.sh checks the unit offline). TAP on stdout.
set -u
cd "$(dirname "$0")/../.."
repo=$PWD
. tests/lib/tap.sh
version=$(sed -n 's/^VERSION *:= *//p' Makefile)
arch=$(dpkg --print-architecture)
kver=$(uname -r)
debs="build/deb/vsim_${version}_$arch.deb build/deb/vsim-dkms_${version}_all.deb build/deb/libvsim-dev_${version}_all.deb"

# ---- inside the chroot of the overlay ---------------------------------------
if [ "${1:-}" = inner ]; then
	TAP_N=$2
	log=/tmp/deb-install.log
	# no network in the guest: every dependency must be installed already
	# (they are on the host, whose / this is)
	export DEBIAN_FRONTEND=noninteractive
	start=$(date +%s)
	# shellcheck disable=SC2086 # the package files are separate words
	if apt-get install -y --no-install-recommends $(for d in $debs; do echo "$repo/$d"; done) \
			> $log 2>&1; then
		echo "ok $((TAP_N += 1)) apt-get install ./vsim ./vsim-dkms ./libvsim-dev ($(($(date +%s) - start)) s, DKMS build included)"
	else
		echo "not ok $((TAP_N += 1)) apt-get install ./vsim ./vsim-dkms ./libvsim-dev"
		tail -n 30 $log | sed 's/^/#   /'
		TAP_FAILED=1
	fi
	check "dpkg: vsim, vsim-dkms, libvsim-dev installed" "ii ii ii" \
		"$(dpkg-query -W -f='${db:Status-Abbrev}\n' vsim vsim-dkms libvsim-dev 2>&1 | awk '{ print $1 }' | tr '\n' ' ' | sed 's/ $//')"
	ok_if "dkms status: vsim $version installed for $kver" \
		contains "$(dkms status -m vsim -v "$version" 2>&1)" "vsim/$version, $kver, x86_64: installed"
	ko=$(modinfo -n vsim 2>/dev/null)
	ok_if "modinfo -n vsim: DKMS's module ($ko)" contains "$ko" "/lib/modules/$kver/updates/dkms/vsim.ko"
	check "DKMS's module was built for $kver" "$kver" \
		"$(modinfo -F vermagic vsim 2>/dev/null | cut -d' ' -f1)"
	# DKMS's share of the install: from `dkms add` (its source link) to
	# the installed module
	t0=$(stat -c %Y /var/lib/dkms/vsim/$version/source 2>/dev/null || echo 0)
	t1=$(stat -c %Y "$ko" 2>/dev/null || echo 0)
	echo "# DKMS add to installed module: $((t1 - t0)) s under TCG"
	ok_if "group vsim exists" bash -c 'getent group vsim > /dev/null'
	ok_if "group vsim-admin exists" bash -c 'getent group vsim-admin > /dev/null'
	ok_if "modprobe vsim" modprobe vsim
	ok_if "/dev/vsimx appears" test -c /dev/vsimx
	check "module parameter persist_timeout_ms (default)" 5000 \
		"$(cat /sys/module/vsim/parameters/persist_timeout_ms 2>&1)"

	# vsimd as the unit starts it, without systemd: the packaged config
	# (state /var/lib/vsim, socket /run/vsim/vsimd.sock, card lab1 from
	# /etc/vsim/test-usim.ini); RuntimeDirectory= would make /run/vsim
	mkdir -p /run/vsim
	/usr/sbin/vsimd --backend kernel --config /etc/vsim/vsimd.conf > /tmp/vsimd.log 2>&1 &
	pid=$!
	i=0
	until vsimctl list > /dev/null 2>&1 || [ $i -ge 600 ]; do sleep 0.1; i=$((i + 1)); done
	out=$(vsimctl list --json 2>&1)
	ok_if "packaged vsimd with /etc/vsim/vsimd.conf hosts lab1 in vsim.ko" \
		contains "$out" '"backend":"kernel"'
	ok_if "... and its card is /dev/vsim0" test -c /dev/vsim0
	check "sysfs: /sys/class/vsim/vsim0/iccid" 8988211000000000011 \
		"$(cat /sys/class/vsim/vsim0/iccid 2>&1)"
	check "sysfs: durable (changes wait for vsimd's commit)" 1 \
		"$(cat /sys/class/vsim/vsim0/durable 2>&1)"
	check "the store is /var/lib/vsim/vsim.db, 0600" 600 \
		"$(stat -c %a /var/lib/vsim/vsim.db 2>&1)"
	# one opener per terminal: vsimd's PC/SC bridge holds this one
	out=$(vsimctl exec --device /dev/vsim0 00A4000C023F00 2>&1)
	check "exec --device on vsimd's card: busy, exit 1 (README)" \
		"1:vsimctl: /dev/vsim0: Device or resource busy" "$?:$out"
	kill "$pid"
	wait "$pid"
	check "vsimd exits 0 on SIGTERM" 0 "$?"
	i=0
	while [ -e /dev/vsim0 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	ok_if "the card left vsim.ko with vsimd" test ! -e /dev/vsim0

	# the demo's PC/SC part on the packaged programs and the DKMS module
	VSIMD=/usr/sbin/vsimd VSIMCTL=/usr/bin/vsimctl \
		bash scripts/demo-pcsc /etc/vsim/test-usim.ini > /tmp/demo.log 2>&1
	rc=$?
	check "demo-pcsc on the packages exits 0" 0 "$rc"
	[ $rc = 0 ] || tail -n 20 /tmp/demo.log | sed 's/^/#   /'
	out=$(cat /tmp/demo.log)
	ok_if "demo-pcsc used the kernel backend" contains "$out" "Start vsimd --backend kernel"
	ok_if "demo-pcsc: pcsc_scan saw the card" contains "$out" "Card inserted"
	ok_if "demo-pcsc: RES of TS 35.208 test set 1 through PC/SC" \
		contains "$out" "RES   a54211d5e3ba50bf"
	ok_if "rmmod vsim" rmmod vsim

	# piuparts' order: remove (conffiles stay), then purge
	start=$(date +%s)
	if apt-get remove -y vsim vsim-dkms libvsim-dev > $log 2>&1; then
		echo "ok $((TAP_N += 1)) apt-get remove ($(($(date +%s) - start)) s)"
	else
		echo "not ok $((TAP_N += 1)) apt-get remove"; tail -n 20 $log | sed 's/^/#   /'; TAP_FAILED=1
	fi
	ok_if "removed: /etc/vsim/vsimd.conf (a conffile) stays" test -f /etc/vsim/vsimd.conf
	ok_if "removed: no vsimd" test ! -e /usr/sbin/vsimd
	ok_if "removed: DKMS dropped the module" test ! -e "/lib/modules/$kver/updates/dkms/vsim.ko"
	# what dpkg still knows (vsim with its conffiles: "rc"); apt no
	# longer finds a removed local package that had none
	left=$(dpkg-query -W -f='${Package}\n' vsim vsim-dkms libvsim-dev 2>/dev/null)
	start=$(date +%s)
	# shellcheck disable=SC2086 # package names are words
	if apt-get purge -y $left > $log 2>&1; then
		echo "ok $((TAP_N += 1)) apt-get purge ($(($(date +%s) - start)) s)"
	else
		echo "not ok $((TAP_N += 1)) apt-get purge"; tail -n 20 $log | sed 's/^/#   /'; TAP_FAILED=1
	fi
	check "purged: dpkg knows no vsim package" "" \
		"$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' 2>/dev/null | grep -E '^(lib)?vsim')"
	for p in /etc/vsim /etc/default/vsimd /var/lib/vsim /usr/src/vsim-$version \
		/var/lib/dkms/vsim /usr/include/linux/vsim.h; do
		ok_if "purged: no $p" test ! -e "$p"
	done
	ok_if "purged: modprobe finds no vsim" bash -c '! modprobe -n vsim 2>/dev/null'
	echo "$TAP_N $TAP_FAILED" > /tmp/tap.state
	exit 0
fi

# ---- outside: the fresh root ------------------------------------------------
[ -n "${VMTEST:-}" ] || { echo "not ok 1 run me in the VM: scripts/vmtest -M overlay -- 'bash $0'"; exit 1; }
for d in $debs; do
	ok_if "$d is built (tests/deb.sh, make deb)" test -s "$d"
done
[ "$TAP_FAILED" = 0 ] || tap_done
ovl=/tmp/ovl
mkdir -p $ovl
mount -t tmpfs -o mode=0755 ovl $ovl
mkdir -p $ovl/upper $ovl/work $ovl/root
ok_if "an overlay of / with a tmpfs on top" \
	mount -t overlay overlay -o lowerdir=/,upperdir=$ovl/upper,workdir=$ovl/work $ovl/root
r=$ovl/root
mount -t proc proc $r/proc
mount -t sysfs sys $r/sys
mount -t devtmpfs dev $r/dev
mkdir -p $r/dev/pts
# bash's <(...), which dkms uses, needs /dev/fd (udev's link elsewhere)
[ -e $r/dev/fd ] || ln -s /proc/self/fd $r/dev/fd
mount -t devpts -o newinstance,ptmxmode=0666 devpts $r/dev/pts	# apt's log pty
mount -t tmpfs tmp $r/tmp
mount -t tmpfs run $r/run
mkdir -p "$r$repo"
mount --bind "$repo" "$r$repo"
chroot $r /bin/bash -c "cd '$repo' && bash tests/vm/deb_install.sh inner $TAP_N"
read -r TAP_N failed < $r/tmp/tap.state || { TAP_N=$((TAP_N + 1)); echo "not ok $TAP_N the chroot's tests ran to the end"; failed=1; }
[ "$failed" = 0 ] || TAP_FAILED=1
umount "$r$repo" $r/run $r/tmp $r/dev/pts $r/dev $r/sys $r/proc

# What the packages' life left in the upper layer, which holds every file
# written since the overlay was made: nothing named vsim (dpkg's own
# records aside: /var/lib/dpkg, /var/log, apt's caches)
left=$(cd $ovl/upper && find . -iname '*vsim*' ! -type c | grep -vE '^\./var/(lib/dpkg|log|cache/apt|lib/apt)/' | sort)
check "purged: nothing named vsim was left on the root" "" "$left"
ok_if "purged: groups vsim and vsim-admin stay (Debian keeps system groups)" \
	grep -q '^vsim-admin:' $ovl/upper/etc/group
tap_done
