/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The emulated board's firmware side (REFERENCE-cardem.md §2-§3): it reads
 * the host's messages from bulk OUT (CONFIG echoed, SET_ATR kept for the
 * next reset, CARDINSERT, SIM_SELECT enabling emulation, STATUS answered),
 * and toward the modem it frames each T=0 command the way the firmware
 * does: RX_DATA{TPDU_HDR} for the header, procedure bytes and data from
 * TX_DATA, RX_DATA{FINAL} with the modem's data after PB_AND_RX, STATUS on
 * the interrupt endpoint at every power and reset change. It implements
 * struct vsim_modem_io, so agent/common/modem.c plays the modem through it.
 */
#ifndef CARDEM_GADGET_BOARD_H
#define CARDEM_GADGET_BOARD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ffs.h"
#include "cardem/simtrace2.h"

#define BOARD_QUEUE	32

struct board_tx {
	uint32_t flags;
	size_t len;
	uint8_t data[ST2_BOARD_RX_MAX];
};

struct board {
	struct ffs_gadget *g;
	int guard_s;		/* hang guard for every wait, never a pass/fail timer */
	pthread_t rx_thread;
	bool rx_running;
	pthread_mutex_t lock;	/* everything below */
	pthread_cond_t cond;
	pthread_mutex_t wlock;	/* one IN write at a time, bulk and interrupt */
	/* what the host told the board */
	bool config_seen;
	uint32_t features;
	uint8_t atr[ST2_ATR_MAX];
	size_t atr_len;
	bool atr_set;
	bool atr_before_select;	/* SET_ATR came before SIM_SELECT(remote) */
	bool remote;
	int inserted;		/* -1 never said */
	unsigned int status_requests;
	/* the card interface toward the modem */
	bool vcc, rst;
	bool in_tpdu;		/* TX_DATA is accepted only inside a TPDU */
	struct board_tx q[BOARD_QUEUE];
	size_t q_head, q_n;
	/* what went wrong on the host's side, for the verdict */
	unsigned int unexpected;
	char last_unexpected[160];
};

int board_start(struct board *b, struct ffs_gadget *g, int guard_s);
/* Stop reading and writing (after ffs_gadget_unplug). */
void board_stop(struct board *b);
/* Wait until the host selected remote emulation (SIM_SELECT 1). */
int board_wait_remote(struct board *b);

/* struct vsim_modem_io */
int board_power_on(void *ctx, uint8_t *atr, size_t max);
int board_transmit(void *ctx, const uint8_t *c, size_t len, uint8_t *r,
		   size_t max);

/*
 * Half a command, for the interruption tests: send the header of a command
 * with data and wait for the host's procedure byte (PB_AND_RX). 0 or -1.
 */
int board_header_only(struct board *b, const uint8_t hdr[5]);
/* Power the card off (VCC and CLK off). */
int board_power_off(struct board *b);

/* Raw bytes to bulk IN or interrupt IN as one transfer (garbage tests). */
int board_send_raw(struct board *b, bool irq, const uint8_t *buf, size_t len);

#endif /* CARDEM_GADGET_BOARD_H */
