/*
 * sjk_directives.c — the Jk* directive table of mod_jk 1.2.48 (reference §4.1, §4.2) and the
 * per-server configuration it fills. Values are stored as written; the Swift core interprets
 * them. Directive names are case-insensitive (httpd compares them that way).
 */
#include "sjk_shim.h"

#include "http_log.h"
#include "apr_strings.h"

sjk_global_conf sjk_globals;

void sjk_reset_globals(apr_pool_t *p)
{
    sjk_globals.workers_file = NULL;
    sjk_globals.properties = apr_array_make(p, 8, sizeof(sjk_property_line_t));
    sjk_globals.shm_file = NULL;
    sjk_globals.shm_size_kb = 0;
    sjk_globals.watchdog_interval = 0;
}

sjk_server_conf *sjk_server_config(server_rec *s)
{
    return ap_get_module_config(s->module_config, &jk_module);
}

void *sjk_create_server_conf(apr_pool_t *p, server_rec *s)
{
    sjk_server_conf *c = apr_pcalloc(p, sizeof(*c));
    (void)s;
    c->index = -1;
    c->mounts = apr_array_make(p, 4, sizeof(sjk_mount_directive_t));
    c->mount_file_reload = -1;
    c->mount_copy = SJK_MOUNT_COPY_UNSET;
    c->log_level = -1;
    c->env_vars = apr_array_make(p, 2, sizeof(sjk_env_var));
    c->strip_session = -1;
    c->extract_ssl = -1;
    if (!sjk_globals.properties) {
        sjk_reset_globals(p);
    }
    return c;
}

#define SJK_INHERIT(field) m->field = add->field ? add->field : base->field

/* JkOptions groups whose members exclude each other: a vhost's explicit choice wins. */
#define SJK_URI_OPTIONS (SJK_OPT_FORWARD_URI_COMPAT | SJK_OPT_FORWARD_URI_COMPAT_UNPARSED | \
                         SJK_OPT_FORWARD_URI_ESCAPED | SJK_OPT_FORWARD_URI_PROXY)

void *sjk_merge_server_conf(apr_pool_t *p, void *base_conf, void *add_conf)
{
    sjk_server_conf *base = base_conf;
    sjk_server_conf *add = add_conf;
    sjk_server_conf *m = apr_pmemdup(p, add, sizeof(*m));
    int i;

    /* Mount rules are not inherited (JkMountCopy decides, in the core). */
    m->mount_file_reload = add->mount_file_reload >= 0 ? add->mount_file_reload : base->mount_file_reload;
    if (add->mount_copy == SJK_MOUNT_COPY_UNSET && base->mount_copy == SJK_MOUNT_COPY_ALL) {
        m->mount_copy = SJK_MOUNT_COPY_ON;
    }
    SJK_INHERIT(log_file);
    m->log_level = add->log_level >= 0 ? add->log_level : base->log_level;
    SJK_INHERIT(stamp_format);
    SJK_INHERIT(request_log_format);
    m->strip_session = add->strip_session >= 0 ? add->strip_session : base->strip_session;
    SJK_INHERIT(strip_session_name);
    m->extract_ssl = add->extract_ssl >= 0 ? add->extract_ssl : base->extract_ssl;
    SJK_INHERIT(worker_indicator);
    SJK_INHERIT(remote_addr_indicator);
    SJK_INHERIT(remote_port_indicator);
    SJK_INHERIT(remote_host_indicator);
    SJK_INHERIT(remote_user_indicator);
    SJK_INHERIT(auth_type_indicator);
    SJK_INHERIT(local_name_indicator);
    SJK_INHERIT(local_addr_indicator);
    SJK_INHERIT(local_port_indicator);
    SJK_INHERIT(ignore_cl_indicator);
    SJK_INHERIT(https_indicator);
    SJK_INHERIT(ssl_protocol_indicator);
    SJK_INHERIT(certs_indicator);
    SJK_INHERIT(cipher_indicator);
    SJK_INHERIT(session_indicator);
    SJK_INHERIT(key_size_indicator);
    SJK_INHERIT(cert_chain_prefix);
    /* JkAutoAlias is inherited with JkMountCopy, like the mount file (reference §4.1). */
    m->auto_alias = add->auto_alias ? add->auto_alias
                  : (m->mount_copy == SJK_MOUNT_COPY_ON ? base->auto_alias : NULL);

    /* vhost = (main_plus - main_minus) + vhost_plus - vhost_minus (reference §4.2). */
    m->options_plus = (base->options_plus & ~base->options_minus);
    if (add->options_plus & SJK_URI_OPTIONS) {
        m->options_plus &= ~SJK_URI_OPTIONS;
    }
    m->options_plus = (m->options_plus | add->options_plus) & ~add->options_minus;
    m->options_minus = (base->options_minus & ~add->options_plus) | add->options_minus;

    /* JkEnvVar lists merge; the vhost's entries win on equal names. */
    m->env_vars = apr_array_copy(p, add->env_vars);
    for (i = 0; i < base->env_vars->nelts; i++) {
        const sjk_env_var *e = &APR_ARRAY_IDX(base->env_vars, i, sjk_env_var);
        int j, found = 0;
        for (j = 0; j < add->env_vars->nelts; j++) {
            if (!strcmp(APR_ARRAY_IDX(add->env_vars, j, sjk_env_var).name, e->name)) {
                found = 1;
                break;
            }
        }
        if (!found) {
            APR_ARRAY_PUSH(m->env_vars, sjk_env_var) = *e;
        }
    }
    return m;
}

