/*
 * sjk_shm.c — the shared-memory segment (JkShmFile) that holds load-balancer and worker state for
 * every httpd child (reference §10). Created by the parent in post_config as an anonymous shared
 * mapping (MAP_SHARED | MAP_ANONYMOUS) that children inherit through fork, guarded by one
 * process-shared robust pthread mutex stored in the header. A graceful restart re-creates it (a new
 * configuration generation), like mod_jk.
 *
 * mod_jk maps the file "<JkShmFile>.<parent pid>" itself; if another process truncates that file
 * (a log clean-up job, copytruncate rotation), every child that touches the lost pages dies of
 * SIGBUS. SwiftJK still creates that file — mode 0600 (CVE-2024-46544), O_EXCL so a planted
 * symlink is never followed, a start failure with the same message when its directory is not
 * writable — but as a marker that describes the segment; nothing the file system does to it can
 * reach the mapping.
 */
#include "sjk_shim.h"

#include "http_log.h"
#include "apr_strings.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

_Static_assert(sizeof(pthread_mutex_t) <= sizeof(((sjk_shm_header_t *)0)->lock),
               "the header's lock storage must hold a pthread_mutex_t");
_Static_assert(sizeof(sjk_slot_t) % 8 == 0, "slots stay 8-byte aligned");
_Static_assert(sizeof(sjk_shm_header_t) % 8 == 0, "slots start 8-byte aligned");

#define SJK_DEFAULT_SHM "logs/jk-runtime-status"

/** One mapping, unmapped (and its marker file removed) when its configuration pool goes away. */
typedef struct {
    void *base;
    apr_size_t size;
    const char *path;
} sjk_segment;

static apr_status_t sjk_shm_cleanup(void *data)
{
    sjk_segment *seg = data;
    if (seg->base) {
        /* No pthread_mutex_destroy: after a graceful restart the old generation's children still
         * serve requests with this segment and its lock (glibc's destroy marks the mutex invalid,
         * and their locks would fail). The memory goes away with the last process that maps it. */
        munmap(seg->base, seg->size);
        seg->base = NULL;
    }
    if (seg->path) {
        unlink(seg->path);
    }
    return APR_SUCCESS;
}

/* Children only unmap; the file belongs to the parent. */
static apr_status_t sjk_shm_child_cleanup(void *data)
{
    (void)data;
    return APR_SUCCESS;
}

/** Messages about restored runtime edits go to the error log. */
static void sjk_shm_log(void *ctx, int32_t level, const char *message)
{
    server_rec *s = ctx;
    int ap_level = level == SJK_LOG_ERROR ? APLOG_ERR : level == SJK_LOG_WARNING ? APLOG_WARNING : APLOG_NOTICE;
    ap_log_error(APLOG_MARK, ap_level | APLOG_NOERRNO, 0, s, "SJK0605: %s", message);
}

/** Creates the JkShmFile marker: a new 0600 file (O_EXCL: whatever was planted at the name is
 * removed first and never followed) that says which process owns the segment and how big it is.
 * Fails only when the file cannot be created (as mod_jk fails without its file); a failed write of
 * the description is logged and does not stop httpd. */
static apr_status_t sjk_write_marker(apr_pool_t *p, server_rec *s, const char *path, size_t size)
{
    const char *text = apr_psprintf(p, "SwiftJK shared memory of httpd %" APR_PID_T_FMT ": %lu bytes, anonymous "
                                    "mapping (this file only marks it; removing it changes nothing)\n",
                                    getpid(), (unsigned long)size);
    size_t length = strlen(text);
    ssize_t written;
    int fd;
    unlink(path);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        return errno;
    }
    written = write(fd, text, length);
    if (written != (ssize_t)length) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, written < 0 ? errno : ENOSPC, s,
                     "SJK0606: cannot write the description into %s (JkShmFile); the shared memory works "
                     "without it", path);
    }
    close(fd);
    return APR_SUCCESS;
}

int sjk_create_shm(apr_pool_t *pconf, server_rec *s, sjk_config_t *config)
{
    size_t size = 0;
    sjk_segment *seg;
    sjk_shm_header_t *header;
    pthread_mutexattr_t attr;
    const char *base_name;
    apr_status_t rv;

    if (sjk_shm_size(config, &size) != SJK_OK || size < sizeof(sjk_shm_header_t)) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, "SJK0601: cannot size the shared memory");
        return !OK;
    }
    if (sjk_globals.shm_size_kb > 0 && (size_t)sjk_globals.shm_size_kb * 1024 > size) {
        size = (size_t)sjk_globals.shm_size_kb * 1024;
    }
    base_name = sjk_globals.shm_file ? sjk_globals.shm_file : ap_server_root_relative(pconf, SJK_DEFAULT_SHM);
    seg = apr_pcalloc(pconf, sizeof(*seg));
    seg->size = size;
    seg->path = apr_psprintf(pconf, "%s.%" APR_PID_T_FMT, base_name, getpid());
    rv = sjk_write_marker(pconf, s, seg->path, size);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s,
                     "SJK0602: cannot create the shared memory file %s (JkShmFile); check that its directory "
                     "exists and is writable by the user that starts httpd", seg->path);
        return !OK;
    }
    seg->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (seg->base == MAP_FAILED) {
        seg->base = NULL;
        ap_log_error(APLOG_MARK, APLOG_ERR, errno, s, "SJK0603: cannot map %lu bytes of shared memory",
                     (unsigned long)size);
        unlink(seg->path);
        return !OK;
    }
    memset(seg->base, 0, size);
    header = seg->base;
    memcpy(header->magic, "SJKSHM02", 8);
    header->size = (uint32_t)size;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init((pthread_mutex_t *)(void *)header->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    apr_pool_cleanup_register(pconf, seg, sjk_shm_cleanup, sjk_shm_child_cleanup);
    if (sjk_shm_attach(config, seg->base, size, sjk_shm_log, s) != SJK_OK) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, "SJK0604: the shared memory is too small for the workers");
        return !OK;
    }
    return OK;
}
