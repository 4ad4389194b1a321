// SPDX-License-Identifier: GPL-2.0
/*
 * Pack mode: move the target's live order-0 anonymous pages next to each
 * other physically, into 2 MiB blocks allocated for the purpose, so that
 * n live pages end up in about ceil(n / 512) frames without the bloat of a
 * hugepage.
 *
 * The covered memory is visited in address order, KC_PACK_BATCH pages of
 * address space per mmap_read_lock() hold; every stop reason is checked
 * between batches. A batch is first read from the page tables without
 * locks (as the measurement does) to decide, page by page, what moves and
 * what stays and why. The pages to move are then handed to the exported
 * device-migration API (see compat.h), which locks and unmaps them,
 * refuses the ones with unexpected references, and remaps everything after
 * the copy. Destination pages come from order-9 blocks split into order-0
 * pages, each block filled before the next is allocated; what is left of
 * the last one goes back to the allocator at the end.
 *
 * A page stays on its NUMA node: each node has its own blocks, allocated
 * on that node only (__GFP_THISNODE), and a run of pages handed to the
 * migration is all on one node. So a target bound to a node (mbind,
 * cpuset.mems) keeps its memory there, and a node without a free block
 * leaves its pages where they are (counted as busy) rather than moving
 * them to another. With HOT_FIRST, each node has two streams of blocks,
 * one for the pages accessed since the last clear (young) and one for the
 * others: a destination is a (node, stream) pair, its "key".
 */
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <uapi/linux/kcollapse.h>
#include <kunit/visibility.h>
#include "collapse.h"
#include "compat.h"
#include "frames.h"
#include "pack.h"
#include "run.h"
#include "testing.h"
#include "window.h"

/*
 * Movable like the pages they replace; a failure is counted, not retried.
 * With the target's mmap lock held a block is only taken if one is free
 * (KC_PACK_GFP_LOCKED: kswapd is woken, nobody waits for reclaim or
 * compaction); otherwise the hold ends, the block is allocated with
 * KC_PACK_GFP, and the batch is read again under a new hold. So the
 * target's faults never wait behind our reclaim (on 6.1, with no per-VMA
 * locks, they would: a writer queued behind our read lock blocks them).
 */
#define KC_PACK_GFP	(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN | __GFP_NORETRY | \
			 __GFP_THISNODE)
#define KC_PACK_GFP_LOCKED	(KC_PACK_GFP & ~__GFP_DIRECT_RECLAIM)
/*
 * After a failed block allocation, this many batches that need a block do
 * not try (their pages are left, as busy): under pressure, each attempt
 * costs a round of compaction.
 */
#define KC_PACK_ALLOC_BACKOFF	16

/* What the page-table read decided for one page of a batch. */
enum kc_plan {
	KC_PLAN_NONE,		/* no page: hole, swap entry, zero page */
	KC_PLAN_LEFT,		/* stays; counted by cause */
	KC_PLAN_MOVE,
	KC_PLAN_MOVE_REFS,	/* to move, but it had extra references */
};

struct kc_dest {
	struct page *block;	/* split into order-0 pages; NULL: none */
	unsigned int used;	/* pages of @block handed out */
};

/* Destination streams: all pages, or with HOT_FIRST the cold ones; hot. */
#define KC_STREAM_COLD	0
#define KC_STREAM_HOT	1
#define KC_STREAMS	2

static int kc_key(int nid, int stream)
{
	return nid * KC_STREAMS + stream;
}

static int kc_key_nid(int key)
{
	return key / KC_STREAMS;
}

/* The blocks of one destination key. */
struct kc_dest_set {
	struct kc_dest cur;	/* the block being filled */
	struct kc_dest spare;	/* the next one, allocated ahead */
	unsigned int backoff;	/* batches left before the next attempt */
};

/* One NUMA node's dense rule (kc_pack_keep_min()). */
struct kc_node_rule {
	unsigned long keep_min;	/* frames with this many pages are dense */
	unsigned long keep_hot;	/* HOT_FIRST: ... with this many hot pages */
};

static bool kc_plan_moves(u8 plan)
{
	return plan == KC_PLAN_MOVE || plan == KC_PLAN_MOVE_REFS;
}

