// Limits on configuration input, checked before the YAML is turned into a tree.

import CYaml

/// The size, nesting and alias expansion a configuration may have. Yams builds its node tree
/// recursively, so a document nested a few thousand levels deep overflowed the stack (at
/// check-config, at start-up, and on SIGHUP, killing a running node); and an alias repeats the
/// whole node it names, so a few lines of aliases of aliases expand to billions of nodes. The
/// limits are checked on libyaml's event stream, which keeps no recursion, before Yams runs.
enum InputLimits {
    /// The largest configuration file, and the largest file it names (revocation lists).
    static let maximumFileBytes = 16 << 20
    /// The deepest nesting of mappings and lists. A resource is 4 to 5 levels deep.
    static let maximumDepth = 64
    /// The most nodes a stream may hold, each alias counted as the nodes it repeats.
    static let maximumNodes = 4_000_000

    /// A limit that `yaml` exceeds, with the line where it did; nil when it keeps them all or
    /// when it is not valid YAML (the parser then says why, with its own line).
    static func check(yaml: String) -> (line: Int, message: String)? {
        var utf8 = Array(yaml.utf8)
        guard utf8.count <= maximumFileBytes else {
            return (1, "the configuration is \(utf8.count) bytes, more than the \(maximumFileBytes >> 20) MiB allowed")
        }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        return utf8.withUnsafeMutableBufferPointer { bytes -> (line: Int, message: String)? in
            yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
            var walk = Walk()
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                let line = Int(event.start_mark.line) + 1
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_SEQUENCE_START_EVENT:
                    walk.open(anchor: anchorName(event.data.sequence_start.anchor))
                case YAML_MAPPING_START_EVENT:
                    walk.open(anchor: anchorName(event.data.mapping_start.anchor))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    walk.close()
                case YAML_SCALAR_EVENT:
                    walk.scalar(anchor: anchorName(event.data.scalar.anchor))
                case YAML_ALIAS_EVENT:
                    walk.alias(anchorName(event.data.alias.anchor))
                default:
                    continue
                }
                if walk.depth > maximumDepth {
                    return (line, "nested more than \(maximumDepth) levels deep")
                }
                if walk.nodes > maximumNodes {
                    return (line, "more than \(maximumNodes) values, counting each alias as the values it repeats")
                }
            }
            return nil
        }
    }

    private static func anchorName(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    /// The depth and the node count so far, and the size of every anchored node.
    private struct Walk {
        var depth = 0
        var nodes = 0
        /// Open collections: their anchor and the node count when they opened.
        var open: [(anchor: String?, nodesBefore: Int)] = []
        var anchorSizes: [String: Int] = [:]

        mutating func open(anchor: String?) {
            open.append((anchor, nodes))
            nodes += 1
            depth += 1
        }

        mutating func close() {
            guard let last = open.popLast() else { return }
            depth -= 1
            if let anchor = last.anchor { anchorSizes[anchor] = nodes - last.nodesBefore }
        }

        mutating func scalar(anchor: String?) {
            nodes += 1
            if let anchor { anchorSizes[anchor] = 1 }
        }

        mutating func alias(_ anchor: String?) {
            let size = anchor.flatMap { anchorSizes[$0] } ?? 1
            nodes = nodes.addingReportingOverflow(size).overflow ? .max : nodes + size
        }
    }
}
