/* locktime: an LD_PRELOAD library for the scale benchmark (bench/scale.py) that measures how long
 * httpd's threads wait for and hold the load balancer's cross-process lock.
 *
 * Which lock that is differs by connector, so two calls are timed:
 *   - pthread_mutex_lock/unlock on a process-shared mutex (glibc keeps PTHREAD_MUTEX_PSHARED_BIT,
 *     128, in __data.__kind): SwiftJK's robust mutex in its shared segment. Process-local mutexes
 *     (APR pools, the MPM's queues, SwiftJK's refresh lock) are passed through untimed.
 *   - fcntl/fcntl64 F_SETLKW/F_SETLK with F_WRLCK, and F_UNLCK: mod_jk's jk_shm_lock() record
 *     lock on its lock file. mod_jk takes a process-local mutex (JK_ENTER_CS) first; waiting for
 *     that one is not counted, so mod_jk's wait is a lower bound.
 * The event MPM with one Listen uses neither (no accept mutex), so nothing else is counted.
 *
 * Each process adds its totals to LOCKTIME_DIR/locktime.<pid> when it exits: acquisitions,
 * acquisitions that had to wait (the lock call took more than 2 µs), nanoseconds waited, and
 * nanoseconds held. Build: cc -O2 -shared -fPIC -o locktime.so locktime.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/** glibc's flag for a process-shared mutex inside pthread_mutex_t.__data.__kind. */
#define LOCKTIME_PSHARED_BIT 128
/** A lock call longer than this counts as one that waited for another holder. */
#define LOCKTIME_CONTENDED_NS 2000

static int (*real_mutex_lock)(pthread_mutex_t *);
static int (*real_mutex_unlock)(pthread_mutex_t *);
static int (*real_fcntl)(int, int, ...);
static int (*real_fcntl64)(int, int, ...);

static uint64_t total_acquisitions, total_contended, total_wait_ns, total_hold_ns;
/** When this thread took the lock it now holds (0: it holds none). */
static __thread uint64_t held_since_ns;

/** CLOCK_MONOTONIC in nanoseconds. */
static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/** Looks up the functions this library wraps. */
static void resolve(void)
{
    if (!real_mutex_lock) {
        real_mutex_lock = (int (*)(pthread_mutex_t *))dlsym(RTLD_NEXT, "pthread_mutex_lock");
        real_mutex_unlock = (int (*)(pthread_mutex_t *))dlsym(RTLD_NEXT, "pthread_mutex_unlock");
        real_fcntl = (int (*)(int, int, ...))dlsym(RTLD_NEXT, "fcntl");
        real_fcntl64 = (int (*)(int, int, ...))dlsym(RTLD_NEXT, "fcntl64");
    }
}

/** Resolves the wrapped functions before any thread can call them. */
__attribute__((constructor)) static void resolve_at_load(void)
{
    resolve();
}

/** Records one acquisition that started waiting at `asked` and got the lock now. */
static void acquired(uint64_t asked)
{
    uint64_t got = now_ns();
    __atomic_add_fetch(&total_acquisitions, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&total_wait_ns, got - asked, __ATOMIC_RELAXED);
    if (got - asked > LOCKTIME_CONTENDED_NS) {
        __atomic_add_fetch(&total_contended, 1, __ATOMIC_RELAXED);
    }
    held_since_ns = got;
}

/** Records the release of the lock this thread holds. */
static void released(void)
{
    if (held_since_ns) {
        __atomic_add_fetch(&total_hold_ns, now_ns() - held_since_ns, __ATOMIC_RELAXED);
        held_since_ns = 0;
    }
}

/** True for a process-shared mutex (SwiftJK's segment lock). */
static int is_shared(const pthread_mutex_t *mutex)
{
    return (mutex->__data.__kind & LOCKTIME_PSHARED_BIT) != 0;
}

int pthread_mutex_lock(pthread_mutex_t *mutex)
{
    resolve();
    if (!is_shared(mutex)) {
        return real_mutex_lock(mutex);
    }
    uint64_t asked = now_ns();
    int rc = real_mutex_lock(mutex);
    acquired(asked);
    return rc;
}

int pthread_mutex_unlock(pthread_mutex_t *mutex)
{
    resolve();
    if (is_shared(mutex)) {
        released();
    }
    return real_mutex_unlock(mutex);
}

/** fcntl with timing of whole-file write locks and unlocks (mod_jk's shm lock). */
static int timed_fcntl(int (*real)(int, int, ...), int fd, int cmd, void *arg)
{
    struct flock *lock = arg;
    int is_lock = (cmd == F_SETLKW || cmd == F_SETLK) && lock && lock->l_type == F_WRLCK;
    int is_unlock = (cmd == F_SETLKW || cmd == F_SETLK) && lock && lock->l_type == F_UNLCK;
    if (is_unlock) {
        released();
    }
    uint64_t asked = is_lock ? now_ns() : 0;
    int rc = real(fd, cmd, arg);
    if (is_lock && rc == 0) {
        acquired(asked);
    }
    return rc;
}

int fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    resolve();
    return timed_fcntl(real_fcntl, fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    resolve();
    return timed_fcntl(real_fcntl64 ? real_fcntl64 : real_fcntl, fd, cmd, arg);
}

/** At exit: one line with this process's totals, when it took the lock at all. */
__attribute__((destructor)) static void write_totals(void)
{
    const char *dir = getenv("LOCKTIME_DIR");
    if (!dir || total_acquisitions == 0) {
        return;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/locktime.%d", dir, (int)getpid());
    FILE *out = fopen(path, "w");
    if (out) {
        fprintf(out, "%llu %llu %llu %llu\n", (unsigned long long)total_acquisitions,
                (unsigned long long)total_contended, (unsigned long long)total_wait_ns,
                (unsigned long long)total_hold_ns);
        fclose(out);
    }
}
