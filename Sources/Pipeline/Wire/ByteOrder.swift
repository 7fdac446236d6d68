/// Explicit network byte order for reading header fields.
extension UnsafeRawPointer {
    /// Reads the big-endian (network order) integer at `offset` bytes, at any alignment.
    ///
    /// ```swift
    /// let port = frame.loadBigEndian(at: udpOffset &+ 2, as: UInt16.self)
    /// ```
    /// The caller has checked that `offset + MemoryLayout<T>.size` bytes are readable.
    @inlinable @inline(__always)
    public func loadBigEndian<T: FixedWidthInteger>(at offset: Int, as type: T.Type) -> T {
        T(bigEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// Reads the byte at `offset`.
    @inlinable @inline(__always)
    public func loadByte(at offset: Int) -> UInt8 {
        load(fromByteOffset: offset, as: UInt8.self)
    }
}

extension UnsafeMutableRawPointer {
    /// Writes `value` in big-endian (network) order at `offset` bytes, at any alignment.
    @inlinable @inline(__always)
    public func storeBigEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self)
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` in big-endian (network) order.
    @inlinable
    public mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        var v = value.bigEndian
        Swift.withUnsafeBytes(of: &v) { append(contentsOf: $0) }
    }

    /// Overwrites `MemoryLayout<T>.size` bytes at `offset` with `value` in big-endian order.
    @inlinable
    public mutating func setBigEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        var v = value.bigEndian
        Swift.withUnsafeBytes(of: &v) { bytes in
            for (i, b) in bytes.enumerated() { self[offset + i] = b }
        }
    }

    /// Reads a big-endian integer at `offset`; traps when out of range (tools and tests only).
    @inlinable
    public func bigEndian<T: FixedWidthInteger>(at offset: Int, as type: T.Type) -> T {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= count, "read past the end of the bytes")
        return withUnsafeBytes { UnsafeRawPointer($0.baseAddress!).loadBigEndian(at: offset, as: T.self) }
    }
}
