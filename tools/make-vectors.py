#!/usr/bin/env python3
"""Writes Tests/PipelineTests/Vectors/gov-v1.json: test vectors for the governance header v1.

The frames are built here from DESIGN.md section 1 with struct packing, and sealed with the
`cryptography` package's AES-CMAC, independently of the Swift code, so that the node's parser,
checks and MAC are checked against a second implementation.

Each vector states the expected outcome: "accept" or the exact drop reason name (see
docs/protocol.md), with the parsed fields of accepted frames.

    python3 tools/make-vectors.py            # rewrite the file
    python3 tools/make-vectors.py --check    # fail if the file differs from what this writes
"""

import argparse
import ipaddress
import json
import pathlib
import struct
import sys

from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.cmac import CMAC

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/PipelineTests/Vectors/gov-v1.json"

GOV_PORT = 4742
ETH_GOV = 0x88B5
NOW = 1_750_000_000
SKEW = 30
MAX_LIFETIME = 86_400
AUTHORITY = 7
EPOCH = 3
KEY = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
OTHER_EPOCH = 4
OTHER_KEY = bytes.fromhex("f0e1d2c3b4a5968778695a4b3c2d1e0f")
AUTHORITIES = [{
    "id": AUTHORITY,
    "max_lifetime": MAX_LIFETIME,
    "keys": [{"epoch": EPOCH, "key": KEY.hex()}, {"epoch": OTHER_EPOCH, "key": OTHER_KEY.hex()}],
}]


# ---- checksums and headers (RFC 791, 768, 8200) ----------------------------------------------

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip_bytes(text):
    return ipaddress.ip_address(text).packed


def ipv4(src, dst, proto, payload, ihl_words=5, frag=0x4000, total=None):
    options = b"\0" * (4 * (ihl_words - 5))
    total = 20 + len(options) + len(payload) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl_words, 0, total, 0, frag, 64, proto, 0, src, dst) + options
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, nh, payload, plen=None):
    plen = len(payload) if plen is None else plen
    return struct.pack("!IHBB16s16s", 0x60000000, plen, nh, 64, src, dst) + payload


def udp(src, dst, sport, dport, payload, checksum=True, length=None):
    length = 8 + len(payload) if length is None else length
    h = struct.pack("!HHHH", sport, dport, length, 0)
    if not checksum:
        return h + payload
    if len(src) == 4:
        pseudo = src + dst + struct.pack("!BBH", 0, 17, 8 + len(payload))
    else:
        pseudo = src + dst + struct.pack("!IxxxB", 8 + len(payload), 17)
    c = csum(pseudo + h + payload) or 0xFFFF
    return h[:6] + struct.pack("!H", c) + payload


def ether(payload, ethertype, vlan=None):
    dst, src = bytes.fromhex("020000000002"), bytes.fromhex("020000000001")
    tag = b"" if vlan is None else struct.pack("!HH", 0x8100, vlan)
    return dst + src + tag + struct.pack("!H", ethertype) + payload


# ---- the governance header (DESIGN 1.2, 1.3) ---------------------------------------------------

def gov_fixed(hdr_len=6, next_proto=4, hop=8, scope=0x00010002, trust=50, route_class=2, epoch=EPOCH,
              authority=AUTHORITY, constraints=0x00020302, expiry=NOW + 3600, cap=0x1122334455667788,
              ver_flags=0x10):
    return struct.pack("!BBBBIBBHIIIQ", ver_flags, hdr_len, next_proto, hop, scope, trust, route_class, epoch,
                       authority, constraints, expiry, cap)


def mac_input(fixed32, src, dst):
    m = bytearray(fixed32)
    m[3] = 0
    m += src + dst
    if len(src) == 4:
        m += b"\0" * 8
    return bytes(m)


def cmac(key, msg):
    c = CMAC(algorithms.AES(key))
    c.update(msg)
    return c.finalize()


