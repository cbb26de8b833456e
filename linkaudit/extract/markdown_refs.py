"""Markdown extraction's references: link and footnote definitions, footnote bodies, and the
entries of reference lists (ordered lists, `[N] ...` lines, entries that open with HTML).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from urllib.parse import urljoin

from linkaudit.extract.html import HtmlFragment
from linkaudit.extract.identifiers import identifiers_in
from linkaudit.extract.markdown_blocks import (
    _Block,
    _entry_text,
    _FoundLink,
    _Inline,
    _parser,
    _Role,
    _State,
    _unwrap_html_line,
)
from linkaudit.extract.markdown_inline import _add_link, _read_inline
from linkaudit.extract.markers import parse_ids
from linkaudit.extract.text import _ENTRY, _Entry, _read_entries, _to_reference
from linkaudit.extract.urls import clean_url, entry_url, find_urls
from linkaudit.model import LinkKind, Problem, ProblemKind, Reference
from linkaudit.urls import same_site

_DEFINITION = re.compile(r"[ \t]{0,3}\[([^\]]{1,100})\]:")
_FOOTNOTE_DEFINITION = re.compile(r"[ \t]{0,3}\[\^([^\]\s]{1,100})\]:[ \t]*")
_LABEL_USE = re.compile(r"\]\[([^\]\n]{1,100})\]|\[([^\]\n]{1,100})\]\[\]")
"""A full (`[text][label]`) or collapsed (`[label][]`) reference link: the label names a link."""
_WIKI_INTERNAL = re.compile(r"(?:^|/)(?:wiki/|w/index\.php|index\.php\?title=)|Special:", re.I)


def _labels_used_as_links(sources: Iterable[str]) -> set[str]:
    """Definition labels that inline text uses as ordinary reference-style links (`[x][1]`);
    code blocks are not inline text, so `m[1][2]` in a fence does not count."""
    used: set[str] = set()
    for source in sources:
        if "][" not in source:
            continue
        for match in _LABEL_USE.finditer(source):
            used.add((match.group(1) or match.group(2)).strip().lower())
    return used


def _footnote_labels(env: dict[str, object]) -> set[str]:
    notes = env.get("footnotes")
    refs = notes.get("refs") if isinstance(notes, dict) else None
    return {str(k)[1:] for k in refs} if isinstance(refs, dict) else set()


def _definitions(
    env: dict[str, object], lines: list[str], footnotes: set[str], link_ids: set[str],
    state: _State,
) -> list[Reference]:
    """Numeric reference definitions (`[3]: https://...`) as references, when they are markers.

    A numeric definition that the text uses as an ordinary reference-style link (`[x][3]`) is a
    hyperlink, and so is one whose number a footnote already has (the namespaces never merge);
    every other definition with a non-numeric label is a hyperlink too.
    """
    found: list[Reference] = []
    refs = env.get("references")
    if not isinstance(refs, dict):
        return found
    numeric_as_links = bool(link_ids) and all(
        label.lower() in link_ids or not re.fullmatch(r"[0-9]{1,4}", str(label))
        for label in refs
    )
    for label, value in refs.items():
        if not isinstance(value, dict):
            continue
        href = str(value.get("href", ""))
        line_number = _definition_line(value.get("map"), str(label), lines)
        line = lines[line_number - 1] if 0 < line_number <= len(lines) else ""
        column = line.find("[") + 1 or 1
        numeric = re.fullmatch(r"[0-9]{1,4}", str(label)) is not None
        if (
            not numeric
            or numeric_as_links
            or str(label).lower() in link_ids
            or str(label) in footnotes
            or parse_ids(str(label)) is None
        ):
            continue  # a link definition: the links that use it are the hyperlinks
        found.append(
            Reference(
                id=str(label),
                url=clean_url(href) if href else None,
                url_as_written=href or None,
                line=line_number,
                column=column,
                text=" ".join((str(value.get("title") or "") or href).split()),
            )
        )
    return found


def _definition_line(mapping: object, label: str, lines: list[str]) -> int:
    if isinstance(mapping, Sequence) and mapping and isinstance(mapping[0], int):
        return int(mapping[0]) + 1
    for number, line in enumerate(lines, start=1):
        match = _DEFINITION.match(line)
        if match and match.group(1).strip().lower() == label.lower():
            return number
    return 1


def _footnotes(blocks: list[_Block], env: dict[str, object], state: _State) -> list[Reference]:
    """Footnote definitions as references, cited or not: the first web link inside is the
    reference's URL; its other links are hyperlinks."""
    by_label: dict[str, list[_Block]] = {}
    for block in blocks:
        if block.role is _Role.FOOTNOTE:
            by_label.setdefault(block.label, []).append(block)
    found: list[Reference] = []
    for label, parts in by_label.items():
        inlines = [_read_inline(b.token, state, entry=True) for b in parts
                   if b.token.type == "inline"]
        first = parts[0].token.map[0] if parts[0].token.map else 0
        number = _footnote_line(label, state.lines, first)
        reference = _note_reference(label, number, inlines, state)
        codes = [b.token.content for b in parts if b.token.type != "inline"]
        if codes and reference.url is None:
            reference = _code_note(reference, "\n".join(codes))
        found.append(reference)
    notes = env.get("footnotes")
    refs = notes.get("refs") if isinstance(notes, dict) else None
    for key, value in (refs.items() if isinstance(refs, dict) else ()):
        label = str(key)[1:]
        if label in by_label:
            continue
        # Defined but with no body the parser kept: never cited (the parser drops it), or a
        # body it did not see as one (`[^1]:` above a blank line and a code block indented
        # less than four spaces). A definition all the same: its marker does not dangle.
        note = _uncited_footnote(label, state)
        if note is not None and value != -1 and note.url is None:
            code = _code_after(note.line, state)
            note = _code_note(note, code) if code else note
        if note is not None:
            found.append(note)
    return found


