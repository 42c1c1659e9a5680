/*
 * sjk_request.c — the request hooks: translate_name and map_to_storage map the URI through the
 * core, the handler builds a read-only request view of request_rec, hands the core a table of
 * callbacks (body read, response start, write, flush, log) and turns the outcome into an
 * httpd return code (reference §3.1, §3.2, §3.4, §3.6).
 */
#include "sjk_shim.h"

#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "util_filter.h"
#include "apr_strings.h"
#include "apr_date.h"
#include "apr_lib.h"

/** What translate_name found, kept for map_to_storage and the handler. */
typedef struct {
    sjk_mapping_t mapping;
    int translated;        /* translate_name already tried to map this request */
    int mapped;            /* translate/map_to_storage found a rule */
    int handled;           /* the handler forwarded the request */
    apr_time_t started;    /* when the handler started, for %T and JK_REQUEST_DURATION */
} sjk_request_state;

/** Maps r->uri; sets handler and notes on success. Returns OK, DECLINED or HTTP_BAD_REQUEST. */
static int sjk_map_request(request_rec *r)
{
    sjk_server_conf *c = sjk_server_config(r->server);
    sjk_request_state *st;
    sjk_mapping_t mapping;
    sjk_status_t rv;
    const char *name;

    if (!sjk_current_config || !r->uri || apr_table_get(r->subprocess_env, "no-jk")) {
        return DECLINED;
    }
    st = ap_get_module_config(r->request_config, &jk_module);
    if (!st) {
        st = apr_pcalloc(r->pool, sizeof(*st));
        ap_set_module_config(r->request_config, &jk_module, st);
    }
    st->translated = 1;
    rv = sjk_map_uri(sjk_current_config, c->index, sjk_view(r->uri), c->options, &mapping);
    if (rv == SJK_BAD_URI) {
        ap_log_rerror(APLOG_MARK, APLOG_EMERG, 0, r, "SJK0401: URI '%s' escapes the root; rejected with 400",
                      r->uri);
        return HTTP_BAD_REQUEST;
    }
    if (rv == SJK_UNSAFE_URI) {
        sjk_log_line(r->server, SJK_LOG_INFO,
                     apr_psprintf(r->pool, "Potentially unsafe request url '%s' rejected", r->uri));
        return DECLINED;
    }
    if (rv != SJK_OK) {
        return DECLINED;
    }
    st->mapping = mapping;
    st->mapped = 1;
    r->handler = SJK_HANDLER;
    name = mapping.worker >= 0 ? sjk_worker_name(mapping.worker) : "(undefined)";
    if (name) {
        apr_table_setn(r->notes, "JK_WORKER_NAME", name);
        if (r->main) {
            apr_table_setn(r->main->notes, "JK_WORKER_NAME", name);
        }
    }
    return OK;
}

/** JkAutoAlias (reference §5.7): serve <dir>/<context>/... directly for unmapped URIs whose
 *  first segment names a directory under dir; WEB-INF/META-INF are 404, *.war is 403. */
static int sjk_auto_alias(request_rec *r, sjk_server_conf *c)
{
    const char *context, *rest, *second_end;
    char *dir;
    apr_finfo_t finfo;
    if (!c->auto_alias || !r->uri || r->uri[0] != '/') {
        return DECLINED;
    }
    context = r->uri + 1;
    rest = strchr(context, '/');
    if (!rest) {
        return DECLINED;
    }
    if (rest - context > 4 && !strncasecmp(rest - 4, ".war", 4)) {
        return HTTP_FORBIDDEN;
    }
    second_end = strchr(rest + 1, '/');
    if (second_end) {
        apr_size_t n = (apr_size_t)(second_end - rest - 1);
        if ((n == 7 && !strncasecmp(rest + 1, "WEB-INF", 7)) || (n == 8 && !strncasecmp(rest + 1, "META-INF", 8))) {
            return HTTP_NOT_FOUND;
        }
    }
    dir = apr_pstrcat(r->pool, c->auto_alias, "/", apr_pstrndup(r->pool, context, (apr_size_t)(rest - context)), NULL);
    if (apr_stat(&finfo, dir, APR_FINFO_TYPE, r->pool) != APR_SUCCESS || finfo.filetype != APR_DIR) {
        return DECLINED;
    }
    r->filename = apr_pstrcat(r->pool, c->auto_alias, r->uri, NULL);
    return OK;
}

