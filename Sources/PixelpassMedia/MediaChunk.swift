import PixelpassBytes

/// A piece of the MPEG-TS stream, as handed to the broadcaster.
public struct MediaChunk: Sendable {
    /// Whole 188-byte TS packets, copied once from the encoder's buffer;
    /// from here they go to every viewer's QUIC stream without another copy.
    public var bytes: SharedBytes
    /// True when this chunk begins with the TS packet that starts a video
    /// IDR access unit (with SPS/PPS in front of it), so a viewer can join here.
    public var isKeyframe: Bool
    /// When `isKeyframe`: the latest PAT and PMT packets. Send them to a
    /// viewer that joins at this chunk, before `bytes`, so its first bytes are
    /// PAT, PMT, then the IDR. Empty otherwise.
    public var programTables: [UInt8]
    /// True when this chunk begins a PES packet (a whole video or audio
    /// frame starts here): the only places a lagging viewer's queue may be
    /// cut without damaging a frame.
    public var startsUnit: Bool

    public init(bytes: SharedBytes, isKeyframe: Bool, programTables: [UInt8], startsUnit: Bool? = nil) {
        self.bytes = bytes
        self.isKeyframe = isKeyframe
        self.programTables = programTables
        self.startsUnit = startsUnit ?? isKeyframe
    }
}
