import Foundation
import Pipeline
import XCTest

final class DropReasonTests: XCTestCase {
    func testCodesAndNamesAreUniqueAndStable() {
        let reasons = DropReason.allCases
        XCTAssertEqual(Set(reasons.map(\.rawValue)).count, reasons.count)
        XCTAssertEqual(Set(reasons.map(\.name)).count, reasons.count)
        XCTAssertFalse(reasons.contains { $0.rawValue == 0 }, "code 0 means no drop")
        XCTAssertEqual(DropReason.codeLimit, Int(reasons.map(\.rawValue).max()!) + 1)
        // Codes are part of the telemetry contract: a few pinned here so a renumbering fails.
        XCTAssertEqual(DropReason.notGoverned.rawValue, 1)
        XCTAssertEqual(DropReason.badMAC.rawValue, 21)
        XCTAssertEqual(DropReason.txFull.rawValue, 33)
    }

    /// The name is the snake_case of the case name, so the table cannot drift from the enum.
    func testNamesAreSnakeCaseOfTheCases() {
        for reason in DropReason.allCases {
            var snake = ""
            var previousWasUpper = false
            for c in String(describing: reason) {
                if c.isUppercase {
                    if !previousWasUpper { snake += "_" }
                    snake += c.lowercased()
                    previousWasUpper = true
                } else {
                    snake.append(c)
                    previousWasUpper = false
                }
            }
            XCTAssertEqual(reason.name, snake)
            XCTAssertEqual(DropReason(name: reason.name), reason)
            XCTAssertFalse(reason.summary.isEmpty)
            XCTAssertFalse(reason.summary.contains("\n"))
            XCTAssertEqual(reason.isMalformed, reason.name.hasPrefix("malformed"), reason.name)
        }
        XCTAssertNil(DropReason(name: "no_such_reason"))
    }

    /// docs/protocol.md has one row per reason, in the form `| code | `name` | summary |`.
    func testProtocolDocumentListsEveryReason() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/protocol.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let section = try XCTUnwrap(text.range(of: "## 7. Drop reasons"), "docs/protocol.md has no drop reason section")
        let rows = text[section.upperBound...].split(separator: "\n").prefix { !$0.hasPrefix("## ") }
            .filter { $0.hasPrefix("| ") && $0.contains(" | `") }
        for reason in DropReason.allCases {
            let row = "| \(reason.rawValue) | `\(reason.name)` | \(reason.summary) |"
            XCTAssertTrue(rows.contains { $0 == row }, "docs/protocol.md lacks the row: \(row)")
        }
        XCTAssertEqual(rows.filter { $0.range(of: #"^\| \d+ \| `"#, options: .regularExpression) != nil }.count,
                       DropReason.allCases.count, "rows for reasons that do not exist")
    }
}
