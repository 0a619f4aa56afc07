/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsim-modem's SIM slot: one card session kept for the modem's lifetime
 * (PIN state and current files survive between AT commands), over a PC/SC
 * reader, /dev/vsimN or an in-process card, and the firmware's view of it
 * (TS 31.102 §5.1.1 start-up, the file map of +CRSM, PIN operations).
 * Every APDU goes through common/modem.c's T=0 terminal and proactive loop.
 */
#ifndef VSIM_MODEM_SIM_H
#define VSIM_MODEM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/bipterm.h"
#include "common/modem.h"
#include "common/terminal.h"

#define SIM_MENU_MAX	16
#define SIM_MO_MAX	8
#define SIM_TPDU_MAX	176	/* SMS-SUBMIT: 7 + DA 12 + VP 7 + 140 and more */

/* An item of the card's SET UP MENU (TS 102 223 §6.4.8) */
struct sim_menu_item {
	uint8_t id;
	char text[64];
};

/* PIN references of TS 102 221 §9.5.1 as the AT layer names them */
enum sim_pin { SIM_PIN1, SIM_PIN2 };

struct sim {
	struct vsim_modem m;	/* T=0 terminal + proactive loop + IMEI */
	bool present;		/* the start-up succeeded */
	/* transports: exactly one is in use */
	void *pcsc;		/* struct sim_pcsc (sim.c) */
	struct vsim_terminal term;
	bool term_open;
	uint8_t aid[16];	/* ADF.USIM from EF_DIR */
	size_t aid_len;
	char why[400];		/* why the slot is empty */
	/* what the card's proactive commands left for the modem (sim.c) */
	bool has_menu;
	char menu_title[64];
	struct sim_menu_item menu[SIM_MENU_MAX];
	int nmenu;
	struct {
		uint8_t tpdu[SIM_TPDU_MAX];
		size_t len;
	} mo[SIM_MO_MAX];	/* SEND SHORT MESSAGE, for the network side */
	int nmo;
	bool can_send_sms;	/* registered: SEND SHORT MESSAGE is taken */
	/* BIP and the card's timers (common/bipterm.h); run by vsim-modem.c */
	bool bip_on;		/* declared in the TERMINAL PROFILE */
	struct vsim_bipterm bip;
	unsigned int refreshes;	/* REFRESH commands answered */
	int refresh;		/* the last one's qualifier, -1 once handled */
};

/*
 * Open the slot: a PC/SC reader (@reader, or NULL for the first vsim
 * reader), else @device (/dev/vsimN), else an in-process card from
 * @profile. Then play the firmware's start-up. 0, or -1 with @s->why set
 * (the modem still runs, with no SIM).
 */
int sim_open(struct sim *s, bool pcsc, const char *reader, const char *device,
	     const char *profile, const char *state_dir, FILE *log);
void sim_close(struct sim *s);

/* One APDU through the session; the R-APDU length (>= 2) or -1. */
int sim_apdu(struct sim *s, const char *what, const uint8_t *c, size_t len,
	     uint8_t *r);

/* PIN state (TS 102 221 §9.5.2 PS_DO, §11.1.9 retry counters). */
bool sim_pin_enabled(struct sim *s, enum sim_pin p);
/* tries left (0 = blocked), or -1 on a transport error; *verified set */
int sim_pin_tries(struct sim *s, enum sim_pin p, bool *verified);
int sim_puk_tries(struct sim *s, enum sim_pin p);
/*
 * VERIFY, UNBLOCK, ENABLE, DISABLE, CHANGE (§11.1.9-13): the status word,
 * or -1 for a transport error or a PIN that is not 4-8 digits.
 */
int sim_pin_verify(struct sim *s, enum sim_pin p, const char *pin);
int sim_pin_unblock(struct sim *s, enum sim_pin p, const char *puk,
		    const char *newpin);
int sim_pin_enable(struct sim *s, enum sim_pin p, bool on, const char *pin);
int sim_pin_change(struct sim *s, enum sim_pin p, const char *old,
		   const char *newpin);

/*
 * +CRSM's file access (TS 27.007 §8.18): select @fid by the firmware's
 * file map (2Fxx under the MF, 6Fxx under ADF.USIM, 7F10/7F20 DFs under
 * the MF) or by @path (hex FIDs from the MF, may start with 3F00), then
 * @cmd (176 READ BINARY, 178 READ RECORD, 192 GET RESPONSE, 214 UPDATE
 * BINARY, 220 UPDATE RECORD, 242 STATUS). The answer (data, SW1 SW2) in
 * @r; its length, or -1.
 */
int sim_crsm(struct sim *s, int cmd, unsigned int fid, int p1, int p2, int p3,
	     const uint8_t *data, size_t dlen, const char *path, uint8_t *r);

/* Read a whole transparent EF / one record; the data length or -1. */
int sim_read_ef(struct sim *s, unsigned int fid, uint8_t *out, size_t max);
int sim_read_record(struct sim *s, unsigned int fid, int rec, uint8_t *out,
		    size_t max);

/*
 * The TERMINAL PROFILE this modem sends (TS 102 223 §5.2): common's
 * (profile download, DISPLAY TEXT, REFRESH, PROVIDE LOCAL INFORMATION)
 * and SMS-PP data download, MENU SELECTION, SEND SHORT MESSAGE and
 * SET UP MENU, which sim.c's proactive hook answers. With @s->bip_on
 * (set before sim_open) the startup adds BIP, its events and the timers
 * (vsim_bipterm_declare), which the hook hands to @s->bip.
 */
extern const uint8_t sim_terminal_profile[VSIM_MODEM_TP_LEN];

/*
 * ENVELOPE (TS 102 221 §11.2.2) of @env (BER-TLV, D1 SMS-PP download or
 * D3 MENU SELECTION), with the proactive commands that follow it. The
 * status word, or -1; the response data (the SMS-PP's RP-ACK) in @r,
 * its length in *rlen.
 */
int sim_envelope(struct sim *s, const char *what, const uint8_t *env,
		 size_t len, uint8_t *r, size_t *rlen);

/*
 * After a REFRESH with qualifier 04 (UICC reset, TS 102 223 §6.4.7): a
 * cold reset of the card and the start-up again. 0 or -1 (@s->why).
 */
int sim_reset(struct sim *s);

/* EF_IMSI as digits; 0, or -1 when it holds no valid IMSI (withheld). */
int sim_imsi(struct sim *s, char out[17]);

/*
 * AUTHENTICATE in 3G context (TS 31.102 §7.1.2): 0x9000 with RES in @res
 * (*res_len), 0x9862-style failures as their status word, or 0xDC for a
 * synchronisation failure with AUTS in @auts; -1 on a transport error.
 */
int sim_authenticate(struct sim *s, const uint8_t rand[16],
		     const uint8_t autn[16], uint8_t res[16], size_t *res_len,
		     uint8_t auts[14]);

#endif /* VSIM_MODEM_SIM_H */
