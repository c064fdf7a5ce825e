"""Network-namespace lab for NAT traversal tests (see Tests/netlab/README.md).

A `Lab` builds a small "internet" out of Linux network namespaces:

* `pp-<id>-core`   a router forwarding between every public subnet (a routed
                    hop, so a low-TTL opener packet can leave one NAT without
                    reaching the other);
* `pp-<id>-public` the public server segment's server: two coturns (STUN + TURN,
                    long-term credentials on .10, REST shared secret on .12)
                    and, after `start_dht()`, real mainline DHT nodes
                    (libtorrent) on 192.0.2.200, .201, ... port 6881;
* `pp-<id>-r<k>-<kind>` routers (`eim`, `symmetric`, `upnp`, `cgnat`: IPv4
                    NAT; `v6fw`: eim for IPv4 plus routed IPv6 behind a
                    stateful firewall; `v6open`: the same without the
                    firewall), each with a WAN link toward the core (or, for
                    a home router behind a CGNAT, into the CGNAT's LAN) and
                    a LAN behind it;
* `pp-<id>-<name>` one namespace per peer (host, viewer, ...).

Every name starts with `pp-` and the lab id, so labs never collide. What a lab
made is recorded in `<state dir>/<id>/state.json`; `Lab.close()` (also run by
the context manager) and `scripts/netlab down` remove exactly that. Every
command has a timeout. Only documentation address ranges (192.0.2.0/24,
198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32), private LANs and the shared
address space 100.64.0.0/10 inside the namespaces are used.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Union

STATE_ROOT = Path(os.environ.get("PP_NETLAB_STATE", "/tmp/pp-netlab"))

PUBLIC_NET = "192.0.2"           # public segment 192.0.2.0/24
CORE_PUBLIC = f"{PUBLIC_NET}.1"  # core's address on it
SERVER_ADDR = f"{PUBLIC_NET}.10"  # pp-public (coturn)
SERVER_ALT_ADDR = f"{PUBLIC_NET}.11"  # coturn's second address (RFC 5780 CHANGE-REQUEST)
REST_ADDR = f"{PUBLIC_NET}.12"   # second coturn: TURN REST API (shared secret)
FIRST_PUBLIC_PEER = 20           # public peers get .20, .21, ... (up to .199)
DHT_FIRST_HOST = 200             # DHT node k (0-based) is 192.0.2.(200+k):6881
DHT_MAX_NODES = 50
DHT_PORT = 6881

STUN_PORT = 3478
TURN_USER = "pixelpass"
TURN_PASS = "pixelpass-lab"
TURN_REALM = "pixelpass.test"
RELAY_MIN_PORT = 49152
RELAY_MAX_PORT = 49200

# IPv4 NAT kinds, plus the dual-stack ones: v6fw (IPv4 like eim, IPv6 routed
# behind a stateful firewall) and v6open (IPv6 routed, no firewall); cgnat is
# an eim NAT whose LAN is in the shared address space 100.64.0.0/10 (the
# upstream of a "double" placement).
NAT_KINDS = ("eim", "symmetric", "upnp", "v6fw", "v6open", "cgnat")
IPV6_KINDS = ("v6fw", "v6open")
# Placements peer() accepts besides the kinds: "public", "lan", and "double"
# (a home eim router whose WAN sits in a CGNAT's 100.64.k.0/24).
PLACEMENTS = ("public", "lan", "double") + NAT_KINDS

# IPv6 (documentation prefix 2001:db8::/32 only; README "IPv6"):
#   2001:db8::/64          public segment (bridge "pub"): core ::1, server
#                          ::10, a public peer with ipv6 2001:db8::<last octet
#                          of its IPv4 address, same digits>
#   2001:db8:100:<k>::/64  router k's WAN link: core ::1, router ::2
#   2001:db8:<k>::/64      router k's LAN: router ::1, peers ::10, ::11, ...
# (<k> is the router index written in decimal digits, read as hex: unique for
# k <= 30 and apart from the 0x100 WAN block.)
PUBLIC6_NET = "2001:db8::"
CORE_PUBLIC6 = "2001:db8::1"
SERVER_ADDR6 = "2001:db8::10"
CGNAT_NET = "100.64"             # router k of kind cgnat: LAN 100.64.k.0/24

HERE = Path(__file__).resolve().parent
# Debian's python3-libtorrent imports only under the system python, not under
# a pyenv python that may run pytest.
SYSTEM_PYTHON = "/usr/bin/python3"

CMD_TIMEOUT = 15.0


class LabError(RuntimeError):
    pass


def _sh(argv: Sequence[str], timeout: float = CMD_TIMEOUT, check: bool = True,
        input: Optional[str] = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, input=input)
    if check and proc.returncode != 0:
        raise LabError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")
    return proc


def wan_addresses(index: int) -> (str, str):
    """(core side, router side) of NAT router `index`'s WAN link: a /29 out of
    203.0.113.0/24 for routers 1..15, then 198.51.100.0/24 for 16..30."""
    if not 1 <= index <= 30:
        raise LabError("at most 30 NAT routers per lab")
    net, k = ("203.0.113", index) if index <= 15 else ("198.51.100", index - 15)
    return f"{net}.{8 * k + 1}", f"{net}.{8 * k + 2}"


def wan6_addresses(index: int) -> (str, str):
    """(core side, router side) of router `index`'s IPv6 WAN link
    2001:db8:100:<index>::/64."""
    return f"2001:db8:100:{index}::1", f"2001:db8:100:{index}::2"


def lan6_prefix(index: int) -> str:
    """Router `index`'s IPv6 LAN 2001:db8:<index>::/64 (as "2001:db8:<index>::")."""
    return f"2001:db8:{index}::"


@dataclass
class Node:
    """A namespace of the lab: the core, the server, a router or a peer."""
    name: str        # short name inside the lab ("core", "public", "r1", "host")
    netns: str       # full namespace name (pp-<id>-...)
    address: str     # its main IPv4 address
    address6: Optional[str] = None   # its global IPv6 address (2001:db8::/32), if any

    def __str__(self) -> str:
        return self.netns


