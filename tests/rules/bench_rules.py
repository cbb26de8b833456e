"""Time `analyse` on a synthetic corpus (not a test): `python tests/rules/bench_rules.py [DOCS]`.

Each document has 40 references with 20,000-character page excerpts and 60 citations; one
source in ten carries copied sentences with bracket markers. Prints the wall time of `analyse`.
"""

from __future__ import annotations

import random
import sys
import time

from ruleskit import (
    AINVEST_PAGE,
    ALIGNS_CLAIM,
    H20_CLAIM,
    INVEST_CLAIM,
    REVENUE_CLAIM,
    alive,
    archived,
    cite,
    doc,
    ref,
)

from linkaudit.config import LinksConfig, RulesConfig
from linkaudit.rules import analyse

CLAIMS = [H20_CLAIM, ALIGNS_CLAIM, INVEST_CLAIM, REVENUE_CLAIM]


def main(n_docs: int) -> None:
    rng = random.Random(1)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = ["".join(rng.choice(letters) for _ in range(rng.randint(3, 10))) for _ in range(3000)]
    words = vocab * 20 + " ".join(CLAIMS).split() + ["Revenue.", "It", "grew."]

    def page(i: int) -> str:
        body = " ".join(rng.choice(words) for _ in range(3300))[:20000]
        return body + (" " + AINVEST_PAGE if i % 10 == 0 else "")

    docs, checks, archives = [], {}, {}
    for d in range(n_docs):
        refs = []
        for r in range(40):
            url = f"https://site{r % 25}.example/{2020 + r % 6}/0{1 + r % 9}/1{r % 9}/s-{d}-{r}"
            refs.append(ref(str(r + 1), url, line=100 + r))
            checks[url] = alive(url, excerpt=page(r))
            archives[url] = archived(url)
        cites = [cite(str(1 + c % 40), CLAIMS[c % 4], line=5 + c) for c in range(60)]
        docs.append(doc(refs, cites, origin=f"doc{d}.txt"))
    started = time.perf_counter()
    findings, skips = analyse(docs, checks, archives, RulesConfig(), LinksConfig())
    elapsed = time.perf_counter() - started
    n_refs = sum(len(d.references) for d in docs)
    n_cites = sum(len(d.citations) for d in docs)
    print(f"{len(docs)} documents, {n_refs} references, {n_cites} citations: "
          f"{len(findings)} findings, {len(skips)} skips in {elapsed:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
