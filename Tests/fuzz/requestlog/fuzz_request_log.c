/*
 * fuzz_request_log.c — libFuzzer target for the JkRequestLogFormat parser and writer
 * (CShim/sjk_request_log.c), the one input surface written in C. The input is split at NUL bytes
 * into: the format, then the method, URI, query string, protocol, request line and host name of a
 * request_rec built here. The format goes through the configuration check; every format (accepted
 * or not) is also written for that request, as a format reaches the writer only after the check
 * but the writer must not depend on it for memory safety.
 *
 * The few httpd functions the writer calls are defined here (httpd is not linked), each as httpd
 * defines its result for a request without a virtual host: that is the harness, not the code
 * under test.
 */
#include "sjk_shim.h"

#include "http_core.h"
#include "apr_strings.h"

#include <stdint.h>
#include <stdlib.h>

static size_t sjk_fuzz_written;

apr_port_t ap_get_server_port(const request_rec *r)
{
    return r->parsed_uri.port ? r->parsed_uri.port : 80;
}

const char *ap_get_server_name(request_rec *r)
{
    return r->hostname ? r->hostname : r->server->server_hostname;
}

void sjk_log_raw(server_rec *s, const char *message)
{
    (void)s;
    sjk_fuzz_written += strlen(message);
}

static apr_pool_t *sjk_fuzz_root;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    const char *fields[7] = {"", NULL, NULL, NULL, NULL, NULL, NULL};
    char *copy;
    size_t i, start = 0;
    int field = 0;
    request_rec r;
    server_rec s;

    if (!sjk_fuzz_root) {
        apr_initialize();
        apr_pool_create(&sjk_fuzz_root, NULL);
    }
    apr_pool_create(&p, sjk_fuzz_root);
    copy = apr_pcalloc(p, size + 1);
    memcpy(copy, data, size);
    for (i = 0; i <= size && field < 7; i++) {
        if (i == size || copy[i] == '\0') {
            fields[field++] = copy + start;
            start = i + 1;
        }
    }
    memset(&r, 0, sizeof(r));
    memset(&s, 0, sizeof(s));
    s.server_hostname = "fuzz.example";
    r.pool = p;
    r.server = &s;
    r.notes = apr_table_make(p, 2);
    r.method = fields[1] ? fields[1] : "GET";
    r.uri = (char *)(fields[2] ? fields[2] : "/");
    r.args = (char *)fields[3];
    r.protocol = (char *)(fields[4] ? fields[4] : "HTTP/1.1");
    r.the_request = fields[5] ? (char *)fields[5] : "GET / HTTP/1.1";
    r.hostname = fields[6];
    r.status = size > 2 ? 100 + data[size - 1] % 500 : 200;
    r.bytes_sent = (apr_off_t)size * 997;
    if (size > 3 && data[size - 2] & 1) {
        apr_table_setn(r.notes, "JK_WORKER_NAME", r.uri);
        apr_table_setn(r.notes, "JK_WORKER_ROUTE", r.method);
    }
    (void)sjk_check_request_log_format(p, fields[0]);
    sjk_write_request_log(&r, fields[0], apr_time_now() - 1500);
    apr_pool_destroy(p);
    return 0;
}
