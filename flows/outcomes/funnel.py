"""The funnel from sign-up to visit: how many reached each step, where they stopped, and
how long each step took (median days), for everyone and by any grouping.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence

from flows.outcomes.milestones import STAGES, Milestone

DAY = dt.timedelta(days=1)


@dataclasses.dataclass(frozen=True, slots=True)
class Journey:
    """One person, de-identified: their language, the month they joined, and when each
    milestone was first reached."""

    language: str
    month: str  # "2026-11", in the program's time zone
    reached: Mapping[Milestone, dt.datetime]

    def furthest(self) -> int:
        """The index of the last step reached with every step before it (-1: none)."""
        done = -1
        for index, stage in enumerate(STAGES):
            if stage not in self.reached:
                break
            done = index
        return done


@dataclasses.dataclass(frozen=True, slots=True)
class Stage:
    milestone: Milestone
    reached: int  # people who reached this step and every step before it
    stopped: int  # of those, people who have gone no further (yet)
    median_days: float | None  # from the step before, among those who reached this one


@dataclasses.dataclass(frozen=True, slots=True)
class Funnel:
    label: str
    stages: tuple[Stage, ...]

    @property
    def people(self) -> int:
        return self.stages[0].reached


def funnel(label: str, journeys: Iterable[Journey]) -> Funnel:
    people = list(journeys)
    furthest = [j.furthest() for j in people]
    stages = []
    for index, stage in enumerate(STAGES):
        arrived = [j for j, f in zip(people, furthest, strict=True) if f >= index]
        stages.append(
            Stage(
                milestone=stage,
                reached=len(arrived),
                stopped=sum(1 for f in furthest if f == index),
                median_days=_median_days(arrived, index),
            )
        )
    return Funnel(label, tuple(stages))


def _median_days(arrived: Sequence[Journey], index: int) -> float | None:
    """Days from the step before to this one; a step done early (records before a date)
    counts as no time at all."""
    if index == 0 or not arrived:
        return None
    previous, stage = STAGES[index - 1], STAGES[index]
    days = [max((j.reached[stage] - j.reached[previous]) / DAY, 0.0) for j in arrived]
    return round(statistics.median(days), 1)


def grouped(journeys: Iterable[Journey], key: Callable[[Journey], str]) -> list[Funnel]:
    """One funnel per group (a language, a month), in the groups' order."""
    groups: dict[str, list[Journey]] = {}
    for journey in journeys:
        groups.setdefault(key(journey), []).append(journey)
    return [funnel(label, groups[label]) for label in sorted(groups)]
