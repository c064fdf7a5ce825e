import XCTest
import PixelpassTransport
@testable import PixelpassCore

/// A request that records its answer.
private final class FakeRequest: HostRequest {
    let head: HTTP3RequestHead
    let viewerID: String
    var status: Int?
    var headers: [(String, String)] = []
    var body = ""

    init(method: String = "GET", _ path: String, secret: String? = nil, viewer: String = "v1") {
        var head = HTTP3RequestHead()
        head.method = method
        head.path = path
        if let secret { head.headers.append((name: StreamAPI.secretHeader, value: secret)) }
        self.head = head
        self.viewerID = viewer
    }

    func respond(status: Int, headers: [(String, String)], body: [UInt8]) {
        precondition(self.status == nil, "answered twice")
        self.status = status
        self.headers = headers
        self.body = String(decoding: body, as: UTF8.self)
    }
}

/// The host's routing with the host's own middleware, and fake requests.
final class HostRouterTests: XCTestCase {
    private let secret = "00112233445566778899aabbccddeeff"
    private var seats: Set<String> = []
    private var capacity = 2
    private var served: [String] = []

    private func makeRouter() -> HostRouter<FakeRequest> {
        var router = HostRouter<FakeRequest>()
        let check = SecretCheck(secretHex: secret)
        router.add(HostMiddleware.secret({ check.authorises($0.head) }, logger: .silent))
        router.add(HostMiddleware.seats(logger: .silent,
            admit: { [unowned self] request in
                if seats.contains(request.viewerID) { return true }
                guard seats.count < capacity else { return false }
                seats.insert(request.viewerID)
                return true
            },
            full: { [unowned self] in "the host is full (\(seats.count) of \(capacity) viewers)" }))
        router.add(HostMiddleware.readOnly())
        router.on(StreamAPI.streamPath) { [unowned self] request in
            served.append(request.viewerID)
            request.respond(status: 200, headers: [], body: [])
        }
        router.on(StreamAPI.infoPath) { $0.respond(status: 200, headers: [], body: Array("{}".utf8)) }
        return router
    }

    func testWithoutTheSecretNothingIsServedAndNoSeatIsTaken() {
        let router = makeRouter()
        for request in [FakeRequest(StreamAPI.streamPath),
                        FakeRequest(StreamAPI.streamPath, secret: "ffffffffffffffffffffffffffffffff"),
                        FakeRequest("/nowhere", secret: "short")] {
            router.handle(request)
            XCTAssertEqual(request.status, 403)
            XCTAssertEqual(request.body, "wrong or missing secret: use the ticket's secret\n")
        }
        XCTAssertTrue(seats.isEmpty)
        XCTAssertTrue(served.isEmpty)
    }

    func testTheSecretInTheQueryCountsAndIsCaseInsensitive() {
        let router = makeRouter()
        let request = FakeRequest(StreamAPI.streamPath + "?secret=" + secret.uppercased())
        router.handle(request)
        XCTAssertEqual(request.status, 200)
        XCTAssertEqual(served, ["v1"])
    }

    func testA503WhenEverySeatIsTakenButSeatedViewersGoOn() {
        let router = makeRouter()
        for viewer in ["a", "b"] {
            router.handle(FakeRequest(StreamAPI.infoPath, secret: secret, viewer: viewer))
        }
        let third = FakeRequest(StreamAPI.streamPath, secret: secret, viewer: "c")
        router.handle(third)
        XCTAssertEqual(third.status, 503)
        XCTAssertEqual(third.body, "the host is full (2 of 2 viewers)\n")
        XCTAssertEqual(third.headers.first?.1, "text/plain")
        let seated = FakeRequest(StreamAPI.streamPath, secret: secret, viewer: "a")
        router.handle(seated)
        XCTAssertEqual(seated.status, 200)
        XCTAssertEqual(served, ["a"])
    }

    func testUnknownPathsGet404AndOtherMethods405() {
        let router = makeRouter()
        let unknown = FakeRequest("/v2/stream", secret: secret)
        router.handle(unknown)
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual(unknown.body, "unknown path; the stream is at /v1/stream\n")
        let post = FakeRequest(method: "POST", StreamAPI.streamPath, secret: secret)
        router.handle(post)
        XCTAssertEqual(post.status, 405)
        XCTAssertTrue(served.isEmpty)
    }

    func testThePathIsMatchedWithoutItsQuery() {
        let router = makeRouter()
        let request = FakeRequest(StreamAPI.infoPath + "?x=1", secret: secret)
        router.handle(request)
        XCTAssertEqual(request.status, 200)
        XCTAssertEqual(request.body, "{}")
    }
}
