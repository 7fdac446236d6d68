// A one-paragraph description of a configuration, for check-config and start-up logs.

import Pipeline

extension NodeConfig {
    /// What the configuration sets up, without any key material:
    ///
    /// ```
    /// Node "edge-1" (UDP carrier port 4742, clock skew 5s): 2 ports (in: internal net_pcap0;
    /// out: internal net_pcap1), 1 authority (corp-ca id 7, epochs 1, 2), 3 scope policies,
    /// 4 revoked capability ids, 0 gateway selectors.
    /// ```
    var summary: String {
        func count(_ number: Int, _ noun: String, _ plural: String? = nil) -> String {
            "\(number) " + (number == 1 ? noun : plural ?? noun + "s")
        }
        let portList = ports.map { port -> String in
            var text = "\(port.name): \(port.boundary) \(port.device)"
            if let ceiling = port.labelCeiling { text += ", label ceiling \(ceiling)" }
            if let audit = port.auditPort { text += ", audit to \(audit)" }
            if port.ungoverned != .drop { text += ", ungoverned \(port.ungoverned)" }
            return text
        }.joined(separator: "; ")
        let authorityList = authorities.map { authority in
            let epochs = authority.epochs.map(String.init).joined(separator: ", ")
            return "\(authority.name) id \(authority.authorityID), "
                + (authority.keys.count == 1 ? "epoch " : "epochs ") + epochs
        }.joined(separator: "; ")
        var text = "Node \"\(settings.nodeName)\" (UDP carrier port \(settings.udpPort), clock skew "
            + "\(formatDuration(settings.clockSkewSeconds))"
        if let local = settings.localAuthority {
            text += ", pushes as \(local.authorityName) epoch \(local.keyEpoch)"
        }
        text += "): " + count(ports.count, "port") + " (\(portList)), "
        text += count(authorities.count, "authority", "authorities")
        if !authorities.isEmpty { text += " (\(authorityList))" }
        let meters = policies.reduce(0) { $0 + $1.meters.count }
        text += ", " + count(policies.count, "scope policy", "scope policies")
        if meters > 0 { text += " with " + count(meters, "meter") }
        text += ", " + count(revoked.count, "revoked capability id")
        text += ", " + count(gatewaySelectors.count, "gateway selector") + "."
        return text
    }
}
