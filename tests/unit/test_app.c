/* Unit tests for the application stage (src/dissect/app.c) and the
 * application dissectors: hand-built frames through pw_dissect_packet() and
 * pw_dissect_app(), checking the protocol path tshark's hierarchy shows
 * (levels, tcp.segments where reassembly completes, _ws.malformed). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dissect/app.h"
#include "dissect/dissect.h"
#include "test.h"

static uint8_t frame[4096];
static struct pw_packet pkt;
static uint64_t frame_no;

enum { UDP = 0, TCP = 1 };

/* Ethernet/IPv4/{TCP,UDP} around payload p; client 10.0.0.1, server
 * 10.0.0.2; to_server picks the direction. */
static uint32_t build(int tcp, int to_server, uint16_t cport, uint16_t sport, uint32_t seq,
                      uint8_t flags, const void *p, uint32_t n)
{
    memset(frame, 0, sizeof(frame));
    memcpy(frame, "\x00\x01\x02\x03\x04\x05\x00\x01\x02\x03\x04\x06\x08\x00", 14);
    uint8_t *ip = frame + 14;
    uint32_t l4 = tcp ? 20 : 8, tot = 20 + l4 + n;
    ip[0] = 0x45;
    ip[2] = (uint8_t)(tot >> 8);
    ip[3] = (uint8_t)tot;
    ip[8] = 64;
    ip[9] = tcp ? 6 : 17;
    const uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
    memcpy(ip + 12, to_server ? a : b, 4);
    memcpy(ip + 16, to_server ? b : a, 4);
    uint8_t *t = ip + 20;
    uint16_t s = to_server ? cport : sport, d = to_server ? sport : cport;
    t[0] = (uint8_t)(s >> 8);
    t[1] = (uint8_t)s;
    t[2] = (uint8_t)(d >> 8);
    t[3] = (uint8_t)d;
    if (tcp) {
        t[4] = (uint8_t)(seq >> 24);
        t[5] = (uint8_t)(seq >> 16);
        t[6] = (uint8_t)(seq >> 8);
        t[7] = (uint8_t)seq;
        t[12] = 0x50;
        t[13] = flags;
    } else {
        t[4] = (uint8_t)((8 + n) >> 8);
        t[5] = (uint8_t)(8 + n);
    }
    if (n)
        memcpy(t + l4, p, n);
    return 14 + tot;
}

/* Dissects the frame and returns its protocol path after the transport
 * ("tls:tcp.segments:tls"), repeats expanded, "" when none. */
static const char *path(struct pw_app *app, uint32_t len)
{
    static char out[512];
    struct pw_record rec;
    memset(&rec, 0, sizeof(rec));
    rec.data = frame;
    rec.caplen = rec.len = len;
    rec.linktype = 1;
    pw_dissect_packet(&rec, ++frame_no, &pkt);
    pw_dissect_app(&pkt, app);
    out[0] = '\0';
    int after = 0;
    for (unsigned i = 0; i < pkt.nlayers; i++) {
        const struct pw_layer *l = &pkt.layer[i];
        if (l->proto == PW_P_TCP || l->proto == PW_P_UDP) {
            after = 1;
            continue;
        }
        if (!after || (l->flags & (PW_LF_QUOTED | PW_LF_SUBTREE)))
            continue;
        unsigned reps = (l->flags & PW_LF_REPEAT) ? l->u.app.count : 1;
        for (unsigned r = 0; r < reps; r++) {
            if (out[0])
                strncat(out, ":", sizeof(out) - strlen(out) - 1);
            strncat(out, pw_proto_abbrev(l->proto), sizeof(out) - strlen(out) - 1);
        }
    }
    return out;
}

/* As path(), with the flow stage's verdict on the segment (tcp.analysis
 * flags) set to aflags. */
static const char *path_flagged(struct pw_app *app, uint32_t len, uint32_t aflags)
{
    static char out[512];
    struct pw_record rec;
    memset(&rec, 0, sizeof(rec));
    rec.data = frame;
    rec.caplen = rec.len = len;
    rec.linktype = 1;
    pw_dissect_packet(&rec, ++frame_no, &pkt);
    pkt.flow_done = true;
    pkt.tcp.layer = -1;
    for (unsigned i = 0; i < pkt.nlayers; i++)
        if (pkt.layer[i].proto == PW_P_TCP)
            pkt.tcp.layer = (int16_t)i;
    pkt.tcp.analysed = true;
    pkt.tcp.aflags = aflags;
    pw_dissect_app(&pkt, app);
    out[0] = '\0';
    for (unsigned i = (unsigned)pkt.tcp.layer + 1; i < pkt.nlayers; i++) {
        if (out[0])
            strncat(out, ":", sizeof(out) - strlen(out) - 1);
        strncat(out, pw_proto_abbrev(pkt.layer[i].proto), sizeof(out) - strlen(out) - 1);
    }
    return out;
}

