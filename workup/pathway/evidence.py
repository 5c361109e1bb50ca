"""Citations and evidence notes (SPEC §7), by id.

Facts and figures come from the evidence review; the wording is ours. "UNCONFIRMED" marks a
detail the review could not verify, so nobody mistakes it for a checked reference.
"""

from __future__ import annotations

from .result import Citation, EvidenceNote

_C = Citation

CITATIONS: dict[str, Citation] = {
    c.id: c
    for c in (
        _C("SOURCE-PATHWAY", "Management of diffuse marrow heterogeneity on lumbar MRI. Dr. Oracle "
           "(AI-generated article, marked pending human review), last updated 2025-11-14."),
        _C("ANN-DIAGN-PATHOL-2019", "Hematolymphoid neoplasms are common in bone marrow biopsies "
           "performed for non-specific, diffuse marrow signal alterations on MRI. Ann Diagn Pathol "
           "2019;40:7-12.", doi="10.1016/j.anndiagpath.2019.02.002"),
        _C("SPIERINGS-2014", "Spierings J, van der Linden AN, Kuijper PHM, Tick LW, Nijziel MR. "
           "Incidentally detected diffuse signal alterations of bone marrow on MRI: is bone marrow "
           "biopsy indicated? Neth J Med 2014."),
        _C("SHAH-2014", "Shah GL et al. Incidental abnormal bone marrow signal on MRI. "
           "ScientificWorldJournal 2014;2014:380814."),
        _C("ARIKAN-2024", "Arikan F, Yildiz Y, Ergelen R, Atagündüz I, Toptas T. Incidental bone "
           "marrow signal changes: biopsy findings and follow-up. Curr Med Imaging 2024;20.",
           doi="10.2174/0115734056267087231228124325"),
        _C("CARROLL-1997", "Carroll KW et al. Useful internal standards for distinguishing "
           "infiltrative marrow pathology from hematopoietic marrow at MRI. J Magn Reson Imaging "
           "1997;7(2):394-398."),
        _C("AJNR-2002", "Cranial bone marrow on MRI in adults with systemic disorders vs healthy "
           "controls. AJNR Am J Neuroradiol 2002;23(2):248 (authors and figures UNCONFIRMED)."),
        _C("BAYRAMOGLU-2003", "Bayramoglu et al. Clivus marrow signal by age. Clin Anat "
           "2003;16(4):304-8.", pmid="12794913"),
        _C("IMWG-2014", "Rajkumar SV et al. International Myeloma Working Group updated criteria "
           "for the diagnosis of multiple myeloma. Lancet Oncol 2014;15(12):e538-48."),
        _C("WHO-ANAEMIA", "World Health Organization haemoglobin thresholds for anaemia (below 13 g/dL "
           "for men, below 12 g/dL for non-pregnant women); seen via a secondary source."),
        _C("DISPENZIERI-2008", "Dispenzieri A, Kyle RA, Katzmann JA, et al. Immunoglobulin free "
           "light chain ratio is an independent risk factor for progression of smoldering "
           "multiple myeloma. Blood 2008;111(2):785."),
        _C("KATZMANN-2002", "Katzmann JA et al. Serum reference intervals and diagnostic ranges "
           "for free kappa and free lambda immunoglobulin light chains. Clin Chem "
           "2002;48(9):1437-44.", pmid="12194920"),
        _C("KATZMANN-2009", "Katzmann JA et al. Screening panels for detection of monoclonal "
           "gammopathies. Clin Chem 2009;55(8):1517-1522."),
        _C("CLIN-BIOCHEM-REV-2009", "Screening for monoclonal gammopathies (IMWG panel "
           "recommendation). Clin Biochem Rev 2009;30(3):105-11.", pmid="19841692"),
        _C("PEREZ-PERSONA-2007", "Pérez-Persona E et al. (PETHEMA). Blood 2007;110(7):2586."),
        _C("AJH-2013", "Immunoparesis in adults aged 65-96 with and without MGUS. Am J Hematol "
           "2013;88:89-92.", doi="10.1002/ajh.23355"),
        _C("BOUTIN-2015", "Boutin RD et al. Serous atrophy of bone marrow. Eur Radiol "
           "2015;25(9):2771-2778."),
        _C("HILLENGASS-2019", "Hillengass J, Usmani S, Rajkumar SV, et al. International Myeloma "
           "Working Group consensus recommendations on imaging in monoclonal plasma cell "
           "disorders. Lancet Oncol 2019."),
        _C("RADIOLOGYKEY-MARROW", "Marrow imaging protocol text on gadolinium in diffuse marrow "
           "disorders (radiologykey.com, 'Marrow')."),
        _C("KYLE-2010", "Kyle RA et al. Monoclonal gammopathy of undetermined significance (MGUS) "
           "and smoldering (asymptomatic) multiple myeloma: IMWG consensus perspectives. Leukemia "
           "2010;24(6):1121-1127.", doi="10.1038/leu.2010.60", pmid="20410922"),
        _C("SIDIQI-2020", "Sidiqi MH et al. Bone marrow examination in patients with monoclonal "
           "gammopathy (Mayo Clinic series of MGUS, SMM and MM). Blood Cancer J 2020.",
           url="https://www.nature.com/articles/s41408-020-0319-0"),
        _C("POULTON-1993", "Poulton TB, Murphy WD, Duerk JL, Chapek CC, Feiglin DH. Bone marrow "
           "reconversion in adults who are smokers. AJR 1993;161(6):1217-21.",
           doi="10.2214/ajr.161.6.8249729"),
        _C("AJR-1992", "Hematopoietic marrow hyperplasia in marathon runners. AJR "
           "1992;158(2):335-338 (authors UNCONFIRMED).", doi="10.2214/ajr.158.2.1729795"),
        _C("ALTEHOEFER-2001", "Altehoefer C et al. Marrow signal after G-CSF in healthy donors. "
           "J Magn Reson Imaging 2001;14(2):141-6.", pmid="11477672"),
        _C("BJH-SPINE-ONLY", "Review of MRI in myeloma: about half of focal lesions are missed by "
           "imaging the spine alone. Br J Haematol (PMC4737237)."),
    )
}

