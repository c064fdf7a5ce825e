import XCTest
@testable import PixelpassMedia

/// The pure half of `--app`, `apps` and `repair`: reading a pw-dump
/// snapshot, choosing streams and port pairs, recognising leftovers; and
/// how the native PipeWire monitor is planned and launched.
final class AppAudioTests: XCTestCase {
    /// A trimmed pw-dump of a desktop: speakers (default sink), pixelpass's
    /// sink of host 4242, ToneA (stereo, already linked to speakers and to
    /// pixelpass's FL only), ToneB (stereo), and a mono "mpv" stream.
    static let dump = """
    [
      {"id": 198, "type": "PipeWire:Interface:Node", "info": {"state": "running", "props": {
        "media.class": "Audio/Sink", "node.name": "speakers"}}},
      {"id": 10, "type": "PipeWire:Interface:Port", "info": {"direction": "input", "props": {"node.id": 198, "audio.channel": "FL", "port.name": "playback_FL"}}},
      {"id": 11, "type": "PipeWire:Interface:Port", "info": {"direction": "input", "props": {"node.id": 198, "audio.channel": "FR", "port.name": "playback_FR"}}},
      {"id": 12, "type": "PipeWire:Interface:Port", "info": {"direction": "output", "props": {"node.id": 198, "audio.channel": "FL", "port.monitor": true}}},
      {"id": 225, "type": "PipeWire:Interface:Node", "info": {"state": "running", "props": {
        "media.class": "Audio/Sink", "node.name": "pixelpass-app-4242", "pixelpass.pid": 4242, "pixelpass.app": "ToneA",
        "pulse.module.id": 536870913}}},
      {"id": 20, "type": "PipeWire:Interface:Port", "info": {"direction": "input", "props": {"node.id": 225, "audio.channel": "FL"}}},
      {"id": 21, "type": "PipeWire:Interface:Port", "info": {"direction": "input", "props": {"node.id": 225, "audio.channel": "FR"}}},
      {"id": 22, "type": "PipeWire:Interface:Port", "info": {"direction": "output", "props": {"node.id": 225, "audio.channel": "FL", "port.monitor": true}}},
      {"id": 23, "type": "PipeWire:Interface:Port", "info": {"direction": "output", "props": {"node.id": 225, "audio.channel": "FR", "port.monitor": true}}},
      {"id": 47, "type": "PipeWire:Interface:Node", "info": {"state": "running", "props": {
        "media.class": "Stream/Output/Audio", "node.name": "ToneA", "application.name": "ToneA",
        "application.process.binary": "gst-launch-1.0", "application.process.id": 11648, "media.name": "audiotest wave"}}},
      {"id": 30, "type": "PipeWire:Interface:Port", "info": {"direction": "output", "props": {"node.id": 47, "audio.channel": "FL"}}},
      {"id": 31, "type": "PipeWire:Interface:Port", "info": {"direction": "output", "props": {"node.id": 47, "audio.channel": "FR"}}},
      {"id": 48, "type": "PipeWire:Interface:Node", "info": {"state": "idle", "props": {
        "media.class": "Stream/Output/Audio", "node.name": "ToneB", "application.name": "ToneB",
        "application.process.binary": "gst-launch-1.0", "application.process.id": "11700"}}},
      {"id": 40, "type": "PipeWire:Interface:Port", "info": {"direction": "output", "props": {"node.id": 48, "audio.channel": "FR"}}},
      {"id": 41, "type": "PipeWire:Interface:Port", "info": {"direction": "output", "props": {"node.id": 48, "audio.channel": "FL"}}},
      {"id": 60, "type": "PipeWire:Interface:Node", "info": {"state": "running", "props": {
        "media.class": "Stream/Output/Audio", "node.name": "mpv", "application.name": "mpv Media Player",
        "application.process.binary": "mpv"}}},
      {"id": 61, "type": "PipeWire:Interface:Port", "info": {"direction": "output", "props": {"node.id": 60, "audio.channel": "MONO"}}},
      {"id": 70, "type": "PipeWire:Interface:Link", "info": {"output-port-id": 30, "input-port-id": 10, "state": "active"}},
      {"id": 71, "type": "PipeWire:Interface:Link", "info": {"output-port-id": 31, "input-port-id": 11, "state": "active"}},
      {"id": 72, "type": "PipeWire:Interface:Link", "info": {"output-port-id": 30, "input-port-id": 20, "state": "active"}},
      {"id": 90, "type": "PipeWire:Interface:Client", "info": {"props": {"application.name": "pw-dump"}}}
    ]
    """

