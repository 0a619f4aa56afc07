// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hosting the card engine in userspace: the ops table over OpenSSL, and a
 * state file committed with write-to-temp, fsync, rename before the engine
 * may apply a change ("durable before 9000").
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/card_host.h"
#include "common/host_crypto.h"

/* STATE_DIR/card.state: a small header, then the engine's durable blob. */
#define STATE_MAGIC	"VSIMSTA1"

struct state_header {
	char magic[8];
	uint8_t image_digest[32];	/* the state belongs to this image */
	uint64_t blob_len;
};

static int host_setkey(void *priv, const u8 key[16])
{
	struct vsim_host_card *h = priv;

	return vsim_host_aes_setkey(h->aes, key);
}

static void host_encrypt(void *priv, const u8 in[16], u8 out[16])
{
	struct vsim_host_card *h = priv;

	vsim_host_aes_encrypt(h->aes, in, out);
}

static void host_random(void *priv, u8 *buf, size_t len)
{
	(void)priv;
	if (vsim_host_random(buf, len))
		abort();	/* no entropy: better dead than predictable */
}

static int host_ecies(void *priv, u8 scheme, const u8 *hn_key, size_t hn_len,
		      const u8 *plain, size_t plain_len, u8 *out, size_t max)
{
	(void)priv;
	return vsim_host_ecies_conceal(scheme, hn_key, hn_len, plain, plain_len,
				       out, max);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Atomically replace the state file with the shadow blob. */
static int commit_shadow(struct vsim_host_card *h)
{
	struct state_header hdr = { .blob_len = h->shadow_len };
	size_t n = strlen(h->state_file) + 5;
	char *tmp = malloc(n);
	int fd, ret = -1;

	if (!tmp)
		return -1;
	snprintf(tmp, n, "%s.tmp", h->state_file);
	memcpy(hdr.magic, STATE_MAGIC, 8);
	memcpy(hdr.image_digest, h->image_digest, 32);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	if (write_all(fd, &hdr, sizeof(hdr)) ||
	    write_all(fd, h->shadow, h->shadow_len) || fsync(fd)) {
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, h->state_file)) {
		unlink(tmp);
		goto out;
	}
	ret = 0;
out:
	free(tmp);
	return ret;
}

static int host_persist(void *priv, const struct vsim_persist *rec)
{
	struct vsim_host_card *h = priv;

	/* tests: the fail_persist-th commit from now fails */
	if (h->fail_persist && !--h->fail_persist)
		return -EIO;
	if (h->commit) {
		if (h->commit(h->commit_ctx, rec))
			return -EIO;
		h->persists++;
		return 0;
	}
	if (!h->state_file) {
		h->persists++;
		return 0;
	}
	if (rec->offset > h->shadow_len ||
	    rec->len > h->shadow_len - rec->offset)
		return -EINVAL;
	memcpy(h->shadow + rec->offset, rec->data, rec->len);
	if (commit_shadow(h)) {
		/* the file still holds the old state: take the shadow back */
		size_t len;
		const u8 *cur = vsim_card_state(h->card, &len);

		memcpy(h->shadow, cur, len);
		return -EIO;
	}
	h->persists++;
	return 0;
}

static size_t host_slow_path(void *priv, const u8 *capdu, size_t len,
			     u8 *rapdu)
{
	struct vsim_host_card *h = priv;

	return h->slow_path ? h->slow_path(h->slow_ctx, capdu, len, rapdu) : 0;
}

static const struct vsim_card_ops host_ops = {
	.aes128_setkey = host_setkey,
	.aes128_encrypt = host_encrypt,
	.get_random = host_random,
	.persist = host_persist,
	.slow_path = host_slow_path,
	.ecies_conceal = host_ecies,
};

/* Load STATE_DIR/card.state if it exists; create it from the image if not. */
static int load_state(struct vsim_host_card *h, char *err, size_t errlen)
{
	struct state_header hdr;
	const u8 *cur;
	size_t len;
	FILE *f;

	cur = vsim_card_state(h->card, &len);
	h->shadow = malloc(len);
	if (!h->shadow) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	h->shadow_len = len;
	f = fopen(h->state_file, "rb");
	if (!f) {
		memcpy(h->shadow, cur, len);
		if (commit_shadow(h)) {
			snprintf(err, errlen, "%s: cannot write state: %m",
				 h->state_file);
			return -1;
		}
		return 0;
	}
	if (fread(&hdr, sizeof(hdr), 1, f) != 1 ||
	    memcmp(hdr.magic, STATE_MAGIC, 8) || hdr.blob_len != len ||
	    fread(h->shadow, len, 1, f) != 1 || fgetc(f) != EOF) {
		fclose(f);
		snprintf(err, errlen, "%s: not a vsim state file for this card",
			 h->state_file);
		return -1;
	}
	fclose(f);
	if (memcmp(hdr.image_digest, h->image_digest, 32)) {
		snprintf(err, errlen,
			 "%s: state belongs to another profile (remove it to start afresh)",
			 h->state_file);
		return -1;
	}
	if (vsim_card_load_state(h->card, h->shadow, len)) {
		snprintf(err, errlen, "%s: state does not fit this card",
			 h->state_file);
		return -1;
	}
	return 0;
}

int vsim_host_card_open(struct vsim_host_card *h, const uint8_t *image,
			size_t len, const char *state_dir, char *err,
			size_t errlen)
{
	const char *why = NULL;
	unsigned int dlen = 0;

	size_t size = vsim_card_size(image, len);

	memset(h, 0, sizeof(*h));
	/* sized to the image: a lab's thousand cards cost their data only */
	h->card = calloc(1, size);
	h->aes = vsim_host_aes_new();
	if (!h->card || !h->aes) {
		snprintf(err, errlen, "out of memory");
		goto err_free;
	}
	if (vsim_card_init(h->card, size, image, len, &host_ops, h, &why)) {
		snprintf(err, errlen, "card image refused: %s",
			 why ? why : "unknown reason");
		goto err_free;
	}
	if (!EVP_Digest(image, len, h->image_digest, &dlen, EVP_sha256(),
			NULL)) {
		snprintf(err, errlen, "SHA-256 failed");
		goto err_free;
	}
	if (state_dir) {
		size_t n = strlen(state_dir) + sizeof("/card.state");
		struct stat st;

		if (stat(state_dir, &st) || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "--state %s: not a directory",
				 state_dir);
			goto err_free;
		}
		h->state_file = malloc(n);
		if (!h->state_file) {
			snprintf(err, errlen, "out of memory");
			goto err_free;
		}
		snprintf(h->state_file, n, "%s/card.state", state_dir);
		if (load_state(h, err, errlen))
			goto err_free;
	}
	return 0;

err_free:
	vsim_host_card_close(h);
	return -1;
}

void vsim_host_card_close(struct vsim_host_card *h)
{
	if (h->card) {
		vsim_card_wipe(h->card);
		free(h->card);
	}
	if (h->shadow) {
		vsim_wipe(h->shadow, h->shadow_len);
		free(h->shadow);
	}
	vsim_host_aes_free(h->aes);
	free(h->state_file);
	memset(h, 0, sizeof(*h));
}
