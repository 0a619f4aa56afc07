/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The SIMtrace2 card-emulation protocol as facts: USB identity, message
 * classes and types, flags and payload sizes. Written from
 * ../shared/REFERENCE-cardem.md (which cites osmocom simtrace2's
 * firmware/libcommon/include/simtrace_prot.h and simtrace_usb.h); no code
 * taken from there. Both sides use it: vsimd's bridge (agent/cardem*.c)
 * and the emulated board in tests/cardem-gadget/. Every multi-byte field
 * is little-endian on the wire; cardem/msg.c packs them byte by byte.
 */
#ifndef VSIM_SIMTRACE2_H
#define VSIM_SIMTRACE2_H

#include <stdint.h>

/* simtrace_usb.h:15-25: vendor OpenMoko, one product per board */
#define ST2_VID			0x1d50
#define ST2_PID_SIMTRACE2	0x60e3
#define ST2_PID_QMOD		0x4004
#define ST2_PID_OWHW		0x4001
#define ST2_PID_OCTSIMTEST	0x616d
#define ST2_PID_NGFF_CARDEM	0x616e

/* simtrace_usb.h:27-34: the cardem interface is ff/02/00 */
#define ST2_IF_CLASS		0xff
#define ST2_IF_SUBCLASS_CARDEM	0x02
#define ST2_IF_PROTOCOL		0x00

/* usb_buf.h:22: the board's receive buffer; one OUT message must fit */
#define ST2_BOARD_RX_MAX	280
/* simtrace2-cardem-pcsc submits 4096-byte bulk IN transfers (:313-390) */
#define ST2_IN_XFER		4096
/* SET_ATR: TS + 32 bytes at most, longer is refused (card_emu.c:44) */
#define ST2_ATR_MAX		33

/* simtrace_prot.h:89-98: the 8-byte header before every message */
#define ST2_HDR_LEN		8

/* simtrace_prot.h:25-36 */
enum st2_class {
	ST2_CLASS_GENERIC = 0,
	ST2_CLASS_CARDEM = 1,
	ST2_CLASS_MODEM = 2,
	ST2_CLASS_SNIFF = 3,
};

/* simtrace_prot.h:46-63: CARDEM types (DT host->board, DO board->host) */
enum st2_cardem_type {
	ST2_CEMU_TX_DATA = 1,
	ST2_CEMU_SET_ATR = 2,
	ST2_CEMU_STATS = 3,
	ST2_CEMU_STATUS = 4,
	ST2_CEMU_CARDINSERT = 5,
	ST2_CEMU_RX_DATA = 6,
	ST2_CEMU_PTS = 7,
	ST2_CEMU_CONFIG = 8,
};

/* simtrace_prot.h:66-73 */
enum st2_modem_type {
	ST2_MODEM_RESET = 1,
	ST2_MODEM_SIM_SELECT = 2,
	ST2_MODEM_STATUS = 3,
};

/* GENERIC type 0: DO_ERROR */
#define ST2_GENERIC_ERROR	0

/* TX/RX_DATA flags, simtrace_prot.h:181-188 */
#define ST2_DATA_F_TPDU_HDR	0x01	/* RX: the 5-byte TPDU header */
#define ST2_DATA_F_FINAL	0x02	/* RX: all P3 bytes; TX: back to WAIT_TPDU */
#define ST2_DATA_F_PB_AND_TX	0x04	/* TX: send PB, then (more) data to the phone */
#define ST2_DATA_F_PB_AND_RX	0x08	/* TX: send PB, then receive P3 bytes */
/* TX/RX_DATA payload: u32 flags, u16 data_len, data (simtrace_prot.h:202-216) */
#define ST2_DATA_HDR_LEN	6
/* the most data one TX_DATA can carry within the board's buffer */
#define ST2_TX_DATA_MAX		(ST2_BOARD_RX_MAX - ST2_HDR_LEN - ST2_DATA_HDR_LEN)

/* STATUS payload flags, simtrace_prot.h:218-240 */
#define ST2_STATUS_F_VCC_PRESENT	0x01
#define ST2_STATUS_F_CLK_ACTIVE		0x02
#define ST2_STATUS_F_RCEMU_ACTIVE	0x04
#define ST2_STATUS_F_CARD_INSERT	0x08
#define ST2_STATUS_F_RESET_ACTIVE	0x10
/* u32 flags, u16 voltage_mv, u8 F, u8 D, u8 WI, u32 waiting time: 13 bytes */
#define ST2_STATUS_LEN		13

/* CONFIG payload: u32 features, u8 slot_mux_nr, u8 pres_pol (:261-279) */
#define ST2_FEAT_STATUS_IRQ	0x01
#define ST2_CONFIG_LEN		6

/* PTS payload: u8 len, req[6], resp[6] (:242-249), informational only */
#define ST2_PTS_LEN		13

#endif /* VSIM_SIMTRACE2_H */
