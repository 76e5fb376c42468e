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

/* Protocol names one packet lists for the ASN.1 inside its TLS handshake
 * messages (src/dissect/x509.h): a certificate chain adds about 60. */
#define PW_MAX_PKT_NAMES 2048u

/* Bytes of text one packet keeps for layers whose label or fields read
 * bytes the frame may not hold (a reassembled HTTP head): the media layers'
 * labels and the head lines the http.* fields read (http.c), which a frame
 * of several pipelined requests with long URIs and User-Agents needs
 * several KiB for. A label or head that does not fit is not kept. */
#define PW_MAX_PKT_TEXT 8192u

/* TLS field values one packet keeps (src/dissect/tls.c): one per record
 * header field, handshake message and offered cipher suite. A ClientHello
 * offers up to about 100 suites; values past this are not kept. */
#define PW_MAX_PKT_TLS 512u

/* Anomalies remembered per packet (all are counted, only these are listed). */
#define PW_MAX_PKT_ANOMALIES 8u

/* Streaming reader window for non-seekable input (stdin, pipes). */
#define PW_STREAM_CHUNK (1u << 20)

/* ---- capture agent (pktwatchd) ---------------------------------------- */

/* Largest REST request body. The biggest legitimate body (PW_MAX_FILTERS
 * filters with long lists plus a raw BPF expression) stays well below this;
 * anything larger is refused with 413 before it is stored. */
#define PW_MAX_API_BODY (64u * 1024u)

/* Session names: 1..80 characters, as the reference service allows. */
#define PW_MAX_SESSION_NAME 80u

/* Filters per session, items in one ';' list, and characters in one filter
 * value. Together they bound the size of the generated BPF expression. */
#define PW_MAX_FILTERS 32u
#define PW_MAX_FILTER_LIST 32u
#define PW_MAX_FILTER_VALUE 1024u

/* A user's raw BPF expression, and the expression we build from the tuples
 * plus that raw part. pcap_compile's optimizer is superlinear, so the cap
 * also bounds the CPU one request can cost (8 KiB compiles in well under a
 * second; 32 KiB took 2.5 s). */
#define PW_MAX_BPF_RAW 4096u
#define PW_MAX_BPF_EXPR (8u * 1024u)

/* A file path inside the capture root, as the request gives it. */
#define PW_MAX_CAPTURE_PATH 1024u

/* Interfaces one session may name in `target` (a ';' list). */
#define PW_MAX_TARGET_IFACES 8u

/* Sessions kept in the state database, running or not (the reference
 * service allows 10,000 per region). */
#define PW_MAX_STORED_SESSIONS 10000u

/* Concurrent HTTP connections, and per client address. */
#define PW_MAX_API_CONNECTIONS 256u
#define PW_MAX_API_CONNECTIONS_PER_IP 64u

/* Token file size (a bearer token is a short line). */
#define PW_MAX_TOKEN 4096u

/* stdio buffer of one capture file. Records are only ever written whole:
 * before a record that would not fit in what is left of the buffer we flush,
 * so it must hold the largest record (header + snaplen 262144). */
#define PW_CAPFILE_BUFFER (1024u * 1024u)
#define PW_MAX_SNAPLEN 262144u

/* Largest response the client (`pktwatch capture`) accepts for a JSON call;
 * downloads stream to a file and are not bounded by it. */
#define PW_MAX_API_RESPONSE (64u * 1024u * 1024u)

/* ---- flow stage (src/flow/) -------------------------------------------- */

/* Conversations kept per table (TCP, UDP). tshark never forgets one, and
 * numbering them like tcp.stream needs them all; past the cap a header gets
 * no stream and is counted (pw_flows_stats). About 200 bytes each. */
#define PW_MAX_FLOWS (16u * 1024u * 1024u)

/* Not-yet-acknowledged segments remembered per TCP direction for
 * tcp.analysis.ack_rtt: tshark's own cap (TCP_MAX_UNACKED_SEGMENTS), so that
 * the same segments are timed. */
#define PW_MAX_TCP_UNACKED 10000u

/* ---- application stage (src/dissect/app.c, src/flow/reasm.c) ---------- */

/* Bytes of one reassembled TCP PDU that are kept for dissection (headers of
 * HTTP, SMB, TLS handshakes...). A longer PDU is still tracked to its end
 * (only lengths are counted), so where tshark completes it is unchanged. */
