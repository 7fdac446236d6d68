#!/usr/bin/python3
"""Writes the seed corpora of the libFuzzer targets (Fuzz/corpus/<target>/) from the project's
own inputs, so that fuzzing starts from every layout the node knows:

- packet: every frame of the test vectors (Tests/PipelineTests/Vectors/gov-v1.json) and of the
  malformed-packet corpus (Tests/GovFwdTests/Fixtures/malformed/corpus.pcap), one seed each,
  in FuzzPacketPath's input format (ingress port, segment size, then length-prefixed frames),
  on each of the fixture node's ports in turn and with small segments for some; valid packets
  sealed for the fixture node for every action (forward, AUDIT copy, strip at the legacy port,
  external, metered, push at the gateway, pass), alone, padded and chained; and whole bursts.
  The fuzzer cannot forge a MAC: only such seeds reach the stages after verify;
- config: the example configurations (configs/*.yaml) and the test node's;
- pcap: the bundled captures cut to their first 64 frames, the malformed corpus, and each
  of them as pcapng (written here, not by a tool), for libpcap's pcapng reader.

    tools/make-fuzz-seeds.py           # rewrite Fuzz/corpus
"""

import argparse
import hashlib
import importlib.util
import json
import pathlib
import shutil
import struct

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Fuzz/corpus"
PORTS = 5   # the ports of Tests/GovFwdTests/Fixtures/governed.yaml


def pcap_frames(path):
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    frames, at = [], 24
    while at + 16 <= len(data):
        _, _, incl, _ = struct.unpack(order + "IIII", data[at:at + 16])
        frames.append(data[at + 16:at + 16 + incl])
        at += 16 + incl
    return frames


def packet_seed(frames, port, segment):
    return bytes([port, segment]) + b"".join(struct.pack("!H", len(f)) + f for f in frames)


def pcap_file(frames):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    for i, f in enumerate(frames):
        out += struct.pack("<IIII", 1800000000, i, len(f), len(f)) + f
    return out


def pcapng_file(frames):
    def block(kind, body):
        body += b"\0" * (-len(body) % 4)
        length = 12 + len(body)
        return struct.pack("<II", kind, length) + body + struct.pack("<I", length)
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))          # section header
    out += block(0x00000001, struct.pack("<HHI", 1, 0, 65535))                   # interface: Ethernet
    for i, f in enumerate(frames):
        ts = 1800000000 * 1000000 + i
        out += block(0x00000006, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(f), len(f)) + f)
    return out


def write(folder, data, suffix=""):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / (hashlib.sha1(data).hexdigest()[:16] + suffix)).write_bytes(data)


def valid_seeds():
    """Frames the fixture node accepts, one per action, each alone and chained, from the corpus
    generator's builders (the fixture's keys and clock)."""
    spec = importlib.util.spec_from_file_location("corpus", ROOT / "tools/malformed-corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    frames = {
        "forward": corpus.governed("udp4").data,
        "audit": corpus.governed("udp4", constraints=1 << 1).data,
        "audit6": corpus.governed("udp6", inner=corpus.inner6(), constraints=1 << 1).data,
        "strip": corpus.governed("udp4", route_class=3).data,
        "strip-eth-vlan": corpus.governed("eth", vlan=42, route_class=3).data,
        "external": corpus.governed("udp4", route_class=2).data,
        "metered": corpus.governed("udp4", scope=102, constraints=1 << 8).data,
        "audit-jumbo": corpus.sized("udp4", 9000, constraints=1 << 1).data,
        "strip-jumbo": corpus.sized("udp4", 4000, route_class=3).data,
        "audit-padded": corpus.governed("udp4", constraints=1 << 1, trailer=bytes(3000)).data,
        "strip-padded": corpus.governed("udp4", route_class=3, trailer=bytes(2500)).data,
    }
    s, d = corpus.mv.ip_bytes("10.9.1.1"), corpus.mv.ip_bytes("10.2.0.2")
    plain = corpus.ether(corpus.ipv4(s, d, 17, corpus.mv.udp(s, d, 40000, 443, bytes(64))), 0x0800)
    return frames, plain


def main():
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    shutil.rmtree(OUT, ignore_errors=True)
    vectors = json.loads((ROOT / "Tests/PipelineTests/Vectors/gov-v1.json").read_text())["vectors"]
    frames = [bytes.fromhex(v["frame"]) for v in vectors]
    malformed = pcap_frames(ROOT / "Tests/GovFwdTests/Fixtures/malformed/corpus.pcap")
    for i, f in enumerate(frames + malformed):
        write(OUT / "packet", packet_seed([f], i % PORTS, 0 if i % 4 else 8))
    valid, plain = valid_seeds()
    for name, f in valid.items():
        for segment in (0, 8, 100, 255):
            write(OUT / "packet", packet_seed([bytes(f)], 0, segment))
    write(OUT / "packet", packet_seed([bytes(f) for f in valid.values()] * 2, 0, 0))
    write(OUT / "packet", packet_seed([plain, plain + bytes(3000)], 0, 0))      # port "in": push
    write(OUT / "packet", packet_seed([plain, plain + bytes(3000)], 3, 0))      # port "legacy": pass
    for port in range(PORTS):
        write(OUT / "packet", packet_seed(frames[:32], port, 0))
        write(OUT / "packet", packet_seed(malformed[port * 32:(port + 1) * 32], port, 0))

    for path in sorted((ROOT / "configs").glob("*.yaml")) + [ROOT / "Tests/GovFwdTests/Fixtures/governed.yaml"]:
        write(OUT / "config", path.read_bytes(), ".yaml")

    captures = [pcap_frames(ROOT / "configs/captures" / name)[:64] for name in ("demo-mixed.pcap", "demo-io.pcap")]
    captures.append(malformed)
    for c in captures:
        write(OUT / "pcap", pcap_file(c), ".pcap")
        write(OUT / "pcap", pcapng_file(c), ".pcapng")
    print(f"wrote {sum(1 for _ in OUT.rglob('*') if _.is_file())} seeds to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
