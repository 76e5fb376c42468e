/* Memory that the analysis will fill at once. On the VMs we measure on, a
 * page fault costs about ten microseconds, and a pass over a large capture
 * first-touched tens of thousands of pages one fault at a time (a third of
 * `stats`' time went to the kernel). These helpers map or pre-fault memory
 * in one system call instead; they change nothing but speed. */
#ifndef PW_UTIL_MEM_H
#define PW_UTIL_MEM_H

#include <stddef.h>

/* Anonymous memory of n bytes, zeroed and already faulted in; NULL when it
 * cannot be mapped. Released with pw_unmap(p, n). */
void *pw_map_populated(size_t n);
void pw_unmap(void *p, size_t n);

/* Faults in the whole pages inside [p, p + n) for writing, if the kernel
 * can (Linux 5.14+); otherwise nothing happens. Small ranges are left to
 * ordinary faults. */
void pw_prefault(void *p, size_t n);

#endif
