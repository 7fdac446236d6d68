// Loads the node's YAML configuration into a validated NodeConfig.

import Foundation
import Pipeline
import Yams

/// Reads a `govfwd/v1` configuration file (docs/configuration.md) and validates all of it
/// before anything is built from it.
///
/// ```swift
/// do {
///     let config = try ConfigLoader.load(file: "configs/two-port.yaml")
/// } catch {
///     print(error)   // configs/two-port.yaml:23: Port "wan": spec.boundary: expected one of ...
/// }
/// ```
/// Every problem in the file is reported, one per line, in file order.
enum ConfigLoader {
    /// The only `apiVersion` this node reads.
    static let apiVersion = "govfwd/v1"

    /// Reads and validates the file at `file`. Relative `keyFile:` and `revokedFile:`
    /// paths are resolved against the folder that holds `file`.
    static func load(file: String) throws(ConfigErrors) -> NodeConfig {
        if let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int,
           size > InputLimits.maximumFileBytes {
            throw ConfigErrors(errors: [ConfigError(file: file, message:
                "the file is \(size) bytes, more than the \(InputLimits.maximumFileBytes >> 20) MiB allowed")])
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            let reason = FileManager.default.fileExists(atPath: file) ? "cannot read the file" : "no such file"
            throw ConfigErrors(errors: [ConfigError(file: file, message: reason)])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigErrors(errors: [ConfigError(file: file, message: "the file is not UTF-8 text")])
        }
        return try load(yaml: text, file: file)
    }

    /// Validates configuration text. `file` names it in error messages; relative paths are
    /// resolved against `baseDirectory`, by default the folder of `file`.
    static func load(yaml: String, file: String, baseDirectory: String? = nil) throws(ConfigErrors) -> NodeConfig {
        let builder = ConfigBuilder(file: file, baseDirectory: baseDirectory ?? directory(of: file))
        let config = builder.build(yaml: yaml)
        if let config, builder.diagnostics.isEmpty { return config }
        throw ConfigErrors(errors: builder.diagnostics.sorted)
    }
}

/// The kinds of resource a configuration holds.
enum ResourceKind: String, CaseIterable {
    case node = "Node"
    case port = "Port"
    case authority = "Authority"
    case scopePolicy = "ScopePolicy"
    case revocations = "Revocations"
    case gatewaySelector = "GatewaySelector"
}

/// One YAML document of the stream: a resource whose header has been read.
struct Resource {
    let kind: ResourceKind
    /// `metadata.name`, if valid.
    let name: String?
    /// `Kind "name"`, for error messages.
    let label: String
    /// `spec`, if present.
    let spec: Value?
    /// Line of `metadata.name` (or of the document).
    let nameLine: Int
    /// Line where the document starts.
    let line: Int
}

/// A port as read, with what the whole-node checks need to point at.
struct ReadPort {
    let config: PortConfig
    let label: String
    /// Path and line of `spec.ungoverned` (or of `spec` when absent).
    let ungovernedPath: String
    let ungovernedLine: Int
}

/// Validates one file; holds what has been read so far so later resources can check
/// their references against earlier ones.
final class ConfigBuilder {
    let diagnostics = Diagnostics()
    let file: String
    let baseDirectory: String

    // Names declared by each kind, with the line of metadata.name; filled before any spec
    // is read, so a reference to a resource whose spec has errors does not add errors.
    var declared: [ResourceKind: [String: Int]] = [:]

    // Resources read successfully, in file order.
    var settings = NodeSettings()
    var nodeResource: Resource?
    var ports: [ReadPort] = []
    var authorities: [AuthorityConfig] = []
    var policies: [(config: ScopePolicy, label: String)] = []
    var revoked: [UInt64: String] = [:]
    var selectors: [GatewaySelector] = []
    /// Some resource of this kind failed to read: skip checks that would only repeat it.
    var incomplete: Set<ResourceKind> = []
    /// Some document is not a resource of a known kind.
    var unreadableDocuments = false

    init(file: String, baseDirectory: String) {
        self.file = file
        self.baseDirectory = baseDirectory
    }

