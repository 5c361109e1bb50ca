"""The EHR tests call the patient-view service, which a deployment must switch on."""

import pytest


@pytest.fixture(autouse=True)
def patient_view_enabled(settings):
    settings.CDS_PATIENT_VIEW_ENABLED = True
