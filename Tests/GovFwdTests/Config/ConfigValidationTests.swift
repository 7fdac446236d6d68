import Foundation
import XCTest
@testable import GovFwdCore
import Pipeline

/// One case per validation rule: the configuration is refused with exactly one error that
/// names the file, the line (marked `#@` in the case), the resource and the field.
final class ConfigValidationTests: XCTestCase {
    struct Case {
        let name: String
        let yaml: String
        /// `Kind "name"`, or nil when the error belongs to no resource.
        let resource: String?
        /// Field path, or nil.
        let field: String?
        /// The rest of the message, exactly.
        let message: String
        /// The expected line: by default the line marked `#@`; `.none` for errors without one.
        var line: ExpectedLine = .marked
    }

    enum ExpectedLine { case marked, none, at(Int) }

    typealias F = ConfigFixture

    static let cases: [Case] = [
        // MARK: The stream and the resource header
        Case(name: "YAML syntax", yaml: """
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: a
            spec: {}   #@
            """, resource: nil, field: nil,
            message: "invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping at line 3)"),
        Case(name: "empty file", yaml: "# nothing here\n", resource: nil, field: nil,
             message: "no resources; expected YAML documents with apiVersion: govfwd/v1", line: .none),
        Case(name: "apiVersion", yaml: F.stream("""
            apiVersion: govfwd/v2   #@
            kind: Port
            metadata: {name: a}
            spec: {device: net_null0, boundary: internal}
            """), resource: "Port \"a\"", field: "apiVersion",
            message: "unsupported apiVersion \"govfwd/v2\"; this node reads govfwd/v1"),
        Case(name: "apiVersion missing", yaml: F.stream(F.portA, """
            kind: Port   #@
            metadata: {name: b}
            spec: {device: net_null1, boundary: internal}
            """), resource: "Port \"b\"", field: "apiVersion", message: "required field is missing"),
        Case(name: "unknown kind", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Prot   #@
            metadata: {name: p}
            spec: {}
            """), resource: nil, field: "kind",
            message: "expected one of Node, Port, Authority, ScopePolicy, Revocations, GatewaySelector, "
                + "got \"Prot\"; did you mean \"Port\"?"),
        Case(name: "unknown top-level field", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: b}
            spec: {device: net_null1, boundary: internal}
            status: {}   #@
            """), resource: "Port \"b\"", field: "status",
            message: "unknown field; known fields: apiVersion, kind, metadata, spec"),
        Case(name: "unknown field with a suggestion", yaml: F.stream(F.portA, F.portB, """
            apiVersion: govfwd/v1
            kind: ScopePolicy
            metadata: {name: p1}
            spec:
              scope: 100
              routeClass: 1
              action: drop
              egres: b   #@
            """), resource: "ScopePolicy \"p1\"", field: "spec.egres",
            message: "unknown field; did you mean \"egress\"?"),
        Case(name: "field given twice", yaml: F.stream("""
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: a}
            spec:
              device: net_null0
              boundary: internal
              boundary: external   #@
            """), resource: "Port \"a\"", field: "spec.boundary", message: "field given twice (first at line 6)"),
        Case(name: "invalid name", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: Port_B}   #@
            spec: {device: net_null1, boundary: internal}
            """), resource: "Port", field: "metadata.name",
            message: "\"Port_B\" is not a valid name: use lower-case letters, digits, '-' and '.', "
                + "beginning and ending with a letter or digit, at most 63 characters"),
        Case(name: "spec missing", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1   #@
            kind: Port
            metadata: {name: b}
            """), resource: "Port \"b\"", field: "spec", message: "required field is missing"),
        Case(name: "duplicate name", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: a}   #@
            spec: {device: net_null1, boundary: internal}
            """), resource: "Port \"a\"", field: "metadata.name",
            message: "another Port has this name (line 3); names must be unique per kind"),

        // MARK: Node
        Case(name: "two Node resources", yaml: F.stream(F.node, F.portA, """
            apiVersion: govfwd/v1   #@
            kind: Node
            metadata: {name: n2}
            """), resource: "Node \"n2\"", field: nil, message: "only one Node resource is allowed (first at line 1)"),
        Case(name: "udpPort out of range", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Node
            metadata: {name: n1}
            spec:
              udpPort: 70000   #@
            """), resource: "Node \"n1\"", field: "spec.udpPort",
            message: "expected an integer from 1 to 65535, got \"70000\""),
        Case(name: "udpPort of the wrong type", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Node
            metadata: {name: n1}
            spec:
              udpPort: [4742]   #@
            """), resource: "Node \"n1\"", field: "spec.udpPort",
            message: "expected an integer from 1 to 65535, got a list"),
        Case(name: "clockSkew", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Node
            metadata: {name: n1}
            spec:
              clockSkew: 2h   #@
            """), resource: "Node \"n1\"", field: "spec.clockSkew", message: "\"2h\" is out of range: from 0s to 1h"),
        Case(name: "local authority unknown", yaml: F.stream(F.portA, F.authority, """
            apiVersion: govfwd/v1
            kind: Node
            metadata: {name: n1}
            spec:
              localAuthority: {authority: cb, epoch: 1}   #@
            """), resource: "Node \"n1\"", field: "spec.localAuthority.authority",
            message: "no Authority named \"cb\"; did you mean \"ca\"?"),
        Case(name: "local authority epoch", yaml: F.stream(F.portA, F.authority, """
            apiVersion: govfwd/v1
            kind: Node
            metadata: {name: n1}
            spec:
              localAuthority:
                authority: ca
                epoch: 2   #@
            """), resource: "Node \"n1\"", field: "spec.localAuthority.epoch",
            message: "Authority \"ca\" has no key for epoch 2 (it has 1)"),

        // MARK: Port
        Case(name: "no port", yaml: F.stream(F.authority), resource: nil, field: nil,
             message: "no Port resource; a node needs at least one port", line: .none),
        Case(name: "boundary kind", yaml: F.stream("""
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: a}
            spec:
              device: net_null0
              boundary: extrnal   #@
            """), resource: "Port \"a\"", field: "spec.boundary",
            message: "expected one of internal, external, legacy, gateway, got \"extrnal\"; did you mean \"external\"?"),
        Case(name: "boundary missing", yaml: F.stream("""
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: a}
            spec:   #@
              device: net_null0
            """), resource: "Port \"a\"", field: "spec.boundary", message: "required field is missing"),
        Case(name: "device and index", yaml: F.stream("""
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: a}
            spec:
              device: net_null0
              index: 0   #@
              boundary: internal
            """), resource: "Port \"a\"", field: "spec.index", message: "give either device or index, not both"),
        Case(name: "neither device nor index", yaml: F.stream("""
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: a}
            spec:   #@
              boundary: internal
            """), resource: "Port \"a\"", field: "spec.device",
            message: "required field is missing: give device (an ethdev name such as net_pcap0, or a PCI address) "
                + "or index (a DPDK port id)"),
        Case(name: "device used twice", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: b}
            spec:
              device: net_null0   #@
              boundary: internal
            """), resource: "Port \"b\"", field: "spec.device", message: "net_null0 is already used by Port \"a\""),
        Case(name: "label ceiling", yaml: F.stream("""
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: a}
            spec:
              device: net_null0
              boundary: external
              labelCeiling: 256   #@
            """), resource: "Port \"a\"", field: "spec.labelCeiling",
            message: "expected an integer from 0 to 255, got \"256\""),
        Case(name: "label ceiling without a value", yaml: F.stream("""
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: a}
            spec:
              device: net_null0
              boundary: external
              labelCeiling:   #@
            """), resource: "Port \"a\"", field: "spec.labelCeiling",
            message: "no value given; expected an integer from 0 to 255"),
        Case(name: "audit port unknown", yaml: F.stream(F.portB, """
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: a}
            spec:
              device: net_null0
              boundary: external
              auditPort: c   #@
            """), resource: "Port \"a\"", field: "spec.auditPort", message: "no Port named \"c\""),
        Case(name: "audit port is the port itself", yaml: F.stream(F.portB, """
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: a}
            spec:
              device: net_null0
              boundary: external
              auditPort: a   #@
            """), resource: "Port \"a\"", field: "spec.auditPort", message: "a port cannot be its own audit port"),
        Case(name: "pass without egress", yaml: F.stream(F.portB, """
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: a}
            spec:
              device: net_null0
              boundary: legacy
              ungoverned: pass   #@
            """), resource: "Port \"a\"", field: "spec.ungoverned",
            message: "pass needs an egress port: write ungoverned: {action: pass, egress: PORT}"),
        Case(name: "pass egress unknown", yaml: F.stream(F.portB, """
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: a}
            spec:
              device: net_null0
              boundary: legacy
              ungoverned:
                action: pass
                egress: bb   #@
            """), resource: "Port \"a\"", field: "spec.ungoverned.egress", message: "no Port named \"bb\"; did you mean \"b\"?"),
        Case(name: "egress with drop", yaml: F.stream(F.portB, """
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: a}
            spec:
              device: net_null0
              boundary: legacy
              ungoverned: {action: drop, egress: b}   #@
            """), resource: "Port \"a\"", field: "spec.ungoverned.egress", message: "egress is only used with action: pass"),
        Case(name: "push on a port that is not a gateway", yaml: F.stream(F.portB, """
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: a}
            spec:
              device: net_null0
              boundary: legacy
              ungoverned: push   #@
            """), resource: "Port \"a\"", field: "spec.ungoverned",
            message: "push is only allowed on gateway ports; this port's boundary is legacy"),
        Case(name: "push without a local authority", yaml: F.stream(F.portB, F.authority, F.policy, """
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: g}
            spec:
              device: net_null2
              boundary: gateway
              ungoverned: push   #@
            """, F.selector), resource: "Port \"g\"", field: "spec.ungoverned",
            message: "push needs the node's local authority: set spec.localAuthority in the Node resource"),
        Case(name: "push without selectors", yaml: F.stream(F.gatewayNode, F.portB, F.authority, F.policy, """
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: g}
            spec:
              device: net_null2
              boundary: gateway
              ungoverned: push   #@
            """), resource: "Port \"g\"", field: "spec.ungoverned",
            message: "push needs at least one GatewaySelector for this port; without one every ungoverned packet "
                + "arriving here is dropped"),

        // MARK: Authority
        Case(name: "key length", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Authority
            metadata: {name: corp-ca}
            spec:
              id: 7
              keys:
                - {epoch: 1, key: 2b7e151628aed2a6abf7158809cf4f3c}
                - epoch: 2
                  key: 603deb1015ca71be2b73aef0857d778   #@
              scopes: all
              maxTrustLevel: 200
              routeClasses: all
              maxLifetime: 1h
            """), resource: "Authority \"corp-ca\"", field: "spec.keys[1].key",
            message: "expected 32 hexadecimal characters, got 31"),
        Case(name: "key not hexadecimal", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Authority
            metadata: {name: corp-ca}
            spec:
              id: 7
              keys:
                - {epoch: 1, key: 2b7e151628aed2a6abf7158809cf4f3g}   #@
              scopes: all
              maxTrustLevel: 200
              routeClasses: all
              maxLifetime: 1h
            """), resource: "Authority \"corp-ca\"", field: "spec.keys[0].key",
            message: "expected 32 hexadecimal characters (0-9, a-f), found another character"),
        Case(name: "key and keyFile", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Authority
            metadata: {name: corp-ca}
            spec:
              id: 7
              keys:
                - epoch: 1
                  key: 2b7e151628aed2a6abf7158809cf4f3c
                  keyFile: k.key   #@
              scopes: all
              maxTrustLevel: 200
              routeClasses: all
              maxLifetime: 1h
            """), resource: "Authority \"corp-ca\"", field: "spec.keys[0].keyFile",
            message: "give either key or keyFile, not both"),
        Case(name: "epoch twice", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Authority
            metadata: {name: corp-ca}
            spec:
              id: 7
              keys:
                - {epoch: 1, key: 2b7e151628aed2a6abf7158809cf4f3c}
                - {epoch: 1, key: 603deb1015ca71be2b73aef0857d7781}   #@
              scopes: all
              maxTrustLevel: 200
              routeClasses: all
              maxLifetime: 1h
            """), resource: "Authority \"corp-ca\"", field: "spec.keys[1].epoch",
            message: "epoch 1 is given twice (first at line 12)"),
        Case(name: "no keys", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Authority
            metadata: {name: corp-ca}
            spec:
              id: 7
              keys: []   #@
              scopes: all
              maxTrustLevel: 200
              routeClasses: all
              maxLifetime: 1h
            """), resource: "Authority \"corp-ca\"", field: "spec.keys", message: "the list is empty"),
        Case(name: "authority id twice", yaml: F.stream(F.portA, F.authority, """
            apiVersion: govfwd/v1
            kind: Authority
            metadata: {name: cb}
            spec:
              id: 0x7   #@
              keys: [{epoch: 1, key: 603deb1015ca71be2b73aef0857d7781}]
              scopes: all
              maxTrustLevel: 200
              routeClasses: all
              maxLifetime: 1h
            """), resource: "Authority \"cb\"", field: "spec.id", message: "authority id 7 is already used by Authority \"ca\""),
        Case(name: "scopes", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Authority
            metadata: {name: ca}
            spec:
              id: 7
              keys: [{epoch: 1, key: 2b7e151628aed2a6abf7158809cf4f3c}]
              scopes: any   #@
              maxTrustLevel: 200
              routeClasses: all
              maxLifetime: 1h
            """), resource: "Authority \"ca\"", field: "spec.scopes",
            message: "expected all or a list of integers, got \"any\""),
        Case(name: "scope listed twice", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Authority
            metadata: {name: ca}
            spec:
              id: 7
              keys: [{epoch: 1, key: 2b7e151628aed2a6abf7158809cf4f3c}]
              scopes:
                - 100
                - 100   #@
              maxTrustLevel: 200
              routeClasses: all
              maxLifetime: 1h
            """), resource: "Authority \"ca\"", field: "spec.scopes[1]", message: "100 is listed twice (first at line 13)"),
        Case(name: "route class out of range", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Authority
            metadata: {name: ca}
            spec:
              id: 7
              keys: [{epoch: 1, key: 2b7e151628aed2a6abf7158809cf4f3c}]
              scopes: all
              maxTrustLevel: 200
              routeClasses: [1, 300]   #@
              maxLifetime: 1h
            """), resource: "Authority \"ca\"", field: "spec.routeClasses[1]",
            message: "expected an integer from 0 to 255, got \"300\""),
        Case(name: "max lifetime", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Authority
            metadata: {name: ca}
            spec:
              id: 7
              keys: [{epoch: 1, key: 2b7e151628aed2a6abf7158809cf4f3c}]
              scopes: all
              maxTrustLevel: 200
              routeClasses: all
              maxLifetime: 1y   #@
            """), resource: "Authority \"ca\"", field: "spec.maxLifetime",
            message: "expected a duration such as 90, 90s, 15m, 1h or 1h30m, got \"1y\""),
        Case(name: "max trust level missing", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Authority
            metadata: {name: ca}
            spec:   #@
              id: 7
              keys: [{epoch: 1, key: 2b7e151628aed2a6abf7158809cf4f3c}]
              scopes: all
              routeClasses: all
              maxLifetime: 1h
            """), resource: "Authority \"ca\"", field: "spec.maxTrustLevel", message: "required field is missing"),

        // MARK: ScopePolicy
        Case(name: "policy egress unknown", yaml: F.stream(F.portA, F.portB, """
            apiVersion: govfwd/v1
            kind: ScopePolicy
            metadata: {name: p1}
            spec:
              scope: 100
              routeClass: 1
              action: forward
              egress: c   #@
            """), resource: "ScopePolicy \"p1\"", field: "spec.egress", message: "no Port named \"c\""),
        Case(name: "forward without egress", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: ScopePolicy
            metadata: {name: p1}
            spec:   #@
              scope: 100
              routeClass: 1
              action: forward
            """), resource: "ScopePolicy \"p1\"", field: "spec.egress", message: "required field is missing"),
        Case(name: "action", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: ScopePolicy
            metadata: {name: p1}
            spec:
              scope: 100
              routeClass: 1
              action: accept   #@
            """), resource: "ScopePolicy \"p1\"", field: "spec.action",
            message: "expected one of forward, drop, got \"accept\""),
        Case(name: "scope and route class twice", yaml: F.stream(F.portA, F.portB, F.policy, """
            apiVersion: govfwd/v1
            kind: ScopePolicy
            metadata: {name: p2}
            spec:
              scope: 100
              routeClass: 1   #@
              action: drop
            """), resource: "ScopePolicy \"p2\"", field: "spec.routeClass",
            message: "ScopePolicy \"p1\" already sets the policy for scope 100, route class 1"),
        Case(name: "meter with two units", yaml: F.stream(F.portA, F.portB, """
            apiVersion: govfwd/v1
            kind: ScopePolicy
            metadata: {name: p1}
            spec:
              scope: 100
              routeClass: 1
              action: forward
              egress: b
              meters:
                - rateClass: 1
                  packetsPerSecond: 10k
                  bytesPerSecond: 1M   #@
                  burst: 100
            """), resource: "ScopePolicy \"p1\"", field: "spec.meters[0].bytesPerSecond",
            message: "give either packetsPerSecond or bytesPerSecond, not both"),
        Case(name: "meter rate class 0", yaml: F.stream(F.portA, F.portB, """
            apiVersion: govfwd/v1
            kind: ScopePolicy
            metadata: {name: p1}
            spec:
              scope: 100
              routeClass: 1
              action: forward
              egress: b
              meters:
                - {rateClass: 0, packetsPerSecond: 10k, burst: 100}   #@
            """), resource: "ScopePolicy \"p1\"", field: "spec.meters[0].rateClass",
            message: "expected an integer from 1 to 255, got \"0\""),
        Case(name: "meter rate class twice", yaml: F.stream(F.portA, F.portB, """
            apiVersion: govfwd/v1
            kind: ScopePolicy
            metadata: {name: p1}
            spec:
              scope: 100
              routeClass: 1
              action: forward
              egress: b
              meters:
                - {rateClass: 3, packetsPerSecond: 10k, burst: 100}
                - {rateClass: 3, bytesPerSecond: 10M, burst: 64Ki}   #@
            """), resource: "ScopePolicy \"p1\"", field: "spec.meters[1].rateClass",
            message: "rate class 3 already has a meter (line 20)"),
        Case(name: "meter burst", yaml: F.stream(F.portA, F.portB, """
            apiVersion: govfwd/v1
            kind: ScopePolicy
            metadata: {name: p1}
            spec:
              scope: 100
              routeClass: 1
              action: forward
              egress: b
              meters:
                - {rateClass: 3, packetsPerSecond: 10k, burst: 1.5k}   #@
            """), resource: "ScopePolicy \"p1\"", field: "spec.meters[0].burst",
            message: "expected a positive number such as 1500, 10k, 2M or 64Ki, got \"1.5k\""),
        Case(name: "meters on a drop policy", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: ScopePolicy
            metadata: {name: p1}
            spec:
              scope: 100
              routeClass: 1
              action: drop
              meters: [{rateClass: 1, packetsPerSecond: 10k, burst: 100}]   #@
            """), resource: "ScopePolicy \"p1\"", field: "spec.meters", message: "meters are only used with action: forward"),

        // MARK: Revocations
        Case(name: "revoked id", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Revocations
            metadata: {name: r}
            spec:
              capabilities:
                - 0x1001
                - 0x10z1   #@
            """), resource: "Revocations \"r\"", field: "spec.capabilities[1]",
            message: "expected an integer from 0 to 18446744073709551615, got \"0x10z1\""),
        Case(name: "revocations empty", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Revocations
            metadata: {name: r}
            spec: {}   #@
            """), resource: "Revocations \"r\"", field: "spec.capabilities",
            message: "required field is missing: give capabilities, revokedFile, or both"),
        Case(name: "revoked file missing", yaml: F.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Revocations
            metadata: {name: r}
            spec:
              revokedFile: /nonexistent/revoked.txt   #@
            """), resource: "Revocations \"r\"", field: "spec.revokedFile",
            message: "cannot read /nonexistent/revoked.txt: No such file or directory"),

        // MARK: GatewaySelector
        Case(name: "selectors without a port that pushes", yaml: F.stream(F.portA, F.portB, F.authority, F.policy, """
            apiVersion: govfwd/v1   #@
            kind: GatewaySelector
            metadata: {name: s1}
            spec:
              push: {scope: 100, routeClass: 1, trustLevel: 10, lifetime: 5m, capabilityID: 0x10}
            """), resource: "GatewaySelector \"s1\"", field: nil,
            message: "gateway selectors need a gateway port with ungoverned: push, and no port pushes"),
        Case(name: "selector ingress port does not push", yaml: F.stream(
            F.gatewayNode, F.gatewayPort, F.portB, F.authority, F.policy, F.selector, """
            apiVersion: govfwd/v1
            kind: GatewaySelector
            metadata: {name: s2}
            spec:
              ingressPort: b   #@
              push: {scope: 100, routeClass: 1, trustLevel: 10, lifetime: 5m, capabilityID: 0x11}
            """), resource: "GatewaySelector \"s2\"", field: "spec.ingressPort",
            message: "Port \"b\" does not push: a selector's ingress port must be a gateway port with ungoverned: push"),
        Case(name: "prefix with host bits", yaml: selector(match: "source: 192.168.1.1/24   #@"),
             resource: "GatewaySelector \"s1\"", field: "spec.match.source",
             message: "\"192.168.1.1/24\" has host bits set; did you mean 192.168.1.0/24?"),
        Case(name: "prefix", yaml: selector(match: "destination: 10.0.0.0/33   #@"),
             resource: "GatewaySelector \"s1\"", field: "spec.match.destination",
             message: "prefix length in \"10.0.0.0/33\" must be from 0 to 32"),
        Case(name: "prefix families", yaml: selector(match: "source: 10.0.0.0/8\n    destination: 2001:db8::/32   #@"),
             resource: "GatewaySelector \"s1\"", field: "spec.match.destination",
             message: "source is IPv4 but destination is IPv6"),
        Case(name: "protocol", yaml: selector(match: "protocol: tcpp   #@"),
             resource: "GatewaySelector \"s1\"", field: "spec.match.protocol",
             message: "expected a protocol name (ah, esp, gre, icmp, icmpv6, sctp, tcp, udp) or a number "
                + "from 0 to 255, got \"tcpp\""),
        Case(name: "destination port without protocol", yaml: selector(match: "destinationPort: 443   #@"),
             resource: "GatewaySelector \"s1\"", field: "spec.match.destinationPort",
             message: "destinationPort needs a protocol: add protocol: tcp, udp or sctp"),
        Case(name: "destination port with ICMP", yaml: selector(match: "protocol: icmp\n    destinationPort: 443   #@"),
             resource: "GatewaySelector \"s1\"", field: "spec.match.destinationPort",
             message: "destinationPort needs protocol tcp, udp or sctp (protocol is 1)"),
        Case(name: "destination port range", yaml: selector(match: "protocol: tcp\n    destinationPort: 9000-8000   #@"),
             resource: "GatewaySelector \"s1\"", field: "spec.match.destinationPort",
             message: "expected a port from 0 to 65535 or a range such as 8000-8999, got \"9000-8000\""),
        Case(name: "scope not entitled", yaml: selector(push: "scope: 101   #@", extra: """
            apiVersion: govfwd/v1
            kind: ScopePolicy
            metadata: {name: p2}
            spec: {scope: 101, routeClass: 1, action: forward, egress: b}
            """),
             resource: "GatewaySelector \"s1\"", field: "spec.push.scope",
             message: "the local authority \"ca\" is not entitled to scope 101"),
        Case(name: "trust above the authority's", yaml: selector(push: "trustLevel: 201   #@"),
             resource: "GatewaySelector \"s1\"", field: "spec.push.trustLevel",
             message: "the local authority \"ca\" grants trust levels up to 200"),
        Case(name: "lifetime above the authority's", yaml: selector(push: "lifetime: 2h   #@"),
             resource: "GatewaySelector \"s1\"", field: "spec.push.lifetime",
             message: "the local authority \"ca\" allows lifetimes up to 1h"),
        Case(name: "no policy for what is pushed", yaml: selector(push: "routeClass: 2   #@", authorityRouteClasses: "all"),
             resource: "GatewaySelector \"s1\"", field: "spec.push.routeClass",
             message: "no ScopePolicy for scope 100, route class 2: pushed packets would be dropped"),
        Case(name: "constraints", yaml: selector(push: "constraints: audit,no-exprt   #@"),
             resource: "GatewaySelector \"s1\"", field: "spec.push.constraints",
             message: "unknown constraint 'no-exprt' (known: none, no-export, audit, encrypted-only, rate=N, label=N, "
                + "or a number such as 0x00020301)"),
        Case(name: "constraints with reserved bits", yaml: selector(push: "constraints: 0x08   #@"),
             resource: "GatewaySelector \"s1\"", field: "spec.push.constraints",
             message: "constraints \"0x08\" set reserved bits (3-7 or 24-31); they must be 0"),
        Case(name: "rate class without a meter", yaml: selector(push: "constraints: rate=4   #@"),
             resource: "GatewaySelector \"s1\"", field: "spec.push.constraints",
             message: "rate class 4 has no meter in ScopePolicy \"p1\"; the pushed packets would not be metered"),
        Case(name: "audit without an audit port", yaml: selector(push: "constraints: [audit]   #@"),
             resource: "GatewaySelector \"s1\"", field: "spec.push.constraints",
             message: "audit packets would not be copied: neither Port \"b\" (the egress of ScopePolicy \"p1\") "
                + "nor the gateway port has an auditPort"),
        Case(name: "revoked capability", yaml: selector(push: "capabilityID: 0x99   #@") + F.stream("""
            ---
            apiVersion: govfwd/v1
            kind: Revocations
            metadata: {name: r}
            spec: {capabilities: [153]}
            """), resource: "GatewaySelector \"s1\"", field: "spec.push.capabilityID",
            message: "capability 153 is revoked by Revocations \"r\""),
    ]

    /// A valid gateway configuration with one selector line changed or added.
    static func selector(match: String? = nil, push: String? = nil, authorityRouteClasses: String = "[1]",
                         extra: String = "") -> String {
        var pushFields = ["scope: 100", "routeClass: 1", "trustLevel: 10", "lifetime: 5m", "capabilityID: 0x10"]
        if let push {
            let key = push.prefix { $0 != ":" }
            pushFields.removeAll { $0.hasPrefix(key + ":") }
            pushFields.append(push)
        }
        var spec = ""
        if let match { spec += "  match:\n    \(match)\n" }
        spec += "  push:\n" + pushFields.map { "    \($0)\n" }.joined()
        return F.stream(F.gatewayNode, F.gatewayPort, F.portB, """
            apiVersion: govfwd/v1
            kind: Authority
            metadata: {name: ca}
            spec:
              id: 7
              keys: [{epoch: 1, key: 2b7e151628aed2a6abf7158809cf4f3c}]
              scopes: [100]
              maxTrustLevel: 200
              routeClasses: \(authorityRouteClasses)
              maxLifetime: 1h
            """, F.policy, """
            apiVersion: govfwd/v1
            kind: GatewaySelector
            metadata: {name: s1}
            spec:
            \(spec)
            """, extra)
    }

    func testTheBaseConfigurationsAreValid() {
        XCTAssertEqual(F.errors(F.stream(F.node, F.portA, F.portB, F.authority, F.policy)), [])
        XCTAssertEqual(F.errors(Self.selector()), [])
        XCTAssertEqual(F.errors(Self.selector(match: "protocol: tcp\n    destinationPort: 8000-8999")), [])
    }

    func testEachRuleRefusesTheConfigurationNamingFileLineResourceAndField() {
        var seen: Set<String> = []
        for testCase in Self.cases {
            XCTAssertTrue(seen.insert(testCase.name).inserted, "case name \(testCase.name) used twice")
            var location = "test.yaml"
            switch testCase.line {
            case .marked:
                guard let line = F.markedLine(testCase.yaml) else {
                    XCTFail("\(testCase.name): no #@ marker")
                    continue
                }
                location += ":\(line)"
            case .at(let line): location += ":\(line)"
            case .none: break
            }
            var expected = location + ": "
            if let resource = testCase.resource { expected += resource + ": " }
            if let field = testCase.field { expected += field + ": " }
            expected += testCase.message
            XCTAssertEqual(F.errors(testCase.yaml), [expected], "case: \(testCase.name)")
        }
    }
}
