/* Entry points and field tables of every dissector, for registry.c. */
#ifndef PW_DISSECT_PROTOS_H
#define PW_DISSECT_PROTOS_H

#include "dissect/dissect.h"

#define PW_DECLARE_DISSECTOR(name) int pw_dissect_##name(struct pw_dctx *d, struct pw_cur *c)
#define PW_DECLARE_FIELDS(name) extern const struct pw_field pw_fields_##name[]
#define PW_DECLARE_LABEL(name)                                                                     \
    size_t pw_label_##name(const struct pw_packet *pkt, const struct pw_layer *l, char *buf,       \
                           size_t n)

/* Tree item labels (pw_label_fn), each in its protocol's file; frame.c has
 * `frame`, dissect.c the `_ws.*` pseudo layers. */
PW_DECLARE_LABEL(frame);
PW_DECLARE_LABEL(ws);
PW_DECLARE_LABEL(eth);
PW_DECLARE_LABEL(ip);
PW_DECLARE_LABEL(ipv6);
PW_DECLARE_LABEL(tcp);
PW_DECLARE_LABEL(udp);
PW_DECLARE_LABEL(vlan);
PW_DECLARE_LABEL(ieee8021ad);
PW_DECLARE_LABEL(sll);
PW_DECLARE_LABEL(arp);
PW_DECLARE_LABEL(dns);
PW_DECLARE_LABEL(mpls);
PW_DECLARE_LABEL(ntp);
PW_DECLARE_LABEL(dhcp);
PW_DECLARE_LABEL(stp);
PW_DECLARE_LABEL(geneve);
PW_DECLARE_LABEL(erspan);
PW_DECLARE_LABEL(sctp);
PW_DECLARE_LABEL(gre);
PW_DECLARE_LABEL(radiotap);
PW_DECLARE_LABEL(wlan);
PW_DECLARE_LABEL(media);
PW_DECLARE_LABEL(ieee8021ah);
PW_DECLARE_LABEL(pbb_itag);
PW_DECLARE_LABEL(portmap);
PW_DECLARE_LABEL(ppi);
PW_DECLARE_LABEL(fddi);
PW_DECLARE_LABEL(ayiya);
PW_DECLARE_LABEL(cfp);
PW_DECLARE_LABEL(ipv6_routing);
PW_DECLARE_LABEL(sip);
PW_DECLARE_LABEL(stun);
PW_DECLARE_LABEL(rpc);
PW_DECLARE_LABEL(tpkt);
PW_DECLARE_LABEL(syslog);

PW_DECLARE_DISSECTOR(eth);
PW_DECLARE_DISSECTOR(llc);
PW_DECLARE_DISSECTOR(vlan);
PW_DECLARE_DISSECTOR(ieee8021ad);
PW_DECLARE_DISSECTOR(sll);
PW_DECLARE_DISSECTOR(sll2);
PW_DECLARE_DISSECTOR(null);
PW_DECLARE_DISSECTOR(raw);
PW_DECLARE_DISSECTOR(ppp);
PW_DECLARE_DISSECTOR(pppoes);
PW_DECLARE_DISSECTOR(arp);
PW_DECLARE_DISSECTOR(ipv4);
PW_DECLARE_DISSECTOR(ipv6);
PW_DECLARE_DISSECTOR(ipv6_hopopts);
PW_DECLARE_DISSECTOR(ipv6_routing);
PW_DECLARE_DISSECTOR(ipv6_fraghdr);
PW_DECLARE_DISSECTOR(ipv6_dstopts);
PW_DECLARE_DISSECTOR(ah);
PW_DECLARE_DISSECTOR(loop);
PW_DECLARE_DISSECTOR(icmp);
PW_DECLARE_DISSECTOR(icmpv6);
PW_DECLARE_DISSECTOR(tcp);
PW_DECLARE_DISSECTOR(udp);
PW_DECLARE_DISSECTOR(gre);
PW_DECLARE_DISSECTOR(vxlan);

