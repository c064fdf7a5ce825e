import Foundation
import PixelpassTransport
import XCTest
@testable import PixelpassCore

/// `--keep-ticket`: the store in a temporary folder, its files' modes, and
/// each way a kept file can be wrong.
final class TicketIdentityStoreTests: XCTestCase {
    private var root: String!
    private var store: TicketIdentityStore!

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "pixelpass-ticket-store-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        // Not there yet: the store makes its folder (and its parent).
        store = TicketIdentityStore(directory: root + "/config/pixelpass")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    private func mode(_ path: String) throws -> UInt32 {
        var status = stat()
        XCTAssertEqual(stat(path, &status), 0, "stat \(path): \(String(cString: strerror(errno)))")
        return UInt32(status.st_mode & 0o7777)
    }

    /// Replaces a file's content, private as the store's own are.
    private func overwrite(_ path: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(chmod(path, 0o600), 0)
    }

    private func expectError(_ identity: TicketIdentity, _ expected: (TicketIdentityError) -> Bool,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try identity.obtain(commonName: "test"), file: file, line: line) { error in
            guard let error = error as? TicketIdentityError else {
                return XCTFail("expected a TicketIdentityError, got \(type(of: error)): \(error)", file: file, line: line)
            }
            XCTAssertTrue(expected(error), "unexpected: \(error)", file: file, line: line)
        }
    }

    // MARK: - Round trip and modes

    func testKeptIdentityAndSecretComeBackTheSame() throws {
        XCTAssertNil(try store.load(), "nothing is kept before the first share")
        let first = try TicketIdentity.kept(store).obtain(commonName: "test")
        let second = try TicketIdentity.kept(store).obtain(commonName: "test")
        XCTAssertEqual(second.identity.fingerprint, first.identity.fingerprint)
        XCTAssertEqual(second.secret, first.secret)
        XCTAssertEqual(first.secret.count, 16)
        let loaded = try XCTUnwrap(try store.load())
        XCTAssertEqual(loaded.identity.fingerprint, first.identity.fingerprint)
        XCTAssertEqual(loaded.secret, first.secret)
    }

    func testFilesAre0600AndTheFolderItMade0700() throws {
        let oldMask = umask(0o022)
        defer { umask(oldMask) }
        _ = try TicketIdentity.kept(store).obtain(commonName: "test")
        XCTAssertEqual(try mode(store.directory), 0o700)
        XCTAssertEqual(try mode(store.identityPath), 0o600)
        XCTAssertEqual(try mode(store.secretPath), 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: store.directory).sorted()
        XCTAssertEqual(leftovers, ["host-identity.pem", "ticket-secret"], "no temporary files stay behind")
    }

    func testAFolderThatWasThereIsLeftAsItWas() throws {
        try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        _ = try TicketIdentity.kept(store).obtain(commonName: "test")
        XCTAssertEqual(try mode(store.directory), 0o755)
        XCTAssertEqual(try mode(store.identityPath), 0o600)
    }

    func testRenewedReplacesBothAndIsKeptFromThenOn() throws {
        let first = try TicketIdentity.kept(store).obtain(commonName: "test")
        let renewed = try TicketIdentity.renewed(store).obtain(commonName: "test")
        XCTAssertNotEqual(renewed.identity.fingerprint, first.identity.fingerprint)
        XCTAssertNotEqual(renewed.secret, first.secret)
        let after = try TicketIdentity.kept(store).obtain(commonName: "test")
        XCTAssertEqual(after.identity.fingerprint, renewed.identity.fingerprint)
        XCTAssertEqual(after.secret, renewed.secret)
        XCTAssertEqual(try mode(store.identityPath), 0o600)
    }

    func testRenewedRepairsADamagedStore() throws {
        _ = try TicketIdentity.kept(store).obtain(commonName: "test")
        try overwrite(store.identityPath, "garbage")
        let renewed = try TicketIdentity.renewed(store).obtain(commonName: "test")
        XCTAssertEqual(try store.load()?.identity.fingerprint, renewed.identity.fingerprint)
    }

    func testFreshWritesNothingAndDiffersEachTime() throws {
        let one = try TicketIdentity.fresh.obtain(commonName: "test")
        let two = try TicketIdentity.fresh.obtain(commonName: "test")
        XCTAssertNotEqual(one.identity.fingerprint, two.identity.fingerprint)
        XCTAssertNotEqual(one.secret, two.secret)
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.directory))
        XCTAssertFalse(TicketIdentity.fresh.keepsTicket)
        XCTAssertTrue(TicketIdentity.kept(store).keepsTicket)
        XCTAssertTrue(TicketIdentity.renewed(store).keepsTicket)
    }

    // MARK: - Bad files

    func testACorruptIdentityFileIsATypedError() throws {
        _ = try TicketIdentity.kept(store).obtain(commonName: "test")
        try overwrite(store.identityPath, "-----BEGIN CERTIFICATE-----\nnot base64\n")
        expectError(.kept(store)) { error in
            guard case .corrupt(let path, _) = error else { return false }
            return path == self.store.identityPath
        }
    }

    func testACorruptSecretFileIsATypedError() throws {
        _ = try TicketIdentity.kept(store).obtain(commonName: "test")
        for text in ["zz\n", "abcd\n", "", String(repeating: "ab", count: 65)] {
            try overwrite(store.secretPath, text)
            expectError(.kept(store)) { error in
                guard case .corrupt(let path, let problem) = error else { return false }
                return path == self.store.secretPath && problem.contains("16 to 64 bytes")
            }
        }
    }

    func testAMissingPartnerFileIsATypedError() throws {
        _ = try TicketIdentity.kept(store).obtain(commonName: "test")
        try FileManager.default.removeItem(atPath: store.secretPath)
        expectError(.kept(store)) { error in
            guard case .corrupt(let path, let problem) = error else { return false }
            return path == self.store.secretPath && problem.contains("missing")
        }
    }

    func testAFileOthersCanReadIsATypedError() throws {
        let kept = try TicketIdentity.kept(store).obtain(commonName: "test")
        for (path, mode) in [(store.identityPath, 0o644), (store.secretPath, 0o640), (store.secretPath, 0o602)] {
            XCTAssertEqual(chmod(store.identityPath, 0o600), 0)
            XCTAssertEqual(chmod(store.secretPath, 0o600), 0)
            XCTAssertEqual(chmod(path, mode_t(mode)), 0)
            expectError(.kept(store)) { error in error == .tooOpen(path: path, mode: UInt32(mode)) }
        }
        XCTAssertEqual(chmod(store.secretPath, 0o600), 0)
        XCTAssertEqual(try store.load()?.secret, kept.secret, "0600 again: usable again")
    }

    func testAFolderWhereAFileShouldBeIsATypedError() throws {
        try FileManager.default.createDirectory(atPath: store.identityPath, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try overwrite(store.secretPath, "00112233445566778899aabbccddeeff\n")
        expectError(.kept(store)) { error in
            guard case .corrupt(let path, _) = error else { return false }
            return path == self.store.identityPath
        }
    }

    func testAnUnreadableFileIsATypedError() throws {
        try XCTSkipIf(geteuid() == 0, "root reads a mode-000 file anyway")
        _ = try TicketIdentity.kept(store).obtain(commonName: "test")
        XCTAssertEqual(chmod(store.identityPath, 0o000), 0)
        expectError(.kept(store)) { error in
            guard case .unreadable(let path, _) = error else { return false }
            return path == self.store.identityPath
        }
    }

    func testAStoreThatCannotBeWrittenIsATypedError() throws {
        // A file where the folder should be.
        try Data().write(to: URL(fileURLWithPath: root + "/config"))
        expectError(.kept(store)) { error in
            if case .writeFailed = error { return true }
            return false
        }
    }

    func testMessagesNameTheFileAndTheWayOut() {
        let tooOpen = TicketIdentityError.tooOpen(path: "/h/.config/pixelpass/ticket-secret", mode: 0o644)
        XCTAssertEqual(tooOpen.description,
                       "the kept ticket /h/.config/pixelpass/ticket-secret can be read by other users (mode 0644): "
                       + "run chmod 600 /h/.config/pixelpass/ticket-secret, or pixelpass host --keep-ticket --new-ticket "
                       + "to replace a ticket that may have leaked")
        let corrupt = TicketIdentityError.corrupt(path: "/h/x.pem", problem: "reading its certificate: bad")
        XCTAssertEqual(corrupt.description,
                       "the kept ticket /h/x.pem cannot be used (reading its certificate: bad): "
                       + "run pixelpass host --keep-ticket --new-ticket to make a new one (the old ticket stops working)")
    }

    // MARK: - Pure rules

    func testWhichModesAreTooOpen() {
        XCTAssertFalse(TicketIdentityStore.isTooOpen(mode: 0o600))
        XCTAssertFalse(TicketIdentityStore.isTooOpen(mode: 0o400))
        XCTAssertFalse(TicketIdentityStore.isTooOpen(mode: 0o700))
        XCTAssertTrue(TicketIdentityStore.isTooOpen(mode: 0o640))
        XCTAssertTrue(TicketIdentityStore.isTooOpen(mode: 0o604))
        XCTAssertTrue(TicketIdentityStore.isTooOpen(mode: 0o620))
        XCTAssertTrue(TicketIdentityStore.isTooOpen(mode: 0o601))
    }

    func testWhereTheStoreLives() {
        XCTAssertEqual(TicketIdentityStore.directory(environment: ["HOME": "/home/u"]), "/home/u/.config/pixelpass")
        XCTAssertEqual(TicketIdentityStore.directory(environment: ["HOME": "/home/u", "XDG_CONFIG_HOME": "/x/"]),
                       "/x/pixelpass")
        XCTAssertEqual(TicketIdentityStore.directory(environment: ["HOME": "/home/u", "XDG_CONFIG_HOME": "rel"]),
                       "/home/u/.config/pixelpass", "a relative XDG_CONFIG_HOME is ignored")
        XCTAssertEqual(TicketIdentityStore.directory(environment: ["HOME": "/home/u", "PIXELPASS_CONFIG": "/c.toml"]),
                       "/home/u/.config/pixelpass", "PIXELPASS_CONFIG names a file, not where tickets live")
        XCTAssertNil(TicketIdentityStore.directory(environment: [:]))
    }

    func testSecretText() {
        let secret: [UInt8] = Array(0..<16)
        XCTAssertEqual(TicketIdentityStore.secretText(secret), "000102030405060708090a0b0c0d0e0f\n")
        XCTAssertEqual(TicketIdentityStore.secret(fromText: " 000102030405060708090A0B0C0D0E0F\n"), secret)
        XCTAssertNil(TicketIdentityStore.secret(fromText: "0001"))
        XCTAssertNil(TicketIdentityStore.secret(fromText: "000102030405060708090a0b0c0d0e0g"))
    }
}
