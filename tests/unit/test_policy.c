/* The alert policy parser (src/classify/policy.c): valid files, errors with
 * their line numbers, limits, lookups, and the built-in policy. */
#include <stdio.h>
#include <string.h>

#include "classify/policy.h"
#include "test.h"

static struct pw_policy *P;

static int parse(const char *text, struct pw_error *err)
{
    pw_policy_clear(P);
    memset(err, 0, sizeof(*err));
    return pw_policy_parse(P, text, strlen(text), "t.ini", err);
}

/* Parses text that must fail; checks the line and a fragment of the message. */
static void expect_error(const char *text, unsigned line, const char *frag)
{
    struct pw_error err;
    int rc = parse(text, &err);
    CHECK(rc < 0);
    CHECK_EQ_INT(err.offset, line);
    if (!strstr(err.msg, frag)) {
        fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err.msg, frag);
        CHECK(0);
    }
    char where[32];
    snprintf(where, sizeof(where), "t.ini:%u:", line);
    CHECK(!strncmp(err.msg, where, strlen(where)));
}

static void test_valid_all_sections(void)
{
    const char *text = "# a comment\n"
                       "; another\n"
                       "[policy]\n"
                       "name = lab servers\n"
                       "\n"
                       "[applications]\n"
                       "BitTorrent = critical   # inline comment\n"
                       "SSH = allow\n"
                       "Sina(Weibo) = low\n"
                       "[categories]\n"
                       "RemoteAccess = medium\n"
                       "User custom category 1 = info\n"
                       "[services]\n"
                       "192.0.2.10 = tcp/22, tcp/443\n"
                       "10.1.0.0/16 = tcp/80,udp/53 , 123, tcp/8000-8100\n"
                       "2001:db8::/32 = tcp/443\n"
                       "* =\n"
                       "[ports]\n"
                       "SSH = tcp/22, tcp/2222\n"
                       "[alerts]\n"
                       "scan = critical\n"
                       "protocol-port-mismatch = off\n"
                       "[thresholds]\n"
                       "scan.min_targets = 100\n"
                       "classify.packets = 8\n";
    struct pw_error err;
    CHECK_EQ_INT(parse(text, &err), 0);
    CHECK_EQ_INT(P->napps, 3);
    CHECK_EQ_INT(P->ncats, 2);
    CHECK_EQ_INT(P->nservices, 4);
    CHECK_EQ_INT(P->nappports, 1);
    const struct pw_policy_rule *r = pw_policy_app(P, "bittorrent");
    CHECK(r && r->sev == PW_SEV_CRITICAL && r->line == 7);
    r = pw_policy_app(P, "SSH");
    CHECK(r && r->sev == PW_SEV_NONE);
    CHECK(pw_policy_app(P, "Sina(Weibo)") != NULL);
    r = pw_policy_category(P, "remoteaccess");
    CHECK(r && r->sev == PW_SEV_MEDIUM);
    CHECK(pw_policy_category(P, "User custom category 1") != NULL);
    CHECK_EQ_INT(P->kind_sev[PW_AK_SCAN], PW_SEV_CRITICAL);
    CHECK_EQ_INT(P->kind_sev[PW_AK_PORT_MISMATCH], PW_SEV_NONE);
    CHECK_EQ_INT(P->kind_sev[PW_AK_CLEARTEXT], PW_SEV_HIGH); /* default kept */
    CHECK_EQ_INT(P->thr.scan_min_targets, 100);
    CHECK_EQ_INT(P->thr.classify_packets, 8);
    CHECK_EQ_INT(P->thr.hs_min_failures, 10); /* default kept */

    uint8_t host[4] = {192, 0, 2, 10}, sub[4] = {10, 1, 200, 3}, other[4] = {8, 8, 8, 8};
    const struct pw_policy_service *s = pw_policy_service_for(P, 4, host);
    CHECK(s && s->prefix == 32 && s->ports.n == 2);
    CHECK(pw_policy_ports_has(&s->ports, 6, 22));
    CHECK(pw_policy_ports_has(&s->ports, 6, 443));
    CHECK(!pw_policy_ports_has(&s->ports, 6, 111));
    CHECK(!pw_policy_ports_has(&s->ports, 17, 22));
    s = pw_policy_service_for(P, 4, sub);
    CHECK(s && s->prefix == 16 && s->ports.n == 4);
    CHECK(pw_policy_ports_has(&s->ports, 17, 123)); /* a bare port is both */
    CHECK(pw_policy_ports_has(&s->ports, 6, 123));
    CHECK(pw_policy_ports_has(&s->ports, 6, 8050));
    CHECK(!pw_policy_ports_has(&s->ports, 6, 8101));
    s = pw_policy_service_for(P, 4, other);
    CHECK(s && s->family == 0 && s->ports.n == 0); /* the "*" entry */
    uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    s = pw_policy_service_for(P, 6, v6);
    CHECK(s && s->family == 6 && s->prefix == 32);
    const struct pw_policy_appports *ap = pw_policy_app_ports(P, "ssh");
    CHECK(ap && ap->ports.n == 2 && pw_policy_ports_has(&ap->ports, 6, 2222));
}

