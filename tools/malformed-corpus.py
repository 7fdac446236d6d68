#!/usr/bin/python3
"""Writes the malformed-packet corpus: one capture of many distinct defects, each with the drop reason
the node must give it, for Tests/GovFwdTests/MalformedCorpusTests.swift.

Output, in Tests/GovFwdTests/Fixtures/malformed/ (or --out-dir):

    corpus.pcap     classic pcap (microseconds, little-endian), every kind's packets in table order
    expected.json   {"now", "config", "ingress", "packets", "forwarded", "kinds": [{"kind", "reason",
                    "count", "description"}]}; reason is a drop reason name (docs/protocol.md section 7)
                    or "forwarded"

The packets are built here with struct packing from DESIGN.md section 1 and docs/protocol.md, and sealed
with AES-CMAC (RFC 4493) by tools/make-vectors.py's independent implementation, for the fixture
configuration Tests/GovFwdTests/Fixtures/governed.yaml: authority 7 ("ca"), epoch 1, scope 100, route
class 1, trust 50 (policy s100-internal forwards it to port "out"), clock skew 5 s, maximum lifetime 1 h,
checked at --now 1800000000, arriving on port "in" (net_pcap0). Everything is fixed: timestamps, payload
bytes (a seeded generator), addresses; running it twice writes the same bytes.

Frames above 2048 bytes (kinds named jumbo_*) do not fit one mbuf: the pcap PMD chains them.

    python3 tools/malformed-corpus.py            # rewrite both files
    python3 tools/malformed-corpus.py --check    # fail if the files differ from what this writes
    python3 tools/malformed-corpus.py --list     # print the table of kinds, write nothing

Needs scapy (python3-scapy) and the cryptography package (its dependency), as make-vectors.py does.
"""

import argparse
import importlib.util
import io
import ipaddress
import json
import pathlib
import random
import struct
import sys

try:
    from scapy.layers.inet6 import IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting
    from scapy.layers.l2 import ARP, Ether
    from scapy.utils import RawPcapReader, RawPcapWriter
except ImportError:  # pragma: no cover
    sys.exit("malformed-corpus.py needs scapy: apt-get install python3-scapy (Debian's python3)")

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "Tests/GovFwdTests/Fixtures/malformed"
CONFIG = "Tests/GovFwdTests/Fixtures/governed.yaml"


