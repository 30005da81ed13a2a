// A closed-loop load of N connections, each sending its next request when its last is answered, every request's latency
// timed around nothing but its write and the read that completes its answer (CLOCK_MONOTONIC), and reported as it was.
//
// wrk's percentiles are not the requests' own: after a run wrk "corrects for coordinated omission" (stats_correct in its
// stats.c): every latency of at least twice the mean interval between one connection's requests adds samples at itself less
// one, two, ... intervals, as if a client sending at the mean rate had waited behind it. At one connection, where the mean
// interval is ~200 µs, one 2 ms request adds nine such samples, and a tail of 0.5% of requests becomes wrk's p99. This client
// prints both: the requests' own percentiles, and the same latencies corrected as wrk corrects them (wrk_p99_us), which is
// what wrk reports for them (bench/README.md, issue 24).
//
// Usage: exact-load URL SECONDS CONNECTIONS, with chat.lua's environment: BENCH_KEY (a bearer key), BENCH_MODEL (default
// bench-model), BENCH_DISTINCT (every prompt distinct, named by it), BENCH_CACHE=1 (let the cache store the answers).
// One thread drives one connection; more are shared by two threads, as bench/run's wrk does (-t2).
// Prints one line: EXACT p50_us=… p90_us=… p99_us=… p999_us=… wrk_p99_us=… rps=… requests=… errors=… (errors: answers
// other than 2xx).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { MaxAnswer = 1 << 18, MaxLatencies = 8000000 };

typedef struct {
    int fd, number;
    long long sent;      // when the request in flight was written
    size_t got;          // bytes of its answer read so far
    long whole;          // the answer's length once its headers are in; 0 for a chunked one (read to its last chunk); -1 before
    size_t requests;     // requests this connection has sent, for distinct prompts
    char answer[MaxAnswer];
} connection;

typedef struct {
    int first, count;    // the connections this thread drives
    long long *latencies;
    size_t completed;
    int errors;
} worker;

static struct sockaddr_in server;
static char path[256];
static int port;
static const char *key, *distinct, *model, *no_store;
static long long deadline;
static connection *connections;

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

// Writes the connection's next request whole (a small one: the socket's buffer takes it at once) and starts its clock.
static int send_request(connection *c)
{
    char body[1024], request[4096];
    int body_length = distinct
        ? snprintf(body, sizeof body, "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello to the benchmark %s-%d-%zu\"}],\"max_tokens\":16}", model, distinct, c->number, c->requests)
        : snprintf(body, sizeof body, "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello to the benchmark\"}],\"max_tokens\":16}", model);
    int length = snprintf(request, sizeof request,
        "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n%s%s%s%sContent-Length: %d\r\n\r\n%s",
        path, port, no_store, key ? "Authorization: Bearer " : "", key ? key : "", key ? "\r\n" : "", body_length, body);
    c->requests++;
    c->got = 0;
    c->whole = -1;
    c->sent = now_ns();
    return write(c->fd, request, (size_t)length) == length ? 0 : -1;
}

// Reads what has arrived of the answer: 1 once it is whole, 0 while more is to come, -1 when the connection failed.
static int read_answer(connection *c)
{
    for (;;) {
        ssize_t n = read(c->fd, c->answer + c->got, MaxAnswer - 1 - c->got);
        if (n < 0) return errno == EAGAIN ? 0 : -1; // EAGAIN: the rest is still on its way
        if (n == 0) return -1;
        c->got += (size_t)n;
        c->answer[c->got] = 0;
        char *end_of_headers = strstr(c->answer, "\r\n\r\n");
        if (!end_of_headers) continue;
        if (c->whole < 0) {
            char *length = strcasestr(c->answer, "\r\ncontent-length:");
            c->whole = length && length < end_of_headers ? (end_of_headers - c->answer) + 4 + atol(length + 17) : 0;
        }
        if (c->whole > 0 ? (long)c->got >= c->whole : c->got >= 5 && memcmp(c->answer + c->got - 5, "0\r\n\r\n", 5) == 0) return 1;
        if (c->got == MaxAnswer - 1) return -1;
    }
}