struct kc_pack {
	struct kc_run *run;
	struct kc_pack_stats *st;
	bool locked_movable;	/* mlock()ed memory may move (compat.h) */
	bool locked_vma;	/* the batch is in a VM_LOCKED VMA */
	bool hot_first;		/* young pages in the hot stream */
	int refill;		/* key needing a block, allocated unlocked */
	bool again;		/* the batch at again_addr is read again */
	unsigned long again_addr;
	struct kc_node_rule *rules;	/* nr_node_ids of them */
	struct kc_dest_set *dests;	/* by key: nr_node_ids * KC_STREAMS */
	unsigned long src[KC_PACK_BATCH];
	unsigned long dst[KC_PACK_BATCH];
	u8 plan[KC_PACK_BATCH];
	u16 key[KC_PACK_BATCH];	/* the destination of each page to move */
};

unsigned int kc_pack_keep_min(const u64 *hist, u64 *kept)
{
	u64 moved = 0, k = 0, total, best_total;
	unsigned int c, t, best = KC_PACK_BLOCK_PAGES + 1;

	for (c = 1; c <= KC_PACK_BLOCK_PAGES; c++)
		moved += (u64)c * hist[c];
	best_total = DIV_ROUND_UP_ULL(moved, KC_PACK_BLOCK_PAGES);
	*kept = 0;
	/* On a tie, keeping more frames moves fewer pages. */
	for (t = KC_PACK_BLOCK_PAGES; t >= 1; t--) {
		k += hist[t];
		moved -= (u64)t * hist[t];
		total = k + DIV_ROUND_UP_ULL(moved, KC_PACK_BLOCK_PAGES);
		if (total < best_total || (total == best_total && k > *kept)) {
			best_total = total;
			best = t;
			*kept = k;
		}
	}
	return best;
}
EXPORT_SYMBOL_IF_KUNIT(kc_pack_keep_min);

unsigned int kc_pack_blocks_needed(unsigned int used, unsigned int want)
{
	unsigned int room = KC_PACK_BLOCK_PAGES - min(used, KC_PACK_BLOCK_PAGES);

	if (want <= room)
		return 0;
	return DIV_ROUND_UP(want - room, KC_PACK_BLOCK_PAGES);
}
EXPORT_SYMBOL_IF_KUNIT(kc_pack_blocks_needed);

/*
 * The node a frame of the target's lies on: that of its first page (a
 * hint if that page is a hole; node boundaries are far coarser than 2 MiB).
 */
static int kc_frame_nid(unsigned long frame)
{
	unsigned long pfn = frame << (PMD_SHIFT - PAGE_SHIFT);

	return pfn_valid(pfn) ? page_to_nid(pfn_to_page(pfn)) :
				first_online_node;
}

/*
 * kc_pack_keep_min() over node @nid's frames in the before set, counting
 * each frame's pages, or its hot pages if @hot; adds the frames kept to
 * the statistics. @hist: KC_PACK_BLOCK_PAGES + 1 entries, any content.
 */
static unsigned long kc_pack_node_rule(struct kc_pack *pk, int nid, bool hot,
				       u64 *hist)
{
	struct kc_frame_set *set = pk->run->before;
	unsigned long frame, c;
	unsigned int t;
	void *entry;
	u64 kept;

	memset(hist, 0, (KC_PACK_BLOCK_PAGES + 1) * sizeof(*hist));
	xa_for_each(&set->frames, frame, entry) {
		if (kc_frame_nid(frame) != nid)
			continue;
		c = hot ? kc_frames_entry_hot(entry) :
			  kc_frames_entry_pages(entry);
		hist[min_t(unsigned long, c, KC_PACK_BLOCK_PAGES)]++;
	}
	t = kc_pack_keep_min(hist, &kept);
	pk->st->dense_frames += kept;
	return t;
}

/*
 * The dense rule's thresholds, from the frames measured before, node by
 * node: pages never leave their node, so frames merge only within one.
 * With HOT_FIRST a second rule over the frames' hot pages decides for the
 * hot ones: they stay only in a frame that moving them would not help.
 */
