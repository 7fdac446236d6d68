/// The checks of DESIGN 1.6 on the fields of a governance header, one small function each,
/// named after what it checks. Each returns nil when the check passes, else the drop reason.
///
/// ``GovParser`` runs the ones that need no table, in this order: ``checkVersion()``,
/// ``checkReservedBits()``, ``checkHeaderLength(available:)``, ``checkHopBudget()``,
/// ``checkConstraints()``, options, ``checkNextProto()``, then
/// ``checkNextProto(innerVersion:)`` on the inner packet. The verify stage runs
/// ``checkExpiry(now:skew:maxLifetime:)`` once the authority is known, then the MAC.
extension GovHeader {
    /// The version nibble is 1.
    @inlinable
    public func checkVersion() -> DropReason? {
        version == GovWire.version ? nil : .badVersion
    }

    /// The reserved low nibble of `ver_flags` is 0.
    @inlinable
    public func checkReservedBits() -> DropReason? {
        verFlags & 0x0F == 0 ? nil : .reservedBits
    }

    /// `hdr_len >= 6` and the header fits in the `available` bytes from its start.
    @inlinable
    public func checkHeaderLength(available: Int) -> DropReason? {
        hdrLen >= GovWire.minimumHdrLen && headerLength <= available ? nil : .malformedHdrLen
    }

    /// The packet has a governed hop left.
    @inlinable
    public func checkHopBudget() -> DropReason? {
        hopBudget > 0 ? nil : .hopBudgetExhausted
    }

    /// No reserved constraint bit is set.
    @inlinable
    public func checkConstraints() -> DropReason? {
        constraints.hasReservedBits ? .reservedConstraintBits : nil
    }

    /// `next_proto` names an IP version: 4 or 41.
    @inlinable
    public func checkNextProto() -> DropReason? {
        nextProto == GovWire.nextProtoIPv4 || nextProto == GovWire.nextProtoIPv6 ? nil : .nextProtoMismatch
    }

    /// `next_proto` matches the version nibble of the inner IP header.
    @inlinable
    public func checkNextProto(innerVersion: UInt8) -> DropReason? {
        let expected: UInt8 = nextProto == GovWire.nextProtoIPv4 ? 4 : 6
        return innerVersion == expected ? nil : .nextProtoMismatch
    }

    /// The expiry against the node's clock.
    ///
    /// - `expired` when `now > expiry + skew`: valid through the `expiry` second itself,
    ///   and up to `skew` seconds after it.
    /// - `lifetime_too_long` when `expiry > now + maxLifetime + skew`.
    ///
    /// For example with `expiry` 1000 and `skew` 30: `now` 1030 passes, 1031 is expired.
    /// Arranged so that no sum can overflow, whatever `now` is.
    @inlinable
    public func checkExpiry(now: UInt64, skew: UInt32, maxLifetime: UInt32) -> DropReason? {
        let expiry = UInt64(self.expiry)
        if now > expiry + UInt64(skew) { return .expired }
        let headroom = UInt64(maxLifetime) + UInt64(skew)
        if expiry > headroom && expiry - headroom > now { return .lifetimeTooLong }
        return nil
    }
}

/// The expiries ``GovHeader/checkExpiry(now:skew:maxLifetime:)`` accepts at one time for one
/// authority, as one range: from `now - skew` (not expired) to `now + maxLifetime + skew`
/// (not too long-lived). ``contains(_:)`` is one subtraction and one compare; the parse stage
/// tests it per packet and calls `checkExpiry` only to name the reason of one outside it.
public struct ExpiryWindow: Sendable, Equatable {
    public let earliest: UInt64
    public let width: UInt64

    @inlinable
    public init(now: UInt32, skew: UInt32, maxLifetime: UInt32) {
        earliest = now > skew ? UInt64(now - skew) : 0
        width = UInt64(now) + UInt64(maxLifetime) + UInt64(skew) - earliest
    }

    @inlinable @inline(__always)
    public func contains(_ expiry: UInt32) -> Bool { UInt64(expiry) &- earliest <= width }
}
