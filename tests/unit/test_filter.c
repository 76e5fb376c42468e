/* Display filters: lexer/parser/semcheck errors (exact messages and
 * columns, as tshark 4.0 prints them), literals of every kind, and
 * evaluation over hand-built packets (any/all semantics, slices, sets,
 * matches, bitwise and arithmetic, functions, layers). */
#include <stdint.h>

#include "dissect/dissect.h"
#include "filter/filter.h"
#include "output/fields.h"
#include "test.h"

/* ---- packet building ------------------------------------------------- */

struct frame {
    uint8_t b[512];
    uint32_t n;
};

static void put(struct frame *f, const void *p, uint32_t n)
{
    memcpy(f->b + f->n, p, n);
    f->n += n;
}

static void put8(struct frame *f, uint8_t v)
{
    f->b[f->n++] = v;
}

static void put16(struct frame *f, uint16_t v)
{
    put8(f, (uint8_t)(v >> 8));
    put8(f, (uint8_t)v);
}

static void put32(struct frame *f, uint32_t v)
{
    put16(f, (uint16_t)(v >> 16));
    put16(f, (uint16_t)v);
}

static const uint8_t MAC_A[6] = {0x00, 0x80, 0x8f, 0x9a, 0xae, 0xbd};
static const uint8_t MAC_B[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static void eth(struct frame *f, uint16_t type)
{
    put(f, MAC_B, 6);
    put(f, MAC_A, 6);
    put16(f, type);
}

/* an IPv4 header; total length patched by fix_ip() */
static uint32_t ip4(struct frame *f, const char *src, const char *dst, uint8_t proto, uint8_t ttl)
{
    uint32_t at = f->n;
    unsigned a[4], b[4];
    sscanf(src, "%u.%u.%u.%u", &a[0], &a[1], &a[2], &a[3]);
    sscanf(dst, "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]);
    put8(f, 0x45);
    put8(f, 0);
    put16(f, 0);
    put16(f, 0x1234);
    put16(f, 0x4000); /* DF */
    put8(f, ttl);
    put8(f, proto);
    put16(f, 0);
    for (int i = 0; i < 4; i++)
        put8(f, (uint8_t)a[i]);
    for (int i = 0; i < 4; i++)
        put8(f, (uint8_t)b[i]);
    return at;
}

static void fix_ip(struct frame *f, uint32_t at)
{
    uint32_t len = f->n - at;
    f->b[at + 2] = (uint8_t)(len >> 8);
    f->b[at + 3] = (uint8_t)len;
}

static void tcp(struct frame *f, uint16_t sp, uint16_t dp, uint16_t flags, const char *payload)
{
    put16(f, sp);
    put16(f, dp);
    put32(f, 1000);
    put32(f, 2000);
    put16(f, (uint16_t)(0x5000 | flags));
    put16(f, 65535);
    put16(f, 0);
    put16(f, 0);
    if (payload)
        put(f, payload, (uint32_t)strlen(payload));
}

static struct pw_record rec;
static struct pw_packet pkt;

static const struct pw_packet *dissect(const struct frame *f, uint64_t num, int64_t sec,
                                       uint32_t nsec)
{
    memset(&rec, 0, sizeof(rec));
    rec.data = f->b;
    rec.caplen = rec.len = f->n;
    rec.linktype = 1;
    rec.ts.sec = sec;
    rec.ts.nsec = nsec;
    pw_dissect_packet(&rec, num, &pkt);
    pkt.ts_first.sec = 1000;
    pkt.ts_first.nsec = 0;
    pkt.ts_prev = pkt.ts_first;
    return &pkt;
}

/* 10.0.0.1:1234 -> 192.168.1.3:80, SYN+ACK... payload "GET / HTTP/1.1" */
static const struct pw_packet *tcp_packet(void)
{
    static struct frame f;
    memset(&f, 0, sizeof(f));
    eth(&f, 0x0800);
    uint32_t ip = ip4(&f, "10.0.0.1", "192.168.1.3", 6, 64);
    tcp(&f, 1234, 80, 0x018, "GET / HTTP/1.1\r\n");
    fix_ip(&f, ip);
    return dissect(&f, 7, 1001, 500000000);
}

/* IP in IP: outer 1.1.1.1 -> 2.2.2.2, inner 10.0.0.1 -> 10.0.0.2, TCP 80 -> 80 */
static const struct pw_packet *tunnel_packet(void)
{
    static struct frame f;
    memset(&f, 0, sizeof(f));
    eth(&f, 0x0800);
    uint32_t o = ip4(&f, "1.1.1.1", "2.2.2.2", 4, 255);
    uint32_t i = ip4(&f, "10.0.0.1", "10.0.0.2", 6, 63);
    tcp(&f, 80, 80, 0x002, NULL);
    fix_ip(&f, i);
    fix_ip(&f, o);
    return dissect(&f, 2, 1000, 0);
}

static const struct pw_packet *arp_packet(void)
{
    static struct frame f;
    memset(&f, 0, sizeof(f));
    eth(&f, 0x0806);
    put16(&f, 1);
    put16(&f, 0x0800);
    put8(&f, 6);
    put8(&f, 4);
    put16(&f, 1);
    put(&f, MAC_A, 6);
    put32(&f, 0xc0a80102);
    put(&f, "\0\0\0\0\0\0", 6);
    put32(&f, 0xc0a80197);
    return dissect(&f, 1, 1000, 0);
}

/* ---- helpers ---------------------------------------------------------- */

static int match(const char *expr, const struct pw_packet *p)
{
    struct pw_filter *f;
    struct pw_error err;
    if (pw_filter_compile(expr, &f, &err) < 0) {
        fprintf(stderr, "compile failed: %s: %s (col %llu)\n", expr, err.msg,
                (unsigned long long)err.offset);
        return -1;
    }
    int r = pw_filter_match(f, p);
    pw_filter_free(f);
    return r;
}

#define MATCHES(e, p) CHECK_EQ_INT(match(e, p), 1)
#define NO_MATCH(e, p) CHECK_EQ_INT(match(e, p), 0)

/* the expression fails with exactly this message, column and underline */
static void expect_error(const char *expr, const char *msg, long col, long span)
{
    struct pw_filter *f = NULL;
    struct pw_error err;
    size_t sp;
    int rc = pw_filter_compile_span(expr, &f, &err, &sp);
    if (rc >= 0) {
        fprintf(stderr, "expected an error for: %s\n", expr);
        pw_filter_free(f);
        pw_t_case_failed = 1;
        return;
    }
    CHECK_EQ_STR(err.msg, msg);
    if (col >= 0)
        CHECK_EQ_INT(err.offset, col);
    if (span >= 0)
        CHECK_EQ_INT(sp, span);
}

static void expect_ok(const char *expr)
{
    struct pw_filter *f = NULL;
    struct pw_error err;
    if (pw_filter_compile(expr, &f, &err) < 0) {
        fprintf(stderr, "unexpected error for %s: %s\n", expr, err.msg);
        pw_t_case_failed = 1;
    }
    pw_filter_free(f);
}

/* ---- cases ------------------------------------------------------------ */

static void test_syntax_errors(void)
{
    expect_error("tcp and", "Unexpected end of filter expression.", -1, 0);
    expect_error("and tcp", "\"and\" was unexpected in this context.", 0, 3);
    expect_error("tcp tcp", "\"tcp\" was unexpected in this context.", 4, 3);
    expect_error("()", "\")\" was unexpected in this context.", 1, 1);
    expect_error("tcp)", "\")\" was unexpected in this context.", 3, 1);
    expect_error("tcp.port == 80 xor udp", "\"xor\" was unexpected in this context.", 15, 3);
    expect_error("(tcp.flags & 0x12) == 0x12", "\"==\" was unexpected in this context.", 19, 2);
    expect_error("tcp.port == 80 @", "\"@\" was unexpected in this context.", 15, 1);
    expect_error("tcp.port in {80 443}", "\"443\" was unexpected in this context.", 16, 3);
    expect_error("tcp.port in {}", "\"}\" was unexpected in this context.", 13, 1);
    expect_error("frame.protocols == eth:ethertype:ip:tcp",
                 "\":e\" was unexpected in this context.", 22, 2);
    expect_error("ip.addr#1#2 == 1.2.3.4", "\"#\" was unexpected in this context.", 9, 1);
    expect_error("ip.addr# 1 == 1.2.3.4", "Expected digit or \"[\", not \" \"", 8, 1);
    expect_error("ip.addr == 192.168.0.0/255.255.0.0",
                 "\"5.255.0.0\" was unexpected in this context.", 25, 9);
    expect_error("frame[0:2", "The right bracket was missing from a slice.", 9, 1);
    expect_error("any tcp", "Unexpected end of filter expression.", -1, 0);
}

static void test_lexer_errors(void)
{
    expect_error("frame contains \"abc", "The final quote was missing from a quoted string.", 19,
                 1);
    expect_error("frame contains \"a\\qb\"", "\\q is not a valid character escape sequence", 17, 2);
    expect_error("frame contains \"\\400\"", "\\400 is larger than 255.", 16, 4);
    expect_error("frame contains \"\\u0041\"", "\\u0041 is not a valid universal character name",
                 16, 6);
    expect_error("frame contains 'ab'", "'ab' is too long to be a valid character constant.", 15,
                 4);
    expect_error("frame contains ''", "Empty character constant.", 15, 2);
    expect_error("frame contains 'a", "The final quote was missing from a character constant.", 17,
                 1);
    expect_error("frame[0:0] == 00", "Range 0:0 isn't valid because length 0 isn't positive", 6, 3);
    expect_error("frame[2-1] == 00", "Range 2-1 isn't valid because 2 is greater or equal than 1",
                 6, 3);
    expect_error("frame[a] == 00", "\"a\" is not a valid number.", 6, 1);
}

static void test_semantic_errors(void)
{
    expect_error("foo", "foo is neither a field nor a protocol name.", 0, 3);
    expect_error("tcp.foo == 1",
                 "Left side of \"==\" expression must be a field or function, not tcp.foo.", 0, 7);
    expect_error("1 == tcp.port",
                 "Left side of \"==\" expression must be a field or function, not 1.", 0, 1);
    expect_error("tcp.port eq 80 eq 90",
                 "Left side of \"eq\" expression must be a field or function, not 80.", 12, 2);
    expect_error("1 + tcp.srcport == 2", "Constant arithmetic expression on the LHS is invalid.", 0,
                 1);
    expect_error("tcp.port == 70000", "\"70000\" too big for this field, maximum 65535.", 12, 5);
    expect_error("ip.ttl == 256", "\"256\" too big for this field, maximum 255.", 10, 3);
    expect_error("tcp.port == 08", "\"08\" is not a valid number.", 12, 2);
    expect_error("tcp.port == https", "\"https\" is not a valid number.", 12, 5);
    expect_error("tcp.port == \"80\"",
                 "Unsigned integer (2 bytes) cannot be converted from a string (\"80\").", 12, 4);
    expect_error("tcp.flags.syn == true",
                 "\"true\" cannot be found among the possible values for tcp.flags.syn.", 17, 4);
    expect_error("ip.addr == 1.2.3", "\"1.2.3\" is not a valid hostname or IPv4 address.", 11, 5);
    expect_error("ip.addr == 192.168.0.0/33",
                 "Netmask bits in a CIDR IPv4 address should be <= 32, not 33", 11, 14);
    expect_error("ipv6.addr == ::1/129", "Prefix in a IPv6 address should be <= 128, not 129", 13,
                 7);
    expect_error("eth.src == aa:bb:cc:dd:ee",
                 "\"aa:bb:cc:dd:ee\" contains too few bytes to be a valid Ethernet address.", 11,
                 14);
    expect_error("eth.src == \"aa:bb:cc:dd:ee:ff\"",
                 "Ethernet or other MAC address cannot be converted from a string "
                 "(\"aa:bb:cc:dd:ee:ff\").",
                 11, 19);
    expect_error("ip.addr == 'a'",
                 "Character constant 'a' (0x61) cannot be converted to IPv4 address.", 11, 3);
    expect_error("tcp[12:2] == 0x5018", "\"0x5018\" is not a valid byte string.", 13, 6);
    expect_error("frame.time_relative > 10ms", "\"10ms\" is not a valid time.", 22, 4);
    expect_error("frame.time >= \"2020-13-01 00:00:00\"",
                 "\"2020-13-01 00:00:00\" is not a valid absolute time. Example: \"Nov 12, 1999 "
                 "08:55:44.123\" or \"2011-07-04 12:34:56\"",
                 14, 21);
    expect_error("ip.src == ipv6.dst", "ip.src and ipv6.dst are not of compatible types.", 10, 8);
    expect_error("tcp.flags.syn == tcp.port",
                 "tcp.flags.syn and tcp.port are not of compatible types.", 17, 8);
    expect_error("tcp.port contains 80",
                 "tcp.port (type=Unsigned integer (2 bytes)) cannot participate in contains "
                 "comparison.",
                 0, 8);
    expect_error("tcp.analysis.retransmission == 1",
                 "tcp.analysis.retransmission (type=Label) cannot participate in == comparison.", 0,
                 27);
    expect_error("tcp.port[0] == 0",
                 "\"tcp.port\" is a Unsigned integer (2 bytes) and cannot be sliced into a "
                 "sequence of bytes.",
                 0, 8);
    expect_error("frame.time_relative * 2 > 2", "FT_RELATIVE_TIME cannot *.", 0, 19);
    expect_error("tcp.flags.syn & 1", "FT_BOOLEAN cannot &.", 0, 13);
    expect_error("frame matches 'a'", "Matches requires a double quoted string on the right side.",
                 14, 3);
    expect_error("frame matches \"(\"", "Regex compilation error: missing closing parenthesis.", -1,
                 0);
    expect_error("count(tcp.port)", "You cannot test whether a function is present.", 0, 5);
    expect_error("foo(ip.addr) == 1", "Function 'foo' does not exist", 0, 3);
    expect_error("count(ip.addr, ip.src) == 1", "Function count can only accept 1 arguments.", 0,
                 5);
    expect_error("len(\"abc\") == 3", "Only fields can be used as parameter for len()", 4, 5);
    expect_error("upper(ip.src) == \"A\"",
                 "Only string type fields can be used as parameter for upper()", 6, 6);
    expect_error(".foo.bar", "\"foo.bar\" is not a valid protocol or protocol field.", 0, 8);
}

static void test_literals_accepted(void)
{
    static const char *const ok[] = {
        "tcp.port == 0x50",
        "tcp.port == 0120",
        "tcp.port == 0b1010",
        "tcp.port == -1",
        "ip.addr == 192.168.0.0/16",
        "ipv6.addr == 2a00:1450:4006:804::200e/64",
        "ipv6.addr == ::ffff:1.2.3.4",
        "eth.src == aa-bb-cc-dd-ee-ff",
        "eth.src == aabb.ccdd.eeff",
        "eth.src == AA:BB:CC:DD:EE:FF",
        "eth.src == aabbccddeeff",
        "frame contains 61:62:63",
        "frame contains \"\\x61bc\"",
        "frame contains \"\\141bc\"",
        "frame contains 'a'",
        "frame contains r\"a\\d\"",
        "frame contains \"\\u00e9\"",
        "tcp.flags.syn == True",
        "tcp.flags.syn == FALSE",
        "frame.time_relative > -1.5",
        "frame.time >= \"Jan  1, 2020 00:00:00\"",
        "frame.time >= \"2020-01-01T00:00:00Z\"",
        "frame.time >= \"2020-01-01\"",
        "frame.time == 2020-01-01",
        "frame[0:2] == :28:37",
        "tcp[13] == 300",
        "ip.src[0:2] == 10.0",
        "ip.addr in {192.168.170.1..192.168.170.10}",
        "dns.qry.name == www.example.com",
        "tcp.port == ${tcp.port}",
        ".ip.src == 1.2.3.4",
        "",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        expect_ok(ok[i]);
}

static void test_existence_and_compare(void)
{
    const struct pw_packet *p = tcp_packet();
    MATCHES("tcp", p);
    MATCHES("eth && ip && tcp", p);
    NO_MATCH("udp", p);
    MATCHES("tcp.port == 80", p);
    MATCHES("tcp.dstport eq 80 and tcp.srcport gt 1000", p);
    MATCHES("tcp.srcport >= 1234 && tcp.srcport <= 1234 && tcp.srcport < 1235", p);
    MATCHES("ip.ttl == 64 && ip.flags.df == 1 && ip.id == 0x1234", p);
    MATCHES("tcp.flags.syn == 0 && tcp.flags.ack == True && tcp.flags.push == 1", p);
    MATCHES("tcp.flags.syn", p); /* present (value 0): existence */
    MATCHES("frame.number == 7", p);
    MATCHES("frame.len == frame.cap_len", p);
    MATCHES("eth.type == 0x0800 && eth.src == 00:80:8f:9a:ae:bd", p);
    MATCHES("frame.protocols == \"eth:ethertype:ip:tcp:data\"", p);
    MATCHES("frame.time_relative == 1.5 && frame.time_relative > 1.499999999", p);
    MATCHES("frame.time_delta == 1.5", p);
    MATCHES("frame.time_epoch == 1001.5", p);
    MATCHES("frame.time > \"1970-01-01 00:16:41\"", p);
    NO_MATCH("frame.time > \"1970-01-01 00:16:42\"", p);
    MATCHES("tcp.port == ${tcp.port} || tcp", p);
    NO_MATCH("tcp.port == ${tcp.port}", p);
}

static void test_any_all(void)
{
    const struct pw_packet *t = tunnel_packet();
    /* ip.addr has four occurrences here: 1.1.1.1 2.2.2.2 10.0.0.1 10.0.0.2 */
    MATCHES("ip.addr == 10.0.0.2", t);
    MATCHES("ip.addr ~= 10.0.0.2", t);
    MATCHES("ip.addr !== 10.0.0.2", t);
    NO_MATCH("ip.addr != 10.0.0.2", t); /* "none equal" */
    MATCHES("ip.addr != 9.9.9.9", t);
    NO_MATCH("ip.addr === 10.0.0.2", t);
    MATCHES("count(ip.addr) == 4 && count(ip.src) == 2", t);
    MATCHES("all ip.ttl > 60", t);
    NO_MATCH("all ip.ttl > 64", t);
    MATCHES("any ip.ttl > 64", t);
    MATCHES("tcp.port === 80 && tcp.port all_eq 80", t);
    MATCHES("ip.src == ip.dst || ip.addr == 10.0.0.0/8", t);
    NO_MATCH("ip.src == ip.dst", t);
    MATCHES("ip.addr#1 == 1.1.1.1 && ip.addr#2 == 10.0.0.1 && !(ip.addr#1 == 10.0.0.1)", t);
    MATCHES("ip.dst#[-1] == 10.0.0.2 && ip.ttl#[1-2] == 63 && ip.ttl#[2:] == 63", t);
    MATCHES("ip#2 && !ip#3", t);
    MATCHES("ip#2[9] == 6 && ip#1[9] == 4", t);
    /* absent fields: every relation is false, its negation true */
    const struct pw_packet *a = arp_packet();
    NO_MATCH("ip.addr != 1.2.3.4", a);
    MATCHES("!(ip.addr == 1.2.3.4)", a);
    MATCHES("tcp.port not in {80}", a);
    MATCHES("arp.opcode == 1 && arp.src.proto_ipv4 == 192.168.1.2", a);
}

static void test_slices(void)
{
    const struct pw_packet *p = tcp_packet();
    MATCHES("eth.src[0:3] == 00:80:8f", p);
    MATCHES("eth.src[-1] == bd && eth.src[1-2] == 80:8f && eth.src[:2] == 00:80", p);
    MATCHES("eth.src[4:] == ae:bd && eth.src[0:2,4] == 00:80:ae", p);
    MATCHES("ip[9] == 6 && ip[0] == 45 && ip[0] == 0x45 && ip.src[0] == 0a", p);
    MATCHES("tcp[13] == 18 && tcp[13] & 0x10", p);
    NO_MATCH("frame[100000:1] == 00", p);
    NO_MATCH("frame[-1:2] == 00", p);
    MATCHES("frame[1:2][0] == 0xff", p); /* plain "ff" is a protocol to tshark */
    MATCHES("tcp.payload[0:4] == \"GET \" && tcp.payload[0:4] == 47:45:54:20", p);
    MATCHES("len(tcp.payload) == 16 && len(eth.src) == 6 && len(ip.addr) == 4", p);
    NO_MATCH("ip.src[0] == 10", p); /* bytes: 10 is 0x10 */
}

static void test_sets(void)
{
    const struct pw_packet *p = tcp_packet();
    MATCHES("tcp.port in {80, 443}", p);
    MATCHES("tcp.port in {8000..8080, 1..100}", p);
    NO_MATCH("tcp.port in {8000..8080}", p);
    NO_MATCH("tcp.srcport in {2000..1000}", p);
    MATCHES("ip.addr in {10.0.0.0/8}", p);
    MATCHES("ip.addr in {192.168.1.1..192.168.1.10}", p);
    MATCHES("tcp.port not in {443}", p);
    NO_MATCH("tcp.port not in {80}", p);
    NO_MATCH("all tcp.port in {80, 1234}", p); /* some element must hold them all */
    MATCHES("all tcp.port in {80..1234}", p);
    NO_MATCH("all tcp.port in {80}", p);
    MATCHES("frame.number in {1, 3, 5..7}", p);
    MATCHES("tcp.port in {tcp.srcport}", p);
}

static void test_strings_and_matches(void)
{
    const struct pw_packet *p = tcp_packet();
    MATCHES("frame contains \"GET\"", p);
    NO_MATCH("frame contains \"get\"", p);
    MATCHES("frame matches \"get\"", p); /* case-insensitive */
    NO_MATCH("frame matches \"(?-i)get\"", p);
    MATCHES("tcp.payload matches \"^GET / HTTP/1\\\\.[01]\"", p);
    MATCHES("frame contains 47:45:54 && frame contains \"\\x47\\x45\\x54\" && frame contains 'G'",
            p);
    MATCHES("frame.protocols contains \"tcp\" && frame.protocols matches \"ETHERTYPE\"", p);
    MATCHES("upper(frame.protocols) contains \"TCP\" && lower(frame.protocols) contains \"ip\"", p);
    MATCHES("string(tcp.srcport) == \"1234\" && string(ip.src) == \"10.0.0.1\"", p);
    MATCHES("string(eth.src) == \"00:80:8f:9a:ae:bd\"", p);
    MATCHES("frame.protocols[0:3] == \"eth\"", p);
}

static void test_bitwise_arith(void)
{
    const struct pw_packet *p = tcp_packet();
    MATCHES("tcp.flags & 0x10", p);
    NO_MATCH("tcp.flags & 0x02", p);
    MATCHES("tcp.flags & 0x18 == 0x18", p);
    MATCHES("tcp.flags bitwise_and 0x08", p);
    MATCHES("ip.src & 255.0.0.0 == 10.0.0.0", p);
    MATCHES("tcp.srcport + 1 == 1235 && tcp.srcport - 34 == 1200", p);
    MATCHES("tcp.srcport * 2 == 2468 && tcp.srcport / 2 == 617 && tcp.srcport % 10 == 4", p);
    MATCHES("tcp.dstport - tcp.srcport < 0", p); /* signed, as tshark */
    MATCHES("tcp.dstport - tcp.srcport == -1154 && tcp.srcport - tcp.dstport == 1154", p);
    MATCHES("{tcp.srcport + 1} * 2 == 2470", p);
    MATCHES("tcp.srcport == 1000 + 234", p);
    MATCHES("frame.time_relative + 1 == 2.5", p);
    NO_MATCH("tcp.srcport & 0", p);
    MATCHES("max(tcp.srcport, tcp.dstport) == 1234 && min(tcp.srcport, tcp.dstport) == 80", p);
    MATCHES("abs(tcp.srcport - 34) == 1200", p);
    NO_MATCH("-tcp.srcport == 0", p);
    MATCHES("-tcp.srcport < 0 && -tcp.srcport == -1234", p);
}

static void test_precedence(void)
{
    const struct pw_packet *p = tcp_packet();
    MATCHES("tcp || udp && ip.ttl == 0", p); /* "and" binds tighter */
    MATCHES("ip.ttl == 0 && udp || tcp", p);
    NO_MATCH("!tcp || !ip", p);
    MATCHES("!(udp || arp) && not not tcp && !!ip", p);
    MATCHES("tcp.srcport > tcp.dstport > 79", p); /* a > b > c is a > b and b > c */
}

static struct explain_buf {
    char text[4096];
    size_t n;
} ebuf;

static void collect(void *arg, const char *line)
{
    struct explain_buf *b = arg;
    int k = snprintf(b->text + b->n, sizeof(b->text) - b->n, "%s\n", line);
    if (k > 0 && b->n + (size_t)k < sizeof(b->text))
        b->n += (size_t)k;
}

static void seen(void *arg, const char *abbrev)
{
    int *n = arg;
    if (!strcmp(abbrev, "tcp.port") || !strcmp(abbrev, "ip.addr"))
        (*n)++;
}

/* tshark compares times as (seconds, nanoseconds) pairs whose seconds
 * difference is cast to a C int: a frame of 2107 (4323283200) is after
 * 4000000000 but before 2016 and 2020 (tcpdump's time_2107.pcapng) */
static void test_time_order_wraps(void)
{
    static struct frame f;
    memset(&f, 0, sizeof(f));
    eth(&f, 0x0800);
    uint32_t ip = ip4(&f, "10.0.0.1", "192.168.1.3", 6, 64);
    tcp(&f, 1234, 80, 0x018, "x");
    fix_ip(&f, ip);
    const struct pw_packet *p = dissect(&f, 1, 4323283200, 0);
    MATCHES("frame.time_epoch == 4323283200", p);
    MATCHES("frame.time_epoch > 4000000000.5", p);
    MATCHES("frame.time_epoch > 28317", p);
    NO_MATCH("frame.time_epoch > 1455469967.3", p);
    NO_MATCH("frame.time > \"2020-01-01T00:00:00Z\"", p);
    MATCHES("frame.time < \"Feb 14, 2016 17:12:48\"", p);
}

static void test_explain_and_fields_used(void)
{
    struct pw_filter *f;
    struct pw_error err;
    CHECK(pw_filter_compile("tcp.port in {80, 443} && ip.addr == 10.0.0.0/8", &f, &err) == 0);
    memset(&ebuf, 0, sizeof(ebuf));
    pw_filter_explain(f, collect, &ebuf);
    CHECK(strstr(ebuf.text, "load    r0 = tcp.port") != NULL);
    CHECK(strstr(ebuf.text, "10.0.0.0/8 (FT_IPv4)") != NULL);
    CHECK(strstr(ebuf.text, "return") != NULL);
    int n = 0;
    pw_filter_foreach_field(f, seen, &n);
    CHECK_EQ_INT(n, 2);
    CHECK(pw_filter_uses(f, "tcp"));
    CHECK(pw_filter_uses(f, "ip.addr"));
    CHECK(!pw_filter_uses(f, "udp"));
    pw_filter_free(f);
    /* the empty filter matches everything */
    CHECK(pw_filter_compile("  ", &f, &err) == 0);
    CHECK(pw_filter_match(f, arp_packet()));
    pw_filter_free(f);
}

static void test_limits(void)
{
    /* deep nesting is refused, not a stack overflow */
    static char deep[4096];
    size_t n = 0;
    for (int i = 0; i < 1000; i++)
        deep[n++] = '(';
    memcpy(deep + n, "tcp", 3);
    n += 3;
    for (int i = 0; i < 1000; i++)
        deep[n++] = ')';
    deep[n] = '\0';
    expect_error(deep, "The filter expression is nested too deeply.", -1, -1);
    for (n = 0; n < 2000; n++)
        deep[n] = '!';
    memcpy(deep + n, "tcp", 4);
    expect_error(deep, "The filter expression is nested too deeply.", -1, -1);
}

static void test_fields_format(void)
{
    char buf[128];
    struct pw_fvalue v;
    const struct pw_field *f = pw_field_by_name("eth.type");
    v.v.u = 0x800;
    pw_fields_format(f, f->type, &v, buf, sizeof(buf));
    CHECK_EQ_STR(buf, "0x0800");
    f = pw_field_by_name("tcp.flags");
    v.v.u = 0x18;
    pw_fields_format(f, f->type, &v, buf, sizeof(buf));
    CHECK_EQ_STR(buf, "0x0018");
    v.v.i = -500000000;
    pw_fields_format(NULL, PW_FT_RELATIVE_TIME, &v, buf, sizeof(buf));
    CHECK_EQ_STR(buf, "-0.500000000");
    v.v.i = 1455469967246718000LL;
    pw_fields_format(NULL, PW_FT_RELATIVE_TIME, &v, buf, sizeof(buf));
    CHECK_EQ_STR(buf, "1455469967.246718000");
    static const uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    memcpy(v.v.addr, a6, 16);
    pw_fields_format(NULL, PW_FT_IPV6, &v, buf, sizeof(buf));
    CHECK_EQ_STR(buf, "2001:db8::1");
    v.v.u = 1;
    pw_fields_format(NULL, PW_FT_BOOLEAN, &v, buf, sizeof(buf));
    CHECK_EQ_STR(buf, "1");
    static const uint8_t by[3] = {0xde, 0xad, 0x01};
    v.v.bytes.p = by;
    v.v.bytes.len = 3;
    pw_fields_format(NULL, PW_FT_BYTES, &v, buf, sizeof(buf));
    CHECK_EQ_STR(buf, "dead01");
}

TEST_MAIN(TEST_CASE(test_time_order_wraps), TEST_CASE(test_syntax_errors), TEST_CASE(test_lexer_errors),
          TEST_CASE(test_semantic_errors), TEST_CASE(test_literals_accepted),
          TEST_CASE(test_existence_and_compare), TEST_CASE(test_any_all), TEST_CASE(test_slices),
          TEST_CASE(test_sets), TEST_CASE(test_strings_and_matches), TEST_CASE(test_bitwise_arith),
          TEST_CASE(test_precedence), TEST_CASE(test_explain_and_fields_used),
          TEST_CASE(test_limits), TEST_CASE(test_fields_format))
