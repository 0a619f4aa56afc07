/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsim-modem's USB host side: a configfs gadget with one CDC ACM function
 * (1d6b:0104), bound to a UDC (dummy_hcd in tests, a real UDC on OTG
 * boards). The host sees /dev/ttyACMn; we speak AT on /dev/ttyGSn.
 */
#ifndef VSIM_MODEM_GADGET_H
#define VSIM_MODEM_GADGET_H

#include <stddef.h>

/*
 * Build and bind the gadget @name on @udc (NULL: the first UDC), serial
 * number @serial. The ttyGS device's fd (raw, non-blocking), its path in
 * @tty; or -1 with @err set (what was built is taken down again).
 */
int gadget_open(const char *name, const char *udc, const char *serial,
		char *tty, size_t ttylen, char *err, size_t errlen);
/* Unbind and remove the gadget @name. */
void gadget_close(const char *name);

#endif /* VSIM_MODEM_GADGET_H */
