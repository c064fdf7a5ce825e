// Bulk-transfer benchmark over pixelpass's QUIC + HTTP/3 stack, the
// counterpart of ngtcp2's gtlsserver/gtlsclient in scripts/bench-tunnel.
//
//   pixelpass-tunnel-bench serve ADDRESS PORT
//       prints "fingerprint HEX" then serves GET /<N> with an N-byte body
//   pixelpass-tunnel-bench fetch ADDRESS PORT FINGERPRINT BYTES
//       downloads /<BYTES> and prints "bytes N seconds S mbit_per_s R"
import Foundation
import NIOCore
import NIOPosix
import PixelpassTransport
import PixelpassBytes

/// Serves /<N> by keeping a bounded amount of one shared chunk queued.
final class BulkServer: HTTP3ServerDelegate {
    let chunk = SharedBytes([UInt8](repeating: 0x5a, count: 256 * 1024))
    let queuedTarget = 8 * 1024 * 1024

    func http3Server(_ server: HTTP3Server, peerConnected peer: HTTP3Peer) {}
    func http3Server(_ server: HTTP3Server, peerDisconnected peer: HTTP3Peer, reason: QUICCloseReason) {}

    func http3Server(_ server: HTTP3Server, didReceive request: HTTP3Responder) {
        guard let total = Int(request.request.pathOnly.dropFirst()), total > 0 else {
            request.respond(status: 404, body: Array("GET /<bytes>\n".utf8))
            return
        }
        request.startStreaming(status: 200, headers: [("content-length", String(total))])
        var remaining = total
        let chunk = self.chunk
        let target = queuedTarget
        func refill() {
            while remaining > 0 && request.bufferedBytes < target {
                if remaining >= chunk.count {
                    request.write(chunk)
                    remaining -= chunk.count
                } else {
                    request.write(SharedBytes([UInt8](repeating: 0x5a, count: remaining)))
                    remaining = 0
                }
            }
            if remaining == 0 {
                request.onAcknowledged = nil
                request.finish()
            }
        }
        request.onAcknowledged = { refill() }
        refill()
    }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
func unhex(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        out.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return out
}

let arguments = CommandLine.arguments
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let loop = group.next()

switch (arguments.count, arguments.dropFirst().first) {
case (4, "serve"):
    let identity = try TLSIdentity()
    let address = try SocketAddress(ipAddress: arguments[2], port: Int(arguments[3])!)
    let server = try HTTP3Server.start(bindingTo: address, identity: identity, on: loop).wait()
    let delegate = BulkServer()
    try loop.submit { server.delegate = delegate }.wait()
    print("fingerprint \(hex(identity.fingerprint))")
    fflush(stdout)
    signal(SIGTERM, SIG_DFL)
    while true { sleep(3600) }
case (6, "fetch"):
    let address = try SocketAddress(ipAddress: arguments[2], port: Int(arguments[3])!)
    let pin = unhex(arguments[4])
    let total = Int(arguments[5])!
    let client = try HTTP3Client.connect(to: [address], pinnedFingerprint: pin,
                                         identity: try TLSIdentity(), on: loop).wait()
    let done = loop.makePromise(of: (Int, HTTP3RequestEnd, Double).self)
    try loop.submit {
        let start = DispatchTime.now()
        let request = try client.get("/\(total)")
        var received = 0
        request.onData = { received += $0.count }
        request.onEnd = { end in
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            done.succeed((received, end, seconds))
        }
    }.wait()
    let (received, end, seconds) = try done.futureResult.wait()
    guard end == .complete, received == total else {
        FileHandle.standardError.write(Data("transfer failed: \(received) of \(total) bytes, \(end)\n".utf8))
        exit(1)
    }
    print(String(format: "bytes %d seconds %.3f mbit_per_s %.1f", received, seconds, Double(received) * 8 / seconds / 1e6))
    try? client.eventLoop.flatSubmit { client.close() }.wait()
default:
    FileHandle.standardError.write(Data("usage: pixelpass-tunnel-bench serve ADDRESS PORT | fetch ADDRESS PORT FINGERPRINT BYTES\n".utf8))
    exit(2)
}