def _load_make_vectors():
    """tools/make-vectors.py, for its CMAC, MAC input, checksum and UDP/Ethernet builders."""
    spec = importlib.util.spec_from_file_location("make_vectors", ROOT / "tools/make-vectors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mv = _load_make_vectors()

# ---- the fixture configuration (Tests/GovFwdTests/Fixtures/governed.yaml) --------------------------

NOW = 1_800_000_000               # the test runs govfwd with --now NOW
SKEW = 5                          # Node spec.clockSkew
AUTHORITY = 7                     # Authority "ca"
EPOCH = 1
KEY = bytes.fromhex("2b7e151628aed2a6abf7158809cf4f3c")
MAX_LIFETIME = 3600               # "ca" maxLifetime 1h
GATEWAY_KEY = bytes.fromhex("603deb1015ca71be2b73aef0857d7781")   # authority 9001's key
SCOPE, ROUTE_CLASS, TRUST = 100, 1, 50                               # ScopePolicy s100-internal: forward to "out"
EXPIRY = NOW + 600
INGRESS = "in"

GOV_PORT = 4742
ETH_GOV = 0x88B5
ETH, VLAN_TAG, IP4, IP6, UDPH, GOV = 14, 4, 20, 40, 8, 48
SEGMENT = 2048                    # data room of one mbuf (RTE_MBUF_DEFAULT_BUF_SIZE less headroom)
VLAN_ID = 42

OUTER4 = (mv.ip_bytes("192.0.2.1"), mv.ip_bytes("192.0.2.2"))
OUTER6 = (mv.ip_bytes("2001:db8::1"), mv.ip_bytes("2001:db8::2"))
INNER4 = (mv.ip_bytes("10.1.0.1"), mv.ip_bytes("10.2.0.2"))      # not 10.9.0.0/16: the gateway selector's
INNER6 = (mv.ip_bytes("fd00::1"), mv.ip_bytes("fd00::2"))


def self_test():
    """RFC 4493 section 4, example 2 (the fixture key is the RFC's): the CMAC in use is AES-CMAC."""
    tag = mv.cmac(KEY, bytes.fromhex("6bc1bee22e409f96e93d7e117393172a"))
    assert tag.hex() == "070a16b46b4d4144f79bdd9dd04a287c", tag.hex()


# ---- headers ---------------------------------------------------------------------------------------

RNG = random.Random(4742)         # re-seeded by build(): payload bytes only


def payload(n):
    return bytes(RNG.randrange(256) for _ in range(n))


def ipv4(src, dst, proto, body, options=b"", frag=0x4000, total=None, version=4, ihl=None, ttl=64):
    """An IPv4 header (checksum computed over the header as written) and body."""
    ihl = 5 + len(options) // 4 if ihl is None else ihl
    total = 20 + len(options) + len(body) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", version << 4 | ihl, 0, total, 0, frag, ttl, proto, 0, src, dst) + options
    return h[:10] + struct.pack("!H", mv.csum(h)) + h[12:] + body


def ipv6(src, dst, nh, body, plen=None, version=6):
    plen = len(body) if plen is None else plen
    return struct.pack("!IHBB16s16s", version << 28, plen, nh, 64, src, dst) + body


def udp_segment(src, dst, dport, body, sport=49152, length=None, checksum=True):
    """A UDP header and body; the checksum (over IPv6, or when asked) covers the body as given."""
    seg = mv.udp(src, dst, sport, dport, body, checksum=checksum)
    if length is not None:
        seg = seg[:4] + struct.pack("!H", length) + seg[6:]
    return seg


def ether(body, ethertype, vlan=None, tags=None):
    """Ethernet; `tags` is a list of (TPID, TCI) pairs for stacked tags."""
    tags = [(0x8100, vlan)] if vlan is not None else (tags or [])
    head = bytes.fromhex("020000000002") + bytes.fromhex("020000000001")
    for tpid, tci in tags:
        head += struct.pack("!HH", tpid, tci)
    return head + struct.pack("!H", ethertype) + body


def inner4(size=16, dport=443, proto=17, options=b"", total=None, ihl=None, version=4, src=INNER4[0], dst=INNER4[1]):
    """An inner IPv4 packet: UDP to `dport` with `size` payload bytes (or `size` bytes of another protocol)."""
    body = mv.udp(src, dst, 40000, dport, payload(size)) if proto == 17 else payload(size)
    return ipv4(src, dst, proto, body, options=options, total=total, ihl=ihl, version=version)


def inner6(size=16, dport=443, ext=b"", ext_nh=None, plen=None, src=INNER6[0], dst=INNER6[1]):
    """An inner IPv6 packet, UDP after optional extension headers `ext` (whose first next header is `ext_nh`)."""
    seg = mv.udp(src, dst, 40000, dport, payload(size))
    return ipv6(src, dst, 17 if not ext else ext_nh, ext + seg, plen=plen)


def inner_addresses(inner):
    """(source, destination, version) of an inner IP packet as the node reads them."""
    if inner[0] >> 4 == 6:
        return inner[8:24], inner[24:40], 6
    return inner[12:16], inner[16:20], 4


# ---- the governance header (DESIGN 1.2, 1.3) ----------------------------------------------------------

_cap = [0]   # capability id of the kind being built: 0xC0000 + its row, so explain's output names the kind


def gov(inner, options=b"", hdr_len=None, ver_flags=0x10, next_proto=None, hop=8, scope=SCOPE, trust=TRUST,
        route_class=ROUTE_CLASS, epoch=EPOCH, authority=AUTHORITY, constraints=0, expiry=EXPIRY, cap=None,
        key=KEY, mac_src=None, mac_dst=None):
    """Fixed header + options, sealed over (bytes 0..31 with hop_budget 0, inner source, inner destination)."""
    src, dst, version = inner_addresses(inner)
    next_proto = (4 if version == 4 else 41) if next_proto is None else next_proto
    hdr_len = (GOV + len(options)) // 8 if hdr_len is None else hdr_len
    cap = _cap[0] if cap is None else cap
    fixed = struct.pack("!BBBBIBBHIIIQ", ver_flags, hdr_len, next_proto, hop, scope, trust, route_class, epoch,
                        authority, constraints, expiry, cap)
    # The flow binding's length follows the address family of the inner packet's bytes.
    tag = mv.cmac(key, mv.mac_input(fixed, mac_src or src, mac_dst or dst))
    return fixed + tag + options


class Frame:
    """A built frame and where its layers start (None where absent)."""

    def __init__(self, data, carrier, l3=None, udp=None, gov=None, inner=None):
        self.data = bytearray(data)
        self.carrier, self.l3, self.udp, self.gov, self.inner = carrier, l3, udp, gov, inner

    def set16(self, offset, value):
        self.data[offset:offset + 2] = struct.pack("!H", value)
        return self

    def flip(self, offset, bit=0x01):
        self.data[offset] ^= bit
        return self

    def cut(self, length):
        del self.data[length:]
        return self

    def pad(self, n, byte=None):
        self.data += bytes([byte]) * n if byte is not None else payload(n)
        return self

    def fix_ipv4_checksum(self):
        """After editing the outer IPv4 header: a correct checksum, so that the edit is the only defect."""
        ihl = (self.data[self.l3] & 0x0F) * 4
        h = bytearray(self.data[self.l3:self.l3 + ihl])
        h[10:12] = b"\0\0"
        self.data[self.l3 + 10:self.l3 + 12] = struct.pack("!H", mv.csum(bytes(h)))
        return self

    def fix_udp6_checksum(self):
        """After editing bytes the IPv6 UDP checksum covers (lengths consistent)."""
        length = struct.unpack_from("!H", self.data, self.udp + 4)[0]
        seg = bytearray(self.data[self.udp:self.udp + length])
        seg[6:8] = b"\0\0"
        src, dst = self.data[self.l3 + 8:self.l3 + 24], self.data[self.l3 + 24:self.l3 + 40]
        pseudo = bytes(src) + bytes(dst) + struct.pack("!IxxxB", length, 17)
        self.data[self.udp + 6:self.udp + 8] = struct.pack("!H", mv.csum(pseudo + bytes(seg)) or 0xFFFF)
        return self

    def refresh(self):
        """Recomputes the outer checksums that cover edited bytes."""
        if self.carrier == "udp6":
            return self.fix_udp6_checksum()
        if self.carrier == "udp4":
            return self.fix_ipv4_checksum()
        return self

    def bytes(self):
        return bytes(self.data)


def governed(carrier="udp4", inner=None, vlan=None, options=b"", gov_bytes=None, trailer=b"", ip_options=b"",
             dport=GOV_PORT, **fields):
    """A governed frame: Ethernet [802.1Q] / (IPv4|IPv6 / UDP | 0x88B5) / GOV / inner. Keyword `fields`
    override the header's (see gov()); `gov_bytes` replaces the whole header; `trailer` follows the
    outer packet (Ethernet padding: not counted by any length field)."""
    inner = inner4() if inner is None else inner
    g = gov(inner, options=options, **fields) if gov_bytes is None else gov_bytes
    l2 = ETH + (VLAN_TAG if vlan is not None else 0)
    if carrier == "eth":
        return Frame(ether(g + inner, ETH_GOV, vlan) + trailer, carrier, l3=l2, gov=l2, inner=l2 + len(g))
    if carrier == "udp4":
        s, d = OUTER4
        ip = ipv4(s, d, 17, udp_segment(s, d, dport, g + inner, checksum=False), options=ip_options)
        udp = l2 + IP4 + len(ip_options)
        return Frame(ether(ip, 0x0800, vlan) + trailer, carrier, l3=l2, udp=udp, gov=udp + UDPH,
                     inner=udp + UDPH + len(g))
    s, d = OUTER6
    ip = ipv6(s, d, 17, udp_segment(s, d, dport, g + inner))
    udp = l2 + IP6
    return Frame(ether(ip, 0x86DD, vlan) + trailer, carrier, l3=l2, udp=udp, gov=udp + UDPH, inner=udp + UDPH + len(g))


def consistent(carrier, body, vlan=None):
    """A UDP carrier whose IP and UDP lengths are right for `body` (whatever it holds): the defect lies inside."""
    l2 = ETH + (VLAN_TAG if vlan is not None else 0)
    if carrier == "udp4":
        s, d = OUTER4
        return Frame(ether(ipv4(s, d, 17, udp_segment(s, d, GOV_PORT, body, checksum=False)), 0x0800, vlan),
                     carrier, l3=l2, udp=l2 + IP4, gov=l2 + IP4 + UDPH)
    s, d = OUTER6
    return Frame(ether(ipv6(s, d, 17, udp_segment(s, d, GOV_PORT, body)), 0x86DD, vlan),
                 carrier, l3=l2, udp=l2 + IP6, gov=l2 + IP6 + UDPH)


def sized(carrier, total, inner_version=4, vlan=None, **fields):
    """A valid governed frame of exactly `total` bytes: the inner UDP payload fills it."""
    l2 = ETH + (VLAN_TAG if vlan is not None else 0)
    outer = {"eth": 0, "udp4": IP4 + UDPH, "udp6": IP6 + UDPH}[carrier]
    inner_headers = (IP4 if inner_version == 4 else IP6) + 8
    size = total - l2 - outer - GOV - inner_headers
    inner = inner4(size=size) if inner_version == 4 else inner6(size=size)
    f = governed(carrier, inner=inner, vlan=vlan, **fields)
    assert len(f.data) == total, (len(f.data), total)
    return f


# ---- the kinds ----------------------------------------------------------------------------------------

KINDS = []


def kind(name, reason, description, build, count=1):
    """One kind: `build()` returns a Frame or bytes; the frame is repeated `count` times."""
    assert all(k["kind"] != name for k in KINDS), name
    _cap[0] = 0xC0000 + len(KINDS)
    f = build()
    frame = f.bytes() if isinstance(f, Frame) else bytes(f)
    KINDS.append({"kind": name, "reason": reason, "count": count, "description": description, "frame": frame})


def flipped(frame_fn, where, bit=0x01):
    """The frame with one bit flipped at the offset `where(frame)` returns; outer checksums refreshed."""
    f = frame_fn()
    return f.flip(where(f), bit).refresh()


def define():
    FWD = "forwarded"

    # -- valid governed packets: still forwarded -------------------------------------------------------
    kind("valid_udp4_inner4", FWD, "UDP carrier over IPv4, inner IPv4/UDP: the common layout", lambda: governed(), count=3)
    kind("valid_udp4_inner6", FWD, "UDP carrier over IPv4, inner IPv6 (64-byte MAC input)",
         lambda: governed(inner=inner6()))
    kind("valid_udp6_inner4", FWD, "UDP carrier over IPv6 (UDP checksum set), inner IPv4",
         lambda: governed("udp6"))
    kind("valid_udp6_inner6", FWD, "UDP carrier over IPv6, inner IPv6", lambda: governed("udp6", inner=inner6()))
    kind("valid_udp4_vlan", FWD, "UDP carrier over IPv4 behind one 802.1Q tag", lambda: governed(vlan=VLAN_ID))
    kind("valid_eth_inner4", FWD, "Ethernet carrier (0x88B5), inner IPv4", lambda: governed("eth"))
    kind("valid_eth_vlan_inner6", FWD, "Ethernet carrier behind one 802.1Q tag, inner IPv6",
         lambda: governed("eth", inner=inner6(), vlan=VLAN_ID))
    kind("valid_pad1_options", FWD, "hdr_len 7: eight pad-1 options (not covered by the MAC)",
         lambda: governed(options=b"\x00" * 8))
    kind("valid_padn_option", FWD, "hdr_len 7: one pad-N option with 6 value bytes",
         lambda: governed(options=b"\x01\x06" + b"\xee" * 6))
    kind("valid_unknown_noncritical_option", FWD,
         "hdr_len 8, UDP carrier over IPv6: pad-1, unknown non-critical type 0x05 (skipped), pad-N",
         lambda: governed("udp6", inner=inner6(), options=b"\x00\x05\x03abc\x01\x06" + b"\0" * 6 + b"\x00\x00"))
    kind("valid_trailing_ethernet_padding", FWD, "6 bytes after the IPv4 packet (Ethernet padding), ignored",
         lambda: governed(trailer=b"\0" * 6))
    kind("valid_eth_carrier_trailing_bytes", FWD,
         "Ethernet carrier, 20 bytes after the inner packet: its total length says where it ends",
         lambda: governed("eth", trailer=b"\0" * 20))
    kind("valid_outer_ipv4_options", FWD, "outer IPv4 IHL 6 (NOP, NOP, NOP, EOL): the general parser skips options",
         lambda: governed(ip_options=b"\x01\x01\x01\x00"))
    kind("valid_inner_ipv4_options", FWD, "inner IPv4 IHL 6 (NOP x3, EOL)",
         lambda: governed(inner=inner4(options=b"\x01\x01\x01\x00")))
    kind("valid_hop_budget_1", FWD, "arrives with hop_budget 1 (leaves with 0)", lambda: governed(hop=1))
    kind("valid_inner_shorter_than_carrier", FWD,
         "inner IPv4 total length 8 bytes short of the UDP payload: only total length <= available is required",
         lambda: governed(inner=inner4() + b"\0" * 8))
    kind("valid_udp_shorter_than_ip_packet", FWD,
         "outer IPv4 total length 8 bytes beyond the UDP datagram (bytes inside the IP packet after UDP): ignored",
         lambda: udp_shorter_than_ip())
    kind("outer_ipv4_bad_header_checksum", FWD,
         "outer IPv4 header checksum wrong: not checked by the parser (docs/protocol.md section 1)",
         lambda: governed().flip(ETH + 11))
    kind("inner_ipv6_hop_by_hop", FWD,
         "inner IPv6 with a Hop-by-Hop header before UDP: inner extension headers are not walked",
         lambda: governed(inner=inner6(ext=bytes(IPv6ExtHdrHopByHop(nh=17)), ext_nh=0)))
    kind("inner_ipv6_routing_header", FWD,
         "inner IPv6 Routing header (type 0): DESIGN 1.3 asks for inner_source_route, which this node does "
         "not implement yet (no such reason): forwarded today",
         lambda: governed(inner=inner6(ext=bytes(IPv6ExtHdrRouting(nh=17, addresses=["fd00::9"])), ext_nh=43)))
    kind("inner_ipv4_lsrr_option", FWD,
         "inner IPv4 LSRR option (type 131): DESIGN 1.3 asks for inner_source_route, not implemented yet: "
         "forwarded today",
         lambda: governed(inner=inner4(options=b"\x83\x07\x04" + mv.ip_bytes("10.3.0.3") + b"\x00")))

    # -- frames over one mbuf: the pcap PMD chains them ----------------------------------------------------
    kind("jumbo_valid_udp4_9000", FWD, "valid, UDP carrier over IPv4, 9000-byte frame (5 segments)",
         lambda: sized("udp4", 9000))
    kind("jumbo_valid_udp6_inner6_3000", FWD, "valid, UDP carrier over IPv6, inner IPv6, 3000-byte frame",
         lambda: sized("udp6", 3000, inner_version=6))
    kind("jumbo_valid_eth_vlan_3000", FWD, "valid, Ethernet carrier behind 802.1Q, 3000-byte frame",
         lambda: sized("eth", 3000, vlan=VLAN_ID))
    kind("jumbo_padded_past_first_segment", FWD,
         "valid 160-byte UDP/IPv4 packet in a 3000-byte frame: trailing bytes past 2048, lengths say short",
         lambda: governed(inner=inner4(size=42), trailer=payload(2840)))
    kind("jumbo_ip_total_length_past_frame", "malformed_truncated_ip",
         "3000-byte frame whose outer IPv4 total length claims 3086 (100 more than the frame holds)",
         lambda: sized("udp4", 3000).set16(ETH + 2, 3000 - ETH + 100).fix_ipv4_checksum())
    kind("jumbo_bad_mac_9000", "bad_mac", "9000-byte valid frame with one MAC bit flipped",
         lambda: flipped(lambda: sized("udp4", 9000), lambda f: f.gov + 32 + 5))
    kind("jumbo_inner_total_length_past_frame", "malformed_inner",
         "3000-byte frame, outer lengths right, inner IPv4 total length 100 bytes beyond the UDP payload",
         lambda: jumbo_inner_lie())
    kind("jumbo_inner_header_past_first_segment", "malformed",
         "3000-byte frame, hdr_len 250 (pad-N options): the inner IPv4 header starts at byte 2042 and straddles "
         "the first segment's end (2048); headers must lie in the first segment",
         lambda: jumbo_straddle())

    # -- not governed --------------------------------------------------------------------------------------
    kind("arp_request", "not_governed", "ARP who-has (EtherType 0x0806)",
         lambda: bytes(Ether(dst="ff:ff:ff:ff:ff:ff", src="02:00:00:00:00:01") /
                       ARP(hwsrc="02:00:00:00:00:01", psrc="192.0.2.1", pdst="192.0.2.2")))
    kind("lldp_ethertype", "not_governed", "unknown EtherType 0x88CC with 46 bytes",
         lambda: ether(payload(46), 0x88CC))
    kind("plain_udp4_other_port", "not_governed", "plain IPv4/UDP to port 53",
         lambda: ether(ipv4(*OUTER4, 17, udp_segment(*OUTER4, 53, payload(40))), 0x0800))
    kind("plain_udp6_other_port", "not_governed", "plain IPv6/UDP to port 53",
         lambda: ether(ipv6(*OUTER6, 17, udp_segment(*OUTER6, 53, payload(40))), 0x86DD))
    kind("plain_tcp4", "not_governed", "IPv4/TCP (outer protocol not UDP)",
         lambda: ether(ipv4(*OUTER4, 6, payload(40)), 0x0800))
    kind("governed_to_other_udp_port", "not_governed", "a valid governed packet sent to UDP port 4743",
         lambda: governed(dport=GOV_PORT + 1))
    kind("qinq_88a8", "not_governed",
         "QinQ: S-tag 0x88A8 then C-tag 0x8100 before a valid UDP carrier; the parser reads one 0x8100 tag only",
         lambda: ether(governed().data[ETH:], 0x0800, tags=[(0x88A8, 7), (0x8100, VLAN_ID)]))
    kind("double_8100_tag", "not_governed",
         "two 0x8100 tags before a valid UDP carrier: after the first, EtherType 0x8100 is not governed",
         lambda: ether(governed().data[ETH:], 0x0800, tags=[(0x8100, 7), (0x8100, VLAN_ID)]))
    kind("outer_ipv6_hop_by_hop", "not_governed",
         "outer IPv6 Hop-by-Hop header before UDP to 4742: extension headers are not walked",
         lambda: outer6_ext(bytes(IPv6ExtHdrHopByHop(nh=17)), 0))
    kind("outer_ipv6_fragment_header", "not_governed",
         "outer IPv6 Fragment header (atomic fragment) before UDP to 4742",
         lambda: outer6_ext(bytes(IPv6ExtHdrFragment(nh=17, offset=0, m=0, id=1)), 44))
    kind("outer_ipv4_later_fragment", "not_governed",
         "outer IPv4 fragment with offset 185 (x8 bytes): no UDP header to read",
         lambda: governed().set16(ETH + 6, 185).fix_ipv4_checksum())

    # -- truncation at every header boundary ------------------------------------------------------------------
    kind("truncated_ethernet_13", "malformed_truncated_l2", "13-byte frame: EtherType cut",
         lambda: governed().cut(13))
    kind("truncated_vlan_tag_16", "malformed_truncated_l2", "0x8100 and the TCI, no inner EtherType (16 bytes)",
         lambda: governed(vlan=VLAN_ID).cut(16))
    kind("truncated_after_vlan_tag", "malformed_truncated_ip", "802.1Q tag whole, EtherType 0x0800, no IP byte",
         lambda: governed(vlan=VLAN_ID).cut(ETH + VLAN_TAG))
    kind("truncated_after_ethernet_ipv4", "malformed_truncated_ip", "EtherType 0x0800 and nothing after",
         lambda: governed().cut(ETH))
    kind("truncated_outer_ipv4_19", "malformed_truncated_ip", "19 of the 20 bytes of outer IPv4 header",
         lambda: governed().cut(ETH + 19))
    kind("truncated_after_ethernet_ipv6", "malformed_truncated_ip", "EtherType 0x86DD and nothing after",
         lambda: governed("udp6").cut(ETH))
    kind("truncated_outer_ipv6_39", "malformed_truncated_ip", "39 of the 40 bytes of outer IPv6 header",
         lambda: governed("udp6").cut(ETH + 39))
    kind("truncated_frame_in_udp4", "malformed_truncated_ip",
         "frame cut 4 bytes into UDP; the IPv4 total length says more", lambda: governed().cut(ETH + IP4 + 4))
    kind("truncated_frame_in_gov4", "malformed_truncated_ip",
         "frame cut 20 bytes into the governance header (UDP/IPv4)", lambda: cut_at(governed(), "gov", 20))
    kind("truncated_frame_in_inner4", "malformed_truncated_ip",
         "frame cut 10 bytes into the inner IPv4 header (UDP/IPv4)", lambda: cut_at(governed(), "inner", 10))
    kind("truncated_frame_in_gov6", "malformed_truncated_ip",
         "frame cut 30 bytes into the governance header (UDP/IPv6); the payload length says more",
         lambda: cut_at(governed("udp6"), "gov", 30))
    kind("udp4_header_4_bytes", "malformed_truncated_udp", "IPv4 total length 24: 4 bytes of UDP header",
         lambda: ether(ipv4(*OUTER4, 17, udp_segment(*OUTER4, GOV_PORT, b"", checksum=False)[:4]), 0x0800))
    kind("udp4_no_udp_header", "malformed_truncated_udp", "IPv4 total length 20, protocol UDP, no UDP byte",
         lambda: ether(ipv4(*OUTER4, 17, b""), 0x0800))
    kind("udp6_header_4_bytes", "malformed_truncated_udp", "IPv6 payload length 4: 4 bytes of UDP header",
         lambda: ether(ipv6(*OUTER6, 17, udp_segment(*OUTER6, GOV_PORT, b"")[:4]), 0x86DD))
    for n in (0, 4, 32, 47):
        kind(f"gov_fixed_{n}_bytes_udp4", "malformed_truncated_gov",
             f"IPv4 and UDP lengths right around {n} bytes of governance header"
             + (" (before the MAC)" if n == 32 else ""),
             lambda n=n: consistent("udp4", gov(inner4())[:n]))
    kind("gov_fixed_20_bytes_udp6", "malformed_truncated_gov", "IPv6 and UDP lengths right around 20 bytes of header",
         lambda: consistent("udp6", gov(inner4())[:20]))
    kind("gov_options_cut_udp4", "malformed_hdr_len",
         "hdr_len 7 but the packet ends 4 bytes into the options (lengths right)",
         lambda: consistent("udp4", gov(inner4(), options=b"\x00" * 8)[:GOV + 4]))
    kind("inner4_0_bytes_udp4", "malformed_inner", "header only: the UDP payload ends with the governance header",
         lambda: consistent("udp4", gov(inner4())))
    kind("inner4_12_bytes_udp4", "malformed_inner", "12 bytes of inner IPv4 header (lengths right)",
         lambda: consistent("udp4", with_inner(inner4(), 12)))
    kind("inner4_19_bytes_udp4", "malformed_inner", "19 bytes of inner IPv4 header (lengths right)",
         lambda: consistent("udp4", with_inner(inner4(), 19)))
    kind("inner6_30_bytes_udp4", "malformed_inner", "30 bytes of inner IPv6 header (lengths right)",
         lambda: consistent("udp4", with_inner(inner6(), 30)))
    kind("inner6_39_bytes_udp6", "malformed_inner", "39 bytes of inner IPv6 header over IPv6 (lengths right)",
         lambda: consistent("udp6", with_inner(inner6(), 39)))

    # -- length lies -------------------------------------------------------------------------------------------
    kind("outer_ipv4_total_length_too_big", "malformed_truncated_ip", "outer IPv4 total length one byte beyond the frame",
         lambda: lie16(governed(), "l3", 2, +1).fix_ipv4_checksum())
    kind("outer_ipv4_total_length_too_small", "malformed_truncated_udp",
         "outer IPv4 total length 40 bytes short: the UDP length now runs past the IP packet",
         lambda: lie16(governed(), "l3", 2, -40).fix_ipv4_checksum())
    kind("outer_ipv4_total_length_below_ihl", "malformed_outer_ip", "outer IPv4 total length 10 (< IHL * 4 = 20)",
         lambda: governed().set16(ETH + 2, 10).fix_ipv4_checksum())
    kind("outer_ipv4_total_length_0", "malformed_outer_ip", "outer IPv4 total length 0 (as segmentation offload leaves it)",
         lambda: governed().set16(ETH + 2, 0).fix_ipv4_checksum())
    kind("outer_ipv6_payload_length_too_big", "malformed_truncated_ip", "outer IPv6 payload length one byte beyond the frame",
         lambda: lie16(governed("udp6"), "l3", 4, +1))
    kind("outer_ipv6_payload_length_too_small", "malformed_truncated_udp",
         "outer IPv6 payload length 40 bytes short: the UDP length runs past it", lambda: lie16(governed("udp6"), "l3", 4, -40))
    kind("outer_ipv6_payload_length_0", "malformed_truncated_udp",
         "outer IPv6 payload length 0 (as a jumbogram says): no room for UDP", lambda: governed("udp6").set16(ETH + 4, 0))
    kind("udp4_length_too_big", "malformed_truncated_udp", "UDP length one byte beyond the IPv4 packet",
         lambda: lie16(governed(), "udp", 4, +1))
    kind("udp4_length_below_8", "malformed_truncated_udp", "UDP length 4", lambda: governed().set16(ETH + IP4 + 4, 4))
    kind("udp6_length_too_big", "malformed_truncated_udp", "UDP length (over IPv6) one byte beyond the payload",
         lambda: lie16(governed("udp6"), "udp", 4, +1))
    kind("udp4_length_cuts_gov", "malformed_truncated_gov",
         "UDP length 38: the IP packet is whole but UDP ends 30 bytes into the header",
         lambda: governed().set16(ETH + IP4 + 4, UDPH + 30))
    kind("udp4_length_cuts_inner", "malformed_inner",
         "UDP length ends 10 bytes into the inner IPv4 header (IP packet whole)",
         lambda: governed().set16(ETH + IP4 + 4, UDPH + GOV + 10))
    kind("hdr_len_5", "malformed_hdr_len", "hdr_len 5 (below 6)", lambda: governed(hdr_len=5))
    kind("hdr_len_0", "malformed_hdr_len", "hdr_len 0", lambda: governed(hdr_len=0))
    kind("hdr_len_past_packet", "malformed_hdr_len", "hdr_len 40 (320 bytes) in a 92-byte UDP payload",
         lambda: governed(hdr_len=40))
    kind("inner4_total_length_too_big", "malformed_inner", "inner IPv4 total length one byte beyond the packet",
         lambda: governed(inner=inner4(total=20 + 8 + 16 + 1)))
    kind("inner4_total_length_below_ihl", "malformed_inner", "inner IPv4 total length 19 (< 20)",
         lambda: governed(inner=inner4(total=19)))
    kind("inner4_ihl_4", "malformed_inner", "inner IPv4 IHL 4", lambda: governed(inner=inner4(ihl=4)))
    kind("inner6_payload_length_too_big", "malformed_inner", "inner IPv6 payload length one byte beyond the packet",
         lambda: governed(inner=inner6(plen=8 + 16 + 1)))

    # -- outer IP header ------------------------------------------------------------------------------------------
    kind("outer_ipv4_ihl_4", "malformed_outer_ip", "outer IPv4 IHL 4 (below 5)",
         lambda: patch_byte(governed(), ETH, 0x44).fix_ipv4_checksum())
    kind("outer_version_6_in_ipv4", "malformed_outer_ip", "EtherType 0x0800, version nibble 6",
         lambda: patch_byte(governed(), ETH, 0x65).fix_ipv4_checksum())
    kind("outer_version_4_in_ipv6", "malformed_outer_ip", "EtherType 0x86DD, version nibble 4",
         lambda: patch_byte(governed("udp6"), ETH, 0x40))
    kind("outer_ipv4_first_fragment", "malformed_outer_ip",
         "governed first fragment (MF set, offset 0): the node does not reassemble",
         lambda: governed().set16(ETH + 6, 0x2000).fix_ipv4_checksum())

    # -- fixed-field checks ----------------------------------------------------------------------------------------
    for v in (0, 2, 15):
        kind(f"bad_version_{v}", "bad_version", f"version nibble {v}", lambda v=v: governed(ver_flags=v << 4))
    kind("flag_F_bit0", "reserved_bits",
         "ver_flags bit 0 (F, freshness block, DESIGN 1.8): checkReservedBits rejects the whole low nibble today",
         lambda: governed(ver_flags=0x11, options=b"\0" * 16))
    kind("flag_D_bit1", "reserved_bits",
         "ver_flags bit 1 (D, capability key, DESIGN 1.7): checkReservedBits rejects the whole low nibble today",
         lambda: governed(ver_flags=0x12))
    for bit in (2, 3):
        kind(f"reserved_flag_bit{bit}", "reserved_bits", f"ver_flags reserved bit {bit} (0x{1 << bit:02x}) set",
             lambda bit=bit: governed(ver_flags=0x10 | 1 << bit))
    for bit in list(range(3, 8)) + list(range(24, 32)):
        kind(f"reserved_constraint_bit_{bit}", "reserved_constraint_bits",
             f"constraint bit {bit} (0x{1 << bit:08x}) set, MAC valid", lambda bit=bit: governed(constraints=1 << bit))
    kind("next_proto_41_inner4", "next_proto_mismatch", "next_proto 41 with an inner IPv4 packet",
         lambda: governed(next_proto=41))
    kind("next_proto_4_inner6", "next_proto_mismatch", "next_proto 4 with an inner IPv6 packet",
         lambda: governed(inner=inner6(), next_proto=4))
    kind("next_proto_17", "next_proto_mismatch", "next_proto 17 (not an IP version)", lambda: governed(next_proto=17))
    kind("inner_version_5", "next_proto_mismatch", "next_proto 4, inner version nibble 5",
         lambda: governed(inner=inner4(version=5)))
    kind("hop_budget_0", "hop_budget_exhausted", "hop_budget 0, MAC valid", lambda: governed(hop=0))
    kind("unknown_critical_option", "unknown_critical_option", "option type 0x85 (critical, unknown)",
         lambda: governed(options=b"\x85\x02ab" + b"\0" * 4))
    kind("option_runs_past_hdr_len", "malformed_option", "pad-N of 7 at byte 49 ends 2 bytes past hdr_len * 8 = 56",
         lambda: governed(options=b"\x00\x01\x07" + b"\0" * 5))
    kind("option_length_byte_missing", "malformed_option", "an option type in the header's last byte, no length byte",
         lambda: governed(options=b"\0" * 7 + b"\x01"))

    # -- table checks --------------------------------------------------------------------------------------------------
    kind("bad_mac_tag_bit", "bad_mac", "lowest bit of the tag's last byte flipped",
         lambda: flipped(governed, lambda f: f.gov + 47))
    kind("bad_mac_scope_bit", "bad_mac", "scope 100 -> 101 after sealing (a covered field; 101 is entitled)",
         lambda: flipped(governed, lambda f: f.gov + 7))
    kind("bad_mac_inner_source_ipv4", "bad_mac", "inner IPv4 source 10.1.0.1 -> 10.1.0.0 after sealing",
         lambda: flipped(governed, lambda f: f.inner + 15))
    kind("bad_mac_inner_source_ipv6", "bad_mac", "inner IPv6 source, last bit flipped (UDP/IPv6 carrier)",
         lambda: flipped(lambda: governed("udp6", inner=inner6()), lambda f: f.inner + 23))
    kind("bad_mac_inner_destination_ipv4", "bad_mac", "inner IPv4 destination changed after sealing",
         lambda: flipped(governed, lambda f: f.inner + 19))
    kind("bad_mac_other_authority_key", "bad_mac", "labelled authority 7 epoch 1, sealed with authority 9001's key",
         lambda: governed(key=GATEWAY_KEY))
    kind("unknown_authority", "unknown_authority", "authority 8 is not configured", lambda: governed(authority=8))
    kind("unknown_epoch", "unknown_epoch", "authority 7 has no key for epoch 2", lambda: governed(epoch=2))
    kind("valid_expiry_within_skew", FWD, "expiry == now - skew: the last second accepted",
         lambda: governed(expiry=NOW - SKEW))
    kind("valid_expiry_at_max_lifetime", FWD, "expiry == now + max lifetime + skew: the furthest expiry accepted",
         lambda: governed(expiry=NOW + MAX_LIFETIME + SKEW))
    kind("expired_past_skew", "expired", "expiry == now - skew - 1", lambda: governed(expiry=NOW - SKEW - 1))
    kind("lifetime_too_long", "lifetime_too_long", "expiry == now + max lifetime + skew + 1",
         lambda: governed(expiry=NOW + MAX_LIFETIME + SKEW + 1))

    # -- the Ethernet carrier (0x88B5) ----------------------------------------------------------------------------------
    kind("eth_gov_0_bytes", "malformed_truncated_gov", "EtherType 0x88B5 and nothing after", lambda: governed("eth").cut(ETH))
    kind("eth_gov_47_bytes", "malformed_truncated_gov", "47 bytes of governance header", lambda: governed("eth").cut(ETH + 47))
    kind("eth_vlan_gov_30_bytes", "malformed_truncated_gov", "802.1Q, 0x88B5, 30 bytes of header",
         lambda: governed("eth", vlan=VLAN_ID).cut(ETH + VLAN_TAG + 30))
    kind("eth_options_cut", "malformed_hdr_len", "hdr_len 8, frame ends 10 bytes into the 16 option bytes",
         lambda: governed("eth", options=b"\0" * 16).cut(ETH + GOV + 10))
    kind("eth_hdr_len_past_frame", "malformed_hdr_len", "hdr_len 40 in a 92-byte governed packet",
         lambda: governed("eth", hdr_len=40))
    kind("eth_inner_absent", "malformed_inner", "header only, no inner packet", lambda: governed("eth").cut(ETH + GOV))
    kind("eth_inner4_12_bytes", "malformed_inner", "12 bytes of inner IPv4 header", lambda: governed("eth").cut(ETH + GOV + 12))
    kind("eth_inner6_30_bytes", "malformed_inner", "30 bytes of inner IPv6 header",
         lambda: governed("eth", inner=inner6()).cut(ETH + GOV + 30))
    kind("eth_inner4_total_length_past_frame", "malformed_inner", "frame 4 bytes short of the inner IPv4 total length",
         lambda: governed("eth").cut(ETH + GOV + 20 + 8 + 16 - 4))
    kind("eth_inner6_payload_length_past_frame", "malformed_inner", "frame 4 bytes short of the inner IPv6 payload length",
         lambda: governed("eth", inner=inner6()).cut(ETH + GOV + 40 + 8 + 16 - 4))
    kind("eth_bad_version_2", "bad_version", "Ethernet carrier, version 2", lambda: governed("eth", ver_flags=0x20))
    kind("eth_reserved_flag_bit2", "reserved_bits", "Ethernet carrier, ver_flags 0x14", lambda: governed("eth", ver_flags=0x14))
    kind("eth_hop_budget_0", "hop_budget_exhausted", "Ethernet carrier, hop_budget 0", lambda: governed("eth", hop=0))
    kind("eth_reserved_constraint_bit_31", "reserved_constraint_bits", "Ethernet carrier, constraint bit 31",
         lambda: governed("eth", constraints=1 << 31))
    kind("eth_next_proto_41_inner4", "next_proto_mismatch", "Ethernet carrier, next_proto 41, inner IPv4",
         lambda: governed("eth", next_proto=41))
    kind("eth_unknown_critical_option", "unknown_critical_option", "Ethernet carrier, option type 0xFF",
         lambda: governed("eth", options=b"\xff\x00" + b"\0" * 6))
    kind("eth_bad_mac_inner_destination", "bad_mac", "Ethernet carrier, inner IPv6 destination flipped",
         lambda: flipped(lambda: governed("eth", inner=inner6()), lambda f: f.inner + 39))
    kind("eth_unknown_authority", "unknown_authority", "Ethernet carrier, authority 9 (not configured)",
         lambda: governed("eth", authority=9))
    kind("eth_expired", "expired", "Ethernet carrier, expired an hour ago", lambda: governed("eth", expiry=NOW - 3600))


# ---- helpers for the kinds above -------------------------------------------------------------------------------------

def cut_at(f, layer, n):
    return f.cut(getattr(f, layer) + n)


def lie16(f, layer, offset, delta):
    at = getattr(f, layer) + offset
    return f.set16(at, struct.unpack_from("!H", f.data, at)[0] + delta)


def patch_byte(f, offset, value):
    f.data[offset] = value
    return f


def with_inner(inner, n):
    """A sealed header and the first n bytes of `inner` (sealed for the whole packet's addresses)."""
    return gov(inner) + inner[:n]


def outer6_ext(ext, first_nh):
    """A valid governed UDP/IPv6 packet with the extension header `ext` between IPv6 and UDP."""
    f = governed("udp6")
    ip = f.data[ETH:ETH + IP6]
    seg = bytes(f.data[ETH + IP6:])
    ip[6] = first_nh
    ip[4:6] = struct.pack("!H", len(ext) + len(seg))
    return bytes(f.data[:ETH]) + bytes(ip) + ext + seg


def udp_shorter_than_ip():
    f = governed(trailer=b"\0" * 8)
    return lie16(f, "l3", 2, +8).fix_ipv4_checksum()


def jumbo_inner_lie():
    f = sized("udp4", 3000)
    at = f.inner + 2
    return f.set16(at, struct.unpack_from("!H", f.data, at)[0] + 100)


def jumbo_straddle():
    # hdr_len 250: 2000 bytes of header at byte 42, so the inner header starts at 2042.
    options = b"\x01\xff" + b"\0" * 255 + b"\x01\xff" + b"\0" * 255 + b"\x01\xff" + b"\0" * 255
    options += b"\x01\xff" + b"\0" * 255 + b"\x01\xff" + b"\0" * 255 + b"\x01\xff" + b"\0" * 255
    options += b"\x01\xff" + b"\0" * 255
    options += b"\x01" + bytes([2000 - GOV - len(options) - 2]) + b"\0" * (2000 - GOV - len(options) - 2)
    assert len(options) == 2000 - GOV
    size = 3000 - (ETH + IP4 + UDPH + 2000 + IP4 + 8)
    f = governed(inner=inner4(size=size), options=options)
    assert f.inner == 2042 and len(f.data) == 3000, (f.inner, len(f.data))
    return f


# ---- output ----------------------------------------------------------------------------------------------------------

def build():
    global RNG
    RNG = random.Random(4742)
    KINDS.clear()
    self_test()
    define()
    for k in KINDS:
        assert k["reason"] == "forwarded" or k["kind"], k
        assert 0 < len(k["frame"]) <= 9000, (k["kind"], len(k["frame"]))
    packets = sum(k["count"] for k in KINDS)
    forwarded = sum(k["count"] for k in KINDS if k["reason"] == "forwarded")
    doc = {
        "generator": "tools/malformed-corpus.py",
        "config": CONFIG,
        "ingress": INGRESS,
        "now": NOW,
        "packets": packets,
        "forwarded": forwarded,
        "kinds": [{x: k[x] for x in ("kind", "reason", "count", "description")} for k in KINDS],
    }
    return doc, [k["frame"] for k in KINDS for _ in range(k["count"])]


def pcap_bytes(frames):
    """Classic pcap, little-endian, microseconds; packet i at NOW + i microseconds."""
    out = io.BytesIO()
    out.close = lambda: None          # RawPcapWriter closes its file; keep the buffer
    w = RawPcapWriter(out, linktype=1, endianness="<", snaplen=65535)
    w._write_header(None)
    for i, frame in enumerate(frames):
        w.write_packet(frame, sec=NOW, usec=i)
    w.flush()
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "),
                                     epilog="See the module docstring (the first lines of this file) for the format.")
    parser.add_argument("--out-dir", type=pathlib.Path, default=OUT_DIR,
                        help="where to write corpus.pcap and expected.json (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="compare with the files instead of writing them")
    parser.add_argument("--list", action="store_true", help="print the kinds (row, kind, reason, count, frame length)")
    args = parser.parse_args()

    doc, frames = build()
    text = json.dumps(doc, indent=1) + "\n"
    capture = pcap_bytes(frames)
    if args.list:
        row = 0
        for k in KINDS:
            print(f"{row:4} {k['kind']:42} {k['reason']:26} x{k['count']} {len(k['frame']):5} B")
            row += k["count"]
        print(f"{len(KINDS)} kinds, {doc['packets']} packets, {doc['forwarded']} forwarded")
        return 0
    pcap_path, json_path = args.out_dir / "corpus.pcap", args.out_dir / "expected.json"
    if args.check:
        stale = [p for p, data in ((pcap_path, capture), (json_path, text.encode()))
                 if not p.exists() or p.read_bytes() != data]
        if stale:
            print("out of date: " + ", ".join(map(str, stale)) + ": run tools/malformed-corpus.py", file=sys.stderr)
            return 1
        count = sum(1 for _ in RawPcapReader(str(pcap_path)))
        assert count == doc["packets"], (count, doc["packets"])
        print(f"{pcap_path}: {len(KINDS)} kinds, {count} packets, up to date")
        return 0
    args.out_dir.mkdir(parents=True, exist_ok=True)
    pcap_path.write_bytes(capture)
    json_path.write_text(text)
    print(f"wrote {len(KINDS)} kinds, {doc['packets']} packets ({doc['forwarded']} to forward) to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
