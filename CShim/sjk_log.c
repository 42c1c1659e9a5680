/*
 * sjk_log.c — the JK log (JkLogFile, JkLogLevel, JkLogStampFormat). Lines have mod_jk 1.2.48's
 * shape: "<stamp>[<pid>:<tid>] [<level>] <message>". Each line is one write() to a file opened
 * with O_APPEND, so lines from different children never interleave.
 */
#include "sjk_shim.h"

#include "http_log.h"
#include "apr_strings.h"
#include "apr_time.h"
#include "apr_portable.h"
#include "apr_hash.h"

#include <time.h>
#include <unistd.h>

#define SJK_DEFAULT_LOG "logs/mod_jk.log"
#define SJK_DEFAULT_STAMP "[%a %b %d %H:%M:%S.%Q %Y] "

static const char *const sjk_level_names[] = {"error", "warn", "info", "debug", "trace"};

static apr_file_t *sjk_open_one(apr_pool_t *p, server_rec *s, const char *name)
{
    apr_file_t *f = NULL;
    if (name[0] == '|') {
        piped_log *pl = ap_open_piped_log(p, name + 1);
        if (!pl) {
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, "SJK0301: cannot start piped JK log %s", name + 1);
            return NULL;
        }
        return ap_piped_log_write_fd(pl);
    }
    else {
        const char *path = ap_server_root_relative(p, name);
        apr_status_t rv = apr_file_open(&f, path, APR_FOPEN_WRITE | APR_FOPEN_APPEND | APR_FOPEN_CREATE,
                                        APR_FPROT_UREAD | APR_FPROT_UWRITE | APR_FPROT_GREAD, p);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, "SJK0302: cannot open JK log %s", path);
            return NULL;
        }
    }
    return f;
}

int sjk_open_logs(apr_pool_t *pconf, server_rec *main_server)
{
    apr_hash_t *opened = apr_hash_make(pconf);
    server_rec *s;
    for (s = main_server; s; s = s->next) {
        sjk_server_conf *c = sjk_server_config(s);
        const char *name = c->log_file ? c->log_file : SJK_DEFAULT_LOG;
        apr_file_t *f = apr_hash_get(opened, name, APR_HASH_KEY_STRING);
        if (!f) {
            f = sjk_open_one(pconf, s, name);
            if (!f) {
                return !OK;
            }
            apr_hash_set(opened, name, APR_HASH_KEY_STRING, f);
        }
        c->log = f;
        c->log_level_effective = c->log_level >= 0 ? c->log_level : SJK_LOG_INFO;
    }
    return OK;
}

/** Formats the stamp: strftime with the first %Q (milliseconds) or %q (microseconds) replaced. */
static apr_size_t sjk_stamp(const char *format, char *out, apr_size_t cap)
{
    apr_time_t now = apr_time_now();
    time_t secs = (time_t)apr_time_sec(now);
    struct tm tm;
    char fmt[128];
    const char *q = strstr(format, "%Q");
    const char *qq = strstr(format, "%q");
    localtime_r(&secs, &tm);
    if (q || qq) {
        const char *at = q && (!qq || q < qq) ? q : qq;
        char digits[8];
        apr_size_t before = (apr_size_t)(at - format);
        if (at == q) {
            apr_snprintf(digits, sizeof(digits), "%03d", (int)(apr_time_usec(now) / 1000));
        }
        else {
            apr_snprintf(digits, sizeof(digits), "%06d", (int)apr_time_usec(now));
        }
        apr_snprintf(fmt, sizeof(fmt), "%.*s%s%s", (int)before, format, digits, at + 2);
        format = fmt;
    }
    return strftime(out, cap, format, &tm);
}

static void sjk_log_write(server_rec *s, int level, const char *message)
{
    sjk_server_conf *c = sjk_server_config(s);
    char line[1280];
    apr_size_t len, n;
    apr_os_thread_t tid = apr_os_thread_current();
    len = sjk_stamp(c->stamp_format ? c->stamp_format : SJK_DEFAULT_STAMP, line, 64);
    n = (apr_size_t)apr_snprintf(line + len, sizeof(line) - len - 1, "[%d:%lu] [%s] %s", (int)getpid(),
                                 (unsigned long)tid, sjk_level_names[level < 0 ? 0 : level > 4 ? 4 : level],
                                 message);
    len += n;
    if (len >= sizeof(line) - 5) {
        memcpy(line + sizeof(line) - 5, "...", 3);
        len = sizeof(line) - 2;
    }
    line[len++] = '\n';
    apr_file_write_full(c->log, line, len, NULL);
}

void sjk_log_line(server_rec *s, int level, const char *message)
{
    sjk_server_conf *c = sjk_server_config(s);
    if (!c || !c->log || level > c->log_level_effective) {
        return;
    }
    sjk_log_write(s, level, message);
}

void sjk_log_raw(server_rec *s, const char *message)
{
    sjk_server_conf *c = sjk_server_config(s);
    if (!c || !c->log) {
        return;
    }
    sjk_log_write(s, SJK_LOG_INFO, message);
}
