from django.urls import include, path

app_name = "monitoring"

# The press views (stream, search, dashboard, stories, sources, alerts, topics, reports)
# and the response cases are written in separate modules.
urlpatterns = [
    path("cases/", include("ttdn.monitoring.urls_cases")),
    path("report/", include("ttdn.monitoring.urls_report")),
    path("", include("ttdn.monitoring.urls_press")),
]