/* tunnels and encapsulations */
PW_DECLARE_DISSECTOR(mpls);
PW_DECLARE_DISSECTOR(pbb);
PW_DECLARE_DISSECTOR(geneve);
PW_DECLARE_DISSECTOR(ayiya);
PW_DECLARE_DISSECTOR(gtp);
PW_DECLARE_DISSECTOR(vxlan_gpe);
PW_DECLARE_DISSECTOR(nsh);
PW_DECLARE_DISSECTOR(erspan);
PW_DECLARE_DISSECTOR(cmd);
PW_DECLARE_DISSECTOR(vntag);
PW_DECLARE_DISSECTOR(cfp);
PW_DECLARE_DISSECTOR(sctp);
PW_DECLARE_DISSECTOR(esp);
PW_DECLARE_DISSECTOR(vrrp);
PW_DECLARE_DISSECTOR(bofl);
PW_DECLARE_FIELDS(mpls);
PW_DECLARE_FIELDS(pbb);
PW_DECLARE_FIELDS(geneve);
PW_DECLARE_FIELDS(ayiya);
PW_DECLARE_FIELDS(gtp);
PW_DECLARE_FIELDS(nsh);
PW_DECLARE_FIELDS(erspan);
PW_DECLARE_FIELDS(cmd);
PW_DECLARE_FIELDS(vntag);
PW_DECLARE_FIELDS(cfp);
PW_DECLARE_FIELDS(sctp);

/* Hands c to the protocol a VXLAN-GPE / NSH next-protocol code names
 * (nsh.c). */
void pw_nsh_next(struct pw_dctx *d, unsigned code, struct pw_cur *c);

PW_DECLARE_FIELDS(frame); /* frame.c: frame.* (no dissector) */
PW_DECLARE_FIELDS(data);  /* frame.c: data.data, data.len */
PW_DECLARE_FIELDS(eth);
PW_DECLARE_FIELDS(llc);
PW_DECLARE_FIELDS(vlan);
PW_DECLARE_FIELDS(ieee8021ad);
PW_DECLARE_FIELDS(sll);
PW_DECLARE_FIELDS(null);
PW_DECLARE_FIELDS(ppp);
PW_DECLARE_FIELDS(pppoes);
PW_DECLARE_FIELDS(loop);
PW_DECLARE_FIELDS(arp);
PW_DECLARE_FIELDS(ip);
PW_DECLARE_FIELDS(ipv6);
PW_DECLARE_FIELDS(icmp);
PW_DECLARE_FIELDS(icmpv6);
PW_DECLARE_FIELDS(tcp);
PW_DECLARE_FIELDS(udp);
PW_DECLARE_FIELDS(ah);
PW_DECLARE_FIELDS(gre);
PW_DECLARE_FIELDS(vxlan);

/* Shared between dissectors of this directory. */

/* Pushes an IPv6 extension header (or AH) layer; *owner is the IPv6 layer
 * whose header chain it continues (then the layer is PW_LF_SUBTREE), or
 * NULL. Returns NULL when the layer array is full. */
struct pw_layer *pw_ipv6_ext_push(struct pw_dctx *d, unsigned proto, struct pw_cur *c,
                                  struct pw_layer **owner);

/* Pushes the `ipv6` level of a header whose version nibble (at c) is not 6:
 * only the version, not listed in frame.protocols, no addresses. The
 * caller decides what the bytes become. */
void pw_ipv6_bogus(struct pw_dctx *d, const struct pw_cur *c);

/* Dissects the IP packet quoted by an ICMP/ICMPv6 error as `ip_proto` with
 * in_icmp_error set; records PW_AN_ICMP_SHORT_QUOTE when fewer than `min`
 * bytes are quoted. */
void pw_icmp_quote(struct pw_dctx *d, struct pw_cur *q, unsigned ip_proto, uint32_t min);