def _code_after(number: int, state: _State) -> str | None:
    """The fenced code block that follows line `number` (1-based) after blank lines, if one
    does: the body of a footnote definition written above it."""
    at = number
    while at < len(state.lines) and not state.lines[at].strip():
        at += 1
    if at == number or at >= len(state.lines):
        return None
    fence = state.lines[at].strip()
    if not fence.startswith(("```", "~~~")):
        return None
    body: list[str] = []
    for line in state.lines[at + 1 :]:
        if line.strip().startswith(fence[:3]):
            return "\n".join(body)
        body.append(line)
    return None


def _note_reference(label: str, number: int, inlines: list[_Inline], state: _State) -> Reference:
    """A footnote's reference from the inline blocks of its body."""
    plain = " ".join(i.plain for i in inlines)
    links = [link for i in inlines for link in i.links]
    url, written, chosen, repaired = _entry_link(links, plain, state)
    _other_links(links, chosen, written, state)
    source_line = state.lines[number - 1] if 0 < number <= len(state.lines) else ""
    return Reference(
        id=label,
        url=url,
        url_as_written=written,
        line=number,
        column=(source_line.find("[^") + 1) or 1,
        text=" ".join(plain.split()),
        repaired=repaired,
        identifiers=identifiers_in(plain, (k.href for k in links)),
    )


def _code_note(reference: Reference, code: str) -> Reference:
    """A footnote whose body is a code block: a CSL-JSON item (`"URL"`, `"DOI"`, `"title"`,
    what EIPs require) gives the URL, title and identifiers; other code, its first URL."""
    url: str | None = None
    title = ""
    try:
        item = json.loads(code)
    except ValueError:
        item = None
    if isinstance(item, list) and item and isinstance(item[0], dict):
        item = item[0]
    if isinstance(item, dict):
        found = item.get("URL") or (f"https://doi.org/{item['DOI']}" if item.get("DOI") else None)
        url = found if isinstance(found, str) else None
        title = str(item.get("title") or "")
    if url is None:
        bare = entry_url(code)
        url = bare.joined if bare is not None else None
    if url is None:
        return replace(reference, text=reference.text or " ".join(title.split()))
    text = reference.text or " ".join(title.split()) or url
    return replace(reference, url=clean_url(url), url_as_written=url, text=text,
                   identifiers=identifiers_in(code, (url,)))


def _uncited_footnote(label: str, state: _State) -> Reference | None:
    """A footnote definition no marker cites, read from its source lines (the parser drops it)."""
    for number, line in enumerate(state.lines, start=1):
        match = _FOOTNOTE_DEFINITION.match(line)
        if match is None or match.group(1) != label:
            continue
        end = number
        while end < len(state.lines) and state.lines[end].startswith(("    ", "\t")):
            end += 1
        start = state.index.line_start(number) + match.end()
        stop = state.index.line_start(end) + len(state.lines[end - 1])
        tokens = _parser().parseInline(state.text[start:stop])
        token = tokens[0] if tokens else None
        if token is None:
            return None
        inline = _read_inline(token, state, entry=True, region=(start, stop))
        return _note_reference(label, number, [inline], state)
    return None


