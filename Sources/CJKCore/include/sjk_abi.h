/*
 * sjk_abi.h — the only contract between the C shim (CShim/, Apache glue) and the Swift core
 * (Sources/JKCore). Swift implements every function declared here with `@c @implementation`,
 * so a signature that drifts from this header does not compile.
 *
 * Rules: only C types cross (integers, byte views, POD structs, opaque handles, callback
 * tables); every function returns an sjk_status_t and writes outputs to its last parameters;
 * byte views are borrowed for the duration of the call unless a comment says otherwise.
 * This header includes nothing but <stdint.h> and <stddef.h>.
 */
#ifndef SJK_ABI_H
#define SJK_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Common types                                                                               */
/* ------------------------------------------------------------------------------------------ */

/** SwiftJK's version (the Server header component, the status worker, the metrics). */
#define SJK_VERSION "0.2.0"

/** Result of every sjk_* call. */
typedef int32_t sjk_status_t;
enum {
    SJK_OK = 0,            /**< success */
    SJK_ERR_CONFIG = 1,    /**< configuration invalid; diagnostics were reported */
    SJK_ERR_ARGUMENT = 2,  /**< a NULL handle or an out-of-range index was passed */
    SJK_NOT_MAPPED = 3,    /**< sjk_map_uri: no rule maps the URI */
    SJK_BAD_URI = 4,       /**< sjk_map_uri: the URI escapes the root; answer 400 */
    SJK_UNSAFE_URI = 5     /**< sjk_map_uri: RejectUnsafeURI refused a URI with '%' or '\\' */
};

/** A borrowed byte string. ptr == NULL means "absent" (AJP null string); len 0 with a
 *  non-NULL ptr is the empty string. Bytes need not be NUL-terminated. */
typedef struct sjk_str {
    const char *ptr;
    size_t len;
} sjk_str_t;

/** One name/value pair (request header, response header, or environment attribute). */
typedef struct sjk_pair {
    sjk_str_t name;
    sjk_str_t value;
} sjk_pair_t;

/** Severity of a message handed to a log callback. */
enum {
    SJK_LOG_ERROR = 0,
    SJK_LOG_WARNING = 1,
    SJK_LOG_INFO = 2,
    SJK_LOG_DEBUG = 3,
    SJK_LOG_TRACE = 4
};

/** Log sink: message is NUL-terminated and already carries file:line where relevant. */
typedef void (*sjk_log_fn)(void *ctx, int32_t level, const char *message);

/* ------------------------------------------------------------------------------------------ */
/* Configuration (parent process, config time)                                                */
/* ------------------------------------------------------------------------------------------ */

/** Opaque, immutable after creation: workers, URI maps, per-process connection pools. */
typedef struct sjk_config sjk_config_t;

/** Where a directive was written. */
typedef struct sjk_origin {
    sjk_str_t file;
    int32_t line;
} sjk_origin_t;

/** One JkWorkerProperty line. */
typedef struct sjk_property_line {
    sjk_str_t text;
    sjk_origin_t origin;
} sjk_property_line_t;

/** One JkMount / JkUnMount. For JkUnMount the pattern carries a leading '!'. Inside
 *  <Location p> the shim passes p verbatim as the pattern. */
typedef struct sjk_mount_directive {
    sjk_str_t pattern;
    sjk_str_t worker;      /**< worker name with optional ";ext=..." rule extensions */
    sjk_origin_t origin;
} sjk_mount_directive_t;

/** JkMountCopy values. */
enum { SJK_MOUNT_COPY_OFF = 0, SJK_MOUNT_COPY_ON = 1, SJK_MOUNT_COPY_ALL = 2, SJK_MOUNT_COPY_UNSET = -1 };

/** The mapping-related configuration of one server (index 0: the main server). */
typedef struct sjk_server_input {
    sjk_str_t name;                          /**< "host:port" for messages */
    const sjk_mount_directive_t *mounts;
    size_t mount_count;
    sjk_str_t mount_file;                    /**< absolute path of JkMountFile, or absent */
    int32_t mount_file_reload;               /**< seconds; -1 = inherit/default (60) */
    int32_t mount_copy;                      /**< SJK_MOUNT_COPY_* */
} sjk_server_input_t;

