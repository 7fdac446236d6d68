import CDPDK
import XCTest
@testable import Pipeline

/// The shim's mbuf and mempool accessors over a real mempool.
final class ShimTests: XCTestCase {
    private static var poolCounter = 0
    private var pool: Mempool!

    override func setUpWithError() throws {
        try XCTSkipUnless(TestEAL.ready, "EAL initialisation failed (needs root)")
        Self.poolCounter += 1
        pool = "shim_test_pool_\(Self.poolCounter)".withCString { cdpdk_pktmbuf_pool_create($0, 511, 0, cdpdk_socket_id()) }
        XCTAssertNotNil(pool)
    }

    override func tearDown() {
        if let pool { cdpdk_mempool_free(pool) }
    }

    func testAllocAppendAndLengths() throws {
        let m = try XCTUnwrap(cdpdk_mbuf_alloc(pool))
        XCTAssertEqual(cdpdk_mempool_in_use(pool), 1)
        XCTAssertEqual(mbufDataLength(m), 0)
        XCTAssertEqual(mbufPacketLength(m), 0)
        XCTAssertEqual(Int(cdpdk_mbuf_headroom(m)), Int(cdpdk_mbuf_default_headroom()))
        XCTAssertEqual(cdpdk_mbuf_nb_segs(m), 1)
        XCTAssertEqual(cdpdk_mbuf_refcnt(m), 1)

        let tail = try XCTUnwrap(cdpdk_mbuf_append(m, 64))
        for i in 0..<64 { tail.storeBytes(of: UInt8(i), toByteOffset: i, as: UInt8.self) }
        XCTAssertEqual(mbufDataLength(m), 64)
        XCTAssertEqual(mbufPacketLength(m), 64)
        XCTAssertEqual(mbufData(m), tail)
        XCTAssertEqual(mbufData(m).load(fromByteOffset: 10, as: UInt8.self), 10)

        // Prepend moves the data start back into the headroom; adj removes it again.
        let headroom = Int(cdpdk_mbuf_headroom(m))
        let front = try XCTUnwrap(cdpdk_mbuf_prepend(m, 16))
        XCTAssertEqual(mbufData(m), front)
        XCTAssertEqual(mbufDataLength(m), 80)
        XCTAssertEqual(Int(cdpdk_mbuf_headroom(m)), headroom - 16)
        XCTAssertNotNil(cdpdk_mbuf_adj(m, 16))
        XCTAssertEqual(mbufDataLength(m), 64)
        XCTAssertEqual(mbufData(m).load(as: UInt8.self), 0)
        XCTAssertNil(cdpdk_mbuf_adj(m, 65), "adj past the data must fail")
        XCTAssertNil(cdpdk_mbuf_prepend(m, UInt16(headroom + 1)), "prepend past the headroom must fail")

        cdpdk_mbuf_free(m)
        XCTAssertEqual(cdpdk_mempool_in_use(pool), 0)
    }

    func testRefcountKeepsTheMbufUntilTheLastFree() throws {
        let m = try XCTUnwrap(cdpdk_mbuf_alloc(pool))
        cdpdk_pktmbuf_refcnt_update(m, 1)
        XCTAssertEqual(cdpdk_mbuf_refcnt(m), 2)
        cdpdk_mbuf_free(m)
        XCTAssertEqual(cdpdk_mempool_in_use(pool), 1, "one reference is still held")
        XCTAssertEqual(cdpdk_mbuf_refcnt(m), 1)
        cdpdk_mbuf_free(m)
        XCTAssertEqual(cdpdk_mempool_in_use(pool), 0)
    }

    /// A chain as a PMD builds one: read whole, checked, cut across segments, and referenced
    /// twice by every segment (an AUDIT copy), so that two frees return each segment once.
    func testChainsAreReadCutAndReferencedWhole() throws {
        let bytes = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let m = try XCTUnwrap(bytes.withUnsafeBytes { makeMbufChain($0, pool: pool, segmentSize: 2048) })
        XCTAssertEqual(cdpdk_mbuf_nb_segs(m), 3)
        XCTAssertEqual(mbufDataLength(m), 2048)
        XCTAssertEqual(mbufPacketLength(m), 5000)
        XCTAssertEqual(mbufBytes(m), bytes)
        var reason: UnsafePointer<CChar>?
        XCTAssertEqual(cdpdk_mbuf_check(m, &reason), 0)

        XCTAssertEqual(cdpdk_pktmbuf_truncate(m, 5001), -1, "longer than the packet")
        XCTAssertEqual(cdpdk_pktmbuf_truncate(m, 2100), 0)
        XCTAssertEqual(cdpdk_mbuf_nb_segs(m), 2, "the third segment is freed")
        XCTAssertEqual(cdpdk_mempool_in_use(pool), 2)
        XCTAssertEqual(mbufBytes(m), Array(bytes[0..<2100]))
        XCTAssertEqual(cdpdk_mbuf_check(m, &reason), 0)

        cdpdk_pktmbuf_refcnt_update(m, 1)
        cdpdk_mbuf_free(m)
        XCTAssertEqual(cdpdk_mempool_in_use_signed(pool), 2, "both segments still referenced")
        cdpdk_mbuf_free(m)
        XCTAssertEqual(cdpdk_mempool_in_use_signed(pool), 0, "each segment returned once")
    }

    /// The unclamped count says what the clamped one hides: a double free. (The extra object
    /// stays visible while it sits in an lcore cache, as on a worker; the ring of a full pool
    /// has no room for it.)
    func testInUseCountIsNotClampedAtZero() throws {
        let cached = try XCTUnwrap("shim_test_cached_\(Self.poolCounter)".withCString {
            cdpdk_pktmbuf_pool_create($0, 511, 32, cdpdk_socket_id())
        })
        defer { cdpdk_mempool_free(cached) }
        let m = try XCTUnwrap(cdpdk_mbuf_alloc(cached))
        cdpdk_mbuf_free(m)
        cdpdk_mbuf_free(m)
        XCTAssertEqual(cdpdk_mempool_in_use(cached), 0, "DPDK's own count clamps")
        XCTAssertEqual(cdpdk_mempool_in_use_signed(cached), -1)
    }

    func testBulkAllocAndBulkFree() throws {
        var mbufs = [Mbuf?](repeating: nil, count: maxBurst)
        XCTAssertEqual(cdpdk_mbuf_alloc_bulk(pool, &mbufs, UInt32(maxBurst)), 0)
        XCTAssertTrue(mbufs.allSatisfy { $0 != nil })
        XCTAssertEqual(Int(cdpdk_mempool_in_use(pool)), maxBurst)
        XCTAssertEqual(Int(cdpdk_mempool_avail(pool)), 511 - maxBurst)
        mbufs.withUnsafeMutableBufferPointer { freeBulk($0.baseAddress!, maxBurst) }
        XCTAssertEqual(cdpdk_mempool_in_use(pool), 0)
    }

    func testTSCAdvances() {
        let a = readTSC()
        usleep(1000)
        let b = readTSC()
        XCTAssertGreaterThan(b, a)
        XCTAssertGreaterThan(tscHz(), 100_000_000)
    }
}
