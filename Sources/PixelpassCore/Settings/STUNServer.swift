/// One entry of `stun` / `--stun`: a STUN server as "HOST:PORT", where HOST
/// is a name or an address (looked up when the host starts), port 1-65535.
public struct STUNServer: HostAndPortSetting {
    public static let settingName = "stun"
    public static let requirement = "must be HOST:PORT, e.g. stun.example.org:3478"

    public let text: String

    public init(checked text: String) {
        self.text = text
    }
}
