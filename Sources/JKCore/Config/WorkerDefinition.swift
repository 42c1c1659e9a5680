/// One worker instance of the configuration: a `worker.list` entry or a member of an lb.
public struct WorkerDefinition: Equatable, Sendable {
    /// The worker name (case-sensitive, at most 63 bytes).
    public var name: String
    /// Its type and validated settings.
    public var kind: WorkerKind
    /// Where the worker was brought into use: the `worker.list` line that names it, or for an lb member the
    /// `balance_workers` line; nil for the implicit `ajp13` worker of an empty configuration.
    public var location: SourceLocation?

    /// Creates a definition.
    public init(name: String, kind: WorkerKind, location: SourceLocation?) {
        self.name = name
        self.kind = kind
        self.location = location
    }
}

/// The type of a worker with its settings.
public enum WorkerKind: Equatable, Sendable {
    /// `type=ajp13` (the default): an AJP/1.3 backend.
    case ajp13(AJPWorkerSettings)
    /// `type=lb`: a load balancer over ajp13 members.
    case lb(LoadBalancerSettings)
    /// `type=status`: the status/management worker.
    case status(StatusWorkerSettings)
    /// `type=ajp12`, `ajp14` or `jni`: accepted with a warning so old configurations still start;
    /// requests mapped to it get 503.
    case unsupported(type: String)

    /// The `type` value that selects this kind.
    public var typeName: String {
        switch self {
        case .ajp13: "ajp13"
        case .lb: "lb"
        case .status: "status"
        case .unsupported(let type): type
        }
    }
}

/// One `worker.X.mount` pattern of a listed worker: a URI mapping rule with source rank 1
/// ("worker definition", reference §5.1), for the main server only.
public struct WorkerMountProperty: Hashable, Sendable {
    /// The pattern as written, e.g. `/app/*` (not validated here).
    public var pattern: String
    /// The worker it maps to (always a `worker.list` name).
    public var worker: String
    /// The line that gave the pattern.
    public var location: SourceLocation

    /// Creates a mount.
    public init(pattern: String, worker: String, location: SourceLocation) {
        self.pattern = pattern
        self.worker = worker
        self.location = location
    }
}