static void *drive(void *argument)
{
    worker *w = argument;
    int poll = epoll_create1(0);
    for (int i = w->first; i < w->first + w->count; i++) {
        struct epoll_event interest = { .events = EPOLLIN, .data.ptr = &connections[i] };
        epoll_ctl(poll, EPOLL_CTL_ADD, connections[i].fd, &interest);
        if (send_request(&connections[i]) != 0) { fprintf(stderr, "exact-load: a write failed\n"); exit(1); }
    }
    struct epoll_event ready[64];
    while (now_ns() < deadline) {
        int n = epoll_wait(poll, ready, 64, 100);
        for (int i = 0; i < n; i++) {
            connection *c = ready[i].data.ptr;
            int state = read_answer(c);
            if (state < 0) { fprintf(stderr, "exact-load: a connection failed\n"); exit(1); }
            if (state == 0) continue;
            long long answered = now_ns();
            if (answered >= deadline) continue; // an answer after the end is not counted, as wrk counts none
            if (w->completed < MaxLatencies) w->latencies[w->completed++] = answered - c->sent;
            if (strncmp(c->answer, "HTTP/1.1 2", 10) != 0) w->errors++;
            if (send_request(c) != 0) { fprintf(stderr, "exact-load: a write failed\n"); exit(1); }
        }
    }
    close(poll);
    return NULL;
}

// The percentile wrk would report for these latencies (sorted, ns): whole microseconds, corrected as wrk's stats_correct
// corrects them, with its expected interval (the run's time over the requests one connection completed).
static double as_wrk_reports(const long long *sorted, size_t count, int per, double elapsed, double percentile)
{
    size_t each = count / (size_t)per; // the requests one connection completed
    long long max = sorted[count - 1] / 1000, expected = each ? (long long)(elapsed * 1e6 / each) : 0;
    unsigned long long *histogram = calloc((size_t)max + 1, sizeof *histogram), total = count;
    for (size_t i = 0; i < count; i++) histogram[sorted[i] / 1000]++;
    for (long long n = expected * 2; expected > 0 && n <= max; n++)
        for (long long m = n - expected; histogram[n] && m > expected; m -= expected) {
            histogram[m] += histogram[n];
            total += histogram[n];
        }
    unsigned long long rank = (unsigned long long)(percentile / 100.0 * total + 0.5), seen = 0;
    long long at = 0;
    while (at < max && (seen += histogram[at]) < rank) at++;
    free(histogram);
    return (double)at;
}

int main(int argc, char **argv)
{
    int count = argc == 4 ? atoi(argv[3]) : 0;
    if (count < 1 || sscanf(argv[1], "http://127.0.0.1:%d%255s", &port, path) != 2) {
        fprintf(stderr, "usage: exact-load http://127.0.0.1:PORT/PATH SECONDS CONNECTIONS\n");
        return 2;
    }
    double seconds = atof(argv[2]);
    key = getenv("BENCH_KEY");
    distinct = getenv("BENCH_DISTINCT");
    model = getenv("BENCH_MODEL") && *getenv("BENCH_MODEL") ? getenv("BENCH_MODEL") : "bench-model";
    no_store = getenv("BENCH_CACHE") && strcmp(getenv("BENCH_CACHE"), "1") == 0 ? "" : "Cache-Control: no-store\r\n";
    server = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
    inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);

    connections = calloc((size_t)count, sizeof *connections);
    for (int i = 0; i < count; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0), on = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        if (connect(fd, (struct sockaddr *)&server, sizeof server) != 0) { perror("connect"); return 1; }
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        connections[i].fd = fd;
        connections[i].number = i;
    }
    int threads = count < 2 ? 1 : 2;
    worker workers[2] = { 0 };
    pthread_t running[2];
    long long started = now_ns();
    deadline = started + (long long)(seconds * 1e9);
    for (int t = 0, first = 0; t < threads; t++) {
        int share = count / threads + (t < count % threads);
        workers[t] = (worker){ .first = first, .count = share, .latencies = malloc(MaxLatencies * sizeof(long long)) };
        first += share;
        pthread_create(&running[t], NULL, drive, &workers[t]);
    }
    size_t completed = 0;
    int errors = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(running[t], NULL);
        completed += workers[t].completed;
        errors += workers[t].errors;
    }
    double elapsed = (deadline - started) / 1e9;
    if (completed == 0) { fprintf(stderr, "exact-load: no request completed\n"); return 1; }
    long long *latencies = malloc(completed * sizeof *latencies);
    for (size_t t = 0, at = 0; t < (size_t)threads; at += workers[t].completed, t++)
        memcpy(latencies + at, workers[t].latencies, workers[t].completed * sizeof *latencies);
    qsort(latencies, completed, sizeof *latencies, by_value);
#define AT(p) (latencies[(size_t)((completed - 1) * (p) / 100.0)] / 1000.0)
    printf("EXACT p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f wrk_p99_us=%.0f rps=%.1f requests=%zu errors=%d\n",
        AT(50), AT(90), AT(99), AT(99.9), as_wrk_reports(latencies, completed, count, elapsed, 99), completed / elapsed, completed,
        errors);
    return 0;
}
