import XCTest
@testable import PixelpassCore

final class SessionKindTests: XCTestCase {
    func testWaylandDisplayMeansWayland() {
        XCTAssertEqual(SessionKind.detect(environment: ["WAYLAND_DISPLAY": "wayland-0"]), .wayland(display: "wayland-0"))
    }

    func testDisplayAloneMeansX11() {
        XCTAssertEqual(SessionKind.detect(environment: ["DISPLAY": ":1"]), .x11(display: ":1"))
    }

    func testWaylandWinsOverXwayland() {
        let environment = ["WAYLAND_DISPLAY": "wayland-1", "DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"]
        XCTAssertEqual(SessionKind.detect(environment: environment), .wayland(display: "wayland-1"))
    }

    func testX11HintPicksX11WhenBothAreSet() {
        let environment = ["WAYLAND_DISPLAY": "wayland-1", "DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"]
        XCTAssertEqual(SessionKind.detect(environment: environment), .x11(display: ":0"))
    }

    func testEmptyValuesCountAsUnset() {
        XCTAssertEqual(SessionKind.detect(environment: ["WAYLAND_DISPLAY": "", "DISPLAY": ":2"]), .x11(display: ":2"))
        XCTAssertEqual(SessionKind.detect(environment: ["WAYLAND_DISPLAY": "", "DISPLAY": ""]), .none)
    }

    func testHintAloneIsNoSession() {
        XCTAssertEqual(SessionKind.detect(environment: ["XDG_SESSION_TYPE": "wayland"]), .none)
        XCTAssertEqual(SessionKind.detect(environment: [:]), .none)
    }

    func testLabels() {
        XCTAssertEqual(SessionKind.wayland(display: "w").label, "Wayland")
        XCTAssertEqual(SessionKind.x11(display: ":0").label, "X11")
        XCTAssertEqual(SessionKind.none.label, "no graphical session")
        XCTAssertEqual(SessionKind.x11(display: ":0").summary, "X11 (DISPLAY=:0)")
    }
}
