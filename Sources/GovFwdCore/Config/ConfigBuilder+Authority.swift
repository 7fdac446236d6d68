// The Authority resource.

import Pipeline

extension ConfigBuilder {
    /// Longest `maxLifetime` accepted: 366 days.
    static let maxLifetimeLimit: UInt32 = 366 * 86400

    /// ```yaml
    /// kind: Authority
    /// metadata: {name: corp-ca}
    /// spec:
    ///   id: 7
    ///   keys:
    ///     - {epoch: 1, key: 000102030405060708090a0b0c0d0e0f}
    ///     - {epoch: 2, keyFile: keys/corp-ca-2.key}
    ///   scopes: [100, 101]        # or: all
    ///   maxTrustLevel: 200
    ///   routeClasses: [1, 2]      # or: all
    ///   maxLifetime: 1h
    /// ```
    func readAuthority(_ resource: Resource) {
        let reader = reader(resource)
        guard let spec = spec(resource, known: ["id", "keys", "scopes", "maxTrustLevel", "routeClasses", "maxLifetime"])
        else { return }

        var authorityID: UInt32?
        if let value = reader.require(spec, "id"), let id = reader.integer(value, UInt32.self) {
            if let other = authorities.first(where: { $0.authorityID == id }) {
                reader.error(value, "authority id \(id) is already used by Authority \"\(other.name)\"")
            } else {
                authorityID = id
            }
        }

        let keys = reader.require(spec, "keys").flatMap { readKeys($0, reader) }
        let scopes = reader.require(spec, "scopes").flatMap { entitlement($0, UInt32.self, reader) }
        let maxTrust = reader.require(spec, "maxTrustLevel").flatMap { reader.integer($0, UInt8.self) }
        let routeClasses = reader.require(spec, "routeClasses").flatMap { entitlement($0, UInt8.self, reader) }
        let maxLifetime = reader.require(spec, "maxLifetime").flatMap {
            reader.duration($0, in: 1...ConfigBuilder.maxLifetimeLimit)
        }

        guard let name = resource.name, let authorityID, let keys, let scopes, let maxTrust, let routeClasses,
              let maxLifetime else { return }
        authorities.append(AuthorityConfig(
            name: name, authorityID: authorityID, keys: keys, scopes: scopes, maxTrustLevel: maxTrust,
            routeClasses: routeClasses, maxLifetimeSeconds: maxLifetime))
    }

    /// A non-empty list of `{epoch, key}` or `{epoch, keyFile}` with distinct epochs.
    private func readKeys(_ value: Value, _ reader: Reader) -> [UInt16: KeyMaterial]? {
        guard let items = reader.sequence(value) else { return nil }
        var keys: [UInt16: KeyMaterial] = [:]
        var epochLines: [UInt16: Int] = [:]
        var valid = true
        for item in items {
            guard let fields = reader.fields(item, known: ["epoch", "key", "keyFile"]) else {
                valid = false
                continue
            }
            var epoch: UInt16?
            if let epochValue = reader.require(fields, "epoch"), let number = reader.integer(epochValue, UInt16.self) {
                if let first = epochLines[number] {
                    reader.error(epochValue, "epoch \(number) is given twice (first at line \(first))")
                } else {
                    epochLines[number] = epochValue.line
                    epoch = number
                }
            }
            var key: KeyMaterial?
            switch (fields["key"], fields["keyFile"]) {
            case (let inline?, nil):
                // Never echo the value: reader.scalar reports only its shape.
                if let text = reader.scalar(inline, expected: "32 hexadecimal characters") {
                    switch decodeHexKey(text) {
                    case .success(let material): key = material
                    case .failure(let problem): reader.error(inline, problem.message)
                    }
                }
            case (nil, let file?):
                if let path = reader.string(file, expected: "a file path") {
                    switch readKeyFile(atPath: resolvePath(path, relativeTo: baseDirectory)) {
                    case .success(let material): key = material
                    case .failure(let problem): reader.error(file, problem.message)
                    }
                }
            case (let inline?, let file?):
                reader.error(inline.keyLine > file.keyLine ? inline : file, "give either key or keyFile, not both")
            case (nil, nil):
                reader.error(fields.path("key"), line: item.line, "required field is missing: give key or keyFile")
            }
            if let epoch, let key { keys[epoch] = key } else { valid = false }
        }
        return valid ? keys : nil
    }
}
