import PixelpassMedia

/// The encoder's rate and picture now, for the status line and `stats`.
public struct EncoderStatus: Equatable, Sendable {
    public var mode: BitrateMode
    public var bitrateKbps: Int
    public var ceilingKbps: Int
    public var floorKbps: Int
    public var picture: VideoPicture
    /// nil in fixed mode.
    public var limit: RateLimit?

    public init(mode: BitrateMode, bitrateKbps: Int, ceilingKbps: Int, floorKbps: Int, picture: VideoPicture,
                limit: RateLimit?) {
        self.mode = mode
        self.bitrateKbps = bitrateKbps
        self.ceilingKbps = ceilingKbps
        self.floorKbps = floorKbps
        self.picture = picture
        self.limit = limit
    }
}
