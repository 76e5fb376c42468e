/* HTTP/1.x message framing (RFC 9112 sections 2-7):
 *
 *   start-line CRLF *(field-line CRLF) CRLF [message-body]
 *
 * The body length: Transfer-Encoding chunked (section 7.1), else
 * Content-Length, else none for requests and for 1xx/204/304 responses,
 * else "until the server closes" (section 6.3 rule 8), which tshark
 * reassembles up to the FIN. A message is one `http` item followed by the
 * item of the media dissector its Content-Type selects
 * (`data-text-lines`, `json`, `xml`, `png`, ... or `media`). Data that does
 * not start like an HTTP message is one `http` continuation item. */
#include <ctype.h>
#include <strings.h>

#include "dissect/app.h"
#include "dissect/appsimple.h"

static const char *const methods[] = {
    "GET ",  "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ", "TRACE ", "PATCH ",
    "NOTIFY ", "M-SEARCH ", "SUBSCRIBE ", "UNSUBSCRIBE ", "PROPFIND ", "PROPPATCH ", "MKCOL ",
    "COPY ", "MOVE ", "LOCK ", "UNLOCK ", "SEARCH ", "REPORT ", "SOURCE ", "MKACTIVITY ",
    "CHECKOUT ", "MERGE ", "POLL ", "BMOVE ", "BDELETE ", "BPROPFIND ", "BPROPPATCH ", "BCOPY ",
};

/* 1: request, 2: response, 0: not HTTP, -1: too short to tell */
static int http_start(const uint8_t *p, uint32_t avail)
{
    if (avail >= 5 && memcmp(p, "HTTP/", 5) == 0)
        return 2;
    if (avail < 5 && memcmp(p, "HTTP/", avail) == 0)
        return -1;
    bool prefix = false;
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        size_t n = strlen(methods[i]);
        if (avail >= n && memcmp(p, methods[i], n) == 0)
            return 1;
        if (avail < n && memcmp(p, methods[i], avail) == 0)
            prefix = true;
    }
    return prefix ? -1 : 0;
}

struct http_head {
    uint32_t hlen;     /* start line + fields + empty line */
    int kind;          /* 1 request, 2 response */
    int status;
    bool chunked;
    bool has_len;
    bool close;        /* Connection: close */
    uint64_t clen;
    bool encoded;      /* a Content-Encoding other than identity */
    char ctype[64];    /* media type, lower case, without parameters */
    char boundary[80]; /* its boundary parameter, unquoted ("": none) */
};

/* the boundary parameter of a Content-Type value, unquoted, into out */
static void get_boundary(const uint8_t *v, uint32_t vn, char *out, size_t n)
{
    out[0] = '\0';
    for (uint32_t k = 0; k + 9 <= vn; k++) {
        if (strncasecmp((const char *)v + k, "boundary=", 9) != 0)
            continue;
        if (k && v[k - 1] != ';' && v[k - 1] != ' ' && v[k - 1] != '\t')
            continue;
        const uint8_t *b = v + k + 9;
        uint32_t bn = vn - k - 9, e = 0;
        if (bn && b[0] == '"') {
            b++;
            bn--;
            while (e < bn && b[e] != '"')
                e++;
        } else {
            while (e < bn && b[e] != ';' && b[e] != ' ' && b[e] != '\t')
                e++;
        }
        if (e >= n)
            return; /* too long to show: no label */
        memcpy(out, b, e);
        out[e] = '\0';
        return;
    }
}

static bool hdr_is(const uint8_t *line, uint32_t n, const char *name)
{
    size_t k = strlen(name);
    return n > k && strncasecmp((const char *)line, name, k) == 0 && line[k] == ':';
}

static const uint8_t *hdr_value(const uint8_t *line, uint32_t n, const char *name, uint32_t *vn)
{
    size_t k = strlen(name) + 1;
    const uint8_t *v = line + k;
    uint32_t m = n - (uint32_t)k;
    while (m && (*v == ' ' || *v == '\t')) {
        v++;
        m--;
    }
    while (m && (v[m - 1] == ' ' || v[m - 1] == '\t' || v[m - 1] == '\r'))
        m--;
    *vn = m;
    return v;
}

