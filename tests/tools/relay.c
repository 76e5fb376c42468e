/* relay: a two-port Ethernet relay that holds every frame for a fixed time,
 * for tests/e2e/rtt.sh on kernels built without netem. It reads frames
 * from two interfaces with AF_PACKET raw sockets (promiscuous, so it sees
 * frames for the far side's MAC), keeps each one DELAY microseconds in a
 * first-in first-out queue per direction, and sends it out of the other
 * interface: two veth pairs joined through it behave like one link with
 * DELAY each way (a round trip of 2 * DELAY).
 *
 * Frames that a local stack handed to a veth with checksum offload carry
 * only a partial TCP/UDP checksum; a raw socket sees them that way, and the
 * receiving stack would drop them once relayed. So the relay recomputes the
 * IPv4 header checksum and the TCP/UDP checksum (IPv4 and IPv6) of every
 * frame it forwards.
 *
 * It exits by itself after SECONDS, or on SIGINT/SIGTERM, and prints what it
 * did on standard error. Queues are bounded (frames beyond them are dropped
 * and counted), and so is the frame size (larger frames, e.g. unsegmented
 * GSO packets, are dropped and counted).
 *
 * With -r it asks for real-time scheduling (SCHED_FIFO), so that on a busy
 * machine frames leave when they are due rather than when the scheduler
 * next gets round to the relay; it only ever sleeps in ppoll() between
 * frames, so it cannot hog a CPU. Without the privilege it runs as usual.
 *
 *   relay -a IFACE -b IFACE -d DELAY_US -t SECONDS [-r] */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FRAME 2048
#define QLEN 1024

struct qent {
    uint64_t due_ns;
    uint32_t len;
    uint8_t data[MAX_FRAME];
};

struct queue {
    struct qent *e;
    uint32_t head, n;
};

