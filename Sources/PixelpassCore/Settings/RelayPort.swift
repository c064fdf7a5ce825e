/// The viewer's local relay port: `port` / `--port` (leaving it out means a free port).
public typealias RelayPort = BoundedInteger<RelayPortBounds>

public enum RelayPortBounds: IntegerBounds {
    public static let settingName = "port"
    public static let range = 1...65535
}
