import Glibc
import CDPDK

/// Act: the packet edits of the decided packets. Governed packets leave with `hop_budget`
/// decremented (the MAC does not cover it); through a legacy or gateway port (both face
/// hosts that do not speak GOV) they leave without the carrier and the governance header. Packets passed ungoverned leave unchanged.
/// Grouping by egress and transmitting is the engine's part (GovernEngine.swift).
extension GovernPipeline {
    @inline(__always)
    func actStage(count: Int) {
        let b = state
        for i in 0..<count where b.verdicts[i] == 0 {
            act(i, b, b.flags[i])
        }
    }

    /// The edits of packet `i`, going with flags `f`.
    @inline(__always)
    func act(_ i: Int, _ b: BurstState, _ f: PacketFlags) {
        // Most packets: governed, received governed, leaving governed (one test).
        if f.isDisjoint(with: [.passed, .pushed, .strip]) {
            decrementHopBudget(i, b)
        } else if f.contains(.strip) && !f.contains(.passed) {
            stripCarrier(i, b)
        }
    }

    /// `hop_budget - 1` (the parser guaranteed it is above 0). Under a non-zero outer UDP
    /// checksum (always over IPv6) the checksum is updated for the changed word
    /// `next_proto | hop_budget` (RFC 1624), a computed 0 being sent as 0xFFFF (RFC 768).
    /// Only the word's low byte changes, by one and without a borrow, so the update is the
    /// same as for a word of that byte alone: `next_proto` cancels out of ~m + m'.
    @inline(__always)
    func decrementHopBudget(_ i: Int, _ b: BurstState) {
        let frame = b.frames[i]
        let hop = b.parsed[i].hopBudgetOffset
        let old = frame.load(fromByteOffset: hop, as: UInt8.self)
        frame.storeBytes(of: old &- 1, toByteOffset: hop, as: UInt8.self)
        let udp = Int(b.parsed[i].udpOffset)
        if udp != 0 {
            let at = udp &+ 6
            let checksum = UnsafeRawPointer(frame).loadBigEndian(at: at, as: UInt16.self)
            if checksum != 0 {
                let updated = InternetChecksum.update(checksum, old: UInt16(old), new: UInt16(old &- 1))
                frame.storeBigEndian(updated == 0 ? 0xFFFF : updated, at: at)
            }
        }
    }

    /// Removes everything between the Ethernet addresses (and 802.1Q tag) and the inner IP
    /// packet, and any bytes after the inner packet's end (Ethernet padding, trailing bytes),
    /// in whichever segments they lie.
    @inline(__always)
    func stripCarrier(_ i: Int, _ b: BurstState) {
        let p = b.parsed[i]
        let m = b.mbufs[i].unsafelyUnwrapped
        let frame = b.frames[i]
        let addresses = p.hasVLAN ? 16 : 12
        let start = Int(p.innerOffset) &- addresses &- 2
        let end = Int(p.innerOffset) &+ p.innerPacketLength(in: UnsafeRawPointer(frame))
        if mbufPacketLength(m) > end { _ = cdpdk_pktmbuf_truncate(m, UInt32(truncatingIfNeeded: end)) }
        memmove(frame + start, frame, addresses)
        frame.storeBigEndian(p.innerVersion == 4 ? EtherType.ipv4 : EtherType.ipv6, at: start &+ addresses)
        if let moved = cdpdk_mbuf_adj(m, UInt16(truncatingIfNeeded: start)) { b.frames[i] = moved }
        b.flags[i].insert(.stripped)
    }
}