/* Parses the head if complete within avail; returns false otherwise. */
static bool parse_head(const uint8_t *p, uint32_t avail, struct http_head *h)
{
    memset(h, 0, sizeof(*h));
    uint32_t i = 0, line_start = 0;
    bool first = true;
    for (; i < avail; i++) {
        if (p[i] != '\n')
            continue;
        const uint8_t *line = p + line_start;
        uint32_t n = i - line_start;
        if (n && line[n - 1] == '\r')
            n--;
        if (first) {
            first = false;
            if (n >= 12 && memcmp(line, "HTTP/", 5) == 0) {
                h->kind = 2;
                const uint8_t *sp = memchr(line, ' ', n);
                if (sp && sp + 4 <= line + n && isdigit(sp[1]) && isdigit(sp[2]) && isdigit(sp[3]))
                    h->status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
            } else {
                h->kind = 1;
            }
        } else if (n == 0) {
            h->hlen = i + 1;
            return true;
        } else if (hdr_is(line, n, "content-length")) {
            uint32_t vn;
            const uint8_t *v = hdr_value(line, n, "content-length", &vn);
            uint64_t x = 0;
            bool ok = vn > 0;
            for (uint32_t k = 0; k < vn; k++) {
                if (!isdigit(v[k]) || x > (UINT64_MAX - 9) / 10) {
                    ok = false;
                    break;
                }
                x = x * 10 + (uint64_t)(v[k] - '0');
            }
            if (ok) {
                h->has_len = true;
                h->clen = x;
            }
        } else if (hdr_is(line, n, "transfer-encoding")) {
            uint32_t vn;
            const uint8_t *v = hdr_value(line, n, "transfer-encoding", &vn);
            for (uint32_t k = 0; k + 7 <= vn; k++)
                if (strncasecmp((const char *)v + k, "chunked", 7) == 0)
                    h->chunked = true;
        } else if (hdr_is(line, n, "connection")) {
            uint32_t vn;
            const uint8_t *v = hdr_value(line, n, "connection", &vn);
            for (uint32_t k = 0; k + 5 <= vn; k++)
                if (strncasecmp((const char *)v + k, "close", 5) == 0)
                    h->close = true;
        } else if (hdr_is(line, n, "content-type")) {
            uint32_t vn;
            const uint8_t *v = hdr_value(line, n, "content-type", &vn);
            uint32_t k = 0;
            for (; k < vn && k + 1 < sizeof(h->ctype) && v[k] != ';' && v[k] != ' '; k++)
                h->ctype[k] = (char)tolower(v[k]);
            h->ctype[k] = '\0';
            get_boundary(v, vn, h->boundary, sizeof(h->boundary));
        } else if (hdr_is(line, n, "content-encoding")) {
            uint32_t vn;
            const uint8_t *v = hdr_value(line, n, "content-encoding", &vn);
            h->encoded = !(vn == 8 && strncasecmp((const char *)v, "identity", 8) == 0);
        }
        line_start = i + 1;
    }
    return false;
}

/* Counts lines as tshark's line-based text does: a line ends at CR LF, LF
 * or a lone CR; a last line without an end counts too. Fed piecewise (the
 * chunks of a chunked body). */
struct line_count {
    uint32_t lines;
    bool in_line, after_cr;
};

static void count_lines(struct line_count *lc, const uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        if (lc->after_cr && p[i] == '\n') {
            lc->after_cr = false;
            continue;
        }
        lc->after_cr = p[i] == '\r';
        if (p[i] == '\r' || p[i] == '\n') {
            lc->lines++;
            lc->in_line = false;
        } else {
            lc->in_line = true;
        }
    }
}

