/* Capture sources: the generic wrappers and the libpcap backend. */
#include "capture/live.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pw_capsrc_new(struct pw_capsrc **out, const struct pw_capsrc_ops *ops,
                  const struct pw_capsrc_cfg *cfg, struct pw_error *err)
{
    *out = NULL;
    /* One allocation for the common part and the backend's private part,
     * with the private part aligned for any type. */
    size_t head =
        (sizeof(struct pw_capsrc) + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
    struct pw_capsrc *src = calloc(1, head + ops->priv_size);
    if (!src)
        return pw_error_set(err, PW_ERR_NOMEM, "out of memory");
    src->ops = ops;
    src->priv = ops->priv_size ? (char *)src + head : NULL;
    for (size_t i = 0; i < PW_MAX_TARGET_IFACES; i++)
        src->fds[i] = -1;
    int rc = ops->open(src, cfg, err);
    if (rc) {
        free(src);
        return rc;
    }
    *out = src;
    return 0;
}

int pw_capsrc_start(struct pw_capsrc *src, struct pw_error *err)
{
    if (src->started)
        return pw_error_set(err, PW_ERR_ARG, "capture already started");
    int rc = src->ops->start(src, err);
    if (rc == 0)
        src->started = true;
    return rc;
}

int pw_capsrc_read(struct pw_capsrc *src, int max, pw_capsrc_cb cb, void *user,
                   struct pw_error *err)
{
    if (!src->started || src->stopped)
        return 0;
    return src->ops->read(src, max, cb, user, err);
}

int pw_capsrc_stats(struct pw_capsrc *src, struct pw_capsrc_stats *st, struct pw_error *err)
{
    memset(st, 0, sizeof(*st));
    if (!src->started)
        return 0;
    return src->ops->stats(src, st, err);
}

void pw_capsrc_stop(struct pw_capsrc *src)
{
    if (src && src->started && !src->stopped) {
        src->ops->stop(src);
        src->stopped = true;
        for (size_t i = 0; i < PW_MAX_TARGET_IFACES; i++)
            src->fds[i] = -1;
        src->nfds = 0;
    }
}

void pw_capsrc_free(struct pw_capsrc *src)
{
    if (!src)
        return;
    pw_capsrc_stop(src);
    src->ops->close(src);
    free(src);
}

/* ---- libpcap backend ------------------------------------------------------ */

struct pcap_priv {
    pcap_t *h[PW_MAX_TARGET_IFACES];
    size_t n;
    char filter[PW_MAX_BPF_EXPR + 1];
    /* Statistics at stop time, so they survive closing the handles. */
    struct pw_capsrc_stats final;
    /* The packet callback, carried through pcap_dispatch's user pointer. */
    pw_capsrc_cb cb;
    void *user;
    int delivered;
    bool halt;
};

static void pcap_close_all(struct pcap_priv *pp)
{
    for (size_t i = 0; i < pp->n; i++) {
        if (pp->h[i])
            pcap_close(pp->h[i]);
        pp->h[i] = NULL;
    }
}

static int pcapsrc_open(struct pw_capsrc *src, const struct pw_capsrc_cfg *cfg,
                        struct pw_error *err)
{
    struct pcap_priv *pp = src->priv;
    char ebuf[PCAP_ERRBUF_SIZE];
    if (cfg->nifaces == 0 || cfg->nifaces > PW_MAX_TARGET_IFACES)
        return pw_error_set(err, PW_ERR_ARG, "between 1 and %u interfaces are needed",
                            PW_MAX_TARGET_IFACES);
    if (cfg->filter && strlen(cfg->filter) > PW_MAX_BPF_EXPR)
        return pw_error_set(err, PW_ERR_LIMIT, "filter expression too long");
    snprintf(pp->filter, sizeof(pp->filter), "%s", cfg->filter ? cfg->filter : "");
    src->snaplen = cfg->snaplen && cfg->snaplen < PW_MAX_SNAPLEN ? cfg->snaplen : PW_MAX_SNAPLEN;
    for (size_t i = 0; i < cfg->nifaces; i++) {
        ebuf[0] = '\0';
        pcap_t *h = pcap_create(cfg->ifaces[i], ebuf);
        if (!h) {
            pcap_close_all(pp);
            return pw_error_set(err, PW_ERR_IO, "%s: %s", cfg->ifaces[i], ebuf);
        }
        pp->h[pp->n++] = h;
        /* Not immediate mode: libpcap then uses TPACKET_V3, where the kernel
         * fills whole blocks and hands one over when it is full or the
         * timeout expires, which costs far fewer wakeups under load. */
        if (pcap_set_snaplen(h, (int)src->snaplen) || pcap_set_promisc(h, cfg->promisc ? 1 : 0) ||
            pcap_set_timeout(h, cfg->timeout_ms > 0 ? cfg->timeout_ms : 100) ||
            pcap_set_immediate_mode(h, 0) ||
            (cfg->buffer_size && pcap_set_buffer_size(h, (int)cfg->buffer_size))) {
            int rc = pw_error_set(err, PW_ERR_ARG, "%s: cannot configure: %s", cfg->ifaces[i],
                                  pcap_geterr(h));
            pcap_close_all(pp);
            return rc;
        }
    }
    return 0;
}

static int pcapsrc_start(struct pw_capsrc *src, struct pw_error *err)
{
    struct pcap_priv *pp = src->priv;
    int rc = 0;
    for (size_t i = 0; i < pp->n; i++) {
        pcap_t *h = pp->h[i];
        int a = pcap_activate(h);
        if (a < 0) {
            /* The messages libpcap gives for these are terse; say what it
             * means for the caller. */
            const char *what = a == PCAP_ERROR_NO_SUCH_DEVICE        ? "no such interface"
                               : a == PCAP_ERROR_PERM_DENIED         ? "permission denied"
                               : a == PCAP_ERROR_IFACE_NOT_UP        ? "interface is down"
                               : a == PCAP_ERROR_PROMISC_PERM_DENIED ? "promiscuous mode denied"
                                                                     : "cannot start capture";
            rc = pw_error_set(err, a == PCAP_ERROR_NO_SUCH_DEVICE ? PW_ERR_ARG : PW_ERR_IO,
                              "%s (%s)", what, pcap_geterr(h));
            goto fail;
        }
        int lt = pcap_datalink(h);
        if (i == 0) {
            src->linktype = lt;
        } else if (lt != src->linktype) {
            rc = pw_error_set(err, PW_ERR_ARG,
                              "interfaces have different link types (%s and %s); capture them "
                              "in separate sessions",
                              pcap_datalink_val_to_name(src->linktype),
                              pcap_datalink_val_to_name(lt));
            goto fail;
        }
        if (pp->filter[0]) {
            struct bpf_program prog;
            if (pcap_compile(h, &prog, pp->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
                rc = pw_error_set(err, PW_ERR_ARG, "filter: %s", pcap_geterr(h));
                goto fail;
            }
            int s = pcap_setfilter(h, &prog);
            pcap_freecode(&prog);
            if (s != 0) {
                rc = pw_error_set(err, PW_ERR_IO, "cannot install filter: %s", pcap_geterr(h));
                goto fail;
            }
        }
        char ebuf[PCAP_ERRBUF_SIZE];
        if (pcap_setnonblock(h, 1, ebuf) != 0) {
            rc = pw_error_set(err, PW_ERR_IO, "cannot make capture non-blocking: %s", ebuf);
            goto fail;
        }
        int fd = pcap_get_selectable_fd(h);
        if (fd < 0) {
            rc = pw_error_set(err, PW_ERR_UNSUPPORTED, "capture handle has no selectable fd");
            goto fail;
        }
        src->fds[i] = fd;
    }
    src->nfds = pp->n;
    return 0;
fail:
    pcap_close_all(pp);
    for (size_t i = 0; i < PW_MAX_TARGET_IFACES; i++)
        src->fds[i] = -1;
    return rc;
}

static void pcapsrc_handler(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct pcap_priv *pp = (struct pcap_priv *)user;
    if (pp->halt)
        return;
    struct pw_cappkt pkt = {
        .ts_ns = (int64_t)h->ts.tv_sec * 1000000000LL + (int64_t)h->ts.tv_usec * 1000LL,
        .caplen = h->caplen,
        .len = h->len,
        .data = bytes,
    };
    pp->delivered++;
    if (!pp->cb(pp->user, &pkt))
        pp->halt = true;
}

static int pcapsrc_read(struct pw_capsrc *src, int max, pw_capsrc_cb cb, void *user,
                        struct pw_error *err)
{
    struct pcap_priv *pp = src->priv;
    pp->cb = cb;
    pp->user = user;
    pp->delivered = 0;
    pp->halt = false;
    for (size_t i = 0; i < pp->n && !pp->halt; i++) {
        if (!pp->h[i])
            continue;
        int n = pcap_dispatch(pp->h[i], max, pcapsrc_handler, (u_char *)pp);
        if (n == PCAP_ERROR)
            return pw_error_set(err, PW_ERR_IO, "capture failed: %s", pcap_geterr(pp->h[i]));
    }
    return pp->delivered;
}

static int pcapsrc_stats(struct pw_capsrc *src, struct pw_capsrc_stats *st, struct pw_error *err)
{
    struct pcap_priv *pp = src->priv;
    if (src->stopped) {
        *st = pp->final;
        return 0;
    }
    for (size_t i = 0; i < pp->n; i++) {
        struct pcap_stat ps;
        if (!pp->h[i])
            continue;
        if (pcap_stats(pp->h[i], &ps) != 0)
            return pw_error_set(err, PW_ERR_IO, "cannot read statistics: %s",
                                pcap_geterr(pp->h[i]));
        st->received += ps.ps_recv;
        st->dropped += ps.ps_drop;
        st->if_dropped += ps.ps_ifdrop;
    }
    return 0;
}

static void pcapsrc_stop(struct pw_capsrc *src)
{
    struct pcap_priv *pp = src->priv;
    struct pw_error e;
    struct pw_capsrc_stats st = {0};
    if (pcapsrc_stats(src, &st, &e) == 0)
        pp->final = st;
    pcap_close_all(pp);
}

static void pcapsrc_close(struct pw_capsrc *src)
{
    pcap_close_all(src->priv);
}

const struct pw_capsrc_ops pw_capsrc_pcap_ops = {
    .name = "pcap",
    .priv_size = sizeof(struct pcap_priv),
    .open = pcapsrc_open,
    .start = pcapsrc_start,
    .read = pcapsrc_read,
    .stats = pcapsrc_stats,
    .stop = pcapsrc_stop,
    .close = pcapsrc_close,
};
