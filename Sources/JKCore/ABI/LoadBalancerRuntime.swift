import CJKCore

/// The runtime form of one `lb` worker in one process: its topology, the member endpoints, and
/// the per-process rotation offset. Shared state lives in the segment's slots. The topology
/// (settings, routes, factors) is replaced as a whole when a status-worker edit changes it
/// (`RuntimeRefresh`); slot indices never change.
public final class LoadBalancerRuntime: @unchecked Sendable {
    /// The lb's name.
    public let name: String
    /// The topology in force in this process.
    public let topologyCell: SnapshotCell<BalancerTopology>
    /// The lb's settings as configured (the base every rebuilt topology starts from).
    public let configuredSettings: LoadBalancerSettings
    /// The members as configured (the inputs every rebuilt topology starts from).
    public let memberInputs: [BalancerTopology.MemberInput]
    /// Member names, in member order (for rule-extension activation overrides).
    public let memberNames: [String]
    /// The ajp13 endpoint of each member, in member order (nil: not an ajp13 worker).
    public let endpoints: [AJPEndpoint?]
    /// mod_jk's `next_offset`: where this process starts its rotation. Read and written only
    /// with the segment lock held.
    public var nextOffset = 0
    /// The segment's slot array, once attached; the topology's indices were checked against it.
    private var segment: UnsafeMutableBufferPointer<sjk_slot_t>?

    /// Creates the runtime.
    public init(name: String, topology: BalancerTopology, memberNames: [String], endpoints: [AJPEndpoint?],
                memberInputs: [BalancerTopology.MemberInput] = []) {
        self.name = name
        self.topologyCell = SnapshotCell(topology)
        self.configuredSettings = topology.settings
        self.memberNames = memberNames
        self.endpoints = endpoints
        self.memberInputs = memberInputs
    }

    /// Members, routes, slot indices, settings: the current topology.
    @inline(__always)
    public var topology: BalancerTopology { topologyCell.current }

    /// The slots of this lb with the current topology, once the segment is attached.
    public var slots: BalancerSlots? {
        slots(for: topology)
    }

    /// The slots of this lb seen through `topology` (one this runtime published), once attached.
    public func slots(for topology: BalancerTopology) -> BalancerSlots? {
        guard let segment else { return nil }
        return BalancerSlots(checked: segment, topology: topology)
    }

    /// Binds the lb to the shared slots and fills their initial values (parent, before fork).
    /// Returns false when the slots do not fit the segment. Caller holds the segment lock.
    @discardableResult
    public func attach(_ segment: UnsafeMutableBufferPointer<sjk_slot_t>, now: Int64) -> Bool {
        guard let bound = BalancerSlots(segment: segment, topology: topology) else { return false }
        _ = bound.initialize(now: now)
        self.segment = segment
        return true
    }
}
