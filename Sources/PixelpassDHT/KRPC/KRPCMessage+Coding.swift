import PixelpassNAT

/// Why bytes are not a KRPC message.
enum KRPCDecodingError: Error, Hashable, Sendable {
    case bencode(BencodeError)
    /// A required key is missing or has the wrong type or size.
    case invalidField(String)
}

extension KRPCMessage {
    var encoded: [UInt8] {
        var top: [[UInt8]: BencodeValue] = [:]
        top["t"] = .bytes(transactionID)
        if let version { top["v"] = .bytes(version) }
        if let requesterAddress { top["ip"] = .bytes(CompactAddress.encode(requesterAddress)) }
        switch body {
        case .query(let id, let query, let readOnly):
            top["y"] = .string("q")
            top["q"] = .string(query.method)
            top["a"] = .dictionary(query.arguments(id: id))
            if readOnly { top["ro"] = .integer(1) }
        case .response(let response):
            top["y"] = .string("r")
            top["r"] = .dictionary(response.dictionary)
        case .error(let error):
            top["y"] = .string("e")
            top["e"] = .list([.integer(error.code), .string(error.message)])
        }
        return BencodeValue.dictionary(top).encoded
    }

    init(decoding bytes: [UInt8]) throws(KRPCDecodingError) {
        let top: [[UInt8]: BencodeValue]
        do {
            top = try Bencode.decodeDictionary(bytes)
        } catch {
            throw .bencode(error)
        }
        guard let transactionID = top["t"]?.bytesValue else { throw .invalidField("t") }
        guard let kind = top["y"]?.bytesValue else { throw .invalidField("y") }
        self.transactionID = transactionID
        version = top["v"]?.bytesValue
        // A malformed `ip` is dropped rather than failing the whole reply.
        requesterAddress = top["ip"]?.bytesValue.flatMap { CompactAddress.decode($0) }
        switch kind {
        case Array("q".utf8):
            guard let method = top["q"]?.bytesValue else { throw .invalidField("q") }
            guard let arguments = top["a"]?.dictionaryValue else { throw .invalidField("a") }
            guard let id = arguments["id"]?.bytesValue.flatMap({ NodeID(bytes: $0) }) else { throw .invalidField("a.id") }
            let readOnly = top["ro"]?.integerValue == 1
            body = .query(id: id, try KRPCQuery(method: method, arguments: arguments), readOnly: readOnly)
        case Array("r".utf8):
            guard let reply = top["r"]?.dictionaryValue else { throw .invalidField("r") }
            body = .response(try KRPCResponse(dictionary: reply))
        case Array("e".utf8):
            guard let list = top["e"]?.listValue, list.count >= 2, let code = list[0].integerValue,
                  let message = list[1].bytesValue else { throw .invalidField("e") }
            body = .error(KRPCError(code: code, message: String(decoding: message, as: UTF8.self)))
        default:
            throw .invalidField("y")
        }
    }
}

extension KRPCQuery {
    func arguments(id: NodeID) -> [[UInt8]: BencodeValue] {
        var arguments: [[UInt8]: BencodeValue] = [:]
        arguments["id"] = .bytes(id.bytes)
        switch self {
        case .ping, .other:
            break
        case .findNode(let target, let want):
            arguments["target"] = .bytes(target.bytes)
            if let want { arguments["want"] = KRPCQuery.encodeWant(want) }
        case .getPeers(let infoHash, let want):
            arguments["info_hash"] = .bytes(infoHash.bytes)
            if let want { arguments["want"] = KRPCQuery.encodeWant(want) }
        case .announcePeer(let infoHash, let port, let impliedPort, let token):
            arguments["info_hash"] = .bytes(infoHash.bytes)
            arguments["port"] = .integer(Int64(port))
            arguments["implied_port"] = .integer(impliedPort ? 1 : 0)
            arguments["token"] = .bytes(token)
        case .get(let target, let seq, let want):
            arguments["target"] = .bytes(target.bytes)
            if let seq { arguments["seq"] = .integer(seq) }
            if let want { arguments["want"] = KRPCQuery.encodeWant(want) }
        case .put(let put):
            arguments["k"] = .bytes(put.item.publicKey)
            if !put.item.salt.isEmpty { arguments["salt"] = .bytes(put.item.salt) }
            arguments["seq"] = .integer(put.item.seq)
            arguments["sig"] = .bytes(put.item.signature)
            arguments["v"] = put.item.value
            arguments["token"] = .bytes(put.token)
            if let cas = put.cas { arguments["cas"] = .integer(cas) }
        }
        return arguments
    }