static void test_longest_prefix_and_host_bits(void)
{
    struct pw_error err;
    CHECK_EQ_INT(parse("[services]\n10.0.0.0/8 = tcp/22\n10.1.2.99/24 = tcp/80\n", &err), 0);
    uint8_t a[4] = {10, 1, 2, 3}, b[4] = {10, 9, 9, 9};
    const struct pw_policy_service *s = pw_policy_service_for(P, 4, a);
    CHECK(s && s->prefix == 24 && s->addr[3] == 0); /* host bits cleared */
    s = pw_policy_service_for(P, 4, b);
    CHECK(s && s->prefix == 8);
    CHECK(pw_policy_service_for(P, 6, (const uint8_t *)"0123456789abcdef") == NULL);
}

static void test_later_entries_replace(void)
{
    struct pw_error err;
    CHECK_EQ_INT(parse("[applications]\nTor = high\n[services]\n192.0.2.1 = tcp/22\n", &err), 0);
    const char *more = "[applications]\ntor = allow\n[services]\n192.0.2.1 = tcp/443\n";
    CHECK_EQ_INT(pw_policy_parse(P, more, strlen(more), "more", &err), 0);
    CHECK_EQ_INT(P->napps, 1);
    CHECK_EQ_INT(pw_policy_app(P, "Tor")->sev, PW_SEV_NONE);
    CHECK_EQ_INT(P->nservices, 1);
    uint8_t h[4] = {192, 0, 2, 1};
    const struct pw_policy_service *s = pw_policy_service_for(P, 4, h);
    CHECK(s && pw_policy_ports_has(&s->ports, 6, 443) && !pw_policy_ports_has(&s->ports, 6, 22));
}

static void test_base_none_clears(void)
{
    struct pw_error err;
    CHECK_EQ_INT(pw_policy_load_default(P, &err), 0);
    CHECK(P->napps > 10);
    const char *t = "[policy]\nbase = none\n[applications]\nBitTorrent = low\n";
    CHECK_EQ_INT(pw_policy_parse(P, t, strlen(t), "x", &err), 0);
    CHECK_EQ_INT(P->napps, 1);
    CHECK_EQ_INT(P->nappports, 0);
    /* "base = none" after a setting is refused */
    expect_error("[applications]\nTor = high\n[policy]\nbase = none\n", 4, "must come before");
}

static void test_errors_with_lines(void)
{
    expect_error("BitTorrent = high\n", 1, "outside a section");
    expect_error("\n\n[nosuch]\n", 3, "unknown section [nosuch]");
    expect_error("[applications\n", 1, "closing ']'");
    expect_error("[applications]\nBitTorrent high\n", 2, "expected KEY = VALUE");
    expect_error("[applications]\nBitTorrent = loud\n", 2, "bad value 'loud'");
    expect_error("[applications]\nBitTorrent =\n", 2, "empty value");
    expect_error("[applications]\n = high\n", 2, "empty key");
    expect_error("[alerts]\nscan = allow\n", 2, "bad value 'allow'");
    expect_error("[alerts]\nportscan = high\n", 2, "unknown alert kind");
    expect_error("[thresholds]\nscan.min_targets = -3\n", 2, "whole number");
    expect_error("[thresholds]\nscan.min_targets = 0\n", 2, "whole number");
    expect_error("[thresholds]\nclassify.packets = 256\n", 2, "from 1 to 255");
    expect_error("[thresholds]\nscan.max_answered_percent = 101\n", 2, "whole number");
    expect_error("[thresholds]\nscan.min_targets = 99999999999999999999\n", 2, "whole number");
    expect_error("[thresholds]\nfoo = 1\n", 2, "unknown threshold");
    expect_error("[services]\n192.0.2.300 = tcp/22\n", 2, "bad host");
    expect_error("[services]\n192.0.2.1/33 = tcp/22\n", 2, "longer than 32");
    expect_error("[services]\n192.0.2.1/x = tcp/22\n", 2, "bad prefix");
    expect_error("[services]\n192.0.2.1 = tcp/65536\n", 2, "bad port item");
    expect_error("[services]\n192.0.2.1 = sctp/22\n", 2, "bad port item");
    expect_error("[services]\n192.0.2.1 = tcp/90-80\n", 2, "bad port item");
    expect_error("[services]\n192.0.2.1 = tcp/22,,tcp/80\n", 2, "empty item");
    expect_error("[services]\n192.0.2.1 = tcp/22,\n", 2, "empty item");
    expect_error("[ports]\nSSH =\n", 2, "empty port list");
    expect_error("[policy]\nbase = maybe\n", 2, "bad base");
    expect_error("[policy]\ncolour = red\n", 2, "unknown [policy] key");
    expect_error("[applications]\nBit\x01Torrent = high\n", 2, "control or non-ASCII");
    expect_error("[applications]\nBit\xc3\xa9 = high\n", 2, "control or non-ASCII");
    const char nul[] = "[applications]\nA = high\0\n";
    struct pw_error err;
    pw_policy_clear(P);
    CHECK(pw_policy_parse(P, nul, sizeof(nul) - 1, "t.ini", &err) < 0);
    CHECK_EQ_INT(err.offset, 2);
}

