import XCTest
import PixelpassNAT
@testable import PixelpassCore

final class RendezvousPiecesTests: XCTestCase {
    func testTheNodeCacheKeepsAddressesAndSkipsWhatItCannotRead() throws {
        let folder = NSTemporaryDirectory() + "pixelpass-cache-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cache = DHTNodeCache(path: folder + "/pixelpass/dht-nodes")
        XCTAssertEqual(cache.load(), [])
        let nodes = [NATAddress("192.0.2.200:6881")!, NATAddress("[2001:db8::1]:6881")!]
        cache.save(nodes)
        XCTAssertEqual(cache.load(), nodes)
        XCTAssertEqual(DHTNodeCache.parse("192.0.2.1:1\nnot an address\n\n198.51.100.2:2\n"),
                       [NATAddress("192.0.2.1:1")!, NATAddress("198.51.100.2:2")!])
        let many = (1...200).map { NATAddress("192.0.2.1:\($0)")! }
        XCTAssertEqual(DHTNodeCache.parse(DHTNodeCache.render(many)).count, DHTNodeCache.limit)
    }

    func testTheNodeCacheIsPrivateToTheUser() throws {
        let folder = NSTemporaryDirectory() + "pixelpass-cache-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let previous = umask(0)
        defer { umask(previous) }
        DHTNodeCache(path: folder + "/pixelpass/dht-nodes").save([NATAddress("192.0.2.200:6881")!])
        let mode = { (path: String) throws in try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int }
        XCTAssertEqual(try mode(folder + "/pixelpass/dht-nodes"), 0o600)
        XCTAssertEqual(try mode(folder + "/pixelpass"), 0o700)
    }

    func testTheCacheLivesUnderXDGCacheHomeElseHome() {
        XCTAssertEqual(DHTNodeCache(environment: ["XDG_CACHE_HOME": "/c", "HOME": "/h"]).path, "/c/pixelpass/dht-nodes")
        XCTAssertEqual(DHTNodeCache(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/h"]).path,
                       "/h/.cache/pixelpass/dht-nodes")
        XCTAssertNil(DHTNodeCache(environment: [:]).path)
    }

    func testPrivateAndLinkLocalAddressesAreToldApartFromPublicOnes() {
        for text in ["10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1", "169.254.1.1",
                     "fd00::1", "fe80::1"] {
            XCTAssertTrue(NATIP(text)!.isPrivateOrLinkLocal, text)
        }
        for text in ["192.0.2.10", "203.0.113.10", "172.32.0.1", "100.128.0.1", "8.8.8.8", "2001:db8::1"] {
            XCTAssertFalse(NATIP(text)!.isPrivateOrLinkLocal, text)
        }
    }

    func testBootstrapNodesAreHostAndPort() {
        XCTAssertNoThrow(try DHTBootstrapNode(validating: "dht.libtorrent.org:25401"))
        XCTAssertNoThrow(try DHTBootstrapNode(validating: "192.0.2.200:6881"))
        for bad in ["dht.libtorrent.org", ":6881", "host:0", "host:70000", "host:x"] {
            XCTAssertThrowsError(try DHTBootstrapNode(validating: bad), bad)
        }
    }
}
