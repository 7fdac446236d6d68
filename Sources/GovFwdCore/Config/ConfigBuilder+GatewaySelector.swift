// The GatewaySelector resource.

import Foundation
import Pipeline

extension ConfigBuilder {
    /// IP protocol names accepted in `match.protocol`.
    static let protocolNumbers: [String: UInt8] = [
        "icmp": 1, "tcp": 6, "udp": 17, "gre": 47, "esp": 50, "ah": 51, "icmpv6": 58, "sctp": 132,
    ]
    /// Protocols that have ports.
    static let protocolsWithPorts: Set<UInt8> = [6, 17, 132]

    /// ```yaml
    /// kind: GatewaySelector
    /// metadata: {name: office-web}
    /// spec:
    ///   ingressPort: office          # optional: every port that pushes
    ///   match:                       # optional: every field defaults to "any"
    ///     source: 192.168.10.0/24
    ///     destination: 10.20.0.0/16
    ///     protocol: tcp
    ///     destinationPort: 443       # or a range: 8000-8999
    ///   push:
    ///     scope: 100
    ///     routeClass: 1
    ///     trustLevel: 40
    ///     constraints: audit,rate=1  # optional
    ///     lifetime: 10m
    ///     capabilityID: 0x6f0001
    /// ```
    /// Read last: it is checked against ports, the local authority, policies and revocations.
    func readGatewaySelector(_ resource: Resource) {
        let reader = reader(resource)
        guard let spec = spec(resource, known: ["ingressPort", "match", "push"]) else { return }

        var ingressPort: String?
        var ingressValid = true
        if let value = spec["ingressPort"] {
            ingressPort = portReference(value, reader)
            if let name = ingressPort, let port = ports.first(where: { $0.config.name == name }),
               port.config.ungoverned != .push {
                reader.error(value, "Port \"\(name)\" does not push: a selector's ingress port must be a gateway "
                    + "port with ungoverned: push")
                ingressValid = false
            }
            if ingressPort == nil { ingressValid = false }
        }

        var match = MatchFields()
        var matchValid = true
        if let value = spec["match"] {
            if let fields = reader.fields(value, known: ["source", "destination", "protocol", "destinationPort"]) {
                matchValid = readMatch(fields, into: &match, reader)
            } else {
                matchValid = false
            }
        }

        let push = reader.require(spec, "push").flatMap { readPush($0, ingressPort: ingressPort, reader) }
        guard let name = resource.name, ingressValid, matchValid, let push else { return }
        selectors.append(GatewaySelector(
            name: name, ingressPort: ingressPort, source: match.source, destination: match.destination,
            ipProtocol: match.ipProtocol, destinationPorts: match.destinationPorts, push: push))
    }

    private struct MatchFields {
        var source: IPPrefix?
        var destination: IPPrefix?
        var ipProtocol: UInt8?
        var destinationPorts: ClosedRange<UInt16>?
    }

