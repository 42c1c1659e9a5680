/// Finds the member with a given route in constant time: an open-addressing hash table over the
/// members' routes, built once with the topology.
///
/// The sticky path looks a session's route up on every request. A linear scan (mod_jk's
/// `find_by_session`) made that cost grow with the farm, about 18 instructions per member; this
/// index keeps it flat. The answer is the scan's: the **first** member whose route equals the
/// route exactly (case-sensitive), so members sharing a route resolve as in mod_jk.
struct RouteIndex {
    /// Up to this many members a scan is as cheap as hashing the route, so no table is built.
    static let scanLimit = 4

    /// Member index + 1 per bucket; 0 = empty. A power of two in size, at most half full.
    private let buckets: [Int32]

    /// Indexes `routes` (one per member, in member order).
    init(routes: [UnsafeRawBufferPointer]) {
        guard routes.count > Self.scanLimit else {
            buckets = []
            return
        }
        var size = 8
        while size < routes.count * 2 { size *= 2 }
        var buckets = [Int32](repeating: 0, count: size)
        let mask = size - 1
        for (member, route) in routes.enumerated() {
            var bucket = Int(Self.hash(route)) & mask
            while true {
                let occupant = Int(buckets[bucket])
                if occupant == 0 {
                    buckets[bucket] = Int32(member + 1)
                    break
                }
                // A later member with the same route is never found: the first one wins.
                if ByteCompare.equal(routes[occupant - 1], route) { break }
                bucket = (bucket + 1) & mask
            }
        }
        self.buckets = buckets
    }

    /// The first member in `routes` (the array the index was built from) whose route equals `route`.
    @inline(__always)
    func member(withRoute route: UnsafeRawBufferPointer, in routes: [UnsafeRawBufferPointer]) -> Int? {
        guard !buckets.isEmpty else {
            for (member, candidate) in routes.enumerated() where ByteCompare.equal(candidate, route) { return member }
            return nil
        }
        let mask = buckets.count &- 1
        var bucket = Int(Self.hash(route)) & mask
        // At most half full, so an empty bucket ends every probe sequence.
        while true {
            let occupant = Int(buckets[bucket])
            guard occupant > 0, occupant <= routes.count else { return nil }
            if ByteCompare.equal(routes[occupant &- 1], route) { return occupant &- 1 }
            bucket = (bucket &+ 1) & mask
        }
    }

    /// FNV-1a over the route's bytes (32 bits; routes are short and chosen by the operator).
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        return hash
    }
}
