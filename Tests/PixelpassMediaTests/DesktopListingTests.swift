import XCTest
@testable import PixelpassMedia

/// Parsers for xrandr, xwininfo, pw-dump and pactl output, against text
/// captured from the real tools (Debian 12: Xvfb 21.1, x11-utils 7.7,
/// x11-xserver-utils 7.7, PipeWire 0.3.65, pulseaudio-utils 16.1).
final class DesktopListingTests: XCTestCase {
    // MARK: - xrandr

    func testParsesRandRMonitorsIncludingVirtualOnes() {
        // Xvfb with two monitors added by `xrandr --setmonitor … none`.
        let text = """
        Monitors: 3
         0: LEFT 640/169x720/190+0+0 \u{20}
         1: RIGHT 640/169x720/190+640+0 \u{20}
         2: +screen 1280/339x720/190+0+0  screen
        """
        XCTAssertEqual(X11Listing.monitors(fromListMonitors: text), [
            X11Monitor(name: "LEFT", area: X11Rect(x: 0, y: 0, width: 640, height: 720), primary: false),
            X11Monitor(name: "RIGHT", area: X11Rect(x: 640, y: 0, width: 640, height: 720), primary: false),
            X11Monitor(name: "screen", area: X11Rect(x: 0, y: 0, width: 1280, height: 720), primary: false),
        ])
        let desktop = """
        Monitors: 2
         0: +*DP-1 1920/527x1080/296+0+0  DP-1
         1: +HDMI-1 1280/338x1024/270+1920+0  HDMI-1
        """
        let monitors = X11Listing.monitors(fromListMonitors: desktop)
        XCTAssertEqual(monitors.map(\.label), ["DP-1 (1920x1080+0+0)", "HDMI-1 (1280x1024+1920+0)"])
        XCTAssertEqual(monitors.map(\.primary), [true, false])
        XCTAssertEqual(X11Listing.monitors(fromListMonitors: "Can't open display :55"), [])
    }

    // MARK: - xwininfo

    func testParsesTheWindowTreeAtEveryDepth() {
        let xvfb = """

        xwininfo: Window id: 0x50d (the root window) (has no name)

          Root window id: 0x50d (the root window) (has no name)
          Parent window id: 0x0 (none)
             2 children:
             0x40000a "xclock": ("xclock" "XClock")  201x151+10+10  +10+10
                1 child:
                0x40000b (has no name): ()  201x151+0+0  +11+11
             0x20000a "xeyes": ("xeyes" "XEyes")  300x200+400+100  +400+100
                1 child:
                0x20000b (has no name): ()  300x200+0+0  +401+101

        """
        XCTAssertEqual(X11Listing.windows(fromTree: xvfb), [
            X11Window(id: 0x40000a, title: "xclock", area: X11Rect(x: 10, y: 10, width: 201, height: 151), viewable: nil),
            X11Window(id: 0x20000a, title: "xeyes", area: X11Rect(x: 400, y: 100, width: 300, height: 200), viewable: nil),
        ])

        // With a window manager: clients sit inside unnamed frames; toolkits
        // park helper windows off screen; titles carry quotes and colons.
        let managed = """
             0x1c00003 (has no name): ()  806x631+10+40  +10+40
                1 child:
                0x1e00007 "Terminal: \\"vim\\" notes.txt": ("gnome-terminal-server" "Gnome-terminal")  801x601+2+28  +12+68
             0x2600001 "gtk-helper": ("helper" "Helper")  10x10+-100+-100  +-100+-100
        """
        let windows = X11Listing.windows(fromTree: managed)
        XCTAssertEqual(windows.map(\.title), ["Terminal: \"vim\" notes.txt", "gtk-helper"])
        XCTAssertEqual(windows[0].area, X11Rect(x: 12, y: 68, width: 801, height: 601))
        XCTAssertEqual(windows[1].area, X11Rect(x: -100, y: -100, width: 10, height: 10))
        XCTAssertEqual(windows.filter(X11Listing.plausible).map(\.id), [0x1e00007])
    }

