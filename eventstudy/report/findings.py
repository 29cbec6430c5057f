"""What a reader should see first, written from the results (never by hand): the findings block of the index, the
key numbers of an event and of a security, and the plain-language names of the tests.

Findings rank pairs by the p-value of their CAR over the headline window, one row per (security, day 0): events
that share a day 0 are the same returns, so they are named together rather than counted twice. Every number says
how sure it is: the t statistic, whether it survives the Benjamini-Hochberg correction for testing every pair of the
run (BH q < 0.05) and whether the SQ test, which does not assume normal returns, agrees (SQ p < 0.05).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy.baskets import BASKETS_GROUP
from eventstudy.events import Event
from eventstudy.report.context import ReportContext
from eventstudy.report.markup import esc, fixed, format_p, signed_percent
from eventstudy.universe import Security

__all__ = [
    "TEST_NAMES",
    "event_key_numbers",
    "findings_block",
    "recommended_reason",
    "security_key_numbers",
    "test_name",
]

#: Each sample test of the study and of its analyses in plain words (the name in the data in parentheses on the
#: pages).
TEST_NAMES = {
    "cross_sectional_t": "cross-sectional t test of the average CAR",
    "crude_dependence_t": "portfolio t test (Brown-Warner crude dependence adjustment)",
    "patell_z": "Patell test of standardized abnormal returns",
    "bmp_t": "standardized cross-sectional test (Boehmer-Musumeci-Poulsen)",
    "kolari_pynnonen_patell": "Patell test adjusted for securities hit on the same day (Kolari-Pynnönen)",
    "kolari_pynnonen_bmp": "standardized cross-sectional test adjusted for securities hit on the same day "
    "(Kolari-Pynnönen)",
    "skewness_corrected_t": "skewness-corrected t test (Hall)",
    "corrado_rank": "rank test (Corrado)",
    "grank": "generalized rank test (Kolari-Pynnönen GRANK)",
    "generalized_sign": "generalized sign test (Cowan)",
    "sign_test": "sign test",
    "wilcoxon_signed_rank": "Wilcoxon signed-rank test",
    "wild_bootstrap": "wild bootstrap of the average CAR",
    "placebo": "placebo test against the same securities on random non-event dates",
    "mean_ratio_t": "skewness-adjusted t test of the mean volatility ratio against 1",
    "bhar_t": "conventional t test of the mean BHAR",
    "skewness_adjusted_t": "skewness-adjusted t test (Lyon-Barber-Tsai)",
    "bootstrap_skewness_adjusted_t": "bootstrap of the skewness-adjusted t test (Lyon-Barber-Tsai)",
}
_STRONGEST = 6  # cards of the strongest reactions
_SIDE_BY_SIDE = 4  # events of the markets side by side
_KEY_SECURITIES = 5


def test_name(name: object) -> str:
    """The plain-language name of a sample test (its data name when unknown)."""
    return TEST_NAMES.get(str(name), str(name))


def recommended_reason(name: object) -> str:
    """Why a sample's recommended test is the one the page leads with."""
    if name == "kolari_pynnonen_bmp":
        return (
            "The securities of one event share its date, so their abnormal returns move together and tests that "
            "treat them as independent overstate significance. This test standardizes each CAR by its own "
            "variance (robust to the event raising volatility, Boehmer, Musumeci & Poulsen 1991) and shrinks the "
            "statistic by the securities' average correlation (Kolari & Pynnönen 2010)."
        )
    if name == "bmp_t":
        return (
            "The clustering adjustment could not be computed (too few common estimation days), so the page leads "
            "with the standardized cross-sectional test, robust to the event raising volatility (Boehmer, Musumeci "
            "& Poulsen 1991) but not to correlation between the securities."
        )
    return "The standardized tests could not be computed, so the page leads with the plain cross-sectional t test."


def _survives(q_value: float, sq_p_value: float) -> str:
    bh = "survives BH" if q_value < 0.05 else "does not survive BH"
    sq = "SQ agrees" if sq_p_value < 0.05 else "SQ does not confirm"
    return (
        f'<span class="{"yes" if q_value < 0.05 else "no"}">{bh} (q {esc(format_p(q_value))})</span> · '
        f'<span class="{"yes" if sq_p_value < 0.05 else "no"}">{sq} (p {esc(format_p(sq_p_value))})</span>'
    )


