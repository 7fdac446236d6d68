// `govfwd check-config FILE`: validate a configuration without starting any port.

import ArgumentParser
import Foundation
import Pipeline

/// Validates a configuration file and summarises it; exits 1 with every error, one per
/// line, on stderr when the file is invalid.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a GovFwd configuration file without starting the node.",
        discussion: """
            Reads FILE (apiVersion govfwd/v1, see docs/configuration.md), checks every resource, \
            every field and every reference, reads the key files it names, and prints a summary. \
            On errors, prints one line per error (FILE:LINE: Kind "name": field: message) on \
            standard error and exits with status 1. Key material is never printed.
            """
    )

    @Argument(help: "The configuration file (YAML).")
    var file: String

    func run() throws {
        do {
            let config = try ConfigLoader.load(file: file)
            print("\(shownPath(file)): valid. " + config.summary)
        } catch {
            let count = error.errors.count
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            FileHandle.standardError.write(Data(
                "\(shownPath(file)): \(count) error\(count == 1 ? "" : "s"); configuration refused\n".utf8))
            throw ExitCode.failure
        }
    }
}
