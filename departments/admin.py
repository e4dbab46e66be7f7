from django.contrib import admin

from departments.models import Institution, Province


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "population_10k"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "province", "tier", "ownership"]
    list_filter = ["province", "tier", "ownership", "dept_affiliation"]
    search_fields = ["code", "name_zh", "name_en"]
    list_select_related = ["province"]
