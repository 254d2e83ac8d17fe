from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("ttdn.core.urls")),
    path("accounts/", include("ttdn.accounts.urls")),
    path("directory/", include("ttdn.directory.urls")),
    path("plans/", include("ttdn.plans.urls")),
    path("reporting/", include("ttdn.reporting.urls")),
    path("audit/", include("ttdn.audit.urls")),
    path("monitoring/", include("ttdn.monitoring.urls")),
    path("national/", include("ttdn.reporting.national_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("ttdn.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