/* Length of a chunked body at p (RFC 9112 7.1), or 0 if it does not end
 * within avail. *data gets the sum of the chunk sizes; lc, if not NULL,
 * counts the lines of the chunks' data. */
static uint64_t chunked_walk(const uint8_t *p, uint32_t avail, uint64_t *data,
                             struct line_count *lc)
{
    uint64_t o = 0;
    *data = 0;
    for (;;) {
        uint64_t size = 0;
        bool digits = false;
        while (o < avail && isxdigit(p[o])) {
            if (size > (UINT64_MAX >> 8))
                return 0;
            size = size * 16 + (uint64_t)(isdigit(p[o]) ? p[o] - '0' : (tolower(p[o]) - 'a' + 10));
            digits = true;
            o++;
        }
        if (!digits)
            return 0;
        while (o < avail && p[o] != '\n')
            o++;
        if (o >= avail)
            return 0;
        o++;
        if (size == 0) {
            /* trailer fields, then an empty line */
            for (;;) {
                uint64_t ls = o;
                while (o < avail && p[o] != '\n')
                    o++;
                if (o >= avail)
                    return 0;
                o++;
                if (o - ls <= 2)
                    return o;
            }
        }
        if (size > avail - o)
            return 0;
        if (lc)
            count_lines(lc, p + o, size);
        o += size;
        *data += size;
        if (o < avail && p[o] == '\r')
            o++;
        if (o >= avail || p[o] != '\n')
            return 0;
        o++;
    }
}

static uint64_t chunked_len(const uint8_t *p, uint32_t avail, uint64_t *data)
{
    return chunked_walk(p, avail, data, NULL);
}

/* What tshark's HTTP makes of data that does not start a request or
 * status line (its line-by-line walk):
 *  - after a response whose body length is unknown, or after a message
 *    earlier in the same call: a continuation (an `http` item holding the
 *    data);
 *  - a first byte that is not printable: nothing;
 *  - no line end (CR or LF) yet: more data is needed (one more segment);
 *  - a first line with a colon looks like a header line: an `http` item
 *    (a name that is not a token only earns an expert warning, never an
 *    exception);
 *  - any other line: nothing. */
enum { NH_CONT, NH_NOTHING, NH_MORE, NH_HEADER };

static int nonhttp(const uint8_t *p, uint32_t avail, const struct pw_app_pstate *st)
{
    if (st && (st->http_open || st->call_pos > 0))
        return NH_CONT;
    if (avail == 0 || p[0] < 0x20 || p[0] > 0x7e)
        return NH_NOTHING;
    /* memchr: this runs again on every segment of a long line-less
     * stream held for reassembly, over all its bytes so far */
    const uint8_t *lf = memchr(p, '\n', avail);
    const uint8_t *cr = memchr(p, '\r', lf ? (size_t)(lf - p) : avail);
    const uint8_t *end = cr ? cr : lf;
    if (!end)
        return NH_MORE;
    return memchr(p, ':', (size_t)(end - p)) ? NH_HEADER : NH_NOTHING;
}

/* After a first line taken as a header line, tshark keeps reading lines:
 * one with a colon is another header line (whatever precedes the colon),
 * a request or status line is shown as one, an empty line ends the head.
 * Any other line ends it too, unless it has no line end before the data
 * ends: then tshark asks for the byte after the line, past the data, and
 * gets an exception. True in that case. Otherwise *rest is where what
 * follows the head begins (the line that ended it, or the byte after the
 * empty line), which tshark shows as the message's data. */
static bool header_runs_off(const uint8_t *p, uint32_t avail, uint32_t *rest)
{
    uint32_t o = 0;
    for (bool first = true;; first = false) {
        *rest = o;
        if (o >= avail)
            return false;
        const uint8_t *q = p + o;
        uint32_t left = avail - o, n = 0;
        while (n < left && q[n] != '\r' && q[n] != '\n')
            n++;
        bool empty = !first && n == 0;
        if (!first && !empty && !memchr(q, ':', n) && http_start(q, n) <= 0)
            return n == left; /* no line end: the data runs out */
        if (n == left)
            return false;
        o += n + 1;
        if (q[n] == '\r' && o < avail && p[o] == '\n')
            o++;
        if (empty) {
            *rest = o;
            return false;
        }
    }
}

