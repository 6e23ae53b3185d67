"""One view: GET shows the form, POST validates it and saves one plain row."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ombuds.intake.choices import ACTS, FILER_ROLES, HELD_NOW, PERPETRATORS, SEXES, WHEN_KINDS

from .models import PlainComplaint


class ComplaintForm(forms.Form):
    filer_role = forms.ChoiceField(choices=FILER_ROLES)
    acts = forms.MultipleChoiceField(choices=ACTS)
    other_act = forms.CharField(max_length=300, required=False)
    when_kind = forms.ChoiceField(choices=WHEN_KINDS)
    when_value = forms.CharField(max_length=20, required=False)
    place = forms.CharField(max_length=300)
    perpetrators = forms.MultipleChoiceField(choices=PERPETRATORS)
    perpetrator_details = forms.CharField(max_length=2000, required=False)
    held_now = forms.ChoiceField(choices=HELD_NOW)
    account = forms.CharField(max_length=20000)
    contact = forms.CharField(max_length=1000, required=False)
    consent_prosecutor = forms.BooleanField(required=False)
    consent_interior = forms.BooleanField(required=False)


class PersonForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    age = forms.IntegerField(min_value=0, max_value=120, required=False)
    sex = forms.ChoiceField(choices=SEXES, required=False)


PersonFormSet = forms.formset_factory(PersonForm, extra=3, max_num=3, validate_max=True)


def complaint_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ComplaintForm(request.POST)
        persons = PersonFormSet(request.POST, prefix="person")
        if form.is_valid() and persons.is_valid():
            row = PlainComplaint.objects.create(
                **form.cleaned_data,
                persons=[p.cleaned_data for p in persons.forms if p.has_changed()],
            )
            return render(request, "intake_baseline/received.html", {"row": row})
    else:
        form = ComplaintForm()
        persons = PersonFormSet(prefix="person")
    return render(request, "intake_baseline/form.html", {"form": form, "persons": persons})