def _sign_class(value: float) -> str:
    return "neg" if value < 0 else "pos"


def by_strength(pairs: pd.DataFrame) -> pd.DataFrame:
    """Pairs with the most significant headline CAR first (then the largest |t|), those without a test last."""
    return pairs.assign(_size=-pairs["t"].abs()).sort_values(["p_value", "_size"], kind="stable", na_position="last")


def _strongest(context: ReportContext) -> pd.DataFrame:
    """The strongest reaction of each news day: pairs ranked by the p-value of their headline CAR (then |t|), one
    per (security, day 0) (``events``: every event of that day 0), then one per set of events, baskets aside;
    ``others``: how many other securities of those events survive BH."""
    pairs = context.pairs
    tested = pairs[(pairs["group"] != BASKETS_GROUP) & pairs["p_value"].notna()]
    together = tested.groupby(["ticker", "day_zero"], sort=False)["event_id"].agg(tuple).rename("events")
    ranked = by_strength(tested)
    ranked = ranked.drop_duplicates(["ticker", "day_zero"]).join(together, on=["ticker", "day_zero"])
    chosen = ranked.drop_duplicates("events").head(_STRONGEST)
    surviving = tested[tested["q_value"] < 0.05]
    others = [
        int(surviving.loc[surviving["event_id"].isin(events), "ticker"].nunique()) - int(q < 0.05)
        for events, q in zip(chosen["events"], chosen["q_value"], strict=True)
    ]
    return chosen.assign(others=others)


def _strongest_cards(context: ReportContext) -> str:
    cards = []
    columns = ["ticker", "events", "fallback_reason", "others", "car", "t", "q_value", "sq_p_value"]
    for row in _strongest(context)[columns].itertuples(index=False):
        security = context.security(row.ticker)
        names = "; ".join(
            f'<a href="events/{esc(context.event_files[event_id])}.html">{esc(context.event_name(event_id, 70))}</a>'
            for event_id in row.events
        )
        fallback = ' <span class="fallback">† short history</span>' if row.fallback_reason else ""
        others = "1 other security survives" if row.others == 1 else f"{row.others} other securities survive"
        more = f" · {others} BH that day" if row.others else ""
        cards.append(
            f'<li class="finding"><span class="big {_sign_class(row.car)}">{esc(signed_percent(row.car))}</span>'
            f'<span class="who"><a href="securities/{esc(context.security_files[row.ticker])}.html">'
            f"<b>{esc(row.ticker)}</b></a> {esc(security.name)}{fallback}</span>"
            f'<span class="what">CAR {esc(context.label)} after {names}</span>'
            f'<span class="sure">t = {fixed(row.t, 1)} · {_survives(row.q_value, row.sq_p_value)}{more}</span></li>'
        )
    return f'<ol class="findings-list">{"".join(cards)}</ol>' if cards else ""


def _market_groups(context: ReportContext) -> dict[str, list[str]]:
    """Market -> its groups (in universe order), baskets aside."""
    markets: dict[str, list[str]] = {}
    pairs = context.pairs[context.pairs["group"] != BASKETS_GROUP].drop_duplicates("group")
    for market, group in zip(pairs["market"], pairs["group"], strict=True):
        markets.setdefault(market, []).append(group)
    return markets


