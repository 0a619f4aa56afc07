/* SPDX-License-Identifier: GPL-2.0-only */
/* vsimctl's subcommands that live in their own files. */
#ifndef VSIMCTL_H
#define VSIMCTL_H

/* vsimctl term: a modem's start-up against a card (vsimctl/term.c). */
int vsimctl_term(int argc, char **argv);
/* vsimctl binding show|reset|set (vsimctl/binding.c). */
int vsimctl_binding(int argc, char **argv);
/* vsimctl ota wrap|por|send|download|show (vsimctl/ota.c). */
int vsimctl_ota(int argc, char **argv);
/* vsimctl pcscd run|bankd-slots: pcscd groups (vsimctl/pcscd.c). */
int vsimctl_pcscd(int argc, char **argv);
/* vsimctl app request (vsimctl/ota.c). */
int vsimctl_app(int argc, char **argv);

struct vsim_terminal;
struct ota_host;
struct ota_appserver;
struct ota_catalogue;
/*
 * The card-initiated request on a card hosted in this process (@t, its
 * OTA side @ota): SET UP MENU, the user's choice of @app by MENU
 * SELECTION, the card's request SMS relayed to the server @srv, and the
 * download the server answers with as SMS-PP download envelopes, all
 * through @t. Prints the outcome; returns an exit status (0, 2, 3).
 */
int vsimctl_app_request_flow(struct vsim_terminal *t, struct ota_host *ota,
			     struct ota_appserver *srv, const char *iccid,
			     const struct ota_catalogue *cat, const char *app);

#endif /* VSIMCTL_H */
