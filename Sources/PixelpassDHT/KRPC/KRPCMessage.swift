import PixelpassNAT

/// One KRPC message (BEP 5): a query, a response or an error, with the
/// transaction id that pairs a response with its query, the sender's
/// client version, BEP 42's `ip` (the requester's address as the responder
/// saw it) and BEP 43's read-only flag.
struct KRPCMessage: Hashable, Sendable {
    var transactionID: [UInt8]
    var body: Body
    /// `v`: two letters naming the client, two bytes of version.
    var version: [UInt8]?
    /// `ip` (BEP 42), on responses and errors.
    var requesterAddress: NATAddress?

    enum Body: Hashable, Sendable {
        /// `readOnly`: `ro=1` (BEP 43), a node that should not be added to routing tables.
        case query(id: NodeID, KRPCQuery, readOnly: Bool)
        case response(KRPCResponse)
        case error(KRPCError)
    }
}

/// The queries this codec knows (BEP 5, 44), plus any other method by name.
enum KRPCQuery: Hashable, Sendable {
    case ping
    /// `want` (BEP 32): the families wanted in `nodes`/`nodes6`; nil means the query's own.
    case findNode(target: NodeID, want: [DHTAddressFamily]?)
    case getPeers(infoHash: NodeID, want: [DHTAddressFamily]?)
    /// With `impliedPort` the storing node records the query's source port, not `port`.
    case announcePeer(infoHash: NodeID, port: UInt16, impliedPort: Bool, token: [UInt8])
    /// `seq`: only send `v` if the stored one is newer (BEP 44).
    case get(target: NodeID, seq: Int64?, want: [DHTAddressFamily]?)
    case put(KRPCPut)
    case other(method: [UInt8])

    var method: String {
        switch self {
        case .ping: return "ping"
        case .findNode: return "find_node"
        case .getPeers: return "get_peers"
        case .announcePeer: return "announce_peer"
        case .get: return "get"
        case .put: return "put"
        case .other(let method): return String(decoding: method, as: UTF8.self)
        }
    }
}

/// BEP 44 `put` of a mutable item.
struct KRPCPut: Hashable, Sendable {
    var item: MutableItem
    var token: [UInt8]
    /// Compare-and-swap: store only if the current seq is this.
    var cas: Int64?
}

/// A response's `r`. Which fields are there depends on the query it answers.
struct KRPCResponse: Hashable, Sendable {
    var id: NodeID
    var nodes: [NodeInfo] = []
    var nodes6: [NodeInfo] = []
    /// `values`: peers (get_peers).
    var values: [NATAddress] = []
    var token: [UInt8]?
    // BEP 44 `get` answers: key, seq, signature and value of a mutable item.
    var key: [UInt8]?
    var seq: Int64?
    var signature: [UInt8]?
    var value: BencodeValue?
}

/// `e`: [code, message]. 201 generic, 202 server, 203 protocol, 204 method
/// unknown; BEP 44 adds 205 message too big, 206 bad signature, 207 salt too
/// big, 301 cas mismatch, 302 seq too low.
struct KRPCError: Error, Hashable, Sendable {
    var code: Int64
    var message: String

    static func methodUnknown() -> KRPCError { KRPCError(code: 204, message: "Method Unknown") }
}