    func reader(_ resource: Resource?) -> Reader {
        Reader(diagnostics: diagnostics, file: file, resource: resource?.label)
    }

    /// Reads the whole stream; `nil` if it could not be parsed as YAML.
    func build(yaml: String) -> NodeConfig? {
        guard let roots = parseDocuments(yaml) else { return nil }
        let resources = roots.compactMap(readHeader)
        if roots.isEmpty {
            diagnostics.report(ConfigError(file: file, line: nil, resource: nil, field: nil,
                message: "no resources; expected YAML documents with apiVersion: \(ConfigLoader.apiVersion)"))
        }

        // Dependency order: ports, authorities, then what refers to them.
        let order: [ResourceKind] = [.port, .authority, .node, .scopePolicy, .revocations, .gatewaySelector]
        for kind in order {
            for resource in resources where resource.kind == kind {
                let errorsBefore = diagnostics.errors.count
                switch kind {
                case .node: readNode(resource)
                case .port: readPort(resource)
                case .authority: readAuthority(resource)
                case .scopePolicy: readScopePolicy(resource)
                case .revocations: readRevocations(resource)
                case .gatewaySelector: readGatewaySelector(resource)
                }
                if diagnostics.errors.count != errorsBefore { incomplete.insert(kind) }
            }
        }
        checkWholeNode(resources)

        return NodeConfig(
            settings: settings,
            ports: ports.map(\.config),
            authorities: authorities,
            policies: policies.map(\.config),
            revoked: revoked.keys.sorted(),
            gatewaySelectors: selectors
        )
    }

    // MARK: YAML stream

    private func parseDocuments(_ yaml: String) -> [Node]? {
        var roots: [Node] = []
        if let exceeded = InputLimits.check(yaml: yaml) {
            diagnostics.report(ConfigError(file: file, line: exceeded.line, message: exceeded.message))
            return nil
        }
        do {
            var documents = try compose_all(yaml: yaml)
            while let root = documents.next() {
                // A document holding only comments composes to a null scalar.
                if case .scalar = root, isNull(root) { continue }
                roots.append(root)
            }
            if let error = documents.error { throw error }
        } catch {
            diagnostics.report(yamlError(error))
            return nil
        }
        return roots
    }

    /// A YAML syntax error, without the snippet of the line Yams would print (it may hold a key).
    private func yamlError(_ error: any Error) -> ConfigError {
        guard let error = error as? YamlError else {
            return ConfigError(file: file, message: "invalid YAML")
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            var message = "invalid YAML: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            return ConfigError(file: file, line: mark.line, message: message)
        case let .reader(problem, _, _, _):
            return ConfigError(file: file, message: "invalid YAML: \(problem)")
        default:
            return ConfigError(file: file, message: "invalid YAML")
        }
    }

    // MARK: Resource header

