/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pack mode: move the target's live 4 KiB pages into as few 2 MiB physical
 * frames as possible, without hugepages (see the uapi header's "Modes").
 */
#ifndef _KCOLLAPSE_PACK_H
#define _KCOLLAPSE_PACK_H

#include <linux/types.h>

struct kc_run;

/* Pages of address space handled per lock hold; stops are checked between. */
#define KC_PACK_BATCH		128
/* Destination blocks: one 2 MiB frame of order-0 pages. */
#define KC_PACK_BLOCK_ORDER	9
#define KC_PACK_BLOCK_PAGES	512U	/* 1 << KC_PACK_BLOCK_ORDER */

/*
 * Visit the covered eligible memory batch by batch, packing (PACK mode) or
 * collapsing dense windows and packing the rest (AUTO mode), with the
 * frames of run->before as the density input. Sets *@stop to why it
 * stopped. Returns 0 or -ENOMEM.
 */
int kc_pack_windows(struct kc_run *run, u32 *stop);

/*
 * The dense rule. @hist[c] is the number of frames holding c of the
 * target's pages (c = 1..KC_PACK_BLOCK_PAGES; @hist[0] is ignored).
 * Returns the threshold t (1..KC_PACK_BLOCK_PAGES + 1, the latter keeping
 * nothing) such that keeping the frames with at least t pages and moving
 * the pages of the others ends with the fewest frames, and among those
 * the fewest pages moved (the highest such t); *@kept gets the number of
 * frames kept.
 */
unsigned int kc_pack_keep_min(const u64 *hist, u64 *kept);

/*
 * Block-filling arithmetic: with @used pages of the current block taken
 * (KC_PACK_BLOCK_PAGES if there is none), how many new blocks @want more
 * pages need.
 */
unsigned int kc_pack_blocks_needed(unsigned int used, unsigned int want);

#endif /* _KCOLLAPSE_PACK_H */
