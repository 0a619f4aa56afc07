/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where a vsimd card shows up in PC/SC: the one rule that `vsimctl pcscd
 * run` writes into a pcscd group's reader.conf and that vsimd's list uses
 * to name each card's pcscd socket and reader (docs/vsimd.md "More than
 * 16 cards").
 *
 * A card whose vpcd port is base + k (k = its slot with the default
 * ports) is in group k / 16, reader line (k % 16) / 2, vpcd slot k % 2:
 * one pcscd shows 16 readers (PCSCLITE_MAX_READERS_CONTEXTS, pcsc-lite
 * 1.9.9) and vpcd makes two of each reader.conf line. Group G's pcscd
 * serves VSIM_PCSC_GROUP_DIR/G/pcscd.comm.
 */
#ifndef VSIM_PCSC_LAYOUT_H
#define VSIM_PCSC_LAYOUT_H

#include <stdio.h>

#define VSIM_PCSC_GROUP_DIR	"/run/vsim-pcscd"
#define VSIM_PCSC_GROUP_READERS	16	/* PCSCLITE_MAX_READERS_CONTEXTS */
#define VSIM_PCSC_LINE_SLOTS	2	/* vpcd: "... 00 00" and "... 00 01" */
#define VSIM_PCSC_GROUP_LINES	(VSIM_PCSC_GROUP_READERS / VSIM_PCSC_LINE_SLOTS)
#define VSIM_PCSC_MAX_GROUPS	256	/* VSIMD_MAX_CARDS / 16 */
/* Debian's /etc/reader.conf.d/vpcd: "Virtual PCD" on 0x8C7B, one pcscd */
#define VSIM_PCSC_STOCK_SOCKET	"/run/pcscd/pcscd.comm"
#define VSIM_PCSC_STOCK_PORT	35963

/* A card's place: pcscd's socket (clients: PCSCLITE_CSOCK_NAME) and reader. */
struct vsim_pcsc_place {
	char socket[48];
	char reader[48];
};

/*
 * The place of the card on vpcd port @port: in the pcscd groups based at
 * @base when @grouped, else in Debian's stock pcscd. 0, or -1 when that
 * layout has no reader for the port.
 */
int vsim_pcsc_place(int grouped, int base, int port, struct vsim_pcsc_place *p);

/* 0 when group @group exists for ports from @base (0..255, ports fit), else -1. */
int vsim_pcsc_group_ok(int base, int group);

/* "/run/vsim-pcscd/G" into @buf. */
void vsim_pcsc_group_dir(int group, char *buf, size_t n);

/* Line @line's copy of the vpcd driver in @dir: "DIR/libifdvpcd-L.so". */
void vsim_pcsc_driver_copy(const char *dir, int line, char *buf, size_t n);

/*
 * Group @group's reader.conf: its 8 vpcd lines, each with its own driver
 * copy in @dir (pcscd reuses a driver loaded from the same file, and the
 * second line's reader would take the first one's sockets). 0 or -1.
 */
int vsim_pcsc_reader_conf(FILE *f, int base, int group, const char *dir);

/*
 * osmo-remsim-bankd's bankd_pcsc_slots.csv for group @group as bank
 * @bank: bank slot s is the group's card s (0..15), its reader as an
 * anchored regular expression. 0 or -1.
 */
int vsim_pcsc_bankd_slots(FILE *f, int group, int bank);

#endif /* VSIM_PCSC_LAYOUT_H */
