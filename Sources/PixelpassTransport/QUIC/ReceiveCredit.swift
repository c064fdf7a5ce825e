/// The one owner of receive flow-control credit for a connection (in the
/// manner of swift-nio-ssh's ChildChannelWindowManager): callers report bytes
/// they consumed; this decides how much credit goes back to the peer, per
/// stream and for the connection.
///
/// Connection credit is returned at once, so one paused stream cannot starve
/// the others; stream credit is withheld while a stream is held (its reader
/// is not keeping up) and returned in one piece when it is released.
struct ReceiveCredit {
    /// Credit to give back now.
    struct Grant: Equatable {
        var stream: UInt64 = 0
        var connection: UInt64 = 0
    }

    private var withheld: [Int64: UInt64] = [:]

    /// `count` bytes of `stream` were consumed.
    mutating func consumed(_ count: Int, on stream: Int64) -> Grant {
        guard count > 0 else { return Grant() }
        let bytes = UInt64(count)
        if let held = withheld[stream] {
            withheld[stream] = held + bytes
            return Grant(stream: 0, connection: bytes)
        }
        return Grant(stream: bytes, connection: bytes)
    }

    mutating func hold(_ stream: Int64) {
        if withheld[stream] == nil { withheld[stream] = 0 }
    }

    /// Stops holding `stream`; returns the stream credit it had withheld.
    mutating func release(_ stream: Int64) -> UInt64 {
        withheld.removeValue(forKey: stream) ?? 0
    }

    /// The stream is gone: nothing more is owed on it.
    mutating func forget(_ stream: Int64) {
        withheld[stream] = nil
    }

    func isHeld(_ stream: Int64) -> Bool { withheld[stream] != nil }
}
