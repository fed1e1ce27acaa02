"""Hindu lunisolar feasts in any year, from the Moon's and the Sun's positions (PyMeeus).

The ``holidays`` package lists Diwali and Holi for 2001-2035 only, and convertdate has no Hindu
lunisolar calendar (its ``indian_civil`` is the solar national calendar). The rule those tables
follow is short: a lunar month (amanta: new moon to new moon) is named by the sign of the sidereal
zodiac the Sun enters during it (Chaitra the month of Mesha, 0 degrees; Ashvin the month of Tula,
180; Phalguna the month of Mina, 330); a feast is a lunar day of a month, kept on the civil day whose
evening that lunar day covers. Diwali (Lakshmi Puja) is the new moon (amavasya) ending Ashvin; Holi
the day after the full moon (purnima) of Phalguna.

PyMeeus (Meeus, *Astronomical Algorithms*; already installed as convertdate's dependency) gives the
instants of new and full moon and the Sun's longitude; the sidereal longitude is the tropical one
less the Lahiri ayanamsa. The day is read in India (UTC+5:30): a lunar day that ends (at the
syzygy) before the feast's evening cut-off covered the evening of the day before.
tests/test_temporal_rules.py checks the rule against every year the ``holidays`` tables give.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

# The sidereal longitude (degrees) of the sign the Sun enters during each amanta month.
MONTHS = {"chaitra": 0, "vaishakha": 30, "jyeshtha": 60, "ashadha": 90, "shravana": 120, "bhadrapada": 150,
          "ashvin": 180, "kartika": 210, "margashirsha": 240, "pausha": 270, "magha": 300, "phalguna": 330}
# Lahiri (Chitrapaksha) ayanamsa: 23.853 degrees at J2000.0, growing with the precession, 50.29" a year.
_AYANAMSA_2000, _AYANAMSA_RATE = 23.853, 50.29 / 3600
_SYNODIC_MONTH = 29.530588
_INDIA = timedelta(hours=5, minutes=30)


@lru_cache(maxsize=256)
def feast(kind: str, month: str, year: int, cutoff: tuple[int, int] = (20, 0)) -> date | None:
    """The civil day of the new moon (``kind`` "amavasya") ending ``month``, or of the full moon
    ("purnima") inside it, in Gregorian ``year``; None when ``month`` has no such day that year.

    ``cutoff`` (hour, minute in India): a lunar day that ends before it belongs to the evening of the
    day before. Where the evening worship is counted from differs by feast; the rule file gives each
    feast's cut-off, where the ``holidays`` tables of 2001-2035 put it."""
    from pymeeus.Epoch import Epoch
    from pymeeus.Moon import Moon

    start = MONTHS[month]
    # The month ends at the first new moon with the Sun past its sign's start (and in that sign).
    epoch = Epoch(year, 1, 1)
    for _ in range(15):
        new = Moon.moon_phase(epoch, target="new")
        if 0 <= (_sidereal_sun(new) - start) % 360 < 30:
            break
        epoch = new + _SYNODIC_MONTH
    else:
        return None
    syzygy = new if kind == "amavasya" else _nearest_phase("full", new - _SYNODIC_MONTH / 2)
    local = _civil(syzygy) + _INDIA
    day = local.date() if (local.hour, local.minute) >= cutoff else local.date() - timedelta(days=1)
    return day if day.year == year else None


def _nearest_phase(target: str, epoch):
    """The full (new) moon nearest ``epoch``: PyMeeus gives the one of the lunation it counts the
    epoch in, which may be the next one."""
    from pymeeus.Moon import Moon

    found = [Moon.moon_phase(epoch + days, target=target) for days in (-_SYNODIC_MONTH / 2, 0, _SYNODIC_MONTH / 2)]
    return min(found, key=lambda e: abs(e.jde() - epoch.jde()))


def _sidereal_sun(epoch) -> float:
    from pymeeus.Sun import Sun

    tropical = float(Sun.apparent_geocentric_position(epoch)[0])
    years = (epoch.jde() - 2451545.0) / 365.25
    return (tropical - _AYANAMSA_2000 - _AYANAMSA_RATE * years) % 360


def _civil(epoch) -> datetime:
    y, m, d, hh, mm, ss = epoch.get_full_date()
    return datetime(y, m, d) + timedelta(hours=hh, minutes=mm, seconds=ss)
