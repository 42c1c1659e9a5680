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

/** The line being built: at most SJK_REQUEST_LOG_MAX bytes, longer text is cut. The JK log's own
 * limit is lower, so an over-long line still ends in "..." there, as before. One buffer per call: the cost is linear in the format,
 * where concatenating per character was quadratic (found by the requestlog fuzzer: a 20 KB format
 * took hundreds of MB of pool memory per request). */
#define SJK_REQUEST_LOG_MAX 1280

typedef struct {
    char text[SJK_REQUEST_LOG_MAX + 1];
    apr_size_t length;
} sjk_line_t;

static void sjk_append_bytes(sjk_line_t *line, const char *bytes, apr_size_t count)
{
    apr_size_t room = SJK_REQUEST_LOG_MAX - line->length;
    if (count > room) {
        count = room;
    }
    memcpy(line->text + line->length, bytes, count);
    line->length += count;
}

static void sjk_append(sjk_line_t *line, const char *text)
{
    if (text) {
        sjk_append_bytes(line, text, strlen(text));
    }
}

void sjk_write_request_log(request_rec *r, const char *format, apr_time_t started)
{
    sjk_line_t line;
    char number[64];
    const char *c;
    const char *worker = apr_table_get(r->notes, "JK_WORKER_NAME");
    const char *route = apr_table_get(r->notes, "JK_WORKER_ROUTE");
    apr_time_t duration = apr_time_now() - started;
    line.length = 0;
    for (c = format; *c && line.length < SJK_REQUEST_LOG_MAX; c++) {
        if (*c == '\\' && c[1]) {
            c++;
            sjk_append(&line, *c == 'n' ? "\n" : *c == 't' ? "\t" : "\\");
            continue;
        }
        if (*c != '%' || !c[1]) {
            sjk_append_bytes(&line, c, 1);
            continue;
        }
        switch (*++c) {
        case 'b':
            if (r->bytes_sent) {
                apr_snprintf(number, sizeof(number), "%" APR_OFF_T_FMT, r->bytes_sent);
                sjk_append(&line, number);
            }
            else {
                sjk_append(&line, "-");
            }
            break;
        case 'B':
            apr_snprintf(number, sizeof(number), "%" APR_OFF_T_FMT, r->bytes_sent);
            sjk_append(&line, number);
            break;
        case 'H':
            sjk_append(&line, r->protocol);
            break;
        case 'm':
            sjk_append(&line, r->method);
            break;
        case 'p':
            apr_snprintf(number, sizeof(number), "%d", (int)ap_get_server_port(r));
            sjk_append(&line, number);
            break;
        case 'q':
            if (r->args) {
                sjk_append(&line, "?");
                sjk_append(&line, r->args);
            }
            break;
        case 'r':
            sjk_append(&line, r->the_request);
            break;
        case 's':
            apr_snprintf(number, sizeof(number), "%d", r->status);
            sjk_append(&line, number);
            break;
        case 'T':
            apr_snprintf(number, sizeof(number), "%" APR_TIME_T_FMT ".%06" APR_TIME_T_FMT,
                         apr_time_sec(duration), apr_time_usec(duration));
            sjk_append(&line, number);
            break;
        case 'U':
            sjk_append(&line, r->uri);
            break;
        case 'v':
            sjk_append(&line, r->server->server_hostname);
            break;
        case 'V':
            sjk_append(&line, ap_get_server_name(r));
            break;
        case 'w':
            sjk_append(&line, worker ? worker : "-");
            break;
        case 'R':
            sjk_append(&line, route ? route : "-");
            break;
        default:
            break;
        }
    }
    line.text[line.length] = '\0';
    sjk_log_raw(r->server, line.text);
}
