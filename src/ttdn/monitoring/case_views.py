"""Response-case pages: the list, opening a case from an item or a story, the case with
its timeline and the forms of the steps this user may take now, evidence links.

Thin views over ``cases.py``: every write is one service call; objects named by id come
through ``access_*`` (404 out of scope). Forms post to one URL per action and redirect
back (POST-redirect-GET); a refused form is shown again on the case page with its errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from ttdn.directory.models import Organisation

from . import cases, selectors
from .models import Case, Cluster, EvidenceLink, Item

# --- forms -----------------------------------------------------------------------------------

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class CaseOpenForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Province or agency in charge"),
        queryset=Organisation.objects.none(),
        empty_label=None,
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=500)
    severity = forms.ChoiceField(
        label=gettext_lazy("Severity"), choices=Case.Severity.choices, initial="normal"
    )
    summary = forms.CharField(
        label=gettext_lazy("What is false or distorted"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
    )
    item = forms.IntegerField(required=False, widget=forms.HiddenInput)
    cluster = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Responsible agency"), queryset=Organisation.objects.none()
    )
    note = forms.CharField(
        label=gettext_lazy("Instructions"), required=False, widget=TEXTAREA, max_length=5000
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = cases.agency_choices(case)  # type: ignore[attr-defined]
        if case.assigned_to_id and not self.is_bound:
            self.initial["agency"] = case.assigned_to_id


class DraftForm(forms.Form):
    draft = forms.CharField(
        label=gettext_lazy("Clarification or refutation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=50000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"draft": case.draft, "version": case.version})
        super().__init__(*args, **kwargs)


class ApproveForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=TEXTAREA, max_length=5000
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class SubmitForm(ApproveForm):
    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        del self.fields["note"]


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("What must be changed"), widget=TEXTAREA, max_length=5000
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class PublishForm(forms.Form):
    url = forms.URLField(
        label=gettext_lazy("Link to the publication"),
        required=False,
        max_length=1000,
        assume_scheme="https",
    )
    note = forms.CharField(
        label=gettext_lazy("Where it was published"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("E.g. the content item, the press conference, the outlet."),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("url") and not (data.get("note") or "").strip():
            raise ValidationError(_("Give the link where it was published, or say where."))
        return data


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=Case.Outcome.choices)
    note = forms.CharField(
        label=gettext_lazy("Outcome notes"), required=False, widget=TEXTAREA, max_length=10000
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if case.status != Case.Status.PUBLISHED:
            self.fields["outcome"].choices = [  # type: ignore[attr-defined]
                c for c in Case.Outcome.choices if c[0] in ("corrected", "no_action")
            ]


class CommentForm(forms.Form):
    note = forms.CharField(
        label=pgettext_lazy("press case", "Comment"), widget=TEXTAREA, max_length=5000
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class EvidenceForm(forms.Form):
    """Choose a task of a published plan or a report submission the user writes for."""

    target = forms.ChoiceField(label=gettext_lazy("Attach as evidence to"))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tasks = [
            (f"task:{t.pk}", f"{t.plan.title[:60]} — {t.summary[:120]}")
            for t in cases.evidence_tasks(user)
        ]
        subs = [
            (f"submission:{s.pk}", f"{s.campaign.title[:80]} — {s.agency.name}")
            for s in cases.evidence_submissions(user)
        ]
        groups: list[Any] = []
        if tasks:
            groups.append((_("Plan tasks"), tasks))
        if subs:
            groups.append((_("Reports"), subs))
        self.fields["target"].choices = groups  # type: ignore[attr-defined]
        self.has_targets = bool(tasks or subs)

    def targets(self) -> dict[str, Any]:
        from ttdn.plans.models import Task
        from ttdn.reporting.models import ReportSubmission

        kind, _sep, pk = self.cleaned_data["target"].partition(":")
        if kind == "task":
            return {"task": Task.objects.select_related("plan").get(pk=int(pk))}
        return {"submission": ReportSubmission.objects.select_related("agency").get(pk=int(pk))}


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "assign": AssignForm,
    "draft": DraftForm,
    "submit": SubmitForm,
    "approve": ApproveForm,
    "return": ReturnForm,
    "publish": PublishForm,
    "close": CloseForm,
    "comment": CommentForm,
}

# action → the service call with the form's cleaned data
PERFORM: dict[str, Callable[[Any, Case, dict[str, Any]], Any]] = {
    "assign": lambda u, c, d: cases.case_assign(u, c, agency=d["agency"], note=d["note"]),
    "draft": lambda u, c, d: cases.case_save_draft(u, c, draft=d["draft"], version=d["version"]),
    "submit": lambda u, c, d: cases.case_submit(u, c),
    "approve": lambda u, c, d: cases.case_approve(u, c, note=d["note"]),
    "return": lambda u, c, d: cases.case_return(u, c, d["reason"]),
    "publish": lambda u, c, d: cases.case_publish(u, c, url=d["url"], note=d["note"]),
    "close": lambda u, c, d: cases.case_close(u, c, outcome=d["outcome"], note=d["note"]),
    "comment": lambda u, c, d: cases.case_comment(u, c, d["note"]),
}

DONE_MESSAGES = {
    "assign": gettext_lazy("The case has been assigned; the agency is notified."),
    "draft": gettext_lazy("The draft has been saved."),
    "submit": gettext_lazy("The draft has been sent for approval."),
    "approve": gettext_lazy("The draft has been approved."),
    "return": gettext_lazy("The draft has been returned to the agency."),
    "publish": gettext_lazy("The publication has been recorded."),
    "close": gettext_lazy("The case has been closed."),
    "comment": gettext_lazy("Your comment has been added."),
}

# Irreversible steps ask for confirmation (ttdn.js reads data-confirm).
CONFIRM = {
    "submit": gettext_lazy("Send the draft for approval? It can no longer be edited."),
    "approve": gettext_lazy("Approve this text for publication?"),
    "publish": gettext_lazy("Record the publication? The text can no longer change."),
    "close": gettext_lazy("Close the case? This cannot be undone."),
}

EVENT_LABELS = {
    "opened": gettext_lazy("Opened"),
    "assigned": gettext_lazy("Assigned"),
    "draft": gettext_lazy("Draft saved"),
    "submitted": gettext_lazy("Submitted for approval"),
    "approved": gettext_lazy("Approved"),
    "returned": gettext_lazy("Returned for revision"),
    "published": gettext_lazy("Publication recorded"),
    "closed": gettext_lazy("Closed"),
    "comment": pgettext_lazy("press case", "Comment"),
    "escalated": gettext_lazy("Escalated: service level missed"),
    "evidence": gettext_lazy("Attached as evidence"),
}


def _action_form(action: str, case: Case, data: Any = None) -> forms.Form:
    """The form of one step; ids carry the action (several forms share a page)."""
    return ACTION_FORMS[action](data, case=case, auto_id=f"{action}-%s")  # type: ignore[call-arg]


def _add_errors(form: forms.Form, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, msgs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, msgs)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    else:
        form.add_error(None, str(exc))


# --- pages -------------------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    status = g.get("status", "") if g.get("status", "") in Case.Status.values else ""
    severity = g.get("severity", "") if g.get("severity", "") in Case.Severity.values else ""
    agency = int(g["agency"]) if g.get("agency", "").isdigit() else None
    overdue = g.get("overdue") == "1"
    q = g.get("q", "").strip()[:200]
    qs = cases.case_search(
        request.user, q=q, status=status, severity=severity, agency=agency, overdue=overdue
    )
    page = Paginator(qs, 25).get_page(g.get("page"))
    readable = selectors.readable_cases(request.user)
    agencies = Organisation.objects.filter(
        pk__in=readable.exclude(assigned_to=None).values("assigned_to_id")
    ).order_by("name")
    return render(
        request,
        "monitoring/case_list.html",
        {
            "page_obj": page,
            "rows": [(c, cases.step_report(c)) for c in page.object_list],
            "filters": {
                "q": q,
                "status": status,
                "severity": severity,
                "agency": agency,
                "overdue": overdue,
            },
            "filtered": bool(q or status or severity or agency or overdue),
            "statuses": Case.Status.choices,
            "severities": Case.Severity.choices,
            "agencies": agencies,
            "can_open": cases.owner_choices(request.user).exists(),
        },
    )


def _prefill(item: Item | None, cluster: Cluster | None) -> dict[str, Any]:
    if item is not None:
        when = item.when.strftime("%d/%m/%Y")
        return {
            "title": (item.title or item.url)[:500],
            "summary": f"{item.source.name}, {when}: {item.url}",
            "item": item.pk,
        }
    if cluster is not None:
        return {
            "title": cluster.title[:500],
            "summary": _("%(n)d items, first seen %(when)s")
            % {"n": cluster.size, "when": cluster.first_seen.strftime("%d/%m/%Y")},
            "cluster": cluster.pk,
        }
    return {}


@login_required
def case_open(request: HttpRequest) -> HttpResponse:
    """Open a case; ``?item=<id>`` or ``?cluster=<id>`` prefills it from the press."""
    owners = cases.owner_choices(request.user)
    if not owners.exists():
        raise PermissionDenied
    src = request.POST if request.method == "POST" else request.GET
    item: Item | None = None
    cluster: Cluster | None = None
    if str(src.get("item") or "").strip():
        item = selectors.access_item(request.user, src["item"])
    elif str(src.get("cluster") or "").strip():
        cluster = selectors.access_cluster(request.user, src["cluster"])
    owner = cases.default_owner(request.user)
    initial = {"owner": owner.pk if owner else None, **_prefill(item, cluster)}
    form = CaseOpenForm(
        request.POST if request.method == "POST" else None, owners=owners, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            case = cases.case_open(
                request.user,
                owner=cd["owner"],
                title=cd["title"],
                item=item,
                cluster=cluster,
                severity=cd["severity"],
                summary=cd["summary"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The case has been opened."))
            return redirect("monitoring:case_detail", pk=case.pk)
    existing = Case.objects.none()
    source_cluster = cluster or (item.cluster if item is not None else None)
    if item is not None or source_cluster is not None:
        q = Q(item=item) if item is not None else Q(pk__in=[])
        if source_cluster is not None:
            q |= Q(cluster=source_cluster)
        existing = selectors.readable_cases(request.user).filter(q).exclude(status="closed")
    return render(
        request,
        "monitoring/case_open.html",
        {"form": form, "item": item, "cluster": cluster, "existing": existing},
        status=400 if form.errors else 200,
    )


def _timeline(case: Case) -> list[Any]:
    events = list(case.events.select_related("actor").order_by("at", "pk"))
    for e in events:
        e.label = EVENT_LABELS.get(e.kind, e.kind)  # type: ignore[attr-defined]
        e.over = bool(  # type: ignore[attr-defined]
            e.step_hours is not None and e.sla_hours is not None and e.step_hours > e.sla_hours
        )
        e.from_label = Case.Status(e.from_status).label if e.from_status else ""  # type: ignore[attr-defined]
    return events


def _render_detail(
    request: HttpRequest,
    case: Case,
    *,
    bound: dict[str, forms.Form] | None = None,
    evidence_form: EvidenceForm | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    actions = cases.allowed_actions(request.user, case)
    action_forms = [
        {
            "action": a,
            "label": cases.ACTION_LABELS[a],
            "form": bound.get(a) or _action_form(a, case),
            "url": reverse(f"monitoring:case_{a}", args=[case.pk]),
            "confirm": CONFIRM.get(a, ""),
        }
        for a in actions
    ]
    evidence_form = evidence_form or EvidenceForm(user=request.user, auto_id="evidence-%s")
    links = EvidenceLink.objects.filter(case=case).select_related(
        "task", "task__plan", "submission", "submission__campaign", "submission__agency"
    )
    return render(
        request,
        "monitoring/case_detail.html",
        {
            "case": case,
            "step": cases.step_report(case),
            "events": _timeline(case),
            "actions": actions,
            "action_forms": action_forms,
            "evidence_form": evidence_form,
            "evidence_links": links,
            "conflict": conflict,
        },
        status=status,
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, cases.access_case(request.user, pk))


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step of the case (``action`` is a key of ``cases.RULES``)."""
    if action not in PERFORM:
        raise Http404
    case = cases.access_case(request.user, pk)
    _statuses, parts = cases.RULES[action]
    if not parts & cases.case_roles(request.user, case):
        raise PermissionDenied
    form = _action_form(action, case, request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():  # "save and submit": both or neither
                PERFORM[action](request.user, case, form.cleaned_data)
                if action == "draft" and request.POST.get("then") == "submit":
                    cases.case_submit(request.user, case)
                    action = "submit"
        except cases.ConcurrentEditError as exc:
            case = cases.access_case(request.user, pk)
            form = _action_form(
                "draft", case, {"draft": form.cleaned_data["draft"], "version": case.version}
            )
            form.is_valid()
            form.add_error(None, exc.message)
            return _render_detail(
                request, case, bound={"draft": form}, conflict=case.draft, status=409
            )
        except cases.CaseStateError as exc:
            messages.error(request, exc.message)
            return redirect("monitoring:case_detail", pk=pk)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, DONE_MESSAGES[action])
            return redirect("monitoring:case_detail", pk=pk)
    return _render_detail(request, case, bound={action: form}, status=400)


