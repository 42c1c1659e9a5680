/*
 * sjk_memory.c — keeps the module's resident code small. mod_swiftjk.so carries the Swift runtime
 * and standard library (several MB of code); loading and configuring it maps far more of that
 * code into the parent than requests ever run (start-up code, and the kernel's fault-around maps
 * whole 64 KB blocks of a cached file). Every child would inherit those mappings, and they count
 * in each process's memory (RSS, PSS). After post_config the parent drops its mappings of the
 * module's read-only segments; the pages stay in the page cache, and each process maps back only
 * what it executes.
 */
#include "sjk_shim.h"

#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

/** Finds the loaded object that contains sjk_trim_module_pages and drops its read-only
 *  segments. Writable segments (data, relocated pointers, RELRO) are never touched: their
 *  contents differ from the file. */
static int sjk_trim_segments(struct dl_phdr_info *info, size_t size, void *data)
{
    const uintptr_t self = (uintptr_t)&sjk_trim_module_pages;
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    int contains = 0, i;
    (void)size;
    for (i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && self >= start && self < start + ph->p_memsz) {
            contains = 1;
        }
    }
    if (!contains) {
        return 0;
    }
    for (i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start, end;
        if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W)) {
            continue;
        }
        /* Only whole pages that belong to this segment alone. */
        start = (info->dlpi_addr + ph->p_vaddr + page - 1) & ~(page - 1);
        end = (info->dlpi_addr + ph->p_vaddr + ph->p_filesz) & ~(page - 1);
        if (end > start) {
            (*(size_t *)data) += end - start;
            madvise((void *)start, end - start, MADV_DONTNEED);
        }
    }
    return 1;
}

size_t sjk_trim_module_pages(void)
{
    size_t dropped = 0;
    dl_iterate_phdr(sjk_trim_segments, &dropped);
    return dropped;
}
