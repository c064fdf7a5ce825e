import XCTest
import CGio
@testable import PixelpassPortal

/// Values survive the trip through real GVariants, with the types GDBus
/// will put on the wire.
final class GVariantCodingTests: XCTestCase {
    private func roundTrip(_ value: DBusValue) -> (DBusValue, String) {
        let variant = g_variant_ref_sink(GVariantCoding.make(value))!
        defer { g_variant_unref(variant) }
        let text = g_variant_print(variant, 1)!
        defer { g_free(text) }
        return (GVariantCoding.read(variant), String(cString: text))
    }

    func testSelectSourcesArgumentsHaveTheWireTypes() {
        let value: DBusValue = .tuple([.objectPath("/org/freedesktop/portal/desktop/session/1_2/t"),
                                       .vardict([("types", .variant(.uint32(3))), ("multiple", .bool(false))])])
        let (back, text) = roundTrip(value)
        XCTAssertEqual(value.typeString, "(oa{sv})")
        XCTAssertEqual(text, "(objectpath '/org/freedesktop/portal/desktop/session/1_2/t', {'types': <uint32 3>, 'multiple': <false>})")
        XCTAssertEqual(back, .tuple([.objectPath("/org/freedesktop/portal/desktop/session/1_2/t"),
                                     .vardict([("types", .variant(.uint32(3))), ("multiple", .variant(.bool(false)))])]))
    }

    func testStreamsResultReadsBack() {
        let value: DBusValue = .array(elementType: "(ua{sv})", [
            .tuple([.uint32(57), .vardict([("size", .variant(.tuple([.int32(800), .int32(600)])))])]),
        ])
        let (back, _) = roundTrip(value)
        XCTAssertEqual(ScreenCastStream.parse(back), [ScreenCastStream(node: 57, width: 800, height: 600)])
    }

    func testEmptyArraysKeepTheirElementType() {
        let (back, text) = roundTrip(.array(elementType: "s", []))
        XCTAssertEqual(back, .array(elementType: "s", []))
        XCTAssertEqual(text, "@as []")
    }
}
