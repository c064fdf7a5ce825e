import Foundation
import PixelpassDHT
import PixelpassNAT

/// The sealed records host and viewers publish (BEP 44 items).
enum RendezvousRecords {
    /// A signed item holding `addresses` for `role`. Its seq is the time in
    /// milliseconds, so a later record (a restarted host, another viewer)
    /// always replaces an earlier one.
    static func item(_ keys: RendezvousKeys, role: CandidateRecord.Role, addresses: [NATAddress]) -> MutableItem? {
        var random = SystemRandomNumberGenerator()
        let now = Date().timeIntervalSince1970
        let record = CandidateRecord(addresses: Array(addresses.prefix(CandidateRecord.maxAddresses)), role: role,
                                     session: random.next(), unixTime: UInt64(now))
        let salt = role == .host ? RendezvousKeys.hostSalt : RendezvousKeys.viewerSalt
        return try? keys.item(for: record, salt: salt, seq: Int64(now * 1000), random: &random)
    }
}
