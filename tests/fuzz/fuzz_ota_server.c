// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: what the OTA server takes from a card (the server's
 * side of agent/ota/packet.c and sms.c, agent/ota-server/appserver.c).
 *
 * Input: a mode byte, then
 *   0  SPI1 SPI2 KIc KID, then a PoR (UDH 02 71 00 first): ota_por_open()
 *      with the example card's key set that KIc/KID name
 *   1  an SMS-SUBMIT TPDU (a PoR by SMS): parse it, and its whole user
 *      data as SMPP would carry it
 *   2  an SMS-SUBMIT TPDU as a card's download request:
 *      ota_appserver_request()
 *   3  an ENVELOPE SMS-PP download (what the SMPP transport unwraps):
 *      its SMS-DELIVER, parsed
 * Invariant: whatever a parser points at lies inside its input.
 */
#include "common/log.h"
#include "fuzz.h"
#include "ota-server/appserver.h"
#include "ota/packet.h"
#include "ota/profile.h"
#include "ota/sms.h"

#define T "fuzz_ota_server"
#define PROFILE "examples/test-usim-ota.ini"

static struct ota_profile prof;
static bool ready;

static void inside(const uint8_t *p, size_t n, const uint8_t *base,
		   size_t len, const char *what)
{
	if (n && (p < base || p + n > base + len))
		fuzz_die(T, what);
}

static void setup(void)
{
	char err[600];

	vsim_log_set_level(VSIM_LOG_ERR);
	if (ota_profile_load(PROFILE, &prof, err, sizeof(err))) {
		fprintf(stderr, T ": %s\n", err);
		exit(2);
	}
	ready = true;
}

static void sms_check(const struct ota_sms *s, const uint8_t *in, size_t n)
{
	inside(s->ud, s->ud_len, in, n, "user data outside the TPDU");
	if (s->addr.ndigits > OTA_ADDR_MAX ||
	    strlen(s->addr.digits) != s->addr.ndigits)
		fuzz_die(T, "address digits");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *ud, *tpdu;
	uint8_t *in, *buf;
	struct ota_sms sms;
	struct ota_por por;
	const char *why;
	char app[64], w[200];
	size_t n, ul, tl;

	if (!ready)
		setup();
	if (size < 1)
		return 0;
	n = size - 1;
	in = malloc(n ? n : 1);
	buf = malloc(n ? n : 1);
	if (!in || !buf)
		fuzz_die(T, "out of memory");
	memcpy(in, data + 1, n);
	switch (data[0] & 3) {
	case 0:
		if (n >= 4) {
			const struct ota_keyset *ks = &prof.keysets[in[3] >> 4];

			if (!ota_por_open(in, in[2], in[3],
					  ks->present ? &ks->kic : NULL,
					  ks->present ? &ks->kid : NULL,
					  in + 4, n - 4, buf, &por))
				inside(por.data, por.data_len, buf, n - 4,
				       "PoR data outside the buffer");
		}
		break;
	case 1:
		if (!ota_sms_submit_parse(in, n, &sms, &why))
			sms_check(&sms, in, n);
		if (!ota_sms_whole_ud(in, n, true, &ud, &ul))
			inside(ud, ul, in, n, "whole UD outside the TPDU");
		break;
	case 2:
		if (!ota_appserver_request(prof.keysets, in, n, app,
					   sizeof(app), w, sizeof(w)) &&
		    strlen(app) >= sizeof(app))
			fuzz_die(T, "application name");
		break;
	case 3:
		if (ota_envelope_sms(in, n, &tpdu, &tl, &why))
			break;
		inside(tpdu, tl, in, n, "TPDU outside the ENVELOPE");
		if (!ota_sms_deliver_parse(tpdu, tl, &sms, &why))
			sms_check(&sms, in, n);
		if (!ota_sms_whole_ud(tpdu, tl, false, &ud, &ul))
			inside(ud, ul, in, n, "whole UD outside the TPDU");
		break;
	}
	free(in);
	free(buf);
	return 0;
}
