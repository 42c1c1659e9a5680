/*
 * sjk_request_view.c — the read-only request view the core gets for one request: request_rec,
 * the headers, the JK_* environment overrides (JkEnvVar, the Jk*Indicator variables), TLS facts
 * and the client certificate chain, as borrowed sjk_str_t views (reference §3.4, §4.3).
 */
#include "sjk_shim.h"

#include "http_core.h"
#include "http_protocol.h"
#include "http_request.h"
#include "apr_strings.h"
#include "apr_lib.h"

static sjk_pair_t *sjk_headers(request_rec *r, size_t *count)
{
    const apr_array_header_t *arr = apr_table_elts(r->headers_in);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    sjk_pair_t *out = apr_palloc(r->pool, sizeof(sjk_pair_t) * (size_t)(arr->nelts + 1));
    int i;
    size_t n = 0;
    for (i = 0; i < arr->nelts; i++) {
        if (!e[i].key) {
            continue;
        }
        out[n].name = sjk_view(e[i].key);
        out[n].value = sjk_view(e[i].val ? e[i].val : "");
        n++;
    }
    *count = n;
    return out;
}

static const char *sjk_cert_chain(request_rec *r, const char *cert, const char *prefix)
{
    const apr_array_header_t *arr = apr_table_elts(r->subprocess_env);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    apr_size_t plen = strlen(prefix);
    int i;
    for (i = 0; i < arr->nelts; i++) {
        if (e[i].key && e[i].val && !strncasecmp(e[i].key, prefix, plen)) {
            cert = apr_pstrcat(r->pool, cert ? cert : "", e[i].val, NULL);
        }
    }
    return cert;
}

/** The JkEnvVar values of this request (unset ones with a default get the default). */
static void sjk_fill_env_attributes(request_rec *r, const sjk_server_conf *c, apr_array_header_t *env)
{
    int i;
    for (i = 0; i < c->env_vars->nelts; i++) {
        const sjk_env_var *e = &APR_ARRAY_IDX(c->env_vars, i, sjk_env_var);
        const char *value = apr_table_get(r->subprocess_env, e->name);
        sjk_pair_t *pair;
        if (!value) {
            value = e->default_value;
        }
        if (!value) {
            continue;
        }
        pair = apr_array_push(env);
        pair->name = sjk_view(e->name);
        pair->value = sjk_view(value);
    }
}

/** True when an environment variable may override a request field: a JkXxxIndicator names
 *  its own variable, or some variable starts with JK_ (the default names all do). Otherwise the
 *  dozen lookups of JK_REMOTE_ADDR, JK_ROUTE, ... are skipped. */
static int sjk_env_may_override(request_rec *r, const sjk_server_conf *c)
{
    const apr_array_header_t *arr;
    const apr_table_entry_t *e;
    int i;
    if (c->remote_addr_indicator || c->remote_port_indicator || c->remote_host_indicator ||
        c->remote_user_indicator || c->auth_type_indicator || c->local_name_indicator ||
        c->local_addr_indicator || c->local_port_indicator || c->ignore_cl_indicator) {
        return 1;
    }
    arr = apr_table_elts(r->subprocess_env);
    e = (const apr_table_entry_t *)arr->elts;
    for (i = 0; i < arr->nelts; i++) {
        const char *k = e[i].key;
        if (k && (k[0] == 'J' || k[0] == 'j') && (k[1] == 'K' || k[1] == 'k') && k[2] == '_') {
            return 1;
        }
    }
    return 0;
}

