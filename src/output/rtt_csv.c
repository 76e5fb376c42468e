/* `pktwatch rtt --csv`: one row per connection, in tcp.stream order, with
 * the exact column set of PW_RTT_CSV_HEADER. Frame numbers are tshark's
 * (1-based), times are seconds with nine decimals as tshark prints them, and
 * a value that does not exist is an empty cell. Also home of the helpers the
 * three outputs share. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "flow/flows.h"
#include "output/rtt.h"

const char *pw_rtt_addr(char *buf, size_t n, int family, const uint8_t *addr)
{
    if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)n))
        snprintf(buf, n, "?");
    return buf;
}

const char *pw_rtt_ms(char *buf, size_t n, int64_t ns)
{
    /* rounded to the microsecond */
    uint64_t a = ns < 0 ? (uint64_t)(-(ns + 1)) + 1 : (uint64_t)ns;
    uint64_t us = (a + 500) / 1000;
    snprintf(buf, n, "%s%" PRIu64 ".%03" PRIu64, ns < 0 && us ? "-" : "", us / 1000, us % 1000);
    return buf;
}

static void put_time(FILE *f, bool has, struct pw_nstime t)
{
    char b[64];
    if (has)
        fputs(pw_nstime_fmt(b, sizeof(b), t), f);
}

static void put_frame(FILE *f, uint64_t frame)
{
    if (frame)
        fprintf(f, "%" PRIu64, frame);
}

void pw_rtt_csv(FILE *f, const struct pw_rtt_report *rep, bool header)
{
    char a[64], b[64];
    if (header)
        fputs(PW_RTT_CSV_HEADER "\n", f);
    for (size_t i = 0; i < pw_rtt_nconns(rep->rtt); i++) {
        const struct pw_rtt_conn *c = pw_rtt_conn(rep->rtt, i);
        fprintf(f, "%u,%s,%u,%s,%u,", c->stream, pw_rtt_addr(a, sizeof(a), c->family, c->client),
                c->client_port, pw_rtt_addr(b, sizeof(b), c->family, c->server), c->server_port);
        put_frame(f, c->syn_frame);
        fputc(',', f);
        put_frame(f, c->synack_frame);
        fputc(',', f);
        put_time(f, c->syn_frame != 0, c->syn_time);
        fputc(',', f);
        put_time(f, c->has_handshake_rtt, c->handshake_rtt);
        fputc(',', f);
        put_time(f, c->has_client_rtt, c->client_rtt);
        fputc(',', f);
        put_time(f, c->has_initial_rtt, c->initial_rtt);
        fprintf(f, ",%u,%u,%s\n", c->syn_retransmits, c->synack_retransmits,
                pw_rtt_outcome_name(c->outcome));
    }
}
