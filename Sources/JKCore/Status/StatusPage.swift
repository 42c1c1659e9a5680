/// What one status response shows: the header, the workers (all of `worker.list`, one worker, or
/// one member of an lb) and the result line. Each format renders the same page
/// (`StatusPage+Text`, `+Prop`, `+XML`, `+HTML`).
public struct StatusPage: Sendable {
    /// How much of the worker list to show.
    public enum Scope: Sendable, Equatable {
        /// The result line only (errors; `update`, `reset`, `recover` in machine formats).
        case resultOnly
        /// The server line and the result (`edit` in machine formats, as mod_jk prints it).
        case serverOnly
        /// Header and result only (`version`).
        case headerOnly
        /// Every lb and ajp13 worker of `worker.list` (`list`).
        case all
        /// One worker (`show&w=`), optionally only one member of it (`sw=`).
        case worker(name: String, member: String?)
    }

    /// `ServerName` of the request.
    public var serverName: String
    /// The request's server port.
    public var serverPort: Int
    /// `ap_get_server_description()`.
    public var webServer: String
    /// The mod_jk version SwiftJK is compatible with, as mod_jk prints its own.
    public var jkVersion = StatusPage.compatibleVersion
    /// The state.
    public var snapshot: StatusSnapshot
    /// What to show.
    public var scope: Scope
    /// `OK` or `ERROR`.
    public var resultType = "OK"
    /// The result message.
    public var resultMessage = "Action finished"
    /// The status worker's settings (prefix, ns, xmlns, doctype, css).
    public var settings: StatusWorkerSettings

    /// `mod_jk/1.2.48`: printed as `jk_version` so that scripts checking it keep working; the
    /// `web_server` value carries SwiftJK's own version.
    public static let compatibleVersion = "mod_jk/1.2.48"

    /// Creates a page.
    public init(serverName: String, serverPort: Int, webServer: String, snapshot: StatusSnapshot, scope: Scope,
                settings: StatusWorkerSettings) {
        self.serverName = serverName
        self.serverPort = serverPort
        self.webServer = webServer
        self.snapshot = snapshot
        self.scope = scope
        self.settings = settings
    }

    /// The lbs to show, each with the members to show.
    var shownBalancers: [(balancer: StatusSnapshot.Balancer, members: [StatusSnapshot.Member])] {
        switch scope {
        case .resultOnly, .serverOnly, .headerOnly: return []
        case .all: return snapshot.balancers.map { ($0, $0.members) }
        case .worker(let name, let member):
            return snapshot.balancers.filter { $0.name == name }.map { lb in
                (lb, member.map { wanted in lb.members.filter { $0.name == wanted } } ?? lb.members)
            }
        }
    }

    /// The plain ajp13 workers to show.
    var shownAJPWorkers: [StatusSnapshot.AJPWorker] {
        switch scope {
        case .resultOnly, .serverOnly, .headerOnly: return []
        case .all: return snapshot.ajpWorkers
        case .worker(let name, _): return snapshot.ajpWorkers.filter { $0.name == name }
        }
    }

    /// True when lists are wrapped with their counts (`list` only; `show` prints the worker alone).
    var showsCounts: Bool { scope == .all }

    /// True when the server, time and software objects are printed.
    var showsHeader: Bool { scope != .resultOnly }
}
