// SPDX-License-Identifier: GPL-2.0-only
/* A card's board and slot from the configuration (cardem/sel.h). */
#include <string.h>

#include "cardem/sel.h"

static int take(char *dst, size_t max, const char *v, size_t n)
{
	if (!n || n >= max)
		return -1;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

int vsimd_cardem_sel_parse(const char *spec, struct vsimd_cardem_sel *sel)
{
	const char *p = spec;

	memset(sel, 0, sizeof(*sel));
	sel->enabled = true;
	if (!strcmp(spec, "any"))
		return 0;
	while (*p) {
		const char *end = strchr(p, ','), *eq = strchr(p, '=');
		size_t n;

		if (!end)
			end = p + strlen(p);
		if (!eq || eq > end)
			return -1;
		n = (size_t)(end - eq - 1);
		if (!strncmp(p, "serial=", 7)) {
			if (take(sel->serial, sizeof(sel->serial), eq + 1, n))
				return -1;
		} else if (!strncmp(p, "path=", 5)) {
			if (take(sel->path, sizeof(sel->path), eq + 1, n) ||
			    strspn(sel->path, "0123456789-.") != n)
				return -1;
		} else if (!strncmp(p, "slot=", 5)) {
			if (n != 1 || (eq[1] != '0' && eq[1] != '1'))
				return -1;
			sel->slot = eq[1] - '0';
		} else {
			return -1;
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}