static int kc_pack_density(struct kc_pack *pk)
{
	u64 *hist;
	int nid;

	hist = kcalloc(KC_PACK_BLOCK_PAGES + 1, sizeof(*hist), GFP_KERNEL);
	if (!hist)
		return -ENOMEM;
	for_each_online_node(nid) {
		pk->rules[nid].keep_min = kc_pack_node_rule(pk, nid, false, hist);
		if (pk->hot_first)
			pk->rules[nid].keep_hot =
				kc_pack_node_rule(pk, nid, true, hist);
		cond_resched();
	}
	kfree(hist);
	return 0;
}

/* Pages of @d's block not handed out yet; 0 without a block. */
static unsigned int kc_dest_room_left(const struct kc_dest *d)
{
	return d->block ? KC_PACK_BLOCK_PAGES - d->used : 0;
}

/*
 * A new block for @key in @d, on its node. Without reclaim (@gfp
 * KC_PACK_GFP_LOCKED) a failure is not one: the caller gets one with
 * reclaim, unlocked, instead.
 */
static bool kc_dest_new(struct kc_pack *pk, int key, struct kc_dest *d,
			gfp_t gfp)
{
	struct page *block = NULL;

	if (!READ_ONCE(kc_testing.pack_alloc_fail) &&
	    !(gfp == KC_PACK_GFP_LOCKED &&
	      READ_ONCE(kc_testing.pack_alloc_locked_fail)))
		block = alloc_pages_node(kc_key_nid(key), gfp,
					 KC_PACK_BLOCK_ORDER);
	if (!block && !(gfp & __GFP_DIRECT_RECLAIM))
		return false;
	if (!block) {
		pk->st->alloc_failed++;
		pk->dests[key].backoff = KC_PACK_ALLOC_BACKOFF - 1;
		return false;
	}
	split_page(block, KC_PACK_BLOCK_ORDER);
	d->block = block;
	d->used = 0;
	pk->st->dest_frames++;
	return true;
}

/*
 * With the lock held, before any source page is locked: room for @want
 * pages at @key, or false if a block is needed that only reclaim could
 * provide (pk->refill: the caller ends the hold and comes back). In the
 * backoff after a failed allocation, whatever room there is.
 */
static bool kc_dest_ready(struct kc_pack *pk, int key, unsigned int want)
{
	struct kc_dest_set *nd = &pk->dests[key];
	unsigned int used = KC_PACK_BLOCK_PAGES - kc_dest_room_left(&nd->cur);

	if (!kc_pack_blocks_needed(used, want) || nd->spare.block)
		return true;
	if (nd->backoff) {
		nd->backoff--;
		return true;
	}
	if (kc_dest_new(pk, key, &nd->spare, KC_PACK_GFP_LOCKED))
		return true;
	pk->refill = key;
	return false;
}

/*
 * kc_dest_ready() for each destination the pages planned to move in
 * [@first, @last] of the batch go to; each is asked once, for all of its
 * pages.
 */
static bool kc_dest_ready_batch(struct kc_pack *pk, unsigned long first,
				unsigned long last)
{
	unsigned long i, j;
	unsigned int want;

	for (i = first; i <= last; i++) {
		if (!kc_plan_moves(pk->plan[i]))
			continue;
		for (j = first; j < i; j++)
			if (kc_plan_moves(pk->plan[j]) &&
			    pk->key[j] == pk->key[i])
				break;
		if (j < i)
			continue;	/* that destination was asked */
		want = 0;
		for (j = i; j <= last; j++)
			want += kc_plan_moves(pk->plan[j]) &&
				pk->key[j] == pk->key[i];
		if (!kc_dest_ready(pk, pk->key[i], want))
			return false;
	}
	return true;
}

/* Pages that can be moved to @key now: @want, or the room left. */
static unsigned int kc_dest_room(struct kc_pack *pk, int key,
				 unsigned int want)
{
	struct kc_dest_set *nd = &pk->dests[key];

	if (nd->spare.block)
		return want;
	return min(want, kc_dest_room_left(&nd->cur));
}

static struct page *kc_dest_take(struct kc_pack *pk, int key)
{
	struct kc_dest_set *nd = &pk->dests[key];

	if (!kc_dest_room_left(&nd->cur)) {
		if (!nd->spare.block)
			return NULL;
		nd->cur = nd->spare;
		nd->spare.block = NULL;
	}
	return nd->cur.block + nd->cur.used++;
}

