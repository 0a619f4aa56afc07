// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsimctl pcscd: the pcscd groups that show more than 16 vsimd cards
 * (docs/vsimd.md "More than 16 cards"; the layout: common/pcsc_layout.h).
 *
 *   vsimctl pcscd run GROUP [--vpcd-port PORT] [--driver PATH] [-- PCSCD-OPTION...]
 *   vsimctl pcscd bankd-slots GROUP [--bank N]
 *
 * run writes /run/vsim-pcscd/GROUP (reader.conf, a driver copy per line)
 * and becomes the group's pcscd in a mount namespace of its own. There
 * the group's directory is /run/pcscd, since pcscd 1.9.9 serves no other
 * socket, and pcscd's USB driver directory is empty, so a USB reader
 * stays with the system's pcscd instead of taking one of the 16 places.
 * It execs pcscd: the caller (systemd, a test) holds pcscd's pid.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/pcsc_layout.h"
#include "vsimctl/vsimctl.h"

#define VPCD_DRIVER	"/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
#define VPCD_PORT	35963	/* vsimd's vpcd_port default */
/* Debian's pcscd: usbdropdir=/usr/lib/pcsc/drivers, ipcdir=/run/pcscd */
#define PCSCD_USB_DIR	"/usr/lib/pcsc/drivers"
#define PCSCD_IPC_DIR	"/run/pcscd"
#define PCSCD_MAX_ARGS	32

static int parse_num(const char *s, long lo, long hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* @src to @dst through a new file renamed over it: a running pcscd may map the old one. */
static int copy_file(const char *src, const char *dst)
{
	char tmp[PATH_MAX], buf[65536];
	int in, out, err = 0;
	ssize_t n;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", dst) >= (int)sizeof(tmp)) {
		fprintf(stderr, "vsimctl pcscd run: %s: path too long\n", dst);
		return -1;
	}
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		fprintf(stderr, "vsimctl pcscd run: %s: %s\n", src, strerror(errno));
		return -1;
	}
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		err = errno;
		goto err_close_in;
	}
	/* 0644 whatever the umask: pcscd, maybe under another uid, loads it */
	if (fchmod(out, 0644))
		err = errno;
	while (!err && (n = read(in, buf, sizeof(buf))) != 0) {
		errno = 0;
		if (n < 0 || write(out, buf, (size_t)n) != n)
			err = errno ? errno : EIO;
	}
	if (close(out) && !err)
		err = errno;
	if (!err && rename(tmp, dst))
		err = errno;
	if (err)
		unlink(tmp);
err_close_in:
	close(in);
	if (err)
		fprintf(stderr, "vsimctl pcscd run: %s: %s\n", dst, strerror(err));
	return err ? -1 : 0;
}

