#ifndef DW_TESTS_H
#define DW_TESTS_H
void run_vector_tests(void);
void run_core_tests(void);
void run_io_error_tests(void);
void run_store_tests(void);
void run_fault_stream_tests(void);
#endif
