#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# tests/vsimd_scale.sh with vsimd's kernel backend, inside the QEMU guest
# with vsim.ko loaded (scripts/vmtest -m vsim.ko -- 'bash
# tests/vm/vsimd_scale_kernel.sh'): 1,000 cards in vsim.ko, each with its
# thread, card fd and /dev/vsimN in vsimd, across kill -9 and restart.
cd "$(dirname "$0")/../.."
VSIMD_BACKEND=kernel exec bash tests/vsimd_scale.sh "$@"
