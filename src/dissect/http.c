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
#include "dissect/fget.h"

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
            if (vn > 1 && v[0] == '+') { /* tshark's number parser takes a sign */
                v++;
                vn--;
            }
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

/* ---- fields -------------------------------------------------------------- */

/* The fields read the head after dissection, when a reassembled head is no
 * longer at hand (only the frame is), so the lines they read are kept in
 * the packet's text pool: a kind byte (HK_*), then the start line (not for
 * HK_HEADERS) and the header lines the fields name, each without its line
 * end and followed by '\n', or by '\r' for a line the capture cut. A head
 * that does not fit has no fields. */
enum { HK_REQUEST = 'Q', HK_RESPONSE = 'S', HK_HEADERS = 'H' };

static const char *const kept_headers[] = {"host", "user-agent", "content-type",
                                           "content-length", "server"};

static bool kept_header(const uint8_t *line, uint32_t n)
{
    for (size_t i = 0; i < sizeof(kept_headers) / sizeof(kept_headers[0]); i++)
        if (hdr_is(line, n, kept_headers[i]))
            return true;
    return false;
}

/* tshark reads a head line by line, a line ending at CR LF, LF or a lone
 * CR, up to the empty line; a line that has no colon (an obs-fold
 * continuation as well) ends the header lines too. When the capture cut
 * the data (`cut`), the captured end of the last line is its end. It
 * reads the lines as ASCII: each byte above 0x7f is a U+FFFD (three bytes
 * of UTF-8) in the values it shows. */
static void keep_head(struct pw_packet *pkt, struct pw_layer *l, int kind, const uint8_t *p,
                      uint32_t avail, bool cut)
{
    if (!l || (l->flags & PW_LF_REPEAT))
        return; /* a layer standing for several PDUs: the first one's only */
    char *out = pkt->text + pkt->ntext;
    size_t room = PW_MAX_PKT_TEXT - pkt->ntext, k = 0;
    if (room < 2)
        return;
    out[k++] = (char)kind;
    bool first = kind != HK_HEADERS;
    for (uint32_t o = 0; o < avail;) {
        const uint8_t *line = p + o;
        uint32_t n = 0;
        while (o + n < avail && line[n] != '\r' && line[n] != '\n')
            n++;
        bool open = o + n == avail; /* no line end captured */
        if (open && !cut)
            break;
        o += n + 1;
        if (!open && line[n] == '\r' && o < avail && p[o] == '\n')
            o++;
        bool keep = first;
        if (!first) {
            if (open && !memchr(line, ':', n)) {
                /* tshark's walk runs off the data here: the items it adds
                 * after the head (http.request, the full URI) are missing */
                out[0] = (char)tolower(kind);
                break;
            }
            if (n == 0 || !memchr(line, ':', n))
                break;
            keep = kept_header(line, n);
        }
        first = false;
        if (!keep)
            continue;
        for (uint32_t i = 0; i < n; i++) {
            if (room - k < 5)
                return; /* does not fit: nothing kept */
            if (line[i] < 0x80) {
                out[k++] = (char)line[i];
            } else {
                memcpy(out + k, "\xef\xbf\xbd", 3);
                k += 3;
            }
        }
        if (room - k < 2)
            return;
        out[k++] = open ? '\r' : '\n';
    }
    if (k > UINT16_MAX)
        return;
    l->u.app.text_off = pkt->ntext;
    l->u.app.text_len = (uint16_t)k;
    pkt->ntext = (uint16_t)(pkt->ntext + k);
}


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
        struct pw_layer *hl = pw_app_push(d, PW_P_HTTP, c);
        if (!hl)
            return;
        if (v == NH_HEADER)
            keep_head(d->pkt, hl, HK_HEADERS, p, avail, rep > avail);
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
    struct pw_layer *hl = pw_app_push(d, PW_P_HTTP, c);
    if (!hl)
        return;
    keep_head(d->pkt, hl, http_start(p, avail) == 2 ? HK_RESPONSE : HK_REQUEST, p, avail,
              rep > avail);
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

/* The kept lines of an HTTP layer (keep_head): its kind, or 0 when none
 * were kept; *s / *n the lines after the kind byte. */