static void test_limits(void)
{
    static char buf[PW_POLICY_MAX_LINE * 2 + 64];
    /* a line at the limit is fine, one past it is not */
    size_t n = (size_t)snprintf(buf, sizeof(buf), "# ");
    memset(buf + n, 'x', PW_POLICY_MAX_LINE - n);
    buf[PW_POLICY_MAX_LINE] = '\n';
    buf[PW_POLICY_MAX_LINE + 1] = '\0';
    struct pw_error err;
    CHECK_EQ_INT(parse(buf, &err), 0);
    buf[PW_POLICY_MAX_LINE] = 'x';
    buf[PW_POLICY_MAX_LINE + 1] = '\n';
    buf[PW_POLICY_MAX_LINE + 2] = '\0';
    CHECK(parse(buf, &err) == PW_ERR_LIMIT);
    CHECK(strstr(err.msg, "line longer than") != NULL);

    /* a 63-character name fits, 64 does not */
    char line[256];
    char name[80];
    memset(name, 'a', 63);
    name[63] = '\0';
    snprintf(line, sizeof(line), "[applications]\n%s = high\n", name);
    CHECK_EQ_INT(parse(line, &err), 0);
    name[63] = 'a';
    name[64] = '\0';
    snprintf(line, sizeof(line), "[applications]\n%s = high\n", name);
    CHECK(parse(line, &err) == PW_ERR_LIMIT);
    CHECK_EQ_INT(err.offset, 2);

    /* port items per list */
    char *big = malloc(PW_POLICY_MAX_LINE);
    size_t k = (size_t)snprintf(big, PW_POLICY_MAX_LINE, "[services]\n192.0.2.1 = 1");
    for (unsigned i = 2; i <= PW_POLICY_MAX_PORTS; i++)
        k += (size_t)snprintf(big + k, PW_POLICY_MAX_LINE - k, ",%u", i);
    snprintf(big + k, PW_POLICY_MAX_LINE - k, "\n");
    CHECK_EQ_INT(parse(big, &err), 0);
    k--;
    snprintf(big + k, PW_POLICY_MAX_LINE - k, ",999\n");
    CHECK(parse(big, &err) == PW_ERR_LIMIT);
    free(big);

    /* rules per section */
    size_t cap = (size_t)(PW_POLICY_MAX_RULES + 2) * 24 + 32;
    char *rules = malloc(cap);
    k = (size_t)snprintf(rules, cap, "[applications]\n");
    for (unsigned i = 0; i < PW_POLICY_MAX_RULES; i++)
        k += (size_t)snprintf(rules + k, cap - k, "app%u = low\n", i);
    CHECK_EQ_INT(parse(rules, &err), 0);
    CHECK_EQ_INT(P->napps, PW_POLICY_MAX_RULES);
    snprintf(rules + k, cap - k, "one-more = low\n");
    CHECK(parse(rules, &err) == PW_ERR_LIMIT);
    CHECK_EQ_INT(err.offset, PW_POLICY_MAX_RULES + 2);
    free(rules);

    /* the whole text */
    CHECK(pw_policy_parse(P, "", PW_POLICY_MAX_FILE + 1, "t.ini", &err) == PW_ERR_LIMIT);
}

static void test_default_policy(void)
{
    struct pw_error err;
    CHECK_EQ_INT(pw_policy_load_default(P, &err), 0);
    CHECK_EQ_INT(pw_policy_app(P, "BitTorrent")->sev, PW_SEV_HIGH);
    CHECK_EQ_INT(pw_policy_app(P, "Mining")->sev, PW_SEV_CRITICAL);
    CHECK_EQ_INT(pw_policy_app(P, "AnyDesk")->sev, PW_SEV_HIGH);
    CHECK_EQ_INT(pw_policy_app(P, "TeamViewer")->sev, PW_SEV_HIGH);
    CHECK_EQ_INT(pw_policy_app(P, "Tor")->sev, PW_SEV_HIGH);
    CHECK_EQ_INT(pw_policy_app(P, "RDP")->sev, PW_SEV_MEDIUM);
    CHECK_EQ_INT(pw_policy_app(P, "SSH")->sev, PW_SEV_NONE);
    CHECK_EQ_INT(pw_policy_category(P, "Mining")->sev, PW_SEV_CRITICAL);
    CHECK(pw_policy_app_ports(P, "SSH") != NULL);
    CHECK_EQ_INT(P->nservices, 0);
    for (int k = 0; k < PW_AK__COUNT; k++)
        CHECK(P->kind_sev[k] != PW_SEV_NONE);
}

