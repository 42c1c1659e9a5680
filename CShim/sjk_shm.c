/*
 * sjk_shm.c — the shared-memory segment (JkShmFile) that holds load-balancer and worker state for
 * every httpd child (reference §10). Created by the parent in post_config as
 * "<JkShmFile>.<parent pid>" with mode 0600 (CVE-2024-46544), mapped MAP_SHARED so children
 * inherit it through fork, guarded by one process-shared robust pthread mutex stored in the
 * header. A graceful restart re-creates it (a new configuration generation), like mod_jk.
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

/** One mapping, unmapped and unlinked when its configuration pool goes away. */
typedef struct {
    void *base;
    apr_size_t size;
    const char *path;
} sjk_segment;

static apr_status_t sjk_shm_cleanup(void *data)
{
    sjk_segment *seg = data;
    if (seg->base) {
        pthread_mutex_destroy((pthread_mutex_t *)(void *)((sjk_shm_header_t *)seg->base)->lock);
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

int sjk_create_shm(apr_pool_t *pconf, server_rec *s, sjk_config_t *config)
{
    size_t size = 0;
    sjk_segment *seg;
    sjk_shm_header_t *header;
    pthread_mutexattr_t attr;
    const char *base_name;
    int fd;

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
    unlink(seg->path);
    fd = open(seg->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || ftruncate(fd, (off_t)size) != 0) {
        ap_log_error(APLOG_MARK, APLOG_ERR, errno, s,
                     "SJK0602: cannot create the shared memory file %s (JkShmFile); check that its directory "
                     "exists and is writable by the user that starts httpd", seg->path);
        if (fd >= 0) {
            close(fd);
        }
        return !OK;
    }
    seg->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (seg->base == MAP_FAILED) {
        seg->base = NULL;
        ap_log_error(APLOG_MARK, APLOG_ERR, errno, s, "SJK0603: cannot map %s", seg->path);
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
