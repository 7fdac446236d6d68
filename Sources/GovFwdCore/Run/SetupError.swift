/// A set-up failure: one line naming what is wrong. Printed as `govfwd: <message>` and
/// the process exits non-zero before any packet is forwarded.
struct SetupError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