int sjk_translate(request_rec *r)
{
    int rv;
    if (r->proxyreq || (r->handler && !strcmp(r->handler, SJK_HANDLER))) {
        return DECLINED;
    }
    rv = sjk_map_request(r);
    if (rv == DECLINED && !apr_table_get(r->subprocess_env, "no-jk")) {
        rv = sjk_auto_alias(r, sjk_server_config(r->server));
    }
    /* DECLINED and errors pass through; on a match the core file name translation is skipped. */
    return rv;
}

/** JkStripSession: an unmapped URI loses its first session path parameter. */
static void sjk_strip_session_parameter(request_rec *r, sjk_server_conf *c)
{
    apr_size_t cap;
    char *out;
    size_t len;
    if (c->strip_session != 1 || !r->uri) {
        return;
    }
    cap = strlen(r->uri) + 1;
    out = apr_palloc(r->pool, cap);
    if (sjk_strip_session(sjk_view(r->uri), sjk_view(c->strip_session_name), out, cap, &len) == SJK_OK) {
        r->uri = out;
    }
    if (r->filename) {
        cap = strlen(r->filename) + 1;
        out = apr_palloc(r->pool, cap);
        if (sjk_strip_session(sjk_view(r->filename), sjk_view(c->strip_session_name), out, cap, &len) == SJK_OK) {
            r->filename = out;
        }
    }
}

