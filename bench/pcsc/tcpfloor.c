// SPDX-License-Identifier: GPL-2.0-only
/*
 * The floor under vsimd's CPU per APDU (scripts/bench-pcsc): the least a
 * card behind vpcd can do per exchange on this machine. A client sends a
 * vpcd-sized frame (2-byte length + SELECT MF) over loopback TCP, both
 * sides TCP_NODELAY; the server waits in poll(), reads it with one recv()
 * and answers 9000 with one send(), as vsimd does for a peer that sends
 * frames whole, with no card behind it. Prints the server's CPU per round
 * trip (CLOCK_PROCESS_CPUTIME_ID) and the round trips per second. Never
 * judged; non-zero only when the sockets fail.
 *
 *   tcpfloor N
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double secs(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Echo 9000 to every frame until the peer closes; write our CPU to @out. */
static int serve(int lfd, int out)
{
	static const unsigned char ok[] = { 0, 2, 0x90, 0x00 };
	unsigned char buf[512];
	struct pollfd p = { .events = POLLIN };
	double cpu0;
	ssize_t n;

	p.fd = accept(lfd, NULL, NULL);
	if (p.fd < 0)
		return 1;
	nodelay(p.fd);
	cpu0 = secs(CLOCK_PROCESS_CPUTIME_ID);
	for (;;) {
		if (poll(&p, 1, -1) < 0)
			return 1;
		n = recv(p.fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0)
			break;
		if (n > 0 && send(p.fd, ok, sizeof(ok), 0) != sizeof(ok))
			return 1;
	}
	cpu0 = secs(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	return write(out, &cpu0, sizeof(cpu0)) == sizeof(cpu0) ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const unsigned char frame[] = { 0, 7, 0x00, 0xA4, 0x00, 0x0C,
					       0x02, 0x3F, 0x00 };
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	long n = argc == 2 ? strtol(argv[1], NULL, 10) : 0, i;
	int lfd, fd, pfd[2], st;
	unsigned char r[4];
	double t0, cpu;
	pid_t pid;

	if (n < 1) {
		fprintf(stderr, "usage: tcpfloor N\n");
		return 2;
	}
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(lfd, 1) || getsockname(lfd, (struct sockaddr *)&a, &alen) ||
	    pipe(pfd)) {
		perror("tcpfloor");
		return 1;
	}
	pid = fork();
	if (pid == 0)
		_exit(serve(lfd, pfd[1]));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (pid < 0 || fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("tcpfloor");
		return 1;
	}
	nodelay(fd);
	t0 = secs(CLOCK_MONOTONIC);
	for (i = 0; i < n; i++) {
		if (send(fd, frame, sizeof(frame), 0) != sizeof(frame) ||
		    recv(fd, r, sizeof(r), MSG_WAITALL) != 4) {
			perror("tcpfloor");
			return 1;
		}
	}
	t0 = secs(CLOCK_MONOTONIC) - t0;
	close(fd);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) ||
	    read(pfd[0], &cpu, sizeof(cpu)) != sizeof(cpu)) {
		fprintf(stderr, "tcpfloor: the server failed\n");
		return 1;
	}
	printf("%.0f %.2f\n", n / t0, cpu * 1e6 / n);
	return 0;
}
