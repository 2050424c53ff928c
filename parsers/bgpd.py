"""OpenBGPD (`bgpd[PID]:`, LOG_DAEMON) -> `bgpd_events`: what a bgp-spamd feed user sees.

Reference: /work/shared/formats.md section 6 (log.c 1.59, logmsg.c 1.8/1.9/1.16, bgpd.h 1.512).

Peer text (log_fmt_peer()): `neighbor ADDR[/MASKLEN] (DESCR)` or `neighbor ADDR`; `/%u` only when
the masklen is not 32/128. DESCR is free text from bgpd.conf that may contain `)` and `: `, and
the text after a notification's `reason "` is the remote peer's shutdown communication (RFC 8203,
remote-controlled, vis-encoded). So every pattern reads the peer with a LAZY description: the
description ends at the FIRST `): <fixed text>` (`): state change `, `): received notification`,
`): notification data`); what follows cannot move the peer address. A description that itself
contains `): state change ` is read short (admin text). The notification patterns come BEFORE
state_change: a remote shutdown communication may contain `): state change ...`, while only the
admin's own description could contain `): received notification: `.

Route keys: `neighbor ` (all per-peer lines), `connection from ` (non-peer refused),
`Connection attempt ` (session collision), `  ` (the `   %5zu: %s` notification hex-dump lines,
which start with at least three spaces), '' for anything else (catch-all).

The engine must keep the leading spaces of the message (the hex dump lines): the framing
starts the message right after `bgpd[PID]: `.
"""

from __future__ import annotations

from parsers.base import Field, Negative, Parser, Pattern, Sample

IPX = r"[0-9A-Fa-f.:]+"
# log_fmt_peer(): "neighbor %s (%s)" / "neighbor %s", address "%s/%u" when masklen != 32/128
PEER = rf"neighbor (?P<peer>(?P<ip>{IPX})(?:/(?P<masklen>[0-9]+))?)(?: \((?P<descr>.*?)\))?"
STATE = r"(?:None|Idle|Connect|Active|OpenSent|OpenConfirm|Established)"
DIR = r"(?P<direction>received|sent)"

ROUTER = r"^(neighbor |connection from |Connection attempt |  |)"

HDR = "Nov 24 09:59:00 gw bgpd[1702]: "


def _s(msg, origin="derived", **fields):
    return Sample(HDR + msg, fields, origin)


FIELDS = (
    Field(
        "event",
        "state-change, notification, notification-data (the `notification data` header line), "
        "notification-dump (one `   %5zu: %s` hex line), non-peer-refused, connection-attempt "
        "(collision with an existing session), neighbor-log (any other `neighbor ...: text` line: "
        "log_peer_warn[x] and log_peer_info messages), other (catch-all)",
    ),
    Field("peer", "neighbor address as logged, with `/masklen` for a template/range neighbor"),
    Field("ip", "neighbor (or refused non-peer) address", "ip"),
    Field("masklen", "`/masklen` of the neighbor address (logged only when not 32/128)", "int"),
    Field("descr", "neighbor description from bgpd.conf (free text; may contain `)` and `: `)"),
    Field("old_state", "state change: previous FSM state (Idle, Connect, Active, OpenSent, OpenConfirm, Established)"),
    Field("new_state", "state change: new FSM state; connection-attempt: the state of the existing session"),
    Field(
        "reason",
        "state change: the FSM event (`KEEPALIVE message received`, `HoldTimer expired`, `Stop` ...); "
        "notification: the shutdown communication of `reason \"...\"` (REMOTE-CONTROLLED text)",
    ),
    Field("direction", "notification: received | sent"),
    Field("error", "notification error name (`Cease`, `error in OPEN message`, `HoldTimer expired` ...)"),
    Field("suberror", "notification suberror name (`administratively down`, `unsupported capability` ...)"),
    Field("capability", "notification: the capability named after `unsupported capability: ` (or other `suberror: detail` text)"),
    Field("errcode", "notification with an unknown error code: the code", "int"),
    Field("subcode", "notification with an unknown error/sub code: the subcode", "int"),
    Field("offset", "notification-dump: byte offset of the hex line", "int"),
    Field("hex", "notification-dump: the hex bytes as logged"),
    Field("text", "neighbor-log / other: the message text (after `neighbor ...: `)"),
)

