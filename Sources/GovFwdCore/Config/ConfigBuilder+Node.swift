// The Node resource: node-wide settings.

import Pipeline

extension ConfigBuilder {
    /// Longest `clockSkew` accepted.
    static let maxClockSkew: UInt32 = 3600

    /// ```yaml
    /// kind: Node
    /// metadata: {name: edge-1}
    /// spec:
    ///   udpPort: 4742
    ///   clockSkew: 5s
    ///   wireGuardPort: 51820
    ///   localAuthority: {authority: gw-local, epoch: 1}
    /// ```
    /// Read after the authorities, which `localAuthority` refers to.
    func readNode(_ resource: Resource) {
        let reader = reader(resource)
        if let first = nodeResource {
            reader.error("", line: resource.line, "only one Node resource is allowed (first at line \(first.line))")
            return
        }
        nodeResource = resource
        if let name = resource.name { settings.nodeName = name }
        guard resource.spec != nil,
              let spec = spec(resource, known: ["udpPort", "clockSkew", "wireGuardPort", "localAuthority"])
        else { return }

        if let value = spec["udpPort"], let port = reader.integer(value, UInt16.self, in: 1...UInt16.max) {
            settings.udpPort = port
        }
        if let value = spec["clockSkew"], let skew = reader.duration(value, in: 0...ConfigBuilder.maxClockSkew) {
            settings.clockSkewSeconds = skew
        }
        if let value = spec["wireGuardPort"], let port = reader.integer(value, UInt16.self, in: 1...UInt16.max) {
            settings.wireGuardPort = port
        }
        if let value = spec["localAuthority"] {
            settings.localAuthority = readLocalAuthority(value, reader)
        }
    }

    /// `{authority: NAME, epoch: N}`: an Authority resource and one of its key epochs.
    private func readLocalAuthority(_ value: Value, _ reader: Reader) -> LocalAuthority? {
        guard let fields = reader.fields(value, known: ["authority", "epoch"]) else { return nil }
        let epoch = reader.require(fields, "epoch").flatMap { reader.integer($0, UInt16.self) }
        guard let nameValue = reader.require(fields, "authority"), let name = reader.name(nameValue) else { return nil }
        guard declared[.authority]?[name] != nil else {
            var message = "no Authority named \(quoted(name))"
            if let guess = closest(to: name, among: Array(declared[.authority, default: [:]].keys).sorted()) {
                message += "; did you mean \"\(guess)\"?"
            }
            reader.error(nameValue, message)
            return nil
        }
        // An authority whose own spec has errors has been reported already.
        guard let authority = authorities.first(where: { $0.name == name }), let epoch else { return nil }
        guard let key = authority.keys[epoch] else {
            let epochs = authority.epochs.map(String.init).joined(separator: ", ")
            reader.error(fields["epoch"]!, "Authority \"\(name)\" has no key for epoch \(epoch) (it has \(epochs))")
            return nil
        }
        return LocalAuthority(authorityName: name, authorityID: authority.authorityID, keyEpoch: epoch, key: key)
    }
}
