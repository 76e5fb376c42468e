/* Fields the flow stage provides, named and typed as tshark 4.0 names them
 * (`tshark -G fields`). They read what pw_flows_packet() stored in the packet,
 * so they exist only when the pass ran the flow stage. The tcp.analysis.*
 * values belong to the packet's analysed TCP header (pkt->tcp.layer); flags
 * that tshark raises as expert infos under the same name (a fast or spurious
 * retransmission is also a retransmission) match the same way. */
#include <string.h>

#include "flow/flows.h"

static int fv_u(struct pw_fvalue *out, int max, uint8_t type, uint64_t v)
{
    if (max >= 1) {
        out[0].type = type;
        out[0].v.u = v;
    }
    return 1;
}

static int fv_time(struct pw_fvalue *out, int max, struct pw_nstime t)
{
    if (max >= 1) {
        out[0].type = PW_FT_RELATIVE_TIME;
        out[0].v.i = pw_nstime_ns(t);
    }
    return 1;
}

static const struct pw_tcp_info *analysis(const struct pw_packet *pkt, const struct pw_layer *l)
{
    if (!pkt->flow_done || pkt->tcp.layer < 0 || &pkt->layer[pkt->tcp.layer] != l)
        return NULL;
    return &pkt->tcp;
}

static int get_tcp_stream(const struct pw_packet *pkt, const struct pw_layer *l,
                          struct pw_fvalue *out, int max)
{
    if (!pkt->flow_done || l->proto != PW_P_TCP || l->u.tcp.stream == PW_NO_STREAM)
        return 0;
    return fv_u(out, max, PW_FT_UINT32, l->u.tcp.stream);
}

static int get_udp_stream(const struct pw_packet *pkt, const struct pw_layer *l,
                          struct pw_fvalue *out, int max)
{
    if (!pkt->flow_done || l->proto != PW_P_UDP || l->u.udp.stream == PW_NO_STREAM)
        return 0;
    return fv_u(out, max, PW_FT_UINT32, l->u.udp.stream);
}

/* tcp.seq, tcp.ack, tcp.nxtseq: relative to the conversation's base
 * sequence numbers (tshark's default) when the segment was analysed, as on
 * the wire otherwise; the ACK number is relative only with the ACK flag;
 * tcp.nxtseq exists only for an analysed segment, and a SYN or FIN counts
 * one. */
static const struct pw_tcp_info *numbered(const struct pw_packet *pkt, const struct pw_layer *l)
{
    const struct pw_tcp_info *ti = analysis(pkt, l);
    return ti && l->u.tcp.stream != PW_NO_STREAM ? ti : NULL;
}

static int get_seq(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    const struct pw_tcp_info *ti = numbered(pkt, l);
    if (ti)
        return fv_u(out, max, PW_FT_UINT32, ti->rel_seq);
    /* A header quoted in an ICMPv4 error shows its sequence number as soon
     * as the 8 bytes RFC 792 promises are there, stream or not. */
    int i = (int)(l - pkt->layer);
    if (!pkt->flow_done || !(l->flags & PW_LF_QUOTED) || i < 2 ||
        pkt->layer[i - 1].proto != PW_P_IP || pkt->layer[i - 2].proto != PW_P_ICMP ||
        l->off > pkt->caplen || pkt->caplen - l->off < 8 || l->len < 8)
        return 0;
    return fv_u(out, max, PW_FT_UINT32, l->u.tcp.seq);
}

static int get_ack(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                   int max)
{
    const struct pw_tcp_info *ti = numbered(pkt, l);
    if (!ti)
        return 0;
    return fv_u(out, max, PW_FT_UINT32, ti->rel_ack);
}

static int get_nxtseq(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                      int max)
{
    const struct pw_tcp_info *ti = numbered(pkt, l);
    if (!ti || !ti->analysed)
        return 0;
    uint32_t n = ti->rel_seq + ti->seglen + ((l->u.tcp.flags & (PW_TCP_SYN | PW_TCP_FIN)) ? 1 : 0);
    return fv_u(out, max, PW_FT_UINT32, n);
}