static const uint8_t dns_query[] = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
                                   "\x03www\x07example\x03com\x00\x00\x01\x00\x01";

static void dns_over_udp(void)
{
    struct pw_app *app = pw_app_new();
    CHECK_EQ_STR(path(app, build(UDP, 1, 40000, 53, 0, 0, dns_query, sizeof(dns_query) - 1)),
                 "dns");
    CHECK_EQ_STR(path(app, build(UDP, 1, 40000, 5353, 0, 0, dns_query, sizeof(dns_query) - 1)),
                 "mdns");
    CHECK_EQ_STR(path(app, build(UDP, 1, 40000, 5355, 0, 0, dns_query, sizeof(dns_query) - 1)),
                 "llmnr");
    pw_app_free(app);
}

static void dns_malformed(void)
{
    struct pw_app *app = pw_app_new();
    /* one question announced, the name runs past the datagram */
    static const uint8_t q[] = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x05" "ab";
    CHECK_EQ_STR(path(app, build(UDP, 1, 40000, 53, 0, 0, q, sizeof(q) - 1)),
                 "dns:_ws.malformed");
    /* a compression pointer loop is not an error (tshark stops quietly) */
    static const uint8_t loop[] = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
                                  "\xc0\x0c\x00\x01\x00\x01";
    CHECK_EQ_STR(path(app, build(UDP, 1, 40000, 53, 0, 0, loop, sizeof(loop) - 1)), "dns");
    pw_app_free(app);
}

static void tls_reassembly(void)
{
    struct pw_app *app = pw_app_new();
    uint8_t rec[300];
    memset(rec, 'A', sizeof(rec));
    memcpy(rec, "\x16\x03\x01\x01\x27", 5); /* handshake record, 295-byte body */
    uint32_t seq = 1000;
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 443, seq, 0x02, NULL, 0)), "");
    seq++;
    /* the record starts: a `tls` item even though it cannot finish */
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 443, seq, 0x18, rec, 100)), "tls");
    /* a middle segment shows nothing */
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 443, seq + 100, 0x18, rec + 100, 100)), "");
    /* the last segment completes it and starts another record */
    uint8_t last[120];
    memcpy(last, rec + 200, 100);
    memcpy(last + 100, "\x17\x03\x03\x00\x40", 5);
    memset(last + 105, 'B', 15);
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 443, seq + 200, 0x18, last, 120)),
                 "tls:tcp.segments:tls");
    /* bytes sent again inside the record reassembled above: without the
     * flow stage's retransmission flag (tshark with
     * tcp.analyze_sequence_numbers off) they cannot be added to it, tshark's
     * "New fragment overlaps old data" */
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 443, seq + 100, 0x18, rec + 100, 100)),
                 "_ws.malformed");
    pw_app_free(app);
}

/* reassembly_overlap below, with the flow stage's flags, as tshark 4.0.17 shows frames
 * written with those flags (duplicate ACKs before a fast retransmission):
 * a plain or spurious retransmission is never added to a reassembly
 * (zeek/pppoe-over-qinq frames 59, 69), a fast retransmission or an
 * out-of-order segment is (6in4tunnel frame 47). */