static int64_t http_pdu_len(const uint8_t *p, uint32_t avail, uint32_t left,
                            const struct pw_app_pstate *st)
{
    if (avail == 0)
        return PW_PDU_MORE;
    /* tshark's HTTP first waits for a complete first line (desegmenting)
     * when the bytes could begin a request or status line, then decides
     * whether this is HTTP at all; other data is a continuation at once */
    int k = http_start(p, avail);
    if (k == 0)
        return nonhttp(p, avail, st) == NH_MORE && (avail == left || (st && st->capped))
                   ? PW_PDU_MORE
                   : PW_PDU_REST;
    if (!memchr(p, '\n', avail))
        return PW_PDU_MORE;
    if (k <= 0)
        return PW_PDU_REST;
    struct http_head h;
    if (!parse_head(p, avail, &h))
        return PW_PDU_MORE;
    if (h.kind == 2 && ((h.status >= 100 && h.status < 200) || h.status == 204 || h.status == 304))
        return h.hlen;
    if (h.chunked) {
        uint64_t data;
        uint64_t n = chunked_len(p + h.hlen, avail - h.hlen, &data);
        return n ? (int64_t)(h.hlen + n) : PW_PDU_MORE;
    }
    if (h.has_len)
        return (int64_t)(h.hlen + h.clen);
    /* no length: a response that announces `Connection: close` ends with
     * the connection (tshark reassembles it up to the FIN); another takes
     * what this call has (tshark does not wait for the close); a request
     * has no body */
    if (h.kind == 2)
        return h.close ? PW_PDU_UNTIL_FIN : (int64_t)left;
    return h.hlen;
}

/* The media dissector tshark's media_type table gives a Content-Type; a
 * dissector that rejects the body (an image that is not what its type
 * says) and an unregistered type fall back to the media heuristics
 * (XML, GIF, ...), then to `media`. */
static unsigned sniff(const uint8_t *b, uint32_t n)
{
    uint32_t i = 0;
    while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n'))
        i++;
    if (n - i >= 5 && memcmp(b + i, "<?xml", 5) == 0)
        return PW_P_XML;
    if (n >= 4 && memcmp(b, "GIF8", 4) == 0)
        return PW_P_IMAGE_GIF;
    if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
        return PW_P_PNG;
    if (n >= 3 && memcmp(b, "\xff\xd8\xff", 3) == 0)
        return PW_P_IMAGE_JFIF;
    return PW_P_MEDIA;
}

static unsigned media_proto(const char *ct, const uint8_t *b, uint32_t n)
{
    if (!strcmp(ct, "application/x-www-form-urlencoded"))
        return PW_P_URLENCODED_FORM;
    if (!strcmp(ct, "application/json") || !strcmp(ct, "application/json-rpc") ||
        !strcmp(ct, "application/jsonrequest") || !strcmp(ct, "application/vnd.api+json"))
        return PW_P_JSON;
    if (!strcmp(ct, "text/xml") || !strcmp(ct, "application/xml") ||
        !strcmp(ct, "application/soap+xml") || !strcmp(ct, "application/xhtml+xml") ||
        !strcmp(ct, "application/rss+xml") || !strcmp(ct, "application/atom+xml") ||
        !strcmp(ct, "image/svg+xml") || !strcmp(ct, "application/rdf+xml"))
        return PW_P_XML;
    if (!strncmp(ct, "multipart/", 10))
        return PW_P_MIME_MULTIPART;
    if (!strcmp(ct, "image/png"))
        return n >= 8 && memcmp(b, "\x89PNG", 4) == 0 ? PW_P_PNG : sniff(b, n);
    if (!strcmp(ct, "image/gif"))
        return n >= 4 && memcmp(b, "GIF8", 4) == 0 ? PW_P_IMAGE_GIF : sniff(b, n);
    if (!strcmp(ct, "image/jpeg") || !strcmp(ct, "image/jpg") || !strcmp(ct, "image/pjpeg"))
        return PW_P_IMAGE_JFIF;
    if (!strncmp(ct, "text/", 5) || !strcmp(ct, "application/x-javascript") ||
        !strcmp(ct, "application/javascript") || !strcmp(ct, "application/x-ns-proxy-autoconfig"))
        return PW_P_DATA_TEXT_LINES;
    return sniff(b, n);
}

