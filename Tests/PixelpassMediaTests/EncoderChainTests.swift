import XCTest
@testable import PixelpassMedia

final class EncoderChainTests: XCTestCase {
    func testAutomaticTakesTheFirstWorkingEncoderAndSaysWhyOthersWereSkipped() throws {
        let prober = FakeEncoderProber.softwareOnly()
        let decision = try EncoderChain.choose(.automatic(allowHardware: true)) { prober.probe($0, bitrateKbps: 4000, keyframeInterval: 60) }
        XCTAssertEqual(decision.encoder, .x264enc)
        XCTAssertEqual(decision.skipped, [
            .init(encoder: .vah264enc, reason: "no VA device with H.264 encoding"),
            .init(encoder: .vaapih264enc, reason: "plugin not installed (gstreamer1.0-vaapi)"),
            .init(encoder: .nvh264enc, reason: "no NVIDIA GPU with NVENC (or no CUDA driver)"),
        ])
        XCTAssertEqual(prober.probed, [.vah264enc, .vaapih264enc, .nvh264enc, .x264enc], "probing must stop at the first that works")
    }

    func testHardwareFirstWhenItWorks() throws {
        let prober = FakeEncoderProber([.vah264enc: .works, .x264enc: .works])
        let decision = try EncoderChain.choose(.automatic(allowHardware: true)) { prober.probe($0, bitrateKbps: 1, keyframeInterval: 1) }
        XCTAssertEqual(decision.encoder, .vah264enc)
        XCTAssertEqual(decision.skipped, [])
    }

    func testNoHardwareEncodeSkipsTheHardwareEncodersWithoutProbingThem() throws {
        let prober = FakeEncoderProber([.vah264enc: .works, .vaapih264enc: .works, .nvh264enc: .works, .x264enc: .notInstalled(debianPackage: "gstreamer1.0-plugins-ugly"), .openh264enc: .works])
        let decision = try EncoderChain.choose(.automatic(allowHardware: false)) { prober.probe($0, bitrateKbps: 1, keyframeInterval: 1) }
        XCTAssertEqual(decision.encoder, .openh264enc)
        XCTAssertEqual(decision.skipped.map(\.encoder), [.vah264enc, .vaapih264enc, .nvh264enc, .x264enc])
        XCTAssertEqual(decision.skipped.prefix(3).map(\.reason), Array(repeating: EncoderChain.hardwareDisabledReason, count: 3))
        XCTAssertEqual(decision.skipped[3].reason, "plugin not installed (gstreamer1.0-plugins-ugly)")
        XCTAssertEqual(prober.probed, [.x264enc, .openh264enc])
    }

    func testNoWorkingEncoderListsEveryReason() {
        let prober = FakeEncoderProber([.x264enc: .failed(reason: "a test encode failed: x264enc0: Can not initialize x264 encoder.")])
        XCTAssertThrowsError(try EncoderChain.choose(.automatic(allowHardware: false)) { prober.probe($0, bitrateKbps: 1, keyframeInterval: 1) }) { error in
            guard case let .noWorkingEncoder(tried) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual(tried.count, 5)
            XCTAssertEqual(tried[3], "x264enc: a test encode failed: x264enc0: Can not initialize x264 encoder.")
            XCTAssertTrue("\(error)".hasSuffix("install x264enc with 'sudo apt install gstreamer1.0-plugins-ugly'."), "\(error)")
        }
    }

    func testNamedEncoderThatWorksIsUsedAlone() throws {
        let prober = FakeEncoderProber.softwareOnly()
        let decision = try EncoderChain.choose(.named("openh264enc")) { prober.probe($0, bitrateKbps: 1, keyframeInterval: 1) }
        XCTAssertEqual(decision, .init(encoder: .openh264enc, skipped: []))
        XCTAssertEqual(prober.probed, [.openh264enc])
    }

    func testNamedEncoderNotInstalledNamesThePackageAndWhatWorks() {
        let prober = FakeEncoderProber.softwareOnly()
        XCTAssertThrowsError(try EncoderChain.choose(.named("vaapih264enc")) { prober.probe($0, bitrateKbps: 1, keyframeInterval: 1) }) { error in
            XCTAssertEqual(error as? MediaError, .encoderUnavailable(name: "vaapih264enc", reason: "plugin not installed (gstreamer1.0-vaapi)",
                                                                     debianPackage: "gstreamer1.0-vaapi", working: ["x264enc", "openh264enc"]))
            XCTAssertEqual("\(error)", "The encoder 'vaapih264enc' cannot be used (plugin not installed (gstreamer1.0-vaapi)); install it with 'sudo apt install gstreamer1.0-vaapi', or use one that works here: x264enc, openh264enc.")
        }
    }

    func testNamedEncoderWithoutItsDeviceSaysSo() {
        let prober = FakeEncoderProber.softwareOnly()
        XCTAssertThrowsError(try EncoderChain.choose(.named("vah264enc")) { prober.probe($0, bitrateKbps: 1, keyframeInterval: 1) }) { error in
            XCTAssertEqual("\(error)", "The encoder 'vah264enc' cannot be used (no VA device with H.264 encoding); use one that works here: x264enc, openh264enc.")
        }
    }

    func testUnknownEncoderListsTheChoices() {
        XCTAssertThrowsError(try EncoderChain.choose(.named("h264enc")) { _ in .works }) { error in
            XCTAssertEqual(error as? MediaError, .unknownEncoder("h264enc"))
            XCTAssertEqual("\(error)", "'h264enc' is not an encoder pixelpass knows; choose auto or one of vah264enc, vaapih264enc, nvh264enc, x264enc, openh264enc.")
        }
    }
}
