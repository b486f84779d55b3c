from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Job
from .services import job_requeue


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Failed work is visible here (filter: Failed), with its last error; "Try again" queues it
    once more. Nothing else is editable: a job changes only through the queue."""

    list_display = ("key", "task_path", "status", "attempts", "max_attempts", "next_attempt_at",
                    "created_at", "finished_at")
    list_filter = ("status", "task_path")
    search_fields = ("key",)
    readonly_fields = [field.name for field in Job._meta.fields]
    actions = ["try_again"]

    # Every store admin (staff by role) sees the queue, not only those granted model permissions.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Try again"), permissions=["view"])
    def try_again(self, request, queryset):
        jobs = list(queryset.filter(status=Job.Status.FAILED))
        for job in jobs:
            job_requeue(job=job)
        self.message_user(request, ngettext("%(count)d task queued again.",
                                            "%(count)d tasks queued again.", len(jobs))
                          % {"count": len(jobs)}, messages.SUCCESS)
