/// The option TLVs between byte 48 and `hdr_len * 8` (DESIGN 1.5).
///
/// ```
/// type 0:  | 0 |                       one byte of padding
/// other:   | type | len | len bytes |  type 1 = pad-N; high bit of type = critical
/// ```
/// Version 1 defines no option beyond padding, so an unknown critical type is a drop and
/// an unknown non-critical type is skipped.
public enum GovOptions {
    /// Walks the options of the header at `gov` whose length is `headerLength` bytes
    /// (already checked to lie inside the packet).
    ///
    /// - Returns: `malformed_option` when an option runs past `headerLength`,
    ///   `unknown_critical_option` for a critical type this node does not know, else nil.
    @inlinable
    public static func check(_ gov: UnsafeRawPointer, headerLength: Int) -> DropReason? {
        var i = GovWire.Offset.options
        while i < headerLength {
            let type = gov.loadByte(at: i)
            if type == GovWire.optionPad1 {
                i &+= 1
                continue
            }
            guard i &+ 2 <= headerLength else { return .malformedOption }
            let end = i &+ 2 &+ Int(gov.loadByte(at: i &+ 1))
            guard end <= headerLength else { return .malformedOption }
            if type & GovWire.optionCriticalBit != 0 && !isKnown(type) { return .unknownCriticalOption }
            i = end
        }
        return nil
    }

    /// Whether this node knows option `type`. Version 1 knows the two paddings.
    @inlinable
    public static func isKnown(_ type: UInt8) -> Bool {
        type == GovWire.optionPad1 || type == GovWire.optionPadN
    }
}
