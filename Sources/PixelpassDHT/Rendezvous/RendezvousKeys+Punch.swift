extension RendezvousKeys {
    /// The token in both sides' hole-punching probes: from the seal key, one
    /// way, so a probe proves the sender has the ticket without showing it.
    public var punchToken: [UInt8] {
        Array(Digest.sha256(Array("pixelpass punch v1".utf8) + sealKey).prefix(8))
    }
}
