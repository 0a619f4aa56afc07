// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PC/SC layout of vsimd's cards (pcsc_layout.h): which pcscd group,
 * reader line and vpcd slot a vpcd port lands in, and the files that
 * make a group's pcscd show exactly that.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "common/pcsc_layout.h"

/*
 * The line's FRIENDLYNAME. pcscd names a reader "FRIENDLYNAME NN SS": NN
 * tells apart readers of one name (00: every line has its own name), SS
 * is vpcd's slot.
 */
static void line_name(int group, int line, char *buf, size_t n)
{
	snprintf(buf, n, "vsim group %d line %d", group, line);
}

int vsim_pcsc_group_ok(int base, int group)
{
	if (group < 0 || group >= VSIM_PCSC_MAX_GROUPS)
		return -1;
	if (base < 1 || base + (group + 1) * VSIM_PCSC_GROUP_READERS - 1 > 65535)
		return -1;
	return 0;
}

void vsim_pcsc_group_dir(int group, char *buf, size_t n)
{
	snprintf(buf, n, VSIM_PCSC_GROUP_DIR "/%d", group);
}

void vsim_pcsc_driver_copy(const char *dir, int line, char *buf, size_t n)
{
	snprintf(buf, n, "%s/libifdvpcd-%d.so", dir, line);
}

int vsim_pcsc_place(int grouped, int base, int port, struct vsim_pcsc_place *p)
{
	char name[32];
	int k = port - base, group;

	if (!grouped) {
		k = port - VSIM_PCSC_STOCK_PORT;
		if (k < 0 || k >= VSIM_PCSC_LINE_SLOTS)
			return -1;
		snprintf(p->socket, sizeof(p->socket), VSIM_PCSC_STOCK_SOCKET);
		snprintf(p->reader, sizeof(p->reader), "Virtual PCD 00 %02X", k);
		return 0;
	}
	if (k < 0)
		return -1;
	group = k / VSIM_PCSC_GROUP_READERS;
	if (vsim_pcsc_group_ok(base, group))
		return -1;
	k %= VSIM_PCSC_GROUP_READERS;
	vsim_pcsc_group_dir(group, p->socket, sizeof(p->socket));
	snprintf(p->socket + strlen(p->socket), sizeof(p->socket) - strlen(p->socket),
		 "/pcscd.comm");
	line_name(group, k / VSIM_PCSC_LINE_SLOTS, name, sizeof(name));
	snprintf(p->reader, sizeof(p->reader), "%s 00 %02X", name,
		 k % VSIM_PCSC_LINE_SLOTS);
	return 0;
}

int vsim_pcsc_reader_conf(FILE *f, int base, int group, const char *dir)
{
	char name[32], lib[PATH_MAX];
	int line, port;

	if (vsim_pcsc_group_ok(base, group))
		return -1;
	fprintf(f, "# vsim pcscd group %d: cards on vpcd ports %d-%d (vsimctl pcscd run)\n",
		group, base + group * VSIM_PCSC_GROUP_READERS,
		base + (group + 1) * VSIM_PCSC_GROUP_READERS - 1);
	for (line = 0; line < VSIM_PCSC_GROUP_LINES; line++) {
		port = base + group * VSIM_PCSC_GROUP_READERS +
		       line * VSIM_PCSC_LINE_SLOTS;
		line_name(group, line, name, sizeof(name));
		vsim_pcsc_driver_copy(dir, line, lib, sizeof(lib));
		fprintf(f, "\nFRIENDLYNAME \"%s\"\nDEVICENAME /dev/null:0x%04X\n"
			"LIBPATH %s\nCHANNELID 0x%04X\n", name, port, lib, port);
	}
	return ferror(f) ? -1 : 0;
}

int vsim_pcsc_bankd_slots(FILE *f, int group, int bank)
{
	char name[32];
	int k;

	if (group < 0 || group >= VSIM_PCSC_MAX_GROUPS || bank < 1 || bank > 65535)
		return -1;
	for (k = 0; k < VSIM_PCSC_GROUP_READERS; k++) {
		line_name(group, k / VSIM_PCSC_LINE_SLOTS, name, sizeof(name));
		fprintf(f, "\"%d\",\"%d\",\"^%s 00 %02X$\"\n", bank, k, name,
			k % VSIM_PCSC_LINE_SLOTS);
	}
	return ferror(f) ? -1 : 0;
}