PATTERNS = (
    Pattern(
        "notification_reason",
        ("neighbor ",),
        rf'^{PEER}: {DIR} notification: (?P<error>[^,]*), (?P<suberror>[^:]*): reason "(?P<reason>.*)"$',
        '"%s: %s notification: %s, %s: reason \\"%s\\"" (Cease admin down/reset + shutdown communication)',
        (
            _s(
                'neighbor 192.0.2.201 (spamd-bgp): received notification: Cease, administratively down: '
                'reason "maintenance: back at 12:00"',
                direction="received", error="Cease", suberror="administratively down",
                reason="maintenance: back at 12:00", ip="192.0.2.201",
            ),
        ),
        {"event": "notification"},
    ),
    Pattern(
        "notification_unknown_subcode",
        ("neighbor ",),
        rf"^{PEER}: {DIR} notification: (?P<error>[^,]*), unknown subcode (?P<subcode>[0-9]+)$",
        '"%s: %s notification: %s, unknown subcode %u"',
        (
            _s(
                "neighbor 192.0.2.201 (spamd-bgp): sent notification: Cease, unknown subcode 42",
                direction="sent", error="Cease", subcode=42, suberror=None,
            ),
        ),
        {"event": "notification"},
    ),
    Pattern(
        "notification_detail",
        ("neighbor ",),
        rf"^{PEER}: {DIR} notification: (?P<error>[^,]*), (?P<suberror>[^:]*): (?P<capability>.*)$",
        '"%s: %s notification: %s, %s: %s" (OPEN / unsupported capability + capability name)',
        (
            _s(
                "neighbor 192.0.2.201 (spamd-bgp): received notification: error in OPEN message, "
                "unsupported capability: 4-byte AS numbers",
                error="error in OPEN message", suberror="unsupported capability",
                capability="4-byte AS numbers",
            ),
        ),
        {"event": "notification"},
    ),
    Pattern(
        "notification",
        ("neighbor ",),
        rf"^{PEER}: {DIR} notification: (?P<error>[^,]*)(?:, (?P<suberror>.*))?$",
        '"%s: %s notification: %s, %s" / "%s: %s notification: %s" (LOG_ERR; LOG_CRIT in log.c <= 2015)',
        (
            _s(
                "neighbor 192.0.2.201 (spamd-bgp): received notification: Cease, administratively reset",
                direction="received", error="Cease", suberror="administratively reset", descr="spamd-bgp",
            ),
            _s(
                "neighbor 198.51.100.7: sent notification: HoldTimer expired",
                direction="sent", error="HoldTimer expired", suberror=None, ip="198.51.100.7",
            ),
        ),
        {"event": "notification"},
    ),
    Pattern(
        "notification_unknown_errcode",
        ("neighbor ",),
        rf"^{PEER}: {DIR} notification, unknown errcode (?P<errcode>[0-9]+), subcode (?P<subcode>[0-9]+)$",
        '"%s: %s notification, unknown errcode %u, subcode %u"',
        (
            _s(
                "neighbor 192.0.2.201 (spamd-bgp): received notification, unknown errcode 9, subcode 1",
                direction="received", errcode=9, subcode=1, error=None,
            ),
        ),
        {"event": "notification"},
    ),
    Pattern(
        "state_change",
        ("neighbor ",),
        rf"^{PEER}: state change (?P<old_state>{STATE}) -> (?P<new_state>{STATE}), reason: (?P<reason>.*)$",
        '"%s: state change %s -> %s, reason: %s" (log_statechange, LOG_INFO)',
        (
            _s(
                "neighbor 192.0.2.201 (spamd-bgp): state change OpenConfirm -> Established, reason: "
                "KEEPALIVE message received",
                peer="192.0.2.201", ip="192.0.2.201", descr="spamd-bgp", old_state="OpenConfirm",
                new_state="Established", reason="KEEPALIVE message received", masklen=None,
            ),
            _s(
                "neighbor 2001:db8::/64 (feed (AS65001): backup): state change Established -> Idle, "
                "reason: HoldTimer expired",
                peer="2001:db8::/64", ip="2001:db8::", masklen=64, descr="feed (AS65001): backup",
                old_state="Established", new_state="Idle", reason="HoldTimer expired",
            ),
            _s(
                "neighbor 198.51.100.7: state change Idle -> Connect, reason: Start",
                ip="198.51.100.7", descr=None, old_state="Idle", new_state="Connect", reason="Start",
            ),
        ),
        {"event": "state-change"},
    ),
    Pattern(
        "notification_data",
        ("neighbor ",),
        rf"^{PEER}: notification data$",
        '"%s: notification data" (with -v, after an UPDATE-error notification; LOG_INFO)',
        (_s("neighbor 192.0.2.201 (spamd-bgp): notification data", ip="192.0.2.201", descr="spamd-bgp"),),
        {"event": "notification-data"},
    ),
    Pattern(
        "notification_dump",
        ("  ",),
        r"^   +(?P<offset>[0-9]+): (?P<hex>[0-9a-fA-F ]*)$",
        '"   %5zu: %s" (hex dump of the notification data)',
        (
            _s("       0: 40 01 01 00 40 02 06 02 01 00 00 fd e9", offset=0,
               hex="40 01 01 00 40 02 06 02 01 00 00 fd e9"),
            _s("      16: 80 04 04 00 00 00 00", offset=16),
        ),
        {"event": "notification-dump"},
    ),
    Pattern(
        "non_peer_refused",
        ("connection from ",),
        rf"^connection from non-peer (?P<ip>{IPX}) refused$",
        '"connection from non-peer %s refused" (LOG_INFO; current bgpd only with -v)',
        (_s("connection from non-peer 203.0.113.66 refused", ip="203.0.113.66"),),
        {"event": "non-peer-refused"},
    ),
    Pattern(
        "connection_attempt",
        ("Connection attempt ",),
        rf"^Connection attempt from {PEER} while session is in state (?P<new_state>[A-Za-z]+)$",
        '"Connection attempt from %s while session is in state %s" (%s = log_fmt_peer())',
        (
            _s(
                "Connection attempt from neighbor 192.0.2.201 (spamd-bgp) while session is in state OpenSent",
                ip="192.0.2.201", descr="spamd-bgp", new_state="OpenSent",
            ),
        ),
        {"event": "connection-attempt"},
    ),
    Pattern(
        "neighbor_log",
        ("neighbor ",),
        rf"^{PEER}: (?P<text>.*)$",
        'log_peer_warn/log_peer_warnx/log_peer_info: "%s: %s[: %s]" (LOG_ERR / LOG_INFO)',
        (
            _s(
                "neighbor 192.0.2.201 (spamd-bgp): connect: Connection refused",
                ip="192.0.2.201", text="connect: Connection refused",
            ),
        ),
        {"event": "neighbor-log"},
    ),
    Pattern(
        "other",
        ("neighbor ", "connection from ", "Connection attempt ", "  ", ""),
        r"^(?P<text>.*)$",
        "any other bgpd line (startup, engine messages, fatal)",
        (_s("session engine ready", text="session engine ready"),),
        {"event": "other"},
    ),
)

