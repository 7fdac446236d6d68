// Reading typed values out of the YAML node tree, reporting every problem with its line.

import Yams

/// A node of the file with the path and line to name in an error.
struct Value {
    let node: Node
    /// Field path inside the resource: `spec.keys[1].key`.
    let path: String
    /// Line of the value itself.
    let line: Int
    /// Line of the key that holds the value (the line a "missing field" error points at).
    let keyLine: Int
}

/// The fields of one YAML mapping, each checked against the list of known names.
struct Fields {
    let value: Value
    private var entries: [String: Value] = [:]

    fileprivate init(value: Value, entries: [String: Value]) {
        self.value = value
        self.entries = entries
    }

    /// The path of a child field.
    func path(_ name: String) -> String {
        value.path.isEmpty ? name : value.path + "." + name
    }

    /// The field, if given.
    subscript(_ name: String) -> Value? { entries[name] }

    /// Whether the field is given.
    func has(_ name: String) -> Bool { entries[name] != nil }
}

/// Reads values for one resource and reports problems to the diagnostics.
struct Reader {
    let diagnostics: Diagnostics
    /// The file as the user named it.
    let file: String
    /// `Kind "name"` of the resource being read.
    var resource: String?

    // MARK: Reporting

    func error(_ path: String, line: Int?, _ message: String) {
        diagnostics.report(ConfigError(file: file, line: line, resource: resource, field: path, message: message))
    }

    func error(_ value: Value, _ message: String) {
        error(value.path, line: value.line, message)
    }

    /// Reports a required field that is absent.
    func missing(_ fields: Fields, _ name: String) {
        error(fields.path(name), line: fields.value.keyLine, "required field is missing")
    }

    /// The field, or `nil` after reporting that it is missing.
    func require(_ fields: Fields, _ name: String) -> Value? {
        if let value = fields[name] { return value }
        missing(fields, name)
        return nil
    }

    // MARK: Structure

    /// The node as a mapping whose keys are all in `known`; reports unknown and repeated
    /// fields (with a suggestion for a likely typo) and returns `nil` if it is not a mapping.
    func fields(_ value: Value, known: [String]) -> Fields? {
        guard case .mapping(let mapping) = value.node else {
            error(value, "expected a mapping of fields, got \(describeKind(value.node))")
            return nil
        }
        var entries: [String: Value] = [:]
        for (keyNode, valueNode) in mapping {
            let keyLine = keyNode.mark?.line ?? value.line
            guard case .scalar(let key) = keyNode else {
                error(value.path, line: keyLine, "field names must be plain words")
                continue
            }
            let name = key.string
            let shownName = quoted(name).hasPrefix("\"") ? name : "(field not shown)"
            let path = value.path.isEmpty ? shownName : value.path + "." + shownName
            if let first = entries[name] {
                error(path, line: keyLine, "field given twice (first at line \(first.keyLine))")
                continue
            }
            guard known.contains(name) else {
                var message = "unknown field"
                if let guess = closest(to: name, among: known) { message += "; did you mean \"\(guess)\"?" }
                else { message += "; known fields: " + known.joined(separator: ", ") }
                error(path, line: keyLine, message)
                continue
            }
            entries[name] = Value(node: valueNode, path: path, line: valueNode.mark?.line ?? keyLine, keyLine: keyLine)
        }
        return Fields(value: value, entries: entries)
    }

    /// The node as a sequence of values with paths `path[i]`.
    func sequence(_ value: Value, allowEmpty: Bool = false) -> [Value]? {
        guard case .sequence(let sequence) = value.node else {
            error(value, "expected a list, got \(describeKind(value.node))")
            return nil
        }
        if sequence.isEmpty && !allowEmpty {
            error(value, "the list is empty")
            return nil
        }
        return sequence.enumerated().map { index, node in
            let line = node.mark?.line ?? value.line
            return Value(node: node, path: "\(value.path)[\(index)]", line: line, keyLine: line)
        }
    }

