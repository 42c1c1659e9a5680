import Glibc

/// One version of a server's rules: the map, the worker index of each rule and the per-rule
/// options a request needs. A class, so handing it to a request costs one retain.
public final class MapSnapshot: Sendable {
    /// The sorted rules.
    public let map: URIMap
    /// Worker index of each rule (-1: undefined worker).
    public let workers: [Int32]
    /// Rule extensions of each rule, nil when it has none (the common case).
    public let extensions: [RuleExtensionsRef?]

    /// Creates a snapshot.
    public init(map: URIMap, workers: [Int32]) {
        self.map = map
        self.workers = workers
        self.extensions = map.rules.map { $0.extensions.isEmpty ? nil : RuleExtensionsRef($0.extensions) }
    }
}

/// The URI map of one Apache server (main or virtual host), with its reloadable JkMountFile.
///
/// Rules from JkMount and worker.X.mount are fixed; the mount file's rules are re-read when the
/// file's modification time changes, checked at most every JkMountFileReload seconds, per
/// process (reference §5.6). Without a mount file `current()` takes no lock.
public final class ServerMap: @unchecked Sendable {
    private let fixedRules: [MountRule]
    private let mountFile: String?
    private let reloadIntervalMs: Int64
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let resolveWorker: @Sendable (String) -> Int32
    private var snapshot: MapSnapshot
    /// `snapshot`, unretained, when it can never change (no mount file or no reloading).
    private let fixedSnapshot: Unmanaged<MapSnapshot>?
    /// The server's `host:port` as the status worker shows it in map entries.
    public internal(set) var displayName = ""
    private var loadedModification: timespec
    private var lastCheckMs: Int64

    /// Creates the map from fixed rules and an optional mount file already read at config time.
    /// `resolveWorker` turns a rule's worker name into a worker index (-1: undefined).
    /// Diagnostics about the rules (duplicates, ambiguities) go to `log`.
    public init(fixedRules: [MountRule], mountFile: String?, fileRules: [MountRule], reloadSeconds: Int,
                resolveWorker: @escaping @Sendable (String) -> Int32, log: inout DiagnosticLog) {
        self.fixedRules = fixedRules
        self.resolveWorker = resolveWorker
        self.mountFile = mountFile
        self.reloadIntervalMs = Int64(max(reloadSeconds, 0)) &* 1000
        let map = URIMap(rules: fixedRules + fileRules, log: &log)
        let snapshot = MapSnapshot(map: map, workers: map.rules.map { resolveWorker($0.worker) })
        self.snapshot = snapshot
        self.fixedSnapshot = mountFile != nil && reloadSeconds > 0 ? nil : Unmanaged.passUnretained(snapshot)
        self.loadedModification = mountFile.flatMap(Self.modificationTime) ?? timespec()
        self.lastCheckMs = BackendSocket.nowMs()
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the rules in force now. Without a mount file the snapshot never changes
    /// and is lent without a retain (this runs twice per request).
    public func withCurrent<R>(_ body: (MapSnapshot) -> R) -> R {
        if let fixedSnapshot { return fixedSnapshot._withUnsafeGuaranteedRef(body) }
        return body(current())
    }

    /// The rules in force now, re-reading the mount file first when it is due and changed.
    public func current() -> MapSnapshot {
        guard let mountFile, reloadIntervalMs > 0 else { return snapshot }
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let now = BackendSocket.nowMs()
        guard now - lastCheckMs >= reloadIntervalMs else { return snapshot }
        lastCheckMs = now
        // A stat failure keeps the old rules.
        guard let modified = Self.modificationTime(mountFile),
              modified.tv_sec != loadedModification.tv_sec || modified.tv_nsec != loadedModification.tv_nsec,
              let text = FileText.read(mountFile) else { return snapshot }
        var log = DiagnosticLog()
        let fileRules = MountFileParser.parse(text, file: mountFile, log: &log)
        let map = URIMap(rules: fixedRules + fileRules)
        snapshot = MapSnapshot(map: map, workers: map.rules.map { resolveWorker($0.worker) })
        loadedModification = modified
        return snapshot
    }

    private static func modificationTime(_ path: String) -> timespec? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mtim
    }
}

/// Reads small text files (configuration) without Foundation.
public enum FileText {
    /// The whole file as UTF-8 text (invalid bytes replaced), or nil when it cannot be read.
    public static func read(_ path: String) -> String? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let got = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if got > 0 { bytes.append(contentsOf: chunk[0..<got]) }
            if got < chunk.count { break }
        }
        guard ferror(file) == 0 else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
