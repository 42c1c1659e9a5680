/* openloop: an open-loop (fixed request rate) HTTP/1.1 load generator for the tail-latency
 * benchmark, in the spirit of wrk2.
 *
 * Why open-loop: a closed-loop tool (wrk, ab) sends the next request only when the previous one
 * has answered, so it runs the server at saturation and, when the server stalls, simply stops
 * sending: the stall delays one request instead of all the requests that should have been sent
 * meanwhile ("coordinated omission"), and the tail disappears from the percentiles. Here request
 * k is due at start + k/RATE whatever happens. It goes out on an idle keep-alive connection (one
 * request in flight per connection, no pipelining); when none is idle it waits in a queue, and its
 * latency is still counted from its INTENDED send time to the last byte of its response.
 *
 * Requests due in the first WARMUP seconds are sent but not counted; "sent", "completed",
 * "errors" and "errors_status" count only the requests due in the measured SECONDS. "errors" are
 * failed connects during the measured window (each connection retries every 10 ms), requests
 * whose connection failed or was closed while they were in flight, and timeouts (-t, counted from
 * the actual send); a request still queued or in flight when the run ends (WARMUP + SECONDS +
 * TIMEOUT after the start) is a timeout too. A non-2xx/3xx status counts in "errors_status" and
 * not in the percentiles. "max_queue" is the largest backlog of due but unsent requests seen after
 * the warmup (> 0: the connections could not keep up). Loopback (127.x.x.x) only, by project rule.
 * Prints one JSON line. Exit 0: it ran; 1: could not connect at all; 2: bad arguments.
 * Build: cc -O2 -Wall -Wextra -std=gnu11 -o openloop openloop.c -lm */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_SEC 1000000000ULL
/** Response bytes not yet parsed; the status line plus headers must fit in it. */
#define READ_BUFFER_BYTES 65536
/** Pause before reopening a connection whose connect failed. */
#define RECONNECT_DELAY_NS (10 * 1000000ULL)
#define MAX_CONNECTIONS 10000

enum conn_state { CONN_CLOSED, CONN_CONNECTING, CONN_IDLE, CONN_SENDING, CONN_AWAITING };
enum parse_state { P_HEADERS, P_BODY_LENGTH, P_CHUNK_SIZE, P_CHUNK_DATA, P_CHUNK_CRLF,
                   P_TRAILERS, P_UNTIL_CLOSE, P_DONE };

struct response_parser {
    enum parse_state state;
    int status;
    bool close_after;   /* the server closes the connection after this response */
    uint64_t remaining; /* bytes left in the Content-Length body or the current chunk */
};

struct connection {
    int fd;
    enum conn_state state;
    bool want_write;    /* EPOLLOUT registered */
    uint64_t request_index, intended_ns, deadline_ns, retry_at_ns;
    size_t request_bytes_sent;
    struct response_parser parser;
    size_t buffered;
    char buffer[READ_BUFFER_BYTES];
};

struct load_run {
    struct sockaddr_in address;
    char *request;
    size_t request_len;
    double rate, duration_s, warmup_s, timeout_s;
    int epoll_fd, timer_fd, connection_count, idle_count, next_idle_scan;
    struct connection *connections;
    uint64_t start_ns, measure_start_ns, measure_end_ns, hard_end_ns, timeout_ns;
    uint64_t total_requests, first_measured, next_scheduled, next_to_send, max_queue;
    uint64_t sent, errors, errors_status, timeouts, connect_errors, connects_ok;
    uint64_t *latencies_ns;
    size_t latency_count, latency_capacity;
};

/** Monotonic clock in nanoseconds. */
static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/** When request k (global index) is due. */
static uint64_t intended_ns(const struct load_run *run, uint64_t k)
{
    return run->start_ns + (uint64_t)((double)k * 1e9 / run->rate);
}

/** Request k is due after the warmup. */
static bool is_measured(const struct load_run *run, uint64_t k)
{
    return k >= run->first_measured;
}
/** A request is in flight on the connection. */
static bool is_busy(const struct connection *c)
{
    return c->state == CONN_SENDING || c->state == CONN_AWAITING;
}

