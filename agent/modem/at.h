/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsim-modem's AT interpreter: V.250 command lines, TS 27.007 commands
 * answered from the SIM session (sim.h) and the network side (net.h),
 * TS 27.005 SMS in PDU mode with an in-memory store.
 */
#ifndef VSIM_MODEM_AT_H
#define VSIM_MODEM_AT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/smpp.h"
#include "modem/net.h"
#include "modem/sim.h"

#define AT_SMS_SLOTS	16
#define AT_PDU_MAX	200	/* SCA (12) + TPDU (164) octets and more */

struct at_sms {
	bool used;
	int stat;		/* TS 27.005 §3.1 <stat>: 0 unread ... 3 sent */
	uint8_t pdu[AT_PDU_MAX];	/* SCA + TPDU */
	size_t len;
	size_t tpdu_len;
};

struct at {
	int fd;			/* where answers go (the pty's master) */
	struct sim *sim;
	struct hss *hss;
	FILE *log;
	FILE *sms_out;		/* MO SMS for the network side, or NULL */
	struct vsim_smpp *smpp;	/* the network side's SMSC link (--smsc) */
	unsigned long data_downloads;	/* SMS-PP downloads to the card */
	bool in_refresh;	/* acting on a REFRESH: no second one inside */
	char imei[16];
	/* V.250 settings */
	bool echo, verbose;
	int cmee;
	/* TS 27.007 state */
	int cfun;
	int creg_n, cgreg_n, cereg_n;
	int stat;		/* §7.2 <stat> of the one (E-UTRAN) network */
	char reg_why[160];	/* the network side's last verdict, why */
	int cops_mode, cops_format;
	char cscs[8];
	/* TS 27.005 state */
	int cnmi_mode, cnmi_mt, cnmi_bm, cnmi_ds;
	char mem[3][4];
	int mr;
	struct at_sms sms[AT_SMS_SLOTS];
	unsigned long sms_mo, sms_mt;	/* sent to / delivered by the network */
	/* the command line being received, or a +CMGS PDU after "> " */
	char line[2048];
	size_t llen;
	bool in_pdu;
	int pdu_len;
	/* answers and URCs of the current command line */
	char out[16384];
	size_t olen;
};

void at_init(struct at *a, int fd, struct sim *sim, struct hss *hss,
	     FILE *log, const char *imei);
/* Bytes from the host; answers are written to a->fd. */
void at_input(struct at *a, const uint8_t *buf, size_t n);
/* Attach if the SIM is ready (start-up and after PIN entry). */
void at_register(struct at *a);
/*
 * An MT SMS from the network side: hex of SCA + SMS-DELIVER TPDU as
 * +CMGR shows it. Stored and announced with +CMTI (or +CMT) per +CNMI.
 * 0, or -1 with a reason in the log for a malformed PDU.
 */
int at_sms_deliver(struct at *a, const char *hex);

/*
 * A short message the SMSC delivered (deliver_sm): an SMS-PP data
 * download (PID 7F, class 2) goes to the card as ENVELOPE and whatever
 * the card sends back (its PoR by SEND SHORT MESSAGE) to the SMSC; any
 * other is stored and announced as at_sms_deliver() does.
 */
void at_network_sm(struct at *a, const struct vsim_smpp_sm *sm);

/*
 * An ENVELOPE the modem itself owes the card (@env: its data, a BER-TLV;
 * BIP events and timer expiries, bip.c), then what the card asked for
 * meanwhile (SEND SHORT MESSAGE to the network, REFRESH). The status
 * word, or -1.
 */
int at_card_envelope(struct at *a, const char *what, const uint8_t *env,
		     size_t len);

/*
 * For the status (status.h), asked of the card now: its +CPIN state as
 * "READY", "SIM PIN", "SIM PUK", "absent" or "failure" with the tries
 * left of that code; EF_ICCID's digits (0, or -1 without a readable one).
 */
const char *at_sim_state(struct at *a, int *tries);
int at_iccid(struct at *a, char out[21]);

#endif /* VSIM_MODEM_AT_H */
