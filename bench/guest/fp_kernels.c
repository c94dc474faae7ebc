/*
 * fp_kernels.c - FP and Advanced SIMD workloads for the interpreter
 * (compiled with -O3 so gcc vectorises them): single-precision matrix
 * multiply, double dot product and axpy, int16 widening multiply-
 * accumulate, uint8 saturating add, byte case conversion, a strlen and a
 * memcpy loop, int/float conversions, sqrt and min/max, REPS times.
 * Freestanding (no libc); the guest runs with the MMU off, so it is built
 * with -mstrict-align (Device memory faults on unaligned accesses).
 * Returns a checksum of every result (printed by fp_start.S).
 */
#include <stddef.h>
#include <stdint.h>

#ifndef REPS
#define REPS 1
#endif

#define N 48

static float ma[N][N], mb[N][N], mc[N][N];
static double da[1024], db[1024];
static int16_t sa[1024], sb[1024];
static int32_t sacc[1024];
static uint8_t ua[4096], ub[4096], uc[4096];
static char text[4096];
static uint8_t copy_dst[4096];
static float fx[1024];
static int32_t ix[1024];

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h;
}

static uint32_t fbits(float f)
{
	union { float f; uint32_t u; } u = { f };
	return u.u;
}

static uint64_t dbits(double d)
{
	union { double d; uint64_t u; } u = { d };
	return u.u;
}

__attribute__((noinline)) static void matmul(void)
{
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++)
			mc[i][j] = 0.0f;
	for (int i = 0; i < N; i++)
		for (int k = 0; k < N; k++) {
			float a = ma[i][k];
			for (int j = 0; j < N; j++)
				mc[i][j] += a * mb[k][j];
		}
}

__attribute__((noinline)) static double dot(const double *x, const double *y, int n)
{
	double s = 0;
	for (int i = 0; i < n; i++)
		s += x[i] * y[i];
	return s;
}

__attribute__((noinline)) static void axpy(double a, const double *x, double *y, int n)
{
	for (int i = 0; i < n; i++)
		y[i] = a * x[i] + y[i];
}

__attribute__((noinline)) static void mac16(void)
{
	for (int i = 0; i < 1024; i++)
		sacc[i] += (int32_t)sa[i] * sb[i];
}

__attribute__((noinline)) static void satadd(void)
{
	for (int i = 0; i < 4096; i++) {
		unsigned s = ua[i] + ub[i];
		uc[i] = s > 255 ? 255 : (uint8_t)s;
	}
}

__attribute__((noinline)) static void upcase(char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] >= 'a' && s[i] <= 'z')
			s[i] = (char)(s[i] - 32);
}

__attribute__((noinline)) static size_t my_strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

__attribute__((noinline)) static void my_memcpy(uint8_t *d, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}

__attribute__((noinline)) static void conv(void)
{
	for (int i = 0; i < 1024; i++)
		ix[i] = (int32_t)(fx[i] * 3.5f);
	for (int i = 0; i < 1024; i++)
		fx[i] = (float)ix[i] * 0.25f + __builtin_sqrtf((float)(i & 255));
}

__attribute__((noinline)) static int32_t imax(const int32_t *x, int n)
{
	int32_t m = x[0];
	for (int i = 1; i < n; i++)
		m = x[i] > m ? x[i] : m;
	return m;
}

__attribute__((noinline)) static uint32_t usum(const uint8_t *x, int n)
{
	uint32_t s = 0;
	for (int i = 0; i < n; i++)
		s += x[i];
	return s;
}

uint64_t main(void)
{
	uint64_t h = 0;
	uint32_t seed = 1;
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++) {
			seed = seed * 1103515245u + 12345u;
			ma[i][j] = (float)(int)(seed >> 16) / 4096.0f - 8.0f;
			seed = seed * 1103515245u + 12345u;
			mb[i][j] = (float)(int)(seed >> 16) / 65536.0f;
		}
	for (int i = 0; i < 1024; i++) {
		da[i] = (double)i / 7.0;
		db[i] = 1.0 / (double)(i + 1);
		sa[i] = (int16_t)(i * 37 - 9000);
		sb[i] = (int16_t)(i * 11 + 3);
		fx[i] = (float)i * 0.37f - 100.0f;
	}
	for (int i = 0; i < 4096; i++) {
		ua[i] = (uint8_t)(i * 7);
		ub[i] = (uint8_t)(i * 13 + 5);
		text[i] = (char)(' ' + (i * 11) % 95);
	}
	text[4095] = 0;
	text[3000 + (seed & 511)] = 0;
	for (int r = 0; r < REPS; r++) {
		matmul();
		for (int i = 0; i < N; i++)
			h = mix(h, fbits(mc[i][(i * 5 + r) % N]));
		h = mix(h, dbits(dot(da, db, 1024)));
		axpy(0.5 + r, db, da, 1024);
		mac16();
		h = mix(h, (uint32_t)imax(sacc, 1024));
		satadd();
		h = mix(h, usum(uc, 4096));
		ub[r & 4095] ^= (uint8_t)r;
		upcase(text, 4000);
		h = mix(h, my_strlen(text));
		my_memcpy(copy_dst, (const uint8_t *)text, 4000 - (r & 63));
		h = mix(h, usum(copy_dst, 4096));
		text[r & 1023] = (char)('a' + (r % 26));
		conv();
		h = mix(h, (uint32_t)ix[r & 1023]);
		h = mix(h, fbits(fx[(r * 3) & 1023]));
	}
	h = mix(h, dbits(da[77]));
	return h;
}