    func testParsesOneWindowsGeometryAndMapState() {
        let text = """

        xwininfo: Window id: 0x40000a "xclock"

          Absolute upper-left X:  10
          Absolute upper-left Y:  10
          Relative upper-left X:  10
          Relative upper-left Y:  10
          Width: 201
          Height: 151
          Depth: 24
          Visual: 0x21
          Visual Class: TrueColor
          Border width: 1
          Class: InputOutput
          Colormap: 0x20 (installed)
          Bit Gravity State: NorthWestGravity
          Window Gravity State: NorthWestGravity
          Backing Store State: NotUseful
          Save Under State: no
          Map State: IsViewable
          Override Redirect State: no
          Corners:  +10+10  -1067+10  -1067-557  +10-557
          -geometry 201x151+10+10

        """
        XCTAssertEqual(X11Listing.window(fromInfo: text),
                       X11Window(id: 0x40000a, title: "xclock", area: X11Rect(x: 10, y: 10, width: 201, height: 151), viewable: true))
        let unmapped = text.replacingOccurrences(of: "IsViewable", with: "IsUnMapped")
        XCTAssertEqual(X11Listing.window(fromInfo: unmapped)?.viewable, false)

        let root = """
        xwininfo: Window id: 0x50d (the root window) (has no name)

          Absolute upper-left X:  0
          Absolute upper-left Y:  0
          Width: 1280
          Height: 720
          Map State: IsViewable
        """
        XCTAssertEqual(X11Listing.window(fromInfo: root)?.area, X11Rect(x: 0, y: 0, width: 1280, height: 720))
        XCTAssertEqual(X11Listing.window(fromInfo: root)?.title, "")
        XCTAssertNil(X11Listing.window(fromInfo: "xwininfo: error: No such window with id 0x123456."))
    }

    func testWindowIDsInHexOrDecimal() {
        XCTAssertEqual(X11Listing.parseWindowID("0x1E00007"), 0x1e00007)
        XCTAssertEqual(X11Listing.parseWindowID("31457287"), 31457287)
        XCTAssertNil(X11Listing.parseWindowID("0xZZ"))
        XCTAssertEqual(X11Window.hex(0x1e00007), "0x1e00007")
    }

    // MARK: - pw-dump

    func testParsesPipeWireNodesAndTheirVideoSizes() throws {
        let nodes = try XCTUnwrap(PipeWireListing.nodes(fromDump: Self.pwDump))
        XCTAssertEqual(nodes.map(\.id), [32, 42, 77], "drivers without media.class and non-nodes are left out")
        XCTAssertEqual(nodes[0], PipeWireNode(id: 32, mediaClass: "Audio/Sink", name: "Dummy Output", videoSize: nil))
        XCTAssertFalse(nodes[0].isVideoSource)
        // A gst pipewiresink node: a fixed size in EnumFormat, odd on purpose.
        XCTAssertEqual(nodes[1].videoSize, VideoSize(width: 320, height: 241))
        XCTAssertTrue(nodes[1].isVideoSource)
        // The negotiated Format wins over the range's default.
        XCTAssertEqual(nodes[2].videoSize, VideoSize(width: 2560, height: 1440))
        XCTAssertTrue(nodes[2].isVideoSource)
        XCTAssertEqual(nodes[2].label, "77 (Screen cast, Stream/Output/Video)")
        XCTAssertNil(PipeWireListing.nodes(fromDump: "can't connect: Host is down"))
    }

    // MARK: - pactl

    func testFindsTheDefaultSinksMonitor() {
        let sources = "32\tauto_null.monitor\tPipeWire\tfloat32le 2ch 48000Hz\tSUSPENDED\n"
            + "45\talsa_input.pci-0000_00_1f.3.analog-stereo\tPipeWire\ts32le 2ch 48000Hz\tSUSPENDED\n"
        let names = PulseListing.sourceNames(fromShortList: sources)
        XCTAssertEqual(names, ["auto_null.monitor", "alsa_input.pci-0000_00_1f.3.analog-stereo"])
        XCTAssertEqual(PulseListing.monitorPlan(defaultSink: "auto_null\n", sources: names), .systemMonitor(device: "auto_null.monitor"))
        XCTAssertEqual(PulseListing.monitorPlan(defaultSink: "hdmi_out", sources: names),
                       .unavailable(reason: "the default output 'hdmi_out' has no monitor source"))
        XCTAssertEqual(PulseListing.monitorPlan(defaultSink: "", sources: names),
                       .unavailable(reason: "the sound server has no default output"))
    }

