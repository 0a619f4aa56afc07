// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsim-modem's status (status.h) with json-c. The SIM part is asked of the
 * card at the time of the request (PIN state and tries by VERIFY without
 * data, EF_ICCID, EF_IMSI once unlocked, the USIM's PS_DO), so it never
 * lags the card; the network part is the AT side's own state.
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modem/status.h"

static const char *reg_text(int stat)
{
	switch (stat) {	/* TS 27.007 §7.2 <stat> */
	case NET_REGISTERED_HOME: return "home";
	case NET_SEARCHING: return "searching";
	case NET_DENIED: return "denied";
	default: return "not registered";
	}
}

static void put_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static struct json_object *sim_part(struct at *a, const char *slot)
{
	struct json_object *s = json_object_new_object();
	char iccid[21], imsi[17];
	const char *st;
	int tries;

	json_object_object_add(s, "present", json_object_new_boolean(a->sim->present));
	put_str(s, "slot", slot);
	if (!a->sim->present) {
		put_str(s, "why", a->sim->why);
		return s;
	}
	st = at_sim_state(a, &tries);
	put_str(s, "state", st);
	if (!strcmp(st, "SIM PIN") || !strcmp(st, "SIM PUK"))
		json_object_object_add(s, "tries", json_object_new_int(tries));
	if (!at_iccid(a, iccid))
		put_str(s, "iccid", iccid);
	/* the IMSI only where a modem could read it: after the PIN */
	if (!strcmp(st, "READY") && !sim_imsi(a->sim, imsi))
		put_str(s, "imsi", imsi);
	/* PS_DO of the USIM's FCP (TS 102 221 §9.5.2): PIN1 asked at power-up */
	json_object_object_add(s, "pin1_enabled",
			       json_object_new_boolean(sim_pin_enabled(a->sim, SIM_PIN1)));
	return s;
}

/* BIP (modem/bip.h): declared or not, the channel, what it carried */
static struct json_object *bip_part(const struct sim *s)
{
	const struct vsim_bipterm *b = &s->bip;
	struct json_object *x = json_object_new_object();
	int timers = 0;

	for (int i = 0; i < VSIM_BIPTERM_TIMERS; i++)
		timers += b->timers[i].running;
	json_object_object_add(x, "declared", json_object_new_boolean(s->bip_on));
	put_str(x, "channel", !b->open ? "none" : b->link ? "up" : "dropped");
	json_object_object_add(x, "opened", json_object_new_int((int)b->opened));
	json_object_object_add(x, "closed", json_object_new_int((int)b->closed));
	json_object_object_add(x, "sent", json_object_new_int64((int64_t)b->sent));
	json_object_object_add(x, "received",
			       json_object_new_int64((int64_t)b->received));
	json_object_object_add(x, "timers", json_object_new_int(timers));
	json_object_object_add(x, "expirations",
			       json_object_new_int((int)b->expirations));
	return x;
}

char *status_json(struct at *a, const struct status_host *h)
{
	struct json_object *o = json_object_new_object(), *x;
	char *text = NULL;
	const char *t;
	int stored = 0;

	json_object_object_add(o, "pid", json_object_new_int((int)getpid()));
	put_str(o, "version", VSIM_VERSION);
	x = json_object_new_object();
	put_str(x, "kind", h->kind);
	put_str(x, "port", h->port);
	if (h->link)
		put_str(x, "link", h->link);
	json_object_object_add(o, "host", x);
	put_str(o, "imei", a->imei);
	json_object_object_add(o, "sim", sim_part(a, h->slot));
	x = json_object_new_object();
	json_object_object_add(x, "cfun", json_object_new_int(a->cfun));
	json_object_object_add(x, "hss", json_object_new_boolean(a->hss->loaded));
	put_str(x, "registration", reg_text(a->stat));
	if (a->reg_why[0])
		put_str(x, "why", a->reg_why);
	/* bound to an SMSC (--smsc) and the session still up */
	json_object_object_add(x, "smsc", json_object_new_boolean(a->smpp != NULL));
	json_object_object_add(o, "network", x);
	/* what the card's toolkit left: its menu, REFRESHes acted on */
	x = json_object_new_object();
	if (a->sim->has_menu) {
		struct json_object *items = json_object_new_array();

		put_str(x, "menu", a->sim->menu_title);
		for (int i = 0; i < a->sim->nmenu; i++)
			json_object_array_add(items,
					      json_object_new_string(a->sim->menu[i].text));
		json_object_object_add(x, "items", items);
	}
	json_object_object_add(x, "refreshes", json_object_new_int((int)a->sim->refreshes));
	json_object_object_add(o, "stk", x);
	x = json_object_new_object();
	for (int i = 0; i < AT_SMS_SLOTS; i++)
		stored += a->sms[i].used;
	json_object_object_add(x, "stored", json_object_new_int(stored));
	json_object_object_add(x, "mo", json_object_new_int64((int64_t)a->sms_mo));
	json_object_object_add(x, "mt", json_object_new_int64((int64_t)a->sms_mt));
	json_object_object_add(x, "data_downloads",
			       json_object_new_int64((int64_t)a->data_downloads));
	json_object_object_add(o, "sms", x);
	json_object_object_add(o, "bip", bip_part(a->sim));
	t = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (t) {
		size_t n = strlen(t);

		text = malloc(n + 2);
		if (text) {
			memcpy(text, t, n);
			memcpy(text + n, "\n", 2);
		}
	}
	json_object_put(o);
	return text;
}

static void print_obj(struct json_object *o, int depth, FILE *out)
{
	json_object_object_foreach(o, k, v) {
		fprintf(out, "%*s%s:", 2 * depth, "", k);
		if (json_object_is_type(v, json_type_object)) {
			fputc('\n', out);
			print_obj(v, depth + 1, out);
		} else if (json_object_is_type(v, json_type_string)) {
			fprintf(out, " %s\n", json_object_get_string(v));
		} else {
			fprintf(out, " %s\n", json_object_to_json_string(v));
		}
	}
}

int status_print(const char *text, bool as_json, FILE *out)
{
	struct json_object *o = json_tokener_parse(text);

	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -1;
	}
	if (as_json)
		fputs(text, out);
	else
		print_obj(o, 0, out);
	json_object_put(o);
	return 0;
}
