import CDPDK
import Foundation
import Pipeline

/// One entry of Vectors/gov-v1.json (written by tools/make-vectors.py).
struct GovVector: Decodable {
    struct Authority: Decodable {
        struct Key: Decodable {
            var epoch: UInt16
            var key: String
        }
        var id: UInt32
        var max_lifetime: UInt32
        var keys: [Key]
    }

    /// Expected parsed fields of an accepted frame.
    struct Fields: Decodable {
        var carrier: String
        var vlan: UInt16?
        var gov_offset: Int
        var gov_length: Int
        var inner_offset: Int
        var ver_flags: UInt8
        var hdr_len: UInt8
        var next_proto: UInt8
        var hop_budget: UInt8
        var scope: UInt32
        var trust: UInt8
        var route_class: UInt8
        var epoch: UInt16
        var authority: UInt32
        var constraints: UInt32
        var expiry: UInt32
        var capability: UInt64
        var mac: String
        var inner_version: UInt8
        var inner_src: String
        var inner_dst: String
        var inner_protocol: UInt8
        var inner_dst_port: UInt16
    }

    var name: String
    var description: String
    var frame: String
    var udp_port: UInt16
    var authorities: [Authority]
    var now: UInt64
    var skew: UInt32
    var revoked: [UInt64]
    var expect: String
    var fields: Fields?

    var frameBytes: [UInt8] { HexBytes.decode(frame)! }

    static func loadAll() throws -> [GovVector] {
        struct File: Decodable {
            var version: Int
            var vectors: [GovVector]
        }
        guard let url = Bundle.module.url(forResource: "gov-v1", withExtension: "json", subdirectory: "Vectors") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Vectors/gov-v1.json"])
        }
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).vectors
    }
}

/// The outcome of running a frame through the node's checks.
enum Outcome: Equatable, CustomStringConvertible {
    case accept
    case drop(DropReason)

    var description: String {
        switch self {
        case .accept: "accept"
        case .drop(let reason): reason.name
        }
    }
}

/// A small test-side verify stage: parser and table-free checks, then the authority and
/// epoch from the vector's list, expiry, MAC (through `MACBurst`, as the pipeline does) and
/// revocation from the vector's list. The order is docs/protocol.md's acceptance order.
struct VectorDriver {
    let vector: GovVector
    let keys: [UInt32: (maxLifetime: UInt32, keys: [UInt16: CMACKey])]

    init(_ vector: GovVector) {
        self.vector = vector
        var keys: [UInt32: (maxLifetime: UInt32, keys: [UInt16: CMACKey])] = [:]
        for a in vector.authorities {
            var byEpoch: [UInt16: CMACKey] = [:]
            for k in a.keys { byEpoch[k.epoch] = CMACKey(hex: k.key)! }
            keys[a.id] = (a.max_lifetime, byEpoch)
        }
        self.keys = keys
    }

    func run() -> (Outcome, ParsedPacket) {
        let frame = vector.frameBytes
        return frame.withUnsafeBytes { buffer in
            let parsed = GovParser(udpPort: vector.udp_port).parse(buffer)
            return (verify(buffer.baseAddress!, parsed), parsed)
        }
    }

    private func verify(_ frame: UnsafeRawPointer, _ parsed: ParsedPacket) -> Outcome {
        if let reason = parsed.drop { return .drop(reason) }
        let header = parsed.header
        guard let authority = keys[header.authority.rawValue] else { return .drop(.unknownAuthority) }
        guard let key = authority.keys[header.epoch.rawValue] else { return .drop(.unknownEpoch) }
        if let reason = header.checkExpiry(now: vector.now, skew: vector.skew, maxLifetime: authority.maxLifetime) {
            return .drop(reason)
        }
        let burst = MACBurst(capacity: 1)
        burst.load(0, frame: frame, parsed: parsed, key: key.expanded)
        burst.compute(count: 1)
        guard burst.verify(0, against: frame + parsed.macOffset) else { return .drop(.badMAC) }
        if vector.revoked.contains(header.capability.rawValue) { return .drop(.revoked) }
        return .accept
    }
}