    /// The text of a scalar; reports nulls and collections.
    func scalar(_ value: Value, expected: String) -> String? {
        guard case .scalar(let scalar) = value.node else {
            error(value, "expected \(expected), got \(describeKind(value.node))")
            return nil
        }
        if isNull(value.node) {
            error(value, "no value given; expected \(expected)")
            return nil
        }
        return scalar.string
    }

    // MARK: Typed scalars

    /// A non-empty string without line breaks.
    func string(_ value: Value, expected: String = "a string") -> String? {
        guard let text = scalar(value, expected: expected) else { return nil }
        if text.isEmpty || text.contains(where: \.isNewline) {
            error(value, "expected \(expected)")
            return nil
        }
        return text
    }

    /// A resource name: lower-case letters, digits, `-` and `.`, beginning and ending with a
    /// letter or digit, at most 63 characters (a Kubernetes DNS label, dots allowed).
    func name(_ value: Value) -> String? {
        guard let text = scalar(value, expected: "a name") else { return nil }
        guard isValidName(text) else {
            error(value, "\(quoted(text)) is not a valid name: use lower-case letters, digits, '-' and '.', "
                + "beginning and ending with a letter or digit, at most 63 characters")
            return nil
        }
        return text
    }

    /// One of `options`.
    func choice(_ value: Value, _ options: [String]) -> String? {
        let expected = "one of " + options.joined(separator: ", ")
        guard let text = scalar(value, expected: expected) else { return nil }
        guard options.contains(text) else {
            var message = "expected \(expected), got \(quoted(text))"
            if let guess = closest(to: text, among: options) { message += "; did you mean \"\(guess)\"?" }
            error(value, message)
            return nil
        }
        return text
    }

    /// An unsigned integer in `range`, written in decimal or as `0x` hexadecimal.
    func integer<T: FixedWidthInteger & UnsignedInteger>(
        _ value: Value, _ type: T.Type, in range: ClosedRange<T> = T.min...T.max
    ) -> T? {
        let expected = "an integer from \(range.lowerBound) to \(range.upperBound)"
        guard let text = scalar(value, expected: expected) else { return nil }
        guard let number = parseInteger(text, as: T.self), range.contains(number) else {
            error(value, "expected \(expected), got \(quoted(text))")
            return nil
        }
        return number
    }

    /// A duration in seconds: `90`, `90s`, `15m`, `1h`, `2d` or a sum such as `1h30m`.
    func duration(_ value: Value, in range: ClosedRange<UInt32>) -> UInt32? {
        let expected = "a duration such as 90, 90s, 15m, 1h or 1h30m"
        guard let text = scalar(value, expected: expected) else { return nil }
        guard let seconds = parseDuration(text) else {
            error(value, "expected \(expected), got \(quoted(text))")
            return nil
        }
        guard seconds >= UInt64(range.lowerBound), seconds <= UInt64(range.upperBound) else {
            error(value, "\(quoted(text)) is out of range: from \(formatDuration(range.lowerBound)) "
                + "to \(formatDuration(range.upperBound))")
            return nil
        }
        return UInt32(seconds)
    }

    /// A positive count with an optional suffix: k, M, G, T (powers of 1000) or Ki, Mi, Gi,
    /// Ti (powers of 1024): `2500`, `10k`, `1Gi`.
    func quantity(_ value: Value, maximum: UInt64 = .max) -> UInt64? {
        let expected = "a positive number such as 1500, 10k, 2M or 64Ki"
        guard let text = scalar(value, expected: expected) else { return nil }
        guard let number = parseQuantity(text), number > 0 else {
            error(value, "expected \(expected), got \(quoted(text))")
            return nil
        }
        guard number <= maximum else {
            error(value, "\(number) is more than the largest value allowed here, \(maximum)")
            return nil
        }
        return number
    }

    private func describeKind(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar: return isNull(node) ? "no value" : "a single value"
        }
    }
}

// MARK: Parsing helpers (pure)