    private func readMatch(_ fields: Fields, into match: inout MatchFields, _ reader: Reader) -> Bool {
        var valid = true
        func prefix(_ name: String) -> IPPrefix? {
            guard let value = fields[name] else { return nil }
            guard let text = reader.string(value, expected: "an IP prefix such as 10.0.0.0/8") else {
                valid = false
                return nil
            }
            switch parseIPPrefix(text) {
            case .success(let prefix): return prefix
            case .failure(let problem):
                reader.error(value, problem.message)
                valid = false
                return nil
            }
        }
        match.source = prefix("source")
        match.destination = prefix("destination")
        if let source = match.source, let destination = match.destination, source.family != destination.family {
            reader.error(fields["destination"]!, "source is \(source.family == .ipv4 ? "IPv4" : "IPv6") "
                + "but destination is \(destination.family == .ipv4 ? "IPv4" : "IPv6")")
            valid = false
        }

        if let value = fields["protocol"] {
            let names = ConfigBuilder.protocolNumbers.keys.sorted()
            let expected = "a protocol name (\(names.joined(separator: ", "))) or a number from 0 to 255"
            if let text = reader.scalar(value, expected: expected) {
                if let number = ConfigBuilder.protocolNumbers[text.lowercased()] ?? parseInteger(text, as: UInt8.self) {
                    match.ipProtocol = number
                } else {
                    reader.error(value, "expected \(expected), got \(quoted(text))")
                    valid = false
                }
            } else {
                valid = false
            }
        }

        if let value = fields["destinationPort"] {
            if let text = reader.scalar(value, expected: "a port or a range such as 8000-8999"),
               let range = parsePortRange(text) {
                match.destinationPorts = range
                if let proto = match.ipProtocol, !ConfigBuilder.protocolsWithPorts.contains(proto) {
                    reader.error(value, "destinationPort needs protocol tcp, udp or sctp (protocol is \(proto))")
                    valid = false
                } else if match.ipProtocol == nil && !fields.has("protocol") {
                    reader.error(value, "destinationPort needs a protocol: add protocol: tcp, udp or sctp")
                    valid = false
                }
            } else {
                if case .scalar = value.node, !isNull(value.node) {
                    reader.error(value, "expected a port from 0 to 65535 or a range such as 8000-8999, "
                        + "got \(quoted(value.node.scalar?.string ?? ""))")
                }
                valid = false
            }
        }
        return valid
    }

    /// The capability pushed, checked against the local authority, policies and revocations.
    private func readPush(_ value: Value, ingressPort: String?, _ reader: Reader) -> PushedCapability? {
        guard let fields = reader.fields(value, known: ["scope", "routeClass", "trustLevel", "constraints",
                                                        "lifetime", "capabilityID"]) else { return nil }
        let scope = reader.require(fields, "scope").flatMap { reader.integer($0, UInt32.self) }
        let routeClass = reader.require(fields, "routeClass").flatMap { reader.integer($0, UInt8.self) }
        let trust = reader.require(fields, "trustLevel").flatMap { reader.integer($0, UInt8.self) }
        let lifetime = reader.require(fields, "lifetime").flatMap {
            reader.duration($0, in: 1...ConfigBuilder.maxLifetimeLimit)
        }
        let capabilityID = reader.require(fields, "capabilityID").flatMap { reader.integer($0, UInt64.self) }
        var constraints: UInt32? = 0
        if let constraintsValue = fields["constraints"] {
            constraints = readConstraints(constraintsValue, reader)
        }
        guard let scope, let routeClass, let trust, let lifetime, let capabilityID, let constraints else { return nil }
        var valid = true

        // Within what the local authority may grant (DESIGN 1.6), or every pushed packet
        // would be dropped by the next governed node.
        if let local = settings.localAuthority, let authority = authorities.first(where: { $0.name == local.authorityName }) {
            let owner = "the local authority \"\(authority.name)\""
            if !authority.scopes.allows(scope) {
                reader.error(fields["scope"]!, "\(owner) is not entitled to scope \(scope)")
                valid = false
            }
            if !authority.routeClasses.allows(routeClass) {
                reader.error(fields["routeClass"]!, "\(owner) may not grant route class \(routeClass)")
                valid = false
            }
            if trust > authority.maxTrustLevel {
                reader.error(fields["trustLevel"]!, "\(owner) grants trust levels up to \(authority.maxTrustLevel)")
                valid = false
            }
            if lifetime > authority.maxLifetimeSeconds {
                reader.error(fields["lifetime"]!, "\(owner) allows lifetimes up to "
                    + formatDuration(authority.maxLifetimeSeconds))
                valid = false
            }
        }

        // A pushed packet is classified like any other: it needs a policy here, and a meter
        // for its rate class.
        if !incomplete.contains(.scopePolicy) {
            if let policy = policies.first(where: { $0.config.scopeID == scope && $0.config.routeClass == routeClass }) {
                if case .forward(let egressName) = policy.config.action,
                   !checkPushedConstraints(constraints, policy: policy.config, policyLabel: policy.label,
                                           egress: ports.first(where: { $0.config.name == egressName })?.config,
                                           ingressPort: ingressPort, fields, reader) {
                    valid = false
                }
            } else {
                reader.error(fields["routeClass"]!, "no ScopePolicy for scope \(scope), route class \(routeClass): "
                    + "pushed packets would be dropped")
                valid = false
            }
        }
        if let revokedBy = revoked[capabilityID] {
            reader.error(fields["capabilityID"]!, "capability \(capabilityID) is revoked by \(revokedBy)")
            valid = false
        }
        guard valid else { return nil }
        return PushedCapability(scopeID: scope, routeClass: routeClass, trustLevel: trust, constraints: constraints,
                                lifetimeSeconds: lifetime, capabilityID: capabilityID)
    }

