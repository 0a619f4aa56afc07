#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Kernel style stays clean: `scripts/checkpatch.pl --no-tree -f` (from
# linux-source-6.1, extracted by `make` into build/ksrc) on every file of
# the module and the card engine, one TAP line per file. A first case makes
# sure the checker itself works (finds a planted error, has its data files)
# so a broken checker cannot pass everything.
set -u
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
CP=build/ksrc/scripts/checkpatch.pl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N $1"; }
not_ok() { TAP_N=$((TAP_N + 1)); echo "not ok $TAP_N $1"; TAP_FAILED=1; }

if [ ! -x "$CP" ]; then
	not_ok "checkpatch.pl present ($CP missing: run make)"
	tap_done
fi

# Planted: trailing whitespace, a space before the open parenthesis of a
# call, a misspelling from spelling.txt, a struct from const_structs.
# With -f, checkpatch reports typos only as CHECKs (--strict): the typo
# case below asks for exactly that type, the rest is the default level.
cat > "$tmp/planted.c" <<'EOF'
// SPDX-License-Identifier: GPL-2.0-only
#include <linux/fs.h>

static struct file_operations fops;

int planted(int a) 
{
	return abs (a); /* recieve */
}
EOF
"$CP" --no-tree -f --terse "$tmp/planted.c" > "$tmp/planted.out" 2> "$tmp/planted.err"
"$CP" --no-tree -f --terse --strict --types TYPO_SPELLING "$tmp/planted.c" \
	>> "$tmp/planted.out" 2>> "$tmp/planted.err"
want=("TRAILING_WHITESPACE|trailing whitespace" "SPACING|space prohibited between function name" \
	"recieve" "struct file_operations should normally be const")
miss=
for w in "${want[@]}"; do
	grep -qE "$w" "$tmp/planted.out" || miss="$miss [$w]"
done
if [ -z "$miss" ] && [ ! -s "$tmp/planted.err" ]; then
	ok "checkpatch finds planted errors (spacing, spelling, const structs)"
else
	not_ok "checkpatch finds planted errors (missing:$miss)"
	sed 's/^/#   /' "$tmp/planted.out" "$tmp/planted.err" | head -20
fi

for f in kmod/*.c kmod/*.h kmod/card/*.c kmod/card/*.h; do
	[ -e "$f" ] || continue
	if "$CP" --no-tree -f --terse "$f" > "$tmp/out" 2>&1; then
		ok "checkpatch $f"
	else
		not_ok "checkpatch $f"
		grep -E ':[0-9]+: (ERROR|WARNING|CHECK):' "$tmp/out" | head -20 | sed 's/^/#   /'
	fi
done

files=$(ls kmod/*.c kmod/*.h kmod/card/*.c kmod/card/*.h)
# shellcheck disable=SC2086
if "$CP" --no-tree -f --terse --strict --types TYPO_SPELLING $files > "$tmp/out" 2>&1; then
	ok "no typos from spelling.txt in kmod/ and kmod/card/"
else
	not_ok "no typos from spelling.txt in kmod/ and kmod/card/"
	grep -E ':[0-9]+: CHECK:' "$tmp/out" | head -20 | sed 's/^/#   /'
fi

tap_done