    /// Trimmed from a real `pw-dump` (pipewire + wireplumber + pipewire-pulse,
    /// and `videotestsrc ! video/x-raw,format=BGRx,width=320,height=241 !
    /// pipewiresink`), plus a portal-style node with a negotiated format.
    static let pwDump = #"""
[
 {
  "id": 0,
  "type": "PipeWire:Interface:Core",
  "info": {
   "name": "pipewire-0",
   "version": "0.3.65"
  }
 },
 {
  "id": 28,
  "type": "PipeWire:Interface:Node",
  "version": 3,
  "permissions": [
   "r",
   "w",
   "x",
   "m"
  ],
  "info": {
   "state": "suspended",
   "props": {
    "node.driver": true,
    "node.name": "Dummy-Driver",
    "object.serial": 28
   },
   "params": {}
  }
 },
 {
  "id": 32,
  "type": "PipeWire:Interface:Node",
  "version": 3,
  "permissions": [
   "r",
   "w",
   "x",
   "m"
  ],
  "info": {
   "state": "suspended",
   "props": {
    "media.class": "Audio/Sink",
    "node.description": "Dummy Output",
    "node.driver": true,
    "node.name": "auto_null",
    "object.serial": 32
   },
   "params": {
    "EnumFormat": [
     {
      "mediaType": "audio",
      "mediaSubtype": "raw",
      "format": {
       "default": "F32P",
       "alt1": "F32P",
       "alt2": "F32LE"
      },
      "rate": 48000,
      "channels": 2,
      "position": [
       "FL",
       "FR"
      ]
     }
    ]
   }
  }
 },
 {
  "id": 42,
  "type": "PipeWire:Interface:Node",
  "version": 3,
  "permissions": [
   "r",
   "w",
   "x",
   "m"
  ],
  "info": {
   "state": "suspended",
   "props": {
    "media.class": "Video/Source",
    "node.description": "gst-launch-1.0",
    "node.driver": true,
    "node.name": "pixelpass-test-video",
    "object.serial": 42
   },
   "params": {
    "EnumFormat": [
     {
      "mediaType": "video",
      "mediaSubtype": "raw",
      "format": null,
      "size": {
       "width": 320,
       "height": 241
      },
      "framerate": {
       "num": 30,
       "denom": 1
      }
     }
    ],
    "Format": []
   }
  }
 },
 {
  "id": 77,
  "type": "PipeWire:Interface:Node",
  "info": {
   "state": "running",
   "props": {
    "media.class": "Stream/Output/Video",
    "node.name": "xdg-desktop-portal-test",
    "node.description": "Screen cast"
   },
   "params": {
    "EnumFormat": [
     {
      "mediaType": "video",
      "mediaSubtype": "raw",
      "format": "BGRx",
      "size": {
       "default": {
        "width": 1920,
        "height": 1080
       },
       "min": {
        "width": 1,
        "height": 1
       },
       "max": {
        "width": 8192,
        "height": 4320
       }
      },
      "framerate": {
       "default": {
        "num": 0,
        "denom": 1
       }
      }
     }
    ],
    "Format": [
     {
      "mediaType": "video",
      "mediaSubtype": "raw",
      "format": "BGRx",
      "size": {
       "width": 2560,
       "height": 1440
      },
      "framerate": {
       "num": 0,
       "denom": 1
      }
     }
    ]
   }
  }
 },
 {
  "id": 80,
  "type": "PipeWire:Interface:Port",
  "info": {
   "props": {
    "port.name": "output_0"
   }
  }
 }
]
"""#
}
