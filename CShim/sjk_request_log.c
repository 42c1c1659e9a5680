/*
 * sjk_request_log.c — JkRequestLogFormat: one line per forwarded request in the JK log
 * (reference §4.4). The format is checked when the directive is read; unknown specifiers are
 * configuration errors, as in mod_jk.
 */
#include "sjk_shim.h"

#include "http_core.h"
#include "http_log.h"
#include "apr_strings.h"

static const char sjk_request_log_specifiers[] = "bBHmpqrsTUvVwR";

const char *sjk_check_request_log_format(apr_pool_t *p, const char *format)
{
    const char *c;
    for (c = format; *c; c++) {
        if (*c == '%') {
            c++;
            if (!*c || !strchr(sjk_request_log_specifiers, *c)) {
                return apr_psprintf(p, "JkRequestLogFormat: unknown specifier '%%%c' (known: %%b %%B %%H %%m %%p "
                                    "%%q %%r %%s %%T %%U %%v %%V %%w %%R)", *c ? *c : ' ');
            }
        }
    }
    return NULL;
}

static void sjk_append(apr_pool_t *p, char **line, const char *text)
{
    *line = apr_pstrcat(p, *line, text ? text : "", NULL);
}

void sjk_write_request_log(request_rec *r, const char *format, apr_time_t started)
{
    char *line = "";
    const char *c;
    const char *worker = apr_table_get(r->notes, "JK_WORKER_NAME");
    const char *route = apr_table_get(r->notes, "JK_WORKER_ROUTE");
    apr_time_t duration = apr_time_now() - started;
    for (c = format; *c; c++) {
        if (*c == '\\' && c[1]) {
            c++;
            sjk_append(r->pool, &line, *c == 'n' ? "\n" : *c == 't' ? "\t" : "\\");
            continue;
        }
        if (*c != '%' || !c[1]) {
            line = apr_pstrcat(r->pool, line, apr_pstrndup(r->pool, c, 1), NULL);
            continue;
        }
        switch (*++c) {
        case 'b':
            sjk_append(r->pool, &line, r->bytes_sent ? apr_off_t_toa(r->pool, r->bytes_sent) : "-");
            break;
        case 'B':
            sjk_append(r->pool, &line, apr_off_t_toa(r->pool, r->bytes_sent));
            break;
        case 'H':
            sjk_append(r->pool, &line, r->protocol);
            break;
        case 'm':
            sjk_append(r->pool, &line, r->method);
            break;
        case 'p':
            sjk_append(r->pool, &line, apr_itoa(r->pool, (int)ap_get_server_port(r)));
            break;
        case 'q':
            sjk_append(r->pool, &line, r->args ? apr_pstrcat(r->pool, "?", r->args, NULL) : "");
            break;
        case 'r':
            sjk_append(r->pool, &line, r->the_request);
            break;
        case 's':
            sjk_append(r->pool, &line, apr_itoa(r->pool, r->status));
            break;
        case 'T':
            sjk_append(r->pool, &line, apr_psprintf(r->pool, "%" APR_TIME_T_FMT ".%06" APR_TIME_T_FMT,
                                                    apr_time_sec(duration), apr_time_usec(duration)));
            break;
        case 'U':
            sjk_append(r->pool, &line, r->uri);
            break;
        case 'v':
            sjk_append(r->pool, &line, r->server->server_hostname);
            break;
        case 'V':
            sjk_append(r->pool, &line, ap_get_server_name(r));
            break;
        case 'w':
            sjk_append(r->pool, &line, worker ? worker : "-");
            break;
        case 'R':
            sjk_append(r->pool, &line, route ? route : "-");
            break;
        default:
            break;
        }
    }
    sjk_log_raw(r->server, line);
}
