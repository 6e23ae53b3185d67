"""The clear-web site points Tor Browser at its onion service (deploy/, docs/deploy.md)."""

from __future__ import annotations

import pytest
from django.test import Client

ONION = "http://" + "a" * 56 + ".onion"


@pytest.mark.django_db
def test_a_clear_web_page_names_the_same_page_on_the_onion_service(settings) -> None:
    settings.OMBUDS_ONION_LOCATION = ONION
    settings.ALLOWED_HOSTS = ["ombuds.example.org", "a" * 56 + ".onion"]
    response = Client().get("/ru/?x=1", HTTP_HOST="ombuds.example.org")
    assert response["Onion-Location"] == ONION + "/ru/?x=1"


@pytest.mark.django_db
def test_the_onion_service_itself_sends_no_onion_location(settings) -> None:
    settings.OMBUDS_ONION_LOCATION = ONION
    settings.ALLOWED_HOSTS = ["ombuds.example.org", "a" * 56 + ".onion"]
    response = Client().get("/ru/", HTTP_HOST="a" * 56 + ".onion")
    assert "Onion-Location" not in response


@pytest.mark.django_db
def test_without_an_onion_address_no_onion_location_is_sent(settings) -> None:
    settings.OMBUDS_ONION_LOCATION = ""
    response = Client().get("/ru/")
    assert "Onion-Location" not in response
