import CDPDK
import Pipeline

/// Runs `body` on a worker lcore. The box stays alive until `waitAll` returns.
private final class LaunchBox {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

private let trampoline: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { arg in
    Unmanaged<LaunchBox>.fromOpaque(arg!).takeUnretainedValue().body()
    return 0
}

/// Launches one function per worker lcore and waits for them (rte_eal_remote_launch,
/// rte_eal_wait_lcore).
struct LcoreLauncher {
    private var launched: [(lcore: UInt32, box: Unmanaged<LaunchBox>)] = []

    mutating func launch(on lcore: UInt32, _ body: @escaping () -> Void) throws {
        let box = Unmanaged.passRetained(LaunchBox(body))
        let rc = cdpdk_remote_launch(trampoline, box.toOpaque(), lcore)
        guard rc == 0 else {
            box.release()
            throw SetupError("lcore \(lcore): rte_eal_remote_launch failed: \(dpdkError(-rc))")
        }
        launched.append((lcore, box))
    }

    mutating func waitAll() {
        for (lcore, box) in launched {
            _ = cdpdk_wait_lcore(lcore)
            box.release()
        }
        launched.removeAll()
    }
}
