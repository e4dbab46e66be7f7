from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Province
from survey.models import Cycle


class RemindForm(forms.Form):
    """The filing page's reminder button: which open cycle, and which province (optional)."""

    year = forms.IntegerField(min_value=1, max_value=9999)
    province = forms.CharField(required=False, max_length=2)

    def clean_year(self):
        cycle = Cycle.objects.filter(year=self.cleaned_data["year"], is_open=True).first()
        if cycle is None:
            raise forms.ValidationError(_("Reminders are sent for an open survey only."))
        return cycle

    def clean_province(self):
        code = self.cleaned_data["province"]
        if not code:
            return None
        province = Province.objects.filter(code=code).first()
        if province is None:
            raise forms.ValidationError(_("No such province."))
        return province
