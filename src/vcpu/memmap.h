/*
 * memmap.h - guest physical memory map: IPA ranges backed by host memory,
 * each with R/W/X permissions.  Not thread-safe by itself (see vm.h).
 */
#ifndef HV_MEMMAP_H
#define HV_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

struct hv_mem_region {
	uint64_t ipa;
	uint64_t size;
	uint8_t *host;
	uint64_t flags; /* HV_MEMORY_READ | WRITE | EXEC */
};

struct hv_memmap {
	struct hv_mem_region *regions; /* sorted by ipa, never overlapping */
	size_t count, capacity;
};

void hv_memmap_init(struct hv_memmap *map);
void hv_memmap_free(struct hv_memmap *map);
/* 0 on success, -1 if any part of the range is already mapped or on OOM. */
int hv_memmap_add(struct hv_memmap *map, uint64_t ipa, uint64_t size, void *host, uint64_t flags);
/* Removes [ipa, ipa+size), splitting regions.  -1 if nothing was mapped. */
int hv_memmap_remove(struct hv_memmap *map, uint64_t ipa, uint64_t size);
/* Sets flags on [ipa, ipa+size); -1 unless the whole range is mapped. */
int hv_memmap_protect(struct hv_memmap *map, uint64_t ipa, uint64_t size, uint64_t flags);
/* Deep copy (for rolling back a change the backend refused); -1 on OOM. */
int hv_memmap_clone(struct hv_memmap *dst, const struct hv_memmap *src);
/* The region containing ipa, or NULL. */
const struct hv_mem_region *hv_memmap_find(const struct hv_memmap *map, uint64_t ipa);
/* 1 if the whole range [ipa, ipa+size) is mapped. */
int hv_memmap_covers(const struct hv_memmap *map, uint64_t ipa, uint64_t size);

#endif /* HV_MEMMAP_H */
