"""Learning mode: the teaching pages (views, forms, urls) over pure-Python content modules.

The content modules below import no Django, like workup/pathway/:

pathway_map   the pathway graph computed from the rule table, as SVG and as a nested outline
diagnostics   the counts behind the MRI signs, their Wilson intervals, and why no likelihood ratio
library       what each rule's evidence page shows: source claim, thresholds, golden cases
vignettes     the worked teaching cases and how a prediction is scored
about         how to obtain each input, and where the source and the evidence disagree
"""
