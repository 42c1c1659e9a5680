/*
 * abi_test.c — calls the sjk_* functions of sjk_abi.h from C with C buffers, linked against the
 * static Swift library exactly as the module is (without Apache). Catches link breakage and
 * ABI drift: configuration errors with file:line, URI mapping, worker lookup, JkStripSession.
 * Prints "N passed, N failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sjk_abi.h"

static int passed, failed;

#define CHECK(cond, what)                                                   \
    do {                                                                    \
        if (cond) {                                                         \
            passed++;                                                       \
        }                                                                   \
        else {                                                              \
            failed++;                                                       \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, what);  \
        }                                                                   \
    } while (0)

static sjk_str_t view(const char *s)
{
    sjk_str_t v = {s, s ? strlen(s) : 0};
    return v;
}

static char last_error[512];
static int errors;

static void collect(void *ctx, int32_t level, const char *message)
{
    (void)ctx;
    if (level == SJK_LOG_ERROR) {
        errors++;
        snprintf(last_error, sizeof(last_error), "%s", message);
    }
}

static sjk_config_t *build(const char *const *properties, size_t count, const sjk_mount_directive_t *mounts,
                           size_t mount_count)
{
    sjk_property_line_t lines[8];
    sjk_server_input_t server;
    sjk_config_input_t input;
    sjk_config_t *config = NULL;
    size_t i;
    memset(&input, 0, sizeof(input));
    memset(&server, 0, sizeof(server));
    for (i = 0; i < count; i++) {
        lines[i].text = view(properties[i]);
        lines[i].origin.file = view("/etc/apache2/test.conf");
        lines[i].origin.line = (int32_t)(10 + i);
    }
    server.name = view("main:80");
    server.mounts = mounts;
    server.mount_count = mount_count;
    server.mount_file_reload = -1;
    server.mount_copy = SJK_MOUNT_COPY_UNSET;
    input.properties = lines;
    input.property_count = count;
    input.server_root = view("/etc/apache2");
    input.servers = &server;
    input.server_count = 1;
    input.threads_per_child = 4;
    errors = 0;
    last_error[0] = 0;
    if (sjk_config_create(&input, collect, NULL, &config) != SJK_OK) {
        return NULL;
    }
    return config;
}

int main(void)
{
    static const char *const good[] = {"worker.list=w1", "worker.w1.host=127.0.0.1", "worker.w1.port=28009"};
    static const char *const bad[] = {"worker.list=w1", "worker.w1.colour=blue"};
    sjk_mount_directive_t mounts[2];
    sjk_config_t *config;
    sjk_mapping_t mapping;
    sjk_str_t name, type;
    int32_t count = 0;
    char out[64];
    size_t len = 0;

    memset(mounts, 0, sizeof(mounts));
    mounts[0].pattern = view("/app/*");
    mounts[0].worker = view("w1");
    mounts[1].pattern = view("!/app/static/*");
    mounts[1].worker = view("*");

    config = build(bad, 2, NULL, 0);
    CHECK(config == NULL, "unknown attribute fails the configuration");
    CHECK(errors >= 1, "an error was reported");
    CHECK(strstr(last_error, "/etc/apache2/test.conf:11") != NULL, "error names file:line of the directive");
    CHECK(strstr(last_error, "colour") != NULL, "error names the attribute");

    config = build(good, 3, mounts, 2);
    CHECK(config != NULL, "valid configuration builds");
    if (!config) {
        printf("%d passed, %d failed\n", passed, failed);
        return 1;
    }
    CHECK(sjk_config_worker_count(config, &count) == SJK_OK && count == 1, "one worker");
    CHECK(sjk_config_worker_info(config, 0, &name, &type) == SJK_OK && !strcmp(name.ptr, "w1") &&
              !strcmp(type.ptr, "ajp13"), "worker 0 is ajp13 w1");
    CHECK(sjk_map_uri(config, 0, view("/app/x;jsessionid=1/y"), 0, &mapping) == SJK_OK && mapping.worker == 0,
          "/app/x;jsessionid=1/y maps to w1");
    CHECK(sjk_map_uri(config, 0, view("/app/static/a.css"), 0, &mapping) == SJK_NOT_MAPPED, "exclusion applies");
    CHECK(sjk_map_uri(config, 0, view("/app"), 0, &mapping) == SJK_NOT_MAPPED, "/app/* does not match /app");
    CHECK(sjk_map_uri(config, 0, view("/a/../../b"), 0, &mapping) == SJK_BAD_URI, "escaping the root is 400");
    CHECK(sjk_map_uri(config, 0, view("/app/a%b"), SJK_OPT_REJECT_UNSAFE_URI, &mapping) == SJK_UNSAFE_URI,
          "RejectUnsafeURI");
    CHECK(sjk_map_uri(config, 5, view("/app/x"), 0, &mapping) == SJK_ERR_ARGUMENT, "bad server index");
    CHECK(sjk_lookup_worker(config, view("w1;sticky_ignore=1"), &mapping) == SJK_OK && mapping.worker == 0,
          "JK_WORKER_NAME with extension");
    CHECK(sjk_lookup_worker(config, view("nosuch"), &mapping) == SJK_OK && mapping.worker == -1, "unknown worker");
    CHECK(sjk_strip_session(view("/a;jsessionid=X/b"), view(NULL), out, sizeof(out), &len) == SJK_OK &&
              !strcmp(out, "/a/b") && len == 4, "JkStripSession");
    CHECK(sjk_strip_session(view("/a/b"), view(NULL), out, sizeof(out), &len) == SJK_NOT_MAPPED,
          "nothing to strip");
    CHECK(sjk_strip_session(view("/a;jsessionid=X/bbbbbbbb"), view(NULL), out, 4, &len) == SJK_ERR_ARGUMENT,
          "output too small");
    CHECK(sjk_child_init(config) == SJK_OK && sjk_maintain(config, NULL, NULL) == SJK_OK, "child init and maintenance");
    CHECK(sjk_config_release(config) == SJK_OK, "release");
    CHECK(sjk_config_create(NULL, collect, NULL, &config) == SJK_ERR_ARGUMENT, "NULL input is refused");
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
