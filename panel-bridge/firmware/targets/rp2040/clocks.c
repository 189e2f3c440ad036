/* Clock tree from the RP2040 datasheet 2.15-2.18: the 12 MHz crystal, PLL_SYS to 125 MHz for
 * clk_sys/clk_peri, PLL_USB to 48 MHz for the USB controller. The boot ROM leaves everything on
 * the ring oscillator; the watchdog reboot path resets the clock blocks too (main.c sets
 * PSM_WDSEL), so this always starts from that state. */
#include "clocks.h"

#include "rp2040_regs.h"

/* 2.16.3: STARTUP.DELAY counts 256 crystal cycles; ~1 ms at 12 MHz */
#define XOSC_STARTUP_DELAY ((CLK_REF_HZ / 1000u + 128u) / 256u)

/* 2.18.2: VCO = 12 MHz / REFDIV * FBDIV must stay within 750..1600 MHz; out = VCO / (PD1 * PD2) */
static void pll_start(uint32_t base, uint32_t fbdiv, uint32_t postdiv1, uint32_t postdiv2)
{
    uint32_t which = base == PLL_SYS_BASE ? RESET_PLL_SYS : RESET_PLL_USB;
    reset_block(which);
    unreset(which);
    REG(base + PLL_CS) = 1u; /* REFDIV */
    REG(base + PLL_FBDIV_INT) = fbdiv;
    REG(base + REG_CLR_ALIAS + PLL_PWR) = PLL_PWR_PD | PLL_PWR_VCOPD;
    while (!(REG(base + PLL_CS) & PLL_CS_LOCK)) {
    }
    REG(base + PLL_PRIM) = (postdiv1 << PLL_PRIM_POSTDIV1_LSB) | (postdiv2 << PLL_PRIM_POSTDIV2_LSB);
    REG(base + REG_CLR_ALIAS + PLL_PWR) = PLL_PWR_POSTDIVPD;
}

void clocks_init(void)
{
    REG(XOSC_BASE + XOSC_CTRL) = XOSC_CTRL_FREQ_RANGE_1_15MHZ;
    REG(XOSC_BASE + XOSC_STARTUP) = XOSC_STARTUP_DELAY;
    REG(XOSC_BASE + XOSC_CTRL) = XOSC_CTRL_FREQ_RANGE_1_15MHZ | XOSC_CTRL_ENABLE;
    while (!(REG(XOSC_BASE + XOSC_STATUS) & XOSC_STATUS_STABLE)) {
    }

    /* 2.15.3: clk_sys's aux mux is not glitchless, so park clk_sys on clk_ref (the glitchless
     * side) while its aux source changes; clk_ref itself moves to the crystal glitch-free. */
    REG(CLOCKS_BASE + REG_CLR_ALIAS + CLK_SYS_CTRL) = CLK_SYS_SRC_AUX;
    while (REG(CLOCKS_BASE + CLK_SYS_SELECTED) != 1u) {
    }
    REG(CLOCKS_BASE + CLK_REF_DIV) = 1u << CLK_DIV_INT_LSB;
    REG(CLOCKS_BASE + CLK_REF_CTRL) = CLK_REF_SRC_XOSC;
    while (REG(CLOCKS_BASE + CLK_REF_SELECTED) != (1u << CLK_REF_SRC_XOSC)) {
    }

    pll_start(PLL_SYS_BASE, 125u, 6u, 2u); /* 1500 MHz VCO / 12 = 125 MHz */
    pll_start(PLL_USB_BASE, 100u, 5u, 5u); /* 1200 MHz VCO / 25 = 48 MHz */

    REG(CLOCKS_BASE + CLK_SYS_DIV) = 1u << CLK_DIV_INT_LSB;
    REG(CLOCKS_BASE + CLK_SYS_CTRL) = CLK_SYS_AUX_PLL_SYS << CLK_CTRL_AUXSRC_LSB;
    REG(CLOCKS_BASE + REG_SET_ALIAS + CLK_SYS_CTRL) = CLK_SYS_SRC_AUX;
    while (REG(CLOCKS_BASE + CLK_SYS_SELECTED) != (1u << CLK_SYS_SRC_AUX)) {
    }

    /* 2.15.3: stop a generator before changing its aux source (the ENABLE bit), then start */
    REG(CLOCKS_BASE + CLK_USB_CTRL) = 0u;
    REG(CLOCKS_BASE + CLK_USB_DIV) = 1u << CLK_DIV_INT_LSB;
    REG(CLOCKS_BASE + CLK_USB_CTRL) = CLK_CTRL_ENABLE | (CLK_USB_AUX_PLL_USB << CLK_CTRL_AUXSRC_LSB);
    REG(CLOCKS_BASE + CLK_PERI_CTRL) = 0u;
    REG(CLOCKS_BASE + CLK_PERI_CTRL) = CLK_CTRL_ENABLE | (CLK_PERI_AUX_CLK_SYS << CLK_CTRL_AUXSRC_LSB);

    /* 4.7: the tick generator divides clk_ref down to the 1 us tick of the timer and watchdog */
    REG(WATCHDOG_BASE + WATCHDOG_TICK) = WATCHDOG_TICK_ENABLE | (CLK_REF_HZ / 1000000u);
}
