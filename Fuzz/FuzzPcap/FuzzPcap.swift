// libFuzzer target: the capture readers over arbitrary bytes. GovFwd's own reader (explain,
// the tests, craft's round trips) reads classic pcap and refuses pcapng by name; libpcap,
// which the pcap PMD uses on the captures operators hand the node, reads both.

import CLibpcapFuzz
@testable import GovFwdCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPcap(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if var reader = try? PcapReader(bytes: bytes, name: "fuzz.pcap") {
        var total = 0
        while let record = try? reader.next() {
            precondition(record.data.count <= size, "a record longer than the file")
            total += record.data.count
            precondition(total <= size, "records longer than the file")
        }
    }
    _ = govfwd_fuzz_libpcap(data, size)
    return 0
}
