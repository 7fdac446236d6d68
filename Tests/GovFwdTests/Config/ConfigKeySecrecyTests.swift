import Foundation
import XCTest
@testable import GovFwdCore
import Pipeline

/// Key material never appears in error messages, in the model's textual forms, or in the
/// check-config summary.
final class ConfigKeySecrecyTests: XCTestCase {
    typealias F = ConfigFixture

    /// Every form a key could take in text: hex, upper-case hex, and Swift's rendering of
    /// its bytes as an array.
    func forms(of hex: String) -> [String] {
        let bytes = hexBytes(hex)
        return [hex, hex.uppercased(), bytes.map(String.init).joined(separator: ", "),
                String(describing: bytes), String(hex.prefix(12))]
    }

    func assertNoKey(_ text: String, _ keys: [String], _ context: String, file: StaticString = #filePath,
                     line: UInt = #line) {
        for key in keys {
            for form in forms(of: key) {
                XCTAssertFalse(text.contains(form), "\(context) shows key material", file: file, line: line)
            }
        }
    }

    func testTheModelNeverPrintsKeys() throws {
        try F.protectKeyFiles()
        for name in ["two-port.yaml", "gateway.yaml", "boundary.yaml"] {
            let config = try ConfigLoader.load(file: F.configs.appendingPathComponent(name).path)
            var dumped = ""
            dump(config, to: &dumped)
            for text in [String(describing: config), String(reflecting: config), "\(config)", dumped, config.summary,
                         String(describing: config.authorities), String(describing: config.settings)] {
                assertNoKey(text, F.exampleKeys, name)
            }
            XCTAssertTrue(String(describing: config).contains("KeyMaterial(redacted)"), name)
        }
        let key = KeyMaterial(bytes: hexBytes("2b7e151628aed2a6abf7158809cf4f3c"))!
        XCTAssertEqual("\(key)", "KeyMaterial(redacted)")
        XCTAssertEqual(String(reflecting: key), "KeyMaterial(redacted)")
        XCTAssertTrue(Mirror(reflecting: key).children.isEmpty)
        XCTAssertNil(KeyMaterial(bytes: [1, 2, 3]))
    }

    func testErrorsNeverShowKeys() throws {
        let secret = "c0ffee00112233445566778899aabbcc"
        let short = String(secret.dropLast())
        let cases = [
            // Wrong length, not hexadecimal, in a key's place, as a field name, quoted, in a list.
            "- {epoch: 1, key: \(short)}",
            "- {epoch: 1, key: \(secret)z}",
            "- {epoch: 1, key: [\(secret)]}",
            "- {epoch: 1, \(secret): x}",
            "- {epoch: \(secret), key: \(secret)}",
            "- {epoch: 1, key: \"\(secret) \"}",
            "- {epoch: 1, key: \(secret), keyFile: \(secret)}",
        ]
        for keysLine in cases {
            let yaml = F.stream(F.portA, """
                apiVersion: govfwd/v1
                kind: Authority
                metadata: {name: ca}
                spec:
                  id: 7
                  keys:
                    \(keysLine)
                  scopes: all
                  maxTrustLevel: 200
                  routeClasses: all
                  maxLifetime: 1h
                """)
            let errors = F.errors(yaml)
            XCTAssertFalse(errors.isEmpty, keysLine)
            assertNoKey(errors.joined(separator: "\n"), [secret], keysLine)
        }

        // A key where another value belongs.
        let elsewhere = F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: b}
            spec: {device: net_null1, boundary: \(secret), auditPort: \(secret)}
            """)
        assertNoKey(F.errors(elsewhere).joined(separator: "\n"), [secret], "misplaced key")

        // A YAML syntax error on the line of a key: Yams would print the line; we do not.
        let syntax = "apiVersion: govfwd/v1\nkind: Authority\nspec:\n  keys: [{epoch: 1, key: \(secret)]\n"
        let errors = F.errors(syntax)
        XCTAssertEqual(errors.count, 1)
        assertNoKey(errors.joined(separator: "\n"), [secret], "syntax error")

        // A key file with the wrong contents.
        let folder = try F.scratch("secret-file")
        let keyPath = folder.appendingPathComponent("k.key").path
        try "\(short)\n".write(toFile: keyPath, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
        let fileCase = F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Authority
            metadata: {name: ca}
            spec:
              id: 7
              keys: [{epoch: 1, keyFile: k.key}]
              scopes: all
              maxTrustLevel: 200
              routeClasses: all
              maxLifetime: 1h
            """)
        let fileErrors = F.errors(fileCase, folder: folder)
        XCTAssertEqual(fileErrors.count, 1)
        assertNoKey(fileErrors.joined(separator: "\n"), [secret], "key file")
    }

    func testQuotedHidesWhatLooksLikeKeyMaterial() {
        XCTAssertEqual(quoted("external"), "\"external\"")
        XCTAssertEqual(quoted("2001:db8::/32"), "\"2001:db8::/32\"")
        XCTAssertEqual(quoted("2b7e151628aed2a6"), "(value not shown)")
        XCTAssertEqual(quoted(String(repeating: "x", count: 65)), "(value not shown)")
    }
}
