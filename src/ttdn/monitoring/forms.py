"""Forms of the press-monitoring screens: the search, sources and their imports, topics,
watched terms, alert rules, saved searches and allowed hosts.

Forms only check and convert input; the writes are ``services.py`` functions. Choices
that depend on the user (organisations they may write for, sources they may read) are
passed in by the view.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ttdn.directory.models import Organisation

from .models import AlertRule, Item, Source, Topic

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_IMPORT_BYTES = 20 * 1024 * 1024
_LANG_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,4})?$")

# Languages the monitor meets most; a code outside the list still filters (from a link).
LANGUAGES = [
    ("vi", _("Vietnamese")),
    ("en", _("English")),
    ("zh", _("Chinese")),
    ("ja", _("Japanese")),
    ("ko", _("Korean")),
    ("fr", _("French")),
    ("ru", _("Russian")),
    ("de", _("German")),
    ("es", _("Spanish")),
    ("th", _("Thai")),
    ("lo", _("Lao")),
    ("km", _("Khmer")),
]
LANGUAGE_NAMES = dict(LANGUAGES)
ORDERS = [("newest", _("Newest first")), ("relevance", _("Most relevant first"))]
# The stream's filters, in the order they appear in a link or a saved search.
FILTER_FIELDS = (
    "date_from",
    "date_to",
    "source",
    "lang",
    "topic",
    "sentiment",
    "province",
    "cluster",
    "kind",
    "order",
)


def province_names() -> list[str]:
    """The current provinces' names (after the 2025 merger), as the analysis writes them."""
    rows = Organisation.objects.filter(kind="province", valid_to__isnull=True).values_list(
        "short_name", "name"
    )
    return sorted({short or name for short, name in rows})


def _choices(values: Iterable[tuple[Any, Any]], empty: Any) -> list[tuple[Any, Any]]:
    return [("", empty), *values]


