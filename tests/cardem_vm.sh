#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The cardem bridge's tests (tests/cardem/vm.sh) in one QEMU boot of
# Debian's kernel with dummy_hcd (two full-speed buses), libcomposite,
# usb_f_fs and vsim.ko: this host cannot load dummy_hcd itself.
set -u
cd "$(dirname "$0")/.."
exec scripts/vmtest -q -t 300 -m vsim.ko \
	-M 'dummy_hcd is_high_speed=0 num=2' -M libcomposite -M usb_f_fs \
	-- 'bash tests/cardem/vm.sh'
