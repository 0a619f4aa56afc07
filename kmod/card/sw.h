/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Status words the card answers with, named by meaning. UICC values are
 * from TS 102 221 §10.2.1; the GSM 11.11 §9.4 equivalents for class A0
 * are mapped from these in gsm.c.
 */
#ifndef VSIM_CARD_SW_H
#define VSIM_CARD_SW_H

#define SW_OK			0x9000
#define SW_BYTES_AVAILABLE	0x6100	/* | remaining length: GET RESPONSE */
#define SW_WRONG_LE		0x6c00	/* | exact length: resend with it */
#define SW_PROACTIVE_PENDING	0x9100	/* | length of the pending command */

#define SW_FILE_DEACTIVATED	0x6283	/* warning: selected file deactivated */
#define SW_MORE_DATA		0x62f1	/* RETRIEVE DATA: next block follows */
#define SW_MORE_DATA_PROACTIVE	0x62f2	/* ... and a proactive command waits */
#define SW_MORE_EXPECTED	0x63f1	/* SET DATA: send the next block */
#define SW_MORE_EXPECTED_PROACTIVE 0x63f2
#define SW_PIN_TRIES		0x63c0	/* | attempts left */
#define SW_MEMORY_PROBLEM	0x6581
#define SW_WRONG_LENGTH		0x6700
#define SW_CHANNEL_UNSUPPORTED	0x6881
#define SW_SM_UNSUPPORTED	0x6882
#define SW_INCOMPATIBLE_FILE	0x6981	/* command incompatible with file structure */
#define SW_SECURITY_STATUS	0x6982
#define SW_PIN_BLOCKED		0x6983
#define SW_REF_DATA_INVALID	0x6984	/* e.g. CHANGE PIN on a disabled PIN */
#define SW_CONDITIONS		0x6985	/* conditions of use not satisfied */
#define SW_NO_CURRENT_EF	0x6986
#define SW_WRONG_DATA		0x6a80
#define SW_FUNC_UNSUPPORTED	0x6a81
#define SW_NOT_ENOUGH_MEMORY	0x6a84
#define SW_FILE_NOT_FOUND	0x6a82
#define SW_RECORD_NOT_FOUND	0x6a83
#define SW_WRONG_P1P2		0x6a86
#define SW_REF_NOT_FOUND	0x6a88
#define SW_WRONG_OFFSET		0x6b00
#define SW_INS_UNSUPPORTED	0x6d00
#define SW_CLA_UNSUPPORTED	0x6e00
#define SW_TECHNICAL		0x6f00
#define SW_TOOLKIT_BUSY		0x9300	/* TS 102 221 §10.2.1.1 */
/* never sent: the host deferred the command (vsim_card_slow_done()) */
#define SW_DEFERRED		0x0000
#define SW_MAX_VALUE_REACHED	0x9850	/* INCREASE overflow, TS 102 221 §10.2.1.6 */
#define SW_AUTH_MAC_FAIL	0x9862	/* TS 31.102 §7.1.2 */

/* GSM 11.11 §9.4 */
#define SW_GSM_RESPONSE		0x9f00	/* | response length */
#define SW_GSM_NO_EF		0x9400
#define SW_GSM_OUT_OF_RANGE	0x9402
#define SW_GSM_NOT_FOUND	0x9404
#define SW_GSM_ACCESS		0x9804
#define SW_GSM_CHV_BLOCKED	0x9840
#define SW_GSM_CONTRADICTION	0x9808
#define SW_GSM_INVALIDATION	0x9810

#endif /* VSIM_CARD_SW_H */