static void test_names(void)
{
    CHECK_EQ_INT(pw_sev_parse("HIGH"), PW_SEV_HIGH);
    CHECK_EQ_INT(pw_sev_parse("none"), -1);
    CHECK_EQ_INT(pw_sev_parse("info"), PW_SEV_INFO);
    CHECK_EQ_STR(pw_sev_name(PW_SEV_CRITICAL), "critical");
    CHECK_EQ_INT(pw_alert_kind_parse("cleartext-credentials"), PW_AK_CLEARTEXT);
    CHECK_EQ_STR(pw_alert_kind_name(PW_AK_UNEXPECTED_SERVICE), "unexpected-service");
}

struct text {
    char buf[16384];
    size_t len;
};

static void add_line(void *arg, const char *line)
{
    struct text *t = arg;
    t->len += (size_t)snprintf(t->buf + t->len, sizeof(t->buf) - t->len, "%s\n", line);
}

/* pw_policy_write gives text that parses back to the same policy; found by
 * fuzz_policy: a [ports] entry given twice once kept stray padding bytes. */
static void test_write_roundtrip(void)
{
    struct pw_error err;
    static struct text a, b;
    CHECK_EQ_INT(pw_policy_load_default(P, &err), 0);
    const char *more = "[ports]\nSSH = tcp/22, tcp/2222\nSSH = 22\n[services]\n"
                       "10.0.0.0/8 = tcp/22, udp/53-54\n2001:db8::1 = 443\n* = tcp/80\n"
                       "[applications]\nmy app = low\n[alerts]\nscan = off\n";
    CHECK_EQ_INT(pw_policy_parse(P, more, strlen(more), "more", &err), 0);
    a.len = b.len = 0;
    pw_policy_write(P, add_line, &a);
    CHECK(strstr(a.buf, "base = none\n") != NULL);
    CHECK(strstr(a.buf, "SSH = 22\n") != NULL);
    CHECK(strstr(a.buf, "10.0.0.0/8 = tcp/22, udp/53-54\n") != NULL);
    CHECK(strstr(a.buf, "2001:db8::1/128 = 443\n") != NULL);
    CHECK(strstr(a.buf, "* = tcp/80\n") != NULL);
    CHECK(strstr(a.buf, "scan = off\n") != NULL);
    CHECK(strstr(a.buf, "my app = low\n") != NULL);
    struct pw_policy *q = pw_policy_new();
    CHECK_EQ_INT(pw_policy_parse(q, a.buf, a.len, "written", &err), 0);
    pw_policy_write(q, add_line, &b);
    CHECK_EQ_STR(a.buf, b.buf);
    CHECK_EQ_INT(q->nappports, P->nappports);
    const struct pw_policy_appports *x = pw_policy_app_ports(P, "ssh"),
                                    *y = pw_policy_app_ports(q, "ssh");
    CHECK(x && y && x->ports.n == 1 && y->ports.n == 1);
    CHECK(x && y && !memcmp(&x->ports, &y->ports, sizeof(x->ports)));
    pw_policy_free(q);
}

static void test_crlf_and_bom(void)
{
    struct pw_error err;
    CHECK_EQ_INT(parse("\xef\xbb\xbf[applications]\r\nTor = low\r\n", &err), 0);
    CHECK_EQ_INT(pw_policy_app(P, "Tor")->sev, PW_SEV_LOW);
    CHECK_EQ_INT(parse("[applications]\nTor = low", &err), 0); /* no final newline */
}

int main(void)
{
    P = pw_policy_new();
    if (!P)
        return 1;
    static const struct pw_t_case cases[] = {
        TEST_CASE(test_valid_all_sections),    TEST_CASE(test_longest_prefix_and_host_bits),
        TEST_CASE(test_later_entries_replace), TEST_CASE(test_base_none_clears),
        TEST_CASE(test_errors_with_lines),     TEST_CASE(test_limits),
        TEST_CASE(test_default_policy),        TEST_CASE(test_names),
        TEST_CASE(test_crlf_and_bom),          TEST_CASE(test_write_roundtrip),
    };
    int rc = pw_t_run_all(cases, sizeof(cases) / sizeof(cases[0]));
    pw_policy_free(P);
    return rc;
}