static void kc_dest_free(struct kc_dest *d)
{
	if (!d->block)
		return;
	while (d->used < KC_PACK_BLOCK_PAGES)
		__free_page(d->block + d->used++);
	d->block = NULL;
}

/*
 * Whether @page's frame is dense: for a @hot page with HOT_FIRST, dense
 * with hot pages; otherwise dense with pages.
 */
static bool kc_pack_dense(struct kc_pack *pk, struct page *page, bool hot)
{
	unsigned long frame = kc_pfn_frame(page_to_pfn(page));
	const struct kc_node_rule *rule = &pk->rules[page_to_nid(page)];

	if (hot)
		return kc_frames_hot(pk->run->before, frame) >= rule->keep_hot;
	return kc_frames_pages(pk->run->before, frame) >= rule->keep_min;
}

/* Why @page must stay, or KC_LEFT_MAX if it may move. Racy reads: a hint. */
static enum kc_left kc_pack_why_left(struct kc_pack *pk, struct page *page,
				     bool hot)
{
	if (PageCompound(page))
		return KC_LEFT_THP;
	if (!PageAnon(page) || is_zone_device_page(page))
		return KC_LEFT_BUSY;
	/* not exclusively mapped: copy-on-write after fork, or KSM */
	if (folio_test_ksm(page_folio(page)) || !PageAnonExclusive(page))
		return KC_LEFT_SHARED;
	if (folio_maybe_dma_pinned(page_folio(page)))
		return KC_LEFT_PINNED;
	if (kc_pack_dense(pk, page, hot))
		return KC_LEFT_DENSE;
	/* as the kernel's compaction: vm.compact_unevictable_allowed */
	if (pk->locked_vma && !pk->locked_movable)
		return KC_LEFT_LOCKED;
	return KC_LEFT_MAX;
}

/*
 * What to do with the page @pte maps, and where it would go (@key); why
 * it stays is counted in @left.
 */
static enum kc_plan kc_pack_plan_page(struct kc_pack *pk, pte_t pte,
				      unsigned int *left, u16 *key)
{
	bool hot = pk->hot_first && pte_young(pte);
	enum kc_left why = KC_LEFT_BUSY;
	struct page *page = NULL;
	unsigned long pfn;

	if (!pte_present(pte))
		return KC_PLAN_NONE;
	pfn = pte_pfn(pte);
	if (is_zero_pfn(pfn))
		return KC_PLAN_NONE;
	if (pfn_valid(pfn)) {
		page = pfn_to_page(pfn);
		why = kc_pack_why_left(pk, page, hot);
	}
	if (why != KC_LEFT_MAX) {
		left[why]++;
		return KC_PLAN_LEFT;
	}
	*key = kc_key(page_to_nid(page), hot ? KC_STREAM_HOT : KC_STREAM_COLD);
	/*
	 * More references than its one mapping: pinned by a reference (a
	 * pipe, I/O) or only sitting in a per-CPU LRU batch, which the
	 * migration drains. Which one it was shows if it refuses to move.
	 */
	if (page_count(page) > 1)
		return KC_PLAN_MOVE_REFS;
	return KC_PLAN_MOVE;
}

/*
 * Move the @n pages at @start, all planned to move to @key: one run of
 * consecutive ones, so that migrate_vma_setup() isolates, locks and
 * unmaps no page meant to stay (a page shared with a forked child would
 * be unmapped from the child too, and restored).
 */
static void kc_pack_move_run(struct kc_pack *pk, struct vm_area_struct *vma,
			     unsigned long start, unsigned long n,
			     const u8 *plan, int key)
{
	struct kc_migrate m;
	struct page *src, *dst;
	unsigned long i;

	if (kc_dest_room(pk, key, n) < n ||
	    kc_migrate_setup(&m, vma, start, n, pk->src, pk->dst)) {
		pk->st->left[KC_LEFT_BUSY] += n;
		return;
	}
	for (i = 0; i < n; i++) {
		src = kc_migrate_src(&m, i);
		/*
		 * Locked now: writeback cannot start (6.12 BUGs on it), and
		 * the page is the one planned unless it moved meanwhile.
		 */
		if (!src || PageCompound(src) ||
		    folio_test_writeback(page_folio(src)) ||
		    page_to_nid(src) != kc_key_nid(key))
			continue;
		dst = kc_dest_take(pk, key);
		if (!dst)
			break;
		lock_page(dst);
		copy_highpage(dst, src);
		kc_migrate_set_dst(&m, i, dst);
	}
	kc_migrate_pages(&m);
	for (i = 0; i < n; i++) {
		if (kc_migrate_moved(&m, i)) {
			pk->st->moved++;
			pk->st->bytes_copied += PAGE_SIZE;
		} else if (plan[i] == KC_PLAN_MOVE_REFS) {
			pk->st->left[KC_LEFT_PINNED]++;
		} else {
			pk->st->left[KC_LEFT_BUSY]++;
		}
	}
	kc_migrate_finalize(&m);
}

