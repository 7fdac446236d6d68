/// The textual form of ``Constraints`` used by tools and configuration:
/// a hex or decimal number (`0x00020301`), or a comma-separated list of names
/// (`audit,no-export,encrypted-only,rate=3,label=2`; `none` for 0).
extension Constraints: CustomStringConvertible {
    /// A syntax error in a constraints string, naming the part that is wrong.
    public struct SyntaxError: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// Parses the number or the list of names.
    ///
    /// ```swift
    /// try Constraints(parsing: "audit,rate=3")  // rawValue 0x0000_0302
    /// try Constraints(parsing: "0x00020301")   // no-export, rate 3, label 2
    /// ```
    /// A number may set reserved bits (to craft invalid packets); names cannot.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingSpaces()
        if let value = Self.parseNumber(trimmed) {
            self.init(rawValue: value)
            return
        }
        guard !trimmed.isEmpty else { throw SyntaxError(description: "empty constraints") }
        var result = Constraints()
        for part in trimmed.split(separator: ",").map({ String($0).trimmingSpaces().lowercased() }) {
            let pieces = part.split(separator: "=", maxSplits: 1).map(String.init)
            switch (pieces.first ?? "", pieces.count) {
            case ("none", 1): break
            case ("no-export", 1), ("no_export", 1): result.rawValue |= Self.noExportBit
            case ("audit", 1): result.rawValue |= Self.auditBit
            case ("encrypted-only", 1), ("encrypted_only", 1): result.rawValue |= Self.encryptedOnlyBit
            case ("rate", 2), ("rate-class", 2), ("rate_class", 2):
                guard let v = UInt8(pieces[1]) else {
                    throw SyntaxError(description: "rate class '\(Redaction.shown(pieces[1]))' is not a number 0-255")
                }
                result.rawValue = result.rawValue & ~(0xFF << Self.rateClassShift) | UInt32(v) << Self.rateClassShift
            case ("label", 2):
                guard let v = UInt8(pieces[1]) else {
                    throw SyntaxError(description: "label '\(Redaction.shown(pieces[1]))' is not a number 0-255")
                }
                result.rawValue = result.rawValue & ~(0xFF << Self.labelShift) | UInt32(v) << Self.labelShift
            default:
                throw SyntaxError(description: "unknown constraint '\(Redaction.shown(part))' (known: none, no-export, audit, "
                    + "encrypted-only, rate=N, label=N, or a number such as 0x00020301)")
            }
        }
        self = result
    }

    /// The list of names, e.g. `no-export,audit,rate=3,label=2`, or `none`. Reserved bits,
    /// which have no name, are appended as `reserved=0x...`.
    public var description: String {
        var parts: [String] = []
        if noExport { parts.append("no-export") }
        if audit { parts.append("audit") }
        if encryptedOnly { parts.append("encrypted-only") }
        if rateClass != 0 { parts.append("rate=\(rateClass)") }
        if label != 0 { parts.append("label=\(label)") }
        if hasReservedBits { parts.append("reserved=0x" + String(rawValue & Self.reservedMask, radix: 16)) }
        return parts.isEmpty ? "none" : parts.joined(separator: ",")
    }

    static func parseNumber(_ text: String) -> UInt32? {
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return UInt32(text.dropFirst(2), radix: 16) }
        return UInt32(text)
    }
}

fileprivate extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
