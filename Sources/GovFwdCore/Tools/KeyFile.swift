import ArgumentParser
import Pipeline

/// The `--key-file` of `govfwd mint` and `govfwd craft`: the same format and permission
/// rule as the configuration's key files (Config/KeyMaterialParsing.swift), so one file
/// serves both. It holds the 16-byte key as 32 hexadecimal characters (whitespace and a
/// final newline allowed), and group and others may not access it (mode 0600 or 0400).
///
/// Errors name the file and its mode; they never contain the key.
enum KeyFile {
    /// Reads and expands the key at `path`.
    static func load(_ path: String) throws -> CMACKey {
        switch readKeyFile(atPath: path) {
        case .success(let material):
            return CMACKey(bytes: material.bytes)!
        case .failure(let problem):
            throw ValidationError(problem.message)
        }
    }
}
