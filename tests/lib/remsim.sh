# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the remsim tests after pcscenv_setup and tap.sh: osmo-remsim
# built (or taken from the cache) by scripts/build-remsim, its prefix in
# RS. A checkout without the third-party tarball beside it (a clean clone
# elsewhere) says so as a skipped test and exits: the rest cannot run.
remsim_build() {
	local tar=${VSIM_REMSIM_TAR:-../shared/third_party/osmo-remsim-1.0.0.tar.gz}

	if [ ! -f "$tar" ]; then
		echo "ok 1 osmo-remsim builds # SKIP $tar not found (set VSIM_REMSIM_TAR)"
		echo "1..1"
		exit 0
	fi
	RS=$(VSIM_REMSIM_TAR=$tar scripts/build-remsim 2>"$PCSC_TMP/build.err" | tail -1)
	ok_if "osmo-remsim builds (or is cached) in build/remsim" test -x "$RS/bin/osmo-remsim-bankd"
	[ -x "$RS/bin/osmo-remsim-bankd" ] || { sed 's/^/# /' "$PCSC_TMP/build.err"; tap_done; }
}