def _footnote_line(label: str, lines: list[str], near: int = 0) -> int:
    """The line of `[^label]:` at or before the 0-based line `near` (footnote maps may be off)."""
    needle = f"[^{label}]:"
    for number in range(min(near, len(lines) - 1), -1, -1):
        if needle in lines[number]:
            return number + 1
    for number, line in enumerate(lines, start=1):
        if needle in line:
            return number
    return near + 1


def _entry_link(
    links: list[_FoundLink], plain: str, state: _State
) -> tuple[str | None, str | None, _FoundLink | None, bool]:
    """An entry's URL: its first external web link (a wiki page's author, publisher and
    `Special:BookSources` links, and in-page backlinks, are not the source), else its first
    bare URL (joined across a stray space), else its first other link."""
    ranked: list[tuple[int, int, _FoundLink]] = []
    for position, link in enumerate(links):
        href = link.href.strip()
        if not href or href.startswith("#") or link.kind is LinkKind.IMAGE or link.bare:
            continue
        if _is_wiki_internal(href, state.base_url):
            continue  # a wiki's own page (an author, `Special:BookSources`): never the source
        if href.lower().startswith(("http://", "https://", "//")) or find_urls(href):
            ranked.append((0, position, link))
        elif state.base_url is not None and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", href):
            ranked.append((1, position, link))  # relative: a page of the same site
    ranked.sort(key=lambda r: (r[0], r[1]))
    if ranked and ranked[0][0] == 0:
        link = ranked[0][2]
        return _resolved(link.href, state), link.href, link, False
    bare = entry_url(plain)
    if bare is not None:
        return clean_url(bare.joined), bare.written, None, bare.repaired
    if ranked:
        link = ranked[0][2]
        return _resolved(link.href, state), link.href, link, False
    return None, None, None, False


def _is_wiki_internal(href: str, base_url: str | None) -> bool:
    """True for a wiki's own page: a relative `/wiki/...` or `index.php?title=` link, any
    `Special:` page, or a wiki page on the document's own host. A link to another wiki
    (Wikipedia from a chess wiki) is an external source."""
    if _WIKI_INTERNAL.search(href) is None:
        return False
    if "Special:" in href or not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:|//", href):
        return True
    return base_url is not None and same_site(href, base_url)


def _other_links(
    links: list[_FoundLink], chosen: _FoundLink | None, written: str | None, state: _State
) -> None:
    """An entry's links besides its URL are hyperlinks (an archive copy, a DOI, a second
    source); the bare URL the entry's URL was read from is not another one."""
    for link in links:
        if link is chosen or link.href.startswith("#"):
            continue
        if link.bare and written is not None and link.written in written:
            continue
        _add_link(link.href, link.text, link.offset, state, link.kind, link.written)


def _resolved(href: str, state: _State) -> str:
    """A link target as a normalised URL (relative ones against the page's URL, if known)."""
    href = href.strip()
    if href.startswith("//"):
        href = "https:" + href
    if state.base_url and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", href):
        href = urljoin(state.base_url, href)
    return clean_url(href)


def _reference_entry(block: _Block, state: _State) -> None:
    """An entry block: an ordered-list item, a note item, or `[N] URL` lines (as plain text)."""
    token, item = block.token, block.item
    if token.map is None:
        return
    first, last = token.map
    first += 1 if block.skip_first else 0
    if block.fragment is not None and not block.lines_only:
        _html_entry(block, block.fragment, first, last, state)
        return
    inline = _read_inline(token, state, entry=True)
    state.anchors.update(inline.ids_in_html)
    numbered = item is not None and block.number is not None and item.markup in (".", ")")
    if numbered and block.number is not None and not block.skip_first:
        ref_id = str(block.number)
        url, written, chosen, repaired = _entry_link(inline.links, inline.plain, state)
        if repaired:
            _repaired(ref_id, first + 1, url, state)
        _other_links(inline.links, chosen, written, state)
        line = state.lines[first] if first < len(state.lines) else ""
        text = _entry_text(inline.plain)
        state.references.append(
            Reference(
                id=ref_id,
                url=url,
                url_as_written=written,
                line=first + 1,
                column=len(line) - len(line.lstrip()) + 1,
                text=text,
                repaired=repaired,
                identifiers=identifiers_in(text, (k.href for k in inline.links)),
            )
        )
        return
    entries = _line_entries(first, last, state)
    hrefs = [k for k in inline.links if not k.href.startswith("#")]
    for entry in entries:
        reference = _to_reference(entry)
        if reference.url is None:
            # `[N] Title <a href=...>` or `[N] [Title](url)`: the link on the entry's lines.
            on_line = [k for k in hrefs if state.index.position(k.offset)[0] == entry.line]
            url, written, _chosen, _repaired_ = _entry_link(on_line, "", state)
            if url is not None:
                reference = replace(reference, url=url, url_as_written=written)
        state.references.append(reference)
        if entry.repaired:
            _repaired(entry.ref_id, entry.line, entry.url, state)
    if not entries and not numbered and block.fallback is not None and item is not None:
        # a bulleted reference list: the items are numbered by their place in the section
        url, written, chosen, repaired = _entry_link(inline.links, inline.plain, state)
        _other_links(inline.links, chosen, written, state)
        line = state.lines[first] if first < len(state.lines) else ""
        text = _entry_text(inline.plain)
        state.references.append(
            Reference(
                id=str(block.fallback),
                url=url,
                url_as_written=written,
                line=first + 1,
                column=len(line) - len(line.lstrip()) + 1,
                text=text,
                repaired=repaired,
                identifiers=identifiers_in(text, (k.href for k in inline.links)),
            )
        )
        return
    if not entries and not numbered and block.lazy and _finish_entry(inline, state):
        return
    if not entries and not numbered:
        block.role = _Role.BODY  # prose in a references section: read in pass two