    init(method: [UInt8], arguments: [[UInt8]: BencodeValue]) throws(KRPCDecodingError) {
        func id(_ key: String) throws(KRPCDecodingError) -> NodeID {
            guard let id = arguments[key]?.bytesValue.flatMap({ NodeID(bytes: $0) }) else {
                throw .invalidField("a.\(key)")
            }
            return id
        }
        func bytes(_ key: String) throws(KRPCDecodingError) -> [UInt8] {
            guard let bytes = arguments[key]?.bytesValue else { throw .invalidField("a.\(key)") }
            return bytes
        }
        let want = arguments["want"]?.listValue.map { KRPCQuery.decodeWant($0) }
        switch String(decoding: method, as: UTF8.self) {
        case "ping":
            self = .ping
        case "find_node":
            self = .findNode(target: try id("target"), want: want)
        case "get_peers":
            self = .getPeers(infoHash: try id("info_hash"), want: want)
        case "announce_peer":
            let impliedPort = arguments["implied_port"]?.integerValue ?? 0
            let port = arguments["port"]?.integerValue
            // With implied_port the port argument is ignored; without it, it must be valid.
            guard impliedPort != 0 || port.map({ (1...65535).contains($0) }) == true else {
                throw .invalidField("a.port")
            }
            self = .announcePeer(infoHash: try id("info_hash"),
                                 port: port.flatMap { UInt16(exactly: $0) } ?? 0,
                                 impliedPort: impliedPort != 0, token: try bytes("token"))
        case "get":
            self = .get(target: try id("target"), seq: arguments["seq"]?.integerValue, want: want)
        case "put":
            guard let seq = arguments["seq"]?.integerValue else { throw .invalidField("a.seq") }
            guard let value = arguments["v"] else { throw .invalidField("a.v") }
            let item = MutableItem(publicKey: try bytes("k"), salt: arguments["salt"]?.bytesValue ?? [],
                                   seq: seq, value: value, signature: try bytes("sig"))
            self = .put(KRPCPut(item: item, token: try bytes("token"), cas: arguments["cas"]?.integerValue))
        default:
            self = .other(method: method)
        }
    }

    static func encodeWant(_ families: [DHTAddressFamily]) -> BencodeValue {
        .list(families.map {
            switch $0 {
            case .v4: return .string("n4")
            case .v6: return .string("n6")
            }
        })
    }

    /// Unknown entries are skipped (BEP 32 leaves room for more).
    static func decodeWant(_ list: [BencodeValue]) -> [DHTAddressFamily] {
        list.compactMap {
            switch $0.bytesValue {
            case Array("n4".utf8)?: return .v4
            case Array("n6".utf8)?: return .v6
            default: return nil
            }
        }
    }
}

extension KRPCResponse {
    var dictionary: [[UInt8]: BencodeValue] {
        var reply: [[UInt8]: BencodeValue] = [:]
        reply["id"] = .bytes(id.bytes)
        if !nodes.isEmpty { reply["nodes"] = .bytes(CompactAddress.encodeNodes(nodes)) }
        if !nodes6.isEmpty { reply["nodes6"] = .bytes(CompactAddress.encodeNodes(nodes6)) }
        if !values.isEmpty { reply["values"] = .list(values.map { .bytes(CompactAddress.encode($0)) }) }
        if let token { reply["token"] = .bytes(token) }
        if let key { reply["k"] = .bytes(key) }
        if let seq { reply["seq"] = .integer(seq) }
        if let signature { reply["sig"] = .bytes(signature) }
        if let value { reply["v"] = value }
        return reply
    }

    /// Node and peer entries of the wrong size are skipped one by one; the
    /// rest of the reply is still used.
    init(dictionary reply: [[UInt8]: BencodeValue]) throws(KRPCDecodingError) {
        guard let id = reply["id"]?.bytesValue.flatMap({ NodeID(bytes: $0) }) else { throw .invalidField("r.id") }
        self.id = id
        nodes = reply["nodes"]?.bytesValue.map { CompactAddress.decodeNodes($0, family: .v4) } ?? []
        nodes6 = reply["nodes6"]?.bytesValue.map { CompactAddress.decodeNodes($0, family: .v6) } ?? []
        values = (reply["values"]?.listValue ?? []).compactMap { $0.bytesValue.flatMap { CompactAddress.decode($0) } }
        token = reply["token"]?.bytesValue
        key = reply["k"]?.bytesValue
        seq = reply["seq"]?.integerValue
        signature = reply["sig"]?.bytesValue
        value = reply["v"]
    }
}
