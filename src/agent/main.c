/* pktwatchd: the capture agent. Parses arguments and runs the one event
 * loop; the work is in sessions.c (captures) and api.c (HTTP). */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/api.h"
#include "agent/sessions.h"
#include "util/limits.h"

#define PW_AGENT_VERSION "0.1"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "usage: pktwatchd --data-dir DIR [options]\n"
    "\n"
    "The pktwatch capture agent: runs packet captures on this host's interfaces\n"
    "on request, through a REST API (/packetCaptures, see docs/openapi.json).\n"
    "\n"
    "options:\n"
    "  --listen HOST:PORT    address to serve on (default 127.0.0.1:8440; [::1]:PORT\n"
    "                        for IPv6; port 0 picks a free port). A non-loopback\n"
    "                        address requires --token-file.\n"
    "  --data-dir DIR        state database and lock (required; created if missing)\n"
    "  --token-file FILE     require 'Authorization: Bearer <token>' on every request;\n"
    "                        the token is the file's first line\n"
    "  --capture-root DIR    capture files are confined to DIR (default DATA_DIR/captures)\n"
    "  --max-sessions N      running sessions at most (default 10, 1..1000)\n"
    "  --buffer-size BYTES   kernel capture ring per interface (default 4194304)\n"
    "  --promisc             put interfaces into promiscuous mode\n"
    "  --help                show this help\n"
    "  --version             show the version\n"
    "\n"
    "Sessions that were running when the agent stopped or died are marked\n"
    "Stopped with stopReason AgentRestart at the next start; their files stay.\n"
    "SIGINT or SIGTERM stops running sessions the same way and exits.\n"
    "\n"
    "exit status:\n"
    "  0  stopped by SIGINT or SIGTERM\n"
    "  1  could not start or keep running (address in use, unreadable token\n"
    "     file, state database error, another agent on the same data directory)\n"
    "  2  bad command line\n";

static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logmsg(const char *fmt, ...)
{
    char ts[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "pktwatchd: %s ", ts);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("pktwatchd: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n(try pktwatchd --help)\n", stderr);
    va_end(ap);
    return EXIT_USAGE;
}

static bool parse_u64(const char *s, unsigned long long lo, unsigned long long hi,
                      unsigned long long *out)
{
    char *end;
    if (!s || !*s || *s == '-')
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* Reads the token: the first line, without surrounding blanks. */
static int read_token(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        logmsg("--token-file %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & 0077))
        logmsg("warning: token file %s is readable by group or others", path);
    size_t n = fread(out, 1, cap - 1, f);
    bool more = fgetc(f) != EOF;
    fclose(f);
    out[n] = '\0';
    char *nl = strpbrk(out, "\r\n");
    if (nl)
        *nl = '\0';
    else if (more) {
        logmsg("--token-file %s: token is longer than %zu bytes", path, cap - 1);
        return -1;
    }
    char *b = out;
    while (*b == ' ' || *b == '\t')
        b++;
    size_t len = strlen(b);
    while (len && (b[len - 1] == ' ' || b[len - 1] == '\t'))
        len--;
    memmove(out, b, len);
    out[len] = '\0';
    if (len == 0) {
        logmsg("--token-file %s: the file holds no token", path);
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)out[i] < 0x21 || (unsigned char)out[i] == 0x7f) {
            logmsg("--token-file %s: the token contains blanks or control characters", path);
            return -1;
        }
    }
    return 0;
}

static int run_loop(struct pw_api *api, struct pw_sessmgr *m, int sigfd, unsigned max_running)
{
    size_t cap = 2 + (size_t)max_running * PW_MAX_TARGET_IFACES;
    struct pollfd *pfd = calloc(cap, sizeof(*pfd));
    struct pw_session **owner = calloc(cap, sizeof(*owner));
    if (!pfd || !owner) {
        free(pfd);
        free(owner);
        logmsg("out of memory");
        return EXIT_RUNTIME;
    }
    int rc = EXIT_OK;
    for (;;) {
        pfd[0] = (struct pollfd){.fd = pw_api_fd(api), .events = POLLIN};
        pfd[1] = (struct pollfd){.fd = sigfd, .events = POLLIN};
        size_t n = 2 + pw_sessmgr_pollfds(m, pfd + 2, owner + 2, cap - 2);
        int tmo = pw_sessmgr_timeout_ms(m);
        int at = pw_api_timeout_ms(api);
        if (at >= 0 && at < tmo)
            tmo = at;
        int r = poll(pfd, (nfds_t)n, tmo);
        if (r < 0 && errno != EINTR) {
            logmsg("poll: %s", strerror(errno));
            rc = EXIT_RUNTIME;
            break;
        }
        if (r > 0 && (pfd[1].revents & POLLIN)) {
            struct signalfd_siginfo si;
            if (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                logmsg("received signal %u, stopping", si.ssi_signo);
                break;
            }
        }
        /* Capture reads first: a handler below may delete a session, and
         * the owner pointers are only valid until then. */
        for (size_t i = 2; r > 0 && i < n; i++) {
            if (!(pfd[i].revents & (POLLIN | POLLERR | POLLHUP)))
                continue;
            struct pw_session *s = owner[i];
            pw_sessmgr_service(m, s);
            for (size_t k = i + 1; k < n; k++) /* a session polled on several fds */
                if (owner[k] == s)
                    pfd[k].revents = 0;
        }
        pw_sessmgr_tick(m);
        pw_api_run(api);
    }
    free(pfd);
    free(owner);
    return rc;
}