static void reassembly_overlap_flags(void)
{
    struct pw_app *app = pw_app_new();
    uint8_t a[300];
    memset(a, 'A', sizeof(a));
    memcpy(a, "\x16\x03\x01\x01\x27", 5);
    uint32_t s = 1001;
    CHECK_EQ_STR(path_flagged(app, build(TCP, 1, 40000, 443, s - 1, 0x02, NULL, 0), 0), "");
    CHECK_EQ_STR(path_flagged(app, build(TCP, 1, 40000, 443, s, 0x18, a, 100), 0), "tls");
    CHECK_EQ_STR(path_flagged(app, build(TCP, 1, 40000, 443, s + 100, 0x18, a + 100, 100), 0), "");
    CHECK_EQ_STR(path_flagged(app, build(TCP, 1, 40000, 443, s + 200, 0x18, a + 200, 100), 0),
                 "tls:tcp.segments");
    uint32_t in = build(TCP, 1, 40000, 443, s + 100, 0x18, a + 100, 100);
    CHECK_EQ_STR(path_flagged(app, in, PW_TA_RETRANSMISSION), "");
    CHECK_EQ_STR(path_flagged(app, in, PW_TA_SPURIOUS_RETRANSMISSION), "");
    CHECK_EQ_STR(path_flagged(app, in, PW_TA_FAST_RETRANSMISSION), "_ws.malformed");
    CHECK_EQ_STR(path_flagged(app, in, PW_TA_OUT_OF_ORDER), "_ws.malformed");
    /* at the record's start a fast retransmission is not dissected again */
    CHECK_EQ_STR(path_flagged(app, build(TCP, 1, 40000, 443, s, 0x18, a, 100),
                              PW_TA_FAST_RETRANSMISSION),
                 "");
    pw_app_free(app);
}

/* Segments sent again into PDUs tshark's reassembly has started. Each
 * outcome is tshark 4.0.17's on the same frames (written to a pcap and read
 * with -o tcp.analyze_sequence_numbers:FALSE, as this test runs no flow
 * stage): at a PDU's first byte nothing is dissected; inside a completed PDU
 * the frame is malformed, whatever the bytes and even when the segment
 * runs past the PDU's end; inside the pending PDU nothing is dissected and
 * the PDU still completes. The PDU that counts is the one starting last
 * before the segment. */
static void reassembly_overlap(void)
{
    struct pw_app *app = pw_app_new();
    uint8_t a[300], c[200], seg[160];
    memset(a, 'A', sizeof(a));
    memcpy(a, "\x16\x03\x01\x01\x27", 5); /* 300-byte record */
    memset(c, 'C', sizeof(c));
    memcpy(c, "\x16\x03\x01\x00\xc3", 5); /* 200-byte record */
    uint32_t s = 1001;
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 443, s - 1, 0x02, NULL, 0)), "");
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 443, s, 0x18, a, 100)), "tls");
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 443, s + 100, 0x18, a + 100, 100)), "");
    /* record A completes, record C starts and waits */
    memcpy(seg, a + 200, 100);
    memcpy(seg + 100, c, 50);
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 443, s + 200, 0x18, seg, 150)),
                 "tls:tcp.segments:tls");
    /* inside the pending record C, and at its start */
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 443, s + 310, 0x18, c + 10, 20)), "");
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 443, s + 300, 0x18, c, 50)), "");
    /* inside record A, running into C (which starts after it) */
    memcpy(seg, a + 250, 50);
    memcpy(seg + 50, c, 20);
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 443, s + 250, 0x18, seg, 70)), "_ws.malformed");
    /* at record A's start: nothing, even past what was seen */
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 443, s, 0x18, a, 100)), "");
    /* C completes; inside it now, with other bytes: malformed */
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 443, s + 350, 0x18, c + 50, 150)),
                 "tls:tcp.segments");
    memset(seg, 'Z', 20);
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 443, s + 310, 0x18, seg, 20)), "_ws.malformed");
    /* new data after all that is dissected as usual */
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 443, s + 500, 0x18, c, 200)), "tls");
    pw_app_free(app);
}

static void bittorrent_binding(void)
{
    struct pw_app *app = pw_app_new();
    uint8_t hs[68 + 9];
    memset(hs, 0, sizeof(hs));
    hs[0] = 19;
    memcpy(hs + 1, "BitTorrent protocol", 19);
    memcpy(hs + 68, "\x00\x00\x00\x01\x02\x00\x00\x00\x00", 9); /* interested, keep-alive */
    /* before the handshake the conversation is plain data */
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 5555, 10, 0x18, "\x00\x00\x00\x01\x02", 5)),
                 "data");
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 5555, 15, 0x18, hs, sizeof(hs))),
                 "bittorrent:bittorrent:bittorrent");
    /* the reverse direction is bound too */
    CHECK_EQ_STR(path(app, build(TCP, 0, 40000, 5555, 500, 0x18, "\x00\x00\x00\x01\x02", 5)),
                 "bittorrent");
    /* a handshake split below 20 bytes is not recognised */
    CHECK_EQ_STR(path(app, build(TCP, 1, 40001, 5556, 10, 0x18, hs, 19)), "data");
    pw_app_free(app);
}

