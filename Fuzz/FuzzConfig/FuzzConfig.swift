// libFuzzer target: the configuration loader over arbitrary YAML, as check-config, start-up
// and SIGHUP read it. It must refuse or accept every input without a fault; the input limits
// (InputLimits.swift) keep it from exhausting the stack or memory.

import Foundation
@testable import GovFwdCore
import Pipeline

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    // Relative key and revocation files resolve under a folder that does not exist.
    do {
        _ = try ConfigLoader.load(yaml: text, file: "fuzz.yaml", baseDirectory: "/nonexistent/govfwd-fuzz")
    } catch {
        precondition(!error.errors.isEmpty, "a configuration refused without an error")
    }
    return 0
}
