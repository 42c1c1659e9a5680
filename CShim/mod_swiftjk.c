/*
 * mod_swiftjk.c — the module record. It is named jk_module with the source name "mod_jk.c" so
 * that `LoadModule jk_module ...`, `<IfModule jk_module>` and `<IfModule mod_jk.c>` in existing
 * configurations keep working with SwiftJK.
 */
#include "sjk_shim.h"

#include "http_log.h"
#include "http_request.h"
#include "http_protocol.h"
#include "ap_mpm.h"
#include <pthread.h>
#include <signal.h>

static int sjk_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    sjk_reset_globals(pconf);
    return OK;
}

/* Runs in `apachectl configtest` too: every configuration error fails it with file and line. */
static int sjk_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    (void)plog;
    sjk_current_config = sjk_build_config(pconf, ptemp, s);
    return sjk_current_config ? OK : !OK;
}

static int sjk_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    (void)plog;
    (void)ptemp;
    if (!sjk_current_config) {
        return !OK;
    }
    ap_add_version_component(pconf, "SwiftJK/" SJK_VERSION);
    if (sjk_create_shm(pconf, s, sjk_current_config) != OK || sjk_open_logs(pconf, s) != OK) {
        return !OK;
    }
    /* Last step before the MPM forks: the children start with none of the start-up code mapped. */
    sjk_trim_module_pages();
    return OK;
}

/** Set when the child pool is cleaned up, so the timer thread stops calling into the core. Read
 * and written with atomics: the timer thread reads it while the main thread sets it (a plain
 * volatile int is a data race; ThreadSanitizer reported it under the event MPM). */
static int sjk_child_exiting;

static int sjk_exiting(void)
{
    return __atomic_load_n(&sjk_child_exiting, __ATOMIC_ACQUIRE);
}

/** Seconds between maintenance runs of this child's timer thread. */
static int sjk_timer_interval;

static apr_status_t sjk_child_cleanup(void *data)
{
    (void)data;
    __atomic_store_n(&sjk_child_exiting, 1, __ATOMIC_RELEASE);
    return APR_SUCCESS;
}

/* The maintenance timer (JkWatchdogInterval, or worker.maintain when balancers exist): a plain
 * detached pthread that owns no APR pool, so a child exiting under it has nothing to free; it
 * blocks every signal so they keep going to the MPM's threads. */
/** What the timer's maintenance did (health checks) goes to the JK log of the main server. */
static void sjk_timer_log(void *ctx, int32_t level, const char *message)
{
    sjk_log_line((server_rec *)ctx, level, message);
}

static void *sjk_timer(void *data)
{
    server_rec *s = data;
    while (!sjk_exiting()) {
        /* One sleep per interval, not a 100 ms poll: every wake-up of every child is a context
         * switch (a prefork server with 50 children polled 500 times a second while idle). An
         * exiting child does not wait for this thread, and the flag is checked before each run. */
        apr_sleep(apr_time_from_sec(sjk_timer_interval));
        if (!sjk_exiting() && sjk_current_config) {
            sjk_maintain(sjk_current_config, sjk_timer_log, s);
        }
    }
    return NULL;
}

static void sjk_child_init_hook(apr_pool_t *pchild, server_rec *s)
{
    int32_t interval = 0;
    if (!sjk_current_config) {
        return;
    }
    sjk_child_init(sjk_current_config);
    __atomic_store_n(&sjk_child_exiting, 0, __ATOMIC_RELEASE);
    apr_pool_cleanup_register(pchild, NULL, sjk_child_cleanup, apr_pool_cleanup_null);
    if (sjk_config_timer_interval(sjk_current_config, &interval) == SJK_OK && interval > 0) {
        pthread_t thread;
        pthread_attr_t attr;
        sigset_t all, old;
        sjk_timer_interval = interval;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        if (pthread_create(&thread, &attr, sjk_timer, s) != 0) {
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, "SJK0501: cannot start the maintenance timer thread");
        }
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        pthread_attr_destroy(&attr);
    }
}

static void sjk_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_pre_config(sjk_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(sjk_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(sjk_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(sjk_child_init_hook, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_translate_name(sjk_translate, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_map_to_storage(sjk_map_to_storage, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(sjk_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_log_transaction(sjk_log_transaction, NULL, NULL, APR_HOOK_MIDDLE);
}

module AP_MODULE_DECLARE_DATA jk_module = {
    /* STANDARD20_MODULE_STUFF with the source name fixed to mod_jk.c instead of __FILE__. */
    MODULE_MAGIC_NUMBER_MAJOR, MODULE_MAGIC_NUMBER_MINOR, -1, "mod_jk.c", NULL, NULL, MODULE_MAGIC_COOKIE, NULL,
    NULL,                    /* per-directory config */
    NULL,                    /* merge per-directory */
    sjk_create_server_conf,  /* per-server config */
    sjk_merge_server_conf,   /* merge per-server */
    sjk_directives,          /* directive table */
    sjk_register_hooks,      /* hooks */
    /* Every vhost gets its own merged configuration, even without Jk directives, so mounts are
     * never shared by accident (mod_jk detects that case in post_config instead). */
    AP_MODULE_FLAG_ALWAYS_MERGE
};
