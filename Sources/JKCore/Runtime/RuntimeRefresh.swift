import CJKCore
import Glibc

/// How runtime edits reach every process (status-worker.md §1.8, fixed where mod_jk leaves gaps):
///
/// 1. In the parent, `publishConfiguredValues` writes every editable setting into the slots'
///    `sjk_slot_config_t` records (and `last_reset_time`).
/// 2. A status-worker edit changes a record under the segment lock and bumps the header's
///    `config_generation` (`StatusEditor`).
/// 3. Every process compares that generation with the one it last applied at the start of each
///    request and in maintenance (one atomic load); when it differs, it rebuilds the affected
///    lb topologies and ajp13 endpoint states from the records and publishes them
///    (`SnapshotCell`). A host or port change re-resolves and drops the idle connections.
///
/// Unlike mod_jk, every editable field is mirrored, `connection_ping_interval` included.
extension Registry {
    /// Writes the configured value of every editable setting into the slots, and the time of the
    /// last reset. Parent process, before fork; the caller holds the segment lock.
    func publishConfiguredValues(_ slots: UnsafeMutableBufferPointer<sjk_slot_t>, now: Int64) {
        for index in slots.indices { slots[index].last_reset_time = now }
        for (index, runtime) in runtimes.enumerated() where index < slots.count {
            switch runtime {
            case .ajp(let endpoint):
                if let configured = endpoint.configured { slots[index].config.storeWorker(configured) }
                endpoint.slot = slots.baseAddress.map { $0 + index }
                endpoint.pool.counter = endpoint.slot
            case .loadBalancer(let lb):
                slots[index].config.store(lb.configuredSettings)
                for member in lb.memberInputs where member.memberSlot < slots.count {
                    slots[member.memberSlot].config.storeMember(member.settings)
                }
            case .status, .unsupported:
                break
            }
        }
    }

    /// Applies edits made since this process last looked (see the type's comment). Cheap when
    /// nothing changed: one atomic load and a compare.
    public func refreshIfChanged() {
        guard let header = segmentHeader else { return }
        let generation = sjk_atomic_load_u32(&header.pointee.config_generation)
        guard generation != sjk_atomic_load_u32(appliedGeneration), let segment else { return }
        refreshLock.withLock {
            let current = sjk_atomic_load_u32(&segment.header.pointee.config_generation)
            guard current != sjk_atomic_load_u32(appliedGeneration) else { return }
            let records = segment.withLock { slots in Array(slots).map(\.config) }
            for runtime in runtimes {
                if case .ajp(let endpoint) = runtime { refresh(endpoint, records: records) }
            }
            for runtime in runtimes {
                if case .loadBalancer(let lb) = runtime { refresh(lb, records: records) }
            }
            sjk_atomic_store_u32(appliedGeneration, current)
        }
    }

    private func refresh(_ endpoint: AJPEndpoint, records: [sjk_slot_config_t]) {
        guard let configured = endpoint.configured, let index = runtimeIndex(of: endpoint),
              index < records.count else { return }
        let record = records[index]
        let edited = record.appliedWorker(to: configured)
        let old = endpoint.state.current
        var settings = AJPEndpoint.Settings(edited, threadsPerChild: endpoint.threadsPerChild)
        settings.secret = old.settings.secret
        settings.poolSize = old.settings.poolSize
        settings.poolMinSize = old.settings.poolMinSize
        let moved = record.addr_sequence != old.addressGeneration
        guard moved || settings != old.settings else { return }
        let address = moved ? BackendAddress.resolve(host: edited.host, port: edited.port,
                                                     preferIPv6: edited.preferIPv6) : old.address
        endpoint.state.publish(AJPEndpoint.State(settings: settings, address: address,
                                                 addressGeneration: record.addr_sequence))
        if moved { endpoint.pool.closeAllIdle() }
    }

    private func refresh(_ lb: LoadBalancerRuntime, records: [sjk_slot_config_t]) {
        let old = lb.topology
        guard old.balancerSlot < records.count else { return }
        let settings = records[old.balancerSlot].applied(to: lb.configuredSettings)
        var inputs = lb.memberInputs
        for index in inputs.indices where inputs[index].memberSlot < records.count {
            inputs[index].settings = records[inputs[index].memberSlot].appliedMember(to: inputs[index].settings)
            if index < lb.endpoints.count, let endpoint = lb.endpoints[index] {
                inputs[index].settings.maxPacketSize = endpoint.settings.maxPacketSize
            }
        }
        let unchanged = settings == old.settings && old.packetSize == inputs.map(\.settings.maxPacketSize).max()
            && old.firstPacketSize == inputs.map(\.settings.maxPacketSize).min() && inputs.indices.allSatisfy { index in
            index < old.members.count
                && inputs[index].settings.route == String(decoding: old.route(of: index), as: UTF8.self)
                && inputs[index].settings.domain == String(decoding: old.domain(of: index), as: UTF8.self)
                && inputs[index].settings.redirect == String(decoding: old.redirect(of: index), as: UTF8.self)
        }
        guard !unchanged else { return }
        lb.topologyCell.publish(BalancerTopology(settings: settings, members: inputs, balancerSlot: old.balancerSlot,
                                                 maintainInterval: old.maintainInterval))
    }

    private func runtimeIndex(of endpoint: AJPEndpoint) -> Int? {
        runtimes.firstIndex { if case .ajp(let candidate) = $0 { candidate === endpoint } else { false } }
    }
}

/// A process-local pthread mutex (not for the request path's hot section: refreshes are rare).
final class ProcessLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    /// A new unlocked mutex.
    init() {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the mutex held.
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
