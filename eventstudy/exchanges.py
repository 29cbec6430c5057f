"""Where a Yahoo Finance ticker trades, and what it is measured against by default.

A Yahoo ticker names its market by a suffix: ``7203.T`` trades in Tokyo, ``0700.HK`` in Hong Kong, ``NVDA`` (no
suffix) in New York. :data:`SUFFIX_EXCHANGES` maps each suffix to the ISO 10383 MIC of the exchange, for every
exchange that both Yahoo Finance lists and ``exchange_calendars`` has a calendar for (the suffixes are Yahoo's, as
also tabulated by yfinance's ``_MIC_TO_YAHOO_SUFFIX``); :data:`EXCHANGES` gives each MIC's name, quote currency and
default benchmark. A security's trading calendar is its exchange's (see :func:`eventstudy.calendars.get_calendar`;
Shenzhen shares Shanghai's, the NSE shares the BSE's).

=========================  =====  ==================================  ==========  =========================
suffix                     MIC    exchange                            currency    default benchmark
=========================  =====  ==================================  ==========  =========================
(none)                     XNYS   NYSE / Nasdaq (one calendar)        USD         SPY (S&P 500 proxy)
``.HK``                    XHKG   Hong Kong Exchanges                 HKD         ^HSI (Hang Seng)
``.T``                     XTKS   Tokyo Stock Exchange                JPY         ^N225 (Nikkei 225)
``.SS``                    XSHG   Shanghai Stock Exchange             CNY         000300.SS (CSI 300)
``.SZ``                    XSHE   Shenzhen Stock Exchange             CNY         000300.SS (CSI 300)
``.KS``, ``.KQ``           XKRX   Korea Exchange (KOSPI, KOSDAQ)      KRW         ^KS11 (KOSPI)
``.TW``, ``.TWO``          XTAI   Taiwan SE, Taipei Exchange          TWD         ^TWII (TAIEX)
``.BO``                    XBOM   BSE (Bombay)                        INR         ^BSESN (Sensex)
``.NS``                    XNSE   National Stock Exchange of India    INR         ^NSEI (Nifty 50)
``.SI``                    XSES   Singapore Exchange                  (several)   ^STI (Straits Times)
``.KL``                    XKLS   Bursa Malaysia                      MYR         ^KLSE (FTSE Bursa KLCI)
``.JK``                    XIDX   Indonesia Stock Exchange            IDR         ^JKSE (Jakarta Composite)
``.BK``                    XBKK   Stock Exchange of Thailand          THB         none
``.PS``                    XPHS   Philippine Stock Exchange           PHP         none
``.AX``                    XASX   ASX (Australia)                     AUD         ^AXJO (S&P/ASX 200)
``.NZ``                    XNZE   NZX (New Zealand)                   NZD         ^NZ50 (S&P/NZX 50)
``.SR``                    XSAU   Saudi Exchange (Tadawul)            SAR         none
``.L``, ``.IL``            XLON   London Stock Exchange               (several)   ^FTSE (FTSE 100)
``.AS``                    XAMS   Euronext Amsterdam                  EUR         ^AEX (AEX)
``.PA``                    XPAR   Euronext Paris                      EUR         ^FCHI (CAC 40)
``.BR``                    XBRU   Euronext Brussels                   EUR         ^BFX (BEL 20)
``.LS``                    XLIS   Euronext Lisbon                     EUR         none
``.IR``                    XDUB   Euronext Dublin                     EUR         none
``.MI``                    XMIL   Borsa Italiana (Milan)              EUR         FTSEMIB.MI (FTSE MIB)
``.DE``                    XETR   Xetra (Frankfurt)                   EUR         ^GDAXI (DAX)
``.F``                     XFRA   Börse Frankfurt (floor)             EUR         none
``.DU``                    XDUS   Börse Düsseldorf                    EUR         none
``.HM``                    XHAM   Börse Hamburg                       EUR         none
``.SG``                    XSTU   Börse Stuttgart                     EUR         none
``.MC``                    XMAD   Bolsa de Madrid                     EUR         ^IBEX (IBEX 35)
``.SW``                    XSWX   SIX Swiss Exchange                  CHF         ^SSMI (SMI)
``.VI``                    XWBO   Wiener Börse (Vienna)               EUR         ^ATX (ATX)
``.ST``                    XSTO   Nasdaq Stockholm                    SEK         ^OMX (OMX Stockholm 30)
``.CO``                    XCSE   Nasdaq Copenhagen                   DKK         none
``.HE``                    XHEL   Nasdaq Helsinki                     EUR         none
``.IC``                    XICE   Nasdaq Iceland                      ISK         none
``.TL``                    XTAL   Nasdaq Tallinn                      EUR         none
``.RG``                    XRIS   Nasdaq Riga                         EUR         none
``.VS``                    XLIT   Nasdaq Vilnius                      EUR         none
``.OL``                    XOSL   Oslo Børs                           NOK         none
``.WA``                    XWAR   Warsaw Stock Exchange               PLN         none
``.PR``                    XPRA   Prague Stock Exchange               CZK         none
``.BD``                    XBUD   Budapest Stock Exchange             HUF         none
``.IS``                    XIST   Borsa Istanbul                      TRY         XU100.IS (BIST 100)
``.JO``                    XJSE   Johannesburg Stock Exchange         (several)   none
``.TO``, ``.V``            XTSE   Toronto SE, TSX Venture             CAD         ^GSPTSE (S&P/TSX)
``.MX``                    XMEX   Bolsa Mexicana de Valores           MXN         ^MXX (S&P/BMV IPC)
``.SA``                    BVMF   B3 (São Paulo)                      BRL         ^BVSP (Ibovespa)
``.BA``                    XBUE   Bolsa de Buenos Aires               ARS         ^MERV (MERVAL)
``.SN``                    XSGO   Bolsa de Santiago                   CLP         ^IPSA (S&P IPSA)
``.CL``                    XBOG   Bolsa de Valores de Colombia        COP         none
=========================  =====  ==================================  ==========  =========================

"none" means no benchmark is assumed where we could not name a well-known index ticker with certainty: give one in
a universe file (``benchmark`` column) or with ``benchmark=``. "(several)" means the exchange quotes in more than
one currency or in a subunit (London in pence, Johannesburg in cents): the currency is left empty. Yahoo lists
Athens (``.AT``), Bucharest (``.RO``) and Tel Aviv (``.TA``) too, but ``exchange_calendars`` 4.13 cannot build their
calendars, so they are left out.

Index tickers (``^...``) have no suffix of their market: :data:`INDEX_EXCHANGES` places the benchmarks above and
a few other well-known indices on the exchange whose market they measure (``^N225`` on XTKS). An index with a
suffix (``000300.SS``) is placed by its suffix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "EXCHANGES",
    "INDEX_EXCHANGES",
    "MAX_NAME_LENGTH",
    "SUFFIX_EXCHANGES",
    "Exchange",
    "UnknownSuffixError",
    "check_ticker",
    "default_benchmark",
    "exchange_of_ticker",
    "suffix_of",
]

#: Longest event id, ticker or group name: they become report file names, which must stay well inside the
#: file systems' 255-byte limit once a prefix and ``.html`` are added.
MAX_NAME_LENGTH = 100

_TICKER_PATTERN = re.compile(r"[A-Za-z0-9^][A-Za-z0-9.^=_-]*")


@dataclass(frozen=True)
class Exchange:
    """One exchange of :data:`EXCHANGES`: its MIC, name, quote currency (``""`` when several) and default
    benchmark (a Yahoo ticker, ``None`` when no well-known index is assumed)."""

    mic: str
    name: str
    currency: str
    benchmark: str | None


def _exchanges(*rows: tuple[str, str, str, str | None]) -> Mapping[str, Exchange]:
    return MappingProxyType({mic: Exchange(mic, name, currency, benchmark) for mic, name, currency, benchmark in rows})


#: MIC -> :class:`Exchange`, in the order of the module's table.
EXCHANGES: Mapping[str, Exchange] = _exchanges(
    ("XNYS", "NYSE / Nasdaq", "USD", "SPY"),
    ("XHKG", "Hong Kong Exchanges", "HKD", "^HSI"),
    ("XTKS", "Tokyo Stock Exchange", "JPY", "^N225"),
    ("XSHG", "Shanghai Stock Exchange", "CNY", "000300.SS"),
    ("XSHE", "Shenzhen Stock Exchange", "CNY", "000300.SS"),
    ("XKRX", "Korea Exchange", "KRW", "^KS11"),
    ("XTAI", "Taiwan Stock Exchange", "TWD", "^TWII"),
    ("XBOM", "BSE (Bombay)", "INR", "^BSESN"),
    ("XNSE", "National Stock Exchange of India", "INR", "^NSEI"),
    ("XSES", "Singapore Exchange", "", "^STI"),
    ("XKLS", "Bursa Malaysia", "MYR", "^KLSE"),
    ("XIDX", "Indonesia Stock Exchange", "IDR", "^JKSE"),
    ("XBKK", "Stock Exchange of Thailand", "THB", None),
    ("XPHS", "Philippine Stock Exchange", "PHP", None),
    ("XASX", "ASX (Australia)", "AUD", "^AXJO"),
    ("XNZE", "NZX (New Zealand)", "NZD", "^NZ50"),
    ("XSAU", "Saudi Exchange (Tadawul)", "SAR", None),
    ("XLON", "London Stock Exchange", "", "^FTSE"),
    ("XAMS", "Euronext Amsterdam", "EUR", "^AEX"),
    ("XPAR", "Euronext Paris", "EUR", "^FCHI"),
    ("XBRU", "Euronext Brussels", "EUR", "^BFX"),
    ("XLIS", "Euronext Lisbon", "EUR", None),
    ("XDUB", "Euronext Dublin", "EUR", None),
    ("XMIL", "Borsa Italiana (Milan)", "EUR", "FTSEMIB.MI"),
    ("XETR", "Xetra (Frankfurt)", "EUR", "^GDAXI"),
    ("XFRA", "Börse Frankfurt (floor)", "EUR", None),
    ("XDUS", "Börse Düsseldorf", "EUR", None),
    ("XHAM", "Börse Hamburg", "EUR", None),
    ("XSTU", "Börse Stuttgart", "EUR", None),
    ("XMAD", "Bolsa de Madrid", "EUR", "^IBEX"),
    ("XSWX", "SIX Swiss Exchange", "CHF", "^SSMI"),
    ("XWBO", "Wiener Börse (Vienna)", "EUR", "^ATX"),
    ("XSTO", "Nasdaq Stockholm", "SEK", "^OMX"),
    ("XCSE", "Nasdaq Copenhagen", "DKK", None),
    ("XHEL", "Nasdaq Helsinki", "EUR", None),
    ("XICE", "Nasdaq Iceland", "ISK", None),
    ("XTAL", "Nasdaq Tallinn", "EUR", None),
    ("XRIS", "Nasdaq Riga", "EUR", None),
    ("XLIT", "Nasdaq Vilnius", "EUR", None),
    ("XOSL", "Oslo Børs", "NOK", None),
    ("XWAR", "Warsaw Stock Exchange", "PLN", None),
    ("XPRA", "Prague Stock Exchange", "CZK", None),
    ("XBUD", "Budapest Stock Exchange", "HUF", None),
    ("XIST", "Borsa Istanbul", "TRY", "XU100.IS"),
    ("XJSE", "Johannesburg Stock Exchange", "", None),
    ("XTSE", "Toronto Stock Exchange", "CAD", "^GSPTSE"),
    ("XMEX", "Bolsa Mexicana de Valores", "MXN", "^MXX"),
    ("BVMF", "B3 (São Paulo)", "BRL", "^BVSP"),
    ("XBUE", "Bolsa de Buenos Aires", "ARS", "^MERV"),
    ("XSGO", "Bolsa de Santiago", "CLP", "^IPSA"),
    ("XBOG", "Bolsa de Valores de Colombia", "COP", None),
)

#: Yahoo Finance ticker suffix (without the dot; ``""`` for none) -> exchange MIC.
SUFFIX_EXCHANGES: Mapping[str, str] = MappingProxyType(
    {
        "": "XNYS",
        "HK": "XHKG",
        "T": "XTKS",
        "SS": "XSHG",
        "SZ": "XSHE",
        "KS": "XKRX",
        "KQ": "XKRX",
        "TW": "XTAI",
        "TWO": "XTAI",
        "BO": "XBOM",
        "NS": "XNSE",
        "SI": "XSES",
        "KL": "XKLS",
        "JK": "XIDX",
        "BK": "XBKK",
        "PS": "XPHS",
        "AX": "XASX",
        "NZ": "XNZE",
        "SR": "XSAU",
        "L": "XLON",
        "IL": "XLON",
        "AS": "XAMS",
        "PA": "XPAR",
        "BR": "XBRU",
        "LS": "XLIS",
        "IR": "XDUB",
        "MI": "XMIL",
        "DE": "XETR",
        "F": "XFRA",
        "DU": "XDUS",
        "HM": "XHAM",
        "SG": "XSTU",
        "MC": "XMAD",
        "SW": "XSWX",
        "VI": "XWBO",
        "ST": "XSTO",
        "CO": "XCSE",
        "HE": "XHEL",
        "IC": "XICE",
        "TL": "XTAL",
        "RG": "XRIS",
        "VS": "XLIT",
        "OL": "XOSL",
        "WA": "XWAR",
        "PR": "XPRA",
        "BD": "XBUD",
        "IS": "XIST",
        "JO": "XJSE",
        "TO": "XTSE",
        "V": "XTSE",
        "MX": "XMEX",
        "SA": "BVMF",
        "BA": "XBUE",
        "SN": "XSGO",
        "CL": "XBOG",
    }
)

#: Index tickers without a market suffix -> the exchange whose market they measure.
INDEX_EXCHANGES: Mapping[str, str] = MappingProxyType(
    {
        "^GSPC": "XNYS",
        "^DJI": "XNYS",
        "^IXIC": "XNYS",
        "^NDX": "XNYS",
        "^RUT": "XNYS",
        "^HSI": "XHKG",
        "^N225": "XTKS",
        "^KS11": "XKRX",
        "^TWII": "XTAI",
        "^BSESN": "XBOM",
        "^NSEI": "XNSE",
        "^STI": "XSES",
        "^KLSE": "XKLS",
        "^JKSE": "XIDX",
        "^AXJO": "XASX",
        "^NZ50": "XNZE",
        "^FTSE": "XLON",
        "^AEX": "XAMS",
        "^FCHI": "XPAR",
        "^BFX": "XBRU",
        "^GDAXI": "XETR",
        "^IBEX": "XMAD",
        "^SSMI": "XSWX",
        "^ATX": "XWBO",
        "^OMX": "XSTO",
        "^GSPTSE": "XTSE",
        "^MXX": "XMEX",
        "^BVSP": "BVMF",
        "^MERV": "XBUE",
        "^IPSA": "XSGO",
    }
)


class UnknownSuffixError(ValueError):
    """A ticker whose market cannot be told from its suffix; the message names the ticker and what to do."""


def check_ticker(ticker: object) -> str:
    """``ticker`` if it is a well-formed Yahoo ticker that is safe as a file name, else ``ValueError`` with why.

    Well-formed: letters, digits and ``. ^ = _ -``, not starting with ``.``, ``=``, ``_`` or ``-`` (so never ``..``
    or a path), no ``..`` inside, at most :data:`MAX_NAME_LENGTH` characters.
    """
    if not isinstance(ticker, str) or not _TICKER_PATTERN.fullmatch(ticker) or ".." in ticker:
        raise ValueError(
            "is not a ticker: use letters, digits and '.', '^', '=', '_', '-' (starting with a letter, a digit or "
            "'^'), such as NVDA, 0700.HK or ^N225"
        )
    if len(ticker) > MAX_NAME_LENGTH:
        raise ValueError(f"is longer than {MAX_NAME_LENGTH} characters (it names report files)")
    return ticker


def suffix_of(ticker: str) -> str:
    """The Yahoo market suffix of ``ticker`` without its dot: ``"7203.T"`` -> ``"T"``, ``"NVDA"`` -> ``""``."""
    return ticker.rpartition(".")[2] if "." in ticker else ""


def exchange_of_ticker(ticker: str) -> str:
    """The MIC of the exchange a Yahoo ticker trades on, from its suffix (or, for an index, :data:`INDEX_EXCHANGES`).

    Raises
    ------
    UnknownSuffixError
        Naming the ticker and the suffixes known, for an unknown suffix, an unknown index without a suffix, or a
        Yahoo quote that is not exchange-traded (``EURUSD=X``, ``ES=F``).
    """
    if ticker in INDEX_EXCHANGES:
        return INDEX_EXCHANGES[ticker]
    suffix = suffix_of(ticker)
    advice = "or give its exchange MIC in a universe file (column 'exchange')"
    if "=" in ticker:
        raise UnknownSuffixError(f"ticker {ticker!r} is a currency or futures quote, not a security of an exchange")
    if ticker.startswith("^") and not suffix:
        known = ", ".join(INDEX_EXCHANGES)
        raise UnknownSuffixError(f"index {ticker!r}: its market is unknown (the indices known are {known}); {advice}")
    if suffix.upper() not in SUFFIX_EXCHANGES:
        known = ", ".join("." + key for key in SUFFIX_EXCHANGES if key)
        raise UnknownSuffixError(
            f"ticker {ticker!r}: unknown Yahoo Finance suffix '.{suffix}'; the suffixes known are {known} (none for "
            f"New York); check the ticker on Yahoo Finance, {advice}"
        )
    return SUFFIX_EXCHANGES[suffix.upper()]


def default_benchmark(exchange: str) -> str | None:
    """The default benchmark (a Yahoo ticker) of securities of ``exchange``, ``None`` when none is assumed."""
    info = EXCHANGES.get(exchange)
    return None if info is None else info.benchmark
