from django.contrib import admin

from onevisit.assessments.models import Approver


@admin.register(Approver)
class ApproverAdmin(admin.ModelAdmin[Approver]):
    list_display = ["kind", "user"]
