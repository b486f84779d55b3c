"""Admin pages for people: users and the audit log, in the `accounts` namespace under /accounts/staff/."""

from django.urls import path

from . import staff_views as views

urlpatterns = [
    path("users/", views.user_list, name="user_list"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/role/", views.user_role, name="user_role"),
    path("users/<int:pk>/block/", views.user_block, name="user_block"),
    path("users/<int:pk>/unblock/", views.user_unblock, name="user_unblock"),
    path("users/<int:pk>/delete/", views.user_delete, name="user_delete"),
    path("audit/", views.audit_log, name="audit_log"),
]