func isValidName(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    guard (1...63).contains(bytes.count) else { return false }
    func alphanumeric(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
    guard alphanumeric(bytes.first!), alphanumeric(bytes.last!) else { return false }
    return bytes.allSatisfy { alphanumeric($0) || $0 == 0x2D || $0 == 0x2E }
}

/// Decimal, or hexadecimal after `0x`; nothing else (no sign, no separators).
func parseInteger<T: FixedWidthInteger & UnsignedInteger>(_ text: String, as type: T.Type) -> T? {
    if text.hasPrefix("0x") || text.hasPrefix("0X") {
        let digits = text.dropFirst(2)
        guard !digits.isEmpty, digits.allSatisfy(\.isHexDigit) else { return nil }
        return T(digits, radix: 16)
    }
    guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    return T(text, radix: 10)
}

func parseDuration(_ text: String) -> UInt64? {
    if let seconds = parseInteger(text, as: UInt64.self), !text.hasPrefix("0x") { return seconds }
    var total: UInt64 = 0
    var digits = ""
    var sawUnit = false
    for character in text {
        if character.isASCII && character.isNumber {
            digits.append(character)
            continue
        }
        let unit: UInt64
        switch character {
        case "s": unit = 1
        case "m": unit = 60
        case "h": unit = 3600
        case "d": unit = 86400
        default: return nil
        }
        guard let number = UInt64(digits) else { return nil }
        let (product, overflow1) = number.multipliedReportingOverflow(by: unit)
        let (sum, overflow2) = total.addingReportingOverflow(product)
        guard !overflow1, !overflow2 else { return nil }
        total = sum
        digits = ""
        sawUnit = true
    }
    return sawUnit && digits.isEmpty ? total : nil
}

func formatDuration(_ seconds: UInt32) -> String {
    if seconds == 0 { return "0s" }
    var rest = seconds
    var text = ""
    for (unit, suffix) in [(UInt32(86400), "d"), (3600, "h"), (60, "m"), (1, "s")] where rest >= unit {
        text += "\(rest / unit)\(suffix)"
        rest %= unit
    }
    return text
}

func parseQuantity(_ text: String) -> UInt64? {
    let suffixes: [(String, UInt64)] = [
        ("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40),
        ("k", 1_000), ("M", 1_000_000), ("G", 1_000_000_000), ("T", 1_000_000_000_000),
    ]
    var digits = Substring(text)
    var multiplier: UInt64 = 1
    for (suffix, factor) in suffixes where text.hasSuffix(suffix) {
        digits = text.dropLast(suffix.count)
        multiplier = factor
        break
    }
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let number = UInt64(digits) else {
        return nil
    }
    let (product, overflow) = number.multipliedReportingOverflow(by: multiplier)
    return overflow ? nil : product
}

/// The candidate within edit distance 2 of `text`, for "did you mean" hints.
func closest(to text: String, among candidates: [String]) -> String? {
    let source = Array(text.lowercased())
    var best: (String, Int)?
    for candidate in candidates {
        let target = Array(candidate.lowercased())
        var previous = Array(0...target.count)
        for (i, a) in source.enumerated() {
            var current = [i + 1]
            for (j, b) in target.enumerated() {
                current.append(Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (a == b ? 0 : 1)))
            }
            previous = current
        }
        // Close enough to be a typo: at most 2 edits, and fewer than half the word.
        let distance = previous[target.count]
        if distance <= 2, distance * 2 < source.count + 1, distance < (best?.1 ?? Int.max) {
            best = (candidate, distance)
        }
        // Or the start of a longer name (`minTrust` for `minTrustLevel`).
        if best == nil, source.count >= 4, target.starts(with: source) { best = (candidate, 3) }
    }
    return best?.0
}

/// Whether the node is YAML null: `key:` with nothing after it, `~` or `null`.
func isNull(_ node: Node) -> Bool {
    guard case .scalar = node else { return false }
    return node.tag.description == Tag.Name.null.rawValue
}
