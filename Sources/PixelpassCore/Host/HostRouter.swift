import Logging

/// The host's HTTP/3 API as a router in the manner of hummingbird's
/// `Router` and `Middleware`: each request passes the middleware in order
/// (any of them may answer and stop it), then goes to the handler of its
/// path, or gets 404.
struct HostRouter<Request: HostRequest> {
    typealias Handler = (Request) -> Void
    /// Calls `next` to let the request through, or answers it.
    /// `next` may be kept and called later (a viewer waiting for approval).
    typealias Middleware = (_ request: Request, _ next: @escaping () -> Void) -> Void

    private var middleware: [Middleware] = []
    private var routes: [String: Handler] = [:]

    mutating func add(_ middleware: @escaping Middleware) {
        self.middleware.append(middleware)
    }

    mutating func on(_ path: String, _ handler: @escaping Handler) {
        routes[path] = handler
    }

    func handle(_ request: Request) {
        run(request, from: 0)
    }

    private func run(_ request: Request, from index: Int) {
        guard index < middleware.count else {
            route(request)
            return
        }
        middleware[index](request) { run(request, from: index + 1) }
    }

    private func route(_ request: Request) {
        guard let handler = routes[request.head.pathOnly] else {
            request.respond(status: 404, headers: [],
                            body: Array("unknown path; the stream is at \(StreamAPI.streamPath)\n".utf8))
            return
        }
        handler(request)
    }
}

/// The middleware every host request passes, in this order.
enum HostMiddleware {
    /// Nothing without the ticket's secret: 403 and no more.
    static func secret<Request: HostRequest>(_ authorises: @escaping (Request) -> Bool,
                                             logger: Logger) -> HostRouter<Request>.Middleware {
        { request, next in
            guard authorises(request) else {
                logger.info("refused a request from \(request.viewerID): wrong or missing secret")
                request.respondText(403, "wrong or missing secret: use the ticket's secret\n")
                return
            }
            next()
        }
    }

    /// Kicked viewers stay out; with `--approve`, a new viewer's requests
    /// wait for the host's answer (`hold` keeps them, with how to go on).
    static func gate<Request: HostRequest>(check: @escaping (Request) -> ViewerGate.Verdict,
                                           hold: @escaping (Request, @escaping () -> Void) -> Void)
        -> HostRouter<Request>.Middleware {
        { request, next in
            switch check(request) {
            case .pass:
                next()
            case .banned:
                request.respondText(403, "the host removed you from this share\n")
            case .wait:
                hold(request, next)
            }
        }
    }

    /// A viewer needs a seat; `admit` gives one if one is free, and `full`
    /// says why not.
    static func seats<Request: HostRequest>(logger: Logger, admit: @escaping (Request) -> Bool,
                                            full: @escaping () -> String) -> HostRouter<Request>.Middleware {
        { request, next in
            guard admit(request) else {
                let reason = full()
                logger.info("refused viewer \(request.viewerID): \(reason)")
                request.respondText(503, reason + "\n")
                return
            }
            next()
        }
    }

    /// The API only reads.
    static func readOnly<Request: HostRequest>() -> HostRouter<Request>.Middleware {
        { request, next in
            guard request.head.method == "GET" || request.head.method == "HEAD" else {
                request.respond(status: 405, headers: [], body: Array("only GET\n".utf8))
                return
            }
            next()
        }
    }
}
