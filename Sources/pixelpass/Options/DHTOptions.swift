import ArgumentParser
import PixelpassCore

/// The DHT rendezvous flags, the same for `host` and `view`.
struct DHTOptions: ParsableArguments {
    @Flag(inversion: .prefixedNo, help: "Meet the other side through the BitTorrent mainline DHT (default; --no-dht: only the ticket's addresses, so two friends behind home routers cannot connect without a TURN relay). Default: [nat] dht.")
    var dht: Bool?

    @Option(name: .customLong("dht-bootstrap"), help: ArgumentHelp("DHT node HOST:PORT to join through (repeat for several). Default: [nat] dht_bootstrap, else the well-known public routers.", valueName: "host:port"))
    var bootstrap: [String] = []

    var flags: DHTFlags { DHTFlags(enabled: dht, bootstrap: bootstrap) }
}

/// The DHT flags as given (nil / empty: not given); the menu has none.
struct DHTFlags {
    var enabled: Bool?
    var bootstrap: [String] = []

    /// The flags, else the config's [nat], else the defaults.
    func settings() throws -> DHTSettings {
        let nat = ConfigDefaults.values.nat
        let nodes = bootstrap.isEmpty ? (nat.dhtBootstrap ?? DHTSettings.defaultBootstrap) : bootstrap
        for node in nodes {
            do { _ = try DHTBootstrapNode(validating: node) } catch { throw error.about("--dht-bootstrap") }
        }
        return DHTSettings(enabled: enabled ?? nat.dht ?? true, bootstrap: nodes)
    }
}