static sjk_origin_t sjk_origin(cmd_parms *cmd)
{
    sjk_origin_t o;
    o.file = sjk_view(cmd->directive ? cmd->directive->filename : "httpd.conf");
    o.line = cmd->directive ? cmd->directive->line_num : 0;
    return o;
}

static const char *sjk_main_only(cmd_parms *cmd)
{
    if (cmd->server->is_virtual) {
        return apr_psprintf(cmd->pool, "%s is only allowed in the main server, not inside <VirtualHost>",
                            cmd->cmd->name);
    }
    return NULL;
}

static const char *set_workers_file(cmd_parms *cmd, void *dc, const char *path)
{
    const char *err = sjk_main_only(cmd);
    apr_finfo_t finfo;
    (void)dc;
    if (err) {
        return err;
    }
    if (sjk_globals.workers_file) {
        return "JkWorkersFile only allowed once (is a second configuration included, e.g. Debian's jk.conf "
               "as well as swiftjk.conf? Enable only one of the modules jk and swiftjk)";
    }
    sjk_globals.workers_file = ap_server_root_relative(cmd->pool, path);
    if (!sjk_globals.workers_file) {
        return apr_pstrcat(cmd->pool, "JkWorkersFile: invalid path ", path, NULL);
    }
    if (apr_stat(&finfo, sjk_globals.workers_file, APR_FINFO_TYPE, cmd->temp_pool) != APR_SUCCESS) {
        return apr_pstrcat(cmd->pool, "JkWorkersFile: cannot read ", sjk_globals.workers_file,
                           " (file missing or not readable)", NULL);
    }
    return NULL;
}

static const char *add_worker_property(cmd_parms *cmd, void *dc, const char *line)
{
    const char *err = sjk_main_only(cmd);
    sjk_property_line_t *p;
    (void)dc;
    if (err) {
        return err;
    }
    if (!strchr(line, '=')) {
        return apr_pstrcat(cmd->pool, "Invalid JkWorkerProperty ", line, " (expected worker.name.attribute=value)",
                           NULL);
    }
    p = apr_array_push(sjk_globals.properties);
    p->text = sjk_view(apr_pstrdup(cmd->pool, line));
    p->origin = sjk_origin(cmd);
    return NULL;
}

