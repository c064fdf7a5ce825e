import PixelpassTransport

/// What the host's router needs of a request: its head, who asked, and a
/// way to answer it. `HTTP3Responder` is the real one; tests use a fake.
protocol HostRequest: AnyObject {
    var head: HTTP3RequestHead { get }
    /// The asking viewer's short id, for logs.
    var viewerID: String { get }
    func respond(status: Int, headers: [(String, String)], body: [UInt8])
}

extension HostRequest {
    /// A plain-text answer, as every refusal of the host's API is.
    func respondText(_ status: Int, _ text: String) {
        respond(status: status, headers: [("content-type", "text/plain")], body: Array(text.utf8))
    }
}

/// (`viewerID` comes with its `BroadcastViewer` conformance.)
extension HTTP3Responder: HostRequest {
    var head: HTTP3RequestHead { request }
}