/* tcp.analysis: the "SEQ/ACK analysis" subtree exists */
static int get_analysis(const struct pw_packet *pkt, const struct pw_layer *l,
                        struct pw_fvalue *out, int max)
{
    const struct pw_tcp_info *ti = analysis(pkt, l);
    if (!ti || !ti->has_ta)
        return 0;
    return fv_u(out, max, PW_FT_NONE, 0);
}

static int get_acks_frame(const struct pw_packet *pkt, const struct pw_layer *l,
                          struct pw_fvalue *out, int max)
{
    const struct pw_tcp_info *ti = analysis(pkt, l);
    if (!ti || !ti->acks_frame)
        return 0;
    return fv_u(out, max, PW_FT_FRAMENUM, ti->acks_frame);
}

/* tshark shows the RTT only when it is not zero */
static int get_ack_rtt(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                       int max)
{
    const struct pw_tcp_info *ti = analysis(pkt, l);
    if (!ti || !ti->acks_frame || (ti->ack_rtt.sec == 0 && ti->ack_rtt.nsec == 0))
        return 0;
    return fv_time(out, max, ti->ack_rtt);
}

/* tshark shows the iRTT inside the analysis subtree, so only on frames
 * that have one */
static int get_initial_rtt(const struct pw_packet *pkt, const struct pw_layer *l,
                           struct pw_fvalue *out, int max)
{
    const struct pw_tcp_info *ti = analysis(pkt, l);
    if (!ti || !ti->has_ta || !ti->has_irtt)
        return 0;
    return fv_time(out, max, ti->initial_rtt);
}

static int get_time_relative(const struct pw_packet *pkt, const struct pw_layer *l,
                             struct pw_fvalue *out, int max)
{
    const struct pw_tcp_info *ti = analysis(pkt, l);
    if (!ti || !ti->has_times)
        return 0;
    return fv_time(out, max, ti->time_relative);
}

static int get_time_delta(const struct pw_packet *pkt, const struct pw_layer *l,
                          struct pw_fvalue *out, int max)
{
    const struct pw_tcp_info *ti = analysis(pkt, l);
    if (!ti || !ti->has_times)
        return 0;
    return fv_time(out, max, ti->time_delta);
}

static int get_bytes_in_flight(const struct pw_packet *pkt, const struct pw_layer *l,
                               struct pw_fvalue *out, int max)
{
    const struct pw_tcp_info *ti = analysis(pkt, l);
    if (!ti || !ti->bytes_in_flight)
        return 0;
    return fv_u(out, max, PW_FT_UINT32, ti->bytes_in_flight);
}

static int get_push_bytes_sent(const struct pw_packet *pkt, const struct pw_layer *l,
                               struct pw_fvalue *out, int max)
{
    const struct pw_tcp_info *ti = analysis(pkt, l);
    if (!ti || !ti->bytes_in_flight)
        return 0; /* tshark prints it together with bytes in flight */
    return fv_u(out, max, PW_FT_UINT32, ti->push_bytes_sent);
}

static int get_dupack_num(const struct pw_packet *pkt, const struct pw_layer *l,
                          struct pw_fvalue *out, int max)
{
    const struct pw_tcp_info *ti = analysis(pkt, l);
    if (!ti || !ti->dupack_num)
        return 0;
    return fv_u(out, max, PW_FT_UINT32, ti->dupack_num);
}

static int get_dupack_frame(const struct pw_packet *pkt, const struct pw_layer *l,
                            struct pw_fvalue *out, int max)
{
    const struct pw_tcp_info *ti = analysis(pkt, l);
    if (!ti || !ti->dupack_num)
        return 0;
    return fv_u(out, max, PW_FT_FRAMENUM, ti->dupack_frame);
}

static int flag_field(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,
                      int max, uint32_t mask)
{
    const struct pw_tcp_info *ti = analysis(pkt, l);
    if (!ti || !(ti->aflags & mask))
        return 0;
    return fv_u(out, max, PW_FT_NONE, 0);
}

#define FLAG_GETTER(fn, mask)                                                                      \
    static int fn(const struct pw_packet *pkt, const struct pw_layer *l, struct pw_fvalue *out,    \
                  int max)                                                                         \
    {                                                                                              \
        return flag_field(pkt, l, out, max, (mask));                                               \
    }

