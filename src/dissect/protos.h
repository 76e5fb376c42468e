/* Entry points and field tables of every dissector, for registry.c. */
#ifndef PW_DISSECT_PROTOS_H
#define PW_DISSECT_PROTOS_H

#include "dissect/dissect.h"

#define PW_DECLARE_DISSECTOR(name) int pw_dissect_##name(struct pw_dctx *d, struct pw_cur *c)
#define PW_DECLARE_FIELDS(name) extern const struct pw_field pw_fields_##name[]

PW_DECLARE_DISSECTOR(eth);
PW_DECLARE_DISSECTOR(llc);
PW_DECLARE_DISSECTOR(vlan);
PW_DECLARE_DISSECTOR(sll);
PW_DECLARE_DISSECTOR(sll2);
PW_DECLARE_DISSECTOR(null);
PW_DECLARE_DISSECTOR(raw);
PW_DECLARE_DISSECTOR(ppp);
PW_DECLARE_DISSECTOR(pppoes);
PW_DECLARE_DISSECTOR(arp);
PW_DECLARE_DISSECTOR(ipv4);
PW_DECLARE_DISSECTOR(ipv6);
PW_DECLARE_DISSECTOR(icmp);
PW_DECLARE_DISSECTOR(icmpv6);
PW_DECLARE_DISSECTOR(tcp);
PW_DECLARE_DISSECTOR(udp);
PW_DECLARE_DISSECTOR(gre);
PW_DECLARE_DISSECTOR(vxlan);

PW_DECLARE_FIELDS(eth);
PW_DECLARE_FIELDS(vlan);
PW_DECLARE_FIELDS(arp);
PW_DECLARE_FIELDS(ip);
PW_DECLARE_FIELDS(ipv6);
PW_DECLARE_FIELDS(icmp);
PW_DECLARE_FIELDS(icmpv6);
PW_DECLARE_FIELDS(tcp);
PW_DECLARE_FIELDS(udp);

#endif
