#include "watchdog.h"

#include "rp2040_regs.h"

/* RP2040-E1: the counter goes down by two each 1 us tick. */
static uint32_t load_for(uint32_t ms)
{
    return ms * 1000u * 2u;
}

/* 4.7: the watchdog resets only the blocks PSM_WDSEL names, and none at power-up: without this
 * it would fire and leave a hung loop hung. Everything but the oscillators restarts; the boot
 * ROM and boot2 then run as at power-up, and dw_init drives the relay locked. */
void watchdog_start(void)
{
    REG(PSM_BASE + PSM_WDSEL) = PSM_ALL & ~(PSM_ROSC | PSM_XOSC);
    REG(WATCHDOG_BASE + WATCHDOG_LOAD) = load_for(WATCHDOG_LOOP_MS);
    REG(WATCHDOG_BASE + WATCHDOG_CTRL) = WATCHDOG_CTRL_ENABLE;
}

void watchdog_feed_for(uint32_t ms)
{
    REG(WATCHDOG_BASE + WATCHDOG_LOAD) = load_for(ms); /* LOAD is 24 bits: 8.3 s at most */
}
