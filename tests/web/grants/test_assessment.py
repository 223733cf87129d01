"""The industry assessment generated inside an application, on the synthetic demo warehouse (built once for
the module, ~15 s): a PDF attached with the data vintage it used; without a warehouse, a reason, not a 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from rich.console import Console

from sectorwise.demo.lmi_demo import prepare_demo_lmi
from sectorwise.grants import services
from sectorwise.grants.models import Attachment
from sectorwise.partnerships.models import Region, RegionCounty
from tests.web.grants.factories import grants_world
from tests.web.personas import Personas

pytestmark = pytest.mark.django_db

COUNTIES = ("91001", "91003")


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_demo_lmi(data_dir=tmp_path_factory.mktemp("grants-lmi"), console=Console(quiet=True))


def _draft_in_demo_counties(personas: Personas) -> object:
    partnership = personas.partnership_a
    region = Region.objects.create(name="Alder partnership region")
    RegionCounty.objects.bulk_create(RegionCounty(region=region, county_fips=c) for c in COUNTIES)
    partnership.region = region
    partnership.save()
    partnership.target_industries.all().delete()
    partnership.target_industries.create(naics_code="3118")
    world = grants_world()
    return services.application_create(
        grant_round=world.round, partnership=partnership, user=personas.convener_a
    )


def test_the_generated_assessment_is_attached_with_its_vintage(
    personas: Personas, demo_warehouse: Path
) -> None:
    application = _draft_in_demo_counties(personas)
    with override_settings(SECTORWISE_WAREHOUSE=demo_warehouse):
        attached = services.application_generate_assessment(application=application, user=personas.convener_a)
        again = services.application_generate_assessment(application=application, user=personas.convener_a)
    assert attached.kind == again.kind == "industry_assessment"
    assert Attachment.objects.filter(application=application).count() == 1, "the earlier one replaced"
    assert again.content_type == "application/pdf" and bytes(again.content).startswith(b"%PDF-")
    assert again.vintage.startswith("QCEW ") and "warehouse loaded" in again.vintage
    assert again.file_name == "industry-assessment-alder-partnership-region.pdf"


def test_without_a_warehouse_the_reason_is_given(personas: Personas, tmp_path: Path) -> None:
    application = _draft_in_demo_counties(personas)
    with (
        override_settings(SECTORWISE_WAREHOUSE=tmp_path / "none.duckdb"),
        pytest.raises(ValidationError) as refused,
    ):
        services.application_generate_assessment(application=application)
    assert "No labor-market data" in refused.value.message_dict["industry_assessment"][0]
