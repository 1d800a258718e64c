from django.contrib import admin

from onevisit.campaigns.models import Campaign, RetirementUnit


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin[Campaign]):
    list_display = ["name", "kind", "lead_body", "starts", "ends", "unannounced"]


@admin.register(RetirementUnit)
class RetirementUnitAdmin(admin.ModelAdmin[RetirementUnit]):
    list_display = ["enterprise", "name", "kind", "count", "deadline", "status", "campaign"]
    list_filter = ["campaign", "status", "kind"]
    search_fields = ["enterprise__name", "name", "model"]
    raw_id_fields = ["enterprise", "device"]
