// SPDX-License-Identifier: GPL-2.0-only
/*
 * From card image to card: the complete validation of an untrusted image
 * (it arrives from userspace through VSIM_IOC_NEW_CARD), building the card,
 * and the card's lifetime (power, durable state, wiping).
 */
#include "card_priv.h"

/*
 * A card is struct vsim_card cut short after its image's EF data: the
 * data area is the last member, and a card never touches more of it than
 * data_size bytes (every file lies inside, vsim_image_check()).
 */
static size_t card_bytes(u32 data_size)
{
	return offsetof(struct vsim_card, st) +
	       offsetof(struct vsim_durable, data) + data_size;
}

size_t vsim_card_size(const void *image, size_t len)
{
	const struct vsim_image_header *h = image;

	if (!image || len < sizeof(*h) || h->data_size > VSIM_IMAGE_MAX_DATA)
		return sizeof(struct vsim_card);
	return card_bytes(h->data_size);
}

static const char *check_pin(const struct vsim_image_pin *p, int idx)
{
	if (p->max_tries < 1 || p->max_tries > 15)
		return "PIN max_tries must be 1..15";
	if (p->puk_max_tries > 15)
		return "PUK max_tries must be 0..15";
	if (p->flags & ~(VSIM_PIN_F_ENABLED | VSIM_PIN_F_DISABLE_OK))
		return "unknown PIN flags";
	if (p->reserved)
		return "PIN reserved byte not zero";
	/* ADM1 may be any 8 bytes (operators use raw keys) */
	if (idx == VSIM_PIN_IDX_ADM1)
		return NULL;
	if (!vsim_pin_digits_ok(p->value))
		return "PIN is not 4..8 digits padded with FF";
	if (p->puk_max_tries && !vsim_pin_digits_ok(p->puk))
		return "PUK is not 4..8 digits padded with FF";
	return NULL;
}

static bool is_df(u8 type)
{
	return type == VSIM_FILE_MF || type == VSIM_FILE_DF ||
	       type == VSIM_FILE_ADF;
}

static const char *check_file(const struct vsim_image_file *f, u16 idx,
			      const struct vsim_image_file *files,
			      u32 data_size)
{
	u16 i;

	if (f->reserved[0] || f->reserved[1] || f->reserved[2])
		return "file reserved bytes not zero";
	if (idx == 0) {
		if (f->type != VSIM_FILE_MF || f->fid != 0x3f00 || f->parent)
			return "file 0 must be the MF 3F00";
	} else {
		if (f->type == VSIM_FILE_MF)
			return "only file 0 may be the MF";
		if (f->parent >= idx || !is_df(files[f->parent].type))
			return "file parent must be an earlier DF";
		/* reserved FIDs, TS 102 221 §8.3 */
		if (f->fid == 0x3f00 || f->fid == 0x3fff ||
		    f->fid == 0x7fff || f->fid == 0xffff)
			return "reserved file identifier";
	}
	if (f->type < VSIM_FILE_MF || f->type > VSIM_FILE_EF)
		return "unknown file type";
	if (f->flags & ~(VSIM_FILE_F_DEACTIVATED | VSIM_FILE_F_INCREASE))
		return "unknown file flags";
	if (f->arr_fid && !f->arr_record)
		return "access rule names EF_ARR record 0";
	if (f->type == VSIM_FILE_ADF) {
		if (f->aid_len < 5 || f->aid_len > VSIM_AID_MAX)
			return "ADF AID must be 5..16 bytes";
		if (f->parent != 0)
			return "ADF must be a child of the MF";
	} else if (f->aid_len) {
		return "only an ADF has an AID";
	}
	if (is_df(f->type)) {
		if (f->structure || f->size || f->record_length || f->sfi ||
		    (f->flags & VSIM_FILE_F_INCREASE))
			return "DF with EF attributes";
	} else {
		switch (f->structure) {
		case VSIM_EF_TRANSPARENT:
			if (f->record_length)
				return "transparent EF with record length";
			break;
		case VSIM_EF_LINEAR_FIXED:
		case VSIM_EF_CYCLIC:
			if (!f->record_length || f->size % f->record_length ||
			    !f->size || f->size / f->record_length > 254)
				return "record EF size is not 1..254 records";
			break;
		case VSIM_EF_BER_TLV:
			if (f->record_length)
				return "BER-TLV EF with record length";
			/* FCP tags 80/81/83 carry two bytes (§11.1.1.4) */
			if (!f->size || f->size > 0xffff)
				return "BER-TLV EF size must be 1..65535 bytes";
			break;
		default:
			return "unknown EF structure";
		}
		if ((f->flags & VSIM_FILE_F_INCREASE) &&
		    f->structure != VSIM_EF_CYCLIC)
			return "INCREASE on a non-cyclic EF";
		if (f->sfi > 30)
			return "SFI must be 0..30";
		if (f->size > data_size || f->data_offset > data_size - f->size)
			return "file data outside the data area";
	}
	for (i = 0; i < idx; i++) {
		const struct vsim_image_file *o = &files[i];

		if (o->parent == f->parent && i != 0 && o->fid == f->fid)
			return "duplicate file identifier in a DF";
		if (o->parent == f->parent && i != 0 && f->sfi &&
		    o->sfi == f->sfi)
			return "duplicate SFI in a DF";
		if (o->type == VSIM_FILE_EF && f->type == VSIM_FILE_EF &&
		    f->size && o->size &&
		    f->data_offset < o->data_offset + o->size &&
		    o->data_offset < f->data_offset + f->size)
			return "file data areas overlap";
	}
	return NULL;
}

