/*
 * cpu_bound.c - CPU-bound integer workloads for interpreter benchmarks:
 * bitwise CRC-32, insertion sort and a small hash table, REPS times.
 * Freestanding: no libc.  Returns a checksum (in x1 at power-off).
 */
#include <stdint.h>

#ifndef REPS
#define REPS 1
#endif

static uint32_t crc32_bitwise(const uint8_t *p, unsigned n)
{
	uint32_t crc = ~0u;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

static void insertion_sort(uint32_t *a, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint32_t v = a[i];
		unsigned j = i;
		while (j > 0 && a[j - 1] > v) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = v;
	}
}

static uint64_t hash_probe(uint64_t *table, unsigned size, uint64_t seed)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < size * 4; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		unsigned slot = (unsigned)(seed >> 33) & (size - 1);
		table[slot] += seed;
		sum ^= table[(slot * 7) & (size - 1)];
	}
	return sum;
}

static uint8_t buf[4096];
static uint32_t arr[600];
static uint64_t table[1024];

uint64_t main(void)
{
	uint64_t check = 0;
	for (unsigned r = 0; r < REPS; r++) {
		for (unsigned i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)(i * 31 + r);
		check += crc32_bitwise(buf, sizeof(buf));
		uint32_t x = 12345 + r;
		for (unsigned i = 0; i < 600; i++) {
			x = x * 1103515245u + 12345u;
			arr[i] = x >> 8;
		}
		insertion_sort(arr, 600);
		check += arr[0] + arr[599];
		check += hash_probe(table, 1024, r);
	}
	return check;
}
