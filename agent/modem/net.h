/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsim-modem's network side: a one-subscriber HSS (IMSI, K, OPc, AMF,
 * SQN) and the attach it grants only after AKA with the card (TS 33.102
 * §6.3): RAND/AUTN with a fresh SQN, RES compared, AUTS resynchronised.
 */
#ifndef VSIM_MODEM_NET_H
#define VSIM_MODEM_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "modem/sim.h"

struct hss {
	bool loaded;
	char imsi[16];
	char msisdn[22];	/* "+digits" or digits; "" when not given */
	uint8_t k[16], opc[16], op[16], amf[2];
	bool have_k, have_opc, have_op;
	uint64_t sqn;		/* the next SQN to send */
	unsigned int ind_bits;	/* TS 33.102 Annex C.3.2 IND length */
};

/*
 * Load the subscriber from an INI file: an [hss] section (imsi, msisdn,
 * k, opc or op, amf, sqn, ind_bits), or a vsim card profile ([card] imsi,
 * msisdn, [auth] k, opc/op, amf, sqn_ind_bits). 0, or -1 with @err naming file and line.
 */
int hss_load(struct hss *h, const char *file, char *err, size_t errlen);

/* Registration states of TS 27.007 §7.2 <stat> */
#define NET_NOT_REGISTERED	0
#define NET_REGISTERED_HOME	1
#define NET_SEARCHING		2
#define NET_DENIED		3

/*
 * Attach the card in @s: read its IMSI, look the subscriber up, run AKA.
 * NET_REGISTERED_HOME or NET_DENIED, the reason in @why.
 */
int net_attach(struct hss *h, struct sim *s, FILE *log, char *why,
	       size_t whylen);

#endif /* VSIM_MODEM_NET_H */
