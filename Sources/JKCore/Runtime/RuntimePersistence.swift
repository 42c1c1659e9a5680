import CJKCore
import Glibc

/// Opt-in persistence of status-worker edits (`worker.<status>.persist_file=<path>`): after each
/// change the settings whose runtime value differs from the configuration are written to the file
/// (one line each: scope, worker, field, the configuration's value at that moment, the runtime
/// value); at start and at every graceful restart they are applied again — unless the
/// configuration changed that setting since, in which case the configuration wins and a warning
/// names both values (mod_proxy_balancer's BalancerPersist lets the saved value win silently).
///
/// The file must be writable by the user httpd's children run as; it is replaced atomically.
extension Registry {
    /// A message about restored edits, for the error log.
    public struct PersistenceMessage: Sendable, Equatable {
        /// The text.
        public var text: String
        /// True for a warning (a saved value was dropped or the file is unusable).
        public var warning: Bool
    }

    /// The configured persistence file (the first status worker's `persist_file`), made absolute
    /// against ServerRoot; nil when persistence is off.
    public var persistFile: String? {
        for runtime in runtimes {
            guard case .status(let settings) = runtime, let file = settings.persistFile, !file.isEmpty else { continue }
            if file.hasPrefix("/") { return file }
            let root = configuration.properties.last { $0.key == "ServerRoot" }?.value ?? ""
            return root.isEmpty ? file : root + "/" + file
        }
        return nil
    }

    /// Writes the current runtime differences to the persistence file (child, after an edit).
    /// Returns an error message, nil on success or when persistence is off.
    @discardableResult
    public func savePersistedEdits() -> String? {
        guard let path = persistFile, let segment else { return nil }
        let differences = segment.withLock { RuntimeFields.differences(self, slots: $0) }
        var text = "# SwiftJK: status-worker edits kept across restarts (written automatically)\n"
        text += "# scope\tworker\tfield\tconfigured value when saved\truntime value\n"
        for difference in differences {
            text += [difference.scope.rawValue, difference.entity, difference.field, difference.configured,
                     difference.runtime].map(Self.escapeField).joined(separator: "\t") + "\n"
        }
        let temporary = "\(path).tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return "cannot write \(temporary): \(String(cString: strerror(errno)))" }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            return "cannot write \(path): \(reason)"
        }
        return nil
    }

    /// Applies the saved edits to the freshly initialised slots (parent, before fork) and returns
    /// what it did, for the error log.
    public func restorePersistedEdits() -> [PersistenceMessage] {
        guard let path = persistFile, let segment else { return [] }
        guard let text = FileText.read(path) else {
            return access(path, F_OK) == 0
                ? [PersistenceMessage(text: "persist_file \(path) cannot be read; runtime edits are not restored",
                                      warning: true)]
                : []
        }
        let entities = Dictionary(RuntimeFields.entities(self).map { ("\($0.scope.rawValue) \($0.entity)", $0) },
                                  uniquingKeysWith: { first, _ in first })
        var messages: [PersistenceMessage] = []
        var restored = 0
        segment.withLock { slots in
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map { Self.unescapeField(String($0)) }
                guard parts.count == 5, let entity = entities["\(parts[0]) \(parts[1])"],
                      let field = RuntimeFields.all.first(where: { $0.scope == entity.scope && $0.name == parts[2] }),
                      entity.slot < slots.count else {
                    messages.append(PersistenceMessage(text: "persist_file \(path): ignoring '\(line)' (no such "
                                                       + "worker or setting in the configuration)", warning: true))
                    continue
                }
                let configuredNow = field.read(entity.configured)
                guard configuredNow == parts[3] else {
                    messages.append(PersistenceMessage(
                        text: "\(entity.entity) \(field.name): workers.properties now says '\(configuredNow)' (it said "
                            + "'\(parts[3])' when the runtime value '\(parts[4])' was saved in \(path)); using "
                            + "workers.properties' '\(configuredNow)'", warning: true))
                    continue
                }
                if field.write(&slots[entity.slot], parts[4]) {
                    restored += 1
                    if field.name == "host" || field.name == "port" { slots[entity.slot].config.addr_sequence &+= 1 }
                } else {
                    messages.append(PersistenceMessage(text: "persist_file \(path): ignoring invalid value "
                                                       + "'\(parts[4])' of \(entity.entity) \(field.name)", warning: true))
                }
            }
            for balancer in balancers {
                if let view = balancer.slots { LBMultiplier.update(view) }
            }
            // Every child rebuilds its settings from the restored records on its first request.
            if restored > 0 { segment.header.pointee.config_generation &+= 1 }
        }
        if restored > 0 {
            messages.insert(PersistenceMessage(text: "restored \(restored) runtime edit(s) from \(path)", warning: false),
                            at: 0)
        }
        return messages
    }

    private static func escapeField(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": out += "%25"
            case "\t": out += "%09"
            case "\n": out += "%0A"
            case "\r": out += "%0D"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func unescapeField(_ text: String) -> String {
        text.replacingAll("%09", "\t").replacingAll("%0A", "\n").replacingAll("%0D", "\r").replacingAll("%25", "%")
    }
}

extension String {
    /// Every occurrence of `target` replaced by `replacement` (no Foundation).
    func replacingAll(_ target: String, _ replacement: String) -> String {
        let bytes = Array(utf8)
        let needle = Array(target.utf8)
        guard !needle.isEmpty, bytes.count >= needle.count else { return self }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if index + needle.count <= bytes.count, bytes[index..<(index + needle.count)].elementsEqual(needle) {
                out += replacement.utf8
                index += needle.count
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
