// Process-start tuning for the `candor` executable only (not linked into the libraries).
//
// glibc gives each thread that allocates its own malloc arena (up to 8 x cores) and keeps
// the memory freed into an arena mapped. A long analysis allocates its blocks of samples
// and per-block results on whichever pool thread runs them, so resident memory crept up
// with duration (3-hour file about 12% above a 10-minute one) although the live data stay
// flat. One arena keeps it flat at the same CPU time (measured: benchmarks/RESULTS.md).
// The limit must be set before any thread allocates, hence a constructor: Swift code runs
// too late. MALLOC_ARENA_MAX in the environment still wins.
#include "candor_startup.h"
#include <stdlib.h>  // defines __GLIBC__ on glibc

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>

static int arenas_limited = 0;

__attribute__((constructor)) static void candor_tune_malloc(void) {
    if (getenv("MALLOC_ARENA_MAX") != NULL) return;
    arenas_limited = mallopt(M_ARENA_MAX, 1) == 1;
}

int candor_malloc_arenas_limited(void) { return arenas_limited; }
#else
int candor_malloc_arenas_limited(void) { return 0; }
#endif
