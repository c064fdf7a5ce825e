/// One entry of `dht_bootstrap` / `--dht-bootstrap`: a DHT node to join
/// through, as "HOST:PORT" (a name or an address, looked up at start).
public struct DHTBootstrapNode: HostAndPortSetting {
    public static let settingName = "dht-bootstrap"
    public static let requirement = "must be HOST:PORT, e.g. dht.libtorrent.org:25401"

    public let text: String

    public init(checked text: String) {
        self.text = text
    }
}