FLAG_GETTER(get_flags, UINT32_MAX)
FLAG_GETTER(get_retransmission,
            PW_TA_RETRANSMISSION | PW_TA_FAST_RETRANSMISSION | PW_TA_SPURIOUS_RETRANSMISSION)
FLAG_GETTER(get_fast_retransmission, PW_TA_FAST_RETRANSMISSION)
FLAG_GETTER(get_spurious_retransmission, PW_TA_SPURIOUS_RETRANSMISSION)
FLAG_GETTER(get_out_of_order, PW_TA_OUT_OF_ORDER)
FLAG_GETTER(get_reused_ports, PW_TA_REUSED_PORTS)
FLAG_GETTER(get_lost_segment, PW_TA_LOST_PACKET)
FLAG_GETTER(get_ack_lost_segment, PW_TA_ACK_LOST_PACKET)
FLAG_GETTER(get_window_update, PW_TA_WINDOW_UPDATE)
FLAG_GETTER(get_window_full, PW_TA_WINDOW_FULL)
FLAG_GETTER(get_keep_alive, PW_TA_KEEP_ALIVE)
FLAG_GETTER(get_keep_alive_ack, PW_TA_KEEP_ALIVE_ACK)
/* tshark adds the duplicate-ACK item twice (under the analysis flags and
 * next to the duplicate number), so -T fields prints "1,1" */
static int get_duplicate_ack(const struct pw_packet *pkt, const struct pw_layer *l,
                             struct pw_fvalue *out, int max)
{
    if (!flag_field(pkt, l, out, max, PW_TA_DUPLICATE_ACK))
        return 0;
    if (max > 1)
        fv_u(out + 1, max - 1, PW_FT_NONE, 0);
    return 2;
}
FLAG_GETTER(get_zero_window, PW_TA_ZERO_WINDOW)
FLAG_GETTER(get_zero_window_probe, PW_TA_ZERO_WINDOW_PROBE)
FLAG_GETTER(get_zero_window_probe_ack, PW_TA_ZERO_WINDOW_PROBE_ACK)

/* tcp.window_size and tcp.window_size_scalefactor need the conversation
 * (the shift comes from the SYNs), so they are the flow stage's */
static int get_window_size(const struct pw_packet *pkt, const struct pw_layer *l,
                           struct pw_fvalue *out, int max)
{
    const struct pw_tcp_info *ti = analysis(pkt, l);
    return ti ? fv_u(out, max, PW_FT_UINT32, ti->calc_window) : 0;
}

static int get_window_scalefactor(const struct pw_packet *pkt, const struct pw_layer *l,
                                  struct pw_fvalue *out, int max)
{
    const struct pw_tcp_info *ti = analysis(pkt, l);
    if (!ti || !ti->has_scalefactor)
        return 0;
    if (max >= 1) {
        out[0].type = PW_FT_INT32;
        out[0].v.i = ti->win_scalefactor;
    }
    return 1;
}

#define TA(abbrev, name, type, base, fn)                                                           \
    {                                                                                              \
        abbrev, name, type, base, PW_P_TCP, fn                                                     \
    }

