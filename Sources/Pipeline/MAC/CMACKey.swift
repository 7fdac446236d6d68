import CDPDK

/// An AES-CMAC-128 key expanded once (round keys and subkeys K1, K2), for one
/// (authority, epoch). The expanded key lives in its own 64-byte-aligned memory, so
/// ``expanded`` can be stored in key tables and passed to `gov_cmac_burst`.
///
/// ```swift
/// let key = CMACKey(bytes: keyBytes)!
/// let tag = key.tag(of: MACInput.bytes(header: gov, source: src, destination: dst))
/// ```
/// The key bytes are never printed; the memory is zeroed when the key is released.
public final class CMACKey: @unchecked Sendable, CustomStringConvertible {
    /// The expanded key, valid as long as this object lives.
    public let expanded: UnsafePointer<gov_cmac_key>

    /// Expands a 16-byte key; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        let memory = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<gov_cmac_key>.size, alignment: 64)
            .bindMemory(to: gov_cmac_key.self, capacity: 1)
        bytes.withUnsafeBufferPointer { gov_cmac_key_expand(memory, $0.baseAddress!) }
        expanded = UnsafePointer(memory)
    }

    /// Expands a key given as 32 hexadecimal characters; nil if it is not exactly that.
    public convenience init?(hex: String) {
        guard let bytes = HexBytes.decode(hex), bytes.count == 16 else { return nil }
        self.init(bytes: bytes)
    }

    deinit {
        let memory = UnsafeMutableRawPointer(mutating: expanded)
        gov_wipe(memory, MemoryLayout<gov_cmac_key>.size)
        memory.deallocate()
    }

    /// The tag of one message of any length, written to `tag` (16 bytes).
    @inlinable
    public func tag(of message: UnsafeRawBufferPointer, into tag: UnsafeMutableRawPointer) {
        gov_cmac(expanded, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count,
                 tag.assumingMemoryBound(to: UInt8.self))
    }

    /// The 16-byte tag of `message`.
    public func tag(of message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: GovWire.macLength)
        message.withUnsafeBytes { m in out.withUnsafeMutableBytes { tag(of: m, into: $0.baseAddress!) } }
        return out
    }

    public var description: String { "CMACKey(redacted)" }
}

/// Hexadecimal text to bytes and back, for keys, tags and test vectors.
public enum HexBytes {
    /// Decodes pairs of hex digits, ignoring whitespace; nil on any other character or an odd count.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var high: UInt8? = nil
        for c in text.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c &- UInt8(ascii: "A") &+ 10
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): continue
            default: return nil
            }
            if let h = high {
                out.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return high == nil ? out : nil
    }

    /// Lower-case hex, two digits per byte.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
