/* SPDX-License-Identifier: GPL-2.0-only */
/* vsimctl's subcommands that live in their own files. */
#ifndef VSIMCTL_H
#define VSIMCTL_H

/* vsimctl term: a modem's start-up against a card (vsimctl_term.c). */
int vsimctl_term(int argc, char **argv);
/* vsimctl binding show|reset|set (vsimctl_binding.c). */
int vsimctl_binding(int argc, char **argv);
/* vsimctl ota wrap|por|send|download|show (vsimctl_ota.c). */
int vsimctl_ota(int argc, char **argv);
/* vsimctl app request (vsimctl_ota.c). */
int vsimctl_app(int argc, char **argv);

#endif /* VSIMCTL_H */
