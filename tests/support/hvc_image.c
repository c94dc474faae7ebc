/* hvc_image.c - a guest image of HVCs with reporting vectors (hvc_image.h). */
#include "hvc_image.h"

#include <string.h>

static void put32(uint8_t *image, size_t off, uint32_t w)
{
	memcpy(image + off, &w, 4);
}

void hvc_image_fill(uint8_t *image, size_t size, uint16_t filler, size_t vec_off)
{
	for (size_t off = 0; off + 4 <= size; off += 4)
		put32(image, off, HVC_INSN(filler));
	for (unsigned k = 0; k < 16; k++)
		if (vec_off + 0x80u * k + 4 <= size)
			put32(image, vec_off + 0x80u * k, HVC_INSN(HVC_VECTOR(k)));
}