static void bittorrent_many_messages(void)
{
    struct pw_app *app = pw_app_new();
    uint8_t seg[200 * 5];
    for (unsigned i = 0; i < 200; i++)
        memcpy(seg + i * 5, "\x00\x00\x00\x01\x02", 5);
    path(app, build(TCP, 1, 40000, 6881, 1, 0x18, seg, sizeof(seg)));
    /* 200 levels, kept in one repeated layer */
    int found = 0;
    for (unsigned i = 0; i < pkt.nlayers; i++)
        if (pkt.layer[i].proto == PW_P_BITTORRENT) {
            found = 1;
            CHECK(pkt.layer[i].flags & PW_LF_REPEAT);
            CHECK_EQ_INT(pkt.layer[i].u.app.count, 200);
        }
    CHECK(found);
    CHECK(pkt.nlayers <= PW_MAX_LAYERS);
    pw_app_free(app);
}

/* the label of the first layer of protocol `abbrev` in pkt ("" if none) */
static const char *label_of(const char *abbrev)
{
    static char buf[256];
    buf[0] = '\0';
    int at = pw_packet_find(&pkt, pw_proto_by_abbrev(abbrev), 0);
    if (at >= 0)
        pw_proto_label(&pkt, &pkt.layer[at], buf, sizeof(buf));
    return buf;
}

static void http_body(void)
{
    static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                               "Content-Length: 10\r\n\r\n0123456789";
    /* with labels (what `-T fields` asks for), then without (every other
     * output): the same layers */
    for (int labels = 1; labels >= 0; labels--) {
        struct pw_app *app = pw_app_new();
        pw_app_want_labels(app, labels);
        CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 80, 1, 0x18, req, sizeof(req) - 1)), "http");
        /* headers in one segment, body in the next: reassembled */
        CHECK_EQ_STR(path(app, build(TCP, 0, 40000, 80, 1, 0x18, resp, sizeof(resp) - 1 - 10)),
                     "");
        CHECK_EQ_STR(path(app, build(TCP, 0, 40000, 80, (uint32_t)sizeof(resp) - 10, 0x18,
                                     resp + sizeof(resp) - 11, 10)),
                     "http:data-text-lines:tcp.segments");
        /* the media label is built while dissecting: the HTTP head is not
         * in this frame (tshark 4.0.17 on the same frames) */
        CHECK_EQ_STR(label_of("data-text-lines"),
                     labels ? "Line-based text data: text/html (1 lines)" : "");
        pw_app_free(app);
    }
}

/* Media labels of HTTP bodies, built while dissecting (a reassembled body:
 * http_body). Expected texts: tshark 4.0.17 on the same frames (`-T fields
 * -e data-text-lines -e mime_multipart`). */
static void http_media_labels(void)
{
    static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    struct pw_app *app;

    /* a chunked body: lines counted across chunks (LF, CR LF split by a
     * chunk boundary, a last line without an end); the media type lower
     * case, without its parameters */
    app = pw_app_new();
    pw_app_want_labels(app, true);
    static const char chunked[] = "HTTP/1.1 200 OK\r\nContent-Type: Text/Plain; charset=utf-8\r\n"
                                  "Transfer-Encoding: chunked\r\n\r\n"
                                  "3\r\na\nb\r\n4\r\n\r\ncd\r\n0\r\n\r\n";
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 80, 1, 0x18, req, sizeof(req) - 1)), "http");
    CHECK_EQ_STR(path(app, build(TCP, 0, 40000, 80, 1, 0x18, chunked, sizeof(chunked) - 1)),
                 "http:data-text-lines");
    CHECK_EQ_STR(label_of("data-text-lines"), "Line-based text data: text/plain (3 lines)");
    static const char multi[] = "HTTP/1.1 200 OK\r\nContent-Type: multipart/related; "
                                "boundary=\"b1\"; type=x\r\nContent-Length: 4\r\n\r\n--b1";
    path(app, build(TCP, 0, 40000, 80, (uint32_t)sizeof(chunked), 0x18, multi, sizeof(multi) - 1));
    CHECK_EQ_STR(label_of("mime_multipart"),
                 "MIME Multipart Media Encapsulation, Type: multipart/related, Boundary: \"b1\"");
    pw_app_free(app);
}

