// The Port resource.

import Pipeline

extension ConfigBuilder {
    /// ```yaml
    /// kind: Port
    /// metadata: {name: wan}
    /// spec:
    ///   device: net_pcap1          # or index: 1
    ///   boundary: external         # internal | external | legacy | gateway
    ///   labelCeiling: 2            # optional
    ///   auditPort: audit           # optional
    ///   ungoverned: drop           # drop | push | {action: pass, egress: lan}
    /// ```
    func readPort(_ resource: Resource) {
        let reader = reader(resource)
        guard let spec = spec(resource, known: ["device", "index", "boundary", "labelCeiling", "auditPort", "ungoverned"])
        else { return }
        var valid = resource.name != nil

        // How to find the port: exactly one of device and index.
        var device: PortDevice?
        var deviceValue: Value?
        switch (spec["device"], spec["index"]) {
        case (let value?, nil):
            deviceValue = value
            if let text = reader.string(value, expected: "an ethdev name such as net_pcap0 or a PCI address") {
                if text.contains(where: \.isWhitespace) {
                    reader.error(value, "an ethdev name has no spaces, got \(quoted(text))")
                } else {
                    device = .ethdevName(text)
                }
            }
        case (nil, let value?):
            deviceValue = value
            device = reader.integer(value, UInt16.self).map(PortDevice.index)
        case (let first?, let second?):
            let later = first.keyLine > second.keyLine ? first : second
            reader.error(later, "give either device or index, not both")
        case (nil, nil):
            reader.error(spec.path("device"), line: spec.value.keyLine,
                         "required field is missing: give device (an ethdev name such as net_pcap0, "
                         + "or a PCI address) or index (a DPDK port id)")
        }
        if let device, let deviceValue {
            if let other = ports.first(where: { $0.config.device == device }) {
                reader.error(deviceValue, "\(device) is already used by \(other.label)")
                valid = false
            }
        } else {
            valid = false
        }

        var boundary: PortBoundary?
        if let value = reader.require(spec, "boundary") {
            boundary = reader.choice(value, PortBoundary.allCases.map(\.rawValue)).flatMap(PortBoundary.init)
        }

        var labelCeiling: UInt8?
        if let value = spec["labelCeiling"] {
            labelCeiling = reader.integer(value, UInt8.self)
            if labelCeiling == nil { valid = false }
        }

        var auditPort: String?
        if let value = spec["auditPort"] {
            auditPort = portReference(value, reader)
            if auditPort == nil {
                valid = false
            } else if auditPort == resource.name {
                reader.error(value, "a port cannot be its own audit port")
                valid = false
            }
        }

        let ungoverned = readUngoverned(spec, boundary: boundary, reader)
        guard valid, let name = resource.name, let device, let boundary, let ungoverned else { return }
        let ungovernedValue = spec["ungoverned"]
        ports.append(ReadPort(
            config: PortConfig(name: name, device: device, boundary: boundary, labelCeiling: labelCeiling,
                               auditPort: auditPort, ungoverned: ungoverned),
            label: resource.label,
            ungovernedPath: ungovernedValue?.path ?? spec.path("ungoverned"),
            ungovernedLine: ungovernedValue?.line ?? spec.value.keyLine))
    }

    /// `ungoverned: drop | push` or `ungoverned: {action: drop | pass | push, egress: PORT}`;
    /// `drop` when absent.
    private func readUngoverned(_ spec: Fields, boundary: PortBoundary?, _ reader: Reader) -> UngovernedAction? {
        guard let value = spec["ungoverned"] else { return .drop }
        let actions = ["drop", "pass", "push"]
        var actionValue = value
        var egressValue: Value?
        if case .mapping = value.node {
            guard let fields = reader.fields(value, known: ["action", "egress"]),
                  let action = reader.require(fields, "action") else { return nil }
            actionValue = action
            egressValue = fields["egress"]
        }
        guard let action = reader.choice(actionValue, actions) else { return nil }
        switch action {
        case "pass":
            guard let egressValue else {
                if case .mapping = value.node {
                    reader.error(value.path + ".egress", line: actionValue.line,
                                 "required field is missing: pass needs the port that ungoverned traffic leaves by")
                } else {
                    reader.error(value, "pass needs an egress port: write ungoverned: {action: pass, egress: PORT}")
                }
                return nil
            }
            return portReference(egressValue, reader).map { UngovernedAction.pass(egressPort: $0) }
        default:
            if let egressValue {
                reader.error(egressValue, "egress is only used with action: pass")
                return nil
            }
            if action == "drop" { return .drop }
            if let boundary, boundary != .gateway {
                reader.error(actionValue, "push is only allowed on gateway ports; this port's boundary is \(boundary)")
                return nil
            }
            return .push
        }
    }
}
