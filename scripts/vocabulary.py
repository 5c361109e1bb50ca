"""Write workup/saved/vocabulary.txt: every word the app's own text uses (`python -m scripts.vocabulary`).

Stored free text is checked for person names (workup/saved/identifiers.py); two capitalised words
in a row that this vocabulary does not know, and no census list explains, are taken for a name
("Priya Raghunathan"). The words come from the app's templates, its Python sources (wording,
rules, evidence notes), the teaching vignettes and the docs: the pathway's own language.
"""

from __future__ import annotations

import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
OUT = BASE_DIR / "workup" / "saved" / "vocabulary.txt"
SOURCES = ["workup/**/*.py", "workup/**/*.html", "templates/**/*.html", "workup/**/*.json", "docs/*.md",
           "README.md"]
# Eponyms a marrow workup note may name that the app's own text does not (yet) use.
EPONYMS = ["bence", "jones", "waldenström", "waldenstrom", "gaucher", "paget", "schmorl", "modic", "castleman",
           "erdheim", "chester", "rosai", "dorfman", "hodgkin", "kahler", "durie", "salmon"]
WORD = re.compile(r"[A-Za-z][a-z]+")  # lowercase or title-case words; all-caps acronyms are not words here


def vocabulary() -> list[str]:
    words: set[str] = set()
    for pattern in SOURCES:
        for path in BASE_DIR.glob(pattern):
            # identifiers.py and the hazard log spell out the names they refuse
            if path == OUT or "migrations" in path.parts or path.name == "identifiers.py" or "safety" in path.parts:
                continue
            words.update(word.lower() for word in WORD.findall(path.read_text(errors="ignore")) if len(word) > 1)
    return sorted(words | set(EPONYMS))


def main() -> None:
    words = vocabulary()
    OUT.write_text("".join(f"{word}\n" for word in words))
    print(f"{len(words)} words -> {OUT.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
