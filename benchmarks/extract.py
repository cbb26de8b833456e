"""Extraction throughput: MB/s for text, Markdown and HTML on a generated corpus.

Usage: `python benchmarks/extract.py [--mb 4] [--repeat 3]`. The corpus is article-shaped: varied
paragraphs of cited sentences (markers, ranges, adjacent groups, footnotes, links), a reference
list, and for Markdown some code blocks and tables, for HTML Wikipedia-style `<sup>` notes. No
network, no files: documents are built in memory and fed to `extract_document`.
"""

from __future__ import annotations

import argparse
import random
import time

from linkaudit.extract import extract_document
from linkaudit.inputs import Source
from linkaudit.model import DocFormat

_WORDS = [
    "revenue", "chip", "market", "growth", "cloud", "capacity", "analysts", "investors", "export",
    "policy", "battery", "grid", "storage", "price", "supply", "demand", "quarter", "report",
    "study", "data", "model", "trial", "energy", "network", "region"
]


def _sentence(rng: random.Random, refs: int) -> tuple[str, int]:
    words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 22)))
    number = rng.randint(1, refs)
    shape = rng.random()
    if shape < 0.5:
        marker = f"[{number}]"
    elif shape < 0.7:
        marker = f"[{number}, {rng.randint(1, refs)}]"
    elif shape < 0.8:
        marker = f"[{number}][{rng.randint(1, refs)}]"
    else:
        marker = ""
    figure = f" {rng.randint(1, 99)}.{rng.randint(0, 9)}%" if rng.random() < 0.3 else ""
    return f"The U.S. {words}{figure} {marker}.".replace(" .", "."), number


def _paragraph(rng: random.Random, refs: int) -> str:
    return " ".join(_sentence(rng, refs)[0] for _ in range(rng.randint(2, 6)))


def make_text(size: int, rng: random.Random) -> str:
    parts = ["Chipmakers race to fill the gap", "Monday, Sep 1, 2025 10:46 am ET", ""]
    total = 0
    while total < size:
        para = _paragraph(rng, 40)
        parts.append(para)
        total += len(para) + 1
    parts.append("References:")
    parts.extend(f"[{n}] https://news{n}.example.com/2025/08/story-{n}.html" for n in range(1, 41))
    return "\n".join(parts)


def make_markdown(size: int, rng: random.Random) -> str:
    parts = ["---", "date: 2025-09-01", "---", "# Report", ""]
    total = 0
    while total < size:
        kind = rng.random()
        if kind < 0.1:
            block = "```python\nxs = [1, 2, 3]\nprint(xs[1])  # [2]\n```"
        elif kind < 0.2:
            block = "| a | b |\n|---|---|\n| cell [3] | other [4] |"
        elif kind < 0.3:
            page, note = rng.randint(1, 99), rng.randint(1, 9)
            block = f"See the [docs](https://docs.example.org/p{page}) and note[^n{note}]."
        else:
            block = _paragraph(rng, 40)
        parts.extend([block, ""])
        total += len(block) + 2
    parts.append("## References\n")
    parts.extend(f"{n}. https://news{n}.example.com/2025/08/story-{n}.html" for n in range(1, 41))
    parts.append("")
    parts.extend(f"[^n{n}]: Note {n} https://notes.example.org/{n}" for n in range(1, 10))
    return "\n".join(parts)


def make_html(size: int, rng: random.Random) -> str:
    parts = [
        "<!DOCTYPE html><html><head><title>T</title>",
        '<meta property="article:published_time" content="2025-09-01T10:46:00-04:00">',
        "</head><body><article>",
    ]
    total = 0
    while total < size:
        sentences = []
        for _ in range(rng.randint(2, 6)):
            text, number = _sentence(rng, 40)
            text = text.split(" [", 1)[0].rstrip(".") + "."
            sentences.append(
                f'{text}<sup id="cite_ref-{number}" class="reference">'
                f'<a href="#cite_note-{number}">[{number}]</a></sup>'
            )
        para = "<p>" + " ".join(sentences) + "</p>"
        parts.append(para)
        total += len(para) + 1
    parts.append('<h2>References</h2><ol class="references">')
    parts.extend(
        f'<li id="cite_note-{n}"><a href="#cite_ref-{n}">^</a> '
        f'<a class="external" href="https://news{n}.example.com/{n}">Story {n}</a></li>'
        for n in range(1, 41)
    )
    parts.append("</ol></article></body></html>")
    return "\n".join(parts)


def main() -> None:
    """Build a corpus of each format and print MB/s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=4.0, help="size of each document in MB")
    parser.add_argument("--repeat", type=int, default=3, help="runs per format (best is kept)")
    args = parser.parse_args()
    rng = random.Random(20250901)
    size = int(args.mb * 1_000_000)
    makers = {
        DocFormat.TEXT: make_text,
        DocFormat.MARKDOWN: make_markdown,
        DocFormat.HTML: make_html,
    }
    print(f"{'format':<10}{'MB':>8}{'best s':>10}{'MB/s':>9}{'refs':>7}{'citations':>11}")
    for fmt, make in makers.items():
        data = make(size, rng).encode()
        best = float("inf")
        doc = None
        for _ in range(args.repeat):
            start = time.perf_counter()
            doc = extract_document(Source(f"bench.{fmt.value}", data, fmt))
            best = min(best, time.perf_counter() - start)
        assert doc is not None
        megabytes = len(data) / 1_000_000
        print(
            f"{fmt.value:<10}{megabytes:>8.2f}{best:>10.2f}{megabytes / best:>9.2f}"
            f"{len(doc.references):>7}{len(doc.citations):>11}"
        )


if __name__ == "__main__":
    main()
