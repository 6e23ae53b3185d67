from django.db import models


class PlainComplaint(models.Model):
    """The public form's fields, stored as they came: what ombuds stores encrypted."""

    received_on = models.DateField(auto_now_add=True)
    filer_role = models.CharField(max_length=20)
    acts = models.JSONField()
    other_act = models.CharField(max_length=300, blank=True)
    when_kind = models.CharField(max_length=20)
    when_value = models.CharField(max_length=20, blank=True)
    place = models.CharField(max_length=300)
    persons = models.JSONField()
    perpetrators = models.JSONField()
    perpetrator_details = models.TextField(blank=True)
    held_now = models.CharField(max_length=10)
    account = models.TextField()
    contact = models.TextField(blank=True)
    consent_prosecutor = models.BooleanField(default=False)
    consent_interior = models.BooleanField(default=False)
