import XCTest
@testable import PixelpassCore

final class VLCPluginsTests: XCTestCase {
    let root = "/usr/lib/x86_64-linux-gnu/vlc/plugins"

    func testAllPresentMeansNothingMissing() {
        XCTAssertNil(VLCPlugins.missing(fileExists: { _ in true }, directories: [root]))
    }

    func testMissingDemuxerIsNamedWithItsPackage() {
        let missing = VLCPlugins.missing(fileExists: { $0 == self.root || !$0.hasSuffix("libts_plugin.so") },
                                         directories: [root])
        XCTAssertEqual(missing?.purpose, "MPEG-TS demuxer")
        XCTAssertEqual(missing?.debianPackage, "vlc-plugin-base")
        XCTAssertEqual(PlayerLaunchError.missingPlugin(missing!).description,
                       "VLC cannot play this stream: its MPEG-TS demuxer plugin (demux/libts_plugin.so) is missing (sudo apt-get install vlc-plugin-base)")
    }

    func testNoPluginDirectoryMeansWeCannotTell() {
        XCTAssertNil(VLCPlugins.missing(fileExists: { _ in false }, directories: [root]))
    }

    func testThisMachineHasThePluginsTheTestsRelyOn() {
        XCTAssertNil(VLCPlugins.missing(), "scripts/bootstrap installs vlc-plugin-base")
    }
}