/*
 * Move the pages planned to move among the batch's pages @first..@last
 * (of the batch at @start), run by run: consecutive pages to one
 * destination (node, and with HOT_FIRST stream).
 */
static void kc_pack_move(struct kc_pack *pk, struct vm_area_struct *vma,
			 unsigned long start, unsigned long first,
			 unsigned long last)
{
	unsigned long i = first, j;

	while (i <= last) {
		if (!kc_plan_moves(pk->plan[i])) {
			i++;
			continue;
		}
		for (j = i + 1; j <= last && kc_plan_moves(pk->plan[j]) &&
		     pk->key[j] == pk->key[i]; j++)
			;
		kc_pack_move_run(pk, vma, start + (i << PAGE_SHIFT), j - i,
				 pk->plan + i, pk->key[i]);
		i = j;
	}
}

/*
 * One batch, [@start, @end) inside one PMD and @vma, with the mmap lock
 * held for reading. Returns true if it moved pages (or tried to), or if
 * it needs a block first (pk->refill, nothing counted): the lock hold
 * then ends, as migration and reclaim are the expensive parts.
 */
static bool kc_pack_batch(struct kc_pack *pk, struct vm_area_struct *vma,
			  unsigned long start, unsigned long end)
{
	unsigned long i, n = (end - start) >> PAGE_SHIFT, first = n, last = 0;
	unsigned int left[KC_LEFT_MAX] = {}, want = 0;
	const pte_t *pte;
	ktime_t t0;
	pmd_t pmdval;
	pmd_t *pmd;
	bool same;

	kc_assert_mmap_locked(vma->vm_mm);
	if (!vma->anon_vma)
		return false;
	pmd = kc_pmd_lookup(vma->vm_mm, start);
	if (!pmd)
		return false;
	pmdval = READ_ONCE(*pmd);
	/* empty, or a migration entry: nothing to read here now */
	if (pmd_none(pmdval) || !pmd_present(pmdval))
		return false;
	if (pmd_trans_huge(pmdval)) {
		if (!kc_pmd_huge_zero(pmdval))
			pk->st->left[KC_LEFT_THP] += n;
		return false;
	}
	if (pmd_bad(pmdval))
		return false;
	/* The plan is made inside the read: nothing in it sleeps. */
	pk->locked_vma = vma->vm_flags & VM_LOCKED;
	pte = kc_pte_map(pmd, pmdval, start);
	for (i = 0; pte && i < n; i++) {
		pk->plan[i] = kc_pack_plan_page(pk, READ_ONCE(pte[i]), left,
						&pk->key[i]);
		if (!kc_plan_moves(pk->plan[i]))
			continue;
		first = min(first, i);
		last = i;
		want++;
	}
	same = kc_pte_unmap(pmd, pmdval);
	/* the table changed under the read: a later pass may find it */
	if (!pte || !same)
		return false;
	if (want && !pk->run->req->dry_run &&
	    !kc_dest_ready_batch(pk, first, last))
		return true;
	for (i = 0; i < KC_LEFT_MAX; i++)
		pk->st->left[i] += left[i];
	if (!want)
		return false;
	if (pk->run->req->dry_run) {
		pk->st->moved += want;
		return false;
	}
	t0 = ktime_get();
	kc_pack_move(pk, vma, start, first, last);
	kc_run_time_step(pk->run, t0);
	return true;
}

static unsigned long kc_pack_batch_end(unsigned long addr, unsigned long end)
{
	unsigned long next = round_down(addr, KC_PACK_BATCH << PAGE_SHIFT) +
			     (KC_PACK_BATCH << PAGE_SHIFT);

	return next < addr || next > end ? end : next;
}

