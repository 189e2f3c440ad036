/* Must not compile (`make check-results`): a caller that drops the core's bool. With
 * -DVOID_CAST it drops it behind a (void) cast, which GCC refuses as well. */
#include "dw_core.h"

bool probe(dw_core_t *c);

bool probe(dw_core_t *c)
{
#ifdef VOID_CAST
    (void)dw_tick(c);
#else
    dw_tick(c);
#endif
    return true;
}
