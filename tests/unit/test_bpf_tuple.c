/* Filter tuples -> libpcap expression: syntax, error messages, and what the
 * compiled filter matches on synthetic packets. */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdint.h>

#include "capture/bpf_tuple.h"
#include "test.h"
#include "util/limits.h"

static char out[PW_MAX_BPF_EXPR + 1];
static struct pw_error err;

static int build(const struct pw_bpf_tuple *t, size_t n, const char *raw)
{
    pw_error_clear(&err);
    return pw_bpf_from_tuples(t, n, raw, out, sizeof(out), &err);
}

/* Builds an Ethernet/IPv4/TCP-or-UDP (or ICMP echo) frame. */
static size_t frame(uint8_t *b, int proto, const char *src, const char *dst, uint16_t sport,
                    uint16_t dport)
{
    memset(b, 0, 64);
    b[12] = 0x08; /* IPv4 */
    uint8_t *ip = b + 14;
    ip[0] = 0x45;
    ip[3] = 40;
    ip[8] = 64;
    ip[9] = (uint8_t)proto;
    inet_pton(AF_INET, src, ip + 12);
    inet_pton(AF_INET, dst, ip + 16);
    uint8_t *l4 = ip + 20;
    if (proto == 1) {
        l4[0] = 8;
    } else {
        l4[0] = (uint8_t)(sport >> 8);
        l4[1] = (uint8_t)sport;
        l4[2] = (uint8_t)(dport >> 8);
        l4[3] = (uint8_t)dport;
        if (proto == 6)
            l4[12] = 0x50;
    }
    return 14 + 20 + 20;
}

/* Whether `expr` accepts the frame, via the real compiler and interpreter. */
static int matches(const char *expr, int proto, const char *src, const char *dst, uint16_t sport,
                   uint16_t dport)
{
    uint8_t b[64];
    size_t len = frame(b, proto, src, dst, sport, dport);
    pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
    struct bpf_program prog;
    int r = -1;
    if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) == 0) {
        struct pcap_pkthdr h = {.caplen = (bpf_u_int32)len, .len = (bpf_u_int32)len};
        r = pcap_offline_filter(&prog, &h, b) != 0;
        pcap_freecode(&prog);
    } else {
        fprintf(stderr, "compile failed: %s: %s\n", expr, pcap_geterr(p));
    }
    pcap_close(p);
    return r;
}

static void single_port(void)
{
    struct pw_bpf_tuple t = {.protocol = "TCP", .local_port = "80"};
    CHECK(build(&t, 1, NULL) > 0);
    CHECK_EQ_STR(out, "(tcp and ((src port 80) or (dst port 80)))");
}

static void empty_means_everything(void)
{
    CHECK_EQ_INT(build(NULL, 0, NULL), 0);
    CHECK_EQ_STR(out, "");
    struct pw_bpf_tuple t[2] = {{.protocol = "TCP", .local_port = "22"}, {.protocol = "Any"}};
    CHECK_EQ_INT(build(t, 2, NULL), 0); /* OR with "any" is everything */
    CHECK_EQ_STR(out, "");
    struct pw_bpf_tuple blank = {.protocol = "", .local_ip = "  ", .local_port = ""};
    CHECK_EQ_INT(build(&blank, 1, NULL), 0);
}

static void range_and_list(void)
{
    struct pw_bpf_tuple t = {.protocol = "udp", .local_port = "80-85", .remote_port = "53;443;"};
    CHECK(build(&t, 1, NULL) > 0);
    CHECK_EQ_STR(out, "(udp and ((src portrange 80-85 and (dst port 53 or dst port 443)) or "
                      "(dst portrange 80-85 and (src port 53 or src port 443))))");
    struct pw_bpf_tuple sp = {.protocol = "TCP", .local_port = " 80 ; 443 "};
    CHECK(build(&sp, 1, NULL) > 0);
    CHECK_EQ_STR(out, "(tcp and (((src port 80 or src port 443)) or ((dst port 80 or dst port "
                      "443))))");
}

static void ip_forms(void)
{
    struct pw_bpf_tuple t = {.local_ip = "10.0.0.1-10.0.0.9", .remote_ip = "fe80::1;fe80::2"};
    CHECK_EQ_INT(build(&t, 1, NULL), PW_ERR_ARG); /* v4 against v6 can never match */
    CHECK(strstr(err.msg, "different IP versions") != NULL);
    struct pw_bpf_tuple r = {.local_ip = "10.0.0.1-10.0.0.9", .remote_ip = "192.168.1.1"};
    CHECK(build(&r, 1, NULL) > 0);
    CHECK_EQ_STR(out, "((((ip[12:4] >= 0x0a000001 and ip[12:4] <= 0x0a000009) and dst host "
                      "192.168.1.1) or ((ip[16:4] >= 0x0a000001 and ip[16:4] <= 0x0a000009) and "
                      "src host 192.168.1.1)))");
    CHECK_EQ_INT(pw_bpf_compile_check(out, DLT_EN10MB, &err), 0);
    struct pw_bpf_tuple v6 = {.protocol = "TCP", .local_ip = "2001:db8::1"};
    CHECK(build(&v6, 1, NULL) > 0);
    CHECK_EQ_INT(pw_bpf_compile_check(out, DLT_EN10MB, &err), 0);
}