_N = EvidenceNote


def _note(note_id: str, text: str, *citation_ids: str) -> EvidenceNote:
    return _N(note_id, text, tuple(CITATIONS[c] for c in citation_ids))


EVIDENCE_NOTES: dict[str, EvidenceNote] = {
    n.id: n
    for n in (
        _note("EN-YIELD", "The source's 42–47% yield is from two small biopsy-selected series: "
              "42% (19/45) counted metastatic tumour as well as hematolymphoid neoplasms, and 47% "
              "(7/15) counted any clinically important hematological disorder. Less selected "
              "cohorts found malignancy in about 6–10%, and a 2024 series of 42 biopsied patients "
              "found 7%. Read the yield as roughly 7–47% depending on selection.",
              "ANN-DIAGN-PATHOL-2019", "SPIERINGS-2014", "SHAH-2014", "ARIKAN-2024"),
        _note("EN-HB", "We found no source for 12 g/dL as a biopsy trigger. IMWG counts anaemia as "
              "Hb < 10 g/dL or more than 2 g/dL below the lower limit; WHO defines anaemia as "
              "< 13 g/dL in men and < 12 g/dL in women. In the 45-patient series, Hb was lower in "
              "neoplastic cases (p = 0.037), which supports suspicion but no specific cut-off.",
              "ANN-DIAGN-PATHOL-2019", "IMWG-2014", "WHO-ANAEMIA"),
        _note("EN-FLC", "> 8 or < 0.125 is the progression breakpoint found in already-diagnosed "
              "smouldering myeloma (published as ≥ 8 / ≤ 0.125), not a diagnostic threshold. The "
              "normal κ/λ range is 0.26–1.65 (0.37–3.10 in renal impairment), and any ratio "
              "outside the normal range is abnormal.", "DISPENZIERI-2008", "KATZMANN-2002"),
        _note("EN-CALCIUM", "The source gives no number for raised calcium; the tool uses the upper "
              "reference limit. IMWG CRAB hypercalcaemia is > 11 mg/dL or > 1 mg/dL above the "
              "upper limit. A paraprotein can distort total calcium; ionised calcium avoids this.",
              "IMWG-2014"),
        _note("EN-RENAL", "The source gives no number for renal dysfunction; the tool uses the upper "
              "reference limit of creatinine or eGFR < 60. IMWG CRAB renal is creatinine "
              "> 2 mg/dL (177 µmol/L) or creatinine clearance < 40 mL/min.", "IMWG-2014"),
        _note("EN-IMMUNOPARESIS", "Immunoparesis predicts progression of MGUS and smouldering "
              "myeloma; it is not a diagnostic criterion. It is common in older adults without "
              "MGUS (49% of non-MGUS adults aged 65–96).", "PEREZ-PERSONA-2007", "AJH-2013"),
        _note("EN-WEIGHT-LOSS", "We found no source for age > 50 with weight loss as a biopsy "
              "trigger. Weight loss and cachexia cause serous atrophy of marrow, which itself "
              "mimics infiltration on MRI.", "BOUTIN-2015"),
        _note("EN-CANCER", "The yield series excluded people with known malignancy. With a cancer "
              "history this becomes a search for metastasis, a different population.",
              "ANN-DIAGN-PATHOL-2019", "SPIERINGS-2014"),
        _note("EN-BRAIN-REF", "The white-matter, gray-matter and clivus comparisons come from cranial "
              "MRI and are not in a lumbar field of view. Use them only when brain imaging exists; "
              "their figures could not be confirmed against the original paper.",
              "AJNR-2002", "BAYRAMOGLU-2003"),
        _note("EN-LUMBAR-REF", "In Carroll 1997, marrow iso- or hypointense to muscle was "
              "infiltrative in 44 of 45 foci, and to a non-degenerated disc in 40 of 41. The "
              "series was small and selected, used spin-echo T1 and counted foci, not patients.",
              "CARROLL-1997"),
        _note("EN-CONTRAST", "Gadolinium adds little for diffuse marrow disease and can make "
              "lesions look like fatty marrow; the precontrast T1 sequence is what matters.",
              "RADIOLOGYKEY-MARROW"),
        _note("EN-PETCT", "No evidence was found for PET/CT as a first test for an isolated "
              "marrow finding with normal labs; IMWG lists it as an option once a plasma-cell "
              "disorder is suspected or diagnosed.", "HILLENGASS-2019"),
        _note("EN-SKELETAL", "IMWG 2019 prefers whole-body low-dose CT: it is more sensitive than "
              "the conventional skeletal survey and is the method of choice.", "HILLENGASS-2019"),
        _note("EN-FOLLOW-UP", "Three months is not sourced for this indication. The nearest "
              "standard is IMWG 2010: smouldering myeloma is retested at 2–3 months and MGUS at "
              "6 months. A new abnormality does not always call for a marrow: in low-risk MGUS "
              "with normal hemoglobin, calcium and renal function, leaving the marrow out missed "
              "SMM or MM in under 1 % of patients (Sidiqi 2020).", "KYLE-2010", "SIDIQI-2020"),
        _note("EN-LABPANEL", "SPEP with immunofixation and serum free light chains is the "
              "recommended screening panel; add urine immunofixation when AL amyloidosis is "
              "suspected.", "CLIN-BIOCHEM-REV-2009", "KATZMANN-2009"),
        _note("EN-MIMICS", "Benign red-marrow reconversion mimics infiltration: heavy smoking, "
              "obesity, endurance sport, G-CSF (strongest about 2 weeks after the last dose, back "
              "to baseline after about 6 weeks) and chronic anaemia. Young women normally have "
              "more red marrow. For EPO and for living at high altitude no primary source was "
              "found (UNCONFIRMED).", "POULTON-1993", "AJR-1992", "ALTEHOEFER-2001"),
        _note("EN-FOCAL", "Imaging the spine alone misses about half of focal lesions, so a "
              "lumbar MRI cannot rule out the IMWG focal-lesion criterion.", "BJH-SPINE-ONLY",
              "IMWG-2014"),
    )
}
