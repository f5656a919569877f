/* prefault.c — the heap, stack and code a one-shot command will touch,
 * mapped at once.
 *
 * A fresh page costs a page fault on first touch: ~9.6 us each on the VM
 * where issue 21 is measured, against ~4.1 us a page when
 * madvise(MADV_POPULATE_WRITE) maps a whole range in one call (a loop over
 * 64 pages, median of 200).  Only the page faults change: a kernel without
 * MADV_POPULATE_WRITE (before 5.14), a sanitizer's allocator or another
 * malloc leaves the pages to be faulted in one by one, as before. */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/cli.h"

void cli_prefault_heap(size_t bytes)
{
#if defined(__linux__) && defined(MADV_POPULATE_WRITE) && defined(M_TOP_PAD)
    /* each growth of the heap by this much more than asked, and a free
     * that returns memory to its top trims it only beyond that much */
    if (bytes > (size_t)INT32_MAX / 2 || !mallopt(M_TOP_PAD, (int)bytes + 65536))
        return;
    /* more than the top has left after start-up, under the mmap threshold:
     * the heap grows, and this block lies at the start of the new room,
     * where the mallocs that follow will be served once it is freed */
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

void cli_prefault_stack(size_t bytes)
{
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
    /* the pages below this frame, inside the stack's mapping (the kernel
     * maps 128 KB below the arguments at exec; outside it madvise fails) */
    volatile char here = 0;
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    const uintptr_t top = (uintptr_t)&here & ~(page - 1);
    (void)madvise((void *)(top - bytes), bytes, MADV_POPULATE_WRITE);
#else
    (void)bytes;
#endif
}

/* The program's code (GNU ld's and lld's __executable_start and etext;
 * without them, nothing).  Its pages are in the page cache already, but each
 * first call into a new 64 KB of it is a page fault that maps those 16
 * pages: ~12.6 us each, ~15 of them after main in a run, against ~0.25 us a
 * page for all 440 pages of code mapped by MADV_POPULATE_READ. */
extern char __executable_start[] __attribute__((weak)), etext[] __attribute__((weak));

void cli_prefault_code(void)
{
#if defined(__linux__) && defined(MADV_POPULATE_READ)
    const uintptr_t start = (uintptr_t)__executable_start, end = (uintptr_t)etext;
    if (!start || end <= start)
        return;
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    const uintptr_t a = start & ~(page - 1), b = (end + page - 1) & ~(page - 1);
    (void)madvise((void *)a, b - a, MADV_POPULATE_READ);
#endif
}