int main(int argc, char **argv)
{
    const char *listen = "127.0.0.1:8440", *data_dir = NULL, *token_file = NULL;
    const char *capture_root = NULL;
    unsigned long long max_sessions = 10, buffer_size = 4u << 20;
    bool promisc = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_VALUE                                                                                 \
    do {                                                                                           \
        if (!v)                                                                                    \
            return usage_error("%s needs a value", a);                                             \
        i++;                                                                                       \
    } while (0)
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--version") == 0) {
            printf("pktwatchd %s\n", PW_AGENT_VERSION);
            return EXIT_OK;
        } else if (strcmp(a, "--api-table") == 0) { /* hidden: for docs and tests */
            pw_api_print_table(stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--check-openapi") == 0) { /* hidden: the OpenAPI sync test */
            NEED_VALUE;
            int d = pw_api_check_openapi(v, stdout);
            if (d == 0)
                printf("openapi: %s matches the agent's routes and fields\n", v);
            return d == 0 ? EXIT_OK : EXIT_RUNTIME;
        } else if (strcmp(a, "--listen") == 0) {
            NEED_VALUE;
            listen = v;
        } else if (strcmp(a, "--data-dir") == 0) {
            NEED_VALUE;
            data_dir = v;
        } else if (strcmp(a, "--token-file") == 0) {
            NEED_VALUE;
            token_file = v;
        } else if (strcmp(a, "--capture-root") == 0) {
            NEED_VALUE;
            capture_root = v;
        } else if (strcmp(a, "--max-sessions") == 0) {
            NEED_VALUE;
            if (!parse_u64(v, 1, 1000, &max_sessions))
                return usage_error("--max-sessions must be a number from 1 to 1000");
        } else if (strcmp(a, "--buffer-size") == 0) {
            NEED_VALUE;
            if (!parse_u64(v, 65536, 1u << 30, &buffer_size))
                return usage_error("--buffer-size must be from 65536 to 1073741824 bytes");
        } else if (strcmp(a, "--promisc") == 0) {
            promisc = true;
        } else {
            return usage_error("unknown option '%s'", a);
        }
#undef NEED_VALUE
    }
    if (!data_dir)
        return usage_error("--data-dir is required");
    char host[64];
    unsigned port;
    if (!pw_api_parse_listen(listen, host, sizeof(host), &port))
        return usage_error("--listen: '%s' is not HOST:PORT", listen);
    if (!pw_api_listen_is_loopback(listen) && !token_file)
        return usage_error("refusing to listen on non-loopback address %s without --token-file",
                           listen);

    char token[PW_MAX_TOKEN + 1];
    if (token_file && read_token(token_file, token, sizeof(token)) != 0)
        return EXIT_RUNTIME;

    /* Signals arrive through the loop, never in the middle of a write. */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    int sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sigfd < 0) {
        logmsg("signalfd: %s", strerror(errno));
        return EXIT_RUNTIME;
    }

    struct pw_error err = {0};
    struct pw_sessmgr *m = NULL;
    struct pw_sessmgr_cfg mc = {
        .data_dir = data_dir,
        .capture_root = capture_root,
        .max_running = (unsigned)max_sessions,
        .buffer_size = (uint32_t)buffer_size,
        .ring_timeout_ms = 100,
        .promisc = promisc,
        .log = logmsg,
    };
    if (pw_sessmgr_open(&m, &mc, &err) != 0) {
        logmsg("%s", err.msg);
        close(sigfd);
        return EXIT_RUNTIME;
    }
    struct pw_api *api = NULL;
    struct pw_api_cfg ac = {
        .listen = listen,
        .token = token_file ? token : NULL,
        .mgr = m,
        .log = logmsg,
    };
    if (pw_api_start(&api, &ac, &err) != 0) {
        logmsg("%s", err.msg);
        pw_sessmgr_close(m);
        close(sigfd);
        return EXIT_RUNTIME;
    }
    memset(token, 0, sizeof(token));
    bool v6 = listen[0] == '[';
    logmsg("listening on http://%s%s%s:%u (capture root %s, %zu stored sessions%s)", v6 ? "[" : "",
           host, v6 ? "]" : "", pw_api_port(api), pw_sessmgr_root(m), pw_sessmgr_count(m),
           token_file ? ", token required" : "");
    int rc = run_loop(api, m, sigfd, (unsigned)max_sessions);
    pw_api_stop(api);
    pw_sessmgr_close(m);
    close(sigfd);
    return rc;
}
