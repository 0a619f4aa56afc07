/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SIMtrace2 cardem messages on the wire (simtrace2.h): parse one message
 * out of a USB transfer, checking every length against the bytes really
 * there, and build the messages either side sends. Pure functions, no USB:
 * vsimd's bridge, the emulated board and the unit tests share them.
 */
#ifndef VSIM_CARDEM_MSG_H
#define VSIM_CARDEM_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cardem/simtrace2.h"

struct st2_msg {
	uint8_t cls;
	uint8_t type;
	uint8_t seq;
	uint8_t slot;
	uint16_t len;			/* msg_len: header included */
	const uint8_t *payload;
	size_t payload_len;
};

/* TX_DATA / RX_DATA payload */
struct st2_data {
	uint32_t flags;
	const uint8_t *data;
	size_t len;
};

/* STATUS payload */
struct st2_status {
	uint32_t flags;
	uint16_t voltage_mv;
	uint8_t fi, di, wi;
	uint32_t waiting_time;
};

/*
 * One message at the start of @buf (@avail bytes): fills @m and returns
 * msg_len, or -1 with *why set when the header is cut short, msg_len is
 * below the header's size, or msg_len claims more bytes than @avail.
 */
int st2_msg_parse(const uint8_t *buf, size_t avail, struct st2_msg *m,
		  const char **why);

/* TX/RX_DATA: 0, or -1 with *why (short payload, data_len != bytes present). */
int st2_data_parse(const struct st2_msg *m, struct st2_data *d,
		   const char **why);
/* STATUS: 0, or -1 with *why (payload of another size). */
int st2_status_parse(const struct st2_msg *m, struct st2_status *s,
		     const char **why);

/*
 * Builders: write one whole message (header included) into @out and return
 * its length, or 0 when it does not fit in @max.
 */
size_t st2_build(uint8_t *out, size_t max, uint8_t cls, uint8_t type,
		 const uint8_t *payload, size_t plen);
size_t st2_build_data(uint8_t *out, size_t max, uint8_t type, uint32_t flags,
		      const uint8_t *data, size_t len);
size_t st2_build_status(uint8_t *out, size_t max, const struct st2_status *s);
size_t st2_build_config(uint8_t *out, size_t max, uint32_t features);
size_t st2_build_set_atr(uint8_t *out, size_t max, const uint8_t *atr,
			 size_t len);
/* One-byte payloads: CARDINSERT, MODEM SIM_SELECT. */
size_t st2_build_u8(uint8_t *out, size_t max, uint8_t cls, uint8_t type,
		    uint8_t value);

/*
 * What a host takes from a board (REFERENCE-cardem.md §2: the DO_ and BD_
 * types the firmware sends on bulk IN or the interrupt endpoint); any
 * other class/type is ST2_FROM_BOARD_UNKNOWN, refused by the host.
 */
enum st2_from_board {
	ST2_FROM_BOARD_UNKNOWN = 0,
	ST2_FROM_BOARD_RX_DATA,		/* CARDEM/RX_DATA: TPDU header or data */
	ST2_FROM_BOARD_STATUS,		/* CARDEM/STATUS: power and reset lines */
	ST2_FROM_BOARD_PTS,		/* CARDEM/PTS: the board did the PPS */
	ST2_FROM_BOARD_CONFIG,		/* CARDEM/CONFIG: our CONFIG echoed */
	ST2_FROM_BOARD_ERROR,		/* GENERIC/DO_ERROR */
};
enum st2_from_board st2_from_board(uint8_t cls, uint8_t type);

/*
 * A USB bulk transfer of @len bytes on an endpoint of @packet bytes ends
 * with a zero-length packet when @len is a non-zero multiple of @packet:
 * otherwise the receiver's transfer stays open and the next message runs
 * into it (the firmware does this, host_communication.c:37-42, §2).
 */
bool st2_needs_zlp(size_t len, size_t packet);

/* "CARDEM/RX_DATA" and the like, for logs; "class 7 type 9" if unknown. */
const char *st2_msg_name(uint8_t cls, uint8_t type, char *buf, size_t len);

#endif /* VSIM_CARDEM_MSG_H */