/** One JkEnvVar directive. */
typedef struct sjk_env_var_directive {
    sjk_str_t name;
    sjk_str_t default_value;                 /**< absent: sent only when set at runtime */
    sjk_origin_t origin;
} sjk_env_var_directive_t;

/** Everything the core needs to build a configuration. */
typedef struct sjk_config_input {
    const sjk_property_line_t *properties;   /**< JkWorkerProperty lines in config order */
    size_t property_count;
    sjk_str_t workers_file;                  /**< absolute path of JkWorkersFile, or absent */
    sjk_str_t server_root;
    const sjk_server_input_t *servers;
    size_t server_count;
    int32_t threads_per_child;               /**< default connection_pool_size (1 for prefork) */
    const sjk_env_var_directive_t *env_vars; /**< every JkEnvVar of every server, for checks */
    size_t env_var_count;
    int32_t watchdog_interval;               /**< JkWatchdogInterval seconds; 0: maintain per request */
} sjk_config_input_t;

/** Builds the configuration, reporting every diagnostic through log (errors at SJK_LOG_ERROR).
 *  Returns SJK_ERR_CONFIG (and *out = NULL) when any error was found. */
sjk_status_t sjk_config_create(const sjk_config_input_t *input, sjk_log_fn log, void *log_ctx,
                               sjk_config_t **out);

/** Releases a configuration made by sjk_config_create (registered as a pool cleanup). */
sjk_status_t sjk_config_release(sjk_config_t *config);

/** Number of workers, for the shim's per-worker tables. */
sjk_status_t sjk_config_worker_count(const sjk_config_t *config, int32_t *out);

/** Name and type ("ajp13", "lb", "status") of worker index, as borrowed views that live as
 *  long as the configuration. */
sjk_status_t sjk_config_worker_info(const sjk_config_t *config, int32_t worker, sjk_str_t *name,
                                    sjk_str_t *type);

/* ------------------------------------------------------------------------------------------ */
/* Per request: mapping                                                                       */
/* ------------------------------------------------------------------------------------------ */

/** JkOptions bits as seen by the core. */
enum {
    SJK_OPT_FORWARD_URI_COMPAT = 1u << 0,
    SJK_OPT_FORWARD_URI_COMPAT_UNPARSED = 1u << 1,
    SJK_OPT_FORWARD_URI_ESCAPED = 1u << 2,
    SJK_OPT_FORWARD_URI_PROXY = 1u << 3,
    SJK_OPT_FORWARD_DIRECTORIES = 1u << 4,
    SJK_OPT_FORWARD_LOCAL_ADDRESS = 1u << 5,
    SJK_OPT_FLUSH_PACKETS = 1u << 6,
    SJK_OPT_FLUSH_HEADER = 1u << 7,
    SJK_OPT_DISABLE_REUSE = 1u << 8,
    SJK_OPT_FORWARD_SSL_CERT_CHAIN = 1u << 9,
    SJK_OPT_FORWARD_KEY_SIZE = 1u << 10,
    SJK_OPT_REJECT_UNSAFE_URI = 1u << 11,
    SJK_OPT_FORWARD_PHYSICAL_ADDRESS = 1u << 12
};

/** The result of mapping: a worker and the rule that chose it (for rule extensions). */
typedef struct sjk_mapping {
    int32_t worker;    /**< worker index, or -1 when the named worker does not exist (→ 500) */
    int32_t server;    /**< server index the rule belongs to */
    int32_t rule;      /**< rule index within that server's map, or -1 */
} sjk_mapping_t;

/** Maps the decoded request URI (r->uri) of server `server`: normalises it (reference §3.3)
 *  and looks it up. Returns SJK_OK, SJK_NOT_MAPPED, SJK_UNSAFE_URI (not mapped; log it) or
 *  SJK_BAD_URI. `options` are JkOptions
 *  bits (only RejectUnsafeURI matters here). May re-read a changed JkMountFile. */
sjk_status_t sjk_map_uri(const sjk_config_t *config, int32_t server, sjk_str_t uri, uint32_t options,
                         sjk_mapping_t *out);

/** Resolves a worker given by name (JK_WORKER_NAME / JkWorkerIndicator), which may carry rule
 *  extensions after ';'. worker is -1 when no such worker exists. */
sjk_status_t sjk_lookup_worker(const sjk_config_t *config, sjk_str_t spec, sjk_mapping_t *out);

