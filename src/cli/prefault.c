/* prefault.c — the heap a one-shot command will touch, faulted in at once. */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/cli.h"

/* A fresh page of heap costs a page fault on first touch: ~9.6 us each on
 * the VM where issue 21 is measured, against ~4.1 us a page when
 * madvise(MADV_POPULATE_WRITE) maps a whole range in one call, and a run
 * touches some 40 of them (libconfig's trees of the scenario and its
 * parameter file, the texts, the simulator).  So the heap is made to grow
 * by `bytes` at once and that much of it is mapped now; the pages are then
 * used by the mallocs that follow.  Only the page faults change: a kernel
 * without MADV_POPULATE_WRITE (before 5.14), a sanitizer's allocator or
 * another malloc just leaves them to be faulted in one by one. */
void cli_prefault_heap(size_t bytes)
{
#if defined(__linux__) && defined(MADV_POPULATE_WRITE) && defined(M_TOP_PAD)
    /* each growth of the heap by this much more than asked, and a free
     * that returns memory to its top trims it only beyond that much */
    if (bytes > (size_t)INT32_MAX / 2 || !mallopt(M_TOP_PAD, (int)bytes + 65536))
        return;
    /* more than the top has left after start-up, under the mmap threshold:
     * the heap grows, and this block lies at the start of the new room */
    char *p = malloc(96 * 1024);
    if (!p)
        return;
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    const uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1);
    (void)madvise((void *)a, bytes, MADV_POPULATE_WRITE);
    free(p);
#else
    (void)bytes;
#endif
}