/* application stage (issue 3): dissectors bound to UDP ports in phase one,
 * and the ones the application stage (app.c) calls for TCP payloads */
PW_DECLARE_DISSECTOR(dns);
PW_DECLARE_DISSECTOR(mdns);
PW_DECLARE_DISSECTOR(llmnr);
PW_DECLARE_DISSECTOR(nbns);
PW_DECLARE_DISSECTOR(dhcp);
PW_DECLARE_DISSECTOR(dhcpv6);
PW_DECLARE_DISSECTOR(ntp);
PW_DECLARE_DISSECTOR(ssdp);
PW_DECLARE_DISSECTOR(syslog);
PW_DECLARE_DISSECTOR(snmp);
PW_DECLARE_DISSECTOR(sip);
PW_DECLARE_DISSECTOR(stun);
PW_DECLARE_DISSECTOR(bt_dht);
PW_DECLARE_DISSECTOR(radius);
PW_DECLARE_DISSECTOR(wg);
PW_DECLARE_DISSECTOR(rdpudp);
PW_DECLARE_DISSECTOR(srvloc);
PW_DECLARE_DISSECTOR(rip);
PW_DECLARE_DISSECTOR(igmp);
PW_DECLARE_DISSECTOR(ospf);
PW_DECLARE_DISSECTOR(teredo);
PW_DECLARE_DISSECTOR(quic);
PW_DECLARE_DISSECTOR(nbdgm);
PW_DECLARE_DISSECTOR(lsd);
PW_DECLARE_DISSECTOR(rpc);
PW_DECLARE_FIELDS(dns);
PW_DECLARE_FIELDS(bittorrent);
PW_DECLARE_FIELDS(bt_utp); /* btutp.c: no dissector, never a layer */
PW_DECLARE_FIELDS(http);

/* more link types (branch linktypes) */
PW_DECLARE_DISSECTOR(chdlc);
PW_DECLARE_DISSECTOR(slarp);
PW_DECLARE_DISSECTOR(cdp);
PW_DECLARE_DISSECTOR(nflog);
PW_DECLARE_DISSECTOR(arcnet);
PW_DECLARE_DISSECTOR(ipoib);
PW_DECLARE_DISSECTOR(ipnet);
PW_DECLARE_DISSECTOR(pktap);
PW_DECLARE_DISSECTOR(ppi);
PW_DECLARE_DISSECTOR(fddi);
PW_DECLARE_DISSECTOR(radiotap);
PW_DECLARE_DISSECTOR(wlan);
PW_DECLARE_FIELDS(chdlc);
PW_DECLARE_FIELDS(slarp);
PW_DECLARE_FIELDS(cdp);
PW_DECLARE_FIELDS(nflog);
PW_DECLARE_FIELDS(arcnet);
PW_DECLARE_FIELDS(ipoib);
PW_DECLARE_FIELDS(ipnet);
PW_DECLARE_FIELDS(pktap);
PW_DECLARE_FIELDS(ppi);
PW_DECLARE_FIELDS(fddi);
PW_DECLARE_FIELDS(radiotap);
PW_DECLARE_FIELDS(wlan);
PW_DECLARE_FIELDS(tls);
/* pktdata.c: the `pcap_pktdata` layer of a pseudo header (PPI, PKTAP) and
 * the dissection of its packet by DLT */
void pw_pcap_pktdata(struct pw_dctx *d, uint32_t dlt, struct pw_cur *c);

/* layer-only dissectors (issue 5 conformance): bacnet.c also pushes the
 * bacapp layer, sap.c the sdp layer */
PW_DECLARE_DISSECTOR(stp);
PW_DECLARE_DISSECTOR(lcp);
PW_DECLARE_DISSECTOR(isakmp);
PW_DECLARE_DISSECTOR(bvlc);
PW_DECLARE_DISSECTOR(bacnet);
PW_DECLARE_DISSECTOR(sap);
void pw_dns_message(struct pw_dctx *d, struct pw_cur *c, unsigned proto);

#endif
