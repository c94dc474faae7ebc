/*
 * hv_sme.c - the SME calls of macOS 15.2.  Neither backend offers SME
 * (ID_AA64PFR1_EL1.SME = 0), so each returns HV_UNSUPPORTED, as the
 * framework does on hosts without SME.
 */
#include "vm.h"

hv_return_t hv_vcpu_get_sme_state(hv_vcpu_t vcpu, hv_vcpu_sme_state_t *sme_state)
{
	(void)vcpu, (void)sme_state;
	return HV_UNSUPPORTED;
}

hv_return_t hv_vcpu_set_sme_state(hv_vcpu_t vcpu, const hv_vcpu_sme_state_t *sme_state)
{
	(void)vcpu, (void)sme_state;
	return HV_UNSUPPORTED;
}

hv_return_t hv_vcpu_get_sme_z_reg(hv_vcpu_t vcpu, hv_sme_z_reg_t reg, uint8_t *value, size_t length)
{
	(void)vcpu, (void)reg, (void)value, (void)length;
	return HV_UNSUPPORTED;
}

hv_return_t hv_vcpu_set_sme_z_reg(hv_vcpu_t vcpu, hv_sme_z_reg_t reg, const uint8_t *value, size_t length)
{
	(void)vcpu, (void)reg, (void)value, (void)length;
	return HV_UNSUPPORTED;
}

hv_return_t hv_vcpu_get_sme_p_reg(hv_vcpu_t vcpu, hv_sme_p_reg_t reg, uint8_t *value, size_t length)
{
	(void)vcpu, (void)reg, (void)value, (void)length;
	return HV_UNSUPPORTED;
}

hv_return_t hv_vcpu_set_sme_p_reg(hv_vcpu_t vcpu, hv_sme_p_reg_t reg, const uint8_t *value, size_t length)
{
	(void)vcpu, (void)reg, (void)value, (void)length;
	return HV_UNSUPPORTED;
}

hv_return_t hv_vcpu_get_sme_za_reg(hv_vcpu_t vcpu, uint8_t *value, size_t length)
{
	(void)vcpu, (void)value, (void)length;
	return HV_UNSUPPORTED;
}

hv_return_t hv_vcpu_set_sme_za_reg(hv_vcpu_t vcpu, const uint8_t *value, size_t length)
{
	(void)vcpu, (void)value, (void)length;
	return HV_UNSUPPORTED;
}

hv_return_t hv_vcpu_get_sme_zt0_reg(hv_vcpu_t vcpu, hv_sme_zt0_uchar64_t *value)
{
	(void)vcpu, (void)value;
	return HV_UNSUPPORTED;
}

hv_return_t hv_vcpu_set_sme_zt0_reg(hv_vcpu_t vcpu, const hv_sme_zt0_uchar64_t *value)
{
	(void)vcpu, (void)value;
	return HV_UNSUPPORTED;
}
