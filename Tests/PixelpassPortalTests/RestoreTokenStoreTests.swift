import XCTest
@testable import PixelpassPortal

final class RestoreTokenStoreTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpass-token-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testATokenIsKeptPerOfferAndPrivate() throws {
        let store = RestoreTokenStore(directory: directory.appendingPathComponent("portal"))
        let token = "6f1e0c5e-0000-4000-8000-000000000001"
        try store.save(token, for: .monitor)
        XCTAssertEqual(store.token(for: .monitor), token)
        XCTAssertNil(store.token(for: .window))
        let mode = try FileManager.default.attributesOfItem(atPath: store.file(for: .monitor).path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
    }

    func testSavingNoTokenForgetsTheOldOne() throws {
        let store = RestoreTokenStore(directory: directory)
        try store.save("6f1e0c5e-0000-4000-8000-000000000001", for: .any)
        try store.save(nil, for: .any)
        XCTAssertNil(store.token(for: .any))
    }

    func testAMalformedTokenIsNotPresented() throws {
        let store = RestoreTokenStore(directory: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("not-a-uuid\n".utf8).write(to: store.file(for: .any))
        XCTAssertNil(store.token(for: .any))
    }

    func testForgetAllCountsWhatItRemoved() throws {
        let store = RestoreTokenStore(directory: directory)
        try store.save("6f1e0c5e-0000-4000-8000-000000000001", for: .any)
        try store.save("6f1e0c5e-0000-4000-8000-000000000002", for: .window)
        XCTAssertEqual(store.forgetAll(), 2)
        XCTAssertEqual(store.forgetAll(), 0)
    }
}
