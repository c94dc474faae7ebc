/* fp_start.S - entry for the FP/SIMD benchmark guest: start.S with
 * FP/SIMD enabled first (QEMU's -kernel boot leaves CPACR_EL1 trapping). */
#define ENABLE_FPSIMD 1
#include "start.S"