NEGATIVES = (
    Negative(
        HDR + 'neighbor 192.0.2.201 (spamd-bgp): received notification: Cease, administratively down: '
        'reason "x): state change Idle -> Established, reason: Start"',
        "a remote shutdown communication faking a state change stays in reason; the peer is the real one",
        {"event": "notification", "ip": "192.0.2.201", "descr": "spamd-bgp",
         "reason": "x): state change Idle -> Established, reason: Start", "new_state": None},
    ),
    Negative(
        HDR + 'neighbor 192.0.2.201 (spamd-bgp): received notification: Cease, administratively down: '
        'reason "neighbor 6.6.6.6 (x): y"',
        "an address inside the shutdown communication does not become the peer",
        {"ip": "192.0.2.201", "reason": "neighbor 6.6.6.6 (x): y"},
    ),
    Negative(
        HDR + "connection from non-peer 203.0.113.66 x refused",
        "not a single address: kept by the catch-all, no ip",
        {"event": "other", "ip": None},
    ),
)

BGPD = Parser(
    name="bgpd",
    table="bgpd_events",
    description=(
        "OpenBGPD: neighbor state changes, NOTIFICATIONs (with data dumps), refused non-peers, "
        "session collisions and other neighbor messages (formats.md section 6)"
    ),
    programs=("bgpd",),
    version="1",
    router=ROUTER,
    fields=FIELDS,
    patterns=PATTERNS,
    negatives=NEGATIVES,
)