static int write_conf(const char *dir, int base, int group, char *conf,
		      size_t n)
{
	char tmp[PATH_MAX];
	FILE *f;
	int rc;

	if (snprintf(conf, n, "%s/reader.conf", dir) >= (int)n ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp", conf) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "vsimctl pcscd run: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	rc = vsim_pcsc_reader_conf(f, base, group, dir);
	if (fclose(f) || rc || rename(tmp, conf)) {
		fprintf(stderr, "vsimctl pcscd run: %s: cannot write it\n", conf);
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The pid of the group's pcscd if one runs, else 0 (stale files removed). */
static long running_pcscd(const char *dir)
{
	char path[PATH_MAX];
	long pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/pcscd.pid", dir);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM))
		return pid;
	/* pcscd refuses to start over a socket file without a live pid */
	unlink(path);
	snprintf(path, sizeof(path), "%s/pcscd.comm", dir);
	unlink(path);
	return 0;
}

/* The group's view: its directory on /run/pcscd, no USB drivers. */
static int enter_namespace(const char *dir)
{
	char empty[PATH_MAX];
	struct stat st;

	snprintf(empty, sizeof(empty), "%s/no-usb-drivers", dir);
	if ((mkdir(PCSCD_IPC_DIR, 0755) && errno != EEXIST) ||
	    (mkdir(empty, 0755) && errno != EEXIST)) {
		fprintf(stderr, "vsimctl pcscd run: mkdir: %s\n", strerror(errno));
		return -1;
	}
	if (unshare(CLONE_NEWNS)) {
		int e = errno;

		fprintf(stderr, "vsimctl pcscd run: unshare(CLONE_NEWNS): %s%s\n",
			strerror(e), e == EPERM ? " (run it as root)" : "");
		return -1;
	}
	/* nothing mounted here may reach the host's namespace */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount(dir, PCSCD_IPC_DIR, NULL, MS_BIND, NULL)) {
		fprintf(stderr, "vsimctl pcscd run: mount %s on " PCSCD_IPC_DIR ": %s\n",
			dir, strerror(errno));
		return -1;
	}
	if (!stat(PCSCD_USB_DIR, &st) && S_ISDIR(st.st_mode) &&
	    mount(empty, PCSCD_USB_DIR, NULL, MS_BIND, NULL)) {
		fprintf(stderr, "vsimctl pcscd run: mount %s on " PCSCD_USB_DIR ": %s\n",
			empty, strerror(errno));
		return -1;
	}
	return 0;
}

static int pcscd_run(int argc, char **argv, int nextra, char **extra)
{
	static const struct option opts[] = {
		{ "vpcd-port", required_argument, NULL, 'p' },
		{ "driver", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	const char *driver = VPCD_DRIVER;
	char dir[64], lib[PATH_MAX], conf[PATH_MAX], *args[PCSCD_MAX_ARGS + 5];
	int base = VPCD_PORT, group, line, c, i;
	struct statvfs vfs;
	long pid;

	while ((c = getopt_long(argc, argv, "p:d:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_num(optarg, 1, 65535, &base)) {
				fprintf(stderr, "vsimctl pcscd run: --vpcd-port %s: not a port (1-65535)\n",
					optarg);
				return 2;
			}
			break;
		case 'd':
			driver = optarg;
			break;
		default:
			return 2;
		}
	}
	if (argc - optind != 1 || nextra > PCSCD_MAX_ARGS) {
		fprintf(stderr, "vsimctl pcscd run: needs one GROUP (and at most %d pcscd options after --)\n",
			PCSCD_MAX_ARGS);
		return 2;
	}
	if (parse_num(argv[optind], 0, VSIM_PCSC_MAX_GROUPS - 1, &group) ||
	    vsim_pcsc_group_ok(base, group)) {
		fprintf(stderr, "vsimctl pcscd run: group %s: use 0-%d, its ports %d+16*GROUP..+15 below 65536\n",
			argv[optind], VSIM_PCSC_MAX_GROUPS - 1, base);
		return 2;
	}
	vsim_pcsc_group_dir(group, dir, sizeof(dir));
	if ((mkdir(VSIM_PCSC_GROUP_DIR, 0755) && errno != EEXIST) ||
	    (mkdir(dir, 0755) && errno != EEXIST)) {
		fprintf(stderr, "vsimctl pcscd run: mkdir %s: %s\n", dir, strerror(errno));
		return 1;
	}
	/* pcscd dlopen()s the copies: a noexec mount would refuse them */
	if (statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_NOEXEC)) {
		fprintf(stderr, "vsimctl pcscd run: %s is on a noexec mount: pcscd could not load the driver copies\n",
			dir);
		return 1;
	}
	pid = running_pcscd(dir);
	if (pid) {
		fprintf(stderr, "vsimctl pcscd run: group %d: its pcscd already runs (pid %ld)\n",
			group, pid);
		return 1;
	}
	for (line = 0; line < VSIM_PCSC_GROUP_LINES; line++) {
		vsim_pcsc_driver_copy(dir, line, lib, sizeof(lib));
		if (copy_file(driver, lib))
			return 1;
	}
	if (write_conf(dir, base, group, conf, sizeof(conf)) || enter_namespace(dir))
		return 1;
	i = 0;
	args[i++] = "pcscd";
	args[i++] = "--foreground";
	args[i++] = "--config";
	args[i++] = conf;
	while (nextra--)
		args[i++] = *extra++;
	args[i] = NULL;
	fflush(NULL);
	execvp("pcscd", args);
	fprintf(stderr, "vsimctl pcscd run: pcscd: %s\n", strerror(errno));
	return 1;
}

static int pcscd_bankd_slots(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bank", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	int group, bank = -1, c;

	while ((c = getopt_long(argc, argv, "b:", opts, NULL)) != -1) {
		if (c != 'b')
			return 2;
		if (parse_num(optarg, 1, 65535, &bank)) {
			fprintf(stderr, "vsimctl pcscd bankd-slots: --bank %s: a bank id (1-65535)\n",
				optarg);
			return 2;
		}
	}
	if (argc - optind != 1 ||
	    parse_num(argv[optind], 0, VSIM_PCSC_MAX_GROUPS - 1, &group)) {
		fprintf(stderr, "vsimctl pcscd bankd-slots: needs one GROUP (0-%d)\n",
			VSIM_PCSC_MAX_GROUPS - 1);
		return 2;
	}
	/* default: bank 1 for group 0, 2 for group 1, ... (bankd's default id is 1) */
	if (vsim_pcsc_bankd_slots(stdout, group, bank > 0 ? bank : group + 1) ||
	    fflush(stdout))
		return 1;
	return 0;
}

int vsimctl_pcscd(int argc, char **argv)
{
	int i, n = argc;

	if (argc < 2) {
		fprintf(stderr, "vsimctl pcscd: use run GROUP or bankd-slots GROUP\n");
		return 2;
	}
	/* what follows -- is pcscd's, never ours */
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			n = i;
			break;
		}
	}
	if (!strcmp(argv[1], "run"))
		return pcscd_run(n - 1, argv + 1, n < argc ? argc - n - 1 : 0,
				 argv + n + 1);
	if (n != argc) {
		fprintf(stderr, "vsimctl pcscd %s: no -- here\n", argv[1]);
		return 2;
	}
	if (!strcmp(argv[1], "bankd-slots"))
		return pcscd_bankd_slots(argc - 1, argv + 1);
	fprintf(stderr, "vsimctl pcscd: unknown command '%s' (use run or bankd-slots)\n",
		argv[1]);
	return 2;
}