int vsim_image_check(const void *image, size_t len, const char **why)
{
	const struct vsim_image_header *h = image;
	const struct vsim_image_file *files;
	const char *err = NULL;
	size_t need;
	u16 i;

	if (len < sizeof(*h) || len > VSIM_IMAGE_MAX_SIZE) {
		err = "image size out of range";
		goto out;
	}
	if (h->magic != VSIM_IMAGE_MAGIC) {
		err = "bad magic";
		goto out;
	}
	if (h->version != VSIM_IMAGE_VERSION ||
	    h->header_size != sizeof(*h)) {
		err = "unsupported image version";
		goto out;
	}
	if (h->total_size != len) {
		err = "total_size does not match the image length";
		goto out;
	}
	if (h->flags || h->reserved0 || h->reserved1) {
		err = "unknown flags or reserved fields set";
		goto out;
	}
	if (h->atr_len < 2 || h->atr_len > VSIM_ATR_MAX ||
	    (h->atr[0] != 0x3b && h->atr[0] != 0x3f)) {
		err = "ATR must start with 3B or 3F and be 2..33 bytes";
		goto out;
	}
	if (h->sqn_ind_bits > 5) {
		err = "sqn_ind_bits must be 0..5";
		goto out;
	}
	if (!h->file_count || h->file_count > VSIM_IMAGE_MAX_FILES ||
	    h->data_size > VSIM_IMAGE_MAX_DATA) {
		err = "file count or data size out of range";
		goto out;
	}
	need = sizeof(*h) + (size_t)h->file_count * sizeof(*files) +
	       h->data_size;
	if (need != len) {
		err = "file table and data do not add up to the image";
		goto out;
	}
	for (i = 0; i < VSIM_PIN_COUNT && !err; i++)
		err = check_pin(&h->pins[i], i);
	if (!err)
		err = vsim_binding_check_config(&h->binding);
	if (!err)
		err = vsim_suci_check_config(&h->suci);
	if (err)
		goto out;
	files = (const void *)(h + 1);
	for (i = 0; i < h->file_count && !err; i++)
		err = check_file(&files[i], i, files, h->data_size);
	/* BER-TLV bodies once every file lies inside the data area */
	for (i = 0; i < h->file_count && !err; i++)
		if (files[i].type == VSIM_FILE_EF &&
		    files[i].structure == VSIM_EF_BER_TLV)
			err = vsim_bertlv_check((const u8 *)(files +
							      h->file_count) +
						files[i].data_offset,
						files[i].size);
out:
	if (why)
		*why = err;
	return err ? -EINVAL : 0;
}