/** Changes a connection's state, keeping the count of idle connections. */
static void set_state(struct load_run *run, struct connection *c, enum conn_state state)
{
    run->idle_count += (state == CONN_IDLE) - (c->state == CONN_IDLE);
    c->state = state;
}

/** Registers (or re-registers) the connection's socket for reading, and writing if asked. */
static void watch(struct load_run *run, struct connection *c, int op, bool want_write)
{
    struct epoll_event ev = { .events = want_write ? EPOLLOUT : EPOLLIN, .data.ptr = c };
    if (want_write && c->state != CONN_CONNECTING)
        ev.events |= EPOLLIN;
    c->want_write = want_write;
    if (epoll_ctl(run->epoll_fd, op, c->fd, &ev) < 0)
        perror("openloop: epoll_ctl");
}

/** Counts a failed connect: an error when it happens during the measured window. */
static void count_connect_error(struct load_run *run)
{
    uint64_t now = now_ns();
    run->connect_errors++;
    run->errors += now >= run->measure_start_ns && now < run->measure_end_ns;
}

/** Starts a non-blocking connect; on failure the connection retries a little later. */
static void conn_open(struct load_run *run, struct connection *c)
{
    int one = 1;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd >= 0) {
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        int rc = connect(c->fd, (struct sockaddr *)&run->address, sizeof run->address);
        if (rc == 0 || errno == EINPROGRESS) {
            c->deadline_ns = now_ns() + run->timeout_ns;
            set_state(run, c, rc == 0 ? CONN_IDLE : CONN_CONNECTING);
            run->connects_ok += rc == 0;
            watch(run, c, EPOLL_CTL_ADD, rc != 0);
            return;
        }
        close(c->fd);
    }
    count_connect_error(run);
    c->fd = -1;
    c->retry_at_ns = now_ns() + RECONNECT_DELAY_NS;
    set_state(run, c, CONN_CLOSED);
}

/** Closes the connection (counting an error for its in-flight request, if any) and reopens it:
 * at once, or after RECONNECT_DELAY_NS when it was the connect that failed. */
static void conn_fail(struct load_run *run, struct connection *c, bool timed_out)
{
    bool connect_failed = c->state == CONN_CONNECTING;
    if (connect_failed)
        count_connect_error(run);
    else if (is_busy(c) && is_measured(run, c->request_index)) {
        run->errors++;
        run->timeouts += timed_out;
    }
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->buffered = 0;
    c->retry_at_ns = now_ns() + RECONNECT_DELAY_NS;
    set_state(run, c, CONN_CLOSED);
    if (!connect_failed)
        conn_open(run, c);
}

/** Completes a non-blocking connect. */
static void finish_connect(struct load_run *run, struct connection *c)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
        conn_fail(run, c, false);
        return;
    }
    run->connects_ok++;
    set_state(run, c, CONN_IDLE);
    watch(run, c, EPOLL_CTL_MOD, false);
}

/** Sends what is left of the request; false when the connection failed (and was reopened). */
static bool send_pending(struct load_run *run, struct connection *c)
{
    while (c->request_bytes_sent < run->request_len) {
        ssize_t n = send(c->fd, run->request + c->request_bytes_sent,
                         run->request_len - c->request_bytes_sent, MSG_NOSIGNAL);
        if (n > 0) {
            c->request_bytes_sent += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!c->want_write)
                watch(run, c, EPOLL_CTL_MOD, true);
            return true;
        } else {
            conn_fail(run, c, false);
            return false;
        }
    }
    set_state(run, c, CONN_AWAITING);
    if (c->want_write)
        watch(run, c, EPOLL_CTL_MOD, false);
    return true;
}

/** Sends request k on an idle connection. */
static void start_request(struct load_run *run, struct connection *c, uint64_t k, uint64_t now)
{
    c->request_index = k;
    c->intended_ns = intended_ns(run, k);
    c->deadline_ns = now + run->timeout_ns;
    c->request_bytes_sent = 0;
    c->buffered = 0;
    c->parser = (struct response_parser){ .state = P_HEADERS };
    run->sent += is_measured(run, k);
    set_state(run, c, CONN_SENDING);
    send_pending(run, c);
}

