from django.contrib import admin

from onevisit.workdays.models import CalendarYear, SpecialDay


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin[CalendarYear]):
    list_display = ["year", "source"]


@admin.register(SpecialDay)
class SpecialDayAdmin(admin.ModelAdmin[SpecialDay]):
    list_display = ["date", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["name"]