int sjk_map_to_storage(request_rec *r)
{
    const char *slash;
    sjk_request_state *st = ap_get_module_config(r->request_config, &jk_module);
    /* Map again only when translate_name did not run for us (another module's won first). */
    if (!st || !st->mapped) {
        if (r->proxyreq || (st && st->translated) || sjk_map_request(r) != OK) {
            sjk_strip_session_parameter(r, sjk_server_config(r->server));
            return DECLINED;
        }
    }
    /* Mapped: only <Location> applies, as in mod_jk; r->filename is the last path part. */
    slash = r->uri ? strrchr(r->uri, '/') : NULL;
    r->filename = apr_pstrdup(r->pool, slash ? slash + 1 : "");
    return OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Host callbacks                                                                             */
/* ------------------------------------------------------------------------------------------ */

/** Per-request context handed to the core as host->ctx. */
typedef struct {
    request_rec *r;
    int body_ok;              /* ap_should_client_block said a body may be read */
    apr_bucket_brigade *bb;   /* response body not yet passed to the output filters */
    apr_size_t pending;       /* bytes in bb */
    int passed;               /* something was passed down the output filters */
} sjk_host_ctx;

/** Body bytes kept before they go down the output filters (what ap_rwrite buffers too). While
 *  nothing has been passed on, a failed attempt can still be withdrawn and failed over. */
#define SJK_OUTPUT_BUFFER 8000

static int32_t sjk_read_body(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
    sjk_host_ctx *h = ctx;
    long n;
    *got = 0;
    if (!h->body_ok || cap == 0) {
        return 0;
    }
    n = ap_get_client_block(h->r, (char *)buf, cap > 0x7fffffff ? 0x7fffffff : cap);
    if (n < 0) {
        return 1;
    }
    *got = (size_t)n;
    return 0;
}

static char *sjk_dup(apr_pool_t *p, sjk_str_t s)
{
    return s.ptr ? apr_pstrmemdup(p, s.ptr, s.len) : NULL;
}

/** True when `name` may be one of the headers sjk_start_response treats specially; a cheap
 *  length and first-letter test that spares most headers the string comparisons. */
static int sjk_is_special_response_header(size_t len, const char *name)
{
    switch (len) {
    case 8:  /* Location */
        return name[0] == 'L' || name[0] == 'l';
    case 12: /* Content-Type */
    case 14: /* Content-Length */
        return name[0] == 'C' || name[0] == 'c';
    case 13: /* Last-Modified */
        return name[0] == 'L' || name[0] == 'l';
    case 17: /* Transfer-Encoding */
        return name[0] == 'T' || name[0] == 't';
    default:
        return 0;
    }
}

static int32_t sjk_start_response(void *ctx, int32_t status, sjk_str_t reason, const sjk_pair_t *headers,
                                  size_t count)
{
    sjk_host_ctx *h = ctx;
    request_rec *r = h->r;
    size_t i;
    r->status = status;
    if (reason.ptr && reason.len > 0 && status >= 100 && status <= 999) {
        /* "<status> <reason>" without apr_psprintf; the reason stops at a NUL as with %.*s. */
        size_t len = strnlen(reason.ptr, reason.len);
        char *line = apr_palloc(r->pool, len + 5);
        line[0] = (char)('0' + status / 100);
        line[1] = (char)('0' + status / 10 % 10);
        line[2] = (char)('0' + status % 10);
        line[3] = ' ';
        memcpy(line + 4, reason.ptr, len);
        line[len + 4] = '\0';
        r->status_line = line;
    }
    else if (reason.ptr && reason.len > 0) {
        r->status_line = apr_psprintf(r->pool, "%d %.*s", (int)status, (int)reason.len, reason.ptr);
    }
    else {
        r->status_line = NULL;
    }
    for (i = 0; i < count; i++) {
        char *name = sjk_dup(r->pool, headers[i].name);
        char *value = sjk_dup(r->pool, headers[i].value);
        if (!name || !value) {
            continue;
        }
        if (!sjk_is_special_response_header(strlen(name), name)) {
            apr_table_addn(r->headers_out, name, value);
        }
        else if (!strcasecmp(name, "Content-Type")) {
            char *p;
            /* ASCII only, without a libc call per byte (httpd runs in the C locale). */
            for (p = value; *p && *p != ';'; p++) {
                if (*p >= 'A' && *p <= 'Z') {
                    *p = (char)(*p + ('a' - 'A'));
                }
            }
            ap_set_content_type(r, value);
        }
        else if (!strcasecmp(name, "Content-Length")) {
            apr_off_t len;
            if (apr_strtoff(&len, value, NULL, 10) == APR_SUCCESS && len >= 0) {
                ap_set_content_length(r, len);
            }
        }
        else if (!strcasecmp(name, "Last-Modified")) {
            ap_update_mtime(r, apr_date_parse_http(value));
            ap_set_last_modified(r);
        }
        else if (!strcasecmp(name, "Location") || !strcasecmp(name, "Transfer-Encoding")) {
            apr_table_set(r->headers_out, name, value);
        }
        else {
            apr_table_addn(r->headers_out, name, value);
        }
    }
    return 0;
}

/** Passes the kept body (and a flush bucket when asked) down the output filters. */
static int32_t sjk_pass(sjk_host_ctx *h, int flush)
{
    apr_status_t rv;
    if (flush) {
        APR_BRIGADE_INSERT_TAIL(h->bb, apr_bucket_flush_create(h->r->connection->bucket_alloc));
    }
    if (APR_BRIGADE_EMPTY(h->bb)) {
        return 0;
    }
    h->passed = 1;
    rv = ap_pass_brigade(h->r->output_filters, h->bb);
    apr_brigade_cleanup(h->bb);
    h->pending = 0;
    return rv == APR_SUCCESS && !h->r->connection->aborted ? 0 : 1;
}

static int32_t sjk_write(void *ctx, const uint8_t *buf, size_t len)
{
    sjk_host_ctx *h = ctx;
    if (h->r->header_only) {
        return 0;
    }
    if (h->r->connection->aborted) {
        return 1;
    }
    if (apr_brigade_write(h->bb, NULL, NULL, (const char *)buf, len) != APR_SUCCESS) {
        return 1;
    }
    h->pending += len;
    return h->pending >= SJK_OUTPUT_BUFFER ? sjk_pass(h, 0) : 0;
}

static int32_t sjk_flush(void *ctx)
{
    return sjk_pass(ctx, 1);
}

static int32_t sjk_reset_response(void *ctx)
{
    sjk_host_ctx *h = ctx;
    request_rec *r = h->r;
    if (h->passed || r->sent_bodyct || r->bytes_sent) {
        return 1;
    }
    apr_brigade_cleanup(h->bb);
    h->pending = 0;
    apr_table_clear(r->headers_out);
    r->status = HTTP_OK;
    r->status_line = NULL;
    r->content_type = NULL;
    r->clength = 0;
    return 0;
}

static void sjk_request_log(void *ctx, int32_t level, const char *message)
{
    sjk_host_ctx *h = ctx;
    sjk_log_line(h->r->server, level, message);
    if (level == SJK_LOG_ERROR) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, h->r, "SJK0402: %s", message);
    }
}

