"""seed_registry: synthetic entries only, labelled so, and never into a database with saved cases."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from workup.registry.models import RegistryEntry


@pytest.mark.django_db
def test_seed_registry_adds_synthetic_entries_with_outcomes():
    call_command("seed_registry", "--cases", "300", stdout=None)
    assert RegistryEntry.objects.count() == 300
    assert not RegistryEntry.objects.filter(synthetic=False).exists()
    assert RegistryEntry.objects.filter(workup__isnull=False).count() == 0
    assert RegistryEntry.objects.filter(outcome_known=True, neoplasm=True).exists()
    assert RegistryEntry.objects.filter(revision=0).exists()  # some outcomes are left missing, as in life
    assert RegistryEntry.objects.filter(deferred=True).exists()


def test_seed_registry_refuses_a_database_with_saved_cases(saved_case):
    with pytest.raises(CommandError, match="throwaway"):
        call_command("seed_registry", "--cases", "10")
    assert RegistryEntry.objects.count() == 0
