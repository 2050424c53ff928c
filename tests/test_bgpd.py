"""OpenBGPD declarations (parsers/bgpd.py): the generic declaration checks, formats.md section 6's
line, every format string, and descriptions / shutdown communications that must not move the peer."""

import pytest

from mxlog.engine import parse_lines
from mxlog.selfcheck import check_parser
from parsers import REGISTRY
from parsers.bgpd import BGPD

HDR = "Nov 24 09:59:00 gw bgpd[1702]: "


def one(msg):
    result = parse_lines([HDR + msg], parsers=[BGPD])
    assert result.unparsed.select("raw", "reason").rows() == []
    (row,) = result.tables[BGPD.table].to_dicts()
    return row


def test_selfcheck():
    others = [p for p in REGISTRY if p.name != BGPD.name]
    assert check_parser(BGPD, others) == []


def test_formats_md_line():
    row = one("neighbor 192.0.2.201 (spamd-bgp): state change OpenConfirm -> Established, "
              "reason: KEEPALIVE message received")
    assert (row["pid"], row["event"], row["ip"], row["descr"], row["old_state"], row["new_state"], row["reason"]) == (
        1702, "state-change", "192.0.2.201", "spamd-bgp", "OpenConfirm", "Established", "KEEPALIVE message received")


@pytest.mark.parametrize(
    "reason",
    ["None", "Start", "Stop", "Connection opened", "Connection closed", "Connection open failed", "Fatal error",
     "ConnectRetryTimer expired", "HoldTimer expired", "KeepaliveTimer expired", "SendHoldTimer expired",
     "OPEN message received", "KEEPALIVE message received", "UPDATE message received",
     "NOTIFICATION received", "graceful NOTIFICATION received"],
)
def test_every_fsm_event(reason):
    row = one(f"neighbor 192.0.2.201 (spamd-bgp): state change Established -> Idle, reason: {reason}")
    assert row["reason"] == reason


@pytest.mark.parametrize(
    "descr",
    ["a) b", "x: y", "feed (AS65001): backup", "(", "weird): state chang"],
)
def test_description_with_parens_and_colons(descr):
    row = one(f"neighbor 192.0.2.201 ({descr}): state change Active -> OpenSent, reason: Connection opened")
    assert (row["descr"], row["ip"], row["new_state"]) == (descr, "192.0.2.201", "OpenSent")


def test_notifications():
    row = one('neighbor 192.0.2.201 (spamd-bgp): received notification: Cease, administratively down: '
              'reason "neighbor 6.6.6.6 (x): state change Idle -> Established, reason: Start"')
    assert (row["event"], row["ip"], row["descr"], row["error"], row["suberror"]) == (
        "notification", "192.0.2.201", "spamd-bgp", "Cease", "administratively down")
    assert row["reason"] == "neighbor 6.6.6.6 (x): state change Idle -> Established, reason: Start"
    row = one("neighbor 192.0.2.201: received notification, unknown errcode 9, subcode 1")
    assert (row["errcode"], row["subcode"], row["descr"]) == (9, 1, None)


def test_notification_data_dump():
    result = parse_lines(
        [HDR + "neighbor 192.0.2.201 (spamd-bgp): notification data",
         HDR + "       0: 40 01 01 00 40 02 06 02 01 00 00 fd e9",
         HDR + "      16: 80 04"],
        parsers=[BGPD],
    )
    rows = result.tables[BGPD.table].to_dicts()
    assert [(r["event"], r["offset"]) for r in rows] == [
        ("notification-data", None), ("notification-dump", 0), ("notification-dump", 16)]


def test_non_peer_and_collision():
    assert one("connection from non-peer 2001:db8::66 refused")["ip"] == "2001:db8::66"
    row = one("Connection attempt from neighbor 192.0.2.0/24 (range) while session is in state Established")
    assert (row["ip"], row["masklen"], row["descr"], row["new_state"]) == ("192.0.2.0", 24, "range", "Established")