/* ------------------------------------------------------------------------------------------ */
/* Per request: forwarding                                                                    */
/* ------------------------------------------------------------------------------------------ */

/** Read-only view of one request, built by the shim from request_rec. Every view is borrowed
 *  for the duration of sjk_service. */
typedef struct sjk_request {
    sjk_str_t method;
    sjk_str_t protocol;
    sjk_str_t uri;              /**< r->uri: decoded, dot segments resolved, ;params kept */
    sjk_str_t unparsed_uri;     /**< r->unparsed_uri: as the client sent it, incl. query */
    sjk_str_t query;            /**< r->args, absent when the request has none */
    sjk_str_t remote_addr;
    sjk_str_t remote_port;
    sjk_str_t remote_host;      /**< absent unless known */
    sjk_str_t server_name;
    int32_t server_port;
    sjk_str_t local_addr;
    sjk_str_t remote_user;      /**< absent or empty: not sent */
    sjk_str_t auth_type;
    int32_t is_ssl;
    sjk_str_t ssl_cert;         /**< PEM incl. chain when ForwardSSLCertChain */
    sjk_str_t ssl_cipher;
    sjk_str_t ssl_session;
    sjk_str_t ssl_protocol;
    sjk_str_t ssl_key_size;     /**< decimal text, absent when unknown */
    const sjk_pair_t *headers;  /**< r->headers_in in order */
    size_t header_count;
    const sjk_pair_t *env_attributes;  /**< JkEnvVar name/value pairs that have a value */
    size_t env_attribute_count;
    int32_t ignore_content_length;     /**< JK_IGNORE_CL set: treat as chunked */
    int32_t is_subrequest;             /**< sub-requests carry no body */
    int32_t reply_timeout_ms;          /**< JK_REPLY_TIMEOUT, or -1 */
    uint32_t options;                  /**< JkOptions bits */
    sjk_str_t extension;               /**< rule extensions from JK_WORKER_NAME, or absent */
    sjk_str_t route_env;               /**< JK_ROUTE, absent when unset */
    sjk_str_t sticky_ignore_env;       /**< JK_STICKY_IGNORE, absent when unset */
    sjk_str_t stateless_env;           /**< JK_STATELESS, absent when unset */
    sjk_str_t server_software;         /**< ap_get_server_description(), for the status worker */
} sjk_request_t;

/** What the core calls back into the server for. Every function returns 0 on success. */
typedef struct sjk_host {
    void *ctx;
    /** Reads up to cap bytes of (dechunked) request body; *got = 0 at the end. */
    int32_t (*read_body)(void *ctx, uint8_t *buf, size_t cap, size_t *got);
    /** Sets status, reason (absent: standard phrase) and headers; the body follows. */
    int32_t (*start_response)(void *ctx, int32_t status, sjk_str_t reason, const sjk_pair_t *headers,
                              size_t count);
    /** Writes body bytes to the client. */
    int32_t (*write)(void *ctx, const uint8_t *buf, size_t len);
    /** Flushes the client connection. */
    int32_t (*flush)(void *ctx);
    /** Logs a message about this request. */
    void (*log)(void *ctx, int32_t level, const char *message);
    /** Withdraws the response started by start_response when nothing of it reached the network
     *  yet (so another attempt may answer instead); returns 0 when withdrawn. */
    int32_t (*reset_response)(void *ctx);
} sjk_host_t;

/** Outcome of sjk_service. */
typedef struct sjk_outcome {
    int32_t status;          /**< HTTP status: the backend's on success, else the error status */
    int32_t response_started;/**< start_response was called (headers reached the client) */
    int32_t client_error;    /**< the client side failed (read/write); mark the connection aborted */
    int32_t use_server_error;/**< return `status` to httpd so it produces its own error page */
    int32_t backend_broke;   /**< the backend failed after the response started: end it as broken */
    int32_t worker;          /**< the worker that was mapped (the lb for balanced requests) */
    int32_t member;          /**< the lb member that served or failed last, or -1 */
    sjk_str_t route;         /**< route used (JK_WORKER_ROUTE), borrowed from the configuration */
} sjk_outcome_t;

/** Forwards one request to the mapped worker and streams the response through host. */
sjk_status_t sjk_service(const sjk_config_t *config, const sjk_mapping_t *mapping, const sjk_request_t *request,
                         const sjk_host_t *host, sjk_outcome_t *out);

