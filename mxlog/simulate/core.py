"""The discrete-event simulation behind `mxlog simulate` (see docs/simulate.md)."""

from __future__ import annotations

import heapq
import json
import math
import os
import random
import time as _time
from datetime import datetime, timezone
from pathlib import Path

from mxlog.simulate.formats import DOVECOT, SMTPD
from mxlog.simulate.output import PflogFile, SyslogFile

# ---------------------------------------------------------------------------- constants

DOMAIN = "example.org"
PASSTIME = 120            # spamd -G 2:4:864
GREYEXP = 4 * 3600
WHITEEXP = 864 * 3600
TRAPEXP = 24 * 3600
SCAN_INTERVAL = 60        # grey.c DB_SCAN_INTERVAL
THRESHOLD = 5.0
RULES_V = "1917487"
BGP_PEER = "neighbor 192.0.2.201 (spamd-bgp)"
USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
         "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "zoe"]
SPAMTRAPS = ["trap@example.org", "old-sales@example.org"]
MTA_SCHEDULES = {  # minutes between attempts
    "opensmtpd": [5, 10, 20, 40, 80, 160],
    "postfix": [5, 10, 20, 40, 70, 70, 70],
    "exim": [15, 15, 15, 15, 60, 60, 60],
    "bigmail": [5, 10, 15, 20, 30, 30, 60, 60],  # rotates source IPs
}
TLS = ["TLSv1.3:TLS_AES_256_GCM_SHA384:256", "TLSv1.3:TLS_CHACHA20_POLY1305_SHA256:256",
       "TLSv1.2:ECDHE-RSA-AES256-GCM-SHA384:256"]
SUBJECTS = ["You have WON", "Cheap meds online", "Re: invoice overdue", "Your account is suspended",
            "Hot singles near you", "Crypto profits guaranteed"]
SPAM_LISTS = [("bgp-spamd",), ("nixspam",), ("bgp-spamd", "nixspam"), ("uatraps",), ("bgp-spamd", "uatraps")]


def iso(t: float | None) -> str | None:
    if t is None:
        return None
    return datetime.fromtimestamp(round(t, 3), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def dur(s: float) -> str:
    """OpenSMTPD duration_to_text()."""
    s = int(s)
    if s == 0:
        return "0s"
    neg, s = s < 0, abs(s)
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    out = ("-" if neg else "") + (f"{d}d" if d else "") + (f"{h}h" if h else "") + (f"{m}m" if m else "") + (f"{s}s" if s else "")
    return out


def pct(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    v = sorted(values)

    def q(p):
        k = (len(v) - 1) * p
        lo, hi = math.floor(k), math.ceil(k)
        return round(v[lo] + (v[hi] - v[lo]) * (k - lo), 3)

    return {"n": len(v), "min": round(v[0], 3), "p50": q(0.5), "p90": q(0.9), "p99": q(0.99), "max": round(v[-1], 3)}


# ---------------------------------------------------------------------------- hosts


class Host:
    def __init__(self, sim, name, ip, primary):
        self.sim, self.name, self.ip, self.primary = sim, name, ip, primary
        self.fqdn = f"{name}.{DOMAIN}"
        out = sim.out / name
        out.mkdir(parents=True, exist_ok=True)
        self.maillog = SyslogFile(out / "maillog", name)
        self.daemon = SyslogFile(out / "daemon", name)
        self.pflog = PflogFile(out / "pflog1.pcap", name)
        r = sim.rng_host = random.Random(f"{sim.seed}:host:{name}")
        self.rng = r
        self.smtpd_pid = r.randint(20000, 90000)
        self.spamd_pid = r.randint(2000, 9000)
        self.grey_pid = self.spamd_pid - 1
        self.spamlogd_pid = r.randint(2000, 9000)
        self.spampd_pid = r.randint(2000, 9000)
        self.dkim_pid = r.randint(2000, 9000)
        self.bgpd_pid = r.randint(1000, 9000)
        self.rule_pid = r.randint(1000, 90000)
        self.counter = r.getrandbits(32)
        self.lmtp_pid = r.randint(30000, 60000)
        self.mail_pid = r.randint(60000, 90000)
        self.spamd_conns: list = []  # heap of (end_t, black)
        self.queue: list = []  # backup MX: messages waiting for mx1
        self.fmt = sim.smtpd_fmt_cls()  # smtpd line formats of the chosen family
        self.dv = sim.dovecot_fmt

    def files(self):
        return (self.maillog, self.daemon, self.pflog)

    def sid(self) -> str:
        self.counter = (self.counter + 1) & 0xFFFFFFFF
        return "%08x%08x" % (self.counter, self.rng.getrandbits(32))

    def msgid(self) -> str:
        return "%08x" % self.rng.getrandbits(32)

    def evpid(self, m: str) -> str:
        return m + "%08x" % self.rng.getrandbits(32)

    def smtpd(self, t, text):
        self.maillog.push(int(t), f"smtpd[{self.smtpd_pid}]: {text}")

    def mail(self, t, prog, text):
        self.maillog.push(int(t), f"{prog}: {text}")

    def dmn(self, t, prog, text):
        self.daemon.push(int(t), f"{prog}: {text}")

    def spamd_count(self, t, black):
        h = self.spamd_conns
        while h and h[0][0] <= t:
            heapq.heappop(h)
        clients = len(h) + 1
        blackcount = sum(1 for _, b in h if b) + (1 if black else 0)
        return clients, blackcount


# ---------------------------------------------------------------------------- journeys


class Journeys:
    def __init__(self, sim, path: Path):
        self.sim = sim
        self.fh = open(path, "w", encoding="utf-8", newline="\n")
        self.n = 0
        self.open: dict[str, dict] = {}
        self.count = 0
        self.by_status: dict[str, int] = {}
        self.by_direction: dict[str, int] = {}
        self.by_dir_status: dict[str, int] = {}
        self.stage_lat: dict[str, list] = {}
        self.e2e: list[float] = []
        self.bytes = 0

    def new(self, t, direction, **kw) -> dict:
        self.n += 1
        j = {
            "journey_id": f"j{self.n:08d}", "direction": direction, "via_backup": False,
            "first_host": None, "final_host": None, "client_ips": [], "helo": None,
            "mail_from": None, "rcpt_to": None, "message_id": None, "msgids": [],
            "greylisted": False, "grey_first_ts": None, "grey_passed_ts": None, "grey_attempts": 0,
            "blacklists": [], "spam_verdict": None, "spam_score": None,
            "first_seen_ts": t, "accepted_ts": None, "delivered_ts": None,
            "final_status": "in_flight", "remote_result": None, "bounce_of": None, "stages": [],
        }
        j.update(kw)
        self.open[j["journey_id"]] = j
        return j

    def stage(self, j, name, host, t0, t1, msgid=None):
        j["stages"].append({"stage": name, "host": host, "ts_start": t0, "ts_end": t1, "msgid": msgid})

    def finish(self, j, status, t=None):
        j["final_status"] = status
        if status == "delivered" and t is not None:
            j["delivered_ts"] = t
        self._write(j)
        del self.open[j["journey_id"]]

    def _write(self, j):
        self.count += 1
        st, d = j["final_status"], j["direction"]
        self.by_status[st] = self.by_status.get(st, 0) + 1
        self.by_direction[d] = self.by_direction.get(d, 0) + 1
        self.by_dir_status[f"{d}/{st}"] = self.by_dir_status.get(f"{d}/{st}", 0) + 1
        for s in j["stages"]:
            self.stage_lat.setdefault(s["stage"], []).append(s["ts_end"] - s["ts_start"])
        if j["delivered_ts"] is not None:
            self.e2e.append(j["delivered_ts"] - j["first_seen_ts"])
        rec = {k: v for k, v in j.items() if not k.startswith("_")}
        for k in ("first_seen_ts", "accepted_ts", "delivered_ts", "grey_first_ts", "grey_passed_ts"):
            rec[k] = iso(rec[k])
        rec["stages"] = [dict(s, ts_start=iso(s["ts_start"]), ts_end=iso(s["ts_end"])) for s in j["stages"]]
        line = json.dumps(rec, sort_keys=True, separators=(",", ":")) + "\n"
        self.bytes += len(line.encode())
        self.fh.write(line)

    def close(self):
        for jid in list(self.open):
            self._write(self.open.pop(jid))
        self.fh.close()


# ---------------------------------------------------------------------------- messages


class Msg:
    """One message as a sending MTA holds it (one or more recipients, retried as a unit)."""

    __slots__ = ("kind", "sender", "helo", "rdns", "ips", "rcpts", "journeys", "schedule", "attempt",
                 "message_id", "size", "spam", "score", "lists", "pref_host", "backup_host", "first_t",
                 "retry_early", "mx2_msgid", "mx2_evpids", "mx2_accept_t")

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))