    /// Reads `apiVersion`, `kind` and `metadata`; `nil` if the document cannot be used.
    private func readHeader(_ root: Node) -> Resource? {
        let line = root.mark?.line ?? 1
        let rootValue = Value(node: root, path: "", line: line, keyLine: line)

        // Name the resource in its own errors as early as possible.
        var kindText: String?
        var nameText: String?
        if case .mapping(let mapping) = root {
            kindText = mapping["kind"]?.scalar?.string
            if let metadata = mapping["metadata"], case .mapping(let fields) = metadata {
                nameText = fields["name"]?.scalar?.string
            }
        }
        let kind = kindText.flatMap(ResourceKind.init(rawValue:))
        var label: String?
        if let kind {
            label = kind.rawValue
            if let nameText, isValidName(nameText) { label = "\(kind.rawValue) \"\(nameText)\"" }
        }
        let reader = Reader(diagnostics: diagnostics, file: file, resource: label)

        guard let fields = reader.fields(rootValue, known: ["apiVersion", "kind", "metadata", "spec"]) else {
            unreadableDocuments = true
            return nil
        }
        var usable = true
        if let value = reader.require(fields, "apiVersion") {
            if let text = reader.scalar(value, expected: "\(ConfigLoader.apiVersion)"), text != ConfigLoader.apiVersion {
                reader.error(value, "unsupported apiVersion \(quoted(text)); this node reads \(ConfigLoader.apiVersion)")
                usable = false
            }
        } else {
            usable = false
        }
        if let value = reader.require(fields, "kind") {
            if reader.choice(value, ResourceKind.allCases.map(\.rawValue)) == nil { usable = false }
        } else {
            usable = false
        }

        var name: String?
        var nameLine = line
        if let value = reader.require(fields, "metadata"),
           let metadata = reader.fields(value, known: ["name", "labels", "annotations"]) {
            nameLine = metadata.value.keyLine
            if let nameValue = reader.require(metadata, "name") {
                nameLine = nameValue.line
                name = reader.name(nameValue)
            }
            for field in ["labels", "annotations"] {
                if let value = metadata[field] { checkStringMap(value, reader) }
            }
        }
        guard let kind else {
            unreadableDocuments = true
            return nil
        }

        // Declared even when the header has errors, so references to it add none.
        if let name {
            if let first = declared[kind]?[name] {
                reader.error("metadata.name", line: nameLine,
                             "another \(kind.rawValue) has this name (line \(first)); names must be unique per kind")
            } else {
                declared[kind, default: [:]][name] = nameLine
            }
        } else {
            incomplete.insert(kind)
        }
        guard usable else {
            incomplete.insert(kind)
            return nil
        }

        let spec = fields["spec"]
        if spec == nil && kind != .node { reader.missing(fields, "spec") }
        return Resource(kind: kind, name: name, label: label ?? kind.rawValue, spec: spec,
                        nameLine: nameLine, line: line)
    }

    /// `labels` and `annotations`: free-form `string: string` notes that the node ignores.
    private func checkStringMap(_ value: Value, _ reader: Reader) {
        guard case .mapping(let mapping) = value.node else {
            reader.error(value, "expected a mapping of names to strings")
            return
        }
        for (key, entry) in mapping {
            guard case .scalar = key, case .scalar = entry else {
                reader.error(value.path, line: key.mark?.line ?? value.line, "expected a mapping of names to strings")
                return
            }
        }
    }

    // MARK: Helpers for resources

    /// The `spec` of a resource as fields; `nil` if absent or not a mapping.
    func spec(_ resource: Resource, known: [String]) -> Fields? {
        guard let spec = resource.spec else { return nil }
        return reader(resource).fields(spec, known: known)
    }

    /// Checks that `value` names a declared port; returns the name.
    func portReference(_ value: Value, _ reader: Reader) -> String? {
        guard let name = reader.name(value) else { return nil }
        guard declared[.port]?[name] != nil else {
            var message = "no Port named \(quoted(name))"
            if let guess = closest(to: name, among: Array(declared[.port, default: [:]].keys).sorted()) {
                message += "; did you mean \"\(guess)\"?"
            }
            reader.error(value, message)
            return nil
        }
        return name
    }

    /// `all`, or a non-empty list of distinct integers.
    func entitlement<T: FixedWidthInteger & UnsignedInteger & Sendable>(
        _ value: Value, _ type: T.Type, in range: ClosedRange<T> = T.min...T.max, _ reader: Reader
    ) -> Entitlement<T>? {
        if case .scalar = value.node {
            guard let text = reader.scalar(value, expected: "all or a list of integers") else { return nil }
            if text == "all" { return .all }
            reader.error(value, "expected all or a list of integers, got \(quoted(text))")
            return nil
        }
        guard let items = reader.sequence(value) else { return nil }
        var values: [T] = []
        var lines: [T: Int] = [:]
        for item in items {
            guard let number = reader.integer(item, T.self, in: range) else { continue }
            if let first = lines[number] {
                reader.error(item, "\(number) is listed twice (first at line \(first))")
                continue
            }
            lines[number] = item.line
            values.append(number)
        }
        return values.count == items.count ? .only(values.sorted()) : nil
    }
}