static int kept_lines(const struct pw_packet *pkt, const struct pw_layer *l, const char **s,
                      uint32_t *n)
{
    if (l->u.app.text_len < 1 || l->u.app.text_off + (size_t)l->u.app.text_len > pkt->ntext)
        return 0;
    const char *t = pkt->text + l->u.app.text_off;
    *s = t + 1;
    *n = l->u.app.text_len - 1u;
    return toupper((unsigned char)t[0]);
}

/* the walk of the head ran off the captured data (keep_head) */
static bool head_aborted(const struct pw_packet *pkt, const struct pw_layer *l)
{
    return l->u.app.text_len >= 1 && islower((unsigned char)pkt->text[l->u.app.text_off]);
}

/* The length of the kept line at s (of n bytes left); *cut: the capture
 * cut it (keep_head). */
static uint32_t kept_line(const char *s, uint32_t n, bool *cut)
{
    uint32_t k = 0;
    while (k < n && s[k] != '\n' && s[k] != '\r')
        k++;
    *cut = k < n && s[k] == '\r';
    return k;
}

/* The start line of a request or response layer; false for none. */
static bool start_line(const struct pw_packet *pkt, const struct pw_layer *l, int kind,
                       const char **line, uint32_t *n, bool *cut)
{
    const char *s;
    uint32_t sn;
    if (kept_lines(pkt, l, &s, &sn) != kind)
        return false;
    *line = s;
    *n = kept_line(s, sn, cut);
    return *n < sn;
}

/* tshark's strings end at a NUL byte */
static uint32_t to_nul(const char *p, uint32_t n)
{
    const char *z = memchr(p, '\0', n);
    return z ? (uint32_t)(z - p) : n;
}

static int fv_str(struct pw_fvalue *out, int max, int at, const char *p, uint32_t n)
{
    n = to_nul(p, n);
    if (at < max) {
        out[at].type = PW_FT_STRING;
        out[at].v.bytes.p = (const uint8_t *)p;
        out[at].v.bytes.len = n;
    }
    return at + 1;
}

/* Calls fn on the value of every kept header line named `name`, in order:
 * what follows the colon less its leading spaces and tabs (tshark keeps
 * trailing ones). Returns how many there were. */
static int each_header(const struct pw_packet *pkt, const struct pw_layer *l, const char *name,
                       void (*fn)(void *arg, const char *v, uint32_t vn), void *arg,
                       bool cut_empty)
{
    const char *s;
    uint32_t sn;
    int kind = kept_lines(pkt, l, &s, &sn);
    if (!kind)
        return 0;
    int count = 0;
    size_t k = strlen(name);
    for (uint32_t o = 0; o < sn;) {
        const char *line = s + o;
        bool cut;
        uint32_t n = kept_line(line, sn - o, &cut);
        o += n + 1;
        if (kind != HK_HEADERS && line == s)
            continue; /* the start line */
        if (!hdr_is((const uint8_t *)line, n, name))
            continue;
        const char *v = line + k + 1;
        uint32_t vn = n - (uint32_t)k - 1;
        while (vn && (*v == ' ' || *v == '\t')) {
            v++;
            vn--;
        }
        if (cut && vn == 0 && !cut_empty)
            continue; /* an empty value the capture cut: no item (its value is "") */
        if (fn)
            fn(arg, v, vn);
        count++;
    }
    return count;
}

struct str_sink {
    struct pw_fvalue *out;
    int max, n;
};

static void str_value(void *arg, const char *v, uint32_t vn)
{
    struct str_sink *k = arg;
    k->n = fv_str(k->out, k->max, k->n, v, vn);
}

#define HEADER_GETTER(fn, name)                                                                    \
    static int fn(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,    \
                  int max)                                                                         \
    {                                                                                              \
        struct str_sink k = {out, max, 0};                                                        \
        each_header(pkt, l, name, str_value, &k, false);                                                  \
        return k.n;                                                                                \
    }

HEADER_GETTER(get_host, "host")
HEADER_GETTER(get_user_agent, "user-agent")
HEADER_GETTER(get_content_type, "content-type")
HEADER_GETTER(get_server, "server")

