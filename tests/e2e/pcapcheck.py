#!/usr/bin/env python3
"""Independent check of pcap files written by pktwatchd, for tests/e2e/agent.sh.

Reads classic pcap (any byte order, usec or nsec) strictly: a file that ends
inside a record is reported as invalid, since the agent promises that its files
end on a record boundary at all times. Prints key=value pairs:

  valid=1 packets=N bytes=N maxcap=N truncated=N match=N nomatch=N syn=N

`match` counts packets that are TCP with source or destination port PORT
(given with --port), `syn` the connection openings (SYN without ACK) to that
port, `truncated` the packets whose captured length is below the wire length.
"""
import struct
import sys


def check(paths, port):
    st = dict(valid=1, packets=0, bytes=0, maxcap=0, truncated=0, match=0, nomatch=0, syn=0)
    for path in paths:
        data = open(path, "rb").read()
        if len(data) < 24:
            st["valid"] = 0
            continue
        magic = data[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            e = "<"
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            e = ">"
        else:
            st["valid"] = 0
            continue
        snaplen, linktype = struct.unpack(e + "II", data[16:24])
        off = 24
        while off < len(data):
            if len(data) - off < 16:
                st["valid"] = 0
                break
            _, _, caplen, wirelen = struct.unpack(e + "IIII", data[off:off + 16])
            off += 16
            if caplen > len(data) - off or caplen > max(snaplen, 1) or caplen > wirelen:
                st["valid"] = 0
                break
            pkt = data[off:off + caplen]
            off += caplen
            st["packets"] += 1
            st["bytes"] += caplen
            st["maxcap"] = max(st["maxcap"], caplen)
            if caplen < wirelen:
                st["truncated"] += 1
            if tcp_port(pkt, linktype, port, st):
                st["match"] += 1
            else:
                st["nomatch"] += 1
    return st


def tcp_port(pkt, linktype, port, st):
    if linktype == 1:  # Ethernet
        if len(pkt) < 14 or pkt[12:14] != b"\x08\x00":
            return False
        ip = pkt[14:]
    elif linktype == 113:  # Linux cooked (any)
        if len(pkt) < 16 or pkt[14:16] != b"\x08\x00":
            return False
        ip = pkt[16:]
    else:
        return False
    if len(ip) < 20 or ip[9] != 6:
        return False
    ihl = (ip[0] & 15) * 4
    tcp = ip[ihl:]
    if len(tcp) < 14:
        return False
    sport, dport = struct.unpack(">HH", tcp[:4])
    if port not in (sport, dport):
        return False
    if dport == port and (tcp[13] & 0x12) == 0x02:
        st["syn"] += 1
    return True


def main():
    args = sys.argv[1:]
    port = 0
    if len(args) >= 2 and args[0] == "--port":
        port = int(args[1])
        args = args[2:]
    st = check(args, port)
    print(" ".join("%s=%d" % (k, v) for k, v in st.items()))


if __name__ == "__main__":
    main()
