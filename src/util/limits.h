/* Every bound on something the input controls lives here, so that a reviewer
 * can see at a glance how much memory hostile input can make us use. */
#ifndef PW_UTIL_LIMITS_H
#define PW_UTIL_LIMITS_H

/* Largest packet record we accept. tshark's wiretap uses 256 KiB for most
 * link types and caps everything at 0x4000000 for some; a larger caplen in a
 * file is treated as a lying length field, not as an allocation request. */
#define PW_MAX_CAPLEN (256u * 1024u * 1024u / 4u) /* 64 MiB */

/* Largest pcapng block (16 MiB, as libpcap's INITIAL_MAX_BLOCKSIZE). */
#define PW_MAX_PCAPNG_BLOCK (16u * 1024u * 1024u + 4096u)

/* Interfaces per pcapng file (all sections together). */
#define PW_MAX_INTERFACES 4096u

/* Longest pcapng option string we keep (comments, names); longer ones are
 * truncated, never allocated by their declared size. */
#define PW_MAX_OPT_STRING 1024u

/* Layers in one packet: tunnels in tunnels stop here (anomaly, not crash). */
#define PW_MAX_LAYERS 48u

/* Anomalies remembered per packet (all are counted, only these are listed). */
#define PW_MAX_PKT_ANOMALIES 8u

/* Streaming reader window for non-seekable input (stdin, pipes). */
#define PW_STREAM_CHUNK (1u << 20)

#endif
