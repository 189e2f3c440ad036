/* The main loop sleeps (WFI) between passes: woken by a 1 ms timer alarm, so dw_tick and the
 * input debounce run every millisecond, or at once by the USB controller. */
#ifndef DW_RP2040_IDLE_H
#define DW_RP2040_IDLE_H
#include <stdbool.h>
void idle_init(void);
/* Sleeps until the next millisecond tick or a USB event, unless work_pending() says not to. */
void idle_wait(bool (*work_pending)(void));
#endif