#define PW_REASM_KEEP (64u * 1024u)

/* All reassembly buffers together. Past this a new reassembly keeps no
 * bytes (lengths only), so hostile input cannot make memory grow. */
#define PW_REASM_TOTAL (64u * 1024u * 1024u)

/* Completed PDUs remembered per flow direction (start and length, 8 bytes
 * each), for tshark's verdict on a later segment that falls inside one
 * (src/flow/reasm.h). tshark remembers every one; segments sent again land
 * in the last few, so older ones are forgotten. */
#define PW_REASM_DONE 4u

/* Flows the application stage keeps state for (BitTorrent binding,
 * reassembly); past this, new flows are dissected statelessly. */
#define PW_APP_MAX_FLOWS (1u << 20)

/* ---- IP fragment reassembly (src/flow/ipreasm.c) --------------------- */

/* Datagrams being reassembled at once (about 100 bytes each plus their
 * fragments); past this the oldest pending one is evicted. */
#define PW_IPREASM_MAX_PENDING 4096u

/* Fragments kept per datagram (a 64 KiB IPv4 datagram cut into 8-byte
 * fragments would need 8192; real ones need a few dozen). Past this the
 * datagram is abandoned. */
#define PW_IPREASM_MAX_FRAGS 1024u

/* Fragment bytes stored per datagram, duplicates included, and the largest
 * reassembled datagram (IPv6 allows offset 65528 plus a 65535-byte
 * fragment). Past this the datagram is abandoned. */
#define PW_IPREASM_MAX_BYTES (128u * 1024u)

/* All pending datagrams together; the oldest are evicted to make room. */
#define PW_IPREASM_TOTAL (16u * 1024u * 1024u)

/* Seconds of capture time a datagram may stay incomplete (tshark never
 * gives up; this only bounds how long stale fragments are held). */
#define PW_IPREASM_TIMEOUT 300

/* The frame that completes a datagram is dissected from a copy: its bytes
 * up to the fragment's payload, then the reassembled payload. */
#define PW_IPREASM_VFRAME (PW_MAX_SNAPLEN + PW_IPREASM_MAX_BYTES)

/* ---- alerts (src/classify/) -------------------------------------------- */

/* Alert policy files (src/classify/policy.c): the whole file, one line,
 * one name (application, category, key), and the entries of each table.
 * A policy is written by hand; anything larger is refused, not truncated. */
#define PW_POLICY_MAX_FILE (1024u * 1024u)
#define PW_POLICY_MAX_LINE 4096u
#define PW_POLICY_MAX_NAME 64u
#define PW_POLICY_MAX_RULES 1024u    /* [applications], and [categories] */
#define PW_POLICY_MAX_SERVICES 1024u /* [services] host or subnet entries */
#define PW_POLICY_MAX_APPPORTS 256u  /* [ports] applications */
#define PW_POLICY_MAX_PORTS 64u      /* port items in one list */

/* Packets of one flow handed to the classifier at most (the policy's
 * classify.packets may lower it). nDPI decides almost every protocol it
 * knows within the first few packets with payload; past this it gives up. */
#define PW_CLS_MAX_PACKETS 255u

/* Flows being classified at the same time, each holding one classifier
 * state (about 700 bytes for nDPI): when the cap is reached the flow idle
 * the longest is given up, so one-packet flows (scans) cannot pile up. */
#define PW_CLS_MAX_LIVE (64u * 1024u)

/* Flows the alert tap keeps a record for (about 160 bytes each); past this,
 * packets of new flows are counted but not analysed. */
#define PW_ALERT_MAX_FLOWS (8u * 1024u * 1024u)

/* Server endpoints (address, port) whose classification is remembered so
 * that later flows to them need not be inspected (classify.reuse). */
#define PW_ALERT_MAX_ENDPOINTS (1024u * 1024u)

/* ICMP echo pairs (source, destination) tracked for ICMP sweeps. */
#define PW_ALERT_MAX_ICMP (1024u * 1024u)

/* Alerts kept; past this, more are counted as dropped. */
#define PW_ALERT_MAX_ALERTS (64u * 1024u)

/* Payload packets per flow that the alert tap reads for evidence
 * (BitTorrent handshakes, DHT queries, cleartext logins). */
#define PW_ALERT_SCAN_PACKETS 32u

#endif
