/// A place in a configuration text: a file (or a directive origin such as `httpd.conf`) and a
/// 1-based line number. Line 0 means "the whole file".
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// The file name as the operator wrote it (or an absolute path).
    public var file: String
    /// 1-based line number; 0 when the message is about the file as a whole.
    public var line: Int

    /// Creates a location.
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    /// `file:line`, the form compilers and `apachectl configtest` users expect.
    public var description: String { line > 0 ? "\(file):\(line)" : file }
}

/// One finding about the configuration: an error that must stop `apachectl configtest`, or a
/// warning that never changes behaviour.
///
/// Equality compares only `code` and `severity`, so tests assert what went wrong without
/// depending on the wording of the message.
public struct ConfigDiagnostic: Error, Sendable, CustomStringConvertible {
    /// Whether the finding stops the server from starting.
    public enum Severity: Sendable, Hashable {
        /// Startup (and configtest) fails.
        case error
        /// Logged; behaviour is exactly as if it were not said.
        case warning
    }

    /// An open set of stable identifiers, one per kind of finding; each area of the
    /// configuration adds its own in an extension.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The stable identifier, e.g. `unknown-attribute`.
        public var rawValue: String
        /// Creates a code from its identifier.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        /// The identifier itself.
        public var description: String { rawValue }
    }

    /// What went wrong, as a stable code.
    public var code: Code
    /// Error or warning.
    public var severity: Severity
    /// Human text: what is wrong and what to do about it.
    public var message: String
    /// Where it was found, when known.
    public var location: SourceLocation?

    /// Creates a diagnostic.
    public init(_ code: Code, _ severity: Severity, _ message: String, at location: SourceLocation? = nil) {
        self.code = code
        self.severity = severity
        self.message = message
        self.location = location
    }

    /// `file:line: message`, or just the message without a location.
    public var description: String {
        guard let location else { return message }
        return "\(location): \(message)"
    }
}

extension ConfigDiagnostic: Equatable {
    /// Two diagnostics are equal when they report the same kind of finding with the same severity.
    public static func == (lhs: ConfigDiagnostic, rhs: ConfigDiagnostic) -> Bool {
        lhs.code == rhs.code && lhs.severity == rhs.severity
    }
}

/// Collects diagnostics while a configuration is read, so one run reports every problem.
public struct DiagnosticLog: Sendable {
    /// Everything found so far, in the order found.
    public private(set) var entries: [ConfigDiagnostic] = []

    /// Creates an empty log.
    public init() {}

    /// True when at least one entry is an error.
    public var hasErrors: Bool { entries.contains { $0.severity == .error } }

    /// Records an error.
    public mutating func error(_ code: ConfigDiagnostic.Code, _ message: String, at location: SourceLocation? = nil) {
        entries.append(ConfigDiagnostic(code, .error, message, at: location))
    }

    /// Records a warning.
    public mutating func warning(_ code: ConfigDiagnostic.Code, _ message: String, at location: SourceLocation? = nil) {
        entries.append(ConfigDiagnostic(code, .warning, message, at: location))
    }

    /// Appends every entry of another log.
    public mutating func append(contentsOf other: DiagnosticLog) {
        entries.append(contentsOf: other.entries)
    }
}