void sjk_fill_request(request_rec *r, sjk_server_conf *c, sjk_request_t *q)
{
    conn_rec *conn = r->connection;
    const char *v;
    apr_array_header_t *env;
    const int look = sjk_env_may_override(r, c);

    memset(q, 0, sizeof(*q));
    q->method = sjk_view(r->method);
    q->protocol = sjk_view(r->protocol);
    q->uri = sjk_view(r->uri);
    q->unparsed_uri = sjk_view(r->unparsed_uri);
    q->query = sjk_view(r->args);
    q->options = c->options;

    if (c->options & SJK_OPT_FORWARD_LOCAL_ADDRESS) {
        q->remote_addr = sjk_view(conn->local_ip);
        q->remote_port = sjk_view("0");
    }
    else if (c->options & SJK_OPT_FORWARD_PHYSICAL_ADDRESS) {
        q->remote_addr = sjk_view(conn->client_ip);
        q->remote_port = sjk_view(apr_itoa(r->pool, conn->client_addr ? conn->client_addr->port : 0));
    }
    else {
        q->remote_addr = sjk_view(r->useragent_ip);
        q->remote_port = sjk_view(apr_itoa(r->pool, r->useragent_addr ? r->useragent_addr->port : 0));
    }
    if (look && (v = sjk_env(r, c->remote_addr_indicator, "JK_REMOTE_ADDR")) && *v) {
        q->remote_addr = sjk_view(v);
    }
    if (look && (v = sjk_env(r, c->remote_port_indicator, "JK_REMOTE_PORT")) && *v) {
        q->remote_port = sjk_view(v);
    }
    q->remote_host = sjk_view(ap_get_remote_host(conn, r->per_dir_config, REMOTE_HOST, NULL));
    if (look && (v = sjk_env(r, c->remote_host_indicator, "JK_REMOTE_HOST")) && *v) {
        q->remote_host = sjk_view(v);
    }
    q->server_name = sjk_view(ap_get_server_name(r));
    if (look && (v = sjk_env(r, c->local_name_indicator, "JK_LOCAL_NAME"))) {
        q->server_name = sjk_view(v);
    }
    q->server_port = (int32_t)ap_get_server_port(r);
    if (look && (v = sjk_env(r, c->local_port_indicator, "JK_LOCAL_PORT"))) {
        q->server_port = atoi(v);
    }
    q->local_addr = sjk_view(conn->local_ip);
    if (look && (v = sjk_env(r, c->local_addr_indicator, "JK_LOCAL_ADDR"))) {
        q->local_addr = sjk_view(v);
    }
    q->remote_user = sjk_view(r->user);
    if (look && (v = sjk_env(r, c->remote_user_indicator, "JK_REMOTE_USER")) && *v) {
        q->remote_user = sjk_view(v);
    }
    q->auth_type = sjk_view(r->ap_auth_type);
    if (look && (v = sjk_env(r, c->auth_type_indicator, "JK_AUTH_TYPE")) && *v) {
        q->auth_type = sjk_view(v);
    }

    if (c->extract_ssl != 0) {
        v = sjk_env(r, c->https_indicator, "HTTPS");
        q->is_ssl = v && !strcasecmp(v, "on");
    }
    if (q->is_ssl) {
        const char *cert = sjk_env(r, c->certs_indicator, "SSL_CLIENT_CERT");
        if (c->options & SJK_OPT_FORWARD_SSL_CERT_CHAIN) {
            cert = sjk_cert_chain(r, cert, c->cert_chain_prefix ? c->cert_chain_prefix : "SSL_CLIENT_CERT_CHAIN_");
        }
        q->ssl_cert = sjk_view(cert);
        q->ssl_cipher = sjk_view(sjk_env(r, c->cipher_indicator, "SSL_CIPHER"));
        q->ssl_session = sjk_view(sjk_env(r, c->session_indicator, "SSL_SESSION_ID"));
        q->ssl_protocol = sjk_view(sjk_env(r, c->ssl_protocol_indicator, "SSL_PROTOCOL"));
        q->ssl_key_size = sjk_view(sjk_env(r, c->key_size_indicator, "SSL_CIPHER_USEKEYSIZE"));
    }

    q->headers = sjk_headers(r, &q->header_count);

    if (c->env_vars->nelts == 0) {
        q->env_attributes = NULL;
        q->env_attribute_count = 0;
    }
    else {
        env = apr_array_make(r->pool, c->env_vars->nelts, sizeof(sjk_pair_t));
        sjk_fill_env_attributes(r, c, env);
        q->env_attributes = (const sjk_pair_t *)env->elts;
        q->env_attribute_count = (size_t)env->nelts;
    }

    q->ignore_content_length = look && sjk_env(r, c->ignore_cl_indicator, "JK_IGNORE_CL") != NULL;
    q->route_env = sjk_view(look ? apr_table_get(r->subprocess_env, "JK_ROUTE") : NULL);
    q->sticky_ignore_env = sjk_view(look ? apr_table_get(r->subprocess_env, "JK_STICKY_IGNORE") : NULL);
    q->stateless_env = sjk_view(look ? apr_table_get(r->subprocess_env, "JK_STATELESS") : NULL);
    q->server_software = sjk_view(ap_get_server_description());
    q->is_subrequest = r->main != NULL;
    q->reply_timeout_ms = -1;
    if (look && (v = apr_table_get(r->subprocess_env, "JK_REPLY_TIMEOUT"))) {
        int t = atoi(v);
        q->reply_timeout_ms = t >= 0 ? t : -1;
    }
}

