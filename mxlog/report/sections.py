"""The report's sections as a neutral structure (headings, paragraphs, tables, charts), so that
the HTML and Markdown renderings show the same things in the same order. Values are kept raw
here; each renderer escapes them for its format."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Table:
    columns: list[str]
    rows: list[list]
    caption: str | None = None


@dataclass
class Section:
    anchor: str
    title: str
    definition: str | None = None
    notes: list[str] = field(default_factory=list)
    blocks: list = field(default_factory=list)  # Table | ("chart", name) | ("text", str)


def table(rows: list[dict], columns: list[str] | None = None, caption: str | None = None) -> Table:
    columns = columns or (list(rows[0]) if rows else [])
    return Table(columns, [[r.get(c) for c in columns] for r in rows], caption)


def _fmt_change(item) -> str | None:
    if item["change"] is None:
        return None
    c = item["change"]
    return f"+{c:g}" if c > 0 else f"{c:g}"


def build(d: dict) -> list[Section]:
    out = []

    s = Section("summary", "Summary")
    prev = d["summary"]["previous_period"]
    s.notes.append(f"Period {d['period']['label']} (UTC days), hosts: {', '.join(d['hosts']) or 'none'}."
                   + (f" Compared with {prev['label']}." if prev else " No data for the period before, so no comparison."))
    s.blocks.append(Table(["", "this period", "previous", "change"],
                          [[i["label"], i["value"], i["previous"], _fmt_change(i)] for i in d["summary"]["items"]]))
    s.blocks.append(("chart", "connections_per_hour"))
    out.append(s)

    g = d["greylisting"]
    s = Section("greylisting", "Greylisting", g["definition"], notes=list(g["baselines"]))
    s.blocks.append(table(g["by_day"], ["host", "day", "grey_connections", "black_connections", "white_connections",
                                        "tuples", "tuples_passed", "tuples_never_retried",
                                        "tuples_retried_before_passtime_only", "tuples_delivered", "never_passed_pct",
                                        "whitelisted_ips"], "per day"))
    if d["host_filter"] is None and len(g["by_host"]) > 1:
        s.blocks.append(table(g["by_host"], caption="per host (a tuple seen on two hosts counts on each)"))
    pd_, dd = g["pass_delay_s"], g["first_grey_to_delivery_s"]
    keys = [k for k in pd_ if k != "n"]
    s.blocks.append(Table(["", "n"] + keys,
                          [["first GREY to the retry that passed (s)", pd_["n"]] + [pd_[k] for k in keys],
                           ["first GREY to acceptance by smtpd (s)", dd["n"]] + [dd[k] for k in keys]],
                          "pass-delay percentiles (nearest rank; the Logwatch Postgrey table)"))
    s.blocks.append(("chart", "greylist_funnel"))
    s.blocks.append(("chart", "pass_delays"))
    if g["senders_from_several_ips"]:
        s.blocks.append(table(g["senders_from_several_ips"],
                              caption="senders whose retries came from several addresses (the webmail pattern)"))
    out.append(s)

    b = d["blacklists"]
    s = Section("blacklists", "Blacklists", b["definition"])
    s.blocks.append(table(b["lists"], caption=f"per list ({b['port25_connections']} port-25 connections in all)"))
    s.blocks.append(("chart", "list_hits"))
    s.blocks.append(table(b["top_ips"], caption="top tarpitted addresses"))
    if b["overlap"]:
        s.blocks.append(table(b["overlap"], caption="overlap: addresses on both lists"))
    s.blocks.append(Table(["trap events", "trapped addresses"],
                          [[b["spamtraps"]["trap_events"], b["spamtraps"]["trapped_ips"]]], "spamtraps"))
    if b["bgpd_events"]:
        s.blocks.append(table(b["bgpd_events"], caption="bgpd (the bgp-spamd feed) lines"))
    out.append(s)

    lat = d["latency"]
    s = Section("latency", "Latency per hop", lat["definition"])
    if lat["note"]:
        s.notes.append(lat["note"])
    else:
        s.blocks.append(table(lat["by_stage"]))
        s.blocks.append(("chart", "hop_latencies"))
        if lat["slowest"]:
            s.blocks.append(table(lat["slowest"], ["journey_id", "direction", "first_host", "final_host",
                                                   "total_latency_s", "final_status", "trace"], "slowest journeys"))
        if lat["spam_beat_greylisting"] is not None:
            s.notes.append(f"Greylisted journeys that spampd still called spam (spam that beat greylisting): "
                           f"{lat['spam_beat_greylisting']}.")
    out.append(s)

    s = Section("correlation", "Correlation completeness",
                "How each hop was joined to its journey: by an id (session, evpid, reply msgid, Message-ID, tuple), "
                "by a time window, or not at all.")
    if lat["correlation"]:
        s.blocks.append(table(lat["correlation"]))
    else:
        s.notes.append("No hops in the database yet, so nothing to measure.")
    out.append(s)

    t = d["traffic"]
    s = Section("traffic", "Traffic (pflogsumm)", t["definition"])
    s.blocks.append(table(t["by_day"], caption="grand totals per day"))
    if len(t["by_host"]) > 1:
        s.blocks.append(table(t["by_host"], caption="per host (backup MXs queue while the primary is down)"))
    s.blocks.append(table(t["hourly"], ["hour", "received", "delivered", "deferred", "bounced", "spamd_grey",
                                        "spamd_black"], "per hour"))
    for key, caption in [("top_senders", "top senders by messages"), ("top_senders_by_size", "top senders by size"),
                         ("top_sender_domains", "top sending domains"), ("top_recipients", "top recipients by messages"),
                         ("top_recipients_by_size", "top recipients by size"),
                         ("top_recipient_domains", "top recipient domains")]:
        s.blocks.append(table(t[key], caption=caption))
    s.blocks.append(table(t["delivery_problems"], caption="deferrals and bounces by reason"))
    s.blocks.append(table(t["remote_relays_in"], caption="remote clients (mail in)"))
    s.blocks.append(table(t["remote_relays_out"], caption="remote relays (mail out)"))
    s.blocks.append(table(t["backup_queue"], caption="backup MX queueing: mail the backups held for the primary"))
    s.blocks.append(table(t["dkim"], caption="DKIM (dkimproxy)"))
    out.append(s)

    sp = d["spam"]
    s = Section("spam", "Spam verdicts (spampd)")
    s.blocks.append(table(sp["verdicts"]))
    s.blocks.append(("chart", "spam_scores"))
    out.append(s)

    lg = d["logins"]
    s = Section("logins", "Logins")
    s.blocks.append(table(lg["dovecot"], caption="Dovecot logins"))
    s.blocks.append(table(lg["failure_sources"], caption="failed-login sources (Dovecot and smtpd AUTH)"))
    out.append(s)

    u = d["unparsed"]
    s = Section("unparsed", "Unparsed lines", "Lines of known programs no pattern claimed, grouped into templates "
                "(`mxlog unparsed` shows them all); lines of other programs are kept too.")
    s.blocks.append(table(u["templates"], caption="templates"))
    s.blocks.append(table(u["other_programs"], caption="other programs"))
    out.append(s)
    return out