static void media_label(struct pw_packet *pkt, struct pw_layer *m, const struct http_head *h,
                        const uint8_t *b, uint32_t bn, bool whole);

static void http_pdu(struct pw_dctx *d, struct pw_cur *c, struct pw_app_pstate *st)
{
    uint32_t avail = pw_cur_left(c), rep = pw_cur_rep_left(c);
    const uint8_t *p = pw_cur_ptr(c);
    /* data that is not HTTP: when it holds no complete line, or when it
     * follows a response whose body has no known length, tshark shows it
     * as a continuation, one `http` item with the data drawn inside its
     * tree (a layer of frame.protocols, not a level of the hierarchy);
     * a first line with a colon: header lines, then the rest drawn the
     * same way; otherwise (a line that is not a request or status line)
     * no item */
    if (http_start(p, avail) <= 0) {
        int v = nonhttp(p, avail, st);
        if (v == NH_NOTHING || v == NH_MORE)
            return;
        if (!pw_app_push(d, PW_P_HTTP, c))
            return;
        uint32_t rest = avail;
        if (v == NH_HEADER && header_runs_off(p, avail, &rest)) {
            /* the byte after the line is missing from the frame as
             * captured (cut by the snapshot length: short) or from the
             * data as sent (malformed) */
            bool cut = rep > avail;
            struct pw_cur at = pw_cur_make(d->pkt->data, 0, 0);
            at.off = c->off + c->pos;
            struct pw_layer *m =
                pw_push_layer(d, cut ? PW_P_WS_SHORT : PW_P_WS_MALFORMED, &at);
            if (m) {
                m->u.ws.proto = PW_P_HTTP;
                m->u.ws.kind = PW_WS_EXCEPTION;
            }
            return; /* the exception ends the dissection: no data */
        }
        if (v == NH_HEADER) {
            /* what follows the header lines is the message's data, drawn
             * inside the http tree like a continuation's */
            if (rest >= rep)
                return;
            pw_cur_skip(c, rest);
        } else if (rep == 0) {
            return;
        }
        unsigned n0 = d->pkt->nlayers;
        pw_data(d, c);
        for (unsigned i = n0; i < d->pkt->nlayers; i++)
            d->pkt->layer[i].flags |= PW_LF_SUBTREE;
        return;
    }
    if (!pw_app_push(d, PW_P_HTTP, c))
        return;
    struct http_head h;
    if (!parse_head(p, avail, &h)) {
        if (st) /* a head cut by the capture: the body length is unknown */
            st->http_open = http_start(p, avail) == 2;
        return;
    }
    if (st)
        st->http_open = h.kind == 2 && !h.chunked && !h.has_len &&
                        !((h.status >= 100 && h.status < 200) || h.status == 204 ||
                          h.status == 304);
    uint64_t body = rep > h.hlen ? rep - h.hlen : 0;
    if (h.chunked && body) {
        uint64_t data = 0;
        if (chunked_len(p + h.hlen, avail - h.hlen, &data))
            body = data;
    }
    /* without a Content-Type the body is shown inside the http tree, not
     * as a protocol of its own */
    if (body == 0 || !h.ctype[0])
        return;
    pw_cur_skip(c, h.hlen);
    uint32_t bn = pw_cur_left(c);
    const uint8_t *b = pw_cur_ptr(c);
    bool whole = bn == pw_cur_rep_left(c);
    struct pw_layer *m = pw_app_whole(d, media_proto(h.ctype, b, bn), c);
    if (m && d->labels)
        media_label(d->pkt, m, &h, b, bn, whole);
    else if (m)
        m->u.app.text_len = 0; /* no label: `-T fields` would print the abbreviation */
}