/** "seconds.microseconds" (JK_REQUEST_DURATION) without the cost of apr_psprintf. */
static const char *sjk_format_duration(apr_pool_t *p, apr_time_t took)
{
    char digits[24];
    char *out, *q;
    apr_uint64_t sec = took > 0 ? (apr_uint64_t)apr_time_sec(took) : 0;
    apr_uint64_t usec = took > 0 ? (apr_uint64_t)apr_time_usec(took) : 0;
    int n = 0, i;
    do {
        digits[n++] = (char)('0' + sec % 10);
        sec /= 10;
    } while (sec && n < 20);
    out = q = apr_palloc(p, (apr_size_t)n + 8);
    while (n > 0) {
        *q++ = digits[--n];
    }
    *q++ = '.';
    for (i = 5; i >= 0; i--) {
        q[i] = (char)('0' + usec % 10);
        usec /= 10;
    }
    q[6] = '\0';
    return out;
}

/** The response had started when the backend failed: end it as broken, as mod_proxy does. */
static void sjk_abort_response(request_rec *r)
{
    apr_bucket_brigade *bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    apr_bucket *e = ap_bucket_error_create(HTTP_BAD_GATEWAY, NULL, r->pool, r->connection->bucket_alloc);
    APR_BRIGADE_INSERT_TAIL(bb, e);
    e = apr_bucket_eos_create(r->connection->bucket_alloc);
    APR_BRIGADE_INSERT_TAIL(bb, e);
    ap_pass_brigade(r->output_filters, bb);
    r->connection->keepalive = AP_CONN_CLOSE;
    r->no_cache = 1;
}

