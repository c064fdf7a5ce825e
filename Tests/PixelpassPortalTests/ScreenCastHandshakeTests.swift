import XCTest
@testable import PixelpassPortal

/// The portal dance driven by hand: what is called, with which options,
/// and how each answer (granted, cancelled, failed, someone else's) moves it.
final class ScreenCastHandshakeTests: XCTestCase {
    private let full = ScreenCastCapabilities(version: 4, sourceTypes: 3, cursorModes: 7)
    private let prefix = "/org/freedesktop/portal/desktop/request/1_42/"

    private func machine(_ options: ScreenCastOptions = ScreenCastOptions(),
                         capabilities: ScreenCastCapabilities? = nil) -> ScreenCastHandshake {
        var counter = 0
        return ScreenCastHandshake(uniqueName: ":1.42", options: options, capabilities: capabilities ?? full,
                                   makeToken: { counter += 1; return "t\(counter)" })
    }

    private func call(_ action: ScreenCastHandshake.Action?, file: StaticString = #filePath, line: UInt = #line) -> ScreenCastHandshake.Call? {
        guard case let .call(call)? = action else {
            XCTFail("expected a call, got \(String(describing: action))", file: file, line: line)
            return nil
        }
        return call
    }

    private let session = "/org/freedesktop/portal/desktop/session/1_42/t2"
    private let granted: DBusValue = .vardict([
        ("streams", .variant(.array(elementType: "(ua{sv})", [
            .tuple([.uint32(57), .vardict([("size", .variant(.tuple([.int32(1920), .int32(1080)]))),
                                            ("source_type", .variant(.uint32(1)))])]),
        ]))),
        ("restore_token", .variant(.string("6f1e0c5e-0000-4000-8000-000000000001"))),
    ])

    /// Walks to the Start answer and returns the machine and the Start call.
    private func throughSelect(_ options: ScreenCastOptions = ScreenCastOptions()) -> (ScreenCastHandshake, ScreenCastHandshake.Call?) {
        var m = machine(options)
        _ = m.begin()
        _ = m.received(response: 0, results: .vardict([("session_handle", .variant(.string(session)))]), on: prefix + "t1")
        let start = m.received(response: 0, results: .vardict([]), on: prefix + "t3")
        return (m, call(start))
    }

    func testCreateSessionPredictsItsRequestPathFromTheUniqueName() {
        var m = machine()
        let create = call(m.begin())
        XCTAssertEqual(create?.method, "CreateSession")
        XCTAssertEqual(create?.requestPath, prefix + "t1")
        XCTAssertEqual(create?.arguments, [.vardict([("handle_token", .variant(.string("t1"))),
                                                     ("session_handle_token", .variant(.string("t2")))])])
        XCTAssertEqual(m.pendingStep, "CreateSession")
        XCTAssertFalse(m.waitsForUser)
    }

    func testSelectSourcesAsksForOneSourceWithEmbeddedCursorAndPersistence() {
        var m = machine(ScreenCastOptions(offer: .any, restoreToken: "tok"))
        _ = m.begin()
        let select = call(m.received(response: 0, results: .vardict([("session_handle", .variant(.string(session)))]),
                                     on: prefix + "t1"))
        XCTAssertEqual(select?.method, "SelectSources")
        XCTAssertEqual(select?.requestPath, prefix + "t3")
        XCTAssertEqual(select?.arguments, [
            .objectPath(session),
            .vardict([("handle_token", .variant(.string("t3"))), ("types", .variant(.uint32(3))),
                      ("multiple", .variant(.bool(false))), ("cursor_mode", .variant(.uint32(2))),
                      ("persist_mode", .variant(.uint32(2))), ("restore_token", .variant(.string("tok")))]),
        ])
        XCTAssertTrue(m.waitsForUser)
        XCTAssertEqual(m.session, session)
    }

    func testOldPortalsGetNeitherPersistenceNorAnEmbeddedCursorTheyDoNotOffer() {
        var m = machine(ScreenCastOptions(offer: .window, restoreToken: "tok"),
                        capabilities: ScreenCastCapabilities(version: 3, sourceTypes: 3, cursorModes: 1))
        _ = m.begin()
        let select = call(m.received(response: 0, results: .vardict([("session_handle", .variant(.string(session)))]),
                                     on: prefix + "t1"))
        XCTAssertEqual(select?.arguments.last, .vardict([("handle_token", .variant(.string("t3"))),
                                                         ("types", .variant(.uint32(2))),
                                                         ("multiple", .variant(.bool(false))),
                                                         ("cursor_mode", .variant(.uint32(1)))]))
    }