/* The label of a media layer, built while the HTTP head and the body are
 * at hand (a reassembled body is not in the frame later) and kept in the
 * packet's text pool: the media type as HTTP parsed it (lower case,
 * without parameters), and what the media dissector adds. Labels that read
 * the body (line counts, the GIF version) are not built for bodies tshark
 * decompresses first (a Content-Encoding: no inflater here) or that were
 * not all captured; types this file does not know the labels of get none. */
static void media_label(struct pw_packet *pkt, struct pw_layer *m, const struct http_head *h,
                        const uint8_t *b, uint32_t bn, bool whole)
{
    m->u.app.text_len = 0;
    bool body_read = !h->encoded && whole; /* the label needs the body as tshark sees it */
    char *out = pkt->text + pkt->ntext;
    size_t room = PW_MAX_PKT_TEXT - pkt->ntext, k;
    switch (m->proto) {
    case PW_P_DATA_TEXT_LINES: {
        if (!body_read)
            return;
        struct line_count lc = {0, false, false};
        if (h->chunked) {
            uint64_t data;
            if (!chunked_walk(b, bn, &data, &lc))
                return;
        } else {
            count_lines(&lc, b, bn);
        }
        k = pw_label_add(out, room, 0, "Line-based text data: %s (%u lines)", h->ctype,
                         lc.lines + (lc.in_line ? 1u : 0u));
        break;
    }
    case PW_P_JSON:
        k = pw_label_add(out, room, 0, "JavaScript Object Notation: %s", h->ctype);
        break;
    case PW_P_URLENCODED_FORM:
        k = pw_label_add(out, room, 0, "HTML Form URL Encoded: %s", h->ctype);
        break;
    case PW_P_IMAGE_GIF:
        if (!body_read || h->chunked || bn < 6)
            return;
        k = pw_label_add(out, room, 0, "Compuserve GIF, Version: %.6s", (const char *)b);
        break;
    case PW_P_MIME_MULTIPART:
        if (!h->boundary[0])
            return;
        k = pw_label_add(out, room, 0, "MIME Multipart Media Encapsulation, Type: %s, Boundary: \"%s\"",
                         h->ctype, h->boundary);
        break;
    default: return;
    }
    if (k == 0 || k >= room || k > UINT16_MAX)
        return;
    m->u.app.text_off = pkt->ntext;
    m->u.app.text_len = (uint16_t)k;
    pkt->ntext = (uint16_t)(pkt->ntext + k + 1);
}

/* media layers (registry.c): the label media_label kept */
size_t pw_label_media(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    if (!l->u.app.text_len || l->u.app.text_off + (size_t)l->u.app.text_len >= pkt->ntext)
        return 0;
    return pw_label_add(buf, n, 0, "%.*s", (int)l->u.app.text_len, pkt->text + l->u.app.text_off);
}

/* tshark's TCP heuristic for HTTP on any port: a complete first line that
 * is a request line ending in an HTTP version, or a status line. */
bool pw_http_heuristic(const uint8_t *p, uint32_t avail)
{
    const uint8_t *nl = memchr(p, '\n', avail);
    if (!nl)
        return false;
    uint32_t n = (uint32_t)(nl - p);
    if (n && p[n - 1] == '\r')
        n--;
    int k = http_start(p, n);
    if (k == 2)
        return n >= 12;
    if (k != 1 || n < 14)
        return false;
    return memcmp(p + n - 8, "HTTP/1.", 7) == 0;
}

const struct pw_tcp_proto pw_tcp_http = {PW_P_HTTP, false, 0, http_pdu_len, http_pdu};