/** Case-insensitive: does the header line start with this name (including the colon)? */
static const char *header_value(const char *line, const char *name)
{
    size_t len = strlen(name);
    if (strncasecmp(line, name, len) != 0)
        return NULL;
    return line + len + strspn(line + len, " \t");
}

/** Parses the status line and headers (block without the final empty line); chooses the body mode. */
static int parse_head(struct response_parser *p, const char *block, size_t len)
{
    char line[1024];
    int64_t content_length = -1;
    bool chunked = false, keep_alive = false, close = false, http10;
    if (len < 12 || memcmp(block, "HTTP/1.", 7) != 0 || block[8] != ' ')
        return -1;
    http10 = block[7] == '0';
    p->status = atoi(block + 9);
    for (const char *pos = block, *end; pos < block + len; pos = end + 2) {
        end = memmem(pos, (size_t)(block + len - pos), "\r\n", 2);
        if (!end)
            end = block + len;
        size_t n = (size_t)(end - pos) < sizeof line - 1 ? (size_t)(end - pos) : sizeof line - 1;
        memcpy(line, pos, n);
        line[n] = '\0';
        const char *value;
        if ((value = header_value(line, "content-length:")))
            content_length = strtoll(value, NULL, 10);
        else if ((value = header_value(line, "transfer-encoding:")))
            chunked = strcasestr(value, "chunked") != NULL;
        else if ((value = header_value(line, "connection:"))) {
            close = strcasestr(value, "close") != NULL;
            keep_alive = strcasestr(value, "keep-alive") != NULL;
        }
    }
    p->close_after = close || (http10 && !keep_alive);
    if (p->status >= 100 && p->status < 200)
        p->state = P_HEADERS; /* interim response: the real one follows */
    else if (p->status == 204 || p->status == 304)
        p->state = P_DONE;
    else if (chunked)
        p->state = P_CHUNK_SIZE;
    else if (content_length >= 0) {
        p->remaining = (uint64_t)content_length;
        p->state = content_length > 0 ? P_BODY_LENGTH : P_DONE;
    } else {
        p->state = P_UNTIL_CLOSE;
        p->close_after = true;
    }
    return 0;
}

/** Parses a chunk-size line ("1a3f;ext"); -1 when it has no hex digit. */
static int64_t parse_chunk_size(const char *line, size_t len)
{
    int64_t size = 0;
    size_t i = 0;
    for (; i < len && isxdigit((unsigned char)line[i]) && i < 15; i++)
        size = size * 16 + (line[i] <= '9' ? line[i] - '0' : (line[i] | 0x20) - 'a' + 10);
    return i == 0 ? -1 : size;
}

/** Consumes buffered response bytes. Returns 1: response complete, 0: needs more, -1: malformed. */
static int parse_response(struct response_parser *p, char *buf, size_t *len)
{
    size_t pos = 0;
    int result = 0;
    for (bool progress = true; progress && result == 0;) {
        char *data = buf + pos, *eol;
        size_t avail = *len - pos, take;
        switch (p->state) {
        case P_HEADERS:
            if (!(eol = memmem(data, avail, "\r\n\r\n", 4))) { progress = false; break; }
            if (parse_head(p, data, (size_t)(eol - data)) < 0) { result = -1; break; }
            pos += (size_t)(eol - data) + 4;
            break;
        case P_BODY_LENGTH:
        case P_CHUNK_DATA:
            take = avail < p->remaining ? avail : (size_t)p->remaining;
            pos += take;
            p->remaining -= take;
            if (p->remaining == 0)
                p->state = p->state == P_BODY_LENGTH ? P_DONE : P_CHUNK_CRLF;
            else
                progress = false;
            break;
        case P_CHUNK_SIZE:
        case P_TRAILERS:
            if (!(eol = memmem(data, avail, "\r\n", 2))) { progress = false; break; }
            if (p->state == P_TRAILERS) {
                p->state = eol == data ? P_DONE : P_TRAILERS;
            } else {
                int64_t size = parse_chunk_size(data, (size_t)(eol - data));
                p->remaining = (uint64_t)size;
                p->state = size > 0 ? P_CHUNK_DATA : P_TRAILERS;
                result = size < 0 ? -1 : 0;
            }
            pos += (size_t)(eol - data) + 2;
            break;
        case P_CHUNK_CRLF:
            if (avail < 2) { progress = false; break; }
            result = memcmp(data, "\r\n", 2) == 0 ? 0 : -1;
            p->state = P_CHUNK_SIZE;
            pos += 2;
            break;
        case P_UNTIL_CLOSE:
            pos = *len;
            progress = false;
            break;
        case P_DONE:
            result = 1;
            break;
        }
    }
    memmove(buf, buf + pos, *len - pos);
    *len -= pos;
    return result;
}

