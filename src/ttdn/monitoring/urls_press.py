"""Press-monitoring pages, under /monitoring/ (namespace "monitoring")."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # the stream and the search
    path("items/", views.item_list, name="items"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("stories/<int:pk>/", views.story_detail, name="story"),
    path("searches/save/", views.saved_search_save, name="saved_search_save"),
    path("searches/<int:pk>/delete/", views.saved_search_delete, name="saved_search_delete"),
    # sources
    path("sources/", views.source_list, name="sources"),
    path("sources/new/", views.source_create, name="source_add"),
    path("sources/<int:pk>/", views.source_detail, name="source"),
    path("sources/<int:pk>/edit/", views.source_edit, name="source_edit"),
    path("sources/<int:pk>/pause/", views.source_pause, name="source_pause"),
    path("sources/<int:pk>/fetch/", views.source_fetch, name="source_fetch"),
    path("sources/<int:pk>/delete/", views.source_delete, name="source_delete"),
    path("sources/<int:pk>/import/", views.source_import, name="source_import"),
    # taxonomy and watched terms
    path("topics/", views.topic_list, name="topics"),
    path("topics/<int:pk>/edit/", views.topic_edit, name="topic_edit"),
    path("terms/", views.term_list, name="terms"),
    path("terms/<int:pk>/delete/", views.term_delete, name="term_delete"),
    # alerts
    path("rules/", views.rule_list, name="rules"),
    path("rules/new/", views.rule_create, name="rule_add"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("alerts/", views.alert_list, name="alerts"),
    # administrators
    path("hosts/", views.host_list, name="hosts"),
    path("hosts/<int:pk>/delete/", views.host_delete, name="host_delete"),
]
