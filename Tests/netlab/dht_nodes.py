#!/usr/bin/python3
"""Real BitTorrent mainline DHT nodes for the netlab: one process, one
libtorrent session per node (Debian's python3-libtorrent 2.0.8, which imports
only under /usr/bin/python3). `Lab.start_dht()` runs it inside the lab's
public namespace; see Tests/netlab/README.md.

    /usr/bin/python3 dht_nodes.py --node IP:PORT [--node IP:PORT ...]
                                  [--min-nodes 5] [--timeout 30] [--lifetime 3600]

Each session listens on one --node address (UDP for the DHT; libtorrent opens
the TCP socket of the same listen address too) and is bootstrapped from every
other node: no outside bootstrap node (`dht_bootstrap_nodes` is emptied), no
LSD, UPnP or NAT-PMP. Settings relaxed for a private network of documentation
addresses:

* dht_restrict_routing_ips / dht_restrict_search_ips = False: several nodes
  and peers behind one address (a NAT router's WAN address) are allowed;
* dht_ignore_dark_internet = False: 192.0.2.0/24 etc. are "dark" otherwise;
* dht_enforce_node_id = False, dht_prefer_verified_node_ids = False: node ids
  need not match the BEP 42 rule for the node's address;
* dht_block_ratelimit = 500 (default 5 requests/s per source IP, after which
  a node ignores that IP for dht_block_timeout): every peer behind one lab NAT
  shares an address, and tests query in bursts;
* dht_upload_rate_limit = 1 MB/s (default 8000 B/s).

BEP 44 (put/get, immutable and mutable items) and announce_peer storage are
on by default in libtorrent: dht_max_dht_items 700, dht_max_peers 500,
dht_max_torrents 2000, dht_item_lifetime 0 (the 2 h default).

Prints one line, "ready", on stdout once every session has at least
--min-nodes nodes in its routing table AND is in the routing tables of at
least --min-known (8) others (after each node's lookup of its own id, as a
bootstrap does: without it, a node pinged once may sit in one or two tables
only and a lookup can miss it); exits 1 with a message on stderr if that
takes longer than --timeout. Then prints nothing more on stdout, keeps
the alert queues drained and stops on SIGTERM/SIGINT or after --lifetime
seconds.
"""

import argparse
import signal
import sys
import time
import warnings

import libtorrent as lt

warnings.simplefilter("ignore", DeprecationWarning)   # session.status() in 2.0


def settings(listen: str) -> dict:
    cat = lt.alert.category_t
    return {
        "listen_interfaces": listen,
        "enable_dht": True,
        "dht_bootstrap_nodes": "",
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_ip_notifier": False,
        "dht_restrict_routing_ips": False,
        "dht_restrict_search_ips": False,
        "dht_ignore_dark_internet": False,
        "dht_enforce_node_id": False,
        "dht_prefer_verified_node_ids": False,
        "dht_block_ratelimit": 500,
        "dht_upload_rate_limit": 1_000_000,
        "alert_mask": int(cat.dht_notification | cat.error_notification),
        "alert_queue_size": 20000,
        "user_agent": "pixelpass-netlab-dht",
    }


def parse(text: str):
    host, _, port = text.rpartition(":")
    return host, int(port)


def own_id(session) -> bytes:
    """The session's DHT node id (b"" before the DHT runs)."""
    entries = session.dht_state().get(b"node-id") or []
    return bytes(entries[0][:20]) if entries else b""


def node_id_bytes(entry) -> bytes:
    nid = entry["nid"] if isinstance(entry, dict) else entry[0]
    return nid.to_bytes() if hasattr(nid, "to_bytes") else bytes(nid)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--node", action="append", required=True, metavar="IP:PORT")
    parser.add_argument("--min-nodes", type=int, default=5)
    parser.add_argument("--min-known", type=int, default=8,
                        help="each node in at least this many other tables (K = 8: a node's closest neighbours)")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--lifetime", type=float, default=3600.0)
    args = parser.parse_args()

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))

    nodes = [parse(n) for n in args.node]
    sessions = [lt.session(settings(f"{ip}:{port}")) for ip, port in nodes]
    need = min(args.min_nodes, len(nodes) - 1)
    need_known = min(args.min_known, len(nodes) - 1)
    started = time.monotonic()
    deadline = started + args.timeout
    ready = False
    last_bootstrap = last_lookup = 0.0
    tables = [set() for _ in sessions]       # node ids in each session's routing table
    while not stop:
        now = time.monotonic()
        if not ready:
            ids = [own_id(s) for s in sessions]
            if now - last_bootstrap > 2.0:
                # (again every 2 s until ready: a ping sent before the other
                # session's socket was up is lost)
                for i, s in enumerate(sessions):
                    for j, node in enumerate(nodes):
                        if i != j:
                            s.add_dht_node(node)
                last_bootstrap = now
            counts = [s.status().dht_nodes for s in sessions]
            if min(counts) >= need and all(ids) and now - last_lookup > 1.0:
                # What a bootstrap does: a lookup of its own id makes the
                # nodes closest to each node put it in their tables, so that
                # lookups from anywhere converge on it.
                for s, nid in zip(sessions, ids):
                    s.dht_get_peers(lt.sha1_hash(nid))
                    s.dht_live_nodes(lt.sha1_hash(nid))
                last_lookup = now
            known_by = [sum(nid in t for t in tables) for nid in ids] if all(ids) else [0]
            if min(counts) >= need and min(known_by) >= need_known:
                print("ready", flush=True)
                print(f"dht_nodes: {len(sessions)} nodes ready after {now - started:.1f} s, routing tables "
                      f"{min(counts)}..{max(counts)} nodes, each node in {min(known_by)}..{max(known_by)} tables",
                      file=sys.stderr, flush=True)
                ready = True
            elif now > deadline:
                print(f"dht_nodes: not ready after {args.timeout} s, routing tables: {counts}, "
                      f"each node in tables: {known_by}", file=sys.stderr, flush=True)
                return 1
        elif now - started > args.lifetime:
            break
        for i, s in enumerate(sessions):
            for alert in s.pop_alerts():
                if isinstance(alert, lt.dht_live_nodes_alert):
                    tables[i] = {node_id_bytes(n) for n in alert.nodes}
                elif alert.category() & lt.alert.category_t.error_notification:
                    print(f"dht_nodes: {alert.message()}", file=sys.stderr, flush=True)
        time.sleep(0.1 if not ready else 0.5)
    for s in sessions:
        s.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
