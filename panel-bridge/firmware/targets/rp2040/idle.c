/* Interrupts here only wake the processor; all work happens in the main loop, so the core stays
 * single-threaded (it is not re-entrant by design). The handlers acknowledge the timer alarm and
 * mask the USB line (level-triggered: it stays high until usb_dev_poll() handles the cause, which
 * then unmasks it). The vector table for the RP2040's 26 interrupts follows the 16 system
 * vectors of cortexm_startup.c (linker script: .vectors then .vectors.irq). */
#include "idle.h"

#include "rp2040_regs.h"

#define IDLE_TICK_US 1000u
#define RP2040_IRQS 26u

typedef void (*vector_t)(void);

static void timer_irq(void)
{
    REG(TIMER_BASE + TIMER_INTR) = TIMER_ALARM_0; /* write 1 to clear */
}

static void usbctrl_irq(void)
{
    REG(M0PLUS_NVIC_ICER) = 1u << IRQ_USBCTRL;
}

/* Never enabled; if one fires anyway, hang and let the hardware watchdog reboot (relay locked). */
static void unexpected_irq(void)
{
    for (;;) {
    }
}

__attribute__((section(".vectors.irq"), used)) const vector_t dw_irq_vectors[RP2040_IRQS] = {
    timer_irq,      unexpected_irq, unexpected_irq, unexpected_irq, unexpected_irq, usbctrl_irq,
    unexpected_irq, unexpected_irq, unexpected_irq, unexpected_irq, unexpected_irq, unexpected_irq,
    unexpected_irq, unexpected_irq, unexpected_irq, unexpected_irq, unexpected_irq, unexpected_irq,
    unexpected_irq, unexpected_irq, unexpected_irq, unexpected_irq, unexpected_irq, unexpected_irq,
    unexpected_irq, unexpected_irq,
};

void idle_init(void)
{
    REG(TIMER_BASE + TIMER_INTE) = TIMER_ALARM_0;
    REG(M0PLUS_NVIC_ISER) = 1u << IRQ_TIMER_0;
}

void idle_wait(bool (*work_pending)(void))
{
    /* 4.6: writing ALARM0 arms it; it fires when the low 32 bits of the timer match */
    REG(TIMER_BASE + TIMER_ALARM0) = REG(TIMER_BASE + TIMER_TIMERAWL) + IDLE_TICK_US;
    /* With PRIMASK set an interrupt that becomes pending still ends WFI (ARMv6-M Architecture Reference Manual, WFI), so
     * work that arrives between the check and the WFI is not slept through. */
    __asm__ volatile("cpsid i" ::: "memory");
    if (!work_pending()) {
        __asm__ volatile("wfi" ::: "memory");
    }
    __asm__ volatile("cpsie i" ::: "memory");
}
