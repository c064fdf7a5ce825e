import XCTest
@testable import PixelpassMedia

final class PipelineDescriptionTests: XCTestCase {
    func testMissingElementNamesDebianPackage() {
        let absent: Set = ["x264enc"]
        XCTAssertThrowsError(try PipelineDescription(settings: MediaSettings(), hasElement: { !absent.contains($0) })) { error in
            XCTAssertEqual(error as? MediaError, .missingElement(name: "x264enc", debianPackage: "gstreamer1.0-plugins-ugly"))
            XCTAssertEqual("\(error)", "The GStreamer element 'x264enc' is missing; install it with 'sudo apt install gstreamer1.0-plugins-ugly'.")
        }
    }

    func testFallsBackToVoaacencAndThenNamesLibav() throws {
        let withoutLibav = try PipelineDescription(settings: MediaSettings(), hasElement: { $0 != "avenc_aac" })
        XCTAssertEqual(withoutLibav.audioEncoder?.name, "voaacenc")
        XCTAssertTrue(withoutLibav.launchString.contains("voaacenc bitrate=128000"))

        XCTAssertThrowsError(try PipelineDescription(settings: MediaSettings(), hasElement: { $0 != "avenc_aac" && $0 != "voaacenc" })) { error in
            XCTAssertEqual(error as? MediaError, .missingElement(name: "avenc_aac", debianPackage: "gstreamer1.0-libav"))
        }
    }

    func testVideoOnlyNeedsNoAudioElements() throws {
        let audioElements = Set(["avenc_aac", "voaacenc", "audiotestsrc", "aacparse"])
        let description = try PipelineDescription(settings: MediaSettings(audio: false), hasElement: { !audioElements.contains($0) })
        XCTAssertNil(description.audioEncoder)
        XCTAssertFalse(description.launchString.contains("audiotestsrc"))
    }

    func testLaunchStringCarriesSettings() throws {
        let settings = MediaSettings(width: 640, height: 360, fps: 25, bitrateKbps: 1500, audio: true)
        let launch = try PipelineDescription(settings: settings, hasElement: { _ in true }).launchString
        for expected in ["width=640,height=360,framerate=25/1", "bitrate=1500", "key-int-max=50", "bframes=0",
                         "tune=zerolatency", "config-interval=-1", "alignment=7", "pcr-interval=3600",
                         "avenc_aac", "appsink name=\(PipelineDescription.sinkName) sync=false"] {
            XCTAssertTrue(launch.contains(expected), "missing \(expected) in \(launch)")
        }
    }

    func testRejectsUnsupportedSettings() {
        for settings in [MediaSettings(width: 1281), MediaSettings(height: 0), MediaSettings(fps: 0),
                         MediaSettings(bitrateKbps: 10)] {
            XCTAssertThrowsError(try PipelineDescription(settings: settings, hasElement: { _ in true })) { error in
                guard case .invalidSettings = error as? MediaError else {
                    return XCTFail("expected invalidSettings, got \(error)")
                }
            }
        }
    }
}
