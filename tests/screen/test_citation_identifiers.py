"""The screen's sources name the DOI and the PubMed id of each citation that has them."""

from __future__ import annotations

from tests.support import form_data, golden, parse


def test_workup_sources_show_doi_and_pmid(client):
    page = parse(client.post("/", form_data(golden("baseline-completely-normal")["input"])).content)
    (imwg_anaemia,) = [e for e in page.with_attr("data-basis-for") if e.attrs["data-basis-for"] == "CRIT-IMWG-ANEMIA"]
    assert "doi:10.1016/S1470-2045(14)70442-5 PMID 25439696" in imwg_anaemia.text
