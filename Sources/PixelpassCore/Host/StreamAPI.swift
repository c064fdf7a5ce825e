/// The HTTP/3 interface a host serves. Third-party clients (gtlsclient) use
/// the query form of the secret because they cannot set headers.
public enum StreamAPI {
    public static let streamPath = "/v1/stream"
    public static let infoPath = "/v1/info"
    public static let secretHeader = "x-pixelpass-secret"
    public static let secretQueryName = "secret"
    public static let viewerIDHeader = "x-pixelpass-viewer-id"
    /// The name a viewer goes by (`view --name`), shown beside its id.
    public static let viewerNameHeader = "x-pixelpass-viewer-name"
    /// A hash of the viewer's lasting key: what a kick bans (`ViewerKeyStore`).
    public static let viewerKeyHeader = "x-pixelpass-viewer-key"
    /// HTTP/3 application error code the host closes a kicked viewer with,
    /// so the viewer says "removed" instead of "the host ended the share".
    public static let removedByHostCode: UInt64 = 0x7078_0001
    /// Closes a connection whose seat went to a newcomer on a full share (it
    /// watched nothing for a while, or went silent).
    public static let seatReclaimedCode: UInt64 = 0x7078_0002
    /// Closes a connection that made no request with the ticket's secret
    /// soon after its handshake.
    public static let notAuthorisedCode: UInt64 = 0x7078_0003
    /// Closes a connection beyond what one viewer certificate may have open.
    public static let tooManyConnectionsCode: UInt64 = 0x7078_0004
}
