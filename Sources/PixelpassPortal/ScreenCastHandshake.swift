/// The ScreenCast portal's request/response dance as a pure machine:
/// CreateSession → SelectSources → Start, each answered later by a
/// `Response(u, a{sv})` signal on a Request object, then OpenPipeWireRemote
/// (a plain call, done by the shell). The shell subscribes to Response
/// signals before the first call and feeds every one in; the machine says
/// which call comes next and recognises its own answers by request path.
public struct ScreenCastHandshake {
    /// One portal method call, and the Request path its answer will come on.
    public struct Call: Equatable, Sendable {
        public var method: String
        public var arguments: [DBusValue]
        public var requestPath: String
    }

    public enum Action: Equatable, Sendable {
        /// Call this method on org.freedesktop.portal.ScreenCast.
        case call(Call)
        /// Every request granted: call OpenPipeWireRemote on this session.
        case openRemote(session: String)
        /// Stop; close the session if `session` is set.
        case fail(PortalError, session: String?)
    }

    /// What the portal granted.
    public struct Grant: Equatable, Sendable {
        public var session: String
        public var streams: [ScreenCastStream]
        /// Present this next time to skip the dialog; nil when the portal
        /// gave none (it cannot persist, or the user declined).
        public var restoreToken: String?
    }

    enum State: Equatable {
        case idle
        case creatingSession(request: String)
        case selectingSources(session: String, request: String)
        case starting(session: String, request: String)
        case granted(Grant)
        case failed
    }

    public static let requestPrefix = "/org/freedesktop/portal/desktop/request/"

    private(set) var state = State.idle
    private let sender: String
    private let options: ScreenCastOptions
    private let capabilities: ScreenCastCapabilities
    private var makeToken: () -> String
    /// A request's path as the portal returned it, should it differ from
    /// the one we predicted (portals before 0.9 did not use handle_token).
    private var returnedPath: String?

    /// `uniqueName` is our connection's unique bus name (":1.42");
    /// `makeToken` makes handle tokens (letters, digits, underscores).
    public init(uniqueName: String, options: ScreenCastOptions, capabilities: ScreenCastCapabilities,
                makeToken: @escaping () -> String) {
        self.sender = String(uniqueName.drop(while: { $0 == ":" })).replacingOccurrences(of: ".", with: "_")
        self.options = options
        self.capabilities = capabilities
        self.makeToken = makeToken
    }

    /// The grant, once `openRemote` was returned.
    public var grant: Grant? {
        if case let .granted(grant) = state { return grant }
        return nil
    }

    /// The session to close if the shell gives up midway.
    public var session: String? {
        switch state {
        case let .selectingSources(session, _), let .starting(session, _): return session
        case let .granted(grant): return grant.session
        case .idle, .creatingSession, .failed: return nil
        }
    }

    /// The request whose answer is awaited, named for messages.
    public var pendingStep: String? {
        switch state {
        case .creatingSession: return "CreateSession"
        case .selectingSources: return "SelectSources"
        case .starting: return "Start"
        case .idle, .granted, .failed: return nil
        }
    }

    /// Whether the pending step waits for the user (the dialog).
    public var waitsForUser: Bool {
        switch state {
        case .selectingSources, .starting: return true
        case .idle, .creatingSession, .granted, .failed: return false
        }
    }

    public mutating func begin() -> Action {
        guard case .idle = state else { return fail(.failed(step: "CreateSession", detail: "the handshake was started twice")) }
        let wanted = options.offer.sourceTypes
        guard capabilities.sourceTypes & wanted != 0 else {
            return fail(.sourceTypeNotOffered(wanted: options.offer == .window ? "window" : "monitor"))
        }
        let token = makeToken()
        let request = requestPath(token)
        state = .creatingSession(request: request)
        returnedPath = nil
        return .call(Call(method: "CreateSession",
                          arguments: [.vardict([("handle_token", .variant(.string(token))),
                                                ("session_handle_token", .variant(.string(makeToken())))])],
                          requestPath: request))
    }

    /// The object path a call returned: the Request its answer comes on.
    public mutating func callReturned(requestPath path: String) {
        returnedPath = path
    }

    /// A call failed outright (a D-Bus error instead of a Request).
    public mutating func callFailed(_ detail: String) -> Action {
        fail(.failed(step: pendingStep ?? "the portal", detail: detail))
    }

    /// A `Response` signal; nil when it answers someone else's request.
    public mutating func received(response code: UInt32, results: DBusValue, on path: String) -> Action? {
        switch state {
        case let .creatingSession(request):
            guard isOurs(path, request) else { return nil }
            if let failure = failure(code, step: "CreateSession", results: results) { return failure }
            guard let session = results["session_handle"]?.stringValue, !session.isEmpty else {
                return fail(.failed(step: "CreateSession", detail: "no session_handle in the answer"))
            }
            return selectSources(session: session)

        case let .selectingSources(session, request):
            guard isOurs(path, request) else { return nil }
            if let failure = failure(code, step: "SelectSources", results: results) { return failure }
            let token = makeToken()
            let next = requestPath(token)
            state = .starting(session: session, request: next)
            returnedPath = nil
            return .call(Call(method: "Start",
                              arguments: [.objectPath(session), .string(""),
                                          .vardict([("handle_token", .variant(.string(token)))])],
                              requestPath: next))

        case let .starting(session, request):
            guard isOurs(path, request) else { return nil }
            if let failure = failure(code, step: "Start", results: results) { return failure }
            let streams = ScreenCastStream.parse(results["streams"])
            guard !streams.isEmpty else { return fail(.noStreams) }
            state = .granted(Grant(session: session, streams: streams, restoreToken: results["restore_token"]?.stringValue))
            return .openRemote(session: session)

        case .idle, .granted, .failed:
            return nil
        }
    }

    private mutating func selectSources(session: String) -> Action {
        let token = makeToken()
        let request = requestPath(token)
        state = .selectingSources(session: session, request: request)
        returnedPath = nil
        var options: [(String, DBusValue)] = [
            ("handle_token", .variant(.string(token))),
            ("types", .variant(.uint32(self.options.offer.sourceTypes & capabilities.sourceTypes))),
            ("multiple", .variant(.bool(false))),
        ]
        if let cursor = capabilities.cursorMode {
            options.append(("cursor_mode", .variant(.uint32(cursor))))
        }
        if capabilities.canPersist {
            // 2: remember until revoked, so the dialog appears once.
            options.append(("persist_mode", .variant(.uint32(2))))
            if let restore = self.options.restoreToken {
                options.append(("restore_token", .variant(.string(restore))))
            }
        }
        return .call(Call(method: "SelectSources", arguments: [.objectPath(session), .vardict(options)],
                          requestPath: request))
    }

    private func isOurs(_ path: String, _ predicted: String) -> Bool {
        path == predicted || (returnedPath != nil && path == returnedPath)
    }

    /// Response 1 is the user cancelling, anything else but 0 an error.
    private mutating func failure(_ code: UInt32, step: String, results: DBusValue) -> Action? {
        switch code {
        case 0: return nil
        case 1: return fail(.cancelled)
        default:
            let detail = results["error"]?.stringValue ?? results["message"]?.stringValue
            return fail(.failed(step: step, detail: detail.map { "\($0) (response \(code))" } ?? "response \(code)"))
        }
    }

    private mutating func fail(_ error: PortalError) -> Action {
        let session = self.session
        state = .failed
        return .fail(error, session: session)
    }

    private func requestPath(_ token: String) -> String {
        Self.requestPrefix + sender + "/" + token
    }
}
