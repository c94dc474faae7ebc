/*
 * memmap.c - the guest physical memory map: sorted, non-overlapping IPA
 * regions, split on partial unmap/protect.
 */
#include "memmap.h"

#include <stdlib.h>
#include <string.h>

void hv_memmap_init(struct hv_memmap *map)
{
	memset(map, 0, sizeof(*map));
}

void hv_memmap_free(struct hv_memmap *map)
{
	free(map->regions);
	memset(map, 0, sizeof(*map));
}

/* Index of the first region whose end is above ipa. */
static size_t lower_bound(const struct hv_memmap *map, uint64_t ipa)
{
	size_t lo = 0, hi = map->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct hv_mem_region *r = &map->regions[mid];
		if (r->ipa + r->size <= ipa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int reserve(struct hv_memmap *map, size_t extra)
{
	if (map->count + extra <= map->capacity)
		return 0;
	size_t cap = map->capacity ? map->capacity * 2 : 16;
	while (cap < map->count + extra)
		cap *= 2;
	struct hv_mem_region *n = realloc(map->regions, cap * sizeof(*n));
	if (!n)
		return -1;
	map->regions = n;
	map->capacity = cap;
	return 0;
}

static void insert_at(struct hv_memmap *map, size_t i, struct hv_mem_region r)
{
	memmove(&map->regions[i + 1], &map->regions[i], (map->count - i) * sizeof(r));
	map->regions[i] = r;
	map->count++;
}

static void remove_at(struct hv_memmap *map, size_t i)
{
	memmove(&map->regions[i], &map->regions[i + 1], (map->count - i - 1) * sizeof(map->regions[0]));
	map->count--;
}

int hv_memmap_add(struct hv_memmap *map, uint64_t ipa, uint64_t size, void *host, uint64_t flags)
{
	if (size == 0 || ipa + size < ipa)
		return -1;
	size_t i = lower_bound(map, ipa);
	if (i < map->count && map->regions[i].ipa < ipa + size)
		return -1; /* overlaps */
	if (reserve(map, 1))
		return -1;
	insert_at(map, i, (struct hv_mem_region){ ipa, size, host, flags });
	return 0;
}

/* Splits regions so that ipa and ipa+size are region boundaries. */
static int split_at(struct hv_memmap *map, uint64_t addr)
{
	size_t i = lower_bound(map, addr);
	if (i >= map->count)
		return 0;
	struct hv_mem_region *r = &map->regions[i];
	if (r->ipa >= addr)
		return 0;
	if (reserve(map, 1))
		return -1;
	r = &map->regions[i];
	struct hv_mem_region tail = *r;
	uint64_t head_size = addr - r->ipa;
	tail.ipa = addr;
	tail.size = r->size - head_size;
	tail.host = r->host + head_size;
	r->size = head_size;
	insert_at(map, i + 1, tail);
	return 0;
}

int hv_memmap_covers(const struct hv_memmap *map, uint64_t ipa, uint64_t size)
{
	uint64_t end = ipa + size;
	size_t i = lower_bound(map, ipa);
	uint64_t cur = ipa;
	for (; i < map->count && cur < end; i++) {
		const struct hv_mem_region *r = &map->regions[i];
		if (r->ipa > cur)
			return 0;
		cur = r->ipa + r->size;
	}
	return cur >= end;
}

int hv_memmap_remove(struct hv_memmap *map, uint64_t ipa, uint64_t size)
{
	if (size == 0 || ipa + size < ipa)
		return -1;
	size_t i = lower_bound(map, ipa);
	if (i >= map->count || map->regions[i].ipa >= ipa + size)
		return -1; /* nothing mapped there */
	if (split_at(map, ipa) || split_at(map, ipa + size))
		return -1;
	i = lower_bound(map, ipa);
	while (i < map->count && map->regions[i].ipa < ipa + size)
		remove_at(map, i);
	return 0;
}

int hv_memmap_protect(struct hv_memmap *map, uint64_t ipa, uint64_t size, uint64_t flags)
{
	if (size == 0 || ipa + size < ipa || !hv_memmap_covers(map, ipa, size))
		return -1;
	if (split_at(map, ipa) || split_at(map, ipa + size))
		return -1;
	for (size_t i = lower_bound(map, ipa); i < map->count && map->regions[i].ipa < ipa + size; i++)
		map->regions[i].flags = flags;
	return 0;
}

const struct hv_mem_region *hv_memmap_find(const struct hv_memmap *map, uint64_t ipa)
{
	size_t i = lower_bound(map, ipa);
	if (i < map->count && map->regions[i].ipa <= ipa)
		return &map->regions[i];
	return NULL;
}

int hv_memmap_clone(struct hv_memmap *dst, const struct hv_memmap *src)
{
	hv_memmap_init(dst);
	if (reserve(dst, src->count ? src->count : 1))
		return -1;
	memcpy(dst->regions, src->regions, src->count * sizeof(src->regions[0]));
	dst->count = src->count;
	return 0;
}