static void error_messages(void)
{
    struct {
        struct pw_bpf_tuple t;
        const char *want;
    } cases[] = {
        {{.local_ip = "1.1.1.1-255.255.255"},
         "filters[0].localIPAddress: '255.255.255' is not an IPv4 or IPv6 address"},
        {{.local_port = "80,443"}, "filters[0].localPort: ',' is not a list separator"},
        {{.local_port = "80-85;443"},
         "filters[0].localPort: '80-85;443' mixes a range with a list"},
        {{.remote_port = "1-2-3"}, "filters[0].remotePort: '1-2-3' has more than one range"},
        {{.local_port = "90-80"}, "filters[0].localPort: '90-80' is not a valid range"},
        {{.local_port = "65536"}, "filters[0].localPort: port 65536 is out of range"},
        {{.local_port = "80;;443"}, "filters[0].localPort: '80;;443' has an empty list item"},
        {{.local_port = "http"}, "filters[0].localPort: unexpected character 'h'"},
        {{.local_ip = "fe80::1-fe80::9"},
         "filters[0].localIPAddress: 'fe80::1-fe80::9': address "
         "ranges are supported for IPv4 only"},
        {{.protocol = "ICMP", .remote_port = "7"},
         "filters[0].remotePort: ports cannot be used with protocol ICMP"},
        {{.protocol = "SCTP"}, "filters[0].protocol: 'SCTP' is not one of TCP, UDP, ICMP, Any"},
        {{.local_port = "-80"}, "filters[0].localPort: '-80': range has no start"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = build(&cases[i].t, 1, NULL);
        CHECK_EQ_INT(rc, PW_ERR_ARG);
        if (strncmp(err.msg, cases[i].want, strlen(cases[i].want)) != 0) {
            fprintf(stderr, "case %zu: got \"%s\"\n  want prefix \"%s\"\n", i, err.msg,
                    cases[i].want);
            pw_t_case_failed = 1;
        }
    }
    /* The index names the filter at fault. */
    struct pw_bpf_tuple two[2] = {{.protocol = "TCP"}, {.local_port = "x"}};
    CHECK_EQ_INT(build(two, 2, NULL), PW_ERR_ARG);
    CHECK(strncmp(err.msg, "filters[1].localPort", 20) == 0);
}

static void check_value(void)
{
    CHECK_EQ_INT(pw_bpf_check_value("localPort", "80;443;", &err), 0);
    CHECK_EQ_INT(pw_bpf_check_value("remoteIPAddress", "127.0.0.1-127.0.0.255", &err), 0);
    CHECK_EQ_INT(pw_bpf_check_value("remoteIPAddress", "127.0.0.255-127.0.0.1", &err), PW_ERR_ARG);
    CHECK_EQ_INT(pw_bpf_check_value("localPort", NULL, &err), 0);
}

static void raw_expression(void)
{
    CHECK(build(NULL, 0, "  not arp  ") > 0);
    CHECK_EQ_STR(out, "not arp");
    struct pw_bpf_tuple t = {.protocol = "TCP"};
    CHECK(build(&t, 1, "port 1 or port 2") > 0);
    CHECK_EQ_STR(out, "((tcp)) and (port 1 or port 2)");
    CHECK_EQ_INT(pw_bpf_compile_check("tcp port", DLT_EN10MB, &err), PW_ERR_ARG);
    CHECK(err.msg[0] != '\0');
    CHECK_EQ_INT(pw_bpf_compile_check("", DLT_EN10MB, &err), 0);
    char big[PW_MAX_BPF_RAW + 2];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CHECK_EQ_INT(build(NULL, 0, big), PW_ERR_ARG);
}

static void limits(void)
{
    struct pw_bpf_tuple t[PW_MAX_FILTERS + 1];
    for (size_t i = 0; i <= PW_MAX_FILTERS; i++)
        t[i] = (struct pw_bpf_tuple){.protocol = "TCP", .local_port = "1"};
    CHECK_EQ_INT(build(t, PW_MAX_FILTERS + 1, NULL), PW_ERR_ARG);
    CHECK(build(t, PW_MAX_FILTERS, NULL) > 0);
    /* A small output buffer is reported, never overrun. */
    char small[16];
    memset(small, 'x', sizeof(small));
    CHECK_EQ_INT(pw_bpf_from_tuples(t, 1, NULL, small, 10, &err), PW_ERR_LIMIT);
    CHECK(small[10] == 'x');
    CHECK(strlen(small) < 10);
    /* The largest legal input fits and compiles. */
    static char list[PW_MAX_FILTER_VALUE + 1];
    size_t k = 0;
    for (int i = 0; i < (int)PW_MAX_FILTER_LIST; i++)
        k += (size_t)snprintf(list + k, sizeof(list) - k, "%d;", 60000 + i);
    for (size_t i = 0; i < PW_MAX_FILTERS; i++)
        t[i] = (struct pw_bpf_tuple){.protocol = "TCP", .local_port = list, .remote_port = list};
    int rc = build(t, PW_MAX_FILTERS, NULL);
    CHECK(rc == PW_ERR_LIMIT || rc > 0); /* either fits or is refused with a message */
    if (rc == PW_ERR_LIMIT)
        CHECK(strstr(err.msg, "longer than") != NULL);
}

/* AND inside a filter, OR across filters, both directions of a flow. */
static void semantics(void)
{
    struct pw_bpf_tuple t[2] = {
        {.protocol = "TCP", .local_ip = "10.0.0.1", .remote_port = "80"},
        {.protocol = "UDP", .remote_ip = "10.0.0.9", .local_port = "5000-5010"},
    };
    CHECK(build(t, 2, NULL) > 0);
    /* filter 0, outbound and inbound */
    CHECK_EQ_INT(matches(out, 6, "10.0.0.1", "10.0.0.2", 40000, 80), 1);
    CHECK_EQ_INT(matches(out, 6, "10.0.0.2", "10.0.0.1", 80, 40000), 1);
    /* AND: right address, wrong port; right port, wrong address; wrong protocol */
    CHECK_EQ_INT(matches(out, 6, "10.0.0.1", "10.0.0.2", 40000, 81), 0);
    CHECK_EQ_INT(matches(out, 6, "10.0.0.3", "10.0.0.2", 40000, 80), 0);
    CHECK_EQ_INT(matches(out, 17, "10.0.0.1", "10.0.0.2", 40000, 80), 0);
    /* "local" and "remote" keep their pairing: port 80 on the local side is
     * not "remote port 80" */
    CHECK_EQ_INT(matches(out, 6, "10.0.0.1", "10.0.0.2", 80, 40000), 0);
    /* filter 1 (OR) */
    CHECK_EQ_INT(matches(out, 17, "10.0.0.5", "10.0.0.9", 5005, 53), 1);
    CHECK_EQ_INT(matches(out, 17, "10.0.0.9", "10.0.0.5", 53, 5010), 1);
    CHECK_EQ_INT(matches(out, 17, "10.0.0.9", "10.0.0.5", 53, 5011), 0);
    /* IPv4 ranges are inclusive at both ends */
    struct pw_bpf_tuple r = {.protocol = "ICMP", .local_ip = "10.0.0.10-10.0.0.20"};
    CHECK(build(&r, 1, NULL) > 0);
    CHECK_EQ_INT(matches(out, 1, "10.0.0.10", "8.8.8.8", 0, 0), 1);
    CHECK_EQ_INT(matches(out, 1, "8.8.8.8", "10.0.0.20", 0, 0), 1);
    CHECK_EQ_INT(matches(out, 1, "10.0.0.21", "8.8.8.8", 0, 0), 0);
    CHECK_EQ_INT(matches(out, 6, "10.0.0.15", "8.8.8.8", 1, 2), 0);
    /* raw expression is ANDed */
    struct pw_bpf_tuple any = {.protocol = "TCP"};
    CHECK(build(&any, 1, "port 22 or port 23") > 0);
    CHECK_EQ_INT(matches(out, 6, "1.1.1.1", "2.2.2.2", 1000, 22), 1);
    CHECK_EQ_INT(matches(out, 17, "1.1.1.1", "2.2.2.2", 1000, 22), 0);
}

static void proto_canon(void)
{
    CHECK_EQ_STR(pw_bpf_proto_canon("tcp"), "TCP");
    CHECK_EQ_STR(pw_bpf_proto_canon("ANY"), "Any");
    CHECK_EQ_STR(pw_bpf_proto_canon(NULL), "Any");
    CHECK_EQ_STR(pw_bpf_proto_canon("Icmp"), "ICMP");
    CHECK(pw_bpf_proto_canon("sctp") == NULL);
}

TEST_MAIN(TEST_CASE(single_port), TEST_CASE(empty_means_everything), TEST_CASE(range_and_list),
          TEST_CASE(ip_forms), TEST_CASE(error_messages), TEST_CASE(check_value),
          TEST_CASE(raw_expression), TEST_CASE(limits), TEST_CASE(semantics),
          TEST_CASE(proto_canon))