class Inner:
    """An inner packet and its addresses."""

    def __init__(self, version=4, src=None, dst=None, l4="udp", dport=443, size=16):
        self.version = version
        self.src = ip_bytes(src or ("10.1.0.1" if version == 4 else "fd00::1"))
        self.dst = ip_bytes(dst or ("10.2.0.2" if version == 4 else "fd00::2"))
        payload = bytes(range(size))
        if l4 == "udp":
            self.proto, self.dport = 17, dport
            seg = udp(self.src, self.dst, 40000, dport, payload)
        else:
            self.proto, self.dport = 50, 0
            seg = struct.pack("!II", 0x1000, 1) + payload
        self.bytes = ipv4(self.src, self.dst, self.proto, seg) if version == 4 else ipv6(self.src, self.dst, self.proto, seg)

    def addr_text(self, b):
        return str(ipaddress.ip_address(b))


def gov_header(inner, options=b"", key=KEY, sealed_hop=None, mac_src=None, mac_dst=None, **fields):
    """Fixed header + options, sealed over (header, flow). Fields override gov_fixed's defaults."""
    fields.setdefault("next_proto", 4 if inner.version == 4 else 41)
    fields.setdefault("hdr_len", (48 + len(options)) // 8)
    fixed = gov_fixed(**fields)
    sealed_fixed = fixed if sealed_hop is None else fixed[:3] + bytes([sealed_hop]) + fixed[4:]
    tag = cmac(key, mac_input(sealed_fixed, mac_src or inner.src, mac_dst or inner.dst))
    return fixed + tag + options


def udp_carrier(gov, inner, outer=4, vlan=None, dport=GOV_PORT):
    payload = gov + inner.bytes
    if outer == 4:
        s, d = ip_bytes("192.0.2.1"), ip_bytes("192.0.2.2")
        return ether(ipv4(s, d, 17, udp(s, d, 49152, dport, payload, checksum=False)), 0x0800, vlan)
    s, d = ip_bytes("2001:db8::1"), ip_bytes("2001:db8::2")
    return ether(ipv6(s, d, 17, udp(s, d, 49152, dport, payload)), 0x86DD, vlan)


def eth_carrier(gov, inner, vlan=None):
    return ether(gov + inner.bytes, ETH_GOV, vlan)


# ---- vectors -------------------------------------------------------------------------------------

VECTORS = []


def vector(name, description, frame, expect, fields=None, now=NOW, skew=SKEW, revoked=(), authorities=None,
           udp_port=GOV_PORT):
    v = {
        "name": name,
        "description": description,
        "frame": frame.hex(),
        "udp_port": udp_port,
        "authorities": authorities if authorities is not None else AUTHORITIES,
        "now": now,
        "skew": skew,
        "revoked": list(revoked),
        "expect": expect,
    }
    if fields is not None:
        v["fields"] = fields
    assert all(x["name"] != name for x in VECTORS), name
    VECTORS.append(v)


def fields_of(frame, inner, carrier, vlan=None, hop=8, gov_offset=None, gov_length=48, **over):
    """Expected parsed fields of an accepted frame, read back from the bytes built above."""
    g = gov_offset
    f = struct.unpack("!BBBBIBBHIIIQ", frame[g:g + 32])
    inner_off = g + gov_length
    d = {
        "carrier": carrier,
        "vlan": vlan,
        "gov_offset": g,
        "gov_length": gov_length,
        "inner_offset": inner_off,
        "ver_flags": f[0], "hdr_len": f[1], "next_proto": f[2], "hop_budget": f[3],
        "scope": f[4], "trust": f[5], "route_class": f[6], "epoch": f[7], "authority": f[8],
        "constraints": f[9], "expiry": f[10], "capability": f[11],
        "mac": frame[g + 32:g + 48].hex(),
        "inner_version": inner.version,
        "inner_src": inner.addr_text(inner.src),
        "inner_dst": inner.addr_text(inner.dst),
        "inner_protocol": inner.proto,
        "inner_dst_port": inner.dport,
    }
    assert d["hop_budget"] == hop
    d.update(over)
    return d


def build():
    ETH, VLAN_ETH, IP4, IP6, UDPH = 14, 18, 20, 40, 8

    # -- accepted ---------------------------------------------------------------------------------
    i4 = Inner(4)
    f = udp_carrier(gov_header(i4), i4)
    vector("accept_udp4_inner4", "UDP carrier over IPv4, inner IPv4/UDP: the common case", f, "accept",
           fields_of(f, i4, "udp4", gov_offset=ETH + IP4 + UDPH))

    i6 = Inner(6)
    f = udp_carrier(gov_header(i6), i6)
    vector("accept_udp4_inner6", "UDP carrier over IPv4, inner IPv6: the 64-byte MAC input", f, "accept",
           fields_of(f, i6, "udp4", gov_offset=ETH + IP4 + UDPH))

    f = udp_carrier(gov_header(i6), i6, outer=6)
    vector("accept_udp6_inner6", "UDP carrier over IPv6 (UDP checksum computed), inner IPv6", f, "accept",
           fields_of(f, i6, "udp6", gov_offset=ETH + IP6 + UDPH))

    f = udp_carrier(gov_header(i4), i4, outer=6)
    vector("accept_udp6_inner4", "UDP carrier over IPv6, inner IPv4", f, "accept",
           fields_of(f, i4, "udp6", gov_offset=ETH + IP6 + UDPH))

    f = udp_carrier(gov_header(i4), i4, vlan=100)
    vector("accept_udp4_vlan", "UDP carrier over IPv4 behind one 802.1Q tag (VLAN 100)", f, "accept",
           fields_of(f, i4, "udp4", vlan=100, gov_offset=VLAN_ETH + IP4 + UDPH))

    f = eth_carrier(gov_header(i4), i4)
    vector("accept_eth_inner4", "Ethernet carrier (EtherType 0x88B5), inner IPv4", f, "accept",
           fields_of(f, i4, "eth", gov_offset=ETH))

    f = eth_carrier(gov_header(i6), i6, vlan=4094)
    vector("accept_eth_vlan_inner6", "Ethernet carrier behind an 802.1Q tag (VLAN 4094), inner IPv6", f, "accept",
           fields_of(f, i6, "eth", vlan=4094, gov_offset=VLAN_ETH))

    opts = b"\x00" * 8
    f = udp_carrier(gov_header(i4, options=opts), i4)
    vector("accept_pad1_options", "hdr_len 7: eight pad-1 options", f, "accept",
           fields_of(f, i4, "udp4", gov_offset=ETH + IP4 + UDPH, gov_length=56))

    opts = b"\x01\x06" + b"\xee" * 6
    f = udp_carrier(gov_header(i4, options=opts), i4)
    vector("accept_padn_option", "hdr_len 7: one pad-N option of 6 value bytes", f, "accept",
           fields_of(f, i4, "udp4", gov_offset=ETH + IP4 + UDPH, gov_length=56))

    opts = b"\x00\x01\x00" + b"\x05\x03abc" + b"\x01\x03\0\0\0" + b"\x00\x00\x00"
    f = udp_carrier(gov_header(i6, options=opts), i6, outer=6)
    vector("accept_unknown_noncritical_option",
           "hdr_len 8: pad-1, pad-N of 0, unknown non-critical type 0x05 (skipped), pad-N, pad-1 x3", f, "accept",
           fields_of(f, i6, "udp6", gov_offset=ETH + IP6 + UDPH, gov_length=64))

    f = udp_carrier(gov_header(i4, hop=3, sealed_hop=8), i4)
    vector("accept_hop_budget_changed", "sealed with hop_budget 8, arrives with 3: hop_budget is not covered by the MAC",
           f, "accept", fields_of(f, i4, "udp4", hop=3, gov_offset=ETH + IP4 + UDPH))

    f = udp_carrier(gov_header(i4, expiry=NOW), i4)
    vector("accept_at_expiry_no_skew", "now == expiry, no skew: valid through the expiry second", f, "accept",
           fields_of(f, i4, "udp4", gov_offset=ETH + IP4 + UDPH), skew=0)

    f = udp_carrier(gov_header(i4, expiry=NOW - SKEW), i4)
    vector("accept_within_skew", "now == expiry + skew: the last accepted second", f, "accept",
           fields_of(f, i4, "udp4", gov_offset=ETH + IP4 + UDPH))

    f = udp_carrier(gov_header(i4, expiry=NOW + MAX_LIFETIME + SKEW), i4)
    vector("accept_at_max_lifetime", "expiry == now + max lifetime + skew: the furthest accepted expiry", f, "accept",
           fields_of(f, i4, "udp4", gov_offset=ETH + IP4 + UDPH))

    ie = Inner(4, l4="esp")
    f = eth_carrier(gov_header(ie, constraints=0x00000004), ie)
    vector("accept_encrypted_only_esp", "ENCRYPTED_ONLY with an inner ESP packet (protocol 50)", f, "accept",
           fields_of(f, ie, "eth", gov_offset=ETH))

    iw = Inner(6, dport=51820)
    f = udp_carrier(gov_header(iw, constraints=0x00000004), iw)
    vector("accept_encrypted_only_wireguard", "ENCRYPTED_ONLY with inner WireGuard (UDP 51820)", f, "accept",
           fields_of(f, iw, "udp4", gov_offset=ETH + IP4 + UDPH))

    f = udp_carrier(gov_header(i4), i4) + b"\0" * 6
    vector("accept_trailing_ethernet_padding", "6 bytes after the IP packet (Ethernet padding) are ignored", f, "accept",
           fields_of(f, i4, "udp4", gov_offset=ETH + IP4 + UDPH))

    f = udp_carrier(gov_header(i4), i4, dport=6081)
    vector("accept_configured_port", "UDP carrier on a node configured for port 6081", f, "accept",
           fields_of(f, i4, "udp4", gov_offset=ETH + IP4 + UDPH), udp_port=6081)

    f = udp_carrier(gov_header(i4, epoch=OTHER_EPOCH, key=OTHER_KEY), i4)
    vector("accept_second_epoch", "sealed with the authority's other key (epoch 4)", f, "accept",
           fields_of(f, i4, "udp4", gov_offset=ETH + IP4 + UDPH))

    # -- not governed ----------------------------------------------------------------------------
    f = udp_carrier(gov_header(i4), i4, dport=4789)
    vector("not_governed_udp_other_port", "UDP to port 4789 (VXLAN), not the governance port", f, "not_governed")

    s, d = ip_bytes("192.0.2.1"), ip_bytes("192.0.2.2")
    f = ether(ipv4(s, d, 6, b"\0" * 20), 0x0800)
    vector("not_governed_tcp", "plain IPv4/TCP", f, "not_governed")

    f = ether(b"\0" * 28, 0x0806)
    vector("not_governed_arp", "ARP frame", f, "not_governed")

    # -- malformed: truncations ------------------------------------------------------------------
    full = udp_carrier(gov_header(i4), i4)
    vector("malformed_truncated_l2", "10-byte frame: no EtherType", full[:10], "malformed_truncated_l2")

    vlan_frame = udp_carrier(gov_header(i4), i4, vlan=7)
    vector("malformed_truncated_l2_vlan", "802.1Q tag cut before the inner EtherType", vlan_frame[:16],
           "malformed_truncated_l2")

    vector("malformed_truncated_ip_header", "frame ends 12 bytes into the outer IPv4 header", full[:ETH + 12],
           "malformed_truncated_ip")

    vector("malformed_truncated_ip_total_length",
           "frame cut 20 bytes into the governance header; the IPv4 total length says more", full[:ETH + IP4 + UDPH + 20],
           "malformed_truncated_ip")

    gov = gov_header(i4)
    f = ether(ipv4(s, d, 17, udp(s, d, 49152, GOV_PORT, gov[:30], checksum=False)), 0x0800)
    vector("malformed_truncated_gov_udp", "consistent IPv4 and UDP lengths around only 30 bytes of governance header",
           f, "malformed_truncated_gov")

    f = eth_carrier(gov_header(i4), i4)[:ETH + 47]
    vector("malformed_truncated_gov_eth", "Ethernet carrier with 47 bytes of governance header", f,
           "malformed_truncated_gov")

    f = ether(ipv4(s, d, 17, udp(s, d, 49152, GOV_PORT, b"", checksum=False)[:4]), 0x0800)
    vector("malformed_truncated_udp", "IPv4 packet with only 4 bytes of UDP header", f, "malformed_truncated_udp")

    f = ether(ipv4(s, d, 17, udp(s, d, 49152, GOV_PORT, gov + i4.bytes, checksum=False,
                               length=8 + len(gov) + len(i4.bytes) + 1)), 0x0800)
    vector("malformed_udp_length", "UDP length one byte beyond the IPv4 packet", f, "malformed_truncated_udp")

    f = eth_carrier(gov_header(i4), i4)[:ETH + 48 + 12]
    vector("malformed_inner_truncated_ipv4", "inner IPv4 header cut after 12 bytes", f, "malformed_inner")

    f = eth_carrier(gov_header(i6), i6)[:ETH + 48 + 30]
    vector("malformed_inner_truncated_ipv6", "inner IPv6 header cut after 30 bytes", f, "malformed_inner")

    f = eth_carrier(gov_header(i4), i4)[:ETH + 48]
    vector("malformed_inner_absent", "header only, no inner packet", f, "malformed_inner")

    f = eth_carrier(gov_header(i4), i4)[:-4]
    vector("malformed_inner_total_length", "inner IPv4 total length 4 bytes beyond the frame", f, "malformed_inner")

    # -- malformed: outer IP -----------------------------------------------------------------------
    f = ether(ipv4(s, d, 17, udp(s, d, 49152, GOV_PORT, gov + i4.bytes, checksum=False), ihl_words=5), 0x0800)
    f = f[:ETH] + bytes([0x44]) + f[ETH + 1:]
    vector("malformed_outer_ihl", "outer IPv4 IHL 4 (below the minimum 5)", f, "malformed_outer_ip")

    f = ether(ipv4(s, d, 17, udp(s, d, 49152, GOV_PORT, gov + i4.bytes, checksum=False), frag=0x2000), 0x0800)
    vector("malformed_outer_fragment", "governed first fragment (MF set): the node does not reassemble", f,
           "malformed_outer_ip")

    # -- malformed: header length and options -------------------------------------------------------
    f = udp_carrier(gov_header(i4, hdr_len=5), i4)
    vector("malformed_hdr_len_below_6", "hdr_len 5", f, "malformed_hdr_len")

    f = eth_carrier(gov_header(i4, hdr_len=40), i4)
    vector("malformed_hdr_len_past_packet", "hdr_len 40 (320 bytes) in a 92-byte governed packet", f,
           "malformed_hdr_len")

    opts = b"\x00\x01\x07" + b"\0" * 5
    f = udp_carrier(gov_header(i4, options=opts), i4)
    vector("malformed_option_past_header", "pad-N of 7 starting at byte 49 runs 2 bytes past hdr_len * 8 = 56", f,
           "malformed_option")

    opts = b"\x00" * 7 + b"\x01"
    f = udp_carrier(gov_header(i4, options=opts), i4)
    vector("malformed_option_no_length", "an option type in the header's last byte, without its length byte", f,
           "malformed_option")

    opts = b"\x85\x02ab" + b"\x00" * 4
    f = udp_carrier(gov_header(i4, options=opts), i4)
    vector("unknown_critical_option", "option type 0x85: critical, unknown to version 1", f, "unknown_critical_option")

    # -- fixed-field checks -----------------------------------------------------------------------------
    f = udp_carrier(gov_header(i4, ver_flags=0x20), i4)
    vector("bad_version", "version 2", f, "bad_version")

    f = udp_carrier(gov_header(i4, ver_flags=0x11), i4)
    vector("reserved_nibble", "version 1 with reserved nibble 1", f, "reserved_bits")

    f = udp_carrier(gov_header(i4, constraints=0x00000008), i4)
    vector("reserved_constraint_bit_3", "constraint bit 3 (reserved, low range) set; MAC valid", f,
           "reserved_constraint_bits")

    f = udp_carrier(gov_header(i4, constraints=0x80000000), i4)
    vector("reserved_constraint_bit_31", "constraint bit 31 (reserved, high range) set; MAC valid", f,
           "reserved_constraint_bits")

    f = udp_carrier(gov_header(i4, hop=0), i4)
    vector("hop_budget_exhausted", "hop_budget 0 with a valid MAC", f, "hop_budget_exhausted")

    f = udp_carrier(gov_header(i4, next_proto=41), i4)
    vector("next_proto_mismatch_version", "next_proto 41 with an inner IPv4 packet", f, "next_proto_mismatch")

    f = udp_carrier(gov_header(i4, next_proto=17), i4)
    vector("next_proto_not_ip", "next_proto 17 (not an IP version)", f, "next_proto_mismatch")

    # -- table checks: authority, expiry, MAC, revocation -------------------------------------------------
    f = udp_carrier(gov_header(i4, authority=8), i4)
    vector("unknown_authority", "authority 8 is not configured", f, "unknown_authority")

    f = udp_carrier(gov_header(i4, epoch=9), i4)
    vector("unknown_epoch", "authority 7 has no key for epoch 9", f, "unknown_epoch")

    f = udp_carrier(gov_header(i4, expiry=NOW - 1), i4)
    vector("expired_one_second_no_skew", "now == expiry + 1 with no skew", f, "expired", skew=0)

    f = udp_carrier(gov_header(i4, expiry=NOW - SKEW - 1), i4)
    vector("expired_beyond_skew", "now == expiry + skew + 1: one second beyond the skew", f, "expired")

    f = udp_carrier(gov_header(i4, expiry=NOW + MAX_LIFETIME + SKEW + 1), i4)
    vector("lifetime_too_long", "expiry one second beyond now + max lifetime + skew", f, "lifetime_too_long")

    good = bytearray(udp_carrier(gov_header(i4), i4))
    g = ETH + IP4 + UDPH
    f = bytearray(good)
    f[g + 32 + 15] ^= 0x01
    vector("bad_mac_flipped_tag_bit", "lowest bit of the tag's last byte flipped", bytes(f), "bad_mac")

    f = bytearray(good)
    f[g + 4 + 3] ^= 0x01
    vector("bad_mac_flipped_scope", "scope_id changed after sealing (a covered byte)", bytes(f), "bad_mac")

    f = udp_carrier(gov_header(i4, mac_src=ip_bytes("10.1.0.9")), i4)
    vector("bad_mac_wrong_source", "sealed for inner source 10.1.0.9, sent from 10.1.0.1: the flow binding",
           f, "bad_mac")

    f = udp_carrier(gov_header(i6, mac_dst=ip_bytes("fd00::3")), i6, outer=6)
    vector("bad_mac_wrong_destination_ipv6", "sealed for inner destination fd00::3, sent to fd00::2", f, "bad_mac")

    f = udp_carrier(gov_header(i4, key=OTHER_KEY), i4)
    vector("bad_mac_wrong_epoch_key", "sealed with epoch 4's key but labelled epoch 3", f, "bad_mac")

    f = udp_carrier(gov_header(i4, cap=0x1122334455667788), i4)
    vector("revoked", "capability 0x1122334455667788 is on the revocation list", f, "revoked",
           revoked=[0x1122334455667788, 42])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the file instead of writing it")
    args = parser.parse_args()
    build()
    doc = {
        "format": "govfwd test vectors",
        "version": 1,
        "generator": "tools/make-vectors.py",
        "design": "DESIGN.md section 1; docs/protocol.md",
        "vectors": VECTORS,
    }
    text = json.dumps(doc, indent=1) + "\n"
    if args.check:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT} is out of date: run tools/make-vectors.py", file=sys.stderr)
            return 1
        print(f"{OUT}: {len(VECTORS)} vectors, up to date")
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text)
    print(f"wrote {len(VECTORS)} vectors to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
