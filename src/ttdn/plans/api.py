"""REST endpoints for plans, their sections and tasks (read; writes come with issue 3)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import mixins, serializers, viewsets

from .models import Plan, Section, Task, TaskAgency
from .selectors import access_plan, plan_list, task_list


class TaskAgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskAgency
        fields = ["role", "name_as_written", "organisation", "confidence"]


class TaskSerializer(serializers.ModelSerializer):
    agencies = TaskAgencySerializer(many=True, read_only=True)
    section: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="number", read_only=True
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "plan",
            "section",
            "summary",
            "deadline_text",
            "due",
            "recurrence",
            "status",
            "agencies",
        ]


class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["number", "heading"]


class PlanSerializer(serializers.ModelSerializer):
    sections = SectionSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "issuer",
            "title",
            "number",
            "year",
            "issued_date",
            "status",
            "replaces",
            "report_deadline",
            "legal_bases",
            "sections",
        ]


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PlanSerializer

    def get_queryset(self) -> QuerySet[Plan]:
        return plan_list(user=self.request.user).prefetch_related("sections")

    def get_object(self) -> Plan:
        return access_plan(self.request.user, self.kwargs["pk"])


class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = TaskSerializer

    def get_queryset(self) -> QuerySet[Task]:
        qs = task_list(user=self.request.user).prefetch_related("agencies")
        plan = self.request.query_params.get("plan")
        if plan and plan.isdigit():
            qs = qs.filter(plan_id=int(plan))
        return qs
