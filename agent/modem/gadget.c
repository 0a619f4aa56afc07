// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsim-modem's USB gadget (gadget.h), through the kernel's configfs
 * gadget interface (Documentation/usb/gadget_configfs.rst): libcomposite
 * and usb_f_acm must be loaded, configfs mounted.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "modem/gadget.h"

#define CONFIGFS	"/sys/kernel/config"
#define GADGETS		CONFIGFS "/usb_gadget"

static int put_file(const char *value, const char *fmt, ...)
{
	char path[512];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = (int)write(fd, value, strlen(value));
	close(fd);
	return n < 0 ? -1 : 0;
}

static int mkdirf(const char *fmt, ...)
{
	char path[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return mkdir(path, 0755) && errno != EEXIST ? -1 : 0;
}

void gadget_close(const char *name)
{
	char p[512];

	put_file("\n", GADGETS "/%s/UDC", name);
	snprintf(p, sizeof(p), GADGETS "/%s/configs/c.1/acm.usb0", name);
	unlink(p);
	snprintf(p, sizeof(p), GADGETS "/%s/configs/c.1/strings/0x409", name);
	rmdir(p);
	snprintf(p, sizeof(p), GADGETS "/%s/configs/c.1", name);
	rmdir(p);
	snprintf(p, sizeof(p), GADGETS "/%s/functions/acm.usb0", name);
	rmdir(p);
	snprintf(p, sizeof(p), GADGETS "/%s/strings/0x409", name);
	rmdir(p);
	snprintf(p, sizeof(p), GADGETS "/%s", name);
	rmdir(p);
}

/* The first UDC in /sys/class/udc */
static int first_udc(char *out, size_t max)
{
	DIR *d = opendir("/sys/class/udc");
	struct dirent *e;
	int ret = -1;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(out, max, "%s", e->d_name);
		ret = 0;
		break;
	}
	if (d)
		closedir(d);
	return ret;
}

int gadget_open(const char *name, const char *udc, const char *serial,
		char *tty, size_t ttylen, char *err, size_t errlen)
{
	char p[600], src[512], u[256], port[16] = "";
	struct termios t;
	int fd, n;

	if (access(GADGETS, F_OK)) {
		mount("none", CONFIGFS, "configfs", 0, NULL);
		if (access(GADGETS, F_OK)) {
			snprintf(err, errlen, "%s: %s (load libcomposite)", GADGETS,
				 strerror(errno));
			return -1;
		}
	}
	if (udc)
		snprintf(u, sizeof(u), "%s", udc);
	else if (first_udc(u, sizeof(u))) {
		snprintf(err, errlen, "no UDC in /sys/class/udc (load dummy_hcd, or a real UDC driver)");
		return -1;
	}
	/* 1d6b:0104, the Linux Foundation's multifunction composite gadget */
	if (mkdirf(GADGETS "/%s", name) ||
	    put_file("0x1d6b", GADGETS "/%s/idVendor", name) ||
	    put_file("0x0104", GADGETS "/%s/idProduct", name) ||
	    put_file("0x0200", GADGETS "/%s/bcdUSB", name) ||
	    mkdirf(GADGETS "/%s/strings/0x409", name) ||
	    put_file("vsim", GADGETS "/%s/strings/0x409/manufacturer", name) ||
	    put_file("vsim-modem", GADGETS "/%s/strings/0x409/product", name) ||
	    put_file(serial, GADGETS "/%s/strings/0x409/serialnumber", name) ||
	    mkdirf(GADGETS "/%s/configs/c.1", name) ||
	    mkdirf(GADGETS "/%s/configs/c.1/strings/0x409", name) ||
	    put_file("CDC ACM", GADGETS "/%s/configs/c.1/strings/0x409/configuration", name) ||
	    put_file("100", GADGETS "/%s/configs/c.1/MaxPower", name)) {
		snprintf(err, errlen, "configfs gadget %s: %s", name, strerror(errno));
		goto fail;
	}
	if (mkdirf(GADGETS "/%s/functions/acm.usb0", name)) {
		snprintf(err, errlen, "ACM function: %s (load usb_f_acm)", strerror(errno));
		goto fail;
	}
	snprintf(src, sizeof(src), GADGETS "/%s/functions/acm.usb0", name);
	snprintf(p, sizeof(p), GADGETS "/%s/configs/c.1/acm.usb0", name);
	if (symlink(src, p) && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", p, strerror(errno));
		goto fail;
	}
	snprintf(p, sizeof(p), "%s/port_num", src);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : (int)read(fd, port, sizeof(port) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		snprintf(err, errlen, "%s: unreadable", p);
		goto fail;
	}
	port[n] = 0;
	port[strcspn(port, "\n")] = 0;
	if (put_file(u, GADGETS "/%s/UDC", name)) {
		snprintf(err, errlen, "bind to UDC %s: %s", u, strerror(errno));
		goto fail;
	}
	snprintf(tty, ttylen, "/dev/ttyGS%s", port);
	for (int i = 0; i < 50 && access(tty, F_OK); i++)
		usleep(100000);
	fd = open(tty, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || tcgetattr(fd, &t)) {
		snprintf(err, errlen, "%s: %s", tty, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	cfmakeraw(&t);
	tcsetattr(fd, TCSANOW, &t);
	return fd;
fail:
	gadget_close(name);
	return -1;
}
