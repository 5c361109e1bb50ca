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
           "biopsy indicated? Neth J Med 2014.",
           url="http://www.njmonline.nl/article.php?i=175&d=977&a=1474"),
        _C("SHAH-2014", "Shah GL et al. Incidence and evaluation of incidental abnormal bone "
           "marrow signal on magnetic resonance imaging. ScientificWorldJournal 2014;2014:380814.",
           url="https://www.hindawi.com/journals/tswj/2014/380814/abs/"),
        _C("ARIKAN-2024", "Arikan F, Yildiz Y, Ergelen R, Atagündüz I, Toptas T. The diagnostic "
           "value of abnormal bone marrow signal changes on magnetic resonance imaging: is bone "
           "marrow biopsy essential? Curr Med Imaging 2024;20.",
           doi="10.2174/0115734056267087231228124325"),
        _C("CARROLL-1997", "Carroll KW, Feller JF, Tirman PFJ. Useful internal standards for "
           "distinguishing infiltrative marrow pathology from hematopoietic marrow at MRI. J Magn "
           "Reson Imaging 1997;7(2):394-398.", doi="10.1002/jmri.1880070224"),
        _C("AJNR-2002", "Cranial bone marrow on MRI in adults with systemic disorders vs healthy "
           "controls. AJNR Am J Neuroradiol 2002;23(2):248 (authors and figures UNCONFIRMED)."),
        _C("BAYRAMOGLU-2003", "Bayramoglu et al. Clivus marrow signal by age. Clin Anat "
           "2003;16(4):304-8.", pmid="12794913"),
        _C("IMWG-2014", "Rajkumar SV et al. International Myeloma Working Group updated criteria "
           "for the diagnosis of multiple myeloma. Lancet Oncol 2014;15(12):e538-48.",
           doi="10.1016/S1470-2045(14)70442-5", pmid="25439696"),
        _C("WHO-ANAEMIA", "World Health Organization. Haemoglobin concentrations for the diagnosis "
           "of anaemia and assessment of severity. Vitamin and Mineral Nutrition Information System. "
           "Geneva: WHO; 2011 (WHO/NMH/NHD/MNM/11.1).",
           url="https://www.who.int/vmnis/indicators/haemoglobin/en/"),
        _C("WHO-2024", "World Health Organization. Guideline on haemoglobin cutoffs to define "
           "anaemia in individuals and populations. Geneva: WHO; 2024."),
        _C("ARBER-2016", "Arber DA, Orazi A, Hasserjian R, et al. The 2016 revision to the World "
           "Health Organization classification of myeloid neoplasms and acute leukemia. Blood "
           "2016;127(20):2391-2405 (polycythaemia vera criteria)."),
        _C("DISPENZIERI-2008", "Dispenzieri A, Kyle RA, Katzmann JA, et al. Immunoglobulin free "
           "light chain ratio is an independent risk factor for progression of smoldering "
           "multiple myeloma. Blood 2008;111(2):785.",
           url="http://ashpublications.com/blood/article/111/2/785/103743/"),
        _C("KATZMANN-2002", "Katzmann JA et al. Serum reference intervals and diagnostic ranges "
           "for free kappa and free lambda immunoglobulin light chains. Clin Chem "
           "2002;48(9):1437-44.", pmid="12194920"),
        _C("KATZMANN-2009", "Katzmann JA et al. Screening panels for detection of monoclonal "
           "gammopathies. Clin Chem 2009;55(8):1517-1522.", doi="10.1373/clinchem.2009.126664"),
        _C("HUTCHISON-2008", "Hutchison CA et al. 2008: the kidney reference interval 0.37-3.10 "
           "for the serum free light chain ratio, as later papers attribute it (the original paper "
           "was not retrieved: UNCONFIRMED)."),
        _C("LONG-2022", "Long TE, Indridason OS, Palsson R, et al. Defining new reference "
           "intervals for serum free light chains in individuals with chronic kidney disease: "
           "results of the iStopMM study. Blood Cancer J 2022;12(9):133.",
           doi="10.1038/s41408-022-00732-3"),
        _C("RAJKUMAR-2005", "Rajkumar SV, Kyle RA, Therneau TM, et al. Serum free light chain "
           "ratio is an independent risk factor for progression in monoclonal gammopathy of "
           "undetermined significance. Blood 2005;106(3):812-817.",
           doi="10.1182/blood-2005-03-1038", pmid="15855274"),
        _C("CLIN-BIOCHEM-REV-2009", "Screening for monoclonal gammopathies (IMWG panel "
           "recommendation). Clin Biochem Rev 2009;30(3):105-11.", pmid="19841692"),
        _C("PEREZ-PERSONA-2007", "Pérez-Persona E et al. (PETHEMA). New criteria to identify risk of "
           "progression in monoclonal gammopathy of uncertain significance and smoldering multiple "
           "myeloma based on multiparameter flow cytometry analysis of bone marrow plasma cells. Blood "
           "2007;110(7):2586.", url="http://ashpublications.net/blood/article/110/7/2586/103625/"),
        _C("AJH-2013", "Immunoparesis in adults aged 65-96 with and without MGUS. Am J Hematol "
           "2013;88:89-92.", doi="10.1002/ajh.23355"),
        _C("BOUTIN-2015", "Boutin RD et al. MRI findings of serous atrophy of bone marrow and "
           "associated complications. Eur Radiol 2015;25(9):2771-2778.",
           doi="10.1007/s00330-015-3692-5"),
        _C("HILLENGASS-2019", "Hillengass J, Usmani S, Rajkumar SV, et al. International Myeloma "
           "Working Group consensus recommendations on imaging in monoclonal plasma cell "
           "disorders. Lancet Oncol 2019."),
        _C("RADIOLOGYKEY-MARROW", "Marrow imaging protocol text on gadolinium in diffuse marrow "
           "disorders (radiologykey.com, 'Marrow')."),
        _C("KYLE-2010", "Kyle RA, Durie BGM, Rajkumar SV, et al. Monoclonal gammopathy of "
           "undetermined significance (MGUS) and smoldering (asymptomatic) multiple myeloma: IMWG "
           "consensus perspectives risk factors for progression and guidelines for monitoring and "
           "management. Leukemia 2010;24(6):1121-1127.", doi="10.1038/leu.2010.60",
           pmid="20410922"),
        _C("SIDIQI-2020", "Sidiqi MH, Aljama M, Kumar SK, et al. The role of bone marrow biopsy "
           "in patients with plasma cell disorders: should all patients with a monoclonal protein "
           "be biopsied? Blood Cancer J 2020;10(5):52.", doi="10.1038/s41408-020-0319-0",
           pmid="32376870"),
        _C("POULTON-1993", "Poulton TB, Murphy WD, Duerk JL, Chapek CC, Feiglin DH. Bone marrow "
           "reconversion in adults who are smokers. AJR 1993;161(6):1217-21.",
           doi="10.2214/ajr.161.6.8249729"),
        _C("AJR-1992", "Hematopoietic marrow hyperplasia in marathon runners. AJR "
           "1992;158(2):335-338 (authors UNCONFIRMED).", doi="10.2214/ajr.158.2.1729795"),
        _C("ALTEHOEFER-2001", "Altehoefer C et al. Marrow signal after G-CSF in healthy donors. "
           "J Magn Reson Imaging 2001;14(2):141-6.", pmid="11477672"),
        _C("VALENT-2007", "Valent P, Horny HP, Bennett JM, et al. Definitions and standards in the "
           "diagnosis and treatment of the myelodysplastic syndromes: consensus statements and "
           "report from a working conference. Leuk Res 2007;31(6):727-736."),
        _C("VALENT-2017", "Valent P, Orazi A, Steensma DP, et al. Proposed minimal diagnostic "
           "criteria for myelodysplastic syndromes (MDS) and potential pre-MDS conditions. "
           "Oncotarget 2017;8:73483-73500.", doi="10.18632/oncotarget.19008"),
        _C("MERZ-2023", "Merz LE, Story CM, Osei MA, et al. Absolute neutrophil count by Duffy "
           "status among healthy Black and African American adults. Blood Adv 2023;7(3):317-320.",
           doi="10.1182/bloodadvances.2022007679", pmid="35994632"),
        _C("LEUKOERYTHROBLASTIC-SERIES", "Marrow findings in 50 adults with a leukoerythroblastic "
           "blood picture (2014-2016 cohort). Ann Pathol Lab Med (authors, volume and pages "
           "UNCONFIRMED)."),
        _C("CRITICAL-VALUES", "Common laboratory critical-value limits for the blood count (neutrophils "
           "below 0.5 × 10⁹/L, platelets below 20 × 10⁹/L), as the pathway specification 1.2 adopts them; "
           "a laboratory's own critical-value list replaces them."),
        _C("LIJMER-1999", "Lijmer JG, Mol BW, Heisterkamp S, et al. Empirical evidence of "
           "design-related bias in studies of diagnostic tests. JAMA 1999;282(11):1061-1066.",
           url="https://jamanetwork.com/journals/jama/fullarticle/191668"),
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
              "cohorts found malignancy in about 6–10% (UNCONFIRMED: only a truncated abstract of "
              "the 6% was seen, and the year of the 10% abstract is unknown), and a 2024 series of "
              "42 biopsied patients found 7% (3/42). Read the yield as roughly 7–47% depending on "
              "selection; these figures count different outcomes, so none of them is a pre-test "
              "probability for another.",
              "ANN-DIAGN-PATHOL-2019", "SPIERINGS-2014", "SHAH-2014", "ARIKAN-2024"),
        _note("EN-HB", "We found no source for 12 g/dL as a biopsy trigger. IMWG counts anaemia as "
              "Hb < 10 g/dL or more than 2 g/dL below the lower limit; WHO defines anaemia as "
              "< 13 g/dL in men and < 12 g/dL in women (< 11 g/dL in pregnancy); its 2024 guideline "
              "keeps these and adjusts them upward for smoking and altitude, which this tool does "
              "not apply. In the 45-patient series, Hb was lower in neoplastic cases "
              "(p = 0.037), which supports suspicion but no specific cut-off.",
              "ANN-DIAGN-PATHOL-2019", "IMWG-2014", "WHO-ANAEMIA", "WHO-2024"),
        _note("EN-FLC", "> 8 or < 0.125 is the progression breakpoint found in already-diagnosed "
              "smouldering myeloma (published as ≥ 8 / ≤ 0.125), not a diagnostic threshold. The "
              "normal κ/λ range is 0.26–1.65. With an entered eGFR below 60 the tool uses the "
              "kidney interval 0.37–3.10, usually credited to Hutchison 2008 (the original was not "
              "retrieved: UNCONFIRMED). In iStopMM (2022), among people with eGFR below 60 and no "
              "monoclonal protein, 9 % had a ratio outside 0.26–1.65 and 0.7 % outside 0.37–3.10; "
              "that study proposes new intervals graded by eGFR. A ratio outside whichever range "
              "applies is abnormal.", "DISPENZIERI-2008", "KATZMANN-2002", "HUTCHISON-2008",
              "LONG-2022"),
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
              "their figures could not be confirmed against the original paper (UNCONFIRMED). They "
              "compare adults with systemic disorders against healthy controls, a two-group design "
              "that overstates accuracy (about threefold in diagnostic odds ratio, Lijmer 1999), so "
              "no likelihood ratio or post-test probability can be taken from them. A dark clivus "
              "is atypical over 50: the predominantly dark pattern was absent in all but one "
              "person over 50 (Bayramoglu 2003).",
              "AJNR-2002", "BAYRAMOGLU-2003", "LIJMER-1999"),
        _note("EN-LUMBAR-REF", "In Carroll 1997, marrow iso- or hypointense to muscle was "
              "infiltrative in 44 of 45 foci, and to a non-degenerated disc in 40 of 41. These are "
              "positive predictive values, which a high share of infiltration in the series "
              "(about 72 %) inflates. The series was small and selected, used spin-echo T1 and "
              "counted foci, not patients.",
              "CARROLL-1997"),
        _note("EN-CONTRAST", "Gadolinium adds little for diffuse marrow disease and can make "
              "lesions look like fatty marrow; the precontrast T1 sequence is what matters.",
              "RADIOLOGYKEY-MARROW"),
        _note("EN-PETCT", "No evidence was found for PET/CT as a first test for an isolated "
              "marrow finding with normal labs; IMWG lists it as an option once a plasma-cell "
              "disorder is suspected or diagnosed. In MGUS, IMWG 2019 advises whole-body imaging "
              "(low-dose CT first) only when high-risk non-IgM MGUS is suspected, not for every "
              "abnormal FLC ratio.", "HILLENGASS-2019"),
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
              "lumbar MRI cannot rule out the IMWG focal-lesion criterion. More than one focal "
              "lesion of 5 mm or more is myeloma-defining only with ≥ 10 % clonal marrow plasma "
              "cells (IMWG 2014); on its own it may as well be metastases.", "BJH-SPINE-ONLY",
              "IMWG-2014"),
        _note("EN-CYTOPENIA", "The source asks for a blood count with differential and for all "
              "results to be completely normal, but it names no cytopenia that should lead to a "
              "biopsy: this trigger is the tool's own extension. Its depths, platelets below "
              "100 × 10⁹/L and neutrophils below 1.5 × 10⁹/L, are the cytopenia an MDS working "
              "conference (Valent 2007) made a precondition for diagnosing MDS, together with a "
              "cytopenia that persists and other causes ruled out; no guideline sets them as a "
              "reason for biopsy by themselves, and the later consensus (2017) uses local ranges "
              "adjusted for ancestry and altitude. Look for drugs, B12 or folate deficiency, liver "
              "disease and hypersplenism at the same time. About a quarter of healthy Duffy-null "
              "adults (19/80) have neutrophils below 2.0 × 10⁹/L (Merz 2023).",
              "VALENT-2007", "VALENT-2017", "MERZ-2023"),
        _note("EN-BLOOD-FILM", "Nucleated red cells with immature myeloid cells "
              "(a leukoerythroblastic film), or teardrop cells, point to a marrow that is "
              "infiltrated or scarred (metastasis, myeloma, lymphoma, myelofibrosis), yet the same "
              "picture follows sepsis, bleeding, haemolysis and megaloblastic anaemia. Blasts in "
              "the blood need a haematologist the same day. Rouleaux suggest a paraprotein.",
              "LEUKOERYTHROBLASTIC-SERIES"),
        _note("EN-MGUS-RISK", "In the Mayo MGUS model (Rajkumar 2005), people with 0, 1, 2 or 3 "
              "risk factors had a 20-year risk of progression of 2 %, 10 %, 18 % and 27 % once "
              "death from other causes is counted as a competing risk (the risk a patient "
              "actually faces), or 5 %, 21 %, 37 % and 58 % when death is ignored. When only some "
              "factors are known, the stratum is a floor: at least low-intermediate means a "
              "20-year risk of at least 10 % (at least 21 % ignoring death). IMWG 2010 advises a "
              "baseline marrow in intermediate- and high-risk MGUS.",
              "RAJKUMAR-2005", "KYLE-2010"),
    )
}
