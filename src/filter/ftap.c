/* Filter taps and the stage needs of fields (see ftap.h). */
#include "filter/ftap.h"

#include <string.h>

#include "dissect/protos.h"

void pw_filter_tap_packet(void *arg, const struct pw_record *rec, const struct pw_packet *pkt)
{
    struct pw_filter_tap *ft = arg;
    if (ft->f && (!pkt || !pw_filter_match(ft->f, pkt)))
        return;
    ft->matched++;
    for (unsigned i = 0; i < ft->ninner; i++)
        ft->inner[i].packet(ft->inner[i].arg, rec, pkt);
}

/* Protocols that phase-one dissection (registry bindings) produces in full:
 * link, network and transport layers and the tunnels between them. */
static bool phase_one_proto(unsigned p)
{
    switch (p) {
    case PW_P_FRAME:
    case PW_P_ETH:
    case PW_P_LLC:
    case PW_P_VLAN:
    case PW_P_IEEE8021AD:
    case PW_P_SLL:
    case PW_P_SLL2:
    case PW_P_NULL_LOOP:
    case PW_P_RAW:
    case PW_P_PPP:
    case PW_P_PPPOES:
    case PW_P_LOOP:
    case PW_P_ARP:
    case PW_P_IP:
    case PW_P_IPV6:
    case PW_P_ICMP:
    case PW_P_ICMPV6:
    case PW_P_IPV6_HOPOPTS:
    case PW_P_IPV6_ROUTING:
    case PW_P_IPV6_FRAGHDR:
    case PW_P_IPV6_DSTOPTS:
    case PW_P_AH:
    case PW_P_TCP:
    case PW_P_UDP:
    case PW_P_GRE:
    case PW_P_VXLAN: return true;
    default: return false;
    }
}

/* Is f one of the entries of a NULL-terminated field table? */
static bool in_table(const struct pw_field *f, const struct pw_field *tab)
{
    for (const struct pw_field *t = tab; t->abbrev; t++)
        if (t == f)
            return true;
    return false;
}

bool pw_field_needs_flows(const char *abbrev)
{
    const struct pw_field *f = pw_field_by_name(abbrev);
    if (!f) /* a protocol */
        return pw_field_needs_app(abbrev);
    if (f->proto == PW_P_TCP)
        return !in_table(f, pw_fields_tcp);
    if (f->proto == PW_P_UDP)
        return !in_table(f, pw_fields_udp);
    return pw_field_needs_app(abbrev);
}

bool pw_field_needs_app(const char *abbrev)
{
    if (!strcmp(abbrev, "frame.protocols") || !strncmp(abbrev, "data", 4) ||
        !strncmp(abbrev, "_ws.", 4))
        return true;
    const struct pw_field *f = pw_field_by_name(abbrev);
    unsigned p = f ? f->proto : pw_proto_by_abbrev(abbrev);
    return p == PW_P_NONE || !phase_one_proto(p);
}

struct needs {
    bool (*pred)(const char *);
    bool any;
};

static void check_one(void *arg, const char *abbrev)
{
    struct needs *n = arg;
    n->any |= n->pred(abbrev);
}

bool pw_filter_needs_flows(const struct pw_filter *f)
{
    struct needs n = {pw_field_needs_flows, false};
    pw_filter_foreach_field(f, check_one, &n);
    return n.any;
}

bool pw_filter_needs_app(const struct pw_filter *f)
{
    struct needs n = {pw_field_needs_app, false};
    pw_filter_foreach_field(f, check_one, &n);
    return n.any;
}
