/* The RP2040 hardware watchdog (datasheet 4.7): reboots a hung main loop. */
#ifndef DW_RP2040_WATCHDOG_H
#define DW_RP2040_WATCHDOG_H
#include <stdint.h>

/* What the main loop gets per pass. */
#define WATCHDOG_LOOP_MS 500u

void watchdog_start(void);
/* Reloads the count for ms from now (at most 8000); the main loop's next feed brings it back
 * to WATCHDOG_LOOP_MS. */
void watchdog_feed_for(uint32_t ms);
#endif
