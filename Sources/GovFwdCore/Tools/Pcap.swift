#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Classic libpcap capture files (the format of tcpdump and of DPDK's pcap PMD), Ethernet
/// link type only. No libpcap is needed.
///
/// ```
/// file header (24 bytes):  magic(4) version 2.4 (2+2) thiszone(4) sigfigs(4) snaplen(4) linktype(4)
/// record header (16 bytes): ts_sec(4) ts_usec or ts_nsec(4) incl_len(4) orig_len(4), then incl_len bytes
/// ```
/// The magic 0xa1b2c3d4 means microsecond timestamps, 0xa1b23c4d nanoseconds; its byte
/// order is the file's. The reader takes all four; the writer writes the host's order.
enum Pcap {
    /// DLT_EN10MB / LINKTYPE_ETHERNET.
    static let linkTypeEthernet: UInt32 = 1
    static let magicMicroseconds: UInt32 = 0xA1B2_C3D4
    static let magicNanoseconds: UInt32 = 0xA1B2_3C4D
    static let fileHeaderLength = 24
    static let recordHeaderLength = 16

    /// One captured frame.
    struct Record: Equatable {
        /// Capture time in nanoseconds since the Unix epoch.
        var timestampNanoseconds: UInt64
        /// The captured bytes (`incl_len` of them).
        var data: [UInt8]
        /// The frame's length on the wire (`orig_len`), at least `data.count`.
        var originalLength: Int
    }

    /// A file that is not a classic Ethernet pcap, or is cut short; names the file.
    struct FormatError: Error, CustomStringConvertible, Equatable {
        var description: String
    }
}

/// Writes a classic pcap file, one frame at a time.
final class PcapWriter {
    let path: String
    let nanosecondResolution: Bool
    private var file: UnsafeMutablePointer<FILE>?
    private(set) var recordCount = 0

    /// Creates (or truncates) `path` and writes the file header.
    init(path: String, nanosecondResolution: Bool = false, snapLength: UInt32 = 65535) throws {
        self.path = path
        self.nanosecondResolution = nanosecondResolution
        guard let file = fopen(path, "wb") else {
            throw Pcap.FormatError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        self.file = file
        var header: [UInt8] = []
        append(&header, nanosecondResolution ? Pcap.magicNanoseconds : Pcap.magicMicroseconds)
        append(&header, UInt16(2))
        append(&header, UInt16(4))
        append(&header, UInt32(0))  // thiszone: UTC
        append(&header, UInt32(0))  // sigfigs
        append(&header, snapLength)
        append(&header, Pcap.linkTypeEthernet)
        try put(header)
    }

    deinit {
        if let file { fclose(file) }
    }

    /// Appends one frame captured at `timestampNanoseconds` (Unix epoch).
    func write(_ frame: [UInt8], timestampNanoseconds: UInt64) throws {
        var record: [UInt8] = []
        record.reserveCapacity(Pcap.recordHeaderLength + frame.count)
        let seconds = timestampNanoseconds / 1_000_000_000
        let fraction = timestampNanoseconds % 1_000_000_000
        append(&record, UInt32(truncatingIfNeeded: seconds))
        append(&record, UInt32(nanosecondResolution ? fraction : fraction / 1000))
        append(&record, UInt32(frame.count))
        append(&record, UInt32(frame.count))
        record += frame
        try put(record)
        recordCount += 1
    }

    /// Flushes and closes the file.
    func close() throws {
        guard let file else { return }
        self.file = nil
        if fclose(file) != 0 {
            throw Pcap.FormatError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    private func put(_ bytes: [UInt8]) throws {
        guard let file else { throw Pcap.FormatError(description: "\(path) is already closed") }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        if written != bytes.count {
            throw Pcap.FormatError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Host byte order, as libpcap writes.
    private func append<T: FixedWidthInteger>(_ bytes: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }
}

/// Reads a classic pcap file of Ethernet frames.
struct PcapReader {
    /// True when the file's timestamps are nanoseconds (magic 0xa1b23c4d).
    let nanosecondResolution: Bool
    let snapLength: UInt32
    private let bytes: [UInt8]
    private let swapped: Bool
    private let name: String
    private var offset = Pcap.fileHeaderLength

    /// Reads the whole file at `path`.
    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Pcap.FormatError(description: "cannot read \(path)")
        }
        try self.init(bytes: Array(data), name: path)
    }

    /// Reads a file already in memory; `name` is used in errors.
    init(bytes: [UInt8], name: String = "pcap data") throws {
        self.bytes = bytes
        self.name = name
        guard bytes.count >= Pcap.fileHeaderLength else {
            throw Pcap.FormatError(description: "\(name) is not a pcap file: \(bytes.count) bytes, shorter than its header")
        }
        let magic = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        let nanoseconds: Bool, swap: Bool
        switch magic {
        case Pcap.magicMicroseconds: (nanoseconds, swap) = (false, false)
        case Pcap.magicNanoseconds: (nanoseconds, swap) = (true, false)
        case Pcap.magicMicroseconds.byteSwapped: (nanoseconds, swap) = (false, true)
        case Pcap.magicNanoseconds.byteSwapped: (nanoseconds, swap) = (true, true)
        case 0x0A0D_0D0A:
            throw Pcap.FormatError(description: "\(name) is a pcapng file; convert it with: editcap -F pcap \(name) out.pcap")
        default:
            throw Pcap.FormatError(description: "\(name) is not a pcap file (magic 0x\(String(magic, radix: 16)))")
        }
        nanosecondResolution = nanoseconds
        swapped = swap
        snapLength = Self.field(bytes, 16, swap)
        let linkType = Self.field(bytes, 20, swap)
        guard linkType == Pcap.linkTypeEthernet else {
            throw Pcap.FormatError(description: "\(name) has link type \(linkType), not Ethernet (1)")
        }
    }

    /// The next record, or nil at the end of the file.
    mutating func next() throws -> Pcap.Record? {
        guard offset < bytes.count else { return nil }
        guard bytes.count - offset >= Pcap.recordHeaderLength else {
            throw Pcap.FormatError(description: "\(name) is cut short in a record header at byte \(offset)")
        }
        let seconds = UInt64(field(offset)), fraction = UInt64(field(offset + 4))
        let included = Int(field(offset + 8)), original = Int(field(offset + 12))
        let start = offset + Pcap.recordHeaderLength
        guard included <= bytes.count - start else {
            throw Pcap.FormatError(description: "\(name) is cut short in the record at byte \(offset) "
                + "(\(included) bytes announced, \(bytes.count - start) left)")
        }
        offset = start + included
        return Pcap.Record(timestampNanoseconds: seconds * 1_000_000_000 + (nanosecondResolution ? fraction : fraction * 1000),
                           data: Array(bytes[start..<start + included]), originalLength: max(original, included))
    }

    /// Every record of the file.
    mutating func readAll() throws -> [Pcap.Record] {
        var records: [Pcap.Record] = []
        while let record = try next() { records.append(record) }
        return records
    }

    private func field(_ at: Int) -> UInt32 { Self.field(bytes, at, swapped) }

    /// The 32-bit field at `at`, in the file's byte order.
    private static func field(_ bytes: [UInt8], _ at: Int, _ swapped: Bool) -> UInt32 {
        let v = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt32.self) }
        return swapped ? v.byteSwapped : v
    }
}
