"""The time-zone picker: the US zones first, with plain names, then every other zone."""

from __future__ import annotations

from zoneinfo import available_timezones

US_ZONES = {  # what a navigator would call each, west to east last
    "America/New_York": "Eastern (New York, Miami)",
    "America/Chicago": "Central (Chicago, Houston)",
    "America/Denver": "Mountain (Denver)",
    "America/Phoenix": "Arizona (Phoenix, no daylight saving)",
    "America/Los_Angeles": "Pacific (Los Angeles, Seattle)",
    "America/Anchorage": "Alaska (Anchorage)",
    "Pacific/Honolulu": "Hawaii (Honolulu)",
    "America/Puerto_Rico": "Puerto Rico and US Virgin Islands",
    "Pacific/Guam": "Guam and Northern Mariana Islands",
    "Pacific/Pago_Pago": "American Samoa",
}
OTHER_ZONES = sorted(
    z for z in available_timezones() if z.startswith(("America/", "Pacific/")) and z not in US_ZONES
)
ZONES = frozenset([*US_ZONES, *OTHER_ZONES])


def zone_name(zone: str) -> str:
    """ "Pacific (Los Angeles, Seattle)" for a US zone; the zone's own name for the rest."""
    return US_ZONES.get(zone, zone.replace("_", " "))
