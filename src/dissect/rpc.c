/* ONC RPC (RFC 5531 section 9) and the portmapper (RFC 1833 section 3) on
 * port 111:
 *
 *   message: xid(4) msg_type(4: 0 call, 1 reply) ...
 *   call:    rpcvers(4) = 2, prog(4), vers(4), proc(4), cred, verf, args
 *   over TCP each message is preceded by a record mark (RFC 5531 section
 *   11): last-fragment bit, 31-bit fragment length.
 *
 * On port 111 the program is the portmapper (100000): a call to it, or a
 * reply, shows `portmap` after `rpc`. A record mark whose length makes no
 * sense (or bytes that are not a message) is one `rpc` continuation item. */
#include "dissect/app.h"
#include "dissect/appsimple.h"

#define RPC_PROG_PORTMAP 100000u
#define RPC_MAX_FRAGMENT (1u << 24)

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* The message in c (without record mark): `rpc`, then `portmap` when it is
 * a portmapper call or a reply. */
static void rpc_message(struct pw_dctx *d, struct pw_cur *c)
{
    uint32_t avail = pw_cur_left(c);
    const uint8_t *p = pw_cur_ptr(c);
    pw_app_whole(d, PW_P_RPC, c);
    if (avail < 8)
        return;
    uint32_t mtype = be32(p + 4);
    bool portmap = false;
    if (mtype == 0 && avail >= 16)
        portmap = be32(p + 8) == 2 && be32(p + 12) == RPC_PROG_PORTMAP;
    else if (mtype == 1)
        portmap = true;
    if (portmap) {
        struct pw_cur e = pw_cur_make(p, 0, 0);
        e.off = c->off;
        pw_push_layer(d, PW_P_PORTMAP, &e);
    }
}

int pw_dissect_rpc(struct pw_dctx *d, struct pw_cur *c)
{
    rpc_message(d, c);
    return PW_DIS_OK;
}

static int64_t rpc_tcp_len(const uint8_t *p, uint32_t avail, uint32_t left,
                           const struct pw_app_pstate *st)
{
    (void)st;
    (void)left;
    if (avail < 4)
        return PW_PDU_MORE;
    uint32_t len = be32(p) & 0x7fffffffu;
    if (len < 8 || len > RPC_MAX_FRAGMENT)
        return PW_PDU_REST;
    return 4 + (int64_t)len;
}

static void rpc_tcp_pdu(struct pw_dctx *d, struct pw_cur *c, struct pw_app_pstate *st)
{
    (void)st;
    uint32_t len = pw_cur_has(c, 4) ? be32(pw_cur_ptr(c)) & 0x7fffffffu : 0;
    if (len < 8 || len > RPC_MAX_FRAGMENT) {
        pw_app_whole(d, PW_P_RPC, c); /* continuation data */
        return;
    }
    pw_cur_skip(c, 4);
    struct pw_cur m = pw_cur_rest(c);
    rpc_message(d, &m);
}

const struct pw_tcp_proto pw_tcp_rpc = {PW_P_RPC, false, 0, rpc_tcp_len, rpc_tcp_pdu};

/* "Remote Procedure Call, Type:Call XID:0x002087dc", read from the message
 * (not available for a message reassembled from several segments) */
size_t pw_label_rpc(const struct pw_packet *pkt, const struct pw_layer *l, char *buf, size_t n)
{
    if ((l->flags & PW_LF_REASSEMBLED) || l->off > pkt->caplen || pkt->caplen - l->off < 8 ||
        l->len < 8)
        return 0;
    const uint8_t *p = pkt->data + l->off;
    uint32_t mtype = be32(p + 4);
    if (mtype > 1)
        return 0;
    return pw_label_add(buf, n, 0, "Remote Procedure Call, Type:%s XID:0x%08x",
                        mtype == 0 ? "Call" : "Reply", be32(p));
}

/* the XDR opaque_auth at p + *at (flavor, length, body padded to 4) */
static bool skip_auth(const uint8_t *p, uint32_t n, uint32_t *at)
{
    if (n < 8 || *at > n - 8)
        return false;
    uint32_t len = be32(p + *at + 4);
    if (len > 400)
        return false;
    *at += 8 + ((len + 3u) & ~3u);
    return *at <= n;
}

/* "Portmap GETPORT Call NFS(100003) Version:3 TCP": a version 2 GETPORT
 * call, read from the RPC message before the portmap layer (not for a
 * message reassembled from several segments). Replies (their procedure is
 * the call's, which this stage does not match), other procedures and
 * versions, and programs whose name here is not known keep the
 * abbreviation. */
size_t pw_label_portmap(const struct pw_packet *pkt, const struct pw_layer *l, char *buf,
                        size_t n)
{
    static const struct {
        uint32_t prog;
        const char *name;
    } progs[] = {{100003, "NFS"}, {100005, "MOUNT"}, {100232, "SADMIND"}};
    if (l == pkt->layer || l[-1].proto != PW_P_RPC)
        return 0;
    const struct pw_layer *r = l - 1;
    if ((r->flags & PW_LF_REASSEMBLED) || r->off > pkt->caplen)
        return 0;
    const uint8_t *p = pkt->data + r->off;
    uint32_t cap = pkt->caplen - r->off, m = cap < r->len ? cap : r->len;
    if (m < 24 || be32(p + 4) != 0 || be32(p + 16) != 2 || be32(p + 20) != 3)
        return 0;
    uint32_t at = 24;
    if (!skip_auth(p, m, &at) || !skip_auth(p, m, &at) || m - at < 12)
        return 0;
    uint32_t prog = be32(p + at), vers = be32(p + at + 4), prot = be32(p + at + 8);
    const char *name = NULL;
    for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
        if (progs[i].prog == prog)
            name = progs[i].name;
    if (!name || (prot != 6 && prot != 17))
        return 0;
    return pw_label_add(buf, n, 0, "Portmap GETPORT Call %s(%u) Version:%u %s", name, prog, vers,
                        prot == 6 ? "TCP" : "UDP");
}