def _side_by_side(context: ReportContext) -> str:
    """Group CAARs per market for the events studied on more than one market, most significant events first."""
    markets = _market_groups(context)
    if len(markets) < 2:
        return ""
    samples = context.samples
    chosen = samples[(samples["scope"] == "event") & (samples["window"] == context.label)]
    chosen = chosen[chosen["group"].isin([g for groups in markets.values() for g in groups])]
    per_event = chosen.groupby("event_id")
    both = [
        event_id
        for event_id in context.studied
        if event_id in per_event.groups
        and sum(bool(set(groups) & set(per_event.get_group(event_id)["group"])) for groups in markets.values()) >= 2
        and event_id not in context.shocks
    ]
    if not both:
        return ""
    best = chosen[chosen["event_id"].isin(both)].groupby("event_id")["test_p"].min().reindex(both)
    shown = best.sort_values(kind="stable").index[:_SIDE_BY_SIDE]
    names = list(markets)
    head = "".join(f'<th scope="col">{esc(market)}</th>' for market in names)
    rows = []
    for event_id in shown:
        own = per_event.get_group(event_id).set_index("group")
        cells = []
        for market in names:
            parts = []
            for group in markets[market]:
                if group not in own.index:
                    continue
                sample = own.loc[group]
                caar, p = esc(signed_percent(sample["caar"])), esc(format_p(sample["test_p"]))
                text = f"{esc(group)} {caar} (n {int(sample['n'])}, p {p})"
                parts.append(f"<b>{text}</b>" if sample["test_p"] < 0.05 else text)
            cells.append(f"<td>{'<br>'.join(parts) or '–'}</td>")
        link = f'<a href="events/{esc(context.event_files[event_id])}.html">{esc(context.event_name(event_id, 60))}</a>'
        rows.append(f'<tr><th scope="row">{link}</th>{"".join(cells)}</tr>')
    rest = len(both) - len(shown)
    more = f" {rest} more events hit both; their pages have the numbers." if rest > 0 else ""
    return (
        f"<h3>{' vs '.join(esc(m) for m in names)}, side by side</h3>"
        f'<p class="note">Group CAAR {esc(context.label)} of the events studied on both markets, the most significant '
        "first (bold: p &lt; 0.05, the recommended test: standardized and adjusted for securities hit on the same "
        f"day).{more}</p>"
        f'<div class="table-wrap"><table class="side"><thead><tr><th scope="col">event</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _chance(context: ReportContext) -> str:
    pairs = context.pairs
    p = pairs["p_value"].to_numpy(dtype=float)
    q = pairs["q_value"].to_numpy(dtype=float)
    tested = int(np.isfinite(p).sum())
    significant = int((p < 0.05).sum())
    surviving = int((q < 0.05).sum())
    return (
        f'<p class="chance">Of the {tested} CARs over {esc(context.label)} with a test, <b>{significant}</b> have '
        f"p &lt; 0.05, where chance alone would give about <b>{round(0.05 * tested)}</b>; <b>{surviving}</b> "
        "survive the Benjamini-Hochberg correction for testing them all (q &lt; 0.05: at most 1 in 20 of them is "
        "expected to be a false discovery).</p>"
    )


def findings_block(context: ReportContext) -> str:
    """The index's opening: the strongest reactions, the markets side by side and what chance alone would give."""
    return (
        '<section id="findings" class="findings"><h2>Findings</h2>'
        f"<h3>Strongest reactions, CAR {esc(context.label)}</h3>"
        '<p class="note">The most significant CAR of each news day (events that share a day 0 are named together: '
        "the same returns), with how sure it is.</p>"
        f"{_strongest_cards(context)}"
        f"{_chance(context)}{_side_by_side(context)}</section>"
    )


def _key_rows(context: ReportContext, rows: pd.DataFrame, root: str) -> str:
    lines = []
    for row in rows[["ticker", "fallback_reason", "ar0", "sar0", "car", "t", "q_value"]].itertuples(index=False):
        mark = ' <span class="fallback">†</span>' if row.fallback_reason else ""
        ar, car = row.ar0, row.car
        lines.append(  # cells right-aligned by the style sheet (table.key)
            f'<tr><th><a href="{root}securities/{esc(context.security_files[row.ticker])}.html">'
            f"{esc(row.ticker.removeprefix('basket-'))}</a>{mark}</th>"
            f'<td class="{_sign_class(ar)}">{esc(signed_percent(ar))}</td><td>{fixed(row.sar0, 1)}</td>'
            f'<td class="{_sign_class(car)}">{esc(signed_percent(car))}</td><td>{fixed(row.t, 1)}</td>'
            f"<td>{esc(format_p(row.q_value))}</td></tr>"
        )
    return "".join(lines)


def event_key_numbers(context: ReportContext, event: Event) -> str:
    """An event page's key-numbers box: day-0 AR and headline CAR of the securities that moved most that day, of the
    study's featured securities (its timeline) and of each group basket, and the group CAARs with the recommended
    test in plain words (empty when nothing was estimated)."""
    pairs = context.event_pairs(event.id)
    estimated = pairs[(pairs["status"] == "ok") & pairs["ar0"].notna()]
    if estimated.empty:
        return ""
    members = estimated[estimated["group"] != BASKETS_GROUP]
    top = members.assign(size=-members["ar0"].abs()).sort_values("size", kind="stable").head(_KEY_SECURITIES)
    featured = members[members["ticker"].isin(context.timeline) & ~members["ticker"].isin(top["ticker"])]
    shown = set(featured["ticker"])
    featured = featured.set_index("ticker").reindex([t for t in context.timeline if t in shown])
    baskets = estimated[estimated["group"] == BASKETS_GROUP]
    blocks = [
        ("largest day-0 moves", top),
        ("featured securities", featured.reset_index()),
        ("group baskets (equal-weighted)", baskets),
    ]
    head = (
        '<thead><tr><th scope="col">security</th><th scope="col">day-0 AR</th><th scope="col">t</th>'
        f'<th scope="col">CAR {esc(context.label)}</th><th scope="col">t</th><th scope="col">BH q</th></tr></thead>'
    )
    body = "".join(
        f'<tr class="sub"><th scope="rowgroup" colspan="6">{title}</th></tr>{_key_rows(context, rows, "../")}'
        for title, rows in blocks
        if not rows.empty
    )
    table = f'<div class="table-wrap"><table class="key">{head}<tbody>{body}</tbody></table></div>'
    missing = pairs[(pairs["status"] == "ok") & pairs["ar0"].isna()]
    if not missing.empty:
        markets = ", ".join(sorted(set(missing["market"])))
        table += (
            f'<p class="note">{len(missing)} estimated securities ({esc(markets)}) have no day-0 AR: a price is '
            "missing on their day 0 (see the warnings), so they are left out above.</p>"
        )
    samples = context.event_group_samples(event.id).drop(BASKETS_GROUP, errors="ignore")
    recommended = samples["test"].dropna()
    sentence = ""
    if not recommended.empty:
        chosen = recommended.mode().iloc[0]
        parts = [
            f"{esc(group)} <b>{esc(signed_percent(row.caar))}</b> (n {int(row.n)}, p {esc(format_p(row.test_p))})"
            for group, row in zip(samples.index, samples.itertuples(), strict=True)
        ]
        sentence = (
            f'<p class="groups">Group CAAR {esc(context.label)}: {"; ".join(parts)}.</p>'
            f'<p class="note">p-values from the recommended test, the <b>{esc(test_name(chosen))}</b>. '
            f"{esc(recommended_reason(chosen))} Every other test is in the table at the bottom of the page.</p>"
        )
    return (
        '<section id="key-numbers" class="key-numbers"><h2>Key numbers</h2>'
        f'<p class="note">Day-0 abnormal return (AR) and its t; CAR over {esc(context.label)} and its t; BH q: '
        "Benjamini-Hochberg q-value of the CAR across every pair of the run; † short history (market-adjusted "
        "model on few returns).</p>"
        f"{table}{sentence}</section>"
    )


def security_key_numbers(context: ReportContext, security: Security) -> str:
    """A security page's key numbers: its most significant headline CARs, one per day 0 (events that share it are
    named together), empty when it has none."""
    pairs = context.security_pairs(security.ticker)
    tested = pairs[pairs["p_value"].notna()]
    if tested.empty:
        return ""
    together = tested.groupby("day_zero", sort=False)["event_id"].agg(tuple)
    top = by_strength(tested).drop_duplicates("day_zero").head(3)
    items = []
    for row in top[["day_zero", "fallback_reason", "car", "t", "q_value", "sq_p_value"]].itertuples(index=False):
        names = "; ".join(
            f'<a href="../events/{esc(context.event_files[e])}.html">{esc(context.event_name(e, 70))}</a>'
            for e in together[row.day_zero]
        )
        mark = ' <span class="fallback">† short history</span>' if row.fallback_reason else ""
        items.append(
            f'<li><span class="big {_sign_class(row.car)}">{esc(signed_percent(row.car))}</span>{mark} after {names}'
            f" (t = {fixed(row.t, 1)} · {_survives(row.q_value, row.sq_p_value)})</li>"
        )
    return (
        '<section id="key-numbers" class="key-numbers"><h2>Key numbers</h2>'
        f'<p class="note">The most significant CARs {esc(context.label)} of {esc(security.ticker)}, one per day 0.</p>'
        f'<ul class="key-list">{"".join(items)}</ul></section>'
    )
