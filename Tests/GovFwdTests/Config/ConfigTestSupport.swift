import Foundation
import XCTest
@testable import GovFwdCore
import Pipeline

/// Building blocks for configuration tests.
enum ConfigFixture {
    /// The repository root, from this file's path.
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let configs = repository.appendingPathComponent("configs")

    /// Example keys used by the bundled configurations and the cases below.
    static let exampleKeys = [
        "2b7e151628aed2a6abf7158809cf4f3c", "603deb1015ca71be2b73aef0857d7781",
        "f0e1d2c3b4a5968778695a4b3c2d1e0f", "6bc1bee22e409f96e93d7e117393172a",
    ]

    /// Git keeps no permission bits but the executable one: restore the mode the loader requires.
    static func protectKeyFiles() throws {
        let keys = configs.appendingPathComponent("keys")
        for name in try FileManager.default.contentsOfDirectory(atPath: keys.path) {
            try FileManager.default.setAttributes([.posixPermissions: 0o600],
                                                  ofItemAtPath: keys.appendingPathComponent(name).path)
        }
    }

    /// A fresh folder for files a test writes.
    static func scratch(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("govfwd-config-\(getpid())-\(name)")
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    // Documents that the cases combine; each is valid alone.

    static let node = """
        apiVersion: govfwd/v1
        kind: Node
        metadata: {name: n1}
        spec:
          udpPort: 4742
        """

    static let portA = """
        apiVersion: govfwd/v1
        kind: Port
        metadata: {name: a}
        spec: {device: net_null0, boundary: internal}
        """

    static let portB = """
        apiVersion: govfwd/v1
        kind: Port
        metadata: {name: b}
        spec: {device: net_null1, boundary: internal}
        """

    static let authority = """
        apiVersion: govfwd/v1
        kind: Authority
        metadata: {name: ca}
        spec:
          id: 7
          keys:
            - {epoch: 1, key: 2b7e151628aed2a6abf7158809cf4f3c}
          scopes: [100]
          maxTrustLevel: 200
          routeClasses: [1]
          maxLifetime: 1h
        """

    static let policy = """
        apiVersion: govfwd/v1
        kind: ScopePolicy
        metadata: {name: p1}
        spec: {scope: 100, routeClass: 1, action: forward, egress: b}
        """

    /// A gateway node that is valid; cases replace parts of it.
    static let gatewayNode = """
        apiVersion: govfwd/v1
        kind: Node
        metadata: {name: gw}
        spec:
          localAuthority: {authority: ca, epoch: 1}
        """

    static let gatewayPort = """
        apiVersion: govfwd/v1
        kind: Port
        metadata: {name: g}
        spec: {device: net_null2, boundary: gateway, ungoverned: push}
        """

    static let selector = """
        apiVersion: govfwd/v1
        kind: GatewaySelector
        metadata: {name: s1}
        spec:
          match: {source: 192.168.1.0/24}
          push: {scope: 100, routeClass: 1, trustLevel: 10, lifetime: 5m, capabilityID: 0x10}
        """

    /// Documents joined into one stream.
    static func stream(_ documents: String...) -> String {
        documents.joined(separator: "\n---\n") + "\n"
    }

    /// The 1-based line of the line that ends with the `#@` marker.
    static func markedLine(_ yaml: String) -> Int? {
        yaml.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasSuffix("#@") }.map { $0 + 1 }
    }

    /// Loads `yaml` as `test.yaml` in `folder`; the errors, or [] if it loaded.
    static func errors(_ yaml: String, folder: URL? = nil) -> [String] {
        let base = folder?.path ?? FileManager.default.temporaryDirectory.path
        do {
            _ = try ConfigLoader.load(yaml: yaml, file: "test.yaml", baseDirectory: base)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }
}
