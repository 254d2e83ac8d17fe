from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import exceptions, mixins, serializers, viewsets

from ttdn.accounts.permissions import get_scope

from .models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "actor_name",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "ip_address",
        ]


class AuditEntryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The audit log, for administrators (their organisations' accounts)."""

    serializer_class = AuditEntrySerializer

    def get_queryset(self) -> QuerySet[AuditEntry]:
        scope = get_scope(self.request.user)
        qs = AuditEntry.objects.all()
        if scope.write_all:
            return qs
        if not scope.admin_paths:
            raise exceptions.PermissionDenied()
        return qs.filter(scope.path_q("actor__organisation__path", scope.admin_paths))