class SearchForm(forms.Form):
    """The item stream's search box and filters (GET). Every field may be empty."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=500,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                # an example without diacritics: the search ignores them
                "placeholder": _('e.g. bao lu "mien trung"'),
                "autocomplete": "off",
            }
        ),
        help_text=_(
            'Diacritics and capitals do not matter. Put words in "quotes" to find them together.'
        ),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=DATE, input_formats=DATE_INPUT_FORMATS
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=DATE, input_formats=DATE_INPUT_FORMATS
    )
    source = forms.TypedChoiceField(label=_("Source"), required=False, coerce=int, empty_value=None)
    lang = forms.ChoiceField(label=_("Language"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    sentiment = forms.ChoiceField(
        label=_("Sentiment"),
        required=False,
        choices=_choices(Item.Sentiment.choices, _("Any")),
    )
    province = forms.ChoiceField(label=_("Province"), required=False)
    cluster = forms.IntegerField(label=_("Story no."), required=False, min_value=1)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_choices(Item.Kind.choices, _("Any"))
    )
    order = forms.ChoiceField(label=_("Order"), required=False, choices=ORDERS)

    def __init__(
        self,
        *args: Any,
        sources: QuerySet[Source] | None = None,
        topics: dict[str, str] | None = None,
        provinces: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        data = self.data or {}
        source_choices = [(s.pk, s.name) for s in (sources if sources is not None else [])]
        self.fields["source"].choices = _choices(source_choices, _("All sources"))  # type: ignore[attr-defined]
        langs: list[tuple[str, Any]] = list(LANGUAGES)
        wanted = str(data.get("lang", "")).strip().lower()
        if wanted and _LANG_CODE.match(wanted) and wanted not in LANGUAGE_NAMES:
            langs.append((wanted, wanted))
        self.fields["lang"].choices = _choices(langs, _("All languages"))  # type: ignore[attr-defined]
        topic_choices = sorted((topics or {}).items(), key=lambda kv: kv[1])
        self.fields["topic"].choices = _choices(topic_choices, _("All topics"))  # type: ignore[attr-defined]
        names = list(provinces or [])
        wanted_p = str(data.get("province", "")).strip()
        if wanted_p and wanted_p not in names and len(wanted_p) <= 100:
            names.append(wanted_p)  # a name from a story or an older item
        self.fields["province"].choices = _choices(  # type: ignore[attr-defined]
            [(n, n) for n in names], _("All provinces")
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cd = self.cleaned_data
        start, end = cd.get("date_from"), cd.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        cd["order"] = cd.get("order") or "newest"
        return cd

    def filters(self) -> dict[str, str]:
        """The non-empty filters as strings: for links and saved searches."""
        out: dict[str, str] = {}
        cd = self.cleaned_data if self.is_bound and self.is_valid() else {}
        for name in FILTER_FIELDS:
            value = cd.get(name)
            if value in (None, ""):
                continue
            if name == "order" and value == "newest":
                continue
            out[name] = value.isoformat() if isinstance(value, dt.date) else str(value)
        return out


class SavedSearchForm(forms.Form):
    name = forms.CharField(label=_("Name of the search"), max_length=200)


class PeriodForm(forms.Form):
    """The dashboard's period: the last 7/30/90 days, or dates of one's own."""

    PERIODS = [
        ("7", _("7 days")),
        ("30", _("30 days")),
        ("90", _("90 days")),
        ("custom", _("Dates")),
    ]

    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=DATE, input_formats=DATE_INPUT_FORMATS
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=DATE, input_formats=DATE_INPUT_FORMATS
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cd = self.cleaned_data
        start, end = cd.get("date_from"), cd.get("date_to")
        if cd.get("period") == "custom" or (start and end and not cd.get("period")):
            if not (start and end):
                raise forms.ValidationError(_("Give both dates."))
            if end < start:
                self.add_error("date_to", _("The end date is before the start date."))
            elif (end - start).days > 366:
                self.add_error("date_to", _("Choose at most one year."))
            cd["period"] = "custom"
        elif cd.get("period") not in ("7", "30", "90"):
            cd["period"] = "7"
        return cd


class SourceForm(forms.ModelForm):
    url = forms.URLField(
        label=_("address"),
        required=False,
        max_length=1000,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text=_(
            "The feed, sitemap or listing page. Leave empty for a source whose posts "
            "you import from files."
        ),
    )

    class Meta:
        model = Source
        fields = [
            "name",
            "kind",
            "url",
            "owner",
            "interval_minutes",
            "requests_per_minute",
            "language",
            "is_foreign",
        ]
        help_texts = {
            "requests_per_minute": _("The most requests the monitor makes to this site."),
        }

    def __init__(self, *args: Any, owners: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = owners  # type: ignore[attr-defined]
        owner.empty_label = None  # type: ignore[attr-defined]
        self.fields["interval_minutes"].min_value = 5  # type: ignore[attr-defined]
        self.fields["interval_minutes"].widget.attrs["min"] = 5
        self.fields["requests_per_minute"].widget.attrs.update(min=1, max=600)
        language = self.fields["language"]
        language.widget = forms.Select(choices=_choices(LANGUAGES, _("Detect per item")))

    def clean_interval_minutes(self) -> int:
        value = self.cleaned_data["interval_minutes"]
        if value < 5:
            raise forms.ValidationError(_("Fetch at most every 5 minutes."))
        return int(value)

    def clean_requests_per_minute(self) -> int:
        value = self.cleaned_data["requests_per_minute"]
        if not 1 <= value <= 600:
            raise forms.ValidationError(_("Between 1 and 600 requests per minute."))
        return int(value)

    def _post_clean(self) -> None:
        # The service checks the address (private networks) and the model; the form only
        # collects the input, so the ModelForm's own model validation is skipped.
        pass


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Export file (CSV or JSONL)"),
        help_text=_("Posts and comments exported from a social-media page, at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.jsonl,.json,.ndjson,text/csv"}),
    )

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        name = (f.name or "").lower()
        if not name.endswith((".csv", ".jsonl", ".json", ".ndjson")):
            raise forms.ValidationError(_("Choose a CSV or JSONL file."))
        return f


# The keyword groups of a topic, as the analysis weighs them (``analysis/topics.py``):
# (form field prefix, record key, heading, what the group does).
KEYWORD_GROUPS = (
    (
        "strong",
        "strong_keywords",
        _("Strong keywords"),
        _("One of them is enough to give a short item this topic."),
    ),
    ("kw", "keywords", _("Keywords"), _("Each one found counts towards the topic.")),
    (
        "weak",
        "weak_keywords",
        _("Context words"),
        _("They count a little, and only beside other keywords."),
    ),
    (
        "negative",
        "negative_keywords",
        _("Exclusions"),
        _(
            "Uses of the words that are not this topic (“biển số xe” for the sea); each one "
            "found lowers the score."
        ),
    ),
)


class TopicForm(forms.Form):
    """A topic's names and its keyword groups, one keyword per line, for each language."""

    name_vi = forms.CharField(label=_("Name (Vietnamese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    active = forms.BooleanField(label=_("Active"), required=False)
    new_lang = forms.ChoiceField(label=_("Add keywords in another language"), required=False)
    new_keywords = forms.CharField(
        label=_("Keywords in that language"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, topic: Topic, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"name_vi": topic.name_vi, "name_en": topic.name_en, "active": topic.active},
        )
        super().__init__(*args, **kwargs)
        self.topic = topic
        record = topic.as_record()
        used: set[str] = {"vi", "en"}
        for _prefix, key, _label, _help in KEYWORD_GROUPS:
            used |= set(record.get(key) or {})
        # Vietnamese first, then English, then the others by code
        self.langs = sorted(used, key=lambda c: ({"vi": 0, "en": 1}.get(c, 2), c))
        for prefix, key, label, _help in KEYWORD_GROUPS:
            words = record.get(key) or {}
            for code in self.langs:
                self.fields[f"{prefix}_{code}"] = forms.CharField(
                    label=_("%(group)s: %(lang)s")
                    % {"group": label, "lang": LANGUAGE_NAMES.get(code, code)},
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 6 if prefix == "kw" else 3, "lang": code}),
                    initial="\n".join(words.get(code, [])),
                    help_text=_("One keyword or phrase per line."),
                )
        others = [(c, n) for c, n in LANGUAGES if c not in self.langs]
        self.fields["new_lang"].choices = _choices(others, "—")  # type: ignore[attr-defined]

    def keyword_groups(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """(heading, explanation, the group's fields by language) for the template."""
        return [
            (str(label), str(help_text), [self[f"{prefix}_{code}"] for code in self.langs])
            for prefix, _key, label, help_text in KEYWORD_GROUPS
        ]

    def _group(self, prefix: str) -> dict[str, list[str]]:
        cd = self.cleaned_data
        return {
            code: [w.strip() for w in cd.get(f"{prefix}_{code}", "").splitlines() if w.strip()]
            for code in self.langs
        }

    def keywords(self) -> dict[str, list[str]]:
        out = self._group("kw")
        cd = self.cleaned_data
        if cd.get("new_lang") and cd.get("new_keywords"):
            out.setdefault(cd["new_lang"], []).extend(
                w.strip() for w in cd["new_keywords"].splitlines() if w.strip()
            )
        return out

    def keyword_changes(self) -> dict[str, dict[str, list[str]]]:
        """Every keyword group, by its record key, for ``services.topic_update``."""
        out = {key: self._group(prefix) for prefix, key, _l, _h in KEYWORD_GROUPS}
        out["keywords"] = self.keywords()
        return out


class WatchTermForm(forms.Form):
    term = forms.CharField(label=_("Term"), max_length=200)
    owner = forms.ModelChoiceField(
        label=pgettext_lazy("owner organisation", "For"),
        queryset=Organisation.objects.none(),
        empty_label=None,
    )

    def __init__(self, *args: Any, owners: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class AlertRuleForm(forms.ModelForm):
    class Meta:
        model = AlertRule
        fields = [
            "name",
            "owner",
            "kind",
            "topic",
            "keyword",
            "province",
            "spike_factor",
            "spike_min_items",
            "email",
            "active",
        ]

    def __init__(
        self,
        *args: Any,
        owners: QuerySet[Organisation],
        topics: dict[str, str],
        provinces: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = owners  # type: ignore[attr-defined]
        owner.empty_label = None  # type: ignore[attr-defined]
        topic_choices = sorted(topics.items(), key=lambda kv: kv[1])
        self.fields["topic"] = forms.ChoiceField(
            label=_("Topic"),
            required=False,
            choices=_choices(topic_choices, "—"),
            help_text=_("Topic rules: the topic. Negative-item rules: only this topic (optional)."),
        )
        names = list(provinces)
        current = self.instance.province if self.instance and self.instance.pk else ""
        if current and current not in names:
            names.append(current)
        self.fields["province"] = forms.ChoiceField(
            label=_("Province"),
            required=False,
            choices=_choices([(n, n) for n in names], _("Any province")),
        )
        self.fields["keyword"].help_text = _("Keyword rules only.")

    def _post_clean(self) -> None:
        pass  # the service validates the rule as a whole


class AllowedHostForm(forms.Form):
    host = forms.CharField(
        label=_("Host name or address"),
        max_length=255,
        help_text=_("A server on a private network that may be used as a source, e.g. 10.0.0.5."),
    )
    note = forms.CharField(label=_("Why it is allowed"), max_length=255, required=False)
