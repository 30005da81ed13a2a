// One connection, one request at a time, each request's latency timed around nothing but its own write and the read that
// completes its answer (CLOCK_MONOTONIC).
//
// wrk's percentiles are not the requests' own: after a run wrk "corrects for coordinated omission" (stats_correct in its
// stats.c): every latency of at least twice the mean interval between one connection's requests adds samples at itself less
// one, two, ... intervals, as if a client sending at the mean rate had waited behind it. At one connection, where the mean
// interval is ~200 µs, one 2 ms request adds nine such samples, and a tail of 0.5% of requests becomes wrk's p99. This client
// prints both: the requests' own percentiles, and the same latencies corrected as wrk corrects them (wrk_p99_us), which is
// what wrk reports for them (bench/README.md, issue 24).
//
// Usage: one-connection URL SECONDS, with chat.lua's environment: BENCH_KEY (a bearer key), BENCH_MODEL (default
// bench-model), BENCH_DISTINCT (every prompt distinct, named by it), BENCH_CACHE=1 (let the cache store the answers).
// Prints one line: EXACT p50_us=… p90_us=… p99_us=… p999_us=… wrk_p99_us=… rps=… requests=… errors=… (errors: answers
// other than 2xx).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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

static const char *env_or(const char *name, const char *fallback)
{
    const char *value = getenv(name);
    return value && *value ? value : fallback;
}

// Reads one whole answer into buf: its headers, then its Content-Length bytes or its chunks to the last. 0 on success.
static int read_answer(int fd, char *buf, size_t size)
{
    size_t got = 0;
    long whole = -1; // the answer's length once its headers are in; 0 while a chunked answer's last chunk is awaited
    for (;;) {
        ssize_t n = read(fd, buf + got, size - 1 - got);
        if (n <= 0) return -1;
        got += (size_t)n;
        buf[got] = 0;
        char *end_of_headers = strstr(buf, "\r\n\r\n");
        if (!end_of_headers) continue;
        if (whole < 0) {
            char *length = strcasestr(buf, "\r\ncontent-length:");
            whole = length && length < end_of_headers ? (end_of_headers - buf) + 4 + atol(length + 17) : 0;
        }
        if (whole > 0 ? (long)got >= whole : got >= 5 && memcmp(buf + got - 5, "0\r\n\r\n", 5) == 0) return 0;
        if (got == size - 1) return -1;
    }
}

// The percentile wrk would report for these latencies (sorted, ns): whole microseconds, corrected as wrk's stats_correct
// corrects them, with its expected interval (the run's time over the requests of one connection).
static double as_wrk_reports(const long long *sorted, size_t count, double elapsed, double percentile)
{
    long long max = sorted[count - 1] / 1000, expected = (long long)(elapsed * 1e6 / count);
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
    int port;
    char path[256];
    if (argc != 3 || sscanf(argv[1], "http://127.0.0.1:%d%255s", &port, path) != 2) {
        fprintf(stderr, "usage: one-connection http://127.0.0.1:PORT/PATH SECONDS\n");
        return 2;
    }
    double seconds = atof(argv[2]);
    const char *key = getenv("BENCH_KEY"), *distinct = getenv("BENCH_DISTINCT");
    const char *model = env_or("BENCH_MODEL", "bench-model");
    const char *no_store = getenv("BENCH_CACHE") && strcmp(getenv("BENCH_CACHE"), "1") == 0 ? "" : "Cache-Control: no-store\r\n";

    int fd = socket(AF_INET, SOCK_STREAM, 0), on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) { perror("connect"); return 1; }

    size_t capacity = 4000000, count = 0;
    long long *latencies = malloc(capacity * sizeof *latencies);
    static char body[1024], request[4096], answer[1 << 20];
    int errors = 0;
    long long started = now_ns(), end = started + (long long)(seconds * 1e9);
    while (count < capacity && now_ns() < end) {
        int body_length = distinct
            ? snprintf(body, sizeof body, "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello to the benchmark %s-%zu\"}],\"max_tokens\":16}", model, distinct, count)
            : snprintf(body, sizeof body, "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello to the benchmark\"}],\"max_tokens\":16}", model);
        int length = snprintf(request, sizeof request,
            "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n%s%s%s%sContent-Length: %d\r\n\r\n%s",
            path, port, no_store, key ? "Authorization: Bearer " : "", key ? key : "", key ? "\r\n" : "", body_length, body);
        long long sent = now_ns();
        if (write(fd, request, (size_t)length) != length || read_answer(fd, answer, sizeof answer) != 0) {
            fprintf(stderr, "one-connection: the connection failed after %zu requests\n", count);
            return 1;
        }
        latencies[count++] = now_ns() - sent;
        if (strncmp(answer, "HTTP/1.1 2", 10) != 0) errors++;
    }
    double elapsed = (now_ns() - started) / 1e9;
    if (count == 0) { fprintf(stderr, "one-connection: no request completed\n"); return 1; }
    qsort(latencies, count, sizeof *latencies, by_value);
#define AT(p) (latencies[(size_t)((count - 1) * (p) / 100.0)] / 1000.0)
    printf("EXACT p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f wrk_p99_us=%.0f rps=%.1f requests=%zu errors=%d\n",
        AT(50), AT(90), AT(99), AT(99.9), as_wrk_reports(latencies, count, elapsed, 99), count / elapsed, count, errors);
    return 0;
}