    func testStartGrantsTheStreamAndTheNewRestoreToken() {
        var (m, start) = throughSelect()
        XCTAssertEqual(start?.method, "Start")
        XCTAssertEqual(start?.arguments, [.objectPath(session), .string(""), .vardict([("handle_token", .variant(.string("t4")))])])
        let action = m.received(response: 0, results: granted, on: prefix + "t4")
        XCTAssertEqual(action, .openRemote(session: session))
        XCTAssertEqual(m.grant, ScreenCastHandshake.Grant(session: session,
                                                          streams: [ScreenCastStream(node: 57, width: 1920, height: 1080, sourceType: 1)],
                                                          restoreToken: "6f1e0c5e-0000-4000-8000-000000000001"))
        XCTAssertEqual(m.grant?.streams.first?.kind, "monitor")
    }

    func testAnswersToOtherRequestsAreIgnored() {
        var (m, _) = throughSelect()
        XCTAssertNil(m.received(response: 0, results: granted, on: prefix + "t1"))
        XCTAssertNil(m.received(response: 0, results: granted, on: "/org/freedesktop/portal/desktop/request/1_7/t4"))
        XCTAssertEqual(m.received(response: 0, results: granted, on: prefix + "t4"), .openRemote(session: session))
    }

    func testAnAnswerOnTheReturnedPathCountsWhenThePortalChoseAnother() {
        var m = machine()
        _ = m.begin()
        m.callReturned(requestPath: "/org/freedesktop/portal/desktop/request/1_42/legacy")
        let next = m.received(response: 0, results: .vardict([("session_handle", .variant(.string(session)))]),
                              on: "/org/freedesktop/portal/desktop/request/1_42/legacy")
        XCTAssertEqual(call(next)?.method, "SelectSources")
    }

    func testCancelledDialogIsItsOwnErrorAndClosesTheSession() {
        var m = machine()
        _ = m.begin()
        _ = m.received(response: 0, results: .vardict([("session_handle", .variant(.string(session)))]), on: prefix + "t1")
        XCTAssertEqual(m.received(response: 1, results: .vardict([]), on: prefix + "t3"),
                       .fail(.cancelled, session: session))
        XCTAssertNil(m.session)
    }

    func testOtherResponsesAreFailuresNamingTheStep() {
        var (m, _) = throughSelect()
        XCTAssertEqual(m.received(response: 2, results: .vardict([]), on: prefix + "t4"),
                       .fail(.failed(step: "Start", detail: "response 2"), session: session))
    }

    func testNoStreamsIsAnError() {
        var (m, _) = throughSelect()
        XCTAssertEqual(m.received(response: 0, results: .vardict([("streams", .variant(.array(elementType: "(ua{sv})", [])))]),
                                  on: prefix + "t4"),
                       .fail(.noStreams, session: session))
    }

    func testCreateSessionWithoutAHandleFails() {
        var m = machine()
        _ = m.begin()
        XCTAssertEqual(m.received(response: 0, results: .vardict([]), on: prefix + "t1"),
                       .fail(.failed(step: "CreateSession", detail: "no session_handle in the answer"), session: nil))
    }

    func testACallFailingOutrightNamesThePendingStep() {
        var (m, _) = throughSelect()
        XCTAssertEqual(m.callFailed("org.freedesktop.DBus.Error.InvalidArgs: Invalid restore token"),
                       .fail(.failed(step: "Start", detail: "org.freedesktop.DBus.Error.InvalidArgs: Invalid restore token"),
                             session: session))
    }

    func testAWindowOnlyRequestFailsAtOnceOnAPortalThatSharesOnlyMonitors() {
        var m = machine(ScreenCastOptions(offer: .window),
                        capabilities: ScreenCastCapabilities(version: 4, sourceTypes: 1, cursorModes: 2))
        XCTAssertEqual(m.begin(), .fail(.sourceTypeNotOffered(wanted: "window"), session: nil))
    }

    func testStreamsWithoutSizeOrTypeStillParse() {
        let streams = ScreenCastStream.parse(.array(elementType: "(ua{sv})", [.tuple([.uint32(9), .vardict([])])]))
        XCTAssertEqual(streams, [ScreenCastStream(node: 9)])
        XCTAssertEqual(streams.first?.kind, "screen")
    }
}