/** Records the finished request; the connection goes idle or, if the server closes it, reopens. */
static void complete_request(struct load_run *run, struct connection *c, uint64_t now)
{
    if (is_measured(run, c->request_index)) {
        if (c->parser.status < 200 || c->parser.status >= 400) {
            run->errors_status++;
        } else {
            if (run->latency_count == run->latency_capacity) {
                run->latency_capacity = run->latency_capacity ? run->latency_capacity * 2 : 65536;
                run->latencies_ns = realloc(run->latencies_ns, run->latency_capacity * sizeof(uint64_t));
                if (!run->latencies_ns) { perror("openloop: realloc"); exit(1); }
            }
            run->latencies_ns[run->latency_count++] = now - c->intended_ns;
        }
    }
    c->buffered = 0;
    if (c->want_write)
        watch(run, c, EPOLL_CTL_MOD, false);
    set_state(run, c, CONN_IDLE);
    if (c->parser.close_after)
        conn_fail(run, c, false); /* no longer in flight: no error counted */
}

/** Reads what the socket has and feeds the parser. */
static void on_readable(struct load_run *run, struct connection *c)
{
    for (;;) {
        ssize_t n = recv(c->fd, c->buffer + c->buffered, sizeof c->buffer - c->buffered, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n == 0 && is_busy(c) && c->parser.state == P_UNTIL_CLOSE)
            c->parser.state = P_DONE; /* body delimited by the end of the connection */
        else if (n <= 0 || !is_busy(c)) {
            conn_fail(run, c, false); /* closed, reset, or data nobody asked for */
            return;
        }
        c->buffered += (size_t)(n > 0 ? n : 0);
        int result = parse_response(&c->parser, c->buffer, &c->buffered);
        if (result < 0 || (result == 0 && c->buffered == sizeof c->buffer)) {
            conn_fail(run, c, false);
            return;
        }
        if (result == 1) {
            complete_request(run, c, now_ns());
            return;
        }
    }
}

/** Handles one epoll event of a connection. */
static void on_event(struct load_run *run, struct connection *c, uint32_t events)
{
    if (c->state == CONN_CONNECTING) {
        finish_connect(run, c);
        return;
    }
    if ((events & EPOLLOUT) && c->state == CONN_SENDING && !send_pending(run, c))
        return;
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
        on_readable(run, c);
}

/** Finds an idle connection, round-robin. */
static struct connection *take_idle(struct load_run *run)
{
    for (int i = 0; i < run->connection_count; i++) {
        int index = (run->next_idle_scan + i) % run->connection_count;
        if (run->connections[index].state == CONN_IDLE) {
            run->next_idle_scan = index + 1;
            return &run->connections[index];
        }
    }
    return NULL;
}

/** Schedules the requests that are due, sends queued ones on idle connections, handles timeouts
 * and reconnects. Returns the next time something is due. */