    private func graph() throws -> PipeWireAudioGraph {
        try XCTUnwrap(PipeWireAudioGraph.parse(dump: Self.dump))
    }

    private typealias Link = PipeWireAudioGraph.Link

    func testParsesStreamsSinksPortsAndLinks() throws {
        let graph = try graph()
        XCTAssertEqual(graph.streams.map(\.id), [47, 48, 60])
        XCTAssertEqual(graph.streams[0], .init(id: 47, application: "ToneA", binary: "gst-launch-1.0", processID: 11648,
                                               mediaName: "audiotest wave", state: "running"))
        XCTAssertEqual(graph.streams[1].processID, 11700, "a pid given as a string is read too")
        XCTAssertEqual(graph.sinks, ["speakers": 198, "pixelpass-app-4242": 225])
        XCTAssertEqual(graph.ports.first { $0.id == 12 }?.isMonitor, true)
        XCTAssertEqual(graph.links, [Link(outputPort: 30, inputPort: 10), Link(outputPort: 31, inputPort: 11),
                                     Link(outputPort: 30, inputPort: 20)])
        XCTAssertNil(PipeWireAudioGraph.parse(dump: "can't connect: Host is down"))
        XCTAssertEqual(PipeWireAudioGraph.parse(dump: "[]"), PipeWireAudioGraph())
    }

    func testMatchesApplicationNameOrProgramIgnoringCase() throws {
        let graph = try graph()
        func matching(_ name: String) -> [UInt32] { AppAudioRouting.matchingStreams(in: graph, application: name).map(\.id) }
        XCTAssertEqual(matching("tonea"), [47])
        XCTAssertEqual(matching("TONEB"), [48])
        XCTAssertEqual(matching("MPV"), [60], "by program")
        XCTAssertEqual(matching("mpv media player"), [60], "by name")
        XCTAssertEqual(matching("gst-launch-1.0"), [47, 48], "a shared program matches every stream of it")
        XCTAssertEqual(matching("Tone"), [], "whole names only, no substrings")
    }

    func testLinksOnlyTheMissingPairsOfTheChosenApplication() throws {
        let graph = try graph()
        XCTAssertEqual(AppAudioRouting.missingLinks(in: graph, application: "ToneA", sink: "pixelpass-app-4242"),
                       [Link(outputPort: 31, inputPort: 21)], "FL is linked already; the speakers' links are left alone")
        XCTAssertEqual(AppAudioRouting.missingLinks(in: graph, application: "toneb", sink: "pixelpass-app-4242"),
                       [Link(outputPort: 40, inputPort: 21), Link(outputPort: 41, inputPort: 20)], "by channel, not by order")
        XCTAssertEqual(AppAudioRouting.missingLinks(in: graph, application: "mpv", sink: "pixelpass-app-4242"),
                       [Link(outputPort: 61, inputPort: 20), Link(outputPort: 61, inputPort: 21)], "mono feeds both")
        XCTAssertEqual(AppAudioRouting.missingLinks(in: graph, application: "nobody", sink: "pixelpass-app-4242"), [])
        XCTAssertEqual(AppAudioRouting.missingLinks(in: graph, application: "ToneA", sink: "pixelpass-app-1"), [],
                       "no sink (yet): nothing to link")
    }

    func testPairsUnnamedChannelsInOrder() {
        typealias Port = PipeWireAudioGraph.Port
        let outputs = [Port(id: 1, node: 9, isOutput: true, channel: "AUX0", isMonitor: false),
                       Port(id: 2, node: 9, isOutput: true, channel: nil, isMonitor: false)]
        let inputs = [Port(id: 5, node: 8, isOutput: false, channel: "FL", isMonitor: false),
                      Port(id: 6, node: 8, isOutput: false, channel: "FR", isMonitor: false)]
        XCTAssertEqual(AppAudioRouting.pairs(outputs: outputs, inputs: inputs),
                       [Link(outputPort: 1, inputPort: 5), Link(outputPort: 2, inputPort: 6)])
        XCTAssertEqual(AppAudioRouting.pairs(outputs: [], inputs: inputs), [])
    }