@login_required
@require_POST
def case_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach the case as evidence to a plan task or a report submission."""
    case = cases.access_case(request.user, pk)
    form = EvidenceForm(request.POST, user=request.user, auto_id="evidence-%s")
    if form.is_valid():
        try:
            cases.evidence_attach(
                request.user, case=case, note=form.cleaned_data["note"], **form.targets()
            )
        except (ValidationError, PermissionDenied) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The case has been attached as evidence."))
            return redirect("monitoring:case_detail", pk=pk)
    return _render_detail(request, case, evidence_form=form, status=400)


@login_required
def item_evidence(request: HttpRequest, item_id: int) -> HttpResponse:
    """Attach a press item as evidence (the item page links or posts here)."""
    item = selectors.access_item(request.user, item_id)
    form = EvidenceForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            cases.evidence_attach(
                request.user, item=item, note=form.cleaned_data["note"], **form.targets()
            )
        except (ValidationError, PermissionDenied) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The item has been attached as evidence."))
            return redirect(f"/monitoring/items/{item.pk}/")
    links = EvidenceLink.objects.filter(item=item).select_related(
        "task", "task__plan", "submission", "submission__campaign", "submission__agency"
    )
    return render(
        request,
        "monitoring/case_evidence.html",
        {"item": item, "evidence_form": form, "evidence_links": links},
        status=400 if form.errors else 200,
    )


@login_required
def case_summary_block(request: HttpRequest) -> HttpResponse:
    """The dashboard's cases block as a fragment (for ``hx-get``)."""
    return render(
        request,
        "monitoring/_case_summary.html",
        {"case_summary": cases.case_summary(request.user)},
    )
