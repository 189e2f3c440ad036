#ifndef DW_RP2040_CLOCKS_H
#define DW_RP2040_CLOCKS_H
/* clk_ref 12 MHz (crystal), clk_sys and clk_peri 125 MHz (PLL_SYS), clk_usb 48 MHz (PLL_USB),
 * and a 1 us tick for the timer and watchdog. */
#define CLK_REF_HZ 12000000u
#define CLK_SYS_HZ 125000000u
#define CLK_PERI_HZ CLK_SYS_HZ
void clocks_init(void);
#endif