    func testRepairFindsOnlyTaggedObjectsOfDeadHosts() throws {
        let graph = try graph()
        XCTAssertEqual(graph.tagged, [.init(id: 225, name: "pixelpass-app-4242", ownerPID: 4242, pulseModule: 536870913)])
        XCTAssertEqual(PixelpassTag.leftovers(in: graph, all: false, isAlive: { _ in false }).map(\.id), [225])
        XCTAssertEqual(PixelpassTag.leftovers(in: graph, all: false, isAlive: { $0 == 4242 }).map(\.id), [])
        XCTAssertEqual(PixelpassTag.leftovers(in: graph, all: true, isAlive: { _ in true }).map(\.id), [225])
        // A pid tag without pixelpass's name is someone else's.
        var foreign = graph
        foreign.tagged[0].name = "speakers-2"
        XCTAssertEqual(PixelpassTag.leftovers(in: foreign, all: true, isAlive: { _ in false }), [])
        XCTAssertEqual(PixelpassTag.appSinkName(pid: 77), "pixelpass-app-77")
        XCTAssertTrue(PipeWireAudio.processIsAlive(getpid()))
        XCTAssertFalse(PipeWireAudio.processIsAlive(0))
    }

    func testSinkPropertiesCarryTheTagAndStayOneArgument() {
        XCTAssertEqual(AppAudioRouter.sinkProperties(application: "Fire fox\"; x", pid: 12),
                       "\"pixelpass.pid=12 pixelpass.app=Firefoxx node.description=pixelpass-capture-of-Firefoxx priority.session=0 priority.driver=0\"")
    }

    // MARK: - Native monitor

    func testPipeWireServerCapturesTheDefaultSinkNatively() throws {
        let pipeWire = FakeSystemAudio(plan: .systemMonitor(device: "speakers.monitor"), pipeWire: true)
        let resolved = try MediaResolver.resolve(MediaSettings(source: .pipewire(node: 42)), in: .fake(audio: pipeWire))
        XCTAssertEqual(resolved.audio, .sinkMonitor(sink: "speakers"))
        XCTAssertTrue(resolved.summary.hasSuffix(", audio: speakers (PipeWire monitor)"), resolved.summary)
        // Without gstreamer1.0-pipewire, or on plain PulseAudio: pulsesrc.
        let x11 = CaptureSource.x11(X11Capture(display: nil, target: .screen))
        XCTAssertEqual(try MediaResolver.resolve(MediaSettings(source: x11),
                                                 in: .fake(audio: pipeWire, missingElements: ["pipewiresrc"])).audio,
                       .systemMonitor(device: "speakers.monitor"))
        let pulse = FakeSystemAudio(plan: .systemMonitor(device: "speakers.monitor"), pipeWire: false)
        XCTAssertEqual(try MediaResolver.resolve(MediaSettings(source: .pipewire(node: 42)), in: .fake(audio: pulse)).audio,
                       .systemMonitor(device: "speakers.monitor"))
    }

    func testApplicationAudioTargetsPixelpassSink() throws {
        var settings = MediaSettings(source: .pipewire(node: 42))
        settings.application = ApplicationAudio(name: "Firefox", sink: "pixelpass-app-9")
        let resolved = try MediaResolver.resolve(settings, in: .fake())
        XCTAssertEqual(resolved.audio, .application(name: "Firefox", sink: "pixelpass-app-9"))
        XCTAssertTrue(resolved.summary.hasSuffix(", audio: application 'Firefox' only"), resolved.summary)
        settings.audio = false
        XCTAssertEqual(try MediaResolver.resolve(settings, in: .fake()).audio, AudioPlan.none)
    }

    func testLaunchStringForTheNativeMonitor() throws {
        for plan in [AudioPlan.sinkMonitor(sink: "speakers"), .application(name: "x", sink: "speakers")] {
            let description = try PipelineDescription(settings: MediaSettings(), resolved: .fixture(audio: plan), hasElement: { _ in true })
            XCTAssertTrue(description.launchString.contains(
                "pipewiresrc target-object=\"speakers\" client-name=pixelpass do-timestamp=true"
                + " stream-properties=\"props,stream.capture.sink=true\" ! audio/x-raw ! audioconvert"), description.launchString)
            XCTAssertThrowsError(try PipelineDescription(settings: MediaSettings(), resolved: .fixture(audio: plan),
                                                         hasElement: { $0 != "pipewiresrc" })) { error in
                XCTAssertEqual(error as? MediaError, .missingElement(name: "pipewiresrc", debianPackage: "gstreamer1.0-pipewire"))
            }
        }
        XCTAssertTrue(PulseListing.isPipeWire(info: "Server String: /run/user/1000/pulse/native\nServer Name: PulseAudio (on PipeWire 0.3.65)\n"))
        XCTAssertFalse(PulseListing.isPipeWire(info: "Server Name: pulseaudio\nServer Version: 16.1\n"))
    }
}
