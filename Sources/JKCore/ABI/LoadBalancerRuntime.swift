import CJKCore

/// The runtime form of one `lb` worker in one process: its topology (immutable), the member
/// endpoints, and the per-process rotation offset. Shared state lives in the segment's slots.
public final class LoadBalancerRuntime: @unchecked Sendable {
    /// The lb's name.
    public let name: String
    /// Members, routes, slot indices, settings.
    public let topology: BalancerTopology
    /// Member names, in member order (for rule-extension activation overrides).
    public let memberNames: [String]
    /// The ajp13 endpoint of each member, in member order (nil: not an ajp13 worker).
    public let endpoints: [AJPEndpoint?]
    /// The largest member max_packet_size (buffer size for FORWARD_REQUEST).
    public let packetSize: Int
    /// The smallest member max_packet_size: the replayed first body packet fits every member.
    public let firstPacketSize: Int
    /// mod_jk's `next_offset`: where this process starts its rotation. Read and written only
    /// with the segment lock held.
    public var nextOffset = 0
    /// The slots of this lb, once the segment is attached.
    public private(set) var slots: BalancerSlots?

    /// Creates the runtime.
    public init(name: String, topology: BalancerTopology, memberNames: [String], endpoints: [AJPEndpoint?]) {
        self.name = name
        self.topology = topology
        self.memberNames = memberNames
        self.endpoints = endpoints
        let sizes = endpoints.compactMap { $0?.settings.maxPacketSize }
        packetSize = sizes.max() ?? 8192
        firstPacketSize = sizes.min() ?? 8192
    }

    /// Binds the lb to the shared slots and fills their initial values (parent, before fork).
    /// Returns false when the slots do not fit the segment. Caller holds the segment lock.
    @discardableResult
    public func attach(_ segment: UnsafeMutableBufferPointer<sjk_slot_t>, now: Int64) -> Bool {
        guard let bound = BalancerSlots(segment: segment, topology: topology) else { return false }
        _ = bound.initialize(now: now)
        slots = bound
        return true
    }
}
