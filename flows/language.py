"""The languages the program speaks; every catalogue and every conversation names one."""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    EN = "en"
    ES = "es"
