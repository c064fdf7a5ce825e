@testable import PixelpassCore

/// The viewer's side for relay tests: records each stream it opens.
final class FakeOpener: RelayStreamOpener {
    var opened: [FakeUpstream] = []
    var failure = false
    var relayedBytes = 0

    struct Gone: Error {}

    func openRelayStream() throws -> any RelayUpstream {
        if failure { throw Gone() }
        let upstream = FakeUpstream()
        opened.append(upstream)
        return upstream
    }

    func relayed(bytes: Int) { relayedBytes += bytes }
}

/// The host's side of one stream, driven by the test.
final class FakeUpstream: RelayUpstream {
    private var status: ((Int) -> Void)?
    private var data: ((UnsafeRawBufferPointer) -> Void)?
    private var ending: (() -> Void)?
    private(set) var pauses = 0
    private(set) var resumes = 0
    private(set) var cancelled = false

    func deliver(status: @escaping (Int) -> Void, data: @escaping (UnsafeRawBufferPointer) -> Void,
                 end: @escaping () -> Void) {
        self.status = status
        self.data = data
        ending = end
    }

    func pause() { pauses += 1 }
    func resume() { resumes += 1 }
    func cancel() { cancelled = true }

    func respond(status code: Int) { status?(code) }
    func send(_ bytes: [UInt8]) { bytes.withUnsafeBytes { data?($0) } }
    func end() { ending?() }
}