const struct pw_field pw_fields_flow[] = {
    TA("tcp.stream", "Stream index", PW_FT_UINT32, PW_BASE_DEC, get_tcp_stream),
    TA("tcp.seq", "Sequence Number", PW_FT_UINT32, PW_BASE_DEC, get_seq),
    TA("tcp.ack", "Acknowledgment Number", PW_FT_UINT32, PW_BASE_DEC, get_ack),
    TA("tcp.nxtseq", "Next Sequence Number", PW_FT_UINT32, PW_BASE_DEC, get_nxtseq),
    TA("tcp.window_size", "Calculated window size", PW_FT_UINT32, PW_BASE_DEC, get_window_size),
    TA("tcp.window_size_scalefactor", "Window size scaling factor", PW_FT_INT32, PW_BASE_DEC,
       get_window_scalefactor),
    TA("tcp.analysis", "SEQ/ACK analysis", PW_FT_NONE, PW_BASE_NONE, get_analysis),
    TA("tcp.analysis.acks_frame", "This is an ACK to the segment in frame", PW_FT_FRAMENUM,
       PW_BASE_NONE, get_acks_frame),
    TA("tcp.analysis.ack_rtt", "The RTT to ACK the segment was", PW_FT_RELATIVE_TIME, PW_BASE_NONE,
       get_ack_rtt),
    TA("tcp.analysis.initial_rtt", "iRTT", PW_FT_RELATIVE_TIME, PW_BASE_NONE, get_initial_rtt),
    TA("tcp.analysis.bytes_in_flight", "Bytes in flight", PW_FT_UINT32, PW_BASE_DEC,
       get_bytes_in_flight),
    TA("tcp.analysis.push_bytes_sent", "Bytes sent since last PSH flag", PW_FT_UINT32, PW_BASE_DEC,
       get_push_bytes_sent),
    TA("tcp.analysis.flags", "TCP Analysis Flags", PW_FT_NONE, PW_BASE_NONE, get_flags),
    TA("tcp.analysis.duplicate_ack", "Duplicate ACK", PW_FT_NONE, PW_BASE_NONE, get_duplicate_ack),
    TA("tcp.analysis.duplicate_ack_num", "Duplicate ACK #", PW_FT_UINT32, PW_BASE_DEC,
       get_dupack_num),
    TA("tcp.analysis.duplicate_ack_frame", "Duplicate to the ACK in frame", PW_FT_FRAMENUM,
       PW_BASE_NONE, get_dupack_frame),
    TA("tcp.analysis.retransmission", "This frame is a (suspected) retransmission", PW_FT_NONE,
       PW_BASE_NONE, get_retransmission),
    TA("tcp.analysis.fast_retransmission", "This frame is a (suspected) fast retransmission",
       PW_FT_NONE, PW_BASE_NONE, get_fast_retransmission),
    TA("tcp.analysis.spurious_retransmission",
       "This frame is a (suspected) spurious retransmission", PW_FT_NONE, PW_BASE_NONE,
       get_spurious_retransmission),
    TA("tcp.analysis.out_of_order", "This frame is a (suspected) out-of-order segment", PW_FT_NONE,
       PW_BASE_NONE, get_out_of_order),
    TA("tcp.analysis.reused_ports",
       "A new tcp session is started with the same ports as an earlier session in this trace",
       PW_FT_NONE, PW_BASE_NONE, get_reused_ports),
    TA("tcp.analysis.lost_segment", "Previous segment(s) not captured (common at capture start)",
       PW_FT_NONE, PW_BASE_NONE, get_lost_segment),
    TA("tcp.analysis.ack_lost_segment",
       "ACKed segment that wasn't captured (common at capture start)", PW_FT_NONE, PW_BASE_NONE,
       get_ack_lost_segment),
    TA("tcp.analysis.window_update", "TCP window update", PW_FT_NONE, PW_BASE_NONE,
       get_window_update),
    TA("tcp.analysis.window_full", "TCP window specified by the receiver is now completely full",
       PW_FT_NONE, PW_BASE_NONE, get_window_full),
    TA("tcp.analysis.keep_alive", "TCP keep-alive segment", PW_FT_NONE, PW_BASE_NONE,
       get_keep_alive),
    TA("tcp.analysis.keep_alive_ack", "ACK to a TCP keep-alive segment", PW_FT_NONE, PW_BASE_NONE,
       get_keep_alive_ack),
    TA("tcp.analysis.zero_window", "TCP Zero Window segment", PW_FT_NONE, PW_BASE_NONE,
       get_zero_window),
    TA("tcp.analysis.zero_window_probe", "TCP Zero Window Probe", PW_FT_NONE, PW_BASE_NONE,
       get_zero_window_probe),
    TA("tcp.analysis.zero_window_probe_ack", "ACK to a TCP Zero Window Probe", PW_FT_NONE,
       PW_BASE_NONE, get_zero_window_probe_ack),
    TA("tcp.time_relative", "Time since first frame in this TCP stream", PW_FT_RELATIVE_TIME,
       PW_BASE_NONE, get_time_relative),
    TA("tcp.time_delta", "Time since previous frame in this TCP stream", PW_FT_RELATIVE_TIME,
       PW_BASE_NONE, get_time_delta),
    {"udp.stream", "Stream index", PW_FT_UINT32, PW_BASE_DEC, PW_P_UDP, get_udp_stream},
    {NULL, NULL, 0, 0, 0, NULL},
};
