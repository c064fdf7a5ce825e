import XCTest
@testable import PixelpassNAT

/// A scripted TURN server for driving `TURNClient`: it checks what the
/// client sends and builds the answers a coturn-like server would.
struct FakeTURNServer {
    let realm = "pixelpass.test"
    var nonce = "nonce-1"
    let credentials = TURNCredentials(username: "alice", password: "wonderland")
    let relayed = address("192.0.2.50:49152")
    let mapped = address("203.0.113.5:40000")

    var key: STUNKey { credentials.key(realm: realm) }

    func decode(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws -> DecodedSTUNMessage {
        let decoded = try STUNMessage.decode(bytes)
        XCTAssertEqual(decoded.fingerprint, .valid, "client requests carry FINGERPRINT", file: file, line: line)
        return decoded
    }

    /// Decodes a request and checks it carries our current credentials.
    func authenticated(_ bytes: [UInt8], method: STUNMethod, nonce expectedNonce: String? = nil,
                       file: StaticString = #filePath, line: UInt = #line) throws -> STUNMessage {
        let decoded = try decode(bytes, file: file, line: line)
        let message = decoded.message
        XCTAssertEqual(message.method, method, file: file, line: line)
        XCTAssertEqual(message.messageClass, .request, file: file, line: line)
        XCTAssertEqual(message.username, credentials.username, file: file, line: line)
        XCTAssertEqual(message.realm, realm, file: file, line: line)
        XCTAssertEqual(message.nonce, expectedNonce ?? nonce, file: file, line: line)
        XCTAssertTrue(decoded.hasValidIntegrity(key: key), "MESSAGE-INTEGRITY with the long-term key", file: file, line: line)
        return message
    }

    func challenge(_ request: STUNMessage) -> [UInt8] {
        STUNMessage(method: request.method, messageClass: .errorResponse, transactionID: request.transactionID,
                    attributes: [.errorCode(STUNErrorCode(code: 401, reason: "Unauthorized")),
                                 .realm(realm), .nonce(nonce)]).encode(fingerprint: true)
    }

    func error(_ request: STUNMessage, _ code: Int, _ reason: String, attributes: [STUNAttribute] = []) -> [UInt8] {
        STUNMessage(method: request.method, messageClass: .errorResponse, transactionID: request.transactionID,
                    attributes: [.errorCode(STUNErrorCode(code: code, reason: reason))] + attributes)
            .encode(fingerprint: true)
    }

    func success(_ request: STUNMessage, _ attributes: [STUNAttribute] = [], key: STUNKey? = nil) -> [UInt8] {
        STUNMessage(method: request.method, messageClass: .successResponse, transactionID: request.transactionID,
                    attributes: attributes).encode(integrity: key ?? self.key, fingerprint: true)
    }

    func allocateSuccess(_ request: STUNMessage, lifetime: UInt32 = 600) -> [UInt8] {
        success(request, [.xorRelayedAddress(relayed), .xorMappedAddress(mapped), .lifetime(lifetime)])
    }

    func dataIndication(from peer: NATAddress, _ payload: [UInt8]) -> [UInt8] {
        STUNMessage(method: .data, messageClass: .indication, transactionID: .random(),
                    attributes: [.xorPeerAddress(peer), .data(payload)]).encode(fingerprint: true)
    }
}

extension [TURNClient.Action] {
    /// The datagrams for the server, in order.
    var toServer: [[UInt8]] {
        compactMap { if case .sendToServer(let bytes) = $0 { bytes } else { nil } }
    }

    var timers: [UInt64] {
        compactMap { if case .setTimer(let at) = $0 { at } else { nil } }
    }

    /// Everything but datagrams and timers: the events a handler reports.
    var outcomes: [TURNClient.Action] {
        filter {
            switch $0 {
            case .sendToServer, .setTimer: return false
            case .allocated, .deliver, .permissionFailed, .failed, .released: return true
            }
        }
    }
}