/*
 * The populated span at cur->addr of @vma, under the lock: in AUTO mode a
 * whole window is first offered to collapse; what is left is packed one
 * batch at a time. Returns false once the lock was released.
 */
static bool kc_pack_span(struct kc_pack *pk, struct kc_cursor *cur,
			 struct vm_area_struct *vma)
{
	struct kc_run *run = pk->run;
	unsigned long addr = cur->addr, e, be;
	enum kc_visit visit;
	bool again;

	e = kc_span_end(addr, min(vma->vm_end, run->req->end));
	/* a window read again after a refill was offered to collapse already */
	again = pk->again && pk->again_addr == addr;
	pk->again = false;
	if (run->req->mode == KCOLLAPSE_MODE_AUTO && !again &&
	    e - addr == KC_WINDOW_SIZE) {
		kc_cursor_charge(cur, KC_SPAN_COST);
		visit = kc_collapse_visit(run, vma, addr,
					  run->req->auto_threshold);
		if (visit != KC_VISIT_PASSED) {
			cur->addr = e;
			return visit != KC_VISIT_ATTEMPTED;
		}
	}
	/* one batch; the next one starts mid-span and is not a window */
	be = kc_pack_batch_end(addr, e);
	cur->addr = be;
	kc_cursor_charge(cur, KC_BATCH_COST);
	if (kc_pack_batch(pk, vma, addr, be)) {
		/* for a block: the same batch, read again, after the hold */
		if (pk->refill >= 0) {
			cur->addr = addr;
			pk->again = true;
			pk->again_addr = addr;
		}
		kc_run_unlock(run);
		return false;
	}
	return true;
}

static u32 kc_pack_loop(struct kc_pack *pk)
{
	struct kc_run *run = pk->run;
	struct kc_cursor cur = { .addr = run->req->start };
	kc_skip_fn skipped = NULL;
	struct vm_area_struct *vma;
	bool locked;
	u32 stop;

	/* AUTO mode counts windows, empty ones included. */
	if (run->req->mode == KCOLLAPSE_MODE_AUTO)
		skipped = kc_collapse_count_empty;
	while (cur.addr < run->req->end) {
		if (pk->refill >= 0) {
			/* unlocked: reclaim and compaction may take their time */
			kc_dest_new(pk, pk->refill,
				    &pk->dests[pk->refill].spare, KC_PACK_GFP);
			pk->refill = -1;
		}
		stop = kc_run_step(run);
		if (stop)
			return stop;
		cur.budget = kc_run_budget();
		locked = true;
		while (locked && (vma = kc_run_seek(run, &cur, skipped))) {
			locked = kc_pack_span(pk, &cur, vma);
			cond_resched();
		}
		if (locked)
			kc_run_unlock(run);
		cond_resched();
	}
	return KCOLLAPSE_STOP_DONE;
}

int kc_pack_windows(struct kc_run *run, u32 *stop)
{
	struct kc_pack *pk = kzalloc(sizeof(*pk), GFP_KERNEL);
	int err = -ENOMEM, key;

	/* pk->key[] */
	BUILD_BUG_ON(NODES_SHIFT > 15 || KC_STREAMS > 2);
	if (!pk)
		return -ENOMEM;
	pk->rules = kvcalloc(nr_node_ids, sizeof(*pk->rules), GFP_KERNEL);
	pk->dests = kvcalloc(nr_node_ids * KC_STREAMS, sizeof(*pk->dests),
			     GFP_KERNEL);
	if (!pk->rules || !pk->dests)
		goto out;
	pk->run = run;
	pk->st = &run->st->pack;
	pk->hot_first = run->req->hot_first;
	pk->refill = -1;
	pk->locked_movable = kc_unevictable_movable();
	err = kc_pack_density(pk);
	if (!err)
		*stop = kc_pack_loop(pk);
	for (key = 0; key < nr_node_ids * KC_STREAMS; key++) {
		kc_dest_free(&pk->dests[key].cur);
		kc_dest_free(&pk->dests[key].spare);
	}
out:
	kvfree(pk->dests);
	kvfree(pk->rules);
	kfree(pk);
	return err;
}