def _line_entries(first: int, last: int, state: _State) -> list[_Entry]:
    """The `[N] ...` (`N. ...`, `N ...` in a run) entries of source lines `first` to `last`, their
    inline tags removed; entries may follow a line of prose."""
    lines = state.lines[first:last]
    starts = [state.index.line_start(first + n + 1) for n in range(len(lines))]
    unwrapped = [_unwrap_html_line(x) for x in lines]
    entries: list[_Entry] = []
    number = 0
    while number < len(unwrapped):
        found, end = _read_entries(unwrapped, starts, number)
        entries.extend(found)
        number = max(end, number + 1)
    for entry in entries:
        entry.line += first
    return entries


def _finish_entry(inline: _Inline, state: _State) -> bool:
    """Give the entry before a lazy paragraph (`_Block.lazy`) the URL and words it carries,
    when that entry has no URL of its own; True when it did."""
    if not state.references or state.references[-1].url is not None:
        return False
    url, written, chosen, repaired = _entry_link(inline.links, inline.plain, state)
    if url is None:
        return False
    _other_links(inline.links, chosen, written, state)
    last = state.references[-1]
    text = " ".join(f"{last.text} {_entry_text(inline.plain)}".split())
    state.references[-1] = replace(
        last, url=url, url_as_written=written, text=text, repaired=last.repaired or repaired,
        identifiers=identifiers_in(text, (k.href for k in inline.links)),
    )
    return True


def _html_entry(
    block: _Block, fragment: HtmlFragment, first: int, last: int, state: _State
) -> None:
    """A list item in a references section whose text opens with HTML (`1. <div id="rw">
    </div>Nick Rozanski ...`): read by the HTML extractor, numbered as the list numbers it.

    An HTML block runs to the next blank line, so the items written after it without one are
    inside it (`1. <div id=...>` lines): they are entries too, numbered on from this one when
    every item is written `1.`."""
    label, url, written, identifiers, ids = fragment.as_entry()
    state.anchors.update(ids)
    lines = [_unwrap_html_line(x) for x in state.lines[first:last]]
    if block.number is not None and sum(1 for x in lines if _ENTRY.match(x)) > 1:
        starts = [state.index.line_start(first + n + 1) for n in range(len(lines))]
        entries, _end = _read_entries(lines, starts, 0)
        written_first = entries[0].ref_id if entries else ""
        for position, entry in enumerate(entries):
            entry.line += first
            if entry.ref_id == written_first:
                entry.ref_id = str(block.number + position)
            state.references.append(_to_reference(entry))
        return
    ref_id = str(block.number) if block.number is not None else None
    match = re.match(r"\s*\[(\d{1,4})\]", label)
    if ref_id is None and match is not None:
        ref_id = match.group(1)
    if ref_id is None and block.fallback is not None:
        ref_id = str(block.fallback)
    if ref_id is None:
        return
    line = state.lines[first] if first < len(state.lines) else ""
    state.references.append(
        Reference(
            id=ref_id,
            url=url,
            url_as_written=written,
            line=first + 1,
            column=len(line) - len(line.lstrip()) + 1,
            text=_entry_text(label),
            identifiers=identifiers,
        )
    )


def _repaired(ref_id: str, line: int, url: str | None, state: _State) -> None:
    state.problems.append(
        Problem(
            ProblemKind.REPAIRED_URL,
            f"reference [{ref_id}] on line {line}: the URL was broken across a line or a space "
            f"and was joined to {url}",
            line=line,
        )
    )