struct port {
    int fd;
    const char *name;
    uint64_t in, out, dropped_full, dropped_big, send_err;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int open_port(struct port *p, const char *name)
{
    p->name = name;
    p->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
    if (p->fd < 0) {
        perror("relay: socket");
        return -1;
    }
    unsigned idx = if_nametoindex(name);
    if (!idx) {
        fprintf(stderr, "relay: no interface %s\n", name);
        return -1;
    }
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = (int)idx;
    if (bind(p->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
        perror("relay: bind");
        return -1;
    }
    struct packet_mreq mr;
    memset(&mr, 0, sizeof(mr));
    mr.mr_ifindex = (int)idx;
    mr.mr_type = PACKET_MR_PROMISC;
    if (setsockopt(p->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0) {
        perror("relay: promiscuous mode");
        return -1;
    }
    return 0;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)(p[n - 1] << 8);
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* Recomputes the checksums a sending stack may have left to the NIC. */
static void fix_checksums(uint8_t *f, uint32_t len)
{
    if (len < 14)
        return;
    uint16_t et = (uint16_t)(f[12] << 8 | f[13]);
    uint8_t *ip = f + 14;
    uint32_t iplen = len - 14;
    uint8_t proto;
    uint8_t *l4;
    uint32_t l4len, s;
    if (et == 0x0800) {
        if (iplen < 20)
            return;
        uint32_t hl = (ip[0] & 0x0f) * 4u, tot = (uint32_t)(ip[2] << 8 | ip[3]);
        if (hl < 20 || tot < hl || tot > iplen)
            return;
        ip[10] = ip[11] = 0;
        uint16_t c = fold(sum16(ip, hl, 0));
        ip[10] = (uint8_t)(c >> 8);
        ip[11] = (uint8_t)c;
        if ((ip[6] & 0x3f) || ip[7]) /* a fragment */
            return;
        proto = ip[9];
        l4 = ip + hl;
        l4len = tot - hl;
        s = sum16(ip + 12, 8, 0) + proto + l4len;
    } else if (et == 0x86dd) {
        if (iplen < 40)
            return;
        l4len = (uint32_t)(ip[4] << 8 | ip[5]);
        proto = ip[6];
        if (l4len > iplen - 40)
            return;
        l4 = ip + 40;
        s = sum16(ip + 8, 32, 0) + proto + l4len;
    } else {
        return;
    }
    int at = proto == 6 ? 16 : proto == 17 ? 6 : -1;
    if (at < 0 || l4len < (uint32_t)at + 2)
        return;
    l4[at] = l4[at + 1] = 0;
    uint16_t c = fold(sum16(l4, l4len, s));
    if (proto == 17 && c == 0)
        c = 0xffff;
    l4[at] = (uint8_t)(c >> 8);
    l4[at + 1] = (uint8_t)c;
}

/* Reads what `from` has and queues it for the other port. */
static void take(struct port *from, struct queue *q, uint64_t delay_ns)
{
    for (;;) {
        uint8_t buf[MAX_FRAME];
        struct sockaddr_ll sll;
        socklen_t sl = sizeof(sll);
        ssize_t n = recvfrom(from->fd, buf, sizeof(buf), MSG_TRUNC, (struct sockaddr *)&sll, &sl);
        if (n < 0)
            return; /* EAGAIN: drained */
        if (sll.sll_pkttype == PACKET_OUTGOING)
            continue; /* our own sends */
        from->in++;
        if (n > MAX_FRAME) {
            from->dropped_big++;
            continue;
        }
        if (q->n == QLEN) {
            from->dropped_full++;
            continue;
        }
        struct qent *e = &q->e[(q->head + q->n) % QLEN];
        q->n++;
        e->due_ns = now_ns() + delay_ns;
        e->len = (uint32_t)n;
        memcpy(e->data, buf, (size_t)n);
        fix_checksums(e->data, e->len);
    }
}

/* Sends every queued frame that is due; returns the time of the next one
 * (UINT64_MAX when the queue is empty). */
static uint64_t release(struct queue *q, struct port *to, uint64_t now)
{
    while (q->n) {
        struct qent *e = &q->e[q->head];
        if (e->due_ns > now)
            return e->due_ns;
        if (send(to->fd, e->data, e->len, 0) < 0)
            to->send_err++;
        else
            to->out++;
        q->head = (q->head + 1) % QLEN;
        q->n--;
    }
    return UINT64_MAX;
}

int main(int argc, char **argv)
{
    const char *ia = NULL, *ib = NULL;
    long delay_us = -1, secs = -1;
    int c, rt = 0;
    while ((c = getopt(argc, argv, "a:b:d:t:r")) != -1) {
        switch (c) {
        case 'r': rt = 1; break;
        case 'a': ia = optarg; break;
        case 'b': ib = optarg; break;
        case 'd': delay_us = strtol(optarg, NULL, 10); break;
        case 't': secs = strtol(optarg, NULL, 10); break;
        default: goto usage;
        }
    }
    if (!ia || !ib || delay_us < 0 || delay_us > 10000000 || secs <= 0 || secs > 3600)
        goto usage;
    struct port pa = {0}, pb = {0};
    if (open_port(&pa, ia) < 0 || open_port(&pb, ib) < 0)
        return 1;
    struct queue qab = {calloc(QLEN, sizeof(struct qent)), 0, 0};
    struct queue qba = {calloc(QLEN, sizeof(struct qent)), 0, 0};
    if (!qab.e || !qba.e) {
        fprintf(stderr, "relay: out of memory\n");
        return 1;
    }
    if (rt) {
        struct sched_param sp = {.sched_priority = 10};
        if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
            fprintf(stderr, "relay: no real-time scheduling (%s), going on\n", strerror(errno));
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    uint64_t delay = (uint64_t)delay_us * 1000u;
    uint64_t end = now_ns() + (uint64_t)secs * 1000000000u;
    while (!stop) {
        uint64_t now = now_ns();
        if (now >= end)
            break;
        uint64_t n1 = release(&qab, &pb, now), n2 = release(&qba, &pa, now);
        uint64_t next = n1 < n2 ? n1 : n2;
        if (next > end)
            next = end;
        uint64_t wait = next > now ? next - now : 0;
        struct timespec ts = {(time_t)(wait / 1000000000u), (long)(wait % 1000000000u)};
        struct pollfd fds[2] = {{pa.fd, POLLIN, 0}, {pb.fd, POLLIN, 0}};
        int r = ppoll(fds, 2, &ts, NULL);
        if (r < 0 && errno != EINTR)
            break;
        if (r > 0) {
            if (fds[0].revents & POLLIN)
                take(&pa, &qab, delay);
            if (fds[1].revents & POLLIN)
                take(&pb, &qba, delay);
        }
    }
    fprintf(stderr,
            "relay: %s->%s %llu frames (%llu sent, %llu dropped queue full, %llu too big); "
            "%s->%s %llu frames (%llu sent, %llu dropped, %llu too big)\n",
            pa.name, pb.name, (unsigned long long)pa.in, (unsigned long long)pb.out,
            (unsigned long long)pa.dropped_full, (unsigned long long)pa.dropped_big, pb.name,
            pa.name, (unsigned long long)pb.in, (unsigned long long)pa.out,
            (unsigned long long)pb.dropped_full, (unsigned long long)pb.dropped_big);
    free(qab.e);
    free(qba.e);
    close(pa.fd);
    close(pb.fd);
    return 0;
usage:
    fprintf(stderr, "usage: relay -a IFACE -b IFACE -d DELAY_US -t SECONDS [-r]\n");
    return 2;
}
