/// The seats of a share: who holds one, since when, from which address, and
/// how many bytes their finished streams carried. Pure: the host feeds it
/// connection events and times and performs the events it returns.
struct ViewerRoster<Key: Hashable> {
    struct Seat: Equatable {
        var id: String
        var name: String?
        var address: String
        var path: ConnectionPath
        var since: UInt64
        /// Bytes of this viewer's streams that have already ended.
        var finishedStreamBytes = 0
        /// Set by `kick` so the departure is reported as a kick.
        var kicked = false
    }

    enum Admission: Equatable {
        case alreadySeated
        case seated(HostEvent)
        case full(occupied: Int)
    }

    let capacity: Int
    private(set) var seats: [Key: Seat] = [:]
    /// Seat keys in joining order, for stable displays.
    private(set) var order: [Key] = []
    /// Bytes sent to viewers who have left, so totals never go down.
    private(set) var departedBytes = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { seats.count }

    mutating func admit(_ key: Key, id: String, name: String? = nil, address: String, path: ConnectionPath = .direct,
                        now: UInt64) -> Admission {
        if seats[key] != nil { return .alreadySeated }
        guard seats.count < capacity else { return .full(occupied: seats.count) }
        seats[key] = Seat(id: id, name: name, address: address, path: path, since: now)
        order.append(key)
        return .seated(.viewerJoined(id: id, name: name, address: address, path: path))
    }

    /// "alice (3f2a0001)", or the id alone for a viewer without a name.
    func label(_ key: Key) -> String? {
        seats[key].map { seat in seat.name.map { "\($0) (\(seat.id))" } ?? seat.id }
    }

    /// A seated viewer's connection ended; nil for connections that never sat.
    mutating func leave(_ key: Key, reason: ViewerLeaveReason) -> HostEvent? {
        guard let seat = seats.removeValue(forKey: key) else { return nil }
        order.removeAll { $0 == key }
        departedBytes += seat.finishedStreamBytes
        return .viewerLeft(id: seat.id, reason: seat.kicked ? .kicked : reason)
    }

    /// Marks the viewer with this short id as kicked; returns its key to close.
    mutating func kick(id: String) -> Key? {
        guard let key = order.first(where: { seats[$0]?.id == id }) else { return nil }
        seats[key]?.kicked = true
        return key
    }

    /// One of the viewer's streams ended after carrying `bytes`.
    mutating func streamFinished(_ key: Key, bytes: Int) {
        if seats[key] != nil {
            seats[key]?.finishedStreamBytes += bytes
        } else {
            departedBytes += bytes
        }
    }

    /// The viewer's packets were seen from `address` over `path`; an event
    /// when either changed (QUIC migration, relay → direct).
    mutating func observe(_ key: Key, address: String, path: ConnectionPath = .direct) -> HostEvent? {
        guard let seat = seats[key], seat.address != address || seat.path != path, address != "?" else { return nil }
        seats[key]?.address = address
        seats[key]?.path = path
        return .pathChanged(id: seat.id, address: address, path: path)
    }
}
