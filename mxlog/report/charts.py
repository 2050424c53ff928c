"""matplotlib charts of the report data, as PNG bytes (embedded base64 in the HTML: no network,
no script). Each function takes the report dict and returns (title, png) or None when there is
nothing to draw."""

from __future__ import annotations

import datetime as dt
import io

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

plt.rcParams.update({"font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
                     "svg.hashsalt": "mxlog", "figure.dpi": 96})


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def connections_per_hour(d: dict):
    hourly = d["traffic"]["hourly"]
    if not hourly:
        return None
    hours = [dt.datetime.fromisoformat(h["hour"].replace("Z", "+00:00")) for h in hourly]
    fig, ax = plt.subplots(figsize=(8, 2.8))
    ax.plot(hours, [h["spamd_grey"] for h in hourly], label="spamd greylisted", color="#999999")
    ax.plot(hours, [h["spamd_black"] for h in hourly], label="spamd tarpitted", color="#c0392b")
    ax.plot(hours, [h["received"] for h in hourly], label="messages received", color="#2471a3")
    ax.plot(hours, [h["delivered"] for h in hourly], label="delivered / relayed", color="#239b56", linestyle="--")
    ax.set_ylabel("per hour")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    fig.autofmt_xdate()
    return "Connections and messages per hour (UTC)", _png(fig)


def greylist_funnel(d: dict):
    rows = d["greylisting"]["by_day"]
    if not sum(r["tuples"] for r in rows):
        return None
    tuples = sum(r["tuples"] for r in rows)
    never = sum(r["tuples_never_retried"] for r in rows)
    passed = sum(r["tuples_passed"] for r in rows)
    delivered = sum(r["tuples_delivered"] for r in rows)
    labels = ["greylisted tuples", "retried", "passed", "delivered"]
    values = [tuples, tuples - never, passed, delivered]
    fig, ax = plt.subplots(figsize=(6, 2.4))
    ax.barh(labels[::-1], values[::-1], color=["#239b56", "#2471a3", "#7fb3d5", "#999999"])
    for y, v in enumerate(values[::-1]):
        ax.text(v, y, f" {v}", va="center")
    ax.set_xlabel("tuples")
    return "The greylist funnel", _png(fig)


def pass_delays(d: dict):
    delays = d["greylisting"]["pass_delays"]
    if not delays:
        return None
    fig, ax = plt.subplots(figsize=(6, 2.6))
    ax.hist(np.asarray(delays, dtype=float) / 60, bins=30, color="#2471a3")
    ax.set_xlabel("minutes from the first attempt to the retry that passed")
    ax.set_ylabel("tuples")
    return "Greylist pass delay", _png(fig)


def list_hits(d: dict):
    lists = d["blacklists"]["lists"]
    if not lists:
        return None
    fig, ax = plt.subplots(figsize=(6, 0.5 + 0.4 * len(lists)))
    names = [r["list"] for r in lists][::-1]
    ax.barh(names, [r["connections"] for r in lists][::-1], color="#c0392b")
    ax.set_xlabel("tarpitted connections")
    return "Connections per blacklist", _png(fig)


def hop_latencies(d: dict):
    durations = d["latency"]["durations"]
    if not durations:
        return None
    stages = sorted(durations)
    fig, ax = plt.subplots(figsize=(7, 0.6 + 0.35 * len(stages)))
    ax.boxplot([np.maximum(np.asarray(durations[s], dtype=float), 0.01) for s in stages], orientation="horizontal",
               tick_labels=stages)
    ax.set_xscale("log")
    ax.set_xlabel("seconds (log scale)")
    return "Latency per hop", _png(fig)


def spam_scores(d: dict):
    scores = d["spam"]["scores"]
    if not scores:
        return None
    fig, ax = plt.subplots(figsize=(6, 2.4))
    ax.hist(np.asarray(scores, dtype=float), bins=30, color="#7d3c98")
    ax.set_xlabel("SpamAssassin score")
    ax.set_ylabel("messages")
    return "Spam scores (spampd)", _png(fig)


ALL = {
    "connections_per_hour": connections_per_hour,
    "greylist_funnel": greylist_funnel,
    "pass_delays": pass_delays,
    "list_hits": list_hits,
    "hop_latencies": hop_latencies,
    "spam_scores": spam_scores,
}


def render_all(d: dict) -> dict[str, tuple[str, bytes]]:
    out = {}
    for name, fn in ALL.items():
        chart = fn(d)
        if chart:
            out[name] = chart
    return out
