/* Every fallible function returns bool, and its caller looks at it (nanopb's habit). This makes
 * the compiler hold callers to it: with -Werror (every build here) a result nobody reads fails
 * the build. GCC rejects a (void) cast too; clang accepts one, so `make check-results` also
 * compiles the clang-only sources with GCC. A caller that goes on after a failure on purpose
 * says why with dw_error_noted() (dw_core.h). */
#ifndef DW_CHECK_H
#define DW_CHECK_H

#if defined(__GNUC__) || defined(__clang__)
#define DW_MUST_CHECK __attribute__((warn_unused_result))
#else
#define DW_MUST_CHECK
#endif

#endif