@dataclass
class Router(Node):
    kind: str = "eim"
    index: int = 0
    lan_prefix: str = ""       # "10.<index>.0" ("100.64.<index>" for cgnat)
    wan_gateway: str = ""      # core's address on the WAN link (the CGNAT's LAN address when behind one)
    peers: List["Peer"] = field(default_factory=list)
    upstream: Optional["Router"] = None    # the CGNAT this router's WAN sits behind
    downstream: List["Router"] = field(default_factory=list)   # home routers behind a cgnat
    lan6_prefix: Optional[str] = None      # "2001:db8:<index>::" for the IPv6 kinds

    @property
    def lan_address(self) -> str:
        return f"{self.lan_prefix}.1"

    @property
    def lan_address6(self) -> Optional[str]:
        return f"{self.lan6_prefix}1" if self.lan6_prefix else None

    @property
    def public_address(self) -> str:
        """The IPv4 address the outside sees this router's NAT'd packets come
        from: its WAN address, or its CGNAT's."""
        return self.upstream.public_address if self.upstream else self.address


@dataclass
class Peer(Node):
    placement: str = "public"      # "public" or the router kind
    router: Optional[Router] = None

    @property
    def public_address(self) -> str:
        """The IPv4 address the outside sees this peer's packets come from
        (behind a double NAT: the CGNAT's WAN address)."""
        return self.router.public_address if self.router else self.address


NodeLike = Union[Node, str]


