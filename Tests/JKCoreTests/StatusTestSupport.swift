import CJKCore
import Glibc
@testable import JKCore

/// A registry built from JkWorkerProperty lines and JkMount pairs, with a shared segment in
/// ordinary memory, as the shim would make them (no Apache involved).
final class StatusRegistryFixture {
    let registry: Registry
    private let memory: UnsafeMutableRawPointer
    var logged: [String] = []

    init(_ properties: [String], mounts: [(String, String)] = []) {
        var strings: [UnsafeMutablePointer<CChar>] = []
        func c(_ text: String) -> sjk_str_t {
            let pointer = strdup(text)!
            strings.append(pointer)
            return sjk_str_t(ptr: pointer, len: strlen(pointer))
        }
        let lines = properties.enumerated().map { index, text in
            sjk_property_line_t(text: c(text), origin: sjk_origin_t(file: c("httpd.conf"), line: Int32(index + 1)))
        }
        let mountList = mounts.map { pattern, worker in
            sjk_mount_directive_t(pattern: c(pattern), worker: c(worker), origin: sjk_origin_t(file: c("httpd.conf"), line: 1))
        }
        var diagnostics = DiagnosticLog()
        let built: Registry? = lines.withUnsafeBufferPointer { lineBuffer in
            mountList.withUnsafeBufferPointer { mountBuffer in
                var server = sjk_server_input_t()
                server.name = c("www.example.com:80")
                server.mounts = mountBuffer.baseAddress
                server.mount_count = mountBuffer.count
                server.mount_file_reload = -1
                server.mount_copy = Int32(SJK_MOUNT_COPY_UNSET)
                return withUnsafePointer(to: server) { serverPointer in
                    var input = sjk_config_input_t()
                    input.properties = lineBuffer.baseAddress
                    input.property_count = lineBuffer.count
                    input.server_root = c("/srv")
                    input.servers = serverPointer
                    input.server_count = 1
                    input.threads_per_child = 1
                    return ConfigurationBuilder.build(input, log: &diagnostics)
                }
            }
        }
        for pointer in strings { free(pointer) }
        guard let built else { fatalError("test configuration invalid: \(diagnostics.entries)") }
        registry = built
        let size = SharedSegment.size(slotCount: built.slotCount)
        memory = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        let mutex = (memory + (MemoryLayout<sjk_shm_header_t>.offset(of: \.lock) ?? 0))
            .assumingMemoryBound(to: pthread_mutex_t.self)
        pthread_mutex_init(mutex, nil)
        guard let segment = SharedSegment(base: memory, size: size, slotCount: built.slotCount) else {
            fatalError("segment too small")
        }
        built.attach(segment)
    }

    deinit { memory.deallocate() }

    /// Runs one status request (`query` as the client sent it) and returns the response.
    func run(_ query: String, settings: StatusWorkerSettings = StatusWorkerSettings(), user: String? = nil,
             crossSite: String? = nil, nonceValid: Bool = true, now: Int64 = WallClock.seconds()) -> StatusResponse {
        var context = StatusCommandContext(settings: settings, registry: registry, statusName: "jkstatus",
                                           query: StatusQuery(query), remoteUser: user, uri: "/jkstatus",
                                           crossSite: crossSite, nonceValid: nonceValid) { [weak self] _, line in
            self?.logged.append(line)
        }
        context.now = now
        return context.run(serverName: "www.example.com", serverPort: 80,
                           webServer: "Apache/2.4.62 (Unix) SwiftJK/0.1.0")
    }

    /// The last value of a prop key after `query`.
    func prop(_ key: String, _ query: String = "mime=prop") -> String? {
        run(query).body.split(separator: "\n").compactMap { line -> String? in
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return parts.count == 2 && parts[0] == key ? String(parts[1]) : nil
        }.last
    }

    /// The slots.
    var slots: UnsafeMutableBufferPointer<sjk_slot_t> { registry.segment!.slots }
}

/// The Appendix-B-like configuration used by the status tests.
let statusTestProperties = [
    "worker.list=lb,jkstatus,ajp1",
    "worker.tomcat1.type=ajp13", "worker.tomcat1.host=127.0.0.1", "worker.tomcat1.port=8009",
    "worker.tomcat1.route=node1",
    "worker.tomcat2.type=ajp13", "worker.tomcat2.host=127.0.0.1", "worker.tomcat2.port=8010",
    "worker.tomcat2.route=node2",
    "worker.lb.type=lb", "worker.lb.balance_workers=tomcat1,tomcat2",
    "worker.ajp1.type=ajp13", "worker.ajp1.host=127.0.0.1", "worker.ajp1.port=8011",
    "worker.ajp1.secret=hidden",
    "worker.jkstatus.type=status",
]
