/// Text a user typed, made safe to print. A key (16 bytes) is written as 32 hexadecimal
/// digits, and users put keys where paths, numbers or constraint names belong; no message may
/// repeat one, nor enough of one to matter.
public enum Redaction {
    /// What stands in a message for text that is not shown.
    public static let notShown = "(value not shown)"

    /// True when `text` holds a run of `run` or more hexadecimal digits: it may be key material
    /// (half a key or more; a UUID's longest group is 12).
    public static func mayHoldKey(_ text: some StringProtocol, run: Int = 16) -> Bool {
        var length = 0
        for character in text {
            length = character.isHexDigit ? length + 1 : 0
            if length >= run { return true }
        }
        return false
    }

    /// `text`, or ``notShown`` when it may hold key material.
    public static func shown(_ text: some StringProtocol) -> String {
        mayHoldKey(text) ? notShown : String(text)
    }

    /// `message` with every run of 24 or more hexadecimal digits replaced by ``notShown``: the
    /// last guard on error messages built from text the tools do not control (the argument
    /// parser's). Shorter runs (identifiers up to 16 digits) stay.
    public static func scrub(_ message: String) -> String {
        var out = ""
        var run = ""
        func flush() {
            out += run.count >= 24 ? notShown : run
            run = ""
        }
        for character in message {
            if character.isHexDigit {
                run.append(character)
            } else {
                flush()
                out.append(character)
            }
        }
        flush()
        return out
    }
}
