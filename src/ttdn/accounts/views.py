from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ttdn.accounts.permissions import get_scope
from ttdn.directory.models import Organisation

from .forms import RoleGrantForm, SignInForm, UserCreateForm
from .models import Role, RoleAssignment, User
from .services import role_grant, role_revoke, user_create


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = "/"

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


def _admin_orgs(request: HttpRequest):
    scope = get_scope(request.user)
    if scope.write_all:
        return Organisation.objects.all()
    if not scope.admin_paths:
        raise PermissionDenied
    return Organisation.objects.filter(scope.path_q("path", scope.admin_paths))


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    orgs = _admin_orgs(request)
    users = (
        User.objects.filter(organisation__in=orgs)
        .select_related("organisation")
        .prefetch_related("role_assignments")
        .order_by("username")
    )
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(username__icontains=q) | users.filter(last_name__icontains=q)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(
        request, "accounts/user_list.html", {"page_obj": page, "q": q, "roles": dict(Role.choices)}
    )


@login_required
def user_new(request: HttpRequest) -> HttpResponse:
    orgs = _admin_orgs(request)
    form = UserCreateForm(request.POST or None, organisations=orgs.order_by("name"))
    if request.method == "POST" and form.is_valid():
        try:
            user_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:  # the password rules answer with a plain list of reasons
                form.add_error("password", exc.messages)
        else:
            messages.success(request, _("The account has been created."))
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    orgs = _admin_orgs(request)
    user = get_object_or_404(User.objects.filter(organisation__in=orgs), pk=pk)
    form = RoleGrantForm(request.POST or None, organisations=orgs.order_by("path"))
    if request.method == "POST" and form.is_valid():
        try:
            role_grant(actor=request.user, user=user, **form.cleaned_data)
        except PermissionDenied:
            form.add_error("organisation", _("You may only grant roles inside your scope."))
        else:
            messages.success(request, _("The role has been granted."))
            return redirect("accounts:user_detail", pk=user.pk)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": user,
            "assignments": user.role_assignments.select_related("organisation"),
            "form": form,
        },
    )


@login_required
def role_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    orgs = _admin_orgs(request)
    assignment = get_object_or_404(
        RoleAssignment.objects.select_related("user", "organisation").filter(organisation__in=orgs),
        pk=pk,
    )
    if request.method == "POST":
        user_pk = assignment.user_id
        role_revoke(actor=request.user, assignment=assignment)
        messages.success(request, _("The role has been withdrawn."))
        return redirect("accounts:user_detail", pk=user_pk)
    return render(request, "accounts/role_confirm_revoke.html", {"assignment": assignment})
