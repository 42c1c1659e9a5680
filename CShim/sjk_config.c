/*
 * sjk_config.c — hands every server's directive values to the Swift core once per
 * configuration pass and reports the core's diagnostics through httpd's error log, so that
 * `apachectl configtest` fails with file, line and what to fix.
 */
#include "sjk_shim.h"

#include "http_log.h"
#include "ap_mpm.h"
#include "http_main.h"
#include "apr_strings.h"

sjk_config_t *sjk_current_config;

/** Worker names and type names of sjk_current_config, indexed by worker. */
static const char **sjk_names;
static const char **sjk_types;
static int32_t sjk_name_count;

const char *sjk_worker_name(int32_t worker)
{
    return worker >= 0 && worker < sjk_name_count ? sjk_names[worker] : NULL;
}

const char *sjk_worker_type(int32_t worker)
{
    return worker >= 0 && worker < sjk_name_count ? sjk_types[worker] : NULL;
}

/** Copies every worker's name and type name into pconf for the request hooks. */
static void sjk_copy_worker_names(apr_pool_t *pconf, sjk_config_t *config)
{
    int32_t count = 0, i;
    sjk_name_count = 0;
    if (sjk_config_worker_count(config, &count) != SJK_OK || count < 0) {
        return;
    }
    sjk_names = apr_pcalloc(pconf, sizeof(*sjk_names) * ((size_t)count + 1));
    sjk_types = apr_pcalloc(pconf, sizeof(*sjk_types) * ((size_t)count + 1));
    for (i = 0; i < count; i++) {
        sjk_str_t name, type;
        if (sjk_config_worker_info(config, i, &name, &type) == SJK_OK) {
            sjk_names[i] = apr_pstrmemdup(pconf, name.ptr, name.len);
            sjk_types[i] = apr_pstrmemdup(pconf, type.ptr, type.len);
        }
    }
    sjk_name_count = count;
}

/** Context of the diagnostics callback. */
typedef struct {
    server_rec *s;
    int errors;
} sjk_diag_ctx;

static void sjk_config_diagnostic(void *ctx, int32_t level, const char *message)
{
    sjk_diag_ctx *d = ctx;
    int ap_level = level == SJK_LOG_ERROR ? APLOG_ERR : level == SJK_LOG_WARNING ? APLOG_WARNING : APLOG_INFO;
    if (level == SJK_LOG_ERROR) {
        d->errors++;
    }
    ap_log_error(APLOG_MARK, ap_level | APLOG_NOERRNO, 0, d->s, "SJK0201: %s", message);
}

static apr_status_t sjk_config_cleanup(void *data)
{
    sjk_config_release(data);
    if (sjk_current_config == data) {
        sjk_current_config = NULL;
        sjk_name_count = 0;
    }
    return APR_SUCCESS;
}

/** Effective JkOptions of one server: defaults ForwardURIProxy + ForwardKeySize. */
static uint32_t sjk_effective_options(const sjk_server_conf *c)
{
    const uint32_t uri_group = SJK_OPT_FORWARD_URI_COMPAT | SJK_OPT_FORWARD_URI_COMPAT_UNPARSED |
                               SJK_OPT_FORWARD_URI_ESCAPED | SJK_OPT_FORWARD_URI_PROXY;
    uint32_t options = SJK_OPT_FORWARD_URI_PROXY | SJK_OPT_FORWARD_KEY_SIZE;
    if (c->options_plus & uri_group) {
        options &= ~uri_group;
    }
    return (options | c->options_plus) & ~c->options_minus;
}

sjk_config_t *sjk_build_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *main_server)
{
    apr_array_header_t *servers = apr_array_make(ptemp, 4, sizeof(sjk_server_input_t));
    apr_array_header_t *env_names = apr_array_make(ptemp, 4, sizeof(sjk_env_var_directive_t));
    sjk_config_input_t input;
    sjk_diag_ctx diag = {main_server, 0};
    sjk_config_t *config = NULL;
    server_rec *s;
    int threads = 1;
    int index = 0;

    for (s = main_server; s; s = s->next) {
        sjk_server_conf *c = sjk_server_config(s);
        sjk_server_input_t *in = apr_array_push(servers);
        int i;
        c->index = index++;
        c->options = sjk_effective_options(c);
        in->name = sjk_view(apr_psprintf(ptemp, "%s:%u", s->server_hostname ? s->server_hostname : "*",
                                         (unsigned)s->port));
        in->mounts = (const sjk_mount_directive_t *)c->mounts->elts;
        in->mount_count = (size_t)c->mounts->nelts;
        in->mount_file = sjk_view(c->mount_file);
        in->mount_file_reload = c->mount_file_reload;
        in->mount_copy = c->mount_copy;
        for (i = 0; i < c->env_vars->nelts; i++) {
            const sjk_env_var *e = &APR_ARRAY_IDX(c->env_vars, i, sjk_env_var);
            sjk_env_var_directive_t *d = apr_array_push(env_names);
            d->name = sjk_view(e->name);
            d->default_value = sjk_view(e->default_value);
            d->origin.file = sjk_view(e->file);
            d->origin.line = e->line;
        }
    }
    ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads);
    input.properties = (const sjk_property_line_t *)sjk_globals.properties->elts;
    input.property_count = (size_t)sjk_globals.properties->nelts;
    input.workers_file = sjk_view(sjk_globals.workers_file);
    input.server_root = sjk_view(ap_server_root);
    input.servers = (const sjk_server_input_t *)servers->elts;
    input.server_count = (size_t)servers->nelts;
    input.threads_per_child = threads > 0 ? threads : 1;
    input.env_vars = (const sjk_env_var_directive_t *)env_names->elts;
    input.env_var_count = (size_t)env_names->nelts;
    input.watchdog_interval = sjk_globals.watchdog_interval;

    if (sjk_config_create(&input, sjk_config_diagnostic, &diag, &config) != SJK_OK || !config) {
        ap_log_error(APLOG_MARK, APLOG_ERR | APLOG_NOERRNO, 0, main_server,
                     "SJK0202: SwiftJK configuration has %d error(s); see the messages above", diag.errors);
        return NULL;
    }
    apr_pool_cleanup_register(pconf, config, sjk_config_cleanup, apr_pool_cleanup_null);
    sjk_copy_worker_names(pconf, config);
    return config;
}
