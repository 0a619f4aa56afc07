/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KERNEL_WROTE(p, n): tell valgrind that vsim.ko wrote @n bytes at @p.
 *
 * vsim.ko writes through pointers inside its ioctl structs (the R-APDU of
 * VSIM_IOC_TRANSMIT and VSIM_IOC_EXEC, the blob of VSIM_IOC_GET_STATE).
 * Valgrind's memcheck takes an unknown ioctl's struct from the _IOWR size
 * in its number but cannot know what the struct points to, so it would
 * call those bytes uninitialised at their first use (found running
 * tests/cardem/vm.sh with VSIM_CARDEM_VALGRIND=1). Its client request
 * VALGRIND_MAKE_MEM_DEFINED (valgrind manual, "Client Requests") says what
 * the kernel wrote; it is a few no-op instructions outside valgrind, and
 * absent without the header.
 */
#ifndef VSIM_KERNEL_WROTE_H
#define VSIM_KERNEL_WROTE_H

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define KERNEL_WROTE(p, n)	((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#endif
#endif
#ifndef KERNEL_WROTE
#define KERNEL_WROTE(p, n)	((void)(p), (void)(n))
#endif

#endif /* VSIM_KERNEL_WROTE_H */