static const char *add_mount(cmd_parms *cmd, const char *a1, const char *a2, int unmount)
{
    sjk_server_conf *c = sjk_server_config(cmd->server);
    sjk_mount_directive_t *m;
    const char *pattern, *worker;

    if (cmd->path) {
        /* Inside <Location p>: one argument (the worker); the pattern is p verbatim. */
        if (a2) {
            return apr_pstrcat(cmd->pool, cmd->cmd->name, " inside <Location> takes only the worker name", NULL);
        }
        pattern = cmd->path;
        worker = a1;
    }
    else {
        if (!a2) {
            return apr_pstrcat(cmd->pool, cmd->cmd->name, " needs a URI pattern and a worker name", NULL);
        }
        pattern = a1;
        worker = a2;
    }
    if (pattern[0] != '/') {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, " pattern '", pattern, "' must start with '/'", NULL);
    }
    m = apr_array_push(c->mounts);
    m->pattern = sjk_view(unmount ? apr_pstrcat(cmd->pool, "!", pattern, NULL) : apr_pstrdup(cmd->pool, pattern));
    m->worker = sjk_view(apr_pstrdup(cmd->pool, worker));
    m->origin = sjk_origin(cmd);
    return NULL;
}

static const char *jk_mount(cmd_parms *cmd, void *dc, const char *a1, const char *a2)
{
    (void)dc;
    return add_mount(cmd, a1, a2, 0);
}

static const char *jk_unmount(cmd_parms *cmd, void *dc, const char *a1, const char *a2)
{
    (void)dc;
    return add_mount(cmd, a1, a2, 1);
}

static const char *set_mount_file(cmd_parms *cmd, void *dc, const char *path)
{
    sjk_server_conf *c = sjk_server_config(cmd->server);
    apr_finfo_t finfo;
    (void)dc;
    c->mount_file = ap_server_root_relative(cmd->pool, path);
    if (!c->mount_file || apr_stat(&finfo, c->mount_file, APR_FINFO_TYPE, cmd->temp_pool) != APR_SUCCESS) {
        return apr_pstrcat(cmd->pool, "JkMountFile: cannot read ", path, NULL);
    }
    return NULL;
}

static const char *set_mount_file_reload(cmd_parms *cmd, void *dc, const char *secs)
{
    int v = atoi(secs);
    (void)dc;
    sjk_server_config(cmd->server)->mount_file_reload = v < 0 ? 0 : v;
    return NULL;
}

static const char *set_mount_copy(cmd_parms *cmd, void *dc, const char *value)
{
    sjk_server_conf *c = sjk_server_config(cmd->server);
    (void)dc;
    if (!strcasecmp(value, "on")) {
        c->mount_copy = SJK_MOUNT_COPY_ON;
    }
    else if (!strcasecmp(value, "off")) {
        c->mount_copy = SJK_MOUNT_COPY_OFF;
    }
    else if (!strcasecmp(value, "all")) {
        if (cmd->server->is_virtual) {
            return "JkMountCopy All is only allowed in the main server";
        }
        c->mount_copy = SJK_MOUNT_COPY_ALL;
    }
    else {
        return "JkMountCopy must be On, Off or All";
    }
    return NULL;
}

static const char *set_log_file(cmd_parms *cmd, void *dc, const char *path)
{
    (void)dc;
    sjk_server_config(cmd->server)->log_file = apr_pstrdup(cmd->pool, path);
    return NULL;
}

