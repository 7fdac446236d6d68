import Foundation
@testable import GovFwdCore

/// The frames of a capture, through the project's own reader (classic pcap, microsecond or
/// nanosecond; the pcap PMD writes nanosecond files). Timestamps are ignored.
func pcapPackets(_ url: URL) throws -> [[UInt8]] {
    var reader = try PcapReader(path: url.path)
    return try reader.readAll().map(\.data)
}
