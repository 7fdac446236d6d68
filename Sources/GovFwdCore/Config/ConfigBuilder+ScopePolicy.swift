// The ScopePolicy resource.

import Pipeline

extension ConfigBuilder {
    /// ```yaml
    /// kind: ScopePolicy
    /// metadata: {name: tenant-a-web}
    /// spec:
    ///   scope: 100
    ///   routeClass: 1
    ///   action: forward            # forward | drop
    ///   egress: fabric             # forward only
    ///   minTrustLevel: 10          # default 0
    ///   meters:                    # forward only; one per rate class
    ///     - {rateClass: 1, packetsPerSecond: 100k, burst: 2k}
    ///     - {rateClass: 2, bytesPerSecond: 125M, burst: 1Mi}
    /// ```
    func readScopePolicy(_ resource: Resource) {
        let reader = reader(resource)
        guard let spec = spec(resource, known: ["scope", "routeClass", "action", "egress", "minTrustLevel", "meters"])
        else { return }

        let scope = reader.require(spec, "scope").flatMap { reader.integer($0, UInt32.self) }
        let routeClass = reader.require(spec, "routeClass").flatMap { reader.integer($0, UInt8.self) }
        var pairIsFree = true
        if let scope, let routeClass,
           let other = policies.first(where: { $0.config.scopeID == scope && $0.config.routeClass == routeClass }) {
            reader.error(spec.path("routeClass"), line: spec["routeClass"]!.line,
                         "\(other.label) already sets the policy for scope \(scope), route class \(routeClass)")
            pairIsFree = false
        }

        var action: PolicyAction?
        var actionIsValid = true
        if let actionValue = reader.require(spec, "action"), let name = reader.choice(actionValue, ["forward", "drop"]) {
            if name == "forward" {
                if let egressValue = spec["egress"] {
                    action = portReference(egressValue, reader).map { PolicyAction.forward(egressPort: $0) }
                } else {
                    reader.missing(spec, "egress")
                }
            } else {
                action = .drop
                if let egressValue = spec["egress"] {
                    reader.error(egressValue, "egress is only used with action: forward")
                    actionIsValid = false
                }
                if let metersValue = spec["meters"] {
                    reader.error(metersValue, "meters are only used with action: forward")
                    actionIsValid = false
                }
            }
        }

        var minTrust: UInt8? = 0
        if let value = spec["minTrustLevel"] { minTrust = reader.integer(value, UInt8.self) }

        var meters: [RateMeter]? = []
        if let value = spec["meters"], action != .drop { meters = readMeters(value, reader) }

        guard let name = resource.name, let scope, let routeClass, pairIsFree, let action, actionIsValid,
              let minTrust, let meters else { return }
        policies.append((ScopePolicy(name: name, scopeID: scope, routeClass: routeClass, action: action,
                                     minTrustLevel: minTrust, meters: meters), resource.label))
    }

    /// A list of meters with distinct rate classes.
    private func readMeters(_ value: Value, _ reader: Reader) -> [RateMeter]? {
        guard let items = reader.sequence(value) else { return nil }
        var meters: [RateMeter] = []
        var lines: [UInt8: Int] = [:]
        for item in items {
            guard let fields = reader.fields(item, known: ["rateClass", "packetsPerSecond", "bytesPerSecond", "burst"])
            else { continue }
            var rateClass: UInt8?
            if let value = reader.require(fields, "rateClass"), let number = reader.integer(value, UInt8.self, in: 1...255) {
                if let first = lines[number] {
                    reader.error(value, "rate class \(number) already has a meter (line \(first))")
                } else {
                    lines[number] = value.line
                    rateClass = number
                }
            }
            var unit: MeterUnit?
            var rate: UInt64?
            switch (fields["packetsPerSecond"], fields["bytesPerSecond"]) {
            case (let packets?, nil):
                unit = .packets
                rate = reader.quantity(packets, maximum: RateMeter.maximumQuantity)
            case (nil, let bytes?):
                unit = .bytes
                rate = reader.quantity(bytes, maximum: RateMeter.maximumQuantity)
            case (let packets?, let bytes?):
                reader.error(packets.keyLine > bytes.keyLine ? packets : bytes,
                             "give either packetsPerSecond or bytesPerSecond, not both")
            case (nil, nil):
                reader.error(fields.path("packetsPerSecond"), line: item.line,
                             "required field is missing: give packetsPerSecond or bytesPerSecond")
            }
            let burst = reader.require(fields, "burst").flatMap { reader.quantity($0, maximum: RateMeter.maximumQuantity) }
            if let rateClass, let unit, let rate, let burst {
                meters.append(RateMeter(rateClass: rateClass, unit: unit, committedRate: rate, burst: burst))
            }
        }
        guard meters.count == items.count else { return nil }
        return meters.sorted { $0.rateClass < $1.rateClass }
    }
}
