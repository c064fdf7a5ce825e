import NIOCore

/// The non-QUIC protocols sharing a QUIC socket, in the order they are
/// asked about each datagram: STUN/TURN/probes today, the DHT's KRPC next.
/// Held weakly: each protocol's owner decides how long it lives.
///
/// Demultiplexing is by claim, not by first byte: a TURN ChannelData
/// message and a KRPC message (`d…`) both look like QUIC short headers, so
/// only the protocol that knows the sender (its TURN server, its DHT nodes)
/// and can parse the message may take it.
struct SideChannels {
    private struct Entry {
        weak var channel: DatagramSideChannel?
    }

    private var entries: [Entry] = []

    /// The first protocol; the NAT side channel takes this slot.
    var primary: DatagramSideChannel? {
        get { entries.first?.channel }
        set {
            entries.removeAll { $0.channel == nil }
            if entries.isEmpty {
                if let newValue { entries = [Entry(channel: newValue)] }
            } else if let newValue {
                entries[0] = Entry(channel: newValue)
            } else {
                entries.removeFirst()
            }
        }
    }

    /// Another protocol, asked after those added before it.
    mutating func add(_ channel: DatagramSideChannel) {
        entries.removeAll { $0.channel == nil }
        entries.append(Entry(channel: channel))
    }

    /// The protocol that claims `datagram`, if any.
    func claim(_ datagram: UnsafeRawBufferPointer, from remote: SocketAddress, on socket: SharedDatagramSocket) -> Bool {
        for entry in entries {
            if let channel = entry.channel, channel.socket(socket, received: datagram, from: remote) { return true }
        }
        return false
    }

    /// The protocol that carries QUIC to `remote` another way (a relay).
    /// Asked for every transmit, so it allocates nothing.
    func carrier(of remote: SocketAddress, on socket: SharedDatagramSocket) -> DatagramSideChannel? {
        for entry in entries {
            if let channel = entry.channel, channel.socket(socket, carries: remote) { return channel }
        }
        return nil
    }
}

