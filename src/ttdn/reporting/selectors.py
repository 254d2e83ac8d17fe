"""Reads of execution and reporting: completeness, KPI aggregation up the tree.

Aggregation follows the definition's rule (DHIS2-style): ``sum`` adds the agencies'
values; ``count`` counts agencies with a value; ``share`` is the share of units with a
"yes" (1); ``latest`` keeps the most recently updated value. Completeness says how many
of the expected reporters have a value, so a low total can be told from missing data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from ttdn.accounts.permissions import readable

from .models import KpiDefinition, KpiValue, ReportCampaign, ReportSubmission


@dataclass(frozen=True)
class Aggregate:
    value: Decimal | None
    reporters: int
    expected: int | None = None

    @property
    def completeness(self) -> float | None:
        if not self.expected:
            return None
        return min(1.0, self.reporters / self.expected)


def aggregate_values(
    definition: KpiDefinition, values: list[KpiValue], expected: int | None = None
) -> Aggregate:
    if not values:
        return Aggregate(None, 0, expected)
    agg = definition.aggregation
    if agg == KpiDefinition.Aggregation.SUM:
        total: Decimal | None = sum((v.value for v in values), Decimal(0))
    elif agg == KpiDefinition.Aggregation.COUNT:
        total = Decimal(len(values))
    elif agg == KpiDefinition.Aggregation.SHARE:
        total = Decimal(sum(1 for v in values if v.value >= 1)) / Decimal(len(values))
    else:
        total = max(values, key=lambda v: v.updated_at).value
    return Aggregate(total, len(values), expected)


def kpi_by_province(definition: KpiDefinition, year: int) -> dict[int, Aggregate]:
    """Province id → aggregate of the values of the organisations in that province."""
    groups: dict[int, list[KpiValue]] = defaultdict(list)
    for v in KpiValue.objects.filter(definition=definition, year=year).exclude(province=None):
        assert v.province_id is not None
        groups[v.province_id].append(v)
    return {pid: aggregate_values(definition, vals) for pid, vals in groups.items()}


def kpi_national(definition: KpiDefinition, year: int, provinces: int) -> Aggregate:
    """The nation's figure: province aggregates combined by the same rule."""
    per_province = kpi_by_province(definition, year)
    values = [a.value for a in per_province.values() if a.value is not None]
    if not values:
        return Aggregate(None, 0, provinces)
    if definition.aggregation == KpiDefinition.Aggregation.SHARE:
        # "N of 34 provinces have issued their regulation": a province counts when it says yes
        yes = sum(1 for v in values if v >= 1)
        return Aggregate(Decimal(yes), len(values), provinces)
    if definition.aggregation == KpiDefinition.Aggregation.LATEST:
        return Aggregate(values[-1], len(values), provinces)
    return Aggregate(sum(values, Decimal(0)), len(values), provinces)


def campaign_list(*, user: Any) -> QuerySet[ReportCampaign]:
    """Campaigns of the user's province, and those asking the user's agencies to report."""
    qs = readable(
        ReportCampaign.objects.select_related("owner", "scope"),
        user,
        path_lookup="scope__path",
    )
    return qs.annotate(
        n_agencies=Count("submissions", distinct=True),
        n_submitted=Count(
            "submissions",
            filter=Q(
                submissions__status__in=[
                    ReportSubmission.Status.SUBMITTED,
                    ReportSubmission.Status.ACCEPTED,
                ]
            ),
            distinct=True,
        ),
    )


def completeness(campaign: ReportCampaign) -> dict[str, int]:
    counts = {s: 0 for s in ReportSubmission.Status.values}
    for row in campaign.submissions.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    late = sum(1 for s in campaign.submissions.select_related("campaign") if s.is_late)
    done = counts["submitted"] + counts["accepted"]
    return {**counts, "total": sum(counts.values()), "done": done, "late": late}
