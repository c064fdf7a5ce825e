"""`pixelpass doctor`'s internet rows, measured in the lab: what STUN sees,
how the NAT maps, whether the TURN relay takes the credentials, and whether
the router maps ports."""

from __future__ import annotations

import json

from test_traversal import _binary


def _doctor(lab, node, tmp_path, nat_toml):
    config = tmp_path / "config.toml"
    config.write_text("[nat]\n" + nat_toml)
    r = lab.run(node, [_binary(), "doctor", "--json"], timeout=30,
                env={"PIXELPASS_CONFIG": str(config), "HOME": str(tmp_path), "NO_COLOR": "1"})
    report = json.loads(r.stdout)
    return {row["name"]: row for row in report["checks"]}


def _stun_both(lab):
    ip, port = lab.stun_address()
    rest_ip, rest_port = lab.turn_rest_address()
    return f'stun = ["{ip}:{port}", "{rest_ip}:{rest_port}"]\n'


def test_behind_an_ordinary_nat_with_a_relay(lab, tmp_path):
    h = lab.peer("host", behind="eim")
    ip, port = lab.turn_rest_address()
    rows = _doctor(lab, h, tmp_path, _stun_both(lab) + f'turn = "turn:{ip}:{port}"\nturn_secret = "{lab.turn_secret()}"\n')
    assert rows["stun"]["status"] == "ok" and lab.public_address(h) in rows["stun"]["detail"], rows["stun"]
    assert rows["nat"]["status"] == "ok" and "hole punching" in rows["nat"]["detail"], rows["nat"]
    assert rows["turn"]["status"] == "ok" and "allocated a relay" in rows["turn"]["detail"], rows["turn"]
    assert rows["port mapping"]["status"] == "info", rows["port mapping"]


def test_behind_a_symmetric_nat_with_wrong_turn_credentials(lab, tmp_path):
    h = lab.peer("host", behind="symmetric")
    ip, port = lab.turn_address()
    rows = _doctor(lab, h, tmp_path, _stun_both(lab) + f'turn = "turn:nobody:wrong@{ip}:{port}"\n')
    assert rows["nat"]["status"] == "warning" and "symmetric" in rows["nat"]["detail"], rows["nat"]
    assert rows["turn"]["status"] == "warning" and "credentials" in rows["turn"]["detail"].lower(), rows["turn"]


def test_public_address_and_a_router_that_maps_ports(lab, tmp_path):
    outside = lab.peer("outside")
    rows = _doctor(lab, outside, tmp_path, _stun_both(lab))
    assert rows["nat"]["detail"].startswith("no NAT"), rows["nat"]
    behind_upnp = lab.peer("mapped", behind="upnp")
    rows = _doctor(lab, behind_upnp, tmp_path, _stun_both(lab))
    assert rows["port mapping"]["status"] == "ok" and "mapped" in rows["port mapping"]["detail"], rows["port mapping"]
    assert rows["turn"]["status"] == "info"


def _dht(lab):
    nodes = ", ".join(f'"{node}"' for node in lab.dht_bootstrap())
    return f"dht_bootstrap = [{nodes}]\n"


def test_dht_reachability_and_the_nat_type_the_dht_nodes_report(lab, tmp_path):
    lab.start_dht()
    home = lab.peer("home", behind="eim")
    rows = _doctor(lab, home, tmp_path, _stun_both(lab) + _dht(lab))
    assert rows["dht"]["status"] == "ok" and lab.public_address(home) in rows["dht"]["detail"], rows["dht"]
    assert rows["nat (dht)"]["status"] == "ok" and "hole punching" in rows["nat (dht)"]["detail"], rows["nat (dht)"]
    strict = lab.peer("strict", behind="symmetric")
    rows = _doctor(lab, strict, tmp_path, _stun_both(lab) + _dht(lab))
    assert rows["nat (dht)"]["status"] == "warning" and "symmetric" in rows["nat (dht)"]["detail"], rows["nat (dht)"]


def test_dht_unreachable_and_turned_off(lab, tmp_path):
    h = lab.peer("host", behind="eim")
    # Nothing listens there: the lab's DHT nodes are not started.
    rows = _doctor(lab, h, tmp_path, _stun_both(lab) + 'dht_bootstrap = ["192.0.2.250:6881"]\n')
    assert rows["dht"]["status"] == "warning" and "no DHT node answered" in rows["dht"]["detail"], rows["dht"]
    rows = _doctor(lab, h, tmp_path, _stun_both(lab) + "dht = false\n")
    assert rows["dht"]["status"] == "info" and "off" in rows["dht"]["detail"], rows["dht"]
