/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsim-modem's network side towards an SMSC: the SMS TPDUs of the air
 * interface (TS 23.040 §9.2.2) to and from the short messages an SMPP 3.4
 * ESME exchanges (common/smpp.h), and the ENVELOPE that hands an SMS-PP
 * data download to the card (TS 31.111 §7.1.1, TS 102 223 §7.1.1).
 * Characters of the 7-bit default alphabet travel over SMPP one octet
 * per septet (data_coding is the SMS's TP-DCS, as the OTA server sends
 * it); this side packs and unpacks them.
 */
#ifndef VSIM_MODEM_SMSC_H
#define VSIM_MODEM_SMSC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/smpp.h"

/* The service centre the MT SMS name (RP-OA), +15550001000 */
#define SMSC_SCA_HEX	"07915155001000F0"

/*
 * An SMS-SUBMIT TPDU (+CMGS, the card's SEND SHORT MESSAGE) as a short
 * message from @msisdn (digits, "+" for international). 0, or -1 with
 * @why naming what is malformed.
 */
int smsc_from_submit(const uint8_t *tpdu, size_t len, const char *msisdn,
		     struct vsim_smpp_sm *sm, const char **why);

/*
 * The SMS-DELIVER TPDU a deliver_sm becomes (SCTS now, TP-MMS set). Its
 * length, or -1 with @why.
 */
int smsc_to_deliver(const struct vsim_smpp_sm *sm, uint8_t *tpdu, size_t max,
		    const char **why);

/* TS 23.038 §4 / TS 23.040 §9.2.3.9: PID 7F with a class 2 DCS */
bool smsc_is_data_download(uint8_t pid, uint8_t dcs);

/*
 * ENVELOPE (SMS-PP download) of @tpdu from the service centre @sca
 * (its RP address: length, TON/NPI, BCD), the whole C-APDU. Its length,
 * or -1 when it does not fit one ENVELOPE.
 */
int smsc_envelope(const uint8_t *sca, const uint8_t *tpdu, size_t len,
		  uint8_t *out, size_t max);

#endif /* VSIM_MODEM_SMSC_H */