int sjk_handler(request_rec *r)
{
    sjk_server_conf *c = sjk_server_config(r->server);
    sjk_request_state *st = ap_get_module_config(r->request_config, &jk_module);
    sjk_mapping_t mapping;
    sjk_request_t q;
    sjk_host_t host;
    sjk_host_ctx hctx;
    sjk_outcome_t outcome;
    const char *spec = NULL;
    int rv;

    if (!r->handler) {
        return DECLINED;
    }
    if (strcmp(r->handler, SJK_HANDLER) != 0 &&
        !((c->options & SJK_OPT_FORWARD_DIRECTORIES) && !strcmp(r->handler, DIR_MAGIC_TYPE) && st)) {
        return DECLINED;
    }
    if (!sjk_current_config || apr_table_get(r->subprocess_env, "no-jk")) {
        return DECLINED;
    }
    if (st && st->mapped) {
        mapping = st->mapping;
    }
    else if ((spec = sjk_env(r, c->worker_indicator, "JK_WORKER_NAME")) && *spec) {
        sjk_lookup_worker(sjk_current_config, sjk_view(spec), &mapping);
    }
    else {
        /* No implicit mapping (CVE-2023-41081): an unmapped request is declined. */
        sjk_status_t m = sjk_map_uri(sjk_current_config, c->index, sjk_view(r->uri), c->options, &mapping);
        if (m == SJK_BAD_URI) {
            return HTTP_BAD_REQUEST;
        }
        if (m != SJK_OK) {
            return DECLINED;
        }
    }
    if (r->proxyreq) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (mapping.worker < 0) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "SJK0403: Could not find a worker for worker name=%s",
                      spec ? spec : apr_table_get(r->notes, "JK_WORKER_NAME"));
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (!st) {
        st = apr_pcalloc(r->pool, sizeof(*st));
        ap_set_module_config(r->request_config, &jk_module, st);
    }
    st->handled = 1;
    st->started = apr_time_now();
    if ((rv = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK)) != OK) {
        return rv;
    }
    if (r->connection->aborted) {
        return OK;
    }
    sjk_fill_request(r, c, &q);
    if (spec && strchr(spec, ';')) {
        q.extension = sjk_view(strchr(spec, ';') + 1);
    }
    hctx.r = r;
    hctx.body_ok = ap_should_client_block(r);
    hctx.bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    hctx.pending = 0;
    hctx.passed = 0;
    host.ctx = &hctx;
    host.read_body = sjk_read_body;
    host.start_response = sjk_start_response;
    host.write = sjk_write;
    host.flush = sjk_flush;
    host.log = sjk_request_log;
    host.reset_response = sjk_reset_response;
    memset(&outcome, 0, sizeof(outcome));
    outcome.member = -1;
    if (sjk_service(sjk_current_config, &mapping, &q, &host, &outcome) != SJK_OK) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (sjk_worker_name(outcome.worker)) {
        apr_table_setn(r->notes, "JK_WORKER_NAME", sjk_worker_name(outcome.worker));
        apr_table_setn(r->notes, "JK_WORKER_TYPE", sjk_worker_type(outcome.worker));
    }
    if (sjk_worker_name(outcome.member)) {
        apr_table_setn(r->notes, "JK_LB_LAST_NAME", sjk_worker_name(outcome.member));
    }
    apr_table_setn(r->notes, "JK_REQUEST_DURATION", sjk_format_duration(r->pool, apr_time_now() - st->started));
    if (outcome.route.ptr) {
        apr_table_set(r->notes, "JK_WORKER_ROUTE", apr_pstrmemdup(r->pool, outcome.route.ptr, outcome.route.len));
    }
    if (outcome.response_started && !outcome.backend_broke && !outcome.client_error) {
        /* End the response with EOS ourselves (as mod_cgi and mod_proxy do): when the whole response
         * is still in this brigade, httpd's content-length filter then sets Content-Length, as it
         * does for mod_jk's buffered ap_rwrite output, instead of chunking a short response. */
        APR_BRIGADE_INSERT_TAIL(hctx.bb, apr_bucket_eos_create(r->connection->bucket_alloc));
        sjk_pass(&hctx, 0);
    }
    else {
        apr_brigade_cleanup(hctx.bb);
    }
    if (outcome.use_server_error) {
        /* use_server_errors: httpd's own error page; only WWW-Authenticate survives (T40). */
        const char *auth = apr_table_get(r->headers_out, "WWW-Authenticate");
        if (auth) {
            apr_table_setn(r->err_headers_out, "WWW-Authenticate", auth);
        }
        apr_table_clear(r->headers_out);
        r->status = HTTP_OK;
        r->status_line = NULL;
        return outcome.status;
    }
    if (outcome.response_started) {
        if (outcome.client_error) {
            r->connection->aborted = 1;
            return OK;
        }
        if (outcome.backend_broke) {
            if (!r->sent_bodyct && !hctx.passed) {
                /* Nothing reached the network yet (ap_rwrite buffers): answer with the error
                 * status as mod_jk does; httpd drops the buffered output with its error page. */
                apr_table_clear(r->headers_out);
                r->status = HTTP_OK;
                r->status_line = NULL;
                return outcome.status;
            }
            sjk_abort_response(r);
        }
        return OK;
    }
    if (outcome.client_error && outcome.status != HTTP_REQUEST_ENTITY_TOO_LARGE) {
        r->connection->keepalive = AP_CONN_CLOSE;
    }
    return outcome.status >= 400 ? outcome.status : OK;
}

int sjk_log_transaction(request_rec *r)
{
    sjk_request_state *st = ap_get_module_config(r->request_config, &jk_module);
    sjk_server_conf *c = sjk_server_config(r->server);
    if (st && st->handled && c->request_log_format) {
        sjk_write_request_log(r, c->request_log_format, st->started);
    }
    return DECLINED;
}