# ---------------------------------------------------------------------------- simulation


class Sim:
    def __init__(self, out: Path, seed: int, days: int, start: datetime, rate: float,
                 spamd_verbose: bool, spamd_debug: bool, smtpd_format: str = "E", dovecot: str = "2.3"):
        self.out, self.seed, self.days, self.rate = out, seed, days, rate
        self.smtpd_fmt_cls = SMTPD[smtpd_format]
        self.dovecot_fmt = DOVECOT[dovecot]()
        self.verbose, self.debug = spamd_verbose, spamd_debug
        self.t0 = start.timestamp()
        self.t_end = self.t0 + days * 86400
        self.now = self.t0
        self.events: list = []
        self.eseq = 0
        self.r = random.Random(f"{seed}:main")
        self.hosts = {n: Host(self, n, ip, n == "mx1") for n, ip in
                      (("mx1", "192.0.2.10"), ("mx2", "198.51.100.10"), ("mx3", "203.0.113.10"))}
        self.mx1 = self.hosts["mx1"]
        (out / "truth").mkdir(parents=True, exist_ok=True)
        self.J = Journeys(self, out / "truth" / "journeys.jsonl")
        # spamd database (synced between the three spamd with -Y/-y: one logical db)
        self.grey: dict[tuple, dict] = {}   # (ip, helo, from, to) -> entry
        self.white: dict[str, dict] = {}    # ip -> {first, pass, expire, bcount, pcount}
        self.trapped: dict[str, float] = {}  # ip -> expire
        self.pending_white: dict[str, float] = {}  # ip -> time greyscan whitelists it
        self.stats = {"grey_tuples": 0, "grey_tuples_retried": 0, "grey_tuples_passed": 0, "grey_pass_delays": [],
                      "grey_connections": 0, "black_connections": 0, "trap_events": 0,
                      "blacklist_hits": {}, "whitelisted_ips": 0, "smtpd_sessions": 0,
                      "spampd_spam": 0, "spampd_clean": 0, "bounces": 0, "auth_failures": 0,
                      "imap_logins": 0, "imap_failures": 0, "bgp_flaps": 0, "outages": []}
        self.outage = self._plan_outage()
        self._senders()

    # ---------------------------------------------------------------- population
    def _senders(self):
        r = random.Random(f"{self.seed}:senders")
        self.legit = []
        for i in range(120):
            dom = f"mail{i}.example.net" if i % 3 else f"example{i}.com"
            sub = dom if dom.startswith("mail") else f"mx.{dom}"
            kind = "bigmail" if i % 10 == 0 else r.choice(["opensmtpd", "postfix", "exim"])
            n_ips = 3 if kind == "bigmail" else 1
            ips = [f"198.18.{i}.{10 + k}" for k in range(n_ips)]
            self.legit.append({"domain": dom.removeprefix("mail%d." % i) if False else dom, "helo": sub,
                               "rdns": [f"out{k}.{sub}" for k in range(n_ips)], "ips": ips, "mta": kind,
                               "users": ["news", "info", "noreply", "billing", "jo", "sam"],
                               "weight": 1.0 / (1 + i) ** 0.7})
        self.legit_w = [s["weight"] for s in self.legit]
        # a third of the senders are known: whitelisted before the run started
        for s in self.legit[::3]:
            for ip in s["ips"]:
                first = self.t0 - r.randint(2, 30) * 86400
                self.white[ip] = {"first": first, "pass": first + 900, "expire": self.t0 + r.randint(5, 30) * 86400,
                                  "bcount": r.randint(1, 3), "pcount": r.randint(1, 40)}
        self.lists = [{"domain": "lists.example.com", "helo": "lists.example.com", "ips": ["203.0.113.25"],
                       "rdns": ["lists.example.com"], "sender": "owner-dev@lists.example.com"},
                      {"domain": "announce.example.net", "helo": "mx.announce.example.net", "ips": ["203.0.113.26"],
                       "rdns": ["mx.announce.example.net"], "sender": "bounce-news@announce.example.net"}]
        self.monitor = {"ips": ["203.0.113.40"], "rdns": ["mon.example.net"], "helo": "mon.example.net",
                        "sender": "nagios@mon.example.net"}
        for s in self.lists + [self.monitor]:
            first = self.t0 - 40 * 86400
            self.white[s["ips"][0]] = {"first": first, "pass": first + 700, "expire": self.t0 + 20 * 86400,
                                       "bcount": 1, "pcount": 200}

    def _plan_outage(self):
        r = random.Random(f"{self.seed}:outage")
        if self.days * 86400 < 6 * 3600:
            return None
        start = self.t0 + r.randint(10 * 3600, 15 * 3600)
        return (start, start + r.randint(30, 75) * 60)

    def mx1_down(self, t) -> bool:
        return self.outage is not None and self.outage[0] <= t < self.outage[1]

    # ---------------------------------------------------------------- event loop
    def at(self, t, fn, *args):
        if t >= self.t_end:
            return False
        self.eseq += 1
        heapq.heappush(self.events, (t, self.eseq, fn, args))
        return True

    def run(self):
        for h in range(int(self.days * 24)):
            self.at(self.t0 + h * 3600, self.hour, h)
        for d in range(self.days):
            base = self.t0 + d * 86400
            self.at(base + self.r.randint(3600, 80000), self.bgp_flap)
            self.at(base + self.r.randint(3600, 80000), self.brute_force)
            self.at(base + self.r.randint(600, 82000), self.imap_bruteforce)
        if self.outage:
            self.at(self.outage[0], self.outage_start)
            self.at(self.outage[1], self.outage_end)
        self.startup(self.t0)
        while self.events:
            t, _, fn, args = heapq.heappop(self.events)
            self.now = t
            for h in self.hosts.values():
                for f in h.files():
                    f.flush(t)
            fn(t, *args)
        self.finish()

    def startup(self, t):
        for h in self.hosts.values():
            h.fmt.starting(h, t + 1)
            h.dmn(t + 0, f"spamd[{h.spamd_pid}]", "listening for incoming connections.")
            h.dmn(t + 0, f"bgpd[{h.bgpd_pid}]", f"{BGP_PEER}: state change OpenConfirm -> Established, reason: KEEPALIVE message received")
        self.mx1.mail(t + 2, f"spampd[{self.mx1.spampd_pid}]",
                      f"SpamPD v2.62 [Perl 5.36.0, Net::Server::PreForkSimple 2.014, SA 4.0.1, rules v{RULES_V}] "
                      "starting with: --port=10025 --relayhost=127.0.0.1:10026 --tagall --aw ")

    # ---------------------------------------------------------------- arrivals
    def diurnal(self, hour_of_day: float) -> float:
        return 1.0 + 0.6 * math.sin(2 * math.pi * (hour_of_day - 8) / 24)

    def hour(self, t, h):
        r = random.Random(f"{self.seed}:hour:{h}")
        f = self.diurnal(h % 24 + 0.5)
        lam = self.rate * f
        for kind, share in (("legit", 0.40), ("list", 0.03), ("notify", 0.03), ("bot", 0.30),
                            ("black", 0.14), ("trapbot", 0.03), ("snowshoe", 0.04), ("typo", 0.03)):
            n = self._poisson(r, lam * share)
            for _ in range(n):
                self.at(t + r.random() * 3600, self.arrival, kind, r.getrandbits(32))
        for kind, share in (("outbound", 0.25), ("local", 0.05), ("imap", 0.3), ("pop3", 0.05)):
            for _ in range(self._poisson(r, lam * share)):
                self.at(t + r.random() * 3600, getattr(self, kind), r.getrandbits(32))
        for host in self.hosts.values():
            self.at(t + r.randint(0, 59), self.other_programs, host.name)

    @staticmethod
    def _poisson(r, lam):
        if lam > 50:
            return max(0, int(round(r.gauss(lam, math.sqrt(lam)))))
        L, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= r.random()
            if p <= L:
                return k
            k += 1

    def arrival(self, t, kind, s):
        r = random.Random(s)
        ts = _time.strftime("%Y%m%d%H%M%S", _time.gmtime(t))
        if kind in ("legit", "typo", "snowshoe"):
            src = r.choices(self.legit, self.legit_w)[0] if kind != "snowshoe" else None
            if src is None:
                n = r.randint(0, 255)
                src = {"domain": f"promo{n}.example.com", "helo": f"smtp{n}.promo.example.com", "mta": "postfix",
                       "ips": [f"198.19.{200 + n % 50}.{n}"], "rdns": [f"smtp{n}.promo.example.com"], "users": ["deals"]}
            sender = f"{r.choice(src['users'])}@{src['domain']}"
            if kind == "typo":
                rcpts = [f"{r.choice(USERS)}{r.choice(['x', '1', 'z'])}@{DOMAIN}"]
            else:
                k = 1 if r.random() < 0.85 else r.randint(2, 3)
                rcpts = [f"{u}@{DOMAIN}" for u in r.sample(USERS, k)]
            spam = kind == "snowshoe" or r.random() < 0.02
            score = r.uniform(5.2, 14.0) if spam else r.uniform(-2.5, 3.5)
            m = Msg(kind=kind, sender=sender, helo=src["helo"], rdns=src["rdns"], ips=src["ips"], rcpts=rcpts,
                    schedule=MTA_SCHEDULES[src.get("mta", "postfix")], attempt=0, spam=spam, score=score,
                    message_id=f"<{ts}.{r.getrandbits(40):010x}@{src['helo']}>", size=r.randint(1500, 120000),
                    lists=(), first_t=t, retry_early=False)
            self.deliver_attempt(t, m)
        elif kind == "list":
            src = r.choice(self.lists)
            rcpts = [f"{u}@{DOMAIN}" for u in r.sample(USERS, r.randint(6, 14))]
            m = Msg(kind=kind, sender=src["sender"], helo=src["helo"], rdns=src["rdns"], ips=src["ips"], rcpts=rcpts,
                    schedule=MTA_SCHEDULES["postfix"], attempt=0, spam=False, score=r.uniform(-3, 1),
                    message_id=f"<{ts}.{r.getrandbits(32):08x}@{src['domain']}>", size=r.randint(3000, 30000),
                    lists=(), first_t=t)
            self.deliver_attempt(t, m)
        elif kind == "notify":
            src, rcpt = self.monitor, f"{r.choice(USERS[:4])}@{DOMAIN}"
            for i in range(r.randint(2, 4)):
                m = Msg(kind=kind, sender=src["sender"], helo=src["helo"], rdns=src["rdns"], ips=src["ips"],
                        rcpts=[rcpt], schedule=MTA_SCHEDULES["postfix"], attempt=0, spam=False,
                        score=r.uniform(-1, 1), message_id=f"<{ts}.{i}.{r.getrandbits(32):08x}@mon.example.net>",
                        size=r.randint(900, 2000), lists=(), first_t=t + i * r.randint(1, 3))
                self.at(t + i * r.randint(1, 3), self.deliver_attempt, m)
        else:  # bots
            n = r.getrandbits(16)
            ip = f"198.19.{n >> 8}.{n & 0xFF}"
            dom = f"{r.choice(['bulk', 'win', 'promo', 'xyz'])}{n % 97}.example.com"
            sender = f"{r.choice(['winner', 'info', 'admin', 'sales'])}{n % 13}@{dom}"
            if kind == "trapbot":
                rcpts = [r.choice(SPAMTRAPS)] + ([f"{r.choice(USERS)}@{DOMAIN}"] if r.random() < 0.5 else [])
            else:
                rcpts = [f"{u}@{DOMAIN}" for u in r.sample(USERS, r.randint(1, 3))]
            m = Msg(kind=kind, sender=sender, helo=dom if r.random() < 0.7 else f"[{ip}]", rdns=["<unknown>"], ips=[ip],
                    rcpts=rcpts, schedule=[r.randint(20, 90) / 60.0] if r.random() < 0.3 else [], attempt=0,
                    spam=True, score=r.uniform(6, 30), message_id=f"<{r.getrandbits(48):012x}@{dom}>",
                    size=r.randint(2000, 20000), lists=r.choice(SPAM_LISTS) if kind == "black" else (),
                    first_t=t, retry_early=True)
            m.pref_host = r.choices(["mx1", "mx2", "mx3"], [0.7, 0.15, 0.15])[0]
            self.deliver_attempt(t, m)

    # ---------------------------------------------------------------- inbound attempt (PF decides)
    def deliver_attempt(self, t, m: Msg):
        r = self.r
        if m.journeys is None:
            m.journeys = [self.J.new(t, "inbound", mail_from=m.sender, rcpt_to=rc, message_id=m.message_id,
                                     helo=m.helo) for rc in m.rcpts]
        host_name = m.pref_host or "mx1"
        if host_name == "mx1" and self.mx1_down(t):
            if m.backup_host is None:
                m.backup_host = r.choice(["mx2", "mx3"])
            host_name = m.backup_host
        if self.mx1_down(t) and host_name == "mx1":
            host_name = "mx2"
        host = self.hosts[host_name]
        k = m.attempt
        ip_i = k % len(m.ips)
        ip = m.ips[ip_i]
        rdns = m.rdns[ip_i]
        for j in m.journeys:
            if host_name not in (j["first_host"],) and j["first_host"] is None:
                j["first_host"] = host_name
            if ip not in j["client_ips"]:
                j["client_ips"].append(ip)
        if ip in self.trapped and self.trapped[ip] > t:
            return self.spamd_session(t, host, m, ip, ("spamd-greytrap",))
        if m.lists:
            return self.spamd_session(t, host, m, ip, m.lists)
        w = self.white.get(ip)
        if w and w["expire"] > t and (ip not in self.pending_white or self.pending_white[ip] <= t):
            return self.smtpd_inbound(t, host, m, ip, rdns)
        return self.spamd_session(t, host, m, ip, ())

    # ---------------------------------------------------------------- spamd
    def spamd_session(self, t, host: Host, m: Msg, ip: str, lists: tuple):
        r = self.r
        black = bool(lists)
        js = m.journeys
        # PF: rdr-to spamd is not logged to pflog1 in the seed's pf.conf: no pf stage
        clients, blackcount = host.spamd_count(t, black)
        sp = f"spamd[{host.spamd_pid}]"
        gp = f"spamd[{host.grey_pid}]"
        lt = " ".join(lists)
        host.dmn(t, sp, f"{ip}: connected ({clients}/{blackcount})" + (f", lists: {lt}" if black else ""))
        if black:
            secs = r.randint(60, 480)
            self.stats["black_connections"] += 1
            for name in lists:
                self.stats["blacklist_hits"][name] = self.stats["blacklist_hits"].get(name, 0) + 1
            if self.verbose:
                for i, rc in enumerate(m.rcpts):
                    host.dmn(t + secs * (0.2 + 0.05 * i), sp, f"(BLACK) {ip}: <{m.sender}> -> <{rc}>")
                host.dmn(t + secs * 0.6, sp, f"{ip}: From: <{m.sender}>")
                host.dmn(t + secs * 0.62, sp, f"{ip}: Subject: {r.choice(SUBJECTS)}")
            host.dmn(t + secs, sp, f"{ip}: disconnected after {secs} seconds. lists: {lt}")
            heapq.heappush(host.spamd_conns, (t + secs, True))
            for j in js:
                j["blacklists"] = list(lists)
                self.J.stage(j, "spamd", host.name, t, t + secs)
                self.J.finish(j, "tarpitted")
            return
        secs = r.randint(1, 6)
        heapq.heappush(host.spamd_conns, (t + secs, False))
        self.stats["grey_connections"] += 1
        trapped = False
        # spamd logs every RCPT's tuple; it cannot know a spamtrap: grey.c's greyreader traps the
        # address afterwards (trapcheck) from the tuple written to the db
        trap_rc = None
        for i, (rc, j) in enumerate(zip(m.rcpts, js)):
            tt = t + 1 + i * 0.2
            if rc in SPAMTRAPS and trap_rc is None:
                trapped, trap_rc = True, rc
            if self.verbose:
                host.dmn(tt, sp, f"(GREY) {ip}: <{m.sender}> -> <{rc}>")
        if trapped:
            tt = t + secs
            if self.debug:
                host.dmn(tt, gp, f"Trapping {ip} for tuple {ip} {m.helo} <{m.sender}> <{trap_rc}>")
            self.trapped[ip] = t + TRAPEXP
            self.stats["trap_events"] += 1
        host.dmn(t + secs, sp, f"{ip}: disconnected after {secs} seconds.")
        if trapped:
            for j in js:
                self.J.stage(j, "spamd", host.name, t, t + secs)
                self.J.finish(j, "trapped")
            return
        whiten = False
        for rc, j in zip(m.rcpts, js):
            key = (ip, m.helo, f"<{m.sender}>", f"<{rc}>")
            g = self.grey.get(key)
            if g is None or g["expire"] <= t:
                g = {"first": t, "pass": t + GREYEXP, "expire": t + GREYEXP, "bcount": 1, "pcount": 0, "passed": False}
                self.grey[key] = g
                self.stats["grey_tuples"] += 1
                if self.debug:
                    host.dmn(t + secs, gp, f"new entry {ip} from <{m.sender}> to <{rc}>, helo {m.helo}")
            else:
                g["bcount"] += 1
                if g["bcount"] == 2:
                    self.stats["grey_tuples_retried"] += 1
                if g["first"] + PASSTIME < t:
                    g["pass"] = t
                    if not g["passed"]:
                        g["passed"] = True
                        self.stats["grey_tuples_passed"] += 1
                        self.stats["grey_pass_delays"].append(t - g["first"])
                    whiten = True
            j["greylisted"] = True
            j["grey_attempts"] += 1
            if j["grey_first_ts"] is None:
                # issue 6: the first (GREY) line (spamd -v), else the connection
                j["grey_first_ts"] = t + 1 + m.rcpts.index(rc) * 0.2 if self.verbose else t
            self.J.stage(j, "spamd", host.name, t, t + secs)
        if whiten and (ip not in self.white or self.white[ip]["expire"] <= t) and ip not in self.pending_white:
            tw = (math.floor((t - self.t0) / SCAN_INTERVAL) + 1) * SCAN_INTERVAL + self.t0 + r.randint(0, 3)
            self.pending_white[ip] = tw
            self.at(tw, self.whitelist, host.name, ip, [(ip, m.helo, f"<{m.sender}>", f"<{rc}>") for rc in m.rcpts])
        if whiten and self.debug and ip in self.pending_white:
            # issue 6: passed = the `whitelisting` line (debug level); without it, the first
            # connection that bypassed spamd (set in smtpd_inbound)
            for j in js:
                if j["grey_passed_ts"] is None:
                    j["grey_passed_ts"] = self.pending_white[ip]
        # the sender's MTA retries
        sched = m.schedule or []
        if m.attempt < len(sched):
            delay = sched[m.attempt] * 60 * self.r.uniform(0.97, 1.05)
            m.attempt += 1
            if self.at(t + delay, self.deliver_attempt, m):
                return
            return  # retry after the end of the run: journeys stay in flight
        for j in js:
            self.J.finish(j, "greylisted")

    def whitelist(self, t, host_name, ip, keys):
        host = self.hosts[host_name]
        self.pending_white.pop(ip, None)
        first = min((self.grey[k]["first"] for k in keys if k in self.grey), default=t)
        bcount = sum(self.grey[k]["bcount"] for k in keys if k in self.grey)
        for k in keys:
            self.grey.pop(k, None)
        self.white[ip] = {"first": first, "pass": t, "expire": t + WHITEEXP, "bcount": bcount, "pcount": 0}
        self.stats["whitelisted_ips"] += 1
        if self.debug:
            host.dmn(t, f"spamd[{host.grey_pid}]", f"whitelisting {ip} in /var/db/spamd")
            for other in self.hosts.values():
                if other is not host and not (other.primary and self.mx1_down(t)):
                    other.dmn(t + 1, f"spamd[{other.grey_pid}]", f"new WHITE from {host.ip} for {ip}, expires {int(t + WHITEEXP)}")

    # ---------------------------------------------------------------- smtpd inbound
    def smtpd_inbound(self, t, host: Host, m: Msg, ip: str, rdns: str):
        r = self.r
        js = m.journeys
        sport = r.randint(30000, 65000)
        host.pflog.syn(t - 0.05, ip, host.ip, sport, 25, inbound=True, rulenr=4, rule_pid=host.rule_pid,
                       ip_id=r.getrandbits(16), isn=r.getrandbits(32))
        host.dmn(t, f"spamlogd[{host.spamlogd_pid}]", f"inbound {ip}")
        w = self.white.get(ip)
        if w:
            w["pcount"] += 1
            w["expire"] = t + WHITEEXP
        for j in js:
            self.J.stage(j, "pf", host.name, t - 0.05, t - 0.05)
            if j["greylisted"] and j["grey_passed_ts"] is None:
                # the address was whitelisted (maybe by another message's pass): that `whitelisting`
                # line where spamd logs at debug level, else this first connection past spamd
                wl = self.white.get(ip)
                logged = self.debug and wl is not None and wl["pass"] >= j["grey_first_ts"]
                j["grey_passed_ts"] = wl["pass"] if logged else t
        s = host.sid()
        self.stats["smtpd_sessions"] += 1
        F = host.fmt
        F.connected(host, t, s, ip, rdns)
        F.tls(host, t + 1, s, r.choice(TLS))
        good = []
        tt = t + 2
        for rc, j in zip(m.rcpts, js):
            if rc.split("@")[0] not in USERS and rc not in SPAMTRAPS:
                F.rcpt_rejected(host, tt, s, rc)
                self.J.stage(j, "smtpd_in", host.name, t, tt)
                self.J.finish(j, "rejected")
            else:
                good.append((rc, j))
        if not good:
            F.disconnected(host, tt + 1, s)
            return
        m1 = host.msgid()
        tt = t + 2 + m.size // 200000
        evs = [host.evpid(m1) for _ in good]
        F.accepted(host, tt, s, m1, evs, m.sender, [rc for rc, _ in good], m.size)
        for rc, j in good:
            j["msgids"].append(m1)
            j["accepted_ts"] = j["accepted_ts"] or tt
            self.J.stage(j, "smtpd_in", host.name, t, tt, m1)
        F.disconnected(host, tt, s)
        if host.primary:
            self.spampd_loop(tt, host, m, good, m1, evs, m.size)
        else:
            m.mx2_msgid, m.mx2_evpids, m.mx2_accept_t = m1, evs, tt
            for _, j in good:
                j["via_backup"] = True
            host.queue.append((m, good))
            if self.mx1_down(tt):
                self.at(tt + r.randint(1, 5), self.backup_tempfail, host.name, m, good)
            else:
                self.at(tt + r.randint(1, 3), self.backup_relay, host.name, m, good)

    def spampd_loop(self, t, host: Host, m: Msg, good, m1, evs, size):
        r = self.r
        rs = host.sid()
        t1 = t + 1
        F = host.fmt
        F.mta_connecting(host, t1, rs, "127.0.0.1", 10025, "localhost")
        F.mta_connected(host, t1, rs)
        rcpt_text = ",".join(f"<{rc}>" for rc, _ in good)
        sp = f"spampd[{host.spampd_pid}]"
        host.mail(t1, sp, f"processing message {m.message_id} for {rcpt_text}")
        proc = round(r.uniform(0.3, 3.5), 2)
        spam = m.score >= THRESHOLD
        verdict = "identified spam" if spam else "clean message"
        self.stats["spampd_spam" if spam else "spampd_clean"] += 1
        t2 = t1 + proc
        host.mail(t2, sp, f"{verdict} {m.message_id} ({m.score:.2f}/{THRESHOLD:.2f}) from <{m.sender}> for {rcpt_text} "
                          f"in {proc:.2f}s, {size} bytes, with rules v{RULES_V}")
        ls = host.sid()
        m2 = host.msgid()
        t3 = t2 + 0.2
        size2 = m.size + r.randint(500, 900)
        F.connected(host, t3, ls, "127.0.0.1", "localhost")
        ev2 = [host.evpid(m2) for _ in good]
        F.accepted(host, t3, ls, m2, ev2, m.sender, [rc for rc, _ in good], size2)
        for (rc, j), e in zip(good, evs):
            F.mta_delivery(host, t3, rs, e, m.sender, rc, "127.0.0.1", "127.0.0.1 (localhost)",
                           dur(t3 - j["accepted_ts"] if j["accepted_ts"] else 0), "Ok", F.data_reply(m2))
            j["msgids"].append(m2)
            j["spam_verdict"] = "spam" if spam else "clean"
            j["spam_score"] = round(m.score, 2)
            self.J.stage(j, "spampd", host.name, t, t2)
            self.J.stage(j, "smtpd_reinject", host.name, t2, t3, m2)
        F.disconnected(host, t3, ls)
        F.mta_disconnected(host, t3 + 0.1, rs, 1)
        self.lmtp(t3 + r.uniform(0.2, 1.5), host, m.sender, m.message_id, [(rc, j, e) for (rc, j), e in zip(good, ev2)],
                  "Junk" if spam else "INBOX", accepted=t3)

    def lmtp(self, t, host: Host, sender, message_id, items, mailbox="INBOX", accepted=None):
        r = self.r
        host.lmtp_pid += r.randint(1, 7)
        lp = host.lmtp_pid
        sess = "".join(r.choice(B64) for _ in range(22))
        dv = host.dv
        host.mail(t, "dovecot", dv.lmtp_connect(lp))
        for i, (rc, j, _) in enumerate(items):
            host.mail(t + 0.1, "dovecot", dv.lmtp_saved(rc, lp, sess, i, message_id, mailbox))
        host.mail(t + 0.2, "dovecot", dv.lmtp_disconnect(lp))
        ds = host.sid()
        for rc, j, e in items:
            host.fmt.mda_delivery(host, t + 0.3, ds, e, sender, rc, rc.split('@')[0],
                                  dur(t + 0.3 - (j['accepted_ts'] or t)))
            # issue 6: accepted on the delivering host -> mda delivery
            self.J.stage(j, "lmtp", host.name, accepted if accepted is not None else t, t + 0.3, e[:8])
            j["final_host"] = host.name
            self.J.finish(j, "delivered", t + 0.1)

    # ---------------------------------------------------------------- backup MX
    def backup_tempfail(self, t, host_name, m, good):
        host = self.hosts[host_name]
        for (rc, j), e in zip(good, m.mx2_evpids):
            host.fmt.mta_delivery(host, t, "0000000000000000", e, m.sender, rc, "-", DOMAIN, dur(t - m.mx2_accept_t),
                                  "TempFail", "Network error on destination MXs")

    def backup_relay(self, t, host_name, m=None, good=None):
        host = self.hosts[host_name]
        if m is None:  # flush the whole queue (mx1 came back)
            items = host.queue
            host.queue = []
            for i, (mm, gg) in enumerate(items):
                self.at(t + 5 + i * 2, self.backup_relay, host_name, mm, gg)
            return
        if self.mx1_down(t):
            return
        if (m, good) in host.queue:
            host.queue.remove((m, good))
        r = self.r
        s = host.sid()
        sport = r.randint(30000, 65000)
        host.pflog.syn(t, host.ip, self.mx1.ip, sport, 25, inbound=False, rulenr=9, rule_pid=host.rule_pid,
                       ip_id=r.getrandbits(16), isn=r.getrandbits(32))
        self.mx1.pflog.syn(t + 0.03, host.ip, self.mx1.ip, sport, 25, inbound=True, rulenr=4,
                           rule_pid=self.mx1.rule_pid, ip_id=r.getrandbits(16), isn=r.getrandbits(32))
        host.dmn(t, f"spamlogd[{host.spamlogd_pid}]", f"outbound {self.mx1.ip}")
        F = host.fmt
        F.mta_connecting(host, t, s, self.mx1.ip, 25, self.mx1.fqdn)
        F.mta_connected(host, t + 0.2, s)
        F.mta_tls(host, t + 0.3, s, TLS[0])
        # mx1's side: the backup MX is in <nospamd>, so PF passes it straight to smtpd
        mx1 = self.mx1
        ms = mx1.sid()
        self.stats["smtpd_sessions"] += 1
        G = mx1.fmt
        G.connected(mx1, t + 0.1, ms, host.ip, host.fqdn)
        G.tls(mx1, t + 0.3, ms, TLS[0])
        m1 = mx1.msgid()
        t2 = t + 1
        size = m.size + 400
        evs = [mx1.evpid(m1) for _ in good]
        G.accepted(mx1, t2, ms, m1, evs, m.sender, [rc for rc, _ in good], size)
        for (rc, j), e in zip(good, m.mx2_evpids):
            F.mta_delivery(host, t2, s, e, m.sender, rc, host.ip, f"{mx1.ip} ({mx1.fqdn})", dur(t2 - m.mx2_accept_t),
                           "Ok", G.data_reply(m1))
            self.J.stage(j, "backup_queue", host.name, m.mx2_accept_t, t2, m.mx2_msgid)
            self.J.stage(j, "smtpd_in", mx1.name, t + 0.1, t2, m1)
            j["msgids"].append(m1)
        G.disconnected(mx1, t2, ms)
        F.mta_disconnected(host, t2 + 0.2, s, 1)
        self.spampd_loop(t2, mx1, m, good, m1, evs, size)

    def outage_start(self, t):
        self.stats["outages"].append({"host": "mx1", "start": iso(t), "end": iso(self.outage[1])})

    def outage_end(self, t):
        mx1 = self.mx1
        mx1.fmt.starting(mx1, t + 20)
        mx1.dmn(t + 5, f"spamd[{mx1.spamd_pid}]", "listening for incoming connections.")
        mx1.dmn(t + 8, f"bgpd[{mx1.bgpd_pid}]", f"{BGP_PEER}: state change OpenConfirm -> Established, reason: KEEPALIVE message received")
        for name in ("mx2", "mx3"):
            self.at(t + 60 + self.r.randint(0, 240), self.backup_relay, name)

    # ---------------------------------------------------------------- outbound, local, users
    def outbound(self, t, s):
        if self.mx1_down(t):
            return
        r = random.Random(s)
        host = self.mx1
        user = r.choice(USERS)
        sender = f"{user}@{DOMAIN}"
        n = r.randint(0, 200)
        rdom = f"example{n % 40}.net"
        rcpt = f"{r.choice(['jo', 'sam', 'kim', 'lee', 'max'])}{n % 7}@{rdom}"
        rip = f"198.51.100.{100 + n % 100}"
        mid = f"<{_time.strftime('%Y%m%d%H%M%S', _time.gmtime(t))}.{r.getrandbits(32):08x}@{DOMAIN}>"
        j = self.J.new(t, "outbound", mail_from=sender, rcpt_to=rcpt, message_id=mid, first_host="mx1",
                       client_ips=[f"203.0.113.{100 + USERS.index(user)}"])
        cip = j["client_ips"][0]
        ss = host.sid()
        F = host.fmt
        F.connected(host, t, ss, cip, "<unknown>")
        F.tls(host, t + 0.5, ss, TLS[0])
        if r.random() < 0.05:
            F.auth(host, t + 1, ss, user, "permfail")
            F.auth_failed_command(host, t + 1, ss, "AUTH PLAIN (...)")
            self.stats["auth_failures"] += 1
            t += 4
        F.auth(host, t + 1, ss, user, "ok")
        m1 = host.msgid()
        e1 = host.evpid(m1)
        size = r.randint(800, 60000)
        F.accepted(host, t + 2, ss, m1, [e1], sender, [rcpt], size)
        F.disconnected(host, t + 2.1, ss)
        j["msgids"].append(m1)
        j["accepted_ts"] = t + 2
        self.J.stage(j, "smtpd_in", "mx1", j["first_seen_ts"], t + 2, m1)
        rs, ls = host.sid(), host.sid()
        t1 = t + 3
        F.mta_connecting(host, t1, rs, "127.0.0.1", 10027, "localhost")
        F.mta_connected(host, t1, rs)
        host.mail(t1 + 0.3, f"dkimproxy.out[{host.dkim_pid}]",
                  f"DKIM signing - signed; message-id={mid}, signer=<{sender}>, from=<{sender}>")
        m2 = host.msgid()
        e2 = host.evpid(m2)
        t2 = t1 + 0.4
        F.connected(host, t2, ls, "127.0.0.1", "localhost")
        F.accepted(host, t2, ls, m2, [e2], sender, [rcpt], size + 700)
        F.mta_delivery(host, t2, rs, e1, sender, rcpt, "127.0.0.1", "127.0.0.1 (localhost)", dur(t2 - t - 2), "Ok",
                       F.data_reply(m2))
        F.disconnected(host, t2, ls)
        F.mta_disconnected(host, t2 + 0.1, rs, 1)
        j["msgids"].append(m2)
        self.J.stage(j, "dkimproxy", "mx1", t + 2, t1 + 0.3)
        self.J.stage(j, "smtpd_reinject", "mx1", t1 + 0.3, t2, m2)
        j["_relay_from"] = t2
        outcome = r.choices(["ok", "tempfail", "permfail"], [0.9, 0.06, 0.04])[0]
        self.at(t2 + r.uniform(0.5, 2), self.mta_out, j, sender, rcpt, rdom, rip, e2, t + 2, outcome, 0)

    def mta_out(self, t, j, sender, rcpt, rdom, rip, ev, accepted, outcome, attempt):
        if self.mx1_down(t):
            if not self.at(self.outage[1] + 300, self.mta_out, j, sender, rcpt, rdom, rip, ev, accepted, outcome, attempt):
                self.J.finish(j, "deferred")
            return
        host, r = self.mx1, self.r
        s = host.sid()
        sport = r.randint(30000, 65000)
        host.pflog.syn(t, host.ip, rip, sport, 25, inbound=False, rulenr=9, rule_pid=host.rule_pid,
                       ip_id=r.getrandbits(16), isn=r.getrandbits(32))
        host.dmn(t, f"spamlogd[{host.spamlogd_pid}]", f"outbound {rip}")
        rname = f"mx.{rdom}"
        F = host.fmt
        F.mta_connecting(host, t, s, rip, 25, rname)
        F.mta_connected(host, t + 0.3, s)
        F.mta_tls(host, t + 0.6, s, TLS[2])

        def delivery(tt, result, stat):
            F.mta_delivery(host, tt, s, ev, sender, rcpt, host.ip, f"{rip} ({rname})", dur(t + 1.5 - accepted),
                           result, stat)

        t1 = t + 1.5
        j["final_host"] = "mx1"
        if outcome == "tempfail" and attempt == 0:
            delivery(t1, "TempFail", "451 4.7.1 Greylisted, please try again later")
            F.mta_disconnected(host, t1 + 0.1, s, 0)
            if not self.at(t + r.uniform(600, 1000), self.mta_out, j, sender, rcpt, rdom, rip, ev, accepted, outcome, 1):
                self.J.stage(j, "mta_out", "mx1", j.pop("_relay_from"), t1, ev[:8])
                j["remote_result"] = "TempFail"
                self.J.finish(j, "deferred")
            return
        if outcome == "permfail":
            reply = f"550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table"
            delivery(t1, "PermFail", reply)
            F.mta_disconnected(host, t1 + 0.1, s, 0)
            self.J.stage(j, "mta_out", "mx1", j.pop("_relay_from"), t1, ev[:8])
            j["remote_result"] = "PermFail"
            host.smtpd(t1 + 0.5, f"warn: PermFail injecting failure report on message {ev[:8]} to <{sender}> for 1 envelope: {reply}")
            self.J.finish(j, "bounced")
            self.stats["bounces"] += 1
            self.local_delivery(t1 + 1, "", sender, f"<{ev[:8]}.bounce.{r.getrandbits(24):06x}@{host.fqdn}>",
                                bounce_of=j["journey_id"], size=r.randint(2000, 6000))
            return
        delivery(t1, "Ok", f"250 2.0.0 Ok: queued as {r.getrandbits(40):010X}")
        F.mta_disconnected(host, t1 + 0.4, s, 1)
        self.J.stage(j, "mta_out", "mx1", j.pop("_relay_from"), t1, ev[:8])
        j["remote_result"] = "Ok"
        self.J.finish(j, "delivered", t1)

    def local(self, t, s):
        if self.mx1_down(t):
            return
        r = random.Random(s)
        frm = r.choice(["root", "daemon", "alice", "bob"]) + "@" + DOMAIN
        to = f"{r.choice(USERS)}@{DOMAIN}"
        mid = f"<{_time.strftime('%Y%m%d%H%M%S', _time.gmtime(t))}.{r.getrandbits(32):08x}@{self.mx1.fqdn}>"
        self.local_delivery(t, frm, to, mid, size=r.randint(300, 4000))

    def local_delivery(self, t, frm, to, mid, bounce_of=None, size=300):
        host = self.mx1
        j = self.J.new(t, "local", mail_from=frm, rcpt_to=to, message_id=mid, first_host="mx1",
                       client_ips=["local"], bounce_of=bounce_of)
        s = host.sid()
        m = host.msgid()
        e = host.evpid(m)
        host.fmt.connected(host, t, s, "local", host.fqdn)
        host.fmt.accepted(host, t, s, m, [e], frm, [to], size)
        host.fmt.disconnected(host, t, s)
        j["msgids"].append(m)
        j["accepted_ts"] = t
        self.J.stage(j, "smtpd_in", "mx1", t, t, m)
        self.lmtp(t + 0.5, host, frm, mid, [(to, j, e)], accepted=t)

    def imap(self, t, s, proto="imap"):
        if self.mx1_down(t):
            return
        r = random.Random(s)
        host = self.mx1
        user = r.choice(USERS)
        rip = f"203.0.113.{100 + USERS.index(user)}"
        sess = "".join(r.choice(B64) for _ in range(16))
        host.mail_pid += r.randint(1, 9)
        mp = host.mail_pid
        self.stats["imap_logins"] += 1
        host.mail(t, "dovecot", host.dv.login(proto, user, "PLAIN", rip, host.ip, mp, sess))
        dt = r.randint(5, 1800)
        if proto == "imap":
            i, o, bc, bb = r.randint(100, 9000), r.randint(500, 900000), r.randint(0, 9), r.randint(0, 90000)
            host.mail(t + dt, "dovecot", host.dv.imap_logout(user, mp, sess, i, o, bc, bb))
        else:
            n, b = r.randint(0, 4), r.randint(0, 40000)
            host.mail(t + dt, "dovecot", host.dv.pop3_logout(user, mp, sess, n, b))

    def pop3(self, t, s):
        self.imap(t, s, "pop3")

    def imap_bruteforce(self, t):
        if self.mx1_down(t):
            return
        r, host = self.r, self.mx1
        ip = f"198.51.100.{r.randint(200, 250)}"
        for i in range(r.randint(20, 60)):
            tt = t + i * r.uniform(2, 6)
            sess = "".join(r.choice(B64) for _ in range(16))
            u = r.choice(["admin", "test", "info", "root", "alice", "webmaster", "support"])
            host.mail(tt, "dovecot", host.dv.auth_failed(u, ip, host.ip, sess))
            self.stats["imap_failures"] += 1

    def brute_force(self, t):
        if self.mx1_down(t):
            return
        r, host = self.r, self.mx1
        ip = f"198.51.100.{r.randint(200, 250)}"
        s = host.sid()
        F = host.fmt
        F.connected(host, t, s, ip, "<unknown>")
        tt = t
        for u in r.sample(["admin", "test", "info", "postmaster", "sales", "office"], 4):
            tt += r.uniform(1, 3)
            F.auth(host, tt, s, u, "permfail")
            F.auth_failed_command(host, tt, s, "AUTH LOGIN (password)")
            self.stats["auth_failures"] += 1
        F.disconnected(host, tt + 1, s, "disconnect")

    def bgp_flap(self, t):
        host = self.r.choice(list(self.hosts.values()))
        if host.primary and self.mx1_down(t):
            return
        p = f"bgpd[{host.bgpd_pid}]"
        self.stats["bgp_flaps"] += 1
        down = self.r.randint(30, 400)
        host.dmn(t, p, f"{BGP_PEER}: state change Established -> Idle, reason: HoldTimer expired")
        host.dmn(t, p, f"{BGP_PEER}: sent notification: HoldTimer expired, Unspecific")
        host.dmn(t + down, p, f"{BGP_PEER}: state change Idle -> Connect, reason: Start")
        host.dmn(t + down + 1, p, f"{BGP_PEER}: state change Connect -> OpenSent, reason: Connection opened")
        host.dmn(t + down + 1, p, f"{BGP_PEER}: state change OpenSent -> OpenConfirm, reason: OPEN message received")
        host.dmn(t + down + 2, p, f"{BGP_PEER}: state change OpenConfirm -> Established, reason: KEEPALIVE message received")

    def other_programs(self, t, host_name):
        host = self.hosts[host_name]
        if host.primary and self.mx1_down(t):
            return
        r = random.Random(f"{self.seed}:other:{host_name}:{int(t)}")
        host.dmn(t, f"cron[{r.randint(10000, 99999)}]", "(root) CMD (/usr/libexec/atrun)")
        if r.random() < 0.3:
            host.dmn(t + 7, f"sshd[{r.randint(10000, 99999)}]",
                     f"Accepted publickey for admin from 198.51.100.23 port {r.randint(40000, 65000)} ssh2")

    # ---------------------------------------------------------------- end of run
    def finish(self):
        t = self.t_end
        for h in self.hosts.values():
            for f in h.files():
                f.close()
            os.utime(h.maillog.path, (t, t))
            os.utime(h.daemon.path, (t, t))
            os.utime(h.pflog.path, (t, t))
        self.J.close()
        # spamdb dump at the end of the run (one synced db: the same on every host)
        lines = []
        for ip, w in self.white.items():
            if w["expire"] > t:
                lines.append(f"WHITE|{ip}|||{int(w['first'])}|{int(w['pass'])}|{int(w['expire'])}|{w['bcount']}|{w['pcount']}")
        for (ip, helo, frm, to), g in self.grey.items():
            if g["expire"] > t and ip not in self.white:
                lines.append(f"GREY|{ip}|{helo}|{frm}|{to}|{int(g['first'])}|{int(g['pass'])}|{int(g['expire'])}|{g['bcount']}|{g['pcount']}")
        for ip, exp in self.trapped.items():
            if exp > t:
                lines.append(f"TRAPPED|{ip}|{int(exp)}")
        for a in SPAMTRAPS:
            lines.append(f"SPAMTRAP|{a}")
        text = "\n".join(lines) + "\n"
        for h in self.hosts.values():
            p = self.out / h.name / "spamdb.txt"
            p.write_text(text)
            os.utime(p, (t, t))
        self.spamdb_counts = {k: sum(1 for x in lines if x.startswith(k + "|")) for k in ("WHITE", "GREY", "TRAPPED", "SPAMTRAP")}

    def summary(self) -> dict:
        J, st = self.J, self.stats
        return {
            "journeys": J.count,
            "final_status": dict(sorted(J.by_status.items())),
            "direction": dict(sorted(J.by_direction.items())),
            "direction_status": dict(sorted(J.by_dir_status.items())),
            "greylist": {
                "tuples": st["grey_tuples"],
                "tuples_passed": st["grey_tuples_passed"],
                "tuples_never_passed": st["grey_tuples"] - st["grey_tuples_passed"],
                "tuples_never_retried": st["grey_tuples"] - st["grey_tuples_retried"],
                "journeys_greylisted_never_delivered": J.by_status.get("greylisted", 0),
                "connections": st["grey_connections"],
                "whitelisted_ips": st["whitelisted_ips"],
                "pass_delay_s": pct(st["grey_pass_delays"]),
            },
            "blacklist": {"connections": st["black_connections"],
                          "hits_per_list": dict(sorted(st["blacklist_hits"].items()))},
            "traps": st["trap_events"],
            "spampd": {"clean": st["spampd_clean"], "spam": st["spampd_spam"]},
            "smtpd_inbound_sessions": st["smtpd_sessions"],
            "auth_failures": st["auth_failures"], "imap_logins": st["imap_logins"],
            "imap_failures": st["imap_failures"], "bgp_flaps": st["bgp_flaps"], "bounces": st["bounces"],
            "outages": st["outages"],
            "hop_latency_s": {k: pct(v) for k, v in sorted(J.stage_lat.items())},
            "end_to_end_latency_s": pct(J.e2e),
            "spamdb_dump": self.spamdb_counts,
        }


B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
