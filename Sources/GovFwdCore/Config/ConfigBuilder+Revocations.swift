// The Revocations resource.

import Foundation
import Pipeline

extension ConfigBuilder {
    /// ```yaml
    /// kind: Revocations
    /// metadata: {name: incident-42}
    /// spec:
    ///   capabilities: [0x1a2b3c, 99]
    ///   revokedFile: revoked.txt     # one id per line, '#' starts a comment
    /// ```
    /// Every Revocations resource adds to one set; an id may appear more than once.
    func readRevocations(_ resource: Resource) {
        let reader = reader(resource)
        guard let spec = spec(resource, known: ["capabilities", "revokedFile"]) else { return }
        if !spec.has("capabilities") && !spec.has("revokedFile") {
            reader.error(spec.path("capabilities"), line: spec.value.keyLine,
                         "required field is missing: give capabilities, revokedFile, or both")
            return
        }
        var ids: [UInt64] = []
        var valid = true
        if let value = spec["capabilities"] {
            if let items = reader.sequence(value, allowEmpty: spec.has("revokedFile")) {
                for item in items {
                    if let id = reader.integer(item, UInt64.self) { ids.append(id) } else { valid = false }
                }
            } else {
                valid = false
            }
        }
        if let value = spec["revokedFile"] {
            if let fromFile = readRevokedFile(value, reader) { ids += fromFile } else { valid = false }
        }
        guard valid else { return }
        for id in ids where revoked[id] == nil { revoked[id] = resource.label }
    }

    /// One capability id per line, decimal or 0x hexadecimal; blank lines and `#` comments
    /// are skipped. Errors name the line of the list file.
    private func readRevokedFile(_ value: Value, _ reader: Reader) -> [UInt64]? {
        guard let path = reader.string(value, expected: "a file path") else { return nil }
        let resolved = resolvePath(path, relativeTo: baseDirectory)
        let text: String
        switch readTextFile(atPath: resolved) {
        case .success(let contents): text = contents
        case .failure(let problem):
            reader.error(value, problem.message)
            return nil
        }
        var ids: [UInt64] = []
        var bad = 0
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let entry = content.trimmingCharacters(in: .whitespacesAndNewlines)
            if entry.isEmpty { continue }
            if let id = parseInteger(entry, as: UInt64.self) {
                ids.append(id)
                continue
            }
            bad += 1
            if bad <= 10 {
                reader.error(value, "\(path) line \(index + 1): expected a capability id "
                    + "(decimal, or hexadecimal after 0x), got \(quoted(entry))")
            }
        }
        if bad > 10 { reader.error(value, "\(path): \(bad - 10) more lines are not capability ids") }
        return bad == 0 ? ids : nil
    }
}
