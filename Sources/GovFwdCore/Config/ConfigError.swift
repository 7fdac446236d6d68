import Pipeline

// Errors found in a configuration file, in the form `FILE:LINE: RESOURCE: FIELD: MESSAGE`.

/// One problem in a configuration file.
///
/// ```
/// configs/x.yaml:23: Authority "corp-ca": spec.keys[1].key: expected 32 hexadecimal characters, got 31
/// ```
/// Key material never appears in a message: the loader does not echo key values, and any
/// echoed value that looks like key material is replaced by `(value not shown)`.
struct ConfigError: Error, Equatable, CustomStringConvertible {
    /// The configuration file as the user named it.
    var file: String
    /// 1-based line in `file`, when the problem has one.
    var line: Int?
    /// The resource, as `Kind "name"` (or just `Kind` before its name is known).
    var resource: String?
    /// The field path inside the resource, such as `spec.keys[1].key`.
    var field: String?
    /// What is wrong, and where it helps, what would be right.
    var message: String

    var description: String {
        var text = Redaction.shown(file)
        if let line { text += ":\(line)" }
        text += ": "
        if let resource { text += resource + ": " }
        if let field, !field.isEmpty { text += field + ": " }
        return text + message
    }
}

/// Every problem found in a configuration file, sorted by line; the loader reports all of
/// them at once rather than stopping at the first.
struct ConfigErrors: Error, CustomStringConvertible {
    var errors: [ConfigError]

    /// One error per line.
    var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Collects errors while a file is read. One per load; not shared across threads.
final class Diagnostics {
    private(set) var errors: [ConfigError] = []

    func report(_ error: ConfigError) {
        errors.append(error)
    }

    var isEmpty: Bool { errors.isEmpty }

    /// Errors in file order: by line, then in the order found.
    var sorted: [ConfigError] {
        errors.enumerated().sorted { lhs, rhs in
            let left = lhs.element.line ?? 0, right = rhs.element.line ?? 0
            return left != right ? left < right : lhs.offset < rhs.offset
        }.map(\.element)
    }
}

/// Quotes a value from the file for an error message, unless it could be key material:
/// a run of 12 or more hexadecimal digits, or a long value, is not shown.
func quoted(_ text: String) -> String {
    if Redaction.mayHoldKey(text) || text.count > 64 { return Redaction.notShown }
    return "\"" + text + "\""
}