static uint64_t run_timers(struct load_run *run, uint64_t now)
{
    while (run->next_scheduled < run->total_requests && intended_ns(run, run->next_scheduled) <= now)
        run->next_scheduled++;
    while (run->next_to_send < run->next_scheduled && run->idle_count > 0)
        start_request(run, take_idle(run), run->next_to_send++, now);
    uint64_t backlog = run->next_scheduled - run->next_to_send;
    if (now >= run->measure_start_ns && backlog > run->max_queue)
        run->max_queue = backlog;
    uint64_t wake = run->hard_end_ns;
    if (run->next_scheduled < run->total_requests)
        wake = intended_ns(run, run->next_scheduled);
    for (int i = 0; i < run->connection_count; i++) {
        struct connection *c = &run->connections[i];
        if (c->state == CONN_CLOSED && c->retry_at_ns <= now)
            conn_open(run, c);
        else if ((is_busy(c) || c->state == CONN_CONNECTING) && c->deadline_ns <= now)
            conn_fail(run, c, true);
        if (c->state == CONN_CLOSED && c->retry_at_ns < wake)
            wake = c->retry_at_ns;
        else if ((is_busy(c) || c->state == CONN_CONNECTING) && c->deadline_ns < wake)
            wake = c->deadline_ns;
    }
    return wake;
}

/** True once every request has been sent and answered (or failed). */
static bool all_done(const struct load_run *run)
{
    if (run->next_to_send < run->total_requests)
        return false;
    for (int i = 0; i < run->connection_count; i++)
        if (is_busy(&run->connections[i]))
            return false;
    return true;
}

/** The event loop: runs until all requests are done or the hard end is reached. */
static void event_loop(struct load_run *run)
{
    struct epoll_event events[256];
    for (;;) {
        uint64_t now = now_ns(), wake;
        if (now >= run->hard_end_ns || all_done(run))
            break;
        wake = run_timers(run, now);
        if (run->idle_count > 0 && run->next_to_send < run->next_scheduled)
            wake = now; /* a reconnect made a connection idle: send without sleeping */
        struct itimerspec timer = { .it_value = { .tv_sec = (time_t)(wake / NS_PER_SEC),
                                                  .tv_nsec = (long)(wake % NS_PER_SEC) } };
        if (timer.it_value.tv_sec == 0 && timer.it_value.tv_nsec == 0)
            timer.it_value.tv_nsec = 1; /* zero would disarm */
        timerfd_settime(run->timer_fd, TFD_TIMER_ABSTIME, &timer, NULL);
        int n = epoll_wait(run->epoll_fd, events, 256, -1);
        for (int i = 0; i < n; i++) {
            if (events[i].data.ptr == NULL) {
                uint64_t expirations;
                if (read(run->timer_fd, &expirations, sizeof expirations) < 0 && errno != EAGAIN)
                    perror("openloop: timerfd");
            } else {
                on_event(run, events[i].data.ptr, events[i].events);
            }
        }
    }
    uint64_t first_unsent = run->next_to_send > run->first_measured ? run->next_to_send : run->first_measured;
    uint64_t stranded = run->total_requests > first_unsent ? run->total_requests - first_unsent : 0;
    for (int i = 0; i < run->connection_count; i++)
        stranded += is_busy(&run->connections[i]) && is_measured(run, run->connections[i].request_index);
    run->errors += stranded; /* still queued or in flight at the hard end: timeouts */
    run->timeouts += stranded;
}

/** qsort comparator for latencies. */
static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/** Nearest-rank percentile of the sorted latencies, in microseconds. */
static double percentile_us(const struct load_run *run, double fraction)
{
    size_t rank = (size_t)ceil(fraction * (double)run->latency_count);
    if (rank < 1)
        rank = 1;
    return (double)run->latencies_ns[rank - 1] / 1000.0;
}

