extension PixelpassConfig {
    /// Built-in defaults, for keys that have a value when nothing sets them.
    /// (size, player, port: "not set" means native size, automatic, free port.)
    public enum Defaults {
        public static let source = Source.auto
        public static let bitrate = 4000
        public static let bitrateMode = BitrateMode.adaptive
        public static let bitrateFloor = 800
        public static let fps = 30
        public static let maxViewers = 4
        public static let encoder = Encoder.auto
        public static let hwencode = true
        public static let audio = true
        public static let bind = "0.0.0.0:0"
        public static let keepTicket = false
    }
}
