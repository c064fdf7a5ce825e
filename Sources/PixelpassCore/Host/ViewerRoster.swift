/// The seats of a share: who holds one, since when, from which address, and
/// how many bytes their finished streams carried. Pure: the host feeds it
/// connection events and times and performs the events it returns.
///
/// Seats belong to watchers: a seat whose viewer has had no stream open for
/// `reclaimAfter`, or whose connection has gone silent, goes to a newcomer
/// when the share is full. So connections that only ask `/v1/info`, and
/// crashed viewers the idle timeout has not caught yet, lock no one out.
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
        /// Streams of this viewer being served now.
        var openStreams = 0
        /// When it sat down or last had a stream end.
        var lastActive: UInt64
    }

    enum Admission: Equatable {
        case alreadySeated
        case seated(HostEvent)
        /// Seated in the place of `freed`, an idle or silent viewer whose
        /// connection the host must now close; `left` reports it.
        case seatedInPlaceOf(freed: Key, left: HostEvent, joined: HostEvent)
        case full(occupied: Int)
    }

    let capacity: Int
    /// How long a seat may go without a stream before a newcomer may have it.
    let reclaimAfter: UInt64
    private(set) var seats: [Key: Seat] = [:]
    /// Seat keys in joining order, for stable displays.
    private(set) var order: [Key] = []
    /// Bytes sent to viewers who have left, so totals never go down.
    private(set) var departedBytes = 0

    init(capacity: Int, reclaimAfter: UInt64 = 3_000_000_000) {
        self.capacity = capacity
        self.reclaimAfter = reclaimAfter
    }

    var count: Int { seats.count }

    /// Seats a newcomer if a seat is free or can be freed; `silent` are the
    /// seated viewers whose connections have not been heard from lately.
    mutating func admit(_ key: Key, id: String, name: String? = nil, address: String, path: ConnectionPath = .direct,
                        now: UInt64, silent: Set<Key> = []) -> Admission {
        if seats[key] != nil { return .alreadySeated }
        var freed: (key: Key, event: HostEvent)?
        if seats.count >= capacity {
            guard let reclaimed = reclaimableSeat(now: now, silent: silent) else { return .full(occupied: seats.count) }
            freed = (reclaimed, leave(reclaimed, reason: .madeRoom)!)
        }
        seats[key] = Seat(id: id, name: name, address: address, path: path, since: now, lastActive: now)
        order.append(key)
        let joined = HostEvent.viewerJoined(id: id, name: name, address: address, path: path)
        guard let freed else { return .seated(joined) }
        return .seatedInPlaceOf(freed: freed.key, left: freed.event, joined: joined)
    }

    /// The longest-seated viewer that is silent, or has watched nothing for
    /// `reclaimAfter`; never one that is watching and heard from.
    func reclaimableSeat(now: UInt64, silent: Set<Key>) -> Key? {
        order.first { key in
            guard let seat = seats[key] else { return false }
            if silent.contains(key) { return true }
            return seat.openStreams == 0 && now >= seat.lastActive && now - seat.lastActive >= reclaimAfter
        }
    }

    func openStreams(_ key: Key) -> Int { seats[key]?.openStreams ?? 0 }

    /// One of the viewer's streams began.
    mutating func streamStarted(_ key: Key, now: UInt64) {
        seats[key]?.openStreams += 1
        seats[key]?.lastActive = now
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
    mutating func streamFinished(_ key: Key, bytes: Int, now: UInt64) {
        if let seat = seats[key] {
            seats[key]?.finishedStreamBytes += bytes
            seats[key]?.openStreams = max(0, seat.openStreams - 1)
            seats[key]?.lastActive = now
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
