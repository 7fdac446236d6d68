import Foundation

/// The packets of a classic libpcap file, for comparing what the engine wrote.
/// (The pcap PMD writes nanosecond-resolution files; timestamps are ignored.)
func pcapPackets(_ url: URL) throws -> [[UInt8]] {
    let bytes = [UInt8](try Data(contentsOf: url))
    guard bytes.count >= 24 else { throw CocoaError(.fileReadCorruptFile) }
    let magic = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
    let little: Bool
    switch magic {
    case 0xa1b2_c3d4, 0xa1b2_3c4d: little = true
    case 0xd4c3_b2a1, 0x4d3c_b2a1: little = false
    default: throw CocoaError(.fileReadCorruptFile)
    }
    func u32(_ at: Int) -> Int {
        let b = bytes[at..<at + 4].map(UInt32.init)
        return Int(little ? b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24 : b[3] | b[2] << 8 | b[1] << 16 | b[0] << 24)
    }
    var packets: [[UInt8]] = []
    var at = 24
    while at + 16 <= bytes.count {
        let captured = u32(at + 8)
        at += 16
        guard at + captured <= bytes.count else { throw CocoaError(.fileReadCorruptFile) }
        packets.append(Array(bytes[at..<at + captured]))
        at += captured
    }
    return packets
}
