// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsim-modem: an emulated cellular modem whose SIM slot is a PC/SC reader
 * (vsim's vpcd reader, or any reader with a SIM), /dev/vsimN, or a card in
 * this process, and whose host side is a pty speaking TS 27.007/27.005 AT
 * commands, so modem stacks (ModemManager, oFono) can run on a vsim card.
 * It plays the firmware towards the card (sim.c), a network that grants
 * registration only after AKA (net.c), and the AT interpreter (at.c).
 *
 * The part agent/modem/ may use common/ (the T=0 terminal and proactive
 * loop of common/modem.c, the card hosts of common/terminal.c, hex), the
 * card engine's headers and the UAPI, and the system's (pcsc-lite, libc);
 * never a daemon, CLI or OTA header (layers.conf).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "modem/at.h"
#include "modem/bip.h"
#include "modem/gadget.h"
#include "modem/status.h"

#define GADGET_NAME	"vsim-modem"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: vsim-modem --pty|--gadget [--link PATH] [SIM] [options]\n"
"       vsim-modem --status SOCKET [--json]\n"
"An AT-command modem (TS 27.007/27.005) whose SIM is a vsim card.\n"
"SIM slot (default: the first PC/SC reader named like vpcd's):\n"
"  --reader NAME     a PC/SC reader\n"
"  --device PATH     a vsim.ko card, /dev/vsimN\n"
"  --profile FILE    a card built in this process from a profile\n"
"  --state DIR       durable state of that card\n"
"Host side:\n"
"  --pty             a pseudo-terminal; its path is printed\n"
"  --gadget          a USB gadget (configfs, CDC ACM 1d6b:0104) on a UDC;\n"
"                    the host sees /dev/ttyACMn\n"
"  --udc NAME        the UDC (default: the first in /sys/class/udc)\n"
"  --link PATH       a symlink to the pty or ttyGS (removed on exit)\n"
"Modem and network:\n"
"  --imei DIGITS     the IMEI (+CGSN, PROVIDE LOCAL INFORMATION); 14-15 digits\n"
"  --hss FILE        the subscriber (INI [hss] imsi,k,opc|op,amf,sqn,ind_bits,\n"
"                    or a card profile); without it nothing registers\n"
"  --sms-in PATH     a FIFO: each line an MT SMS PDU (SCA + SMS-DELIVER, hex)\n"
"  --sms-out FILE    MO SMS go here, one \"MO <TPDU hex>\" line each\n"
"  --smsc HOST:PORT  bind to an SMSC as an SMPP 3.4 ESME (serving the HSS's\n"
"                    msisdn): MO SMS go to it as submit_sm, its deliver_sm\n"
"                    reach the handset, or the card (PID 7F, class 2)\n"
"  --no-bip          declare no BIP and no timers to the card (it falls\n"
"                    back to SMS); by default its OPEN CHANNEL is a TCP\n"
"                    connection from this host\n"
"  --log FILE        every step and APDU (default: none; - for stderr)\n"
"Status:\n"
"  --control SOCKET  serve the status (JSON) on this Unix socket\n"
"  --status SOCKET   ask a running modem for it and print it\n"
"  --json            JSON: the status as it came, the start-up line as an object\n"
"  --version, --help\n");
}

static int open_pty(char *name, size_t max, int *slave)
{
	struct termios t;
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (m < 0 || grantpt(m) || unlockpt(m) || ptsname_r(m, name, max))
		return -1;
	/*
	 * Hold the slave open in raw mode: no echo of our answers back to
	 * us, and no hang-up while no client has it open.
	 */
	*slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0 || tcgetattr(*slave, &t))
		return -1;
	cfmakeraw(&t);
	if (tcsetattr(*slave, TCSANOW, &t))
		return -1;
	if (fcntl(m, F_SETFL, O_NONBLOCK))
		return -1;
	return m;
}

