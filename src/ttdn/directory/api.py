"""REST endpoints of the directory: thin adapters over selectors and services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from . import selectors, services
from .models import Country, Organisation, OrganisationKind, Person


def _translate_errors(exc: Exception) -> Exception:
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return exceptions.ValidationError(detail)
    return exc


class OrganisationSerializer(serializers.ModelSerializer):
    aliases: serializers.SlugRelatedField = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="name"
    )
    successors: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "parent",
            "code",
            "valid_from",
            "valid_to",
            "successors",
            "aliases",
            "website",
            "email",
            "phone",
            "address",
            "notes",
            "path",
        ]
        read_only_fields = ["path"]


class OrganisationViewSet(viewsets.ModelViewSet):
    """The organisation directory: readable by everyone signed in, writable in scope."""

    serializer_class = OrganisationSerializer

    def get_queryset(self) -> QuerySet[Organisation]:
        p = self.request.query_params
        return selectors.organisation_list(
            user=self.request.user,
            q=p.get("q", ""),
            kind=p.get("kind", ""),
        ).prefetch_related("aliases", "successors")

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Name, alias or code; accents optional"),
            OpenApiParameter("kind", str, enum=OrganisationKind.values),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        try:
            serializer.instance = services.organisation_create(
                actor=self.request.user, **serializer.validated_data
            )
        except Exception as exc:
            raise _translate_errors(exc) from exc

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        try:
            assert isinstance(serializer.instance, Organisation)
            serializer.instance = services.organisation_update(
                actor=self.request.user, org=serializer.instance, **serializer.validated_data
            )
        except Exception as exc:
            raise _translate_errors(exc) from exc

    def perform_destroy(self, instance: Organisation) -> None:
        try:
            services.organisation_delete(actor=self.request.user, org=instance)
        except Exception as exc:
            raise _translate_errors(exc) from exc


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "organisation",
            "full_name",
            "position",
            "role",
            "work_email",
            "work_phone",
            "valid_from",
            "valid_to",
            "is_public",
        ]


class PersonViewSet(viewsets.ModelViewSet):
    """Spokespersons and contacts: personal data, visible only in scope unless public."""

    serializer_class = PersonSerializer

    def get_queryset(self) -> QuerySet[Person]:
        return selectors.person_list(user=self.request.user)

    def get_object(self) -> Person:
        write = self.request.method not in ("GET", "HEAD", "OPTIONS")
        person = selectors.access_person(self.request.user, self.kwargs["pk"], write=write)
        self.check_object_permissions(self.request, person)
        return person

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        try:
            serializer.instance = services.person_create(actor=self.request.user, **data)
        except Exception as exc:
            raise _translate_errors(exc) from exc

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        try:
            assert isinstance(serializer.instance, Person)
            serializer.instance = services.person_update(
                actor=self.request.user, person=serializer.instance, **serializer.validated_data
            )
        except Exception as exc:
            raise _translate_errors(exc) from exc

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        try:
            services.person_erase(actor=request.user, person=person)
        except Exception as exc:
            raise _translate_errors(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = [
            "id",
            "iso2",
            "name_vi",
            "name_en",
            "national_day",
            "national_day_name",
            "relations_established",
        ]


class CountryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CountrySerializer
    queryset = Country.objects.all()
