#pragma once

/// 1 when the process-start tuning of glibc's malloc was applied (see startup.c).
int candor_malloc_arenas_limited(void);