/* The control socket: each connection gets the status and is closed. */
static int control_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void control_serve(int lfd, struct at *at, const struct status_host *h)
{
	int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	char *text;

	if (c < 0)
		return;
	text = status_json(at, h);
	if (text) {
		size_t off = 0, n = strlen(text);

		while (off < n) {
			ssize_t w = write(c, text + off, n - off);

			if (w <= 0)
				break;
			off += (size_t)w;
		}
		free(text);
	}
	close(c);
}

/* One PDU from the SMSC; the link is dropped when the session ends. */
static void smsc_read(struct at *at, FILE *log)
{
	struct vsim_smpp_sm sm;
	int rc = vsim_smpp_next(at->smpp, 0, &sm);

	if (rc == 1) {
		at_network_sm(at, &sm);
	} else if (rc == -1) {
		fprintf(log, "network: the SMSC ended the session\n");
		vsim_smpp_close(at->smpp);
		at->smpp = NULL;
	}
}

/* --status SOCKET: the client */
static int status_client(const char *path, bool as_json)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[8192];
	size_t len = 0;
	ssize_t n;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "vsim-modem: --status %s: path too long\n", path);
		return 2;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "vsim-modem: --status %s: %s (is a vsim-modem --control %s running?)\n",
			path, strerror(errno), path);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	while (len < sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = 0;
	if (status_print(buf, as_json, stdout)) {
		fprintf(stderr, "vsim-modem: --status %s: not a status answer\n", path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reader", required_argument, NULL, 'r' },
		{ "device", required_argument, NULL, 'd' },
		{ "profile", required_argument, NULL, 'p' },
		{ "state", required_argument, NULL, 's' },
		{ "pty", no_argument, NULL, 't' },
		{ "gadget", no_argument, NULL, 'g' },
		{ "udc", required_argument, NULL, 'u' },
		{ "link", required_argument, NULL, 'l' },
		{ "imei", required_argument, NULL, 'i' },
		{ "hss", required_argument, NULL, 'H' },
		{ "sms-in", required_argument, NULL, 'I' },
		{ "sms-out", required_argument, NULL, 'O' },
		{ "smsc", required_argument, NULL, 'M' },
		{ "no-bip", no_argument, NULL, 'B' },
		{ "log", required_argument, NULL, 'L' },
		{ "control", required_argument, NULL, 'C' },
		{ "status", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *reader = NULL, *device = NULL, *profile = NULL, *state = NULL;
	const char *link = NULL, *imei = "490154203237518", *hss_file = NULL;
	const char *sms_in = NULL, *sms_out = NULL, *log_file = NULL;
	const char *smsc = NULL;
	struct vsim_smpp *smpp = NULL;
	const char *control = NULL, *status = NULL;
	struct status_host host = { 0 };
	char slot[300];
	bool json = false;
	int ctl = -1;
	static struct sim sim;
	static struct at at;
	struct hss hss = { 0 };
	char pty[128], err[256], inbuf[1024];
	size_t inlen = 0;
	bool want_pty = false, want_gadget = false, bip = true;
	const char *udc = NULL;
	FILE *log;
	int c, master, slave = -1, fifo = -1, ret = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': reader = optarg; break;
		case 'd': device = optarg; break;
		case 'p': profile = optarg; break;
		case 's': state = optarg; break;
		case 't': want_pty = true; break;
		case 'g': want_gadget = true; break;
		case 'u': udc = optarg; break;
		case 'l': link = optarg; break;
		case 'i': imei = optarg; break;
		case 'H': hss_file = optarg; break;
		case 'I': sms_in = optarg; break;
		case 'O': sms_out = optarg; break;
		case 'M': smsc = optarg; break;
		case 'B': bip = false; break;
		case 'L': log_file = optarg; break;
		case 'C': control = optarg; break;
		case 'S': status = optarg; break;
		case 'j': json = true; break;
		case 'V': printf("vsim-modem %s\n", VSIM_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vsim-modem: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (status) {
		if (want_pty || want_gadget || control) {
			fprintf(stderr, "vsim-modem: --status asks a running modem: no --pty, --gadget or --control with it\n");
			return 2;
		}
		return status_client(status, json);
	}
	if (want_pty == want_gadget) {
		fprintf(stderr, "vsim-modem: say where the host is: --pty or --gadget\n");
		return 2;
	}
	if (!!reader + !!device + !!profile > 1) {
		fprintf(stderr, "vsim-modem: --reader, --device and --profile exclude each other\n");
		return 2;
	}
	if (state && !profile) {
		fprintf(stderr, "vsim-modem: --state needs --profile\n");
		return 2;
	}
	if (vsim_modem_set_imei(&sim.m, imei, false) || strlen(imei) == 16) {
		fprintf(stderr, "vsim-modem: --imei %s: 14 or 15 digits\n", imei);
		return 2;
	}
	if (hss_file && hss_load(&hss, hss_file, err, sizeof(err))) {
		fprintf(stderr, "vsim-modem: --hss %s\n", err);
		return 2;
	}
	if (smsc && (!hss_file || !hss.msisdn[0])) {
		fprintf(stderr, "vsim-modem: --smsc needs the subscriber's number: msisdn in the --hss file\n");
		return 2;
	}
	if (!log_file)
		log = fopen("/dev/null", "w");
	else if (!strcmp(log_file, "-"))
		log = stderr;
	else
		log = fopen(log_file, "a");
	if (!log) {
		fprintf(stderr, "vsim-modem: --log %s: %s\n", log_file, strerror(errno));
		return 1;
	}
	setvbuf(log, NULL, _IOLBF, 0);
	if (sms_out) {
		at.sms_out = fopen(sms_out, "a");
		if (!at.sms_out) {
			fprintf(stderr, "vsim-modem: --sms-out %s: %s\n", sms_out, strerror(errno));
			return 1;
		}
	}
	if (sms_in) {
		if (mkfifo(sms_in, 0600) && errno != EEXIST) {
			fprintf(stderr, "vsim-modem: --sms-in %s: %s\n", sms_in, strerror(errno));
			return 1;
		}
		/* read-write: the FIFO never reports end of file */
		fifo = open(sms_in, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fifo < 0) {
			fprintf(stderr, "vsim-modem: --sms-in %s: %s\n", sms_in, strerror(errno));
			return 1;
		}
	}
	if (smsc) {
		char a[22];

		/* the SMSC routes the subscriber's number to this ESME */
		snprintf(a, sizeof(a), "%s", hss.msisdn + (hss.msisdn[0] == '+'));
		if (vsim_smpp_open(smsc, "vsim-modem", "", a, &smpp, err,
				   sizeof(err))) {
			fprintf(stderr, "vsim-modem: --smsc %s\n", err);
			return 1;
		}
		fprintf(log, "network: bound to the SMSC %s as %s\n", smsc, hss.msisdn);
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);

	sim.bip_on = bip;
	if (sim_open(&sim, !device && !profile, reader, device, profile, state, log)) {
		fprintf(stderr, "vsim-modem: no SIM: %s\n", sim.why);
		fprintf(log, "no SIM: %s\n", sim.why);
	}
	if (want_gadget) {
		master = gadget_open(GADGET_NAME, udc, imei, pty, sizeof(pty), err,
				     sizeof(err));
		if (master < 0) {
			fprintf(stderr, "vsim-modem: --gadget: %s\n", err);
			sim_close(&sim);
			return 1;
		}
	} else {
		master = open_pty(pty, sizeof(pty), &slave);
		if (master < 0) {
			fprintf(stderr, "vsim-modem: pty: %s\n", strerror(errno));
			sim_close(&sim);
			return 1;
		}
	}
	if (control) {
		ctl = control_listen(control);
		if (ctl < 0) {
			fprintf(stderr, "vsim-modem: --control %s: %s\n", control, strerror(errno));
			if (want_gadget) {
				close(master);
				gadget_close(GADGET_NAME);
			}
			sim_close(&sim);
			return 1;
		}
	}
	if (link) {
		unlink(link);
		if (symlink(pty, link)) {
			fprintf(stderr, "vsim-modem: --link %s: %s\n", link, strerror(errno));
			sim_close(&sim);
			return 1;
		}
	}
	{
		FILE *so = at.sms_out;

		at_init(&at, master, &sim, &hss, log, imei);
		at.sms_out = so;
		at.smpp = smpp;
	}
	if (at.imei[14] == 0 && strlen(at.imei) == 14) {	/* show the Luhn digit */
		at.imei[14] = (char)('0' + ((sim.m.imei[7] >> 4) & 0x0f));
		at.imei[15] = 0;
	}
	at_register(&at);
	if (reader)
		snprintf(slot, sizeof(slot), "reader %s", reader);
	else if (device)
		snprintf(slot, sizeof(slot), "device %s", device);
	else if (profile)
		snprintf(slot, sizeof(slot), "profile %s", profile);
	else
		snprintf(slot, sizeof(slot), "reader (the first vpcd reader)");
	host = (struct status_host){ want_gadget ? "gadget" : "pty", pty, link, slot };
	if (json)
		printf("{\"host\":\"%s\",\"port\":\"%s\",\"sim\":%s}\n",
		       host.kind, pty, sim.present ? "true" : "false");
	else
		printf("vsim-modem: %s %s%s\n", host.kind, pty,
		       sim.present ? "" : " (no SIM)");
	fflush(stdout);

	while (!stop) {
		struct pollfd p[5] = {
			{ .fd = master, .events = POLLIN },
			{ .fd = fifo, .events = POLLIN },
			{ .fd = ctl, .events = POLLIN },
			{ .fd = at.smpp ? vsim_smpp_fd(at.smpp) : -1, .events = POLLIN },
		};
		uint8_t buf[512];
		ssize_t n;
		/* the card's channel and the time its next event or timer is due */
		int due = modem_bip_wait(&at, &p[4]);

		/* a negative fd is skipped by poll(2) */
		if (poll(p, 5, due) < 0) {
			if (errno == EINTR)
				continue;
			ret = 1;
			break;
		}
		if (p[0].revents & POLLIN) {
			n = read(master, buf, sizeof(buf));
			if (n > 0)
				at_input(&at, buf, (size_t)n);
		} else if (p[0].revents & (POLLHUP | POLLERR)) {
			usleep(100000);	/* a ttyGS whose host is gone: wait */
		}
		if (at.smpp && (p[3].revents & (POLLIN | POLLHUP | POLLERR)))
			smsc_read(&at, log);
		/* deliver_sm that overtook a submit_sm_resp */
		while (at.smpp && vsim_smpp_held(at.smpp))
			smsc_read(&at, log);
		if (ctl >= 0 && (p[2].revents & POLLIN))
			control_serve(ctl, &at, &host);
		modem_bip_run(&at, p[4].revents);
		if (fifo >= 0 && (p[1].revents & POLLIN)) {
			n = read(fifo, inbuf + inlen, sizeof(inbuf) - 1 - inlen);
			if (n > 0)
				inlen += (size_t)n;
			for (char *nl; (nl = memchr(inbuf, '\n', inlen)); ) {
				size_t l = (size_t)(nl - inbuf);

				*nl = 0;
				if (l && inbuf[l - 1] == '\r')
					inbuf[l - 1] = 0;
				if (inbuf[0])
					at_sms_deliver(&at, inbuf);
				memmove(inbuf, nl + 1, inlen - l - 1);
				inlen -= l + 1;
			}
			if (inlen == sizeof(inbuf) - 1)
				inlen = 0;	/* an endless line: dropped */
		}
	}
	if (link)
		unlink(link);
	if (ctl >= 0) {
		close(ctl);
		unlink(control);
	}
	if (want_gadget) {
		/*
		 * Close ttyGS before unbinding: u_serial waits for the port to
		 * be closed when its function goes away (a hung task otherwise),
		 * and unsent output would hold the close up.
		 */
		tcflush(master, TCIOFLUSH);
		close(master);
		master = -1;
		gadget_close(GADGET_NAME);
	}
	vsim_smpp_close(at.smpp);
	sim_close(&sim);
	if (at.sms_out)
		fclose(at.sms_out);
	if (master >= 0)
		close(master);
	if (slave >= 0)
		close(slave);
	if (fifo >= 0)
		close(fifo);
	return ret;
}