/** Called in every child process after fork (child_init): resets per-process state. */
sjk_status_t sjk_child_init(const sjk_config_t *config);

/** Runs periodic maintenance if due (idle connection cleanup and CPing, balancer maintenance,
 *  active health checks); called by the timer thread, which passes a log sink for what it did.
 *  Without the timer the core runs the connection maintenance per request. */
sjk_status_t sjk_maintain(const sjk_config_t *config, sjk_log_fn log, void *log_ctx);

/** Seconds between runs of the shim's maintenance timer thread (0: start none):
 *  JkWatchdogInterval when set, else worker.maintain when load balancers exist. */
sjk_status_t sjk_config_timer_interval(const sjk_config_t *config, int32_t *out);

/** JkStripSession: copies uri without its first `parameter=...` path parameter (parameter
 *  absent: ";jsessionid") into out. Returns SJK_NOT_MAPPED when the URI has none, and
 *  SJK_ERR_ARGUMENT when out is too small. *length excludes the terminating NUL written. */
sjk_status_t sjk_strip_session(sjk_str_t uri, sjk_str_t parameter, char *out, size_t capacity, size_t *length);

/* ------------------------------------------------------------------------------------------ */
/* Shared memory: runtime state shared by every httpd child (reference §9.1, §10)              */
/* ------------------------------------------------------------------------------------------ */

/** Member states (reference §9.8); the numeric codes are mod_jk's. */
enum {
    SJK_STATE_IDLE = 0,     /**< OK/IDLE: no request since the last maintenance (initial) */
    SJK_STATE_OK = 1,       /**< OK */
    SJK_STATE_RECOVER = 2,  /**< ERR/REC: recover_time elapsed, next request probes it */
    SJK_STATE_FORCED = 3,   /**< ERR/FRC: forced back into use, no member was usable */
    SJK_STATE_BUSY = 4,     /**< OK/BUSY: pool exhausted or busy_limit reached */
    SJK_STATE_ERROR = 5,    /**< ERR: not used until recovery */
    SJK_STATE_PROBE = 6     /**< ERR/PRB: a request is probing it now */
};

/** Member activation (reference §9.10). */
enum { SJK_ACTIVATION_ACTIVE = 0, SJK_ACTIVATION_DISABLED = 1, SJK_ACTIVATION_STOPPED = 2 };

/** Bytes of each string a status-worker edit may change (mod_jk's JK_SHM_STR_SIZ + 1). */
#define SJK_SHM_STR_SIZE 64

/** The runtime-editable configuration of a worker, mirrored in its slots so that an edit made
 *  by the status worker in one child is seen by every child (status-worker.md §1.4, §1.8).
 *  The parent writes the configured values; edits change them under the segment lock and bump
 *  sjk_shm_header_t.config_generation; each process rebuilds its settings when it sees a new
 *  generation. Strings are NUL-terminated. Which fields a slot uses depends on its kind. */
typedef struct sjk_slot_config {
    /* lb worker slots */
    int32_t sticky_session;          /**< 0/1 */
    int32_t sticky_session_force;    /**< 0/1 */
    int32_t lb_retries;              /**< retries */
    int32_t lb_retry_interval;       /**< retry_interval, ms */
    int32_t recover_time;            /**< seconds */
    int32_t error_escalation_time;   /**< seconds */
    int32_t max_reply_timeouts;
    int32_t method;                  /**< 0 Request, 1 Traffic, 2 Busyness, 3 Sessions, 4 Next */
    int32_t lock;                    /**< 0 Optimistic, 1 Pessimistic */
    /* (lb, member) slots */
    char route[SJK_SHM_STR_SIZE];
    char domain[SJK_SHM_STR_SIZE];
    char redirect[SJK_SHM_STR_SIZE];
    /* ajp13 worker slots */
    char host[SJK_SHM_STR_SIZE];
    int32_t port;
    int32_t connection_pool_timeout; /**< seconds */
    int32_t ping_timeout;            /**< ms */
    int32_t connect_timeout;         /**< ms */
    int32_t prepost_timeout;         /**< ms */
    int32_t reply_timeout;           /**< ms */
    int32_t retries;
    int32_t retry_interval;          /**< ms */
    int32_t connection_ping_interval;/**< seconds */
    int32_t recovery_options;
    int32_t busy_limit;
    int32_t max_packet_size;
    uint32_t addr_sequence;          /**< bumped when host or port change: re-resolve, drop connections */
    int32_t reserved;
} sjk_slot_config_t;