/* http.content_length: the value of each Content-Length line that is a
 * number (an optional '+', digits, trailing blanks; within 64 bits) */
static void len_value(void *arg, const char *v, uint32_t vn)
{
    struct pw_fvalue *o;
    struct str_sink *k = arg;
    while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
        vn--;
    if (vn > 1 && v[0] == '+') {
        v++;
        vn--;
    }
    uint64_t x = 0;
    if (vn == 0)
        return;
    for (uint32_t i = 0; i < vn; i++) {
        if (!isdigit((unsigned char)v[i]) || x > (UINT64_MAX - (uint64_t)(v[i] - '0')) / 10)
            return;
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    if (k->n < k->max) {
        o = &k->out[k->n];
        o->type = PW_FT_UINT64;
        o->v.u = x;
    }
    k->n++;
}

static int get_content_length(const struct pw_packet *pkt, const struct pw_layer *l,
                              struct pw_fvalue *out, int max)
{
    struct str_sink k = {out, max, 0};
    each_header(pkt, l, "content-length", len_value, &k, false);
    return k.n;
}

/* tshark takes the GENA methods (NOTIFY, SUBSCRIBE, UNSUBSCRIBE) for
 * notifications, not requests: their method, URI and version are shown
 * but not http.request */
static int get_request(const struct pw_packet *pkt, const struct pw_layer *l,
                       struct pw_fvalue *out, int max)
{
    const char *s;
    uint32_t n;
    bool cut;
    if (!start_line(pkt, l, HK_REQUEST, &s, &n, &cut))
        return 0;
    if (head_aborted(pkt, l))
        return 0;
    if ((n >= 7 && memcmp(s, "NOTIFY ", 7) == 0) || (n >= 10 && memcmp(s, "SUBSCRIBE ", 10) == 0) ||
        (n >= 12 && memcmp(s, "UNSUBSCRIBE ", 12) == 0))
        return 0;
    return pw_fv_u(out, max, PW_FT_BOOLEAN, 1);
}

static int get_response(const struct pw_packet *pkt, const struct pw_layer *l,
                        struct pw_fvalue *out, int max)
{
    const char *s;
    uint32_t n;
    bool cut;
    if (head_aborted(pkt, l))
        return 0;
    return start_line(pkt, l, HK_RESPONSE, &s, &n, &cut) ? pw_fv_u(out, max, PW_FT_BOOLEAN, 1) : 0;
}

/* A request line split as tshark splits it: the method up to the first
 * space, the URI up to the next (a second space in a row makes it empty),
 * the version all the rest ("" when there is no second space). In a line
 * the capture cut, a part that is empty or not reached is absent (NULL). */
struct req_line {
    const char *method, *uri, *version;
    uint32_t method_n, uri_n, version_n;
};

static bool request_line(const struct pw_packet *pkt, const struct pw_layer *l,
                         struct req_line *r)
{
    const char *s;
    uint32_t n;
    bool cut;
    if (!start_line(pkt, l, HK_REQUEST, &s, &n, &cut))
        return false;
    const char *sp = memchr(s, ' ', n);
    if (!sp)
        return false;
    r->method = s;
    r->method_n = (uint32_t)(sp - s);
    r->uri = sp + 1;
    uint32_t left = n - r->method_n - 1;
    const char *sp2 = memchr(r->uri, ' ', left);
    r->uri_n = sp2 ? (uint32_t)(sp2 - r->uri) : left;
    r->version = sp2 ? sp2 + 1 : r->uri + left;
    r->version_n = left - r->uri_n - (sp2 ? 1u : 0u);
    if (cut && (!sp2 || r->version_n == 0))
        r->version = NULL;
    if (cut && !sp2 && r->uri_n == 0)
        r->uri = NULL;
    return true;
}

static int get_method(const struct pw_packet *pkt, const struct pw_layer *l,
                      struct pw_fvalue *out, int max)
{
    struct req_line r;
    return request_line(pkt, l, &r) ? fv_str(out, max, 0, r.method, r.method_n) : 0;
}

static int get_uri(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    struct req_line r;
    return request_line(pkt, l, &r) && r.uri ? fv_str(out, max, 0, r.uri, r.uri_n) : 0;
}

static int get_req_version(const struct pw_packet *pkt, const struct pw_layer *l,
                           struct pw_fvalue *out, int max)
{
    struct req_line r;
    return request_line(pkt, l, &r) && r.version ? fv_str(out, max, 0, r.version, r.version_n)
                                                  : 0;
}

/* A status line as tshark reads it: the version up to the first space;
 * after any further spaces, a status code of three digits; the phrase
 * after the next space past the code's start, when not empty
 * ("HTTP/1.1 2000 OK" is 200 "OK"; "200\tOK" has no phrase). */
struct status_line {
    const char *version, *phrase;
    uint32_t version_n, phrase_n;
    int code; /* -1: none */
};

static bool status_line(const struct pw_packet *pkt, const struct pw_layer *l,
                        struct status_line *r)
{
    const char *s;
    uint32_t n;
    bool cut;
    if (!start_line(pkt, l, HK_RESPONSE, &s, &n, &cut))
        return false;
    const char *sp = memchr(s, ' ', n);
    r->version = s;
    r->version_n = sp ? (uint32_t)(sp - s) : n;
    r->code = -1;
    r->phrase = NULL;
    r->phrase_n = 0;
    if (!sp)
        return true;
    uint32_t o = r->version_n;
    while (o < n && s[o] == ' ')
        o++;
    if (n - o < 3 || !isdigit((unsigned char)s[o]) || !isdigit((unsigned char)s[o + 1]) ||
        !isdigit((unsigned char)s[o + 2]))
        return true;
    r->code = (s[o] - '0') * 100 + (s[o + 1] - '0') * 10 + (s[o + 2] - '0');
    const char *sp2 = memchr(s + o + 3, ' ', n - o - 3);
    if (sp2 && sp2 + 1 < s + n) {
        r->phrase = sp2 + 1;
        r->phrase_n = (uint32_t)(s + n - r->phrase);
    }
    return true;
}

static int get_code(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                    int max)
{
    struct status_line r;
    if (!status_line(pkt, l, &r) || r.code < 0)
        return 0;
    return pw_fv_u(out, max, PW_FT_UINT16, (uint64_t)r.code);
}

static int get_phrase(const struct pw_packet *pkt, const struct pw_layer *l,
                      struct pw_fvalue *out, int max)
{
    struct status_line r;
    if (!status_line(pkt, l, &r) || !r.phrase)
        return 0;
    return fv_str(out, max, 0, r.phrase, r.phrase_n);
}

static int get_resp_version(const struct pw_packet *pkt, const struct pw_layer *l,
                            struct pw_fvalue *out, int max)
{
    struct status_line r;
    if (!status_line(pkt, l, &r))
        return 0;
    return fv_str(out, max, 0, r.version, r.version_n);
}

/* http.request.full_uri: only with a Host line; the URI itself when it is
 * absolute (http:// or https://, any case) or the target of a CONNECT,
 * else "http://" + the last Host value, stripped of blanks on both sides,
 * + the URI (whatever it is: "*" gives "http://host*") */
static void last_value(void *arg, const char *v, uint32_t vn)
{
    struct req_line *h = arg; /* the host in method/method_n */
    h->method = v;
    h->method_n = vn;
}

/* appends m bytes at buf[k], cut to leave room for the NUL at the end */
static size_t put(char *buf, size_t n, size_t k, const char *src, size_t m)
{
    if (m > n - 1 - k)
        m = n - 1 - k;
    memcpy(buf + k, src, m);
    return k + m;
}

static size_t full_uri_text(const struct pw_packet *pkt, const struct pw_layer *l, int idx,
                            char *buf, size_t n)
{
    (void)idx;
    struct req_line r, host;
    if (!request_line(pkt, l, &r) || !r.uri || !each_header(pkt, l, "host", last_value, &host, true))
        return 0;
    const char *h = host.method;
    uint32_t hn = to_nul(h, host.method_n);
    r.uri_n = to_nul(r.uri, r.uri_n);
    while (hn && isspace((unsigned char)h[hn - 1]))
        hn--;
    bool as_is = (r.method_n == 7 && memcmp(r.method, "CONNECT", 7) == 0) ||
                 (r.uri_n >= 7 && strncasecmp(r.uri, "http://", 7) == 0) ||
                 (r.uri_n >= 8 && strncasecmp(r.uri, "https://", 8) == 0);
    size_t len = as_is ? r.uri_n : 7 + (size_t)hn + r.uri_n;
    if (!n)
        return len;
    size_t k = 0;
    if (!as_is) {
        k = put(buf, n, k, "http://", 7);
        k = put(buf, n, k, h, hn);
    }
    k = put(buf, n, k, r.uri, r.uri_n);
    buf[k] = '\0';
    return len;
}

static int get_full_uri(const struct pw_packet *pkt, const struct pw_layer *l,
                        struct pw_fvalue *out, int max)
{
    struct req_line r;
    if (!request_line(pkt, l, &r) || !r.uri || !each_header(pkt, l, "host", NULL, NULL, true) ||
        head_aborted(pkt, l))
        return 0;
    if (max >= 1)
        pw_fv_text(&out[0], full_uri_text(pkt, l, 0, NULL, 0));
    return 1;
}

/* SSDP (UPnP device architecture 1.1 section 1): HTTP messages in UDP
 * datagrams, which tshark's SSDP port hands to its HTTP dissector; the
 * layer keeps the head's lines for the http.* fields. */
int pw_dissect_ssdp(struct pw_dctx *d, struct pw_cur *c)
{
    const uint8_t *p = pw_cur_ptr(c);
    uint32_t avail = pw_cur_left(c);
    bool cut = pw_cur_rep_left(c) > avail;
    struct pw_layer *l = pw_app_whole(d, PW_P_SSDP, c);
    if (!l)
        return PW_DIS_OK;
    l->u.app.text_off = 0;
    l->u.app.text_len = 0;
    int k = http_start(p, avail);
    if (k > 0)
        keep_head(d->pkt, l, k == 2 ? HK_RESPONSE : HK_REQUEST, p, avail, cut);
    return PW_DIS_OK;
}

/* SSDP is HTTP over UDP: tshark shows the same fields in its messages */
#define HTTP_FIELDS(P)                                                                             \
    {"http.request", "Request", PW_FT_BOOLEAN, PW_BASE_NONE, P, get_request},                      \
    {"http.response", "Response", PW_FT_BOOLEAN, PW_BASE_NONE, P, get_response},                   \
    {"http.request.method", "Request Method", PW_FT_STRING, PW_BASE_NONE, P, get_method},          \
    {"http.request.uri", "Request URI", PW_FT_STRING, PW_BASE_NONE, P, get_uri},                   \
    {"http.request.version", "Request Version", PW_FT_STRING, PW_BASE_NONE, P,                     \
     get_req_version},                                                                             \
    {"http.request.full_uri", "Full request URI", PW_FT_STRING, PW_BASE_NONE, P,                   \
     get_full_uri, full_uri_text},                                                                 \
    {"http.response.version", "Response Version", PW_FT_STRING, PW_BASE_NONE, P,                   \
     get_resp_version},                                                                            \
    {"http.response.code", "Status Code", PW_FT_UINT16, PW_BASE_DEC, P, get_code},                 \
    {"http.response.phrase", "Response Phrase", PW_FT_STRING, PW_BASE_NONE, P,                     \
     get_phrase},                                                                                  \
    {"http.host", "Host", PW_FT_STRING, PW_BASE_NONE, P, get_host},                                \
    {"http.user_agent", "User-Agent", PW_FT_STRING, PW_BASE_NONE, P, get_user_agent},              \
    {"http.content_type", "Content-Type", PW_FT_STRING, PW_BASE_NONE, P,                           \
     get_content_type},                                                                            \
    {"http.content_length", "Content length", PW_FT_UINT64, PW_BASE_DEC, P,                        \
     get_content_length},                                                                          \
    {"http.server", "Server", PW_FT_STRING, PW_BASE_NONE, P, get_server}

const struct pw_field pw_fields_http[] = {
    HTTP_FIELDS(PW_P_HTTP),
    HTTP_FIELDS(PW_P_SSDP),
    PW_FIELDS_END,
};
