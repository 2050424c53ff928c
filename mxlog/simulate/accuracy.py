"""How exactly the journeys were rebuilt: the built `journeys`/`hops` against the simulator's truth.

A truth journey is reconstructed exactly when a built journey matches it on every field the
logs can carry (direction, backup MX, hosts, client, sender, recipient, Message-ID, every smtpd
msgid, greylisting, lists, spam verdict and score, status, times) and on every stage (name, host,
msgid, start and end). Syslog stamps whole seconds, the truth keeps milliseconds: times agree
when they are less than TOLERANCE_S apart."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

TOLERANCE_S = 1.0

FIELDS = ("direction", "via_backup", "first_host", "final_host", "mail_from", "rcpt_to", "message_id", "msgids",
          "greylisted", "blacklists", "spam_verdict", "spam_score", "final_status")
TIMES = ("first_seen_ts", "accepted_ts", "delivered_ts", "grey_first_ts", "grey_passed_ts")


def _ts(v):
    if v is None:
        return None
    if isinstance(v, str):
        return dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    return v


def _close(a, b) -> bool:
    a, b = _ts(a), _ts(b)
    if a is None or b is None:
        return a is None and b is None
    return abs((a - b).total_seconds()) < TOLERANCE_S + 1e-6


def _key_truth(j):
    st = j["stages"]
    if j["msgids"]:
        host = next(s["host"] for s in st if s["stage"] == "smtpd_in")
        return ("accepted", host, j["msgids"][0], j["rcpt_to"])
    smtpd = [s for s in st if s["stage"] == "smtpd_in"]
    if smtpd:
        return ("rejected", smtpd[0]["host"], j["rcpt_to"], int(_ts(smtpd[0]["ts_end"]).timestamp()))
    first = next(s for s in st if s["stage"] == "spamd")
    return ("spamd", first["host"], j["client_ips"][0], j["rcpt_to"], int(_ts(first["ts_start"]).timestamp()))


def _key_built(j, hops):
    if j["msgids"]:
        first_in = next(h for h in hops if h["stage"] == "smtpd_in")
        return ("accepted", first_in["host"], j["msgids"][0], j["rcpt_to"])
    smtpd = [h for h in hops if h["stage"] == "smtpd_in"]
    if smtpd:
        return ("rejected", smtpd[0]["host"], j["rcpt_to"], int(smtpd[0]["ts_end"].timestamp()))
    first = next((h for h in hops if h["stage"] == "spamd"), None)
    if first is None:
        return ("other", j["journey_id"])
    return ("spamd", first["host"], j["client_ip"], j["rcpt_to"], int(first["ts_start"].timestamp()))


def _norm(field, v):
    if field == "blacklists":
        return sorted(v or [])
    if field == "msgids":
        return list(v or [])
    if field == "spam_score" and v is not None:
        return round(float(v), 2)
    return v


def compare(con, truth_path: Path) -> dict:
    """Compare the built journeys in `con` with truth/journeys.jsonl. Returns counts, the exact
    share (overall, per final status and per direction), mismatches by field, and examples."""
    truth = [json.loads(line) for line in Path(truth_path).read_text().splitlines() if line.strip()]
    cols = [d[0] for d in con.execute("SELECT * FROM journeys LIMIT 0").description]
    built = [dict(zip(cols, r)) for r in con.execute("SELECT * FROM journeys").fetchall()]
    hcols = [d[0] for d in con.execute("SELECT * FROM hops LIMIT 0").description]
    hops: dict[str, list] = {}
    for r in con.execute("SELECT * FROM hops ORDER BY journey_id, seq").fetchall():
        h = dict(zip(hcols, r))
        hops.setdefault(h["journey_id"], []).append(h)
    index: dict[tuple, list] = {}
    for j in built:
        index.setdefault(_key_built(j, hops.get(j["journey_id"], [])), []).append(j)

    from mxlog.journeys import ID_LINKS

    exact = 0
    wrong_id_links = 0
    by_field: Counter = Counter()
    by_status: dict[str, list[int]] = {}
    examples: list[dict] = []
    matched_ids = set()
    for t in truth:
        cands = index.get(_key_truth(t), [])
        problems = []
        if len(cands) != 1:
            problems.append("not found" if not cands else "found twice")
        else:
            b = cands[0]
            matched_ids.add(b["journey_id"])
            # a sender retrying from a pool: the truth lists every address it used
            if b["client_ip"] not in (t["client_ips"] or [None]):
                problems.append("client_ip")
            for f in FIELDS:
                if f == "message_id" and not t["msgids"]:
                    continue  # never accepted: no hop could log the header
                if f == "mail_from" and t["final_status"] == "rejected" and not t["greylisted"]:
                    continue  # smtpd logs a rejected RCPT without the sender; only spamd's tuple has it
                if _norm(f, b.get(f)) != _norm(f, t.get(f)):
                    problems.append(f)
            if b.get("helo") is not None and b["helo"] != t.get("helo"):
                problems.append("helo")  # only spamd's debug lines name it: compared where found
            for f in TIMES:
                if not _close(b.get(f), t.get(f)):
                    problems.append(f)
            bh = hops.get(b["journey_id"], [])
            ts = t["stages"]
            true_stages = {(s["stage"], s["host"], s["msgid"]) for s in ts}
            wrong_id_links += sum(1 for h in bh if h["link"] in ID_LINKS
                                  and (h["stage"], h["host"], h["msgid"]) not in true_stages)
            if [(h["stage"], h["host"], h["msgid"]) for h in bh] != [(s["stage"], s["host"], s["msgid"]) for s in ts]:
                problems.append("stages")
            elif not all(_close(h["ts_start"], s["ts_start"]) and _close(h["ts_end"], s["ts_end"]) for h, s in zip(bh, ts)):
                problems.append("stage times")
        ok = not problems
        exact += ok
        st = by_status.setdefault(f"{t['direction']}/{t['final_status']}", [0, 0])
        st[0] += ok
        st[1] += 1
        by_field.update(problems)
        if problems and len(examples) < 20:
            examples.append({"truth": t["journey_id"], "problems": problems,
                             "built": cands[0]["journey_id"] if len(cands) == 1 else None})
    extra = len(built) - len(matched_ids)
    for j in built:
        if j["journey_id"] not in matched_ids:
            wrong_id_links += sum(1 for h in hops.get(j["journey_id"], []) if h["link"] in ID_LINKS and h["link"] != "origin")
    return {
        "truth_journeys": len(truth),
        "built_journeys": len(built),
        "exact": exact,
        "exact_share": exact / len(truth) if truth else 1.0,
        "built_not_in_truth": extra,
        "wrong_id_links": wrong_id_links,
        "mismatches": dict(by_field.most_common()),
        "by_status": {k: {"exact": v[0], "of": v[1]} for k, v in sorted(by_status.items())},
        "examples": examples,
    }