/** Failure kinds counted per ajp13 worker for the metrics (`failures[]`). */
enum {
    SJK_FAIL_CONNECT_REFUSED = 0, /**< connect refused (or another connect error) */
    SJK_FAIL_CONNECT_TIMEOUT = 1, /**< connect timed out */
    SJK_FAIL_CPING = 2,           /**< no CPONG (connect or prepost CPing) */
    SJK_FAIL_REPLY_TIMEOUT = 3,   /**< no packet within reply_timeout */
    SJK_FAIL_RESET = 4,           /**< the backend closed or reset the connection, or a send failed */
    SJK_FAIL_PROTOCOL = 5,        /**< not AJP, or malformed AJP */
    SJK_FAIL_CLIENT_ABORT = 6,    /**< the client went away during the request */
    SJK_FAIL_OTHER = 7,           /**< pool exhausted, contact disabled, fail_on_status */
    SJK_FAIL_KINDS = 8
};

/** Buckets of the response-time histograms: upper bounds 5 ms, 10, 25, 50, 100, 250, 500 ms,
 *  1 s, 2.5, 5, 10 s and +Inf; each bucket counts only its own range (not cumulative). */
#define SJK_HISTOGRAM_BUCKETS 12

/** One shared record. Slot i < worker count belongs to worker i (busy/used counters of an ajp
 *  worker, maintenance time of an lb); the slots after them belong to (lb, member) pairs.
 *  Every field is read and written only with the segment lock held. */
typedef struct sjk_slot {
    uint64_t lb_value;          /**< load counter used for selection */
    uint64_t lb_mult;           /**< multiplier derived from lbfactor (LCM / lbfactor) */
    int64_t first_error_time;   /**< seconds (CLOCK_REALTIME), 0: none */
    int64_t last_error_time;    /**< seconds, 0: none */
    int64_t last_maintain_time; /**< lb slots: last maintenance run, seconds */
    uint64_t sessions;          /**< requests without session id (statistics, Sessions method) */
    uint64_t errors;            /**< errors attributed to the member */
    uint64_t elected;           /**< attempts on this member / requests on this worker */
    uint64_t elected_snapshot;  /**< `elected` at the last maintenance (idle detection) */
    uint64_t bytes_read;        /**< bytes received from the backend */
    uint64_t bytes_written;     /**< bytes sent to the backend */
    int32_t state;              /**< SJK_STATE_* */
    int32_t activation;         /**< SJK_ACTIVATION_* (runtime value) */
    int32_t lbfactor;           /**< runtime lbfactor */
    int32_t distance;           /**< runtime distance */
    int32_t busy;               /**< in-flight requests across all processes */
    int32_t max_busy;           /**< highest `busy` seen */
    int32_t reply_timeouts;     /**< decayed count of reply timeouts */
    uint32_t sequence;          /**< bumped on runtime configuration changes */
    uint64_t client_errors;     /**< requests the client aborted or broke */
    int32_t connected;          /**< open backend connections across all processes */
    int32_t max_connected;      /**< highest `connected` seen */
    int64_t last_reset_time;    /**< seconds: configuration time or the last status `reset` */
    uint64_t used;              /**< worker slots: requests served by the worker (mod_jk's `used`) */
    sjk_slot_config_t config;   /**< runtime-editable configuration (see sjk_slot_config_t) */
    /* Metrics (updated atomically; read by the status worker's Prometheus and JSON output). */
    uint64_t responses[5];      /**< worker slots: backend responses by status class 1xx..5xx */
    uint64_t failures[SJK_FAIL_KINDS]; /**< worker slots: failed attempts by kind */
    uint64_t retries;           /**< worker slots: attempts after the first on the same worker */
    uint64_t failovers;         /**< lb slots: requests that moved on to another member */
    uint64_t sticky[3];         /**< lb slots: route found, route's member unavailable, no session */
    uint64_t first_byte_buckets[SJK_HISTOGRAM_BUCKETS]; /**< worker: time to first backend packet */
    uint64_t total_buckets[SJK_HISTOGRAM_BUCKETS];      /**< worker: time to the end of the exchange */
    uint64_t first_byte_sum_us; /**< worker: sum of the first-byte times, microseconds */
    uint64_t total_sum_us;      /**< worker: sum of the total times, microseconds */
    int32_t idle_connections;   /**< worker: pooled idle connections across all processes */
    int32_t health_passes;      /**< member slots: consecutive successful active health checks */
    int64_t state_changed_at;   /**< member slots: seconds of the last state change (not OK/IDLE <-> OK) */
    int64_t last_sticky_time;   /**< member slots: seconds of the last request routed by session */
    int64_t in_service_since;   /**< member slots: seconds when it last came back from an error state
                                     to OK (slow start); 0: never */
    int32_t health_failures;    /**< member slots: consecutive failed health checks while in service */
    int32_t reserved;           /**< keeps the slot a multiple of 8 bytes */
} sjk_slot_t;