static void udp_heuristics(void)
{
    struct pw_app *app = pw_app_new();
    CHECK_EQ_STR(path(app, build(UDP, 1, 40000, 9999, 0, 0, "d1:ad2:id", 9)), "bt-dht");
    CHECK_EQ_STR(path(app, build(UDP, 1, 40000, 9999, 0, 0, "d1:q4:ping", 10)), "data");
    /* a port owner wins over the heuristic (and 9 bytes are too few for
     * NTP's 48-byte header: malformed, as tshark says) */
    CHECK_EQ_STR(path(app, build(UDP, 1, 40000, 123, 0, 0, "d1:ad2:id", 9)),
                 "ntp:_ws.malformed");
    static const uint8_t ctl[12] = {0x16, 0x02}; /* mode 6: a 12-byte header */
    CHECK_EQ_STR(path(app, build(UDP, 1, 40000, 123, 0, 0, ctl, sizeof(ctl))), "ntp");
    pw_app_free(app);
}

static void rdp_negotiation(void)
{
    struct pw_app *app = pw_app_new();
    static const uint8_t cr[] = "\x03\x00\x00\x13\x0e\xe0\x00\x00\x00\x00\x00"
                                "\x01\x00\x08\x00\x03\x00\x00\x00";
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 3389, 1, 0x18, cr, sizeof(cr) - 1)),
                 "tpkt:cotp:rdp");
    /* TLS after the switch: one tpkt continuation item */
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 3389, 20, 0x18, "\x16\x03\x01\x00\x01\x01", 6)),
                 "tpkt");
    pw_app_free(app);
}

static void smb_over_nbss(void)
{
    struct pw_app *app = pw_app_new();
    uint8_t m[4 + 64 * 2];
    memset(m, 0, sizeof(m));
    m[3] = 128;
    memcpy(m + 4, "\xfeSMB", 4);
    m[4 + 20] = 64; /* NextCommand: a compounded second request */
    memcpy(m + 4 + 64, "\xfeSMB", 4);
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 445, 1, 0x18, m, sizeof(m))), "nbss:smb2:smb2");
    pw_app_free(app);
}

/* NBSS continuation data and SMB transaction parts; each expectation is
 * tshark 4.0.17's protocol hierarchy for the same TCP payload (one segment
 * to port 445, built with text2pcap). */
static void nbss_continuation_and_smb_trans_parts(void)
{
    struct pw_app *app = pw_app_new();
    /* a call that starts with an empty session message: continuation data,
     * even though an SMB header follows */
    static const uint8_t cont[] = "\x00\x00\x00\x00\xffSMB\x32\x00\x00\x00";
    CHECK_EQ_STR(path(app, build(TCP, 1, 40010, 445, 1, 0x18, cont, sizeof(cont) - 1)), "nbss");
    /* the same empty message after a keep-alive is a PDU of its own */
    static const uint8_t keep[] = "\x85\x00\x00\x00\x00\x00\x00\x00";
    CHECK_EQ_STR(path(app, build(TCP, 1, 40011, 445, 1, 0x18, keep, sizeof(keep) - 1)),
                 "nbss:nbss");
    /* Trans2 response (tcpdump/smb_data_print-segv.pcap frame 3): 11 words,
     * TotalDataCount 0 but DataCount 20 at DataOffset 56 */
    uint8_t m[80];
    memset(m, 0, sizeof(m));
    m[3] = 76;
    memcpy(m + 4, "\xffSMB\x32", 5);
    m[4 + 9] = 0x98; /* a reply */
    uint8_t *w = m + 4 + 33;
    m[4 + 32] = 11;
    w[8] = 56;  /* ParameterOffset */
    w[12] = 20; /* DataCount */
    w[14] = 56; /* DataOffset */
    CHECK_EQ_STR(path(app, build(TCP, 0, 40012, 445, 1, 0x18, m, sizeof(m))),
                 "nbss:smb:_ws.unreassembled");
    w[2] = 30; /* TotalDataCount 30: a first part that fits */
    CHECK_EQ_STR(path(app, build(TCP, 0, 40013, 445, 1, 0x18, m, sizeof(m))), "nbss:smb");
    w[12] = 30; /* the whole transaction, past the message: not checked */
    CHECK_EQ_STR(path(app, build(TCP, 0, 40014, 445, 1, 0x18, m, sizeof(m))), "nbss:smb");
    w[0] = 5; /* TotalParameterCount 5: now a part, and it overruns */
    CHECK_EQ_STR(path(app, build(TCP, 0, 40015, 445, 1, 0x18, m, sizeof(m))),
                 "nbss:smb:_ws.unreassembled");
    pw_app_free(app);
}

