/* The first 0x1c bytes of the RP2040 boot ROM (datasheet 2.8.3): vectors, the 'Mu' magic
 * and version, and 16-bit pointers to the public function table, the data table and the table
 * lookup routine. Test stand-in only; see rom.c. */
    .syntax unified
    .thumb
    .section .rom_header, "a"
    .word   0x20042000          /* initial stack pointer: top of SRAM5 */
    .word   rom_reset           /* Thumb function symbols carry bit 0 in .word */
    .word   rom_fault           /* NMI */
    .word   rom_fault           /* HardFault */
    .byte   'M', 'u', 0x01      /* magic */
    .byte   0x01                /* version */
    .hword  rom_func_table
    .hword  rom_data_table
    .hword  rom_table_lookup + 1 /* a function pointer: Thumb bit set by hand (R_ARM_ABS16) */

/* 2.8.3: the public function table, (two-character code, Thumb address) pairs ending in 0 */
    .section .rodata.rom_tables, "a"
    .balign 2
    .global rom_func_table, rom_data_table
rom_func_table:
    .hword  'I' | ('F' << 8), rom_connect_internal_flash + 1
    .hword  'E' | ('X' << 8), rom_flash_exit_xip + 1
    .hword  'R' | ('E' << 8), rom_flash_range_erase + 1
    .hword  'R' | ('P' << 8), rom_flash_range_program + 1
    .hword  'F' | ('C' << 8), rom_flash_flush_cache + 1
    .hword  'C' | ('X' << 8), rom_flash_enter_cmd_xip + 1
    .hword  0
rom_data_table:
    .hword  0
