#include "harness.h"
#include "tests.h"

int main(void)
{
    run_vector_tests();
    run_core_tests();
    run_io_error_tests();
    run_store_tests();
    run_fault_stream_tests();
    printf("%d checks, %d failures\n", g_checks, g_failures);
    return g_failures == 0 ? 0 : 1;
}