int vsim_card_init(struct vsim_card *c, size_t size, const void *image,
		   size_t len, const struct vsim_card_ops *ops, void *priv,
		   const char **why)
{
	const struct vsim_image_header *h = image;
	const struct vsim_image_file *files;
	u16 i;
	int ret;

	if (size < card_bytes(0)) {
		if (why)
			*why = "card memory smaller than vsim_card_size()";
		return -EINVAL;
	}
	/* vsim_card_wipe() is safe from here on, whatever happens next */
	memset(c, 0, card_bytes(0));
	ret = vsim_image_check(image, len, why);
	if (ret)
		return ret;
	if (size < card_bytes(h->data_size)) {
		if (why)
			*why = "card memory smaller than vsim_card_size()";
		return -EINVAL;
	}
	memset(c, 0, card_bytes(h->data_size));
	c->ops = ops;
	c->priv = priv;
	ret = ops->aes128_setkey(priv, h->k);
	if (ret) {
		if (why)
			*why = "AES key setup failed";
		return ret;
	}
	c->milenage.aes = ops->aes128_encrypt;
	c->milenage.aes_ctx = priv;
	memcpy(c->milenage.opc, h->opc, 16);
	c->sqn_policy.ind_bits = h->sqn_ind_bits;
	c->sqn_policy.delta = h->sqn_delta;
	c->sqn_policy.limit = h->sqn_limit;
	c->suci = h->suci;
	c->atr_len = h->atr_len;
	memcpy(c->atr, h->atr, h->atr_len);

	files = (const void *)(h + 1);
	c->file_count = h->file_count;
	c->st.magic = VSIM_STATE_MAGIC;
	c->st.version = VSIM_STATE_VERSION;
	c->st.data_size = h->data_size;
	c->st.file_count = h->file_count;
	for (i = 0; i < h->file_count; i++) {
		const struct vsim_image_file *in = &files[i];
		struct vsim_file *f = &c->files[i];

		f->fid = in->fid;
		f->parent = in->parent;
		f->type = in->type;
		f->structure = in->structure;
		f->sfi = in->sfi;
		f->flags = in->flags;
		f->arr_fid = in->arr_fid;
		f->arr_record = in->arr_record;
		f->record_length = in->record_length;
		f->size = in->size;
		f->data_offset = in->data_offset;
		f->aid_len = in->aid_len;
		memcpy(f->aid, in->aid, in->aid_len);
		c->st.lcsi[i] = (in->flags & VSIM_FILE_F_DEACTIVATED) ?
				VSIM_LCSI_DEACTIVATED : VSIM_LCSI_ACTIVATED;
	}
	memcpy(c->st.data, (const u8 *)(files + h->file_count), h->data_size);
	c->st.binding.cfg = h->binding;
	vsim_binding_init(c);
	vsim_fs_reset_channel(c, &c->host.channels[0]);
	c->host.channels[0].open = true;
	for (i = 0; i < VSIM_PIN_COUNT; i++) {
		const struct vsim_image_pin *in = &h->pins[i];
		struct vsim_pin_state *p = &c->st.pins[i];

		memcpy(p->value, in->value, 8);
		memcpy(p->puk, in->puk, 8);
		p->max_tries = in->max_tries;
		p->tries = in->max_tries;
		p->puk_max_tries = in->puk_max_tries;
		p->puk_tries = in->puk_max_tries;
		p->flags = in->flags;
	}
	return 0;
}

