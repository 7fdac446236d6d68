// Turning key text and key files into KeyMaterial without ever echoing key bytes.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Pipeline

/// Decodes a key written as 32 hexadecimal characters. On failure returns a message that
/// says what is wrong without repeating any of the text.
func decodeHexKey(_ text: String) -> Result<KeyMaterial, LoadProblem> {
    let characters = Array(text.utf8)
    guard characters.allSatisfy({ isHexDigit($0) }) else {
        return .failure(LoadProblem("expected 32 hexadecimal characters (0-9, a-f), found another character"))
    }
    guard characters.count == KeyMaterial.byteCount * 2 else {
        return .failure(LoadProblem("expected 32 hexadecimal characters, got \(characters.count)"))
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(KeyMaterial.byteCount)
    for index in stride(from: 0, to: characters.count, by: 2) {
        bytes.append(hexValue(characters[index]) << 4 | hexValue(characters[index + 1]))
    }
    return .success(KeyMaterial(bytes: bytes)!)
}

/// Why a key or file named by the configuration could not be used; the message never contains key bytes.
struct LoadProblem: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

private func isHexDigit(_ byte: UInt8) -> Bool {
    (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
}

private func hexValue(_ byte: UInt8) -> UInt8 {
    switch byte {
    case 0x30...0x39: return byte - 0x30
    case 0x41...0x46: return byte - 0x41 + 10
    default: return byte - 0x61 + 10
    }
}

/// Resolves a path from the configuration: absolute paths as they are, relative paths
/// against the folder of the configuration file.
func resolvePath(_ path: String, relativeTo baseDirectory: String) -> String {
    if path.hasPrefix("/") || baseDirectory.isEmpty { return path }
    return baseDirectory.hasSuffix("/") ? baseDirectory + path : baseDirectory + "/" + path
}

/// The folder that holds `file`, for resolving relative paths; `""` when `file` has no folder.
func directory(of file: String) -> String {
    guard let slash = file.lastIndex(of: "/") else { return "" }
    return slash == file.startIndex ? "/" : String(file[..<slash])
}

/// Reads a key file: a regular file that neither group nor others may access (mode 0600
/// or 0400), holding either exactly 16 raw bytes or 32 hexadecimal characters
/// (surrounding whitespace and a final newline allowed).
func readKeyFile(atPath realPath: String) -> Result<KeyMaterial, LoadProblem> {
    let path = shownPath(realPath)
    let status: stat
    switch regularFileStatus(realPath, named: "key file \(path)") {
    case .success(let s): status = s
    case .failure(let problem): return .failure(problem)
    }
    let permissions = status.st_mode & 0o777
    if permissions & 0o077 != 0 {
        let octal = String(permissions, radix: 8)
        return .failure(LoadProblem("key file \(path) is accessible by group or others (mode 0\(octal)); "
            + "run: chmod 600 \(path)"))
    }
    guard status.st_size <= 4096, let data = FileManager.default.contents(atPath: realPath) else {
        return .failure(LoadProblem("cannot read key file \(path): not readable or larger than 4096 bytes"))
    }
    if data.count == KeyMaterial.byteCount {
        return .success(KeyMaterial(bytes: Array(data))!)
    }
    guard let text = String(data: data, encoding: .utf8) else {
        return .failure(LoadProblem("key file \(path) holds neither 16 bytes nor 32 hexadecimal characters"))
    }
    switch decodeHexKey(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
    case .success(let key): return .success(key)
    case .failure(let problem): return .failure(LoadProblem("key file \(path): \(problem.message)"))
    }
}

/// The status of the regular file at `path`; `name` says what it is in the message otherwise.
private func regularFileStatus(_ path: String, named name: String) -> Result<stat, LoadProblem> {
    var status = stat()
    guard stat(path, &status) == 0 else {
        return .failure(LoadProblem("cannot read \(name): \(String(cString: strerror(errno)))"))
    }
    guard status.st_mode & S_IFMT == S_IFREG else {
        return .failure(LoadProblem("\(name) is not a regular file"))
    }
    return .success(status)
}

/// A path from the configuration or the command line as messages show it: not at all when a
/// key was written where the path belongs.
func shownPath(_ path: String) -> String {
    Redaction.mayHoldKey(path) ? "(path not shown: it looks like key material)" : path
}

/// Reads a text file named by the configuration (such as a revocation list).
func readTextFile(atPath realPath: String) -> Result<String, LoadProblem> {
    let path = shownPath(realPath)
    let status: stat
    switch regularFileStatus(realPath, named: path) {
    case .success(let s): status = s
    case .failure(let problem): return .failure(problem)
    }
    guard status.st_size <= InputLimits.maximumFileBytes else {
        return .failure(LoadProblem("\(path) is \(status.st_size) bytes, more than the \(InputLimits.maximumFileBytes >> 20) MiB allowed"))
    }
    guard let data = FileManager.default.contents(atPath: realPath), let text = String(data: data, encoding: .utf8) else {
        return .failure(LoadProblem("cannot read \(path) as UTF-8 text"))
    }
    return .success(text)
}