/** Prints the one-line JSON result. */
static void print_result(struct load_run *run)
{
    double sum_ns = 0;
    qsort(run->latencies_ns, run->latency_count, sizeof(uint64_t), compare_u64);
    for (size_t i = 0; i < run->latency_count; i++)
        sum_ns += (double)run->latencies_ns[i];
    printf("{\"rate\": %.6g, \"duration\": %.6g, \"sent\": %llu, \"completed\": %zu, \"errors\": %llu, "
           "\"errors_status\": %llu, \"timeouts\": %llu, \"connect_errors\": %llu, "
           "\"achieved_rate\": %.1f, \"max_queue\": %llu",
           run->rate, run->duration_s, (unsigned long long)run->sent, run->latency_count,
           (unsigned long long)run->errors, (unsigned long long)run->errors_status,
           (unsigned long long)run->timeouts, (unsigned long long)run->connect_errors,
           (double)run->latency_count / run->duration_s, (unsigned long long)run->max_queue);
    if (run->latency_count == 0) {
        printf(", \"p50_us\": null, \"p90_us\": null, \"p99_us\": null, \"p999_us\": null, "
               "\"max_us\": null, \"mean_us\": null}\n");
        return;
    }
    printf(", \"p50_us\": %.1f, \"p90_us\": %.1f, \"p99_us\": %.1f, \"p999_us\": %.1f, "
           "\"max_us\": %.1f, \"mean_us\": %.1f}\n",
           percentile_us(run, 0.50), percentile_us(run, 0.90), percentile_us(run, 0.99),
           percentile_us(run, 0.999), percentile_us(run, 1.0),
           sum_ns / (double)run->latency_count / 1000.0);
}

/** Parses http://127.x.x.x[:port][/path] into the address; returns the path or NULL. */
static const char *parse_url(const char *url, struct sockaddr_in *address)
{
    char host[64];
    if (strncmp(url, "http://", 7) != 0)
        return NULL;
    const char *start = url + 7, *end = start + strcspn(start, ":/");
    if ((size_t)(end - start) >= sizeof host)
        return NULL;
    memcpy(host, start, (size_t)(end - start));
    host[end - start] = '\0';
    memset(address, 0, sizeof *address);
    address->sin_family = AF_INET;
    if (inet_pton(AF_INET, host, &address->sin_addr) != 1 || (ntohl(address->sin_addr.s_addr) >> 24) != 127)
        return NULL; /* loopback only */
    long port = 80;
    if (*end == ':') {
        char *after;
        port = strtol(end + 1, &after, 10);
        if (after == end + 1 || port < 1 || port > 65535 || (*after != '/' && *after != '\0'))
            return NULL;
        end = after;
    }
    address->sin_port = htons((uint16_t)port);
    return *end == '/' ? end : "/";
}

/** Builds the request once: GET, or POST with body_bytes of 'x'. */
static void build_request(struct load_run *run, const char *path, char **headers, int header_count,
                          long body_bytes)
{
    FILE *out = open_memstream(&run->request, &run->request_len);
    bool has_content_type = false;
    if (!out) { perror("openloop: open_memstream"); exit(1); }
    fprintf(out, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: openloop\r\n",
            body_bytes > 0 ? "POST" : "GET", path);
    for (int i = 0; i < header_count; i++) {
        fprintf(out, "%s\r\n", headers[i]);
        has_content_type |= header_value(headers[i], "content-type:") != NULL;
    }
    if (body_bytes > 0)
        fprintf(out, "Content-Length: %ld\r\n%s", body_bytes,
                has_content_type ? "" : "Content-Type: application/octet-stream\r\n");
    fputs("\r\n", out);
    for (long i = 0; i < body_bytes; i++)
        putc('x', out);
    if (fclose(out) != 0) { perror("openloop: request"); exit(1); }
}

/** One blocking connect before the run, so that "nothing listens" is exit code 1. */
static bool probe_connect(const struct load_run *run)
{
    struct timeval limit = { .tv_sec = (time_t)run->timeout_s,
                             .tv_usec = (suseconds_t)(fmod(run->timeout_s, 1.0) * 999999) + 1 };
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    bool connected = connect(fd, (const struct sockaddr *)&run->address, sizeof run->address) == 0;
    int saved_errno = errno;
    close(fd);
    errno = saved_errno;
    return connected;
}