static const char *set_log_level(cmd_parms *cmd, void *dc, const char *level)
{
    sjk_server_conf *c = sjk_server_config(cmd->server);
    (void)dc;
    if (!strcasecmp(level, "trace")) {
        c->log_level = SJK_LOG_TRACE;
    }
    else if (!strcasecmp(level, "debug")) {
        c->log_level = SJK_LOG_DEBUG;
    }
    else if (!strcasecmp(level, "warn")) {
        c->log_level = SJK_LOG_WARNING;
    }
    else if (!strcasecmp(level, "error") || !strcasecmp(level, "emerg")) {
        c->log_level = SJK_LOG_ERROR;
    }
    else {
        /* mod_jk: "info" and anything unknown mean info. */
        c->log_level = SJK_LOG_INFO;
    }
    return NULL;
}

static const char *set_server_string(cmd_parms *cmd, void *dc, const char *value)
{
    char *base = (char *)sjk_server_config(cmd->server);
    (void)dc;
    *(const char **)(base + (apr_size_t)cmd->info) = apr_pstrdup(cmd->pool, value);
    return NULL;
}

static const char *set_request_log_format(cmd_parms *cmd, void *dc, const char *format)
{
    const char *err = sjk_check_request_log_format(cmd->pool, format);
    (void)dc;
    if (err) {
        return err;
    }
    sjk_server_config(cmd->server)->request_log_format = apr_pstrdup(cmd->pool, format);
    return NULL;
}

static const char *set_shm_file(cmd_parms *cmd, void *dc, const char *path)
{
    const char *err = sjk_main_only(cmd);
    (void)dc;
    if (err) {
        return err;
    }
    sjk_globals.shm_file = ap_server_root_relative(cmd->pool, path);
    return NULL;
}

static const char *set_shm_size(cmd_parms *cmd, void *dc, const char *kb)
{
    const char *err = sjk_main_only(cmd);
    (void)dc;
    if (err) {
        return err;
    }
    sjk_globals.shm_size_kb = atoi(kb);
    ap_log_error(APLOG_MARK, APLOG_WARNING, 0, cmd->server,
                 "SJK0101: JkShmSize is deprecated; SwiftJK sizes the shared memory automatically");
    return NULL;
}

static const char *set_watchdog(cmd_parms *cmd, void *dc, const char *secs)
{
    const char *err = sjk_main_only(cmd);
    (void)dc;
    if (err) {
        return err;
    }
    sjk_globals.watchdog_interval = atoi(secs) < 0 ? 0 : atoi(secs);
    return NULL;
}

/** JkOptions names and their bits. */
static const struct {
    const char *name;
    uint32_t bit;
} sjk_option_names[] = {
    {"ForwardURICompat", SJK_OPT_FORWARD_URI_COMPAT},
    {"ForwardURICompatUnparsed", SJK_OPT_FORWARD_URI_COMPAT_UNPARSED},
    {"ForwardURIEscaped", SJK_OPT_FORWARD_URI_ESCAPED},
    {"ForwardURIProxy", SJK_OPT_FORWARD_URI_PROXY},
    {"ForwardDirectories", SJK_OPT_FORWARD_DIRECTORIES},
    {"ForwardLocalAddress", SJK_OPT_FORWARD_LOCAL_ADDRESS},
    {"ForwardPhysicalAddress", SJK_OPT_FORWARD_PHYSICAL_ADDRESS},
    {"FlushPackets", SJK_OPT_FLUSH_PACKETS},
    {"FlushHeader", SJK_OPT_FLUSH_HEADER},
    {"DisableReuse", SJK_OPT_DISABLE_REUSE},
    {"ForwardSSLCertChain", SJK_OPT_FORWARD_SSL_CERT_CHAIN},
    {"ForwardKeySize", SJK_OPT_FORWARD_KEY_SIZE},
    {"RejectUnsafeURI", SJK_OPT_REJECT_UNSAFE_URI},
    {NULL, 0}};