void vsim_card_wipe(struct vsim_card *c)
{
	/* load_state() keeps data_size: it is the image's, always */
	vsim_wipe(c, card_bytes(c->st.data_size));
}

static size_t state_len(const struct vsim_card *c)
{
	return offsetof(struct vsim_durable, data) + c->st.data_size;
}

const u8 *vsim_card_state(const struct vsim_card *c, size_t *len)
{
	*len = state_len(c);
	return (const u8 *)&c->st;
}

int vsim_card_load_state(struct vsim_card *c, const void *blob, size_t len)
{
	const struct vsim_durable *in = blob;
	u16 i;

	if (len != state_len(c) || in->magic != VSIM_STATE_MAGIC ||
	    in->version != VSIM_STATE_VERSION ||
	    in->data_size != c->st.data_size ||
	    in->file_count != c->st.file_count)
		return -EINVAL;
	/* A blob that could not come from this card is refused whole. */
	for (i = 0; i < VSIM_PIN_COUNT; i++) {
		const struct vsim_pin_state *p = &in->pins[i];

		if (p->tries > p->max_tries || p->puk_tries > p->puk_max_tries ||
		    p->max_tries != c->st.pins[i].max_tries ||
		    p->puk_max_tries != c->st.pins[i].puk_max_tries)
			return -EINVAL;
	}
	if (vsim_binding_check_config(&in->binding.cfg) ||
	    in->binding.bound > 1 || in->binding.imsi_saved > 1)
		return -EINVAL;
	for (i = 0; i < c->file_count; i++) {
		const struct vsim_file *f = &c->files[i];

		if (in->lcsi[i] != VSIM_LCSI_ACTIVATED &&
		    in->lcsi[i] != VSIM_LCSI_DEACTIVATED)
			return -EINVAL;
		if (f->structure == VSIM_EF_CYCLIC &&
		    in->cyclic_head[i] >= f->size / f->record_length)
			return -EINVAL;
		/* the engine walks these bodies: they must parse */
		if (f->type == VSIM_FILE_EF && f->structure == VSIM_EF_BER_TLV &&
		    vsim_bertlv_check(in->data + f->data_offset, f->size))
			return -EINVAL;
	}
	memcpy(&c->st, blob, len);
	return 0;
}

/*
 * Every change to durable state goes through here: the host commits the
 * new bytes first, and only then does the card's memory change.
 */
int vsim_persist(struct vsim_card *c, void *dst, const void *src, u32 len)
{
	struct vsim_persist rec = {
		.offset = (u32)((u8 *)dst - (u8 *)&c->st),
		.len = len,
		.data = src,
	};
	int ret = 0;

	if (c->ops->persist)
		ret = c->ops->persist(c->priv, &rec);
	if (!ret)
		memmove(dst, src, len);
	return ret;
}

size_t vsim_card_power_on(struct vsim_card *c, u8 *atr, size_t max)
{
	u8 i;

	c->slow_pending = false;
	vsim_wipe(&c->term, sizeof(c->term));
	c->terminal_profile_len = 0;
	vsim_cat_reset(c);
	vsim_binding_power_on(c);
	vsim_uicc_power_on(c);
	for (i = 0; i < VSIM_CHANNELS; i++)
		c->term.channels[i].open = i == 0;
	vsim_fs_reset_channel(c, &c->term.channels[0]);
	c->powered = true;
	if (max > c->atr_len)
		max = c->atr_len;
	memcpy(atr, c->atr, max);
	return max;
}

void vsim_card_power_off(struct vsim_card *c)
{
	c->slow_pending = false;
	c->powered = false;
	c->term.verified = 0;
	c->term.kept_len = 0;
	c->term.kept_off = 0;
	vsim_wipe(c->term.kept, sizeof(c->term.kept));
}

bool vsim_card_powered(const struct vsim_card *c)
{
	return c->powered;
}

void vsim_card_get_stats(const struct vsim_card *c, struct vsim_card_stats *st)
{
	*st = c->stats;
}
