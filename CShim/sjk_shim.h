/*
 * sjk_shim.h — declarations shared by the C files of the Apache glue. The shim holds no AJP or
 * balancing logic: it collects directive text, builds the request view, performs Apache/APR
 * calls for the Swift core, and maps the core's outcome to an httpd return code.
 */
#ifndef SJK_SHIM_H
#define SJK_SHIM_H

/* stddef.h first: with offsetof defined, APR_OFFSETOF (used by every brigade and ring macro) is
 * the compiler's offsetof instead of arithmetic on a null pointer, which UBSan rightly reports. */
#include <stddef.h>
#include "httpd.h"
#include "http_config.h"
#include "apr_tables.h"
#include "apr_file_io.h"

#include <string.h>

#include "sjk_abi.h"

/** The version SwiftJK reports in the Server header component and logs. */

/** The handler name mod_jk uses. */
#define SJK_HANDLER "jakarta-servlet"

/** A borrowed view of a C string (NULL stays absent). */
static APR_INLINE sjk_str_t sjk_view(const char *s)
{
    sjk_str_t v;
    v.ptr = s;
    v.len = s ? strlen(s) : 0;
    return v;
}

/** The request environment variable `name` (a Jk*Indicator), or `fallback` when none is set. */
static APR_INLINE const char *sjk_env(request_rec *r, const char *name, const char *fallback)
{
    return apr_table_get(r->subprocess_env, name ? name : fallback);
}

/** A JkEnvVar entry: forwarded name and optional default. */
typedef struct {
    const char *name;
    const char *default_value; /* NULL: send only when set */
    const char *file;          /* where the directive was written */
    int line;
} sjk_env_var;

/** Per-server configuration: the raw directive values of one server (main or vhost). */
typedef struct {
    int index;                          /* position in the server list given to the core */
    apr_array_header_t *mounts;         /* sjk_mount_directive_t */
    const char *mount_file;
    int mount_file_reload;              /* -1: unset */
    int mount_copy;                     /* SJK_MOUNT_COPY_* */
    const char *log_file;               /* NULL: unset */
    int log_level;                      /* -1: unset; else SJK_LOG_* */
    const char *stamp_format;
    const char *request_log_format;
    uint32_t options_plus;
    uint32_t options_minus;
    uint32_t options;                   /* effective, computed at merge */
    apr_array_header_t *env_vars;       /* sjk_env_var */
    int strip_session;                  /* -1 unset, 0 off, 1 on */
    const char *strip_session_name;
    int extract_ssl;                    /* -1 unset */
    /* Indicator variable names (NULL: inherit/default). */
    const char *worker_indicator;
    const char *remote_addr_indicator;
    const char *remote_port_indicator;
    const char *remote_host_indicator;
    const char *remote_user_indicator;
    const char *auth_type_indicator;
    const char *local_name_indicator;
    const char *local_addr_indicator;
    const char *local_port_indicator;
    const char *ignore_cl_indicator;
    const char *https_indicator;
    const char *ssl_protocol_indicator;
    const char *certs_indicator;
    const char *cipher_indicator;
    const char *session_indicator;
    const char *key_size_indicator;
    const char *cert_chain_prefix;
    const char *auto_alias;             /* JkAutoAlias directory, NULL: none */
    apr_file_t *log;                    /* opened JK log for this server */
    int log_level_effective;
} sjk_server_conf;

/** Main-server-only values (JkWorkersFile, JkWorkerProperty, shm, watchdog). */
typedef struct {
    const char *workers_file;
    apr_array_header_t *properties;     /* sjk_property_line_t */
    const char *shm_file;
    int shm_size_kb;
    int watchdog_interval;
} sjk_global_conf;

extern module AP_MODULE_DECLARE_DATA jk_module;

/** The process-wide configuration values set by main-server-only directives. */
extern sjk_global_conf sjk_globals;

/** The directive table (sjk_directives.c). */
extern const command_rec sjk_directives[];

/** Server config constructors (sjk_directives.c). */
void *sjk_create_server_conf(apr_pool_t *p, server_rec *s);
void *sjk_merge_server_conf(apr_pool_t *p, void *base, void *add);

/** Resets main-only values at the start of each configuration pass. */
void sjk_reset_globals(apr_pool_t *p);

/** Returns the effective server config of s. */
sjk_server_conf *sjk_server_config(server_rec *s);

/** Builds the core configuration from every server's directives; logs diagnostics.
 *  Returns NULL on configuration errors (sjk_config.c). */
sjk_config_t *sjk_build_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s);

/** The configuration built for the current generation, NULL before post_config. */
extern sjk_config_t *sjk_current_config;

/** Name and type name of worker `worker` of the current configuration (copied into pconf when
 *  it was built, so requests need no call into the core for them); NULL when out of range. */
const char *sjk_worker_name(int32_t worker);
const char *sjk_worker_type(int32_t worker);

/** Creates the shared-memory segment of this configuration generation (sjk_shm.c). */
int sjk_create_shm(apr_pool_t *pconf, server_rec *s, sjk_config_t *config);

/** Drops the parent's mappings of the module's read-only segments (code and constants), so
 *  children map back only what they run; returns the bytes released (sjk_memory.c). */
size_t sjk_trim_module_pages(void);

/** Opens the JK log of every server (sjk_log.c). */
int sjk_open_logs(apr_pool_t *pconf, server_rec *s);

/** Writes a line to the JK log of s when level passes JkLogLevel. */
void sjk_log_line(server_rec *s, int level, const char *message);

/** Writes a line to the JK log of s whatever JkLogLevel says (request log lines). */
void sjk_log_raw(server_rec *s, const char *message);

/** Checks a JkRequestLogFormat; returns an error message or NULL (sjk_request_log.c). */
const char *sjk_check_request_log_format(apr_pool_t *p, const char *format);

/** Writes the JkRequestLogFormat line of a forwarded request. */
void sjk_write_request_log(request_rec *r, const char *format, apr_time_t started);

/** log_transaction hook: the request log line for requests SwiftJK handled. */
int sjk_log_transaction(request_rec *r);

/** Request hooks (sjk_request.c). */
int sjk_translate(request_rec *r);
int sjk_map_to_storage(request_rec *r);
int sjk_handler(request_rec *r);

/** Fills the read-only request view of r for the core (sjk_request_view.c). */
void sjk_fill_request(request_rec *r, sjk_server_conf *c, sjk_request_t *q);

#endif /* SJK_SHIM_H */