    /// The constraints of a pushed header must hold on the egress its policy chooses
    /// (DESIGN 1.6), or every pushed packet would be dropped; and each must have an effect
    /// there, or the selector does not do what it says.
    private func checkPushedConstraints(
        _ bits: UInt32, policy: ScopePolicy, policyLabel: String, egress: PortConfig?, ingressPort: String?,
        _ fields: Fields, _ reader: Reader
    ) -> Bool {
        guard let constraintsValue = fields["constraints"] else { return true }
        let constraints = Constraints(rawValue: bits)
        var problems: [String] = []
        if constraints.rateClass != 0, policy.meter(rateClass: constraints.rateClass) == nil {
            problems.append("rate class \(constraints.rateClass) has no meter in \(policyLabel); "
                + "the pushed packets would not be metered")
        }
        if let egress {
            let port = "Port \"\(egress.name)\" (the egress of \(policyLabel))"
            if constraints.noExport && egress.boundary == .external {
                problems.append("no-export packets may not leave through \(port), an external port")
            }
            if let ceiling = egress.labelCeiling, constraints.label > ceiling {
                problems.append("label \(constraints.label) is above the label ceiling \(ceiling) of \(port)")
            }
            // AUDIT copies go to the egress port's audit port, else to the ingress port's.
            let ingress = ports.filter { ingressPort == nil ? $0.config.ungoverned == .push : $0.config.name == ingressPort }
            if constraints.audit && egress.auditPort == nil && ingress.contains(where: { $0.config.auditPort == nil }) {
                problems.append("audit packets would not be copied: neither \(port) nor the gateway port has an auditPort")
            }
        }
        for problem in problems { reader.error(constraintsValue, problem) }
        return problems.isEmpty
    }

    /// `audit,no-export,rate=3`, a list of such names, or a number.
    private func readConstraints(_ value: Value, _ reader: Reader) -> UInt32? {
        var text: String
        if case .sequence = value.node {
            guard let elements = reader.sequence(value, allowEmpty: true) else { return nil }
            var names: [String] = []
            for element in elements {
                guard let name = reader.string(element, expected: "a constraint name") else { return nil }
                names.append(name)
            }
            text = names.isEmpty ? "none" : names.joined(separator: ",")
        } else {
            guard let scalar = reader.scalar(value, expected: "constraint names such as audit,no-export,rate=3") else {
                return nil
            }
            text = scalar
        }
        switch parseConstraints(text) {
        case .success(let bits): return bits
        case .failure(let problem):
            reader.error(value, problem.message)
            return nil
        }
    }
}

/// `443` or `8000-8999`.
func parsePortRange(_ text: String) -> ClosedRange<UInt16>? {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        .map { $0.trimmingCharacters(in: .whitespaces) }
    guard (1...2).contains(parts.count), !parts.contains(where: { $0.hasPrefix("0x") }),
          let low = parseInteger(parts[0], as: UInt16.self),
          let high = parts.count == 2 ? parseInteger(parts[1], as: UInt16.self) : low,
          low <= high else { return nil }
    return low...high
}