/** Raises the open-files limit (up to the hard limit) so that every connection gets a socket. */
static void allow_sockets(int connections)
{
    struct rlimit limit;
    rlim_t wanted = (rlim_t)connections + 16;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < wanted) {
        limit.rlim_cur = limit.rlim_max < wanted ? limit.rlim_max : wanted;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

/** Parses a number option; false when it is not a number. */
static bool parse_number(const char *text, double *value)
{
    char *end;
    *value = strtod(text, &end);
    return end != text && *end == '\0' && isfinite(*value);
}

/** Prints the usage; returns the bad-arguments exit code. */
static int usage(void)
{
    fprintf(stderr, "usage: openloop -u http://127.0.0.1:PORT/path -r RATE -d SECONDS -c CONNECTIONS\n"
                    "                [-w WARMUP_SECONDS] [-H 'Header: value']... [-b POST_BODY_BYTES] [-t TIMEOUT_SECONDS]\n");
    return 2;
}

int main(int argc, char **argv)
{
    static struct load_run run = { .warmup_s = 2, .timeout_s = 10 };
    const char *url = NULL, *path;
    char *headers[64];
    int header_count = 0, option;
    double connections = 0, body_bytes = 0;
    bool ok = true;
    while ((option = getopt(argc, argv, "u:r:d:c:w:H:b:t:")) != -1) {
        switch (option) {
        case 'u': url = optarg; break;
        case 'r': ok &= parse_number(optarg, &run.rate); break;
        case 'd': ok &= parse_number(optarg, &run.duration_s); break;
        case 'c': ok &= parse_number(optarg, &connections); break;
        case 'w': ok &= parse_number(optarg, &run.warmup_s); break;
        case 'b': ok &= parse_number(optarg, &body_bytes); break;
        case 't': ok &= parse_number(optarg, &run.timeout_s); break;
        case 'H':
            ok &= header_count < 64 && strchr(optarg, ':') && !strpbrk(optarg, "\r\n");
            if (header_count < 64)
                headers[header_count++] = optarg;
            break;
        default: return usage();
        }
    }
    if (!ok || optind != argc || !url || run.rate <= 0 || run.duration_s <= 0 || run.warmup_s < 0 ||
        run.timeout_s <= 0 || connections < 1 || connections > MAX_CONNECTIONS ||
        connections != floor(connections) || body_bytes < 0 || body_bytes > 1e9 || body_bytes != floor(body_bytes))
        return usage();
    if (!(path = parse_url(url, &run.address))) {
        fprintf(stderr, "openloop: bad URL %s (want http://127.x.x.x[:port]/path: loopback only)\n", url);
        return 2;
    }
    build_request(&run, path, headers, header_count, (long)body_bytes);
    if (!probe_connect(&run)) {
        fprintf(stderr, "openloop: cannot connect to %s: %s\n", url, strerror(errno));
        return 1;
    }
    run.connection_count = (int)connections;
    allow_sockets(run.connection_count);
    run.connections = calloc((size_t)run.connection_count, sizeof *run.connections);
    run.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    run.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    struct epoll_event timer_event = { .events = EPOLLIN, .data.ptr = NULL };
    if (!run.connections || run.epoll_fd < 0 || run.timer_fd < 0 ||
        epoll_ctl(run.epoll_fd, EPOLL_CTL_ADD, run.timer_fd, &timer_event) < 0) {
        perror("openloop: setup");
        return 1;
    }
    run.timeout_ns = (uint64_t)(run.timeout_s * 1e9);
    run.start_ns = now_ns();
    run.measure_start_ns = run.start_ns + (uint64_t)(run.warmup_s * 1e9);
    run.measure_end_ns = run.measure_start_ns + (uint64_t)(run.duration_s * 1e9);
    run.hard_end_ns = run.measure_end_ns + run.timeout_ns;
    run.first_measured = (uint64_t)ceil(run.warmup_s * run.rate);
    run.total_requests = (uint64_t)ceil((run.warmup_s + run.duration_s) * run.rate);
    for (int i = 0; i < run.connection_count; i++)
        conn_open(&run, &run.connections[i]);
    event_loop(&run);
    print_result(&run);
    return run.connects_ok == 0 ? 1 : 0;
}