static const char *set_options(cmd_parms *cmd, void *dc, const char *args)
{
    sjk_server_conf *c = sjk_server_config(cmd->server);
    (void)dc;
    while (*args) {
        char *word = ap_getword_conf(cmd->pool, &args);
        char sign = '+';
        int i;
        if (!*word) {
            break;
        }
        if (*word == '+' || *word == '-') {
            sign = *word++;
        }
        if (!strncasecmp(word, "CollapseSlashes", 15)) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, cmd->server,
                         "SJK0102: Deprecated CollapseSlashes setting ignored (%s)", word);
            continue;
        }
        for (i = 0; sjk_option_names[i].name; i++) {
            if (!strcasecmp(word, sjk_option_names[i].name)) {
                break;
            }
        }
        if (!sjk_option_names[i].name) {
            return apr_pstrcat(cmd->pool, "JkOptions: unknown option '", word, "'", NULL);
        }
        if (sign == '-' && (sjk_option_names[i].bit & SJK_URI_OPTIONS)) {
            return apr_pstrcat(cmd->pool, "JkOptions: '-", word, "' is not allowed; choose one ForwardURI option",
                               NULL);
        }
        if (sign == '+') {
            if (sjk_option_names[i].bit & SJK_URI_OPTIONS) {
                c->options_plus &= ~SJK_URI_OPTIONS;
            }
            c->options_plus |= sjk_option_names[i].bit;
            c->options_minus &= ~sjk_option_names[i].bit;
        }
        else {
            c->options_minus |= sjk_option_names[i].bit;
            c->options_plus &= ~sjk_option_names[i].bit;
        }
    }
    return NULL;
}

static const char *add_env_var(cmd_parms *cmd, void *dc, const char *name, const char *value)
{
    sjk_server_conf *c = sjk_server_config(cmd->server);
    sjk_env_var *e = apr_array_push(c->env_vars);
    (void)dc;
    e->name = apr_pstrdup(cmd->pool, name);
    /* httpd passes an empty second argument as absent, as mod_jk sees it (reference §4.1). */
    e->default_value = (value && *value) ? apr_pstrdup(cmd->pool, value) : NULL;
    e->file = cmd->directive ? cmd->directive->filename : "httpd.conf";
    e->line = cmd->directive ? cmd->directive->line_num : 0;
    return NULL;
}

static const char *set_strip_session(cmd_parms *cmd, void *dc, const char *flag, const char *name)
{
    sjk_server_conf *c = sjk_server_config(cmd->server);
    (void)dc;
    if (!strcasecmp(flag, "on")) {
        c->strip_session = 1;
    }
    else if (!strcasecmp(flag, "off")) {
        c->strip_session = 0;
    }
    else {
        return "JkStripSession must be On or Off";
    }
    if (name) {
        c->strip_session_name = apr_pstrdup(cmd->pool, name);
    }
    return NULL;
}

static const char *set_extract_ssl(cmd_parms *cmd, void *dc, int flag)
{
    (void)dc;
    sjk_server_config(cmd->server)->extract_ssl = flag;
    return NULL;
}

static const char *set_auto_alias(cmd_parms *cmd, void *dc, const char *dir)
{
    (void)dc;
    sjk_server_config(cmd->server)->auto_alias = ap_server_root_relative(cmd->pool, dir);
    return NULL;
}

#define SJK_STR(name, field, help) \
    AP_INIT_TAKE1(name, set_server_string, (void *)APR_OFFSETOF(sjk_server_conf, field), RSRC_CONF, help)