static void tftp_transfer(void)
{
    struct pw_app *app = pw_app_new();
    CHECK_EQ_STR(path(app, build(UDP, 1, 40000, 69, 0, 0, "\x00\x01" "f\x00octet\x00", 10)),
                 "tftp");
    /* the server answers from another port: still the transfer */
    CHECK_EQ_STR(path(app, build(UDP, 0, 40000, 3000, 0, 0, "\x00\x03\x00\x01" "abc", 7)),
                 "tftp:data");
    pw_app_free(app);
}

/* A port-8080 stream that never sends a line end: tshark's HTTP keeps
 * waiting for the first line, so no frame shows anything, also after the
 * pending PDU outgrows what we keep of it (PW_REASM_KEEP): the bytes past
 * that bound were captured, so they are not a snaplen cut. */
static void http_no_line_end_past_keep(void)
{
    struct pw_app *app = pw_app_new();
    uint8_t seg[1400];
    memset(seg, 'a', sizeof(seg));
    uint32_t seq = 5000;
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 8080, seq, 0x02, NULL, 0)), "");
    seq++;
    int shown = 0;
    for (int i = 0; i < 80; i++) { /* 112,000 bytes */
        if (path(app, build(TCP, 1, 40000, 8080, seq, 0x18, seg, sizeof(seg)))[0])
            shown++;
        seq += sizeof(seg);
    }
    CHECK_EQ_INT(shown, 0);
    pw_app_free(app);
}

/* Data on port 80 that starts with a line holding a colon: tshark 4.0 takes
 * it for a header line and reads on line by line. A name before the colon
 * that is not a token (binary, '=', a space) only earns an expert warning;
 * the frame is malformed only when a later line that is no header, empty,
 * request or status line runs to the end of the data without a line end.
 * Expected: tshark 4.0 on the same payloads (it also shows what follows
 * the head of the first two as `data`, which is not checked here). */
/* a literal and its length without the terminating NUL */
#define S(lit) lit, sizeof(lit) - 1

/* The layer path of one segment of p to port 80 from client port cport,
 * on a new application stage (freed in *app by the caller). */
static const char *http80(struct pw_app **app, int to_server, uint16_t cport, const char *p,
                          uint32_t n)
{
    *app = pw_app_new();
    return path(*app, build(TCP, to_server, cport, 80, 1000, 0x18, p, n));
}

