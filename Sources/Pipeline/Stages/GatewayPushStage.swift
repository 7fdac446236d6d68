import Glibc
import CDPDK

/// Push: an ungoverned packet entering a gateway port is given a governance header in the
/// Ethernet carrier (EtherType 0x88B5), minted and sealed by the node's local authority
/// for the flow, with the fields of the first gateway selector it matches. A packet that
/// matches no selector is dropped as `not_governed`.
extension GovernPipeline {
    func pushGovernanceHeader(_ i: Int, ingress: UInt16, now: UInt32) {
        let gateway = tables.gateway
        let b = state
        let m = b.mbufs[i].unsafelyUnwrapped
        guard let key = gateway.key,
              let plain = PlainPacket.parse(UnsafeRawPointer(b.frames[i]), length: mbufDataLength(m)) else {
            b.drop(i, .notGoverned)
            return
        }
        let s = gateway.match(plain, ingress: ingress)
        guard s >= 0 else {
            b.drop(i, .notGoverned)
            return
        }
        let push = gateway.selectors[s].push
        let addresses = plain.l3Offset &- 2
        let length = GovWire.fixedLength
        guard let frame = cdpdk_mbuf_prepend(m, UInt16(length)) else {
            b.drop(i, .malformed)
            return
        }
        memmove(frame, frame + length, addresses)
        frame.storeBigEndian(GovWire.etherType, at: addresses)
        let gov = frame + (addresses &+ 2)
        gov.storeBytes(of: GovWire.version << 4, toByteOffset: GovWire.Offset.verFlags, as: UInt8.self)
        gov.storeBytes(of: GovWire.minimumHdrLen, toByteOffset: GovWire.Offset.hdrLen, as: UInt8.self)
        gov.storeBytes(of: plain.version == 4 ? GovWire.nextProtoIPv4 : GovWire.nextProtoIPv6,
                       toByteOffset: GovWire.Offset.nextProto, as: UInt8.self)
        gov.storeBytes(of: GatewayTable.pushedHopBudget, toByteOffset: GovWire.Offset.hopBudget, as: UInt8.self)
        gov.storeBigEndian(push.scopeID, at: GovWire.Offset.scope)
        gov.storeBytes(of: push.trustLevel, toByteOffset: GovWire.Offset.trust, as: UInt8.self)
        gov.storeBytes(of: push.routeClass, toByteOffset: GovWire.Offset.routeClass, as: UInt8.self)
        gov.storeBigEndian(gateway.epoch, at: GovWire.Offset.epoch)
        gov.storeBigEndian(gateway.authority, at: GovWire.Offset.authority)
        gov.storeBigEndian(push.constraints, at: GovWire.Offset.constraints)
        let expiry = UInt64(now) &+ UInt64(push.lifetimeSeconds)
        gov.storeBigEndian(UInt32(truncatingIfNeeded: min(expiry, UInt64(UInt32.max))), at: GovWire.Offset.expiry)
        gov.storeBigEndian(push.capabilityID, at: GovWire.Offset.capability)
        b.frames[i] = frame

        // Locate the inner addresses as any receiver will, then seal.
        parser.parse(frame, readable: mbufDataLength(m), length: mbufPacketLength(m), into: &b.parsed[i])
        if let reason = b.parsed[i].drop {
            b.drop(i, reason)
            return
        }
        let blocks = MACInput.write(frame: UnsafeRawPointer(frame), parsed: b.parsed[i], into: pushScratch)
        gov_cmac(key.expanded, pushScratch.assumingMemoryBound(to: UInt8.self), Int(blocks) &* 16,
                 (frame + b.parsed[i].macOffset).assumingMemoryBound(to: UInt8.self))
        b.flags[i] = .pushed
    }
}
