/* Minimal Cortex-M start-up shared by the bare-metal targets: vector table, .data copy, .bss
 * clear, then main(). Only SysTick is wired; the glue polls everything else, which keeps the
 * core single-threaded (it is not re-entrant by design). */
#include <stdint.h>
#include <string.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);
void dw_systick_handler(void);

static void reset_handler(void)
{
    memcpy(&_sdata, &_sidata, (size_t)((uintptr_t)&_edata - (uintptr_t)&_sdata));
    memset(&_sbss, 0, (size_t)((uintptr_t)&_ebss - (uintptr_t)&_sbss));
    (void)main();
    for (;;) {
    }
}

static void fault_handler(void)
{
    /* Halting leaves the relay GPIO in its reset state (locked) and lets the hardware
     * watchdog, where the glue enables one, reboot us. */
    for (;;) {
    }
}

typedef void (*vector_t)(void);

__attribute__((section(".vectors"), used)) const vector_t dw_vectors[16] = {
    (vector_t)(uintptr_t)&_estack, reset_handler, fault_handler, fault_handler, fault_handler, fault_handler,
    fault_handler, 0, 0, 0, 0, fault_handler, fault_handler, 0, fault_handler, dw_systick_handler,
};
