import Foundation
import XCTest

/// Runs the real `govfwd` binary, the way an operator does, and captures what it says.
struct GovFwdProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The repository root, from this file's path.
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `govfwd` from the build products beside the test bundle, or $GOVFWD_BIN.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["GOVFWD_BIN"] { return URL(fileURLWithPath: path) }
        return Bundle.main.bundleURL.appendingPathComponent("govfwd")
    }

    /// EAL memory options: hugepages (in memory, no files left) when enough are free, else --no-huge.
    static var memoryOptions: [String] {
        hugepagesAvailable ? ["--in-memory"] : ["--no-huge", "-m", "512"]
    }

    static var hugepagesAvailable: Bool {
        guard let info = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("HugePages_Free:") }),
              let free = Int(line.split(separator: " ").last ?? ""),
              let mounts = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) else { return false }
        return free >= 128 && mounts.contains("hugetlbfs")
    }

    /// The EAL part common to the tests: two lcores, no PCI probing, quiet logs, unique prefix.
    static func eal(memory: [String] = memoryOptions, lcores: String = "0,1") -> [String] {
        ["-l", lcores, "--no-pci", "--file-prefix", "govfwd-test-\(getpid())", "--log-level", "*:warning"] + memory
    }

    /// Runs govfwd with `arguments`, killing it after `timeout` seconds; `whileRunning` is
    /// called with the process id once it has started.
    static func run(_ arguments: [String], timeout: TimeInterval = 60,
                    whileRunning: ((Int32) -> Void)? = nil) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        // Both pipes are drained while the process runs, so a chatty run cannot block on a full pipe.
        let outData = Drained(out.fileHandleForReading), errData = Drained(err.fileHandleForReading)
        try process.run()
        whileRunning?(process.processIdentifier)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            usleep(500_000)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            XCTFail("govfwd \(arguments.joined(separator: " ")) did not stop within \(timeout) s")
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outData.wait(), as: UTF8.self),
                      stderr: String(decoding: errData.wait(), as: UTF8.self))
    }

    /// A fresh scratch folder for one test.
    static func scratch(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("govfwd-tests-\(getpid())/\(name)")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// Reads a pipe to its end on another thread.
final class Drained: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        DispatchQueue.global().async {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}

/// The `--stats-file` JSON of a run.
struct RunStatistics: Decodable {
    struct Port: Decodable {
        var id: Int
        var name: String
        var rx: UInt64
        var forwarded: UInt64
        var dropped: UInt64
        var tx: UInt64
        var auditCopies: UInt64
    }
    struct Scope: Decodable {
        var scope: UInt32
        var forwarded: UInt64
        var dropped: UInt64
    }
    var mode: String
    var ports: [Port]
    var scopes: [Scope]
    var reasons: [String: UInt64]
    var rx: UInt64
    var tx: UInt64
    var dropped: UInt64
    var auditCopies: UInt64
    var rxMpps: Double
    var accountingOk: Bool
    var mempoolInUse: Int
    /// With --stage-cycles.
    var stageCyclesPerPacket: [String: Double]?

    static func load(_ url: URL) throws -> RunStatistics {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(RunStatistics.self, from: Data(contentsOf: url))
    }
}
