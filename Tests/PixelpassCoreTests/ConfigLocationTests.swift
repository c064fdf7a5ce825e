import Foundation
import XCTest
@testable import PixelpassCore

final class ConfigLocationTests: XCTestCase {
    func testOverrideWinsOverEverything() throws {
        let location = try ConfigLocation.resolve(environment: [
            "PIXELPASS_CONFIG": "/tmp/x.toml", "XDG_CONFIG_HOME": "/xdg", "HOME": "/home/u",
        ])
        XCTAssertEqual(location, ConfigLocation(path: "/tmp/x.toml", rule: .override))
    }

    func testRelativeOverrideIsKeptAsGiven() throws {
        XCTAssertEqual(try ConfigLocation.resolve(environment: ["PIXELPASS_CONFIG": "try.toml"]).path, "try.toml")
    }

    func testXDGConfigHomeBeforeHome() throws {
        XCTAssertEqual(try ConfigLocation.resolve(environment: ["XDG_CONFIG_HOME": "/xdg", "HOME": "/home/u"]),
                       ConfigLocation(path: "/xdg/pixelpass/config.toml", rule: .xdgConfigHome))
        XCTAssertEqual(try ConfigLocation.resolve(environment: ["XDG_CONFIG_HOME": "/xdg/"]).path,
                       "/xdg/pixelpass/config.toml")
        XCTAssertEqual(try ConfigLocation.resolve(environment: ["XDG_CONFIG_HOME": "/"]).path,
                       "/pixelpass/config.toml")
    }

    func testHomeDefault() throws {
        XCTAssertEqual(try ConfigLocation.resolve(environment: ["HOME": "/home/u"]),
                       ConfigLocation(path: "/home/u/.config/pixelpass/config.toml", rule: .home))
        XCTAssertEqual(try ConfigLocation.resolve(environment: ["HOME": "/home/u/"]).path,
                       "/home/u/.config/pixelpass/config.toml")
    }

    func testEmptyAndRelativeValuesAreIgnored() throws {
        let location = try ConfigLocation.resolve(environment: [
            "PIXELPASS_CONFIG": "", "XDG_CONFIG_HOME": "relative/dir", "HOME": "/home/u",
        ])
        XCTAssertEqual(location, ConfigLocation(path: "/home/u/.config/pixelpass/config.toml", rule: .home))
        XCTAssertEqual(try ConfigLocation.resolve(environment: ["XDG_CONFIG_HOME": "", "HOME": "/h"]).rule, .home)
    }

    func testNothingSetIsAnError() {
        XCTAssertThrowsError(try ConfigLocation.resolve(environment: ["HOME": ""])) { error in
            XCTAssertEqual(error as? ConfigError, .noLocation)
            XCTAssertTrue("\(error)".contains("PIXELPASS_CONFIG"))
        }
    }
}

final class ConfigLoadingTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpass-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func write(_ text: String, to relative: String) throws -> String {
        let url = folder.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testMissingFileIsAnEmptyConfig() throws {
        let loaded = try PixelpassConfig.load(environment: ["HOME": folder.path])
        XCTAssertFalse(loaded.fileExists)
        XCTAssertEqual(loaded.path, folder.path + "/.config/pixelpass/config.toml")
        XCTAssertEqual(loaded.values, PixelpassConfig())
    }

    func testFileUnderXDGConfigHomeIsRead() throws {
        _ = try write("[host]\nfps = 15\n", to: "xdg/pixelpass/config.toml")
        let loaded = try PixelpassConfig.load(environment: ["XDG_CONFIG_HOME": folder.path + "/xdg", "HOME": "/nonexistent"])
        XCTAssertTrue(loaded.fileExists)
        XCTAssertEqual(loaded.host.fps, 15)
        XCTAssertEqual(loaded.location.rule, .xdgConfigHome)
    }

    func testInvalidFileNamesItsPath() throws {
        let path = try write("[view]\nport = 70000\n", to: "bad.toml")
        XCTAssertThrowsError(try PixelpassConfig.load(environment: ["PIXELPASS_CONFIG": path])) { error in
            XCTAssertEqual("\(error)", "\(path):2: port must be an integer between 1 and 65535 (got 70000)")
        }
    }

    func testADirectoryIsUnreadable() throws {
        XCTAssertThrowsError(try PixelpassConfig.load(environment: ["PIXELPASS_CONFIG": folder.path])) { error in
            XCTAssertEqual(error as? ConfigError, .unreadable(path: folder.path, reason: "Is a directory"))
        }
    }

    func testNonUTF8IsUnreadable() throws {
        let url = folder.appendingPathComponent("latin1.toml")
        try Data([0x5B, 0x68, 0x6F, 0x73, 0x74, 0x5D, 0x0A, 0xE9, 0x0A]).write(to: url)
        XCTAssertThrowsError(try PixelpassConfig.load(environment: ["PIXELPASS_CONFIG": url.path])) { error in
            XCTAssertEqual(error as? ConfigError, .unreadable(path: url.path, reason: "not UTF-8 text"))
        }
    }

    func testNULBytesAreUnreadable() throws {
        let url = folder.appendingPathComponent("nul.toml")
        try Data("[host]\nfps = 30\u{0}\n".utf8).write(to: url)
        XCTAssertThrowsError(try PixelpassConfig.load(environment: ["PIXELPASS_CONFIG": url.path])) { error in
            XCTAssertEqual(error as? ConfigError, .unreadable(path: url.path, reason: "contains NUL bytes, not a text file"))
        }
    }

    func testByteOrderMarkIsFine() throws {
        let path = try write("\u{FEFF}host.fps = 24\n", to: "bom.toml")
        let loaded = try PixelpassConfig.load(environment: ["PIXELPASS_CONFIG": path])
        XCTAssertEqual(loaded.host.fps, 24)
        XCTAssertEqual(loaded.parsed.keyLines[.fps], 1)
    }

    func testTemplateIsWrittenOnceWithItsFolders() throws {
        let path = folder.path + "/a/b/config.toml"
        try ConfigTemplate.write(to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), ConfigTemplate.text)
        XCTAssertThrowsError(try ConfigTemplate.write(to: path)) { error in
            XCTAssertEqual(error as? ConfigError, .alreadyExists(path: path))
        }
    }

    func testTemplateIsPrivateToTheUserWhateverTheUmask() throws {
        let previous = umask(0)
        defer { umask(previous) }
        let path = folder.path + "/made/config.toml"
        try ConfigTemplate.write(to: path)
        XCTAssertEqual(try mode(of: path), 0o600, "TURN passwords and secrets go in it")
        XCTAssertEqual(try mode(of: folder.path + "/made"), 0o700)
    }

    private func mode(of path: String) throws -> Int {
        try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    func testTemplateChangesNothing() throws {
        XCTAssertEqual(try PixelpassConfig.parse(ConfigTemplate.text, path: "template"), ParsedConfig())
    }

    func testTemplateLinesAllParseWhenUncommented() throws {
        // Every commented-out setting in the template is a valid line as written.
        var text = ""
        for line in ConfigTemplate.text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# ") && line.contains(" = ") {
                text += line.dropFirst(2) + "\n"
            } else {
                text += line + "\n"
            }
        }
        let parsed = try PixelpassConfig.parse(text, path: "template")
        XCTAssertEqual(parsed.keyLines.count, ConfigKey.allCases.count, text)
    }
}