static void http_header_line_malformed(void)
{
    static const struct {
        const char *p;
        uint32_t n;
        int want; /* 1: http, malformed; 0: http only; -1: no http */
    } cases[] = {
        /* ndpi 1kxun.pcap frame 1257: binary, '=' and control bytes before
         * the colon, a lone CR ends the line, the next line ends too */
        {S("`ua!\xa6s\x94]\\\x02\x89_=\x86w\x11""D:f.\xe3+\r7\x8e\xa3\xde""Dh\x15\n\xdfXR"),
         0},
        {S("a=b: x\r\nrest\r\n"), 0},
        {S("ab: x\r\ncd: y\r\n\tre:st"), 0},
        {S("ab: x\r\nHTTP/1.1 200 OK"), 0},
        {S("ab: x\r\n\r"), 0},
        /* zeek ssh-on-port-80.pcap frame 36: the same kind of first line,
         * then a last line without a line end */
        {S("nb\xa9\xcf\x92\x11=\x99:\x81\x12\nM\xa5\xe4r\xdf.Y"), 1},
        {S("ab: x\r\nrest"), 1},
        {S("a b: x\r\nre=st"), 1},
        {S("ab: x\nr"), 1},
        /* no header line first: no HTTP at all */
        {S("\xa9""b: x\r\nrest"), -1},
        {S("ab x\r\nrest"), -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct pw_app *app;
        const char *got = http80(&app, 1, (uint16_t)(41000 + i), cases[i].p, cases[i].n);
        int is = strncmp(got, "http", 4) ? -1 : strstr(got, "_ws.malformed") != NULL;
        if (is != cases[i].want)
            fprintf(stderr, "  case %zu: path \"%s\"\n", i, got);
        CHECK_EQ_INT(is, cases[i].want);
        pw_app_free(app);
    }
}

/* What follows header lines in non-HTTP data is drawn as `data` inside the
 * http item: from the line that ended the head, or from after the empty
 * line; nothing when no byte is left or the head runs off the data. The
 * payloads and data.len were checked against tshark 4.0 (single segments
 * to port 80). */
static void http_header_line_rest_is_data(void)
{
    static const struct {
        const char *p;
        uint32_t n;
        uint32_t want; /* data.len; 0: no data layer */
    } cases[] = {
        {S("X-A: 1\r\nhello world\r\nmore\r\n"), 19},
        {S("X-A: 1\r\nX-B: 2\r\n\r\nbody bytes here"), 15},
        {S("X-A: 1\r\nX-B: 2\r\n\r\n"), 0},
        {S("X-A: 1\r\n"), 0},
        {S("X-A: 1\r\nHTTP/1.1 200 OK\r\nabc\r\n"), 5},
        {S("X-A: 1\nabc\ndef"), 7},
        {S("X-A: 1\r\nX-B: 2\r\n\r\nline1\r\nline2\r\n"), 14},
        {S("X-A: 1\r\nhello"), 0}, /* malformed instead */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct pw_app *app;
        const char *got = http80(&app, 0, (uint16_t)(42000 + i), cases[i].p, cases[i].n);
        CHECK(strncmp(got, "http", 4) == 0);
        uint32_t len = 0;
        for (unsigned k = 0; k < pkt.nlayers; k++)
            if (pkt.layer[k].proto == PW_P_DATA) {
                CHECK(pkt.layer[k].flags & PW_LF_SUBTREE);
                len = pkt.layer[k].len;
            }
        if (len != cases[i].want)
            fprintf(stderr, "  case %zu: path \"%s\", data.len %u\n", i, got, len);
        CHECK_EQ_INT(len, cases[i].want);
        pw_app_free(app);
    }
}
#undef S

/* occurrences of a field over all the TLS layers of pkt, joined with ','
 * (numbers in decimal) */
static const char *tls_values(const char *abbrev)
{
    static char out[512];
    const struct pw_field *f = pw_field_by_name(abbrev);
    out[0] = '\0';
    if (!f)
        return "(no such field)";
    for (unsigned i = 0; i < pkt.nlayers; i++) {
        if (pkt.layer[i].proto != PW_P_TLS)
            continue;
        struct pw_fvalue v[16];
        int n = f->get(&pkt, &pkt.layer[i], v, 16);
        for (int k = 0; k < n && k < 16; k++) {
            char one[128];
            if (v[k].type == PW_FT_STRING)
                snprintf(one, sizeof(one), "%.*s", (int)v[k].v.bytes.len,
                         (const char *)v[k].v.bytes.p);
            else
                snprintf(one, sizeof(one), "%llu", (unsigned long long)v[k].v.u);
            if (out[0])
                strncat(out, ",", sizeof(out) - strlen(out) - 1);
            strncat(out, one, sizeof(out) - strlen(out) - 1);
        }
    }
    return out;
}

/* a hello of `type` in a handshake record; returns its length */
static uint32_t tls_hello(uint8_t *p, uint8_t type, uint16_t ext_type, const void *ext,
                          uint16_t ext_len)
{
    uint32_t n = 0;
    uint8_t *b = p + 9; /* record header (5) and handshake header (4) */
    b[n++] = 3;
    b[n++] = 3;
    memset(b + n, 0x11, 32);
    n += 32;
    b[n++] = 0; /* session id */
    if (type == 1) {
        memcpy(b + n, "\x00\x04\x13\x01\xc0\x2f\x01\x00", 8); /* two suites, null compression */
        n += 8;
    } else {
        memcpy(b + n, "\x13\x01\x00", 3); /* the chosen suite, null compression */
        n += 3;
    }
    b[n++] = (uint8_t)((ext_len + 4) >> 8);
    b[n++] = (uint8_t)(ext_len + 4);
    b[n++] = (uint8_t)(ext_type >> 8);
    b[n++] = (uint8_t)ext_type;
    b[n++] = (uint8_t)(ext_len >> 8);
    b[n++] = (uint8_t)ext_len;
    memcpy(b + n, ext, ext_len);
    n += ext_len;
    memcpy(p, "\x16\x03\x01", 3);
    p[3] = (uint8_t)((n + 4) >> 8);
    p[4] = (uint8_t)(n + 4);
    p[5] = type;
    p[6] = 0;
    p[7] = (uint8_t)(n >> 8);
    p[8] = (uint8_t)n;
    return n + 9;
}

/* The TLS fields are kept while dissecting, so a ClientHello reassembled
 * from two segments has them in the frame that completes it; once the
 * ServerHello chose TLS 1.3, application data shows no content type
 * (tshark's opaque type) in either direction. */
static void tls_fields(void)
{
    struct pw_app *app = pw_app_new();
    static const uint8_t sni[] = "\x00\x0e\x00\x00\x0b" "example.org";
    uint8_t ch[200];
    uint32_t n = tls_hello(ch, 1, 0, sni, sizeof(sni) - 1);
    uint32_t cseq = 1000, sseq = 5000;
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 443, cseq, 0x02, NULL, 0)), "");
    CHECK_EQ_STR(path(app, build(TCP, 0, 40000, 443, sseq, 0x12, NULL, 0)), "");
    cseq++;
    sseq++;
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 443, cseq, 0x18, ch, 30)), "tls");
    CHECK_EQ_STR(tls_values("tls.handshake.type"), "");
    CHECK_EQ_STR(tls_values("tls.record.content_type"), "");
    uint8_t rest[256];
    memcpy(rest, ch + 30, n - 30);
    memcpy(rest + n - 30, "\x15\x03\x03\x00\x02\x01\x00", 7); /* an alert */
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 443, cseq + 30, 0x18, rest, n - 30 + 7)),
                 "tls:tcp.segments:tls");
    CHECK_EQ_STR(tls_values("tls.record.content_type"), "22,21");
    CHECK_EQ_STR(tls_values("tls.record.version"), "769,771");
    CHECK_EQ_STR(tls_values("tls.record.length"), "69,2");
    CHECK_EQ_STR(tls_values("tls.handshake.type"), "1");
    CHECK_EQ_STR(tls_values("tls.handshake.version"), "771");
    CHECK_EQ_STR(tls_values("tls.handshake.ciphersuite"), "4865,49199");
    CHECK_EQ_STR(tls_values("tls.handshake.extensions_server_name"), "example.org");
    cseq += n + 7;

    uint8_t sh[200];
    uint32_t m = tls_hello(sh, 2, 43, "\x03\x04", 2);
    memcpy(sh + m, "\x17\x03\x03\x00\x03\xaa\xbb\xcc", 8);
    CHECK_EQ_STR(path(app, build(TCP, 0, 40000, 443, sseq, 0x18, sh, m + 8)), "tls");
    CHECK_EQ_STR(tls_values("tls.record.content_type"), "22");
    CHECK_EQ_STR(tls_values("tls.record.length"), "50,3");
    CHECK_EQ_STR(tls_values("tls.handshake.type"), "2");
    CHECK_EQ_STR(tls_values("tls.handshake.ciphersuite"), "4865");
    CHECK_EQ_STR(tls_values("tls.handshake.extensions_server_name"), "");
    CHECK_EQ_STR(path(app, build(TCP, 1, 40000, 443, cseq, 0x18, sh + m, 8)), "tls");
    CHECK_EQ_STR(tls_values("tls.record.content_type"), "");
    CHECK_EQ_STR(tls_values("tls.record.version"), "771");
    pw_app_free(app);
}

TEST_MAIN(TEST_CASE(dns_over_udp), TEST_CASE(dns_malformed), TEST_CASE(tls_reassembly), TEST_CASE(tls_fields),
          TEST_CASE(reassembly_overlap), TEST_CASE(reassembly_overlap_flags),
          TEST_CASE(bittorrent_binding), TEST_CASE(bittorrent_many_messages), TEST_CASE(http_body), TEST_CASE(http_media_labels),
          TEST_CASE(udp_heuristics), TEST_CASE(rdp_negotiation), TEST_CASE(smb_over_nbss),
          TEST_CASE(nbss_continuation_and_smb_trans_parts),
          TEST_CASE(tftp_transfer), TEST_CASE(http_no_line_end_past_keep),
          TEST_CASE(http_header_line_malformed),
          TEST_CASE(http_header_line_rest_is_data))