class Lab:
    """One lab. Use as a context manager, or call close() yourself."""

    def __init__(self, lab_id: Optional[str] = None, turn: bool = True,
                 state_root: Optional[Path] = None) -> None:
        if os.geteuid() != 0:
            raise LabError("the netlab needs root (network namespaces)")
        self.id = lab_id or secrets.token_hex(2)
        self.prefix = f"pp-{self.id}"
        self.dir = Path(state_root or STATE_ROOT) / self.id
        if self.dir.exists():
            raise LabError(f"lab {self.id} already exists ({self.dir}); run scripts/netlab down {self.id}")
        self.dir.mkdir(parents=True)
        self.turn_secret_value = secrets.token_hex(16)
        self.namespaces: List[str] = []
        self.nodes: Dict[str, Node] = {}
        self.routers: List[Router] = []
        self.peers: Dict[str, Peer] = {}
        self._procs: List[subprocess.Popen] = []
        self._turn_procs: Dict[str, subprocess.Popen] = {}
        self._upnp_procs: Dict[str, subprocess.Popen] = {}
        self._dht_proc: Optional[subprocess.Popen] = None
        self.dht_addresses: List[str] = []
        self._next_public = FIRST_PUBLIC_PEER
        self._closed = False
        try:
            self._save_state()
            self._build_core()
            if turn:
                self.start_turn()
        except BaseException:
            self.close()
            raise

    # ----- context manager -------------------------------------------------

    def __enter__(self) -> "Lab":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ----- state -------------------------------------------------------------

    def _save_state(self) -> None:
        state = {
            "id": self.id,
            "namespaces": self.namespaces,
            "pids": [p.pid for p in self._live_procs()],
            "peers": {n: {"netns": p.netns, "address": p.address, "placement": p.placement,
                          "public_address": p.public_address, "address6": p.address6}
                      for n, p in self.peers.items()},
            "routers": [{"name": r.name, "netns": r.netns, "kind": r.kind, "wan": r.address,
                         "lan": r.lan_address, "wan6": r.address6, "lan6": r.lan_address6,
                         "upstream": r.upstream.name if r.upstream else None} for r in self.routers],
            "server": SERVER_ADDR, "turn_rest_server": REST_ADDR,
            "turn_user": TURN_USER, "turn_pass": TURN_PASS, "turn_secret": self.turn_secret_value,
            "dht": self.dht_addresses,
        }
        tmp = self.dir / "state.json.tmp"
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.dir / "state.json")

    def _live_procs(self) -> List[subprocess.Popen]:
        return [p for p in self._procs if p.poll() is None]

    # ----- namespaces and links ---------------------------------------------

    def _netns(self, short: str) -> str:
        name = f"{self.prefix}-{short}"
        _sh(["ip", "netns", "add", name])
        self.namespaces.append(name)
        self._save_state()
        self.ns_exec(name, ["ip", "link", "set", "lo", "up"])
        return name

    def ns_exec(self, netns: str, argv: Sequence[str], timeout: float = CMD_TIMEOUT,
                check: bool = True, input: Optional[str] = None) -> subprocess.CompletedProcess:
        return _sh(["ip", "netns", "exec", netns, *argv], timeout=timeout, check=check, input=input)

    def _sysctl(self, netns: str, key: str, value: str) -> None:
        self.ns_exec(netns, ["sysctl", "-q", "-w", f"{key}={value}"])

    def _veth(self, ns_a: str, if_a: str, ns_b: str, if_b: str) -> None:
        _sh(["ip", "link", "add", if_a, "netns", ns_a, "type", "veth", "peer", "name", if_b, "netns", ns_b])
        self.ns_exec(ns_a, ["ip", "link", "set", if_a, "up"])
        self.ns_exec(ns_b, ["ip", "link", "set", if_b, "up"])

    def _bridge(self, netns: str, name: str, address_cidr: str, address6_cidr: Optional[str] = None) -> None:
        self.ns_exec(netns, ["ip", "link", "add", name, "type", "bridge"])
        self.ns_exec(netns, ["ip", "addr", "add", address_cidr, "dev", name])
        if address6_cidr:
            # No MLD querier here: without snooping, ND multicast is flooded.
            self.ns_exec(netns, ["ip", "link", "set", name, "type", "bridge", "mcast_snooping", "0"])
            self._addr6(netns, name, address6_cidr)
        self.ns_exec(netns, ["ip", "link", "set", name, "up"])

    def _ipv6_on(self, netns: str, forwarding: bool = False) -> None:
        """Addresses usable at once (no duplicate address detection), and
        IPv6 forwarding for routers. Set before the namespace gets links."""
        for scope in ("all", "default"):
            self._sysctl(netns, f"net.ipv6.conf.{scope}.accept_dad", "0")
            self._sysctl(netns, f"net.ipv6.conf.{scope}.dad_transmits", "0")
        if forwarding:
            self._sysctl(netns, "net.ipv6.conf.all.forwarding", "1")

    def _addr6(self, netns: str, dev: str, cidr: str) -> None:
        self.ns_exec(netns, ["ip", "-6", "addr", "add", cidr, "dev", dev, "nodad"])

    def _build_core(self) -> None:
        core = self._netns("core")
        self._sysctl(core, "net.ipv4.ip_forward", "1")
        self._ipv6_on(core, forwarding=True)
        self.core = Node("core", core, CORE_PUBLIC, CORE_PUBLIC6)
        self.nodes["core"] = self.core
        self._bridge(core, "pub", f"{CORE_PUBLIC}/24", f"{CORE_PUBLIC6}/64")
        public = self._netns("public")
        self._ipv6_on(public)
        self._veth(public, "eth0", core, "srv")
        self.ns_exec(core, ["ip", "link", "set", "srv", "master", "pub"])
        self.ns_exec(public, ["ip", "addr", "add", f"{SERVER_ADDR}/24", "dev", "eth0"])
        self.ns_exec(public, ["ip", "addr", "add", f"{SERVER_ALT_ADDR}/24", "dev", "eth0"])
        self.ns_exec(public, ["ip", "addr", "add", f"{REST_ADDR}/24", "dev", "eth0"])
        self.ns_exec(public, ["ip", "route", "add", "default", "via", CORE_PUBLIC])
        self._addr6(public, "eth0", f"{SERVER_ADDR6}/64")
        self.ns_exec(public, ["ip", "-6", "route", "add", "default", "via", CORE_PUBLIC6])
        self.server = Node("public", public, SERVER_ADDR, SERVER_ADDR6)
        self.nodes["public"] = self.server

    # ----- routers ------------------------------------------------------------

    def router(self, kind: str = "eim", behind: Optional["Router"] = None) -> Router:
        """A new router of `kind` (NAT_KINDS). Its WAN link goes to the core,
        or, with `behind` (a cgnat router), into that router's LAN
        100.64.<k>.0/24, where it gets 100.64.<k>.2, .3, ... (the home router
        of a double NAT; IPv4 only)."""
        if kind not in NAT_KINDS:
            raise LabError(f"unknown NAT kind {kind!r} (known: {', '.join(NAT_KINDS)})")
        if behind is not None and (behind.kind != "cgnat" or kind in IPV6_KINDS + ("cgnat",)):
            raise LabError("only an IPv4 home router (eim, symmetric, upnp) goes behind a cgnat router")
        index = len(self.routers) + 1
        wan_addresses(index)      # the limit of 30 routers
        short = f"r{index}"
        netns = self._netns(f"{short}-{kind}")
        ipv6 = kind in IPV6_KINDS
        if ipv6:
            self._ipv6_on(netns, forwarding=True)
        if behind is None:
            core_side, wan = wan_addresses(index)
            self._veth(netns, "wan", self.core.netns, short)
            self.ns_exec(self.core.netns, ["ip", "addr", "add", f"{core_side}/29", "dev", short])
            self.ns_exec(netns, ["ip", "addr", "add", f"{wan}/29", "dev", "wan"])
            self.ns_exec(netns, ["ip", "route", "add", "default", "via", core_side])
        else:
            # The home router's WAN is a port of the CGNAT's LAN bridge, like
            # a peer's: 100.64.<k>.(2 + n)/24; default route to the CGNAT.
            core_side = behind.lan_address
            wan = f"{behind.lan_prefix}.{2 + len(behind.downstream)}"
            self._veth(netns, "wan", behind.netns, short)
            self.ns_exec(behind.netns, ["ip", "link", "set", short, "master", "lan"])
            self.ns_exec(netns, ["ip", "addr", "add", f"{wan}/24", "dev", "wan"])
            self.ns_exec(netns, ["ip", "route", "add", "default", "via", core_side])
        lan_prefix = f"{CGNAT_NET}.{index}" if kind == "cgnat" else f"10.{index}.0"
        wan6 = prefix6 = None
        if ipv6:
            core6, wan6 = wan6_addresses(index)
            prefix6 = lan6_prefix(index)
            self._addr6(self.core.netns, short, f"{core6}/64")
            self._addr6(netns, "wan", f"{wan6}/64")
            self.ns_exec(netns, ["ip", "-6", "route", "add", "default", "via", core6])
            # The core routes the LAN /64 to the router: routed, no NAT.
            self.ns_exec(self.core.netns, ["ip", "-6", "route", "add", f"{prefix6}/64", "via", wan6])
        self._bridge(netns, "lan", f"{lan_prefix}.1/24", f"{prefix6}1/64" if prefix6 else None)
        self._sysctl(netns, "net.ipv4.ip_forward", "1")
        router = Router(short, netns, wan, wan6, kind=kind, index=index, lan_prefix=lan_prefix,
                        wan_gateway=core_side, upstream=behind, lan6_prefix=prefix6)
        if behind is not None:
            behind.downstream.append(router)
        self.routers.append(router)
        self.nodes[short] = router
        self._nat_rules(router)
        if kind == "upnp":
            self._start_miniupnpd(router)
        self._save_state()
        return router

    def _nat_rules(self, router: Router) -> None:
        masquerade = "masquerade random,fully-random" if router.kind == "symmetric" else "masquerade"
        # Filtering: replies and port-mapped (DNAT) flows come in from the WAN,
        # nothing else. Mapping: MASQUERADE keeps the source port when it can
        # (endpoint-independent), fully-random picks a new one per flow.
        ruleset = f"""
table ip pp_nat {{
    chain postrouting {{
        type nat hook postrouting priority srcnat; policy accept;
        oifname "wan" {masquerade}
    }}
}}
table ip pp_filter {{
    chain forward {{
        type filter hook forward priority filter; policy accept;
        ct state established,related accept
        iifname "wan" ct status dnat accept
        iifname "wan" drop
    }}
}}
"""
        self.ns_exec(router.netns, ["nft", "-f", "-"], input=ruleset)
        if router.kind == "v6fw":
            # A typical dual-stack home router's IPv6 (RFC 6092): routed, no
            # NAT; what the LAN starts goes out and its replies come back
            # (conntrack), ICMPv6 errors (PMTU: packet-too-big) and echo
            # requests pass, anything else new from the WAN is dropped.
            # Neighbour discovery is link-local (input/output, not forward).
            # IPv4 is left to table ip pp_filter above.
            self.ns_exec(router.netns, ["nft", "-f", "-"], input="""
table inet pp_v6fw {
    chain forward {
        type filter hook forward priority filter; policy accept;
        meta nfproto ipv4 accept
        ct state established,related accept
        ct state invalid drop
        icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, echo-request } accept
        iifname "lan" oifname "wan" accept
        iifname "wan" drop
    }
}
""")

    def _start_miniupnpd(self, router: Router) -> None:
        # miniupnpd-nftables adds its rules to chains it expects to exist.
        tables = """
table inet pp_upnp {
    chain forward {
        type filter hook forward priority filter - 1; policy accept;
        jump miniupnpd
    }
    chain miniupnpd {
    }
    chain prerouting {
        type nat hook prerouting priority dstnat; policy accept;
        jump prerouting_miniupnpd
    }
    chain postrouting {
        type nat hook postrouting priority srcnat - 1; policy accept;
        jump postrouting_miniupnpd
    }
    chain prerouting_miniupnpd {
    }
    chain postrouting_miniupnpd {
    }
}
"""
        self.ns_exec(router.netns, ["nft", "-f", "-"], input=tables)
        conf = self.dir / f"miniupnpd-{router.name}.conf"
        conf.write_text("\n".join([
            "ext_ifname=wan",
            # The WAN address is in a documentation range, which miniupnpd
            # counts as private and refuses to map; learning it by STUN from
            # the lab's coturn makes miniupnpd accept it.
            "ext_perform_stun=yes",
            f"ext_stun_host={SERVER_ADDR}",
            f"ext_stun_port={STUN_PORT}",
            "listening_ip=lan",
            "http_port=0",
            "enable_natpmp=yes",
            "enable_upnp=yes",
            "secure_mode=no",
            "system_uptime=yes",
            "notify_interval=60",
            "clean_ruleset_interval=600",
            f"uuid=0e3b7c2a-1f5d-4c8e-9a6b-{router.index:012x}",
            "upnp_table_name=pp_upnp",
            "upnp_nat_table_name=pp_upnp",
            "upnp_forward_chain=miniupnpd",
            "upnp_nat_chain=prerouting_miniupnpd",
            "upnp_nat_postrouting_chain=postrouting_miniupnpd",
            f"lease_file={self.dir}/miniupnpd-{router.name}.leases",
            "allow 1024-65535 10.0.0.0/8 1024-65535",
            "deny 0-65535 0.0.0.0/0 0-65535",
            "",
        ]))
        log = open(self.dir / f"miniupnpd-{router.name}.log", "wb")
        proc = self.popen(router, ["miniupnpd", "-f", str(conf), "-d", "-P",
                                   str(self.dir / f"miniupnpd-{router.name}.pid")],
                          stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self._upnp_procs[router.name] = proc

    # ----- peers --------------------------------------------------------------

    def peer(self, name: str, behind: Union[str, Router, "Peer"] = "public",
             ipv6: Optional[bool] = None) -> Peer:
        """A peer namespace. `behind`: "public" (on the public segment), a
        kind of NAT_KINDS (a new router of that kind), "double" (a new cgnat
        router and a new eim home router behind it), "lan" (behind the router
        of the most recent NAT'd peer, or a new eim router), a Router, or
        another Peer (behind the same router as that peer).

        `ipv6`: whether the peer gets a global IPv6 address (2001:db8::/32)
        and an IPv6 default route. Default: behind a v6fw/v6open router yes,
        anywhere else no (IPv4 only, as the lab always was); True on the
        public segment gives it 2001:db8::<n>; behind an IPv4-only router it
        is an error."""
        if name in self.peers or name in self.nodes or not name.replace("-", "").isalnum():
            raise LabError(f"bad or duplicate peer name {name!r}")
        router: Optional[Router] = None
        if isinstance(behind, Peer):
            if behind.router is None:
                raise LabError(f"peer {behind.name} is public: nothing to be behind")
            router = behind.router
        elif isinstance(behind, Router):
            router = behind
        elif behind == "lan":
            natted = [p for p in self.peers.values() if p.router is not None]
            router = natted[-1].router if natted else self.router("eim")
        elif behind == "double":
            router = self.router("eim", behind=self.router("cgnat"))
        elif behind in NAT_KINDS:
            router = self.router(behind)
        elif behind != "public":
            raise LabError(f"unknown placement {behind!r} (known: {', '.join(PLACEMENTS)})")
        if ipv6 is None:
            ipv6 = router is not None and router.lan6_prefix is not None
        if ipv6 and router is not None and router.lan6_prefix is None:
            raise LabError(f"router {router.name} ({router.kind}) has no IPv6 (use v6fw or v6open)")

        netns = self._netns(name)
        if ipv6:
            # Only namespaces with a global IPv6 address: an IPv4-only peer
            # keeps the kernel's defaults (its link-local address goes
            # through DAD as before; see README "IPv6 addressing").
            self._ipv6_on(netns)
        if router is None:
            if self._next_public >= DHT_FIRST_HOST:
                raise LabError("too many public peers (.200 and up are the DHT nodes')")
            address = f"{PUBLIC_NET}.{self._next_public}"
            self._next_public += 1
            port = f"p{address.rsplit('.', 1)[1]}"
            self._veth(netns, "eth0", self.core.netns, port)
            self.ns_exec(self.core.netns, ["ip", "link", "set", port, "master", "pub"])
            self.ns_exec(netns, ["ip", "addr", "add", f"{address}/24", "dev", "eth0"])
            self.ns_exec(netns, ["ip", "route", "add", "default", "via", CORE_PUBLIC])
            address6 = None
            if ipv6:
                address6 = f"{PUBLIC6_NET}{address.rsplit('.', 1)[1]}"
                self._addr6(netns, "eth0", f"{address6}/64")
                self.ns_exec(netns, ["ip", "-6", "route", "add", "default", "via", CORE_PUBLIC6])
            peer = Peer(name, netns, address, address6, placement="public")
        else:
            host_id = 10 + len(router.peers)
            address = f"{router.lan_prefix}.{host_id}"
            port = f"p{host_id}"
            self._veth(netns, "eth0", router.netns, port)
            self.ns_exec(router.netns, ["ip", "link", "set", port, "master", "lan"])
            self.ns_exec(netns, ["ip", "addr", "add", f"{address}/24", "dev", "eth0"])
            self.ns_exec(netns, ["ip", "route", "add", "default", "via", router.lan_address])
            address6 = None
            if ipv6:
                address6 = f"{router.lan6_prefix}{host_id}"
                self._addr6(netns, "eth0", f"{address6}/64")
                self.ns_exec(netns, ["ip", "-6", "route", "add", "default", "via", router.lan_address6])
            placement = "double" if router.upstream is not None else router.kind
            peer = Peer(name, netns, address, address6, placement=placement, router=router)
            router.peers.append(peer)
        self.peers[name] = peer
        self.nodes[name] = peer
        self._save_state()
        return peer

    # ----- running things -------------------------------------------------------

    def node(self, node: NodeLike) -> Node:
        if isinstance(node, Node):
            return node
        if node in self.nodes:
            return self.nodes[node]
        raise LabError(f"no node {node!r} in lab {self.id}")

    def _env(self, env: Optional[Dict[str, str]]) -> Dict[str, str]:
        merged = dict(os.environ)
        if env:
            merged.update(env)
        return merged

    def run(self, node: NodeLike, argv: Sequence[str], timeout: float = 20.0,
            env: Optional[Dict[str, str]] = None, check: bool = False,
            input: Optional[str] = None) -> subprocess.CompletedProcess:
        """Runs argv to completion inside the node's namespace (text output)."""
        n = self.node(node)
        proc = subprocess.run(["ip", "netns", "exec", n.netns, *argv], capture_output=True,
                              text=True, timeout=timeout, env=self._env(env), input=input)
        if check and proc.returncode != 0:
            raise LabError(f"{n.name}: {' '.join(argv)} exited {proc.returncode}: {proc.stderr.strip()}")
        return proc

    def popen(self, node: NodeLike, argv: Sequence[str], env: Optional[Dict[str, str]] = None,
              **kwargs) -> subprocess.Popen:
        """Starts argv inside the node's namespace (in its own process group);
        the lab stops it at close() if it still runs."""
        n = self.node(node)
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        proc = subprocess.Popen(["ip", "netns", "exec", n.netns, *argv], env=self._env(env),
                                start_new_session=True, **kwargs)
        self._procs.append(proc)
        self._save_state()
        return proc

    def python(self, node: NodeLike, code: str, *args: str, timeout: float = 20.0,
               check: bool = False) -> subprocess.CompletedProcess:
        """Runs a python3 snippet inside the node (argv[1:] = args)."""
        return self.run(node, ["python3", "-c", code, *args], timeout=timeout, check=check)

    @staticmethod
    def stop(proc: subprocess.Popen, grace: float = 3.0) -> None:
        """SIGTERM the process group, SIGKILL after `grace` seconds, reap."""
        if proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()

    # ----- addresses ----------------------------------------------------------

    def address(self, node: NodeLike) -> str:
        """The node's own address (a peer's LAN address when it is NAT'd)."""
        return self.node(node).address

    def public_address(self, peer: NodeLike) -> str:
        """The IPv4 address the outside sees the node's packets come from
        (its router's WAN address; behind a double NAT, the CGNAT's)."""
        n = self.node(peer)
        return n.public_address if isinstance(n, (Peer, Router)) else n.address

    def address6(self, node: NodeLike) -> Optional[str]:
        """The node's global IPv6 address (2001:db8::/32), None when it has
        none. IPv6 is routed without NAT, so the outside sees this address."""
        return self.node(node).address6

    def hops(self, peer: NodeLike) -> List[Node]:
        """The routers an IPv4 packet from the peer crosses to the core, the
        core included: [home router, (CGNAT,) core]; [core] for a public peer.
        A packet sent with IP TTL t is forwarded by the first t-1 of them and
        dropped by the t-th (or, if it gets that far, delivered to the far
        NAT router itself: see README "Hop counts")."""
        n = self.node(peer)
        chain: List[Node] = []
        router = n.router if isinstance(n, Peer) else None
        while router is not None:
            chain.append(router)
            router = router.upstream
        return chain + [self.core]

    def opener_ttl(self, peer: NodeLike) -> int:
        """The IP TTL a hole-punch opener from this peer needs to leave all
        of its own NATs and die in the core: len(hops(peer)) (2 behind one
        NAT, 3 behind a double NAT)."""
        return len(self.hops(peer))

    # ----- STUN / TURN --------------------------------------------------------

    def stun_address(self) -> (str, int):
        return SERVER_ADDR, STUN_PORT

    def turn_url(self) -> str:
        """turn:USER:PASS@IP:PORT of the coturn with long-term credentials."""
        return f"turn:{TURN_USER}:{TURN_PASS}@{SERVER_ADDR}:{STUN_PORT}"

    def turn_address(self) -> (str, int):
        return SERVER_ADDR, STUN_PORT

    def turn_credentials(self) -> (str, str):
        return TURN_USER, TURN_PASS

    def turn_realm(self) -> str:
        return TURN_REALM

    def turn_rest_address(self) -> (str, int):
        """The coturn that takes TURN REST API credentials made from
        turn_secret() (coturn cannot mix them with static users in one
        process: "Shared secret overrides username/password")."""
        return REST_ADDR, STUN_PORT

    def turn_secret(self) -> str:
        return self.turn_secret_value

    def turn_rest_credentials(self, user: str = "pixelpass", ttl: int = 600) -> (str, str):
        """(username, password) for the REST coturn: "<expiry>:<user>" and
        base64(HMAC-SHA1(secret, username))."""
        import base64
        import hashlib
        import hmac
        username = f"{int(time.time()) + ttl}:{user}"
        digest = hmac.new(self.turn_secret_value.encode(), username.encode(), hashlib.sha1).digest()
        return username, base64.b64encode(digest).decode()

    def turn_log(self, which: str = "lt") -> Path:
        return self.dir / f"turnserver-{which}.log"

    def _coturn_conf(self, which: str) -> str:
        common = [
            f"listening-port={STUN_PORT}",
            f"min-port={RELAY_MIN_PORT}",
            f"max-port={RELAY_MAX_PORT}",
            "fingerprint",
            "lt-cred-mech",
            f"realm={TURN_REALM}",
            "no-tls",
            "no-dtls",
            "no-tcp-relay",
            "no-cli",
            "no-multicast-peers",
            "no-dynamic-ip-list",
            "no-dynamic-realms",
            "no-auth-pings",
            f"userdb={self.dir}/turndb-{which}",
            f"log-file={self.turn_log(which)}",
            "simple-log",
            "no-stdout-log",
            "log-binding",
            f"pidfile={self.dir}/turnserver-{which}.pid",
            # Peers on the public segment's server addresses (relay-to-relay
            # between two allocations, on one coturn or across both) are
            # allowed explicitly; loopback peers stay refused.
            f"allowed-peer-ip={SERVER_ADDR}",
            f"allowed-peer-ip={REST_ADDR}",
        ]
        if which == "lt":
            specific = [
                # Two listening addresses make coturn answer RFC 5780 NAT
                # behaviour discovery (CHANGE-REQUEST; alternate port 3479),
                # which miniupnpd's ext_perform_stun check needs.
                f"listening-ip={SERVER_ADDR}",
                f"listening-ip={SERVER_ALT_ADDR}",
                f"relay-ip={SERVER_ADDR}",
                f"user={TURN_USER}:{TURN_PASS}",
            ]
        else:
            specific = [
                f"listening-ip={REST_ADDR}",
                f"relay-ip={REST_ADDR}",
                "use-auth-secret",
                f"static-auth-secret={self.turn_secret_value}",
            ]
        return "\n".join(specific + common + [""])

    def start_turn(self, timeout: float = 10.0) -> None:
        """Starts both coturn instances and waits until they answer STUN."""
        for which, address in (("lt", SERVER_ADDR), ("rest", REST_ADDR)):
            conf = self.dir / f"turnserver-{which}.conf"
            conf.write_text(self._coturn_conf(which))
            out = open(self.dir / f"turnserver-{which}.out", "ab")
            self._turn_procs[which] = self.popen(self.server, ["turnserver", "-c", str(conf)],
                                                 stdout=out, stderr=subprocess.STDOUT)
            out.close()
        for which, address in (("lt", SERVER_ADDR), ("rest", REST_ADDR)):
            self._wait_stun(address, timeout, which)

    def _wait_stun(self, address: str, timeout: float, which: str) -> None:
        code = (
            "import socket,os,sys,time\n"
            "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.settimeout(0.2)\n"
            "end=time.time()+float(sys.argv[1])\n"
            "while time.time()<end:\n"
            "  s.sendto(b'\\x00\\x01\\x00\\x00\\x21\\x12\\xa4\\x42'+os.urandom(12),(sys.argv[2],int(sys.argv[3])))\n"
            "  try:\n"
            "    d,_=s.recvfrom(2048)\n"
            "    if d[:2]==b'\\x01\\x01': sys.exit(0)\n"
            "  except OSError: time.sleep(0.1)\n"
            "sys.exit(1)\n")
        proc = self.python(self.server, code, str(timeout), address, str(STUN_PORT), timeout=timeout + 5)
        if proc.returncode != 0:
            log = self.turn_log(which)
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise LabError(f"coturn ({which}) did not answer STUN on {address} within {timeout}s; log tail:\n{tail}")

    def stop_turn(self) -> None:
        for which in list(self._turn_procs):
            self.stop(self._turn_procs.pop(which))

    def restart_turn(self) -> None:
        """Stops both coturns (every allocation is lost) and starts them again."""
        self.stop_turn()
        self.start_turn()

    # ----- mainline DHT ----------------------------------------------------------

    def start_dht(self, count: int = 20, timeout: float = 30.0, min_nodes: int = 5) -> List[str]:
        """Starts `count` real mainline DHT nodes (libtorrent sessions, one
        process: Tests/netlab/dht_nodes.py under /usr/bin/python3) in the
        public namespace, node k on 192.0.2.(200+k):6881, bootstrapped from
        one another, and waits until each has `min_nodes` nodes in its
        routing table. Returns their "IP:PORT" addresses. The process is
        stopped at close() (or stop_dht())."""
        if self._dht_proc is not None and self._dht_proc.poll() is None:
            return list(self.dht_addresses)
        if not 2 <= count <= DHT_MAX_NODES:
            raise LabError(f"DHT node count must be 2..{DHT_MAX_NODES}")
        check = _sh([SYSTEM_PYTHON, "-c", "import libtorrent"], check=False)
        if check.returncode != 0:
            raise LabError(f"{SYSTEM_PYTHON} cannot import libtorrent (apt-get install python3-libtorrent): "
                           f"{check.stderr.strip()[-300:]}")
        ips = [f"{PUBLIC_NET}.{DHT_FIRST_HOST + k}" for k in range(count)]
        present = self.ns_exec(self.server.netns, ["ip", "-o", "-4", "addr", "show", "dev", "eth0"]).stdout
        for ip in ips:
            if f" {ip}/" not in present:
                self.ns_exec(self.server.netns, ["ip", "addr", "add", f"{ip}/24", "dev", "eth0"])
        self.dht_addresses = [f"{ip}:{DHT_PORT}" for ip in ips]
        argv = [SYSTEM_PYTHON, "-u", str(HERE / "dht_nodes.py"), "--min-nodes", str(min_nodes),
                "--timeout", str(timeout)]
        for address in self.dht_addresses:
            argv += ["--node", address]
        log = open(self.dht_log(), "ab")
        started = time.monotonic()
        self._dht_proc = self.popen(self.server, argv, stdout=subprocess.PIPE, stderr=log)
        log.close()
        line = self._read_line(self._dht_proc, timeout + 5)
        if line != "ready":
            self.stop(self._dht_proc)
            tail = self.dht_log().read_text(errors="replace")[-2000:]
            raise LabError(f"DHT nodes not ready (got {line!r}); log tail:\n{tail}")
        self.dht_start_seconds = time.monotonic() - started
        self._save_state()
        return list(self.dht_addresses)

    @staticmethod
    def _read_line(proc: subprocess.Popen, timeout: float) -> str:
        import select
        deadline = time.monotonic() + timeout
        line = b""
        while not line.endswith(b"\n"):
            ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            byte = os.read(proc.stdout.fileno(), 1)
            if not byte:
                break
            line += byte
        return line.decode(errors="replace").strip()

    def stop_dht(self) -> None:
        if self._dht_proc is not None:
            self.stop(self._dht_proc)
            self._dht_proc = None

    def dht_log(self) -> Path:
        return self.dir / "dht-nodes.log"

    def dht_nodes(self) -> List[str]:
        """Every DHT node's "IP:PORT" (empty before start_dht())."""
        return list(self.dht_addresses)

    def dht_bootstrap(self, n: int = 3) -> List[str]:
        """`n` DHT nodes to give a program as its bootstrap nodes (the first,
        the middle and the last one, so they are not neighbours in id space
        by construction)."""
        if not self.dht_addresses:
            raise LabError("no DHT nodes: call start_dht() first")
        nodes = self.dht_addresses
        picks = [nodes[0], nodes[len(nodes) // 2], nodes[-1]][:n] if n <= 3 else nodes[:n]
        return list(dict.fromkeys(picks))

    def krpc(self, node: NodeLike, *args: str, timeout: float = 15.0) -> List[dict]:
        """Runs Tests/netlab/krpc.py (a pure-Python KRPC client) inside the
        node against every lab DHT node; returns its JSON lines."""
        if not self.dht_addresses:
            raise LabError("no DHT nodes: call start_dht() first")
        proc = self.run(node, [sys.executable, str(HERE / "krpc.py"), *args, "--nodes", ",".join(self.dht_addresses)],
                        timeout=timeout)
        out = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
        if proc.returncode != 0 or not out:
            raise LabError(f"krpc.py {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()[-1000:]}")
        return out

    def dht_get_peers(self, infohash_hex: str, node: Optional[NodeLike] = None) -> List[str]:
        """The peers ("ip:port") every lab DHT node stores for the infohash
        (40 hex digits): a KRPC get_peers to each node (not a lookup: the lab
        asks all of them), sent from `node` (default: the public namespace)."""
        return self.krpc(node or self.server, "get-peers", infohash_hex)[-1]["values"]

    def count_dht_traffic(self, node: NodeLike) -> None:
        """Adds nftables counters in the node's namespace (output hook, so
        before any NAT) on UDP to the lab's DHT node addresses, and (input
        hook) on UDP from them; read them with dht_bytes_sent() and
        dht_bytes_received(). Adding them again resets them."""
        if not self.dht_addresses:
            raise LabError("no DHT nodes: call start_dht() first")
        n = self.node(node)
        first, last = self.dht_addresses[0].split(":")[0], self.dht_addresses[-1].split(":")[0]
        self.ns_exec(n.netns, ["nft", "delete", "table", "inet", "pp_dht_count"], check=False)
        ruleset = (f"table inet pp_dht_count {{\n    chain out {{\n"
                   f"        type filter hook output priority 0; policy accept;\n"
                   f"        ip daddr {first}-{last} udp dport {DHT_PORT} counter\n    }}\n"
                   f"    chain in {{\n"
                   f"        type filter hook input priority 0; policy accept;\n"
                   f"        ip saddr {first}-{last} udp sport {DHT_PORT} counter\n    }}\n}}\n")
        self.ns_exec(n.netns, ["nft", "-f", "-"], input=ruleset)

    def dht_bytes_sent(self, node: NodeLike) -> int:
        """Bytes (IP packets) the node sent to the DHT nodes since
        count_dht_traffic(node)."""
        return self._dht_counter(node, "out")

    def dht_bytes_received(self, node: NodeLike) -> int:
        """Bytes (IP packets) the node received from the DHT nodes since
        count_dht_traffic(node)."""
        return self._dht_counter(node, "in")

    def _dht_counter(self, node: NodeLike, chain: str) -> int:
        out = self.ns_exec(self.node(node).netns, ["nft", "-j", "list", "table", "inet", "pp_dht_count"]).stdout
        for item in json.loads(out).get("nftables", []):
            rule = item.get("rule", {})
            if rule.get("chain") != chain:
                continue
            for expr in rule.get("expr", []):
                if "counter" in expr:
                    return int(expr["counter"]["bytes"])
        raise LabError("no DHT traffic counter: call count_dht_traffic() first")

    # ----- NAT and link tweaks --------------------------------------------------

    def flush_conntrack(self, router: NodeLike) -> None:
        """Forgets every NAT mapping of the router (as after a router reboot
        or a mapping timeout): the next outbound packet gets a new mapping."""
        r = self.node(router)
        self.ns_exec(r.netns, ["conntrack", "-F"], check=False)

    def conntrack(self, router: NodeLike) -> str:
        return self.ns_exec(self.node(router).netns, ["conntrack", "-L"], check=False).stdout

    def set_loss(self, node: NodeLike, percent: int, interface: Optional[str] = None) -> str:
        """Drops `percent`% of packets in both directions on the node's
        interface (default: its uplink, "wan" on routers, "eth0" elsewhere).
        Uses netem when the kernel has it, otherwise nftables numgen. Returns
        which one ("netem" or "nftables"). percent 0 removes the loss."""
        n = self.node(node)
        iface = interface or ("wan" if isinstance(n, Router) else ("pub" if n is self.core else "eth0"))
        self.ns_exec(n.netns, ["tc", "qdisc", "del", "dev", iface, "root"], check=False)
        self.ns_exec(n.netns, ["nft", "delete", "table", "netdev", f"pp_loss_{iface}"], check=False)
        self.ns_exec(n.netns, ["nft", "delete", "table", "inet", f"pp_loss_{iface}"], check=False)
        if percent <= 0:
            return "none"
        netem = self.ns_exec(n.netns, ["tc", "qdisc", "add", "dev", iface, "root", "netem", "loss",
                                       f"{percent}%"], check=False)
        # Ingress (and egress when there is no netem) through nftables netdev
        # hooks: ingress drops before conntrack and NAT see a packet, egress
        # drops on the way out without the EPERM a postrouting drop would
        # return to a local sender. Kernels without the egress hook (< 5.16)
        # drop outbound in postrouting instead.
        table = f"pp_loss_{iface}"
        rule = "drop" if percent >= 100 else f"numgen random mod 100 < {percent} drop"

        def chain(name: str, hook: str) -> str:
            return (f"    chain {name} {{\n        type filter hook {hook} device \"{iface}\" priority 0;\n"
                    f"        {rule}\n    }}\n")

        ruleset = f"table netdev {table} {{\n" + chain("in", "ingress")
        if netem.returncode != 0:
            ruleset += chain("out", "egress")
        ruleset += "}\n"
        res = self.ns_exec(n.netns, ["nft", "-f", "-"], input=ruleset, check=False)
        if res.returncode != 0 and netem.returncode != 0:
            ruleset = (f"table netdev {table} {{\n" + chain("in", "ingress") + "}\n"
                       f"table inet {table} {{\n    chain out {{\n"
                       f"        type filter hook postrouting priority 300;\n"
                       f"        oifname \"{iface}\" {rule}\n    }}\n}}\n")
            res = self.ns_exec(n.netns, ["nft", "-f", "-"], input=ruleset, check=False)
        if res.returncode != 0:
            raise LabError(f"cannot add packet loss on {n.name}/{iface}: {res.stderr.strip()}")
        return "netem" if netem.returncode == 0 else "nftables"

    # ----- link rates (tc tbf) and port forwards --------------------------------

    def _uplink(self, n: Node) -> str:
        return "wan" if isinstance(n, Router) else ("pub" if n is self.core else "eth0")

    def shape(self, node: NodeLike, rate_kbit: int, burst_kbit: int = 32, latency_ms: int = 100,
              interface: Optional[str] = None) -> str:
        """Limits what leaves the node's interface (default: its uplink, "wan"
        on a router: everything its LAN sends out, a home uplink; "eth0" on a
        peer) to `rate_kbit` (1000 bit/s) with a token bucket (tc tbf) whose
        queue holds `latency_ms` of data at that rate (a home router's buffer;
        200-400 ms for a bloated one) beyond `burst_kbit`; what does not fit
        is dropped at the tail. Calling it again changes the rate in place
        (queued packets stay). set_loss() on the same interface removes the
        shaping: add loss first. Returns the tc parameters."""
        n = self.node(node)
        iface = interface or self._uplink(n)
        params = ["tbf", "rate", f"{int(rate_kbit)}kbit", "burst", f"{int(burst_kbit)}kbit",
                  "latency", f"{int(latency_ms)}ms"]
        self.ns_exec(n.netns, ["tc", "qdisc", "replace", "dev", iface, "root", *params])
        return " ".join(params)

    def shape_downlink(self, router: NodeLike, rate_kbit: int, burst_kbit: int = 32, latency_ms: int = 100) -> str:
        """Limits what the router receives from the internet (its LAN's
        download) like shape() does: a tbf on the core's interface toward
        the router's WAN (routers directly on the core only)."""
        r = self.node(router)
        if not isinstance(r, Router) or r.upstream is not None:
            raise LabError(f"{r.name}: shape_downlink() takes a router whose WAN is on the core")
        return self.shape(self.core, rate_kbit, burst_kbit, latency_ms, interface=r.name)

    def unshape(self, node: NodeLike, interface: Optional[str] = None) -> None:
        """Removes shape() (the kernel's default qdisc again)."""
        n = self.node(node)
        self.ns_exec(n.netns, ["tc", "qdisc", "del", "dev", interface or self._uplink(n), "root"], check=False)

    def unshape_downlink(self, router: NodeLike) -> None:
        self.unshape(self.core, interface=self.node(router).name)

    def queue_stats(self, node: NodeLike, interface: Optional[str] = None) -> dict:
        """The root qdisc's counters on the node's interface (default: its
        uplink): kind, bytes and packets sent, drops, overlimits, and the
        backlog now in bytes and packets (`tc -s -j qdisc`)."""
        n = self.node(node)
        out = self.ns_exec(n.netns, ["tc", "-s", "-j", "qdisc", "show", "dev", interface or self._uplink(n)]).stdout
        for q in json.loads(out or "[]"):
            if q.get("root"):
                return {"kind": q.get("kind"), "bytes": q.get("bytes", 0), "packets": q.get("packets", 0),
                        "drops": q.get("drops", 0), "overlimits": q.get("overlimits", 0),
                        "backlog_bytes": q.get("backlog", 0), "backlog_packets": q.get("qlen", 0)}
        return {}

    def downlink_queue_stats(self, router: NodeLike) -> dict:
        return self.queue_stats(self.core, interface=self.node(router).name)

    def forward_port(self, router: NodeLike, peer: NodeLike, port: int, proto: str = "udp") -> str:
        """A port forward on the router, as a user sets one up by hand: its
        WAN address's `port` goes to the peer's same port (DNAT; the filter
        already lets DNAT'ed flows in). Returns "WAN-IP:PORT"."""
        r, p = self.node(router), self.node(peer)
        if not isinstance(r, Router) or proto not in ("udp", "tcp"):
            raise LabError("forward_port() takes a router and udp or tcp")
        self.ns_exec(r.netns, ["nft", "-f", "-"], input=(
            "table ip pp_forward {\n    chain prerouting {\n"
            "        type nat hook prerouting priority dstnat; policy accept;\n    }\n}\n"))
        self.ns_exec(r.netns, ["nft", "add", "rule", "ip", "pp_forward", "prerouting", "iifname", "wan",
                               proto, "dport", str(int(port)), "dnat", "to", f"{p.address}:{int(port)}"])
        return f"{r.address}:{int(port)}"

    # ----- teardown -------------------------------------------------------------

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._dht_proc = None
        for proc in reversed(self._procs):
            self.stop(proc, grace=2.0)
        teardown(self.dir, self.namespaces)


def _ns_pids(netns: str) -> List[int]:
    try:
        out = _sh(["ip", "netns", "pids", netns], check=False, timeout=5).stdout
    except subprocess.TimeoutExpired:
        return []
    return [int(x) for x in out.split() if x.isdigit()]


def teardown(lab_dir: Path, namespaces: Sequence[str]) -> None:
    """Kills whatever still runs inside the lab's namespaces, deletes them and
    the lab's state directory. Only names recorded by the lab are touched."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        left = False
        for ns in namespaces:
            for pid in _ns_pids(ns):
                left = True
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
        if not left:
            break
        deadline = time.time() + 2.0
        while time.time() < deadline and any(_ns_pids(ns) for ns in namespaces):
            time.sleep(0.05)
    for ns in reversed(list(namespaces)):
        _sh(["ip", "netns", "del", ns], check=False)
    shutil.rmtree(lab_dir, ignore_errors=True)


def list_labs(state_root: Optional[Path] = None) -> List[dict]:
    root = Path(state_root or STATE_ROOT)
    labs = []
    if root.is_dir():
        for state in sorted(root.glob("*/state.json")):
            try:
                labs.append(json.loads(state.read_text()))
            except (OSError, ValueError):
                labs.append({"id": state.parent.name, "namespaces": [], "broken": True})
    return labs


def down(lab_id: Optional[str] = None, state_root: Optional[Path] = None) -> List[str]:
    """Removes one lab (or every recorded lab) made by this module. Returns
    the ids removed."""
    root = Path(state_root or STATE_ROOT)
    removed = []
    for state in list_labs(root):
        if lab_id is not None and state["id"] != lab_id:
            continue
        namespaces = [ns for ns in state.get("namespaces", []) if ns.startswith(f"pp-{state['id']}-")]
        for pid in state.get("pids", []):
            try:
                # only processes still inside our namespaces are ours
                if any(pid in _ns_pids(ns) for ns in namespaces):
                    os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        teardown(root / state["id"], namespaces)
        removed.append(state["id"])
    return removed
