/*
 * hvc_image.h - the skeleton of a guest RAM image for tests that run
 * generated code (tests/test_jit.c, fuzz/support/a64_guest.c): every word
 * an HVC, so a stray jump reports itself, and an EL1 vector table whose
 * entry k reports HVC #(0xF000 + k).
 */
#ifndef HVC_IMAGE_H
#define HVC_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define HVC_INSN(imm) (0xd4000002u | ((uint32_t)(imm) << 5))
#define HVC_VECTOR(k) (0xF000u + (k))

/* Fills size bytes of image with HVC #filler and writes the 16 vector
 * entries at vec_off (0x80-byte apart, as VBAR_EL1 expects). */
void hvc_image_fill(uint8_t *image, size_t size, uint16_t filler, size_t vec_off);

#endif /* HVC_IMAGE_H */