const command_rec sjk_directives[] = {
    AP_INIT_TAKE1("JkWorkersFile", set_workers_file, NULL, RSRC_CONF, "workers.properties file"),
    AP_INIT_RAW_ARGS("JkWorkerProperty", add_worker_property, NULL, RSRC_CONF, "one workers.properties line"),
    AP_INIT_TAKE12("JkMount", jk_mount, NULL, RSRC_CONF | ACCESS_CONF, "URI pattern and worker"),
    AP_INIT_TAKE12("JkUnMount", jk_unmount, NULL, RSRC_CONF | ACCESS_CONF, "URI pattern and worker to exclude"),
    AP_INIT_TAKE1("JkMountFile", set_mount_file, NULL, RSRC_CONF, "uriworkermap.properties file"),
    AP_INIT_TAKE1("JkMountFileReload", set_mount_file_reload, NULL, RSRC_CONF, "seconds between mount file checks"),
    AP_INIT_TAKE1("JkMountCopy", set_mount_copy, NULL, RSRC_CONF, "On, Off or All"),
    AP_INIT_TAKE1("JkAutoAlias", set_auto_alias, NULL, RSRC_CONF, "Tomcat webapps directory"),
    AP_INIT_TAKE1("JkLogFile", set_log_file, NULL, RSRC_CONF, "JK log file or |piped command"),
    AP_INIT_TAKE1("JkLogLevel", set_log_level, NULL, RSRC_CONF, "trace, debug, info, warn, error"),
    SJK_STR("JkLogStampFormat", stamp_format, "strftime format with %Q/%q"),
    AP_INIT_TAKE1("JkRequestLogFormat", set_request_log_format, NULL, RSRC_CONF, "per-request JK log line format"),
    AP_INIT_TAKE1("JkShmFile", set_shm_file, NULL, RSRC_CONF, "shared memory file"),
    AP_INIT_TAKE1("JkShmSize", set_shm_size, NULL, RSRC_CONF, "shared memory size in kB (deprecated)"),
    AP_INIT_TAKE1("JkWatchdogInterval", set_watchdog, NULL, RSRC_CONF, "seconds between maintenance runs"),
    AP_INIT_RAW_ARGS("JkOptions", set_options, NULL, RSRC_CONF, "[+|-]option ..."),
    AP_INIT_TAKE12("JkEnvVar", add_env_var, NULL, RSRC_CONF, "environment variable forwarded as attribute"),
    AP_INIT_TAKE12("JkStripSession", set_strip_session, NULL, RSRC_CONF, "On/Off [session parameter]"),
    AP_INIT_FLAG("JkExtractSSL", set_extract_ssl, NULL, RSRC_CONF, "forward SSL information"),
    SJK_STR("JkWorkerIndicator", worker_indicator, "env var naming the worker"),
    SJK_STR("JkRemoteAddrIndicator", remote_addr_indicator, "env var overriding the remote address"),
    SJK_STR("JkRemotePortIndicator", remote_port_indicator, "env var overriding the remote port"),
    SJK_STR("JkRemoteHostIndicator", remote_host_indicator, "env var overriding the remote host"),
    SJK_STR("JkRemoteUserIndicator", remote_user_indicator, "env var overriding the remote user"),
    SJK_STR("JkAuthTypeIndicator", auth_type_indicator, "env var overriding the auth type"),
    SJK_STR("JkLocalNameIndicator", local_name_indicator, "env var overriding the server name"),
    SJK_STR("JkLocalAddrIndicator", local_addr_indicator, "env var overriding the local address"),
    SJK_STR("JkLocalPortIndicator", local_port_indicator, "env var overriding the server port"),
    SJK_STR("JkIgnoreCLIndicator", ignore_cl_indicator, "env var making the body length unknown"),
    SJK_STR("JkHTTPSIndicator", https_indicator, "env var telling the request is HTTPS"),
    SJK_STR("JkSSLPROTOCOLIndicator", ssl_protocol_indicator, "env var with the SSL protocol"),
    SJK_STR("JkCERTSIndicator", certs_indicator, "env var with the client certificate"),
    SJK_STR("JkCIPHERIndicator", cipher_indicator, "env var with the cipher"),
    SJK_STR("JkSESSIONIndicator", session_indicator, "env var with the SSL session id"),
    SJK_STR("JkKEYSIZEIndicator", key_size_indicator, "env var with the key size"),
    SJK_STR("JkCERTCHAINPrefix", cert_chain_prefix, "prefix of env vars with chain certificates"),
    {NULL}};
