// Checks that span resources, made once every resource has been read.

import Pipeline

extension ConfigBuilder {
    func checkWholeNode(_ resources: [Resource]) {
        if declared[.port, default: [:]].isEmpty && !resources.isEmpty && !unreadableDocuments {
            diagnostics.report(ConfigError(file: file, line: nil, resource: nil, field: nil,
                message: "no Port resource; a node needs at least one port"))
        }

        let pushing = ports.filter { $0.config.ungoverned == .push }
        for port in pushing {
            let reader = Reader(diagnostics: diagnostics, file: file, resource: port.label)
            if settings.localAuthority == nil && !incomplete.contains(.node) && !incomplete.contains(.authority) {
                reader.error(port.ungovernedPath, line: port.ungovernedLine,
                             "push needs the node's local authority: set spec.localAuthority in the Node resource")
            }
            let served = selectors.contains { $0.ingressPort == nil || $0.ingressPort == port.config.name }
            if !served && !incomplete.contains(.gatewaySelector) {
                reader.error(port.ungovernedPath, line: port.ungovernedLine,
                             "push needs at least one GatewaySelector for this port; without one every "
                             + "ungoverned packet arriving here is dropped")
            }
        }

        if pushing.isEmpty && !incomplete.contains(.port),
           let first = resources.first(where: { $0.kind == .gatewaySelector }) {
            let reader = Reader(diagnostics: diagnostics, file: file, resource: first.label)
            reader.error("", line: first.line, "gateway selectors need a gateway port with ungoverned: push, "
                + "and no port pushes")
        }
    }
}