/** The counter arrays of a slot that `sjk_slot_count` adds to. */
typedef enum {
    SJK_COUNT_RESPONSES = 0,   /**< responses[5] */
    SJK_COUNT_FAILURES = 1,    /**< failures[SJK_FAIL_KINDS] */
    SJK_COUNT_STICKY = 2,      /**< sticky[3] */
    SJK_COUNT_FIRST_BYTE = 3,  /**< first_byte_buckets[SJK_HISTOGRAM_BUCKETS] */
    SJK_COUNT_TOTAL = 4        /**< total_buckets[SJK_HISTOGRAM_BUCKETS] */
} sjk_count_array_t;

/** Atomically adds 1 to element `index` of one of `slot`'s counter arrays; an index outside the
 *  array is ignored. Swift calls this instead of passing the array `inout`: an inout access to an
 *  array that other threads update at the same time is a data race in Swift's model (found by
 *  ThreadSanitizer under the event MPM), however atomic the update inside it is. */
static inline void sjk_slot_count(sjk_slot_t *slot, sjk_count_array_t array, int64_t index) {
    uint64_t *base;
    int64_t count;
    switch (array) {
    case SJK_COUNT_RESPONSES: base = slot->responses; count = 5; break;
    case SJK_COUNT_FAILURES: base = slot->failures; count = SJK_FAIL_KINDS; break;
    case SJK_COUNT_STICKY: base = slot->sticky; count = 3; break;
    case SJK_COUNT_FIRST_BYTE: base = slot->first_byte_buckets; count = SJK_HISTOGRAM_BUCKETS; break;
    case SJK_COUNT_TOTAL: base = slot->total_buckets; count = SJK_HISTOGRAM_BUCKETS; break;
    default: return;
    }
    if (index >= 0 && index < count) {
        __atomic_fetch_add(&base[index], 1, __ATOMIC_RELAXED);
    }
}

/** The start of the segment. `lock` is a process-shared, robust pthread mutex that the shim
 *  initialises; it guards every slot. */
typedef struct sjk_shm_header {
    char magic[8];              /**< "SJKSHM02" */
    uint32_t size;              /**< bytes of the whole segment */
    uint32_t slot_count;
    int64_t last_maintain_time; /**< global maintenance election, seconds */
    uint64_t lock[8];           /**< storage for a pthread_mutex_t (checked by the shim) */
    uint32_t config_generation; /**< bumped by every status-worker edit (read atomically) */
    uint32_t reserved;
    uint8_t nonce[16];          /**< random token of the status worker's HTML forms */
    int64_t last_health_check;  /**< active health checks: election of the probing process, seconds */
} sjk_shm_header_t;

/** Bytes of shared memory the configuration needs (header + slots). */
sjk_status_t sjk_shm_size(const sjk_config_t *config, size_t *out);

/** Hands the core the segment created by the shim in post_config (header magic, size and lock
 *  already initialised, slots zeroed); the core fills the slots' initial values and restores
 *  persisted status-worker edits (`persist_file`), reporting what it restored or dropped through
 *  log. Children inherit the mapping through fork. */
sjk_status_t sjk_shm_attach(const sjk_config_t *config, void *base, size_t size, sjk_log_fn log, void *log_ctx);

#ifdef __cplusplus
}
#endif

#endif /* SJK_ABI_H */
