"""HJ 212-2017 appendix C, every table: each example segment encodes, decodes and parses
strictly as printed, apart from the printed typos (listed with reasons in appendix_c.py), and
each answer the host gives is the one the table prints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest

from onevisit.hj212 import (
    ParseError,
    answer_data,
    answer_notice,
    answer_request,
    answer_result,
    decode_frame,
    encode_frame,
    parse,
)
from onevisit.hj212.codec import VERSION_2017, Packet
from onevisit.hj212.tests.appendix_c import EXAMPLES, TYPOS, Typo, as_meant

ANSWERS: dict[str, Callable[[Packet], bytes]] = {
    "9011": answer_request,
    "9012": answer_result,
    "9013": answer_notice,
    "9014": answer_data,
}


def test_it_holds_every_table_of_appendix_c() -> None:
    tables = Counter(table for table, _ in EXAMPLES)
    assert sorted(tables, key=lambda t: int(t[2:])) == [f"C.{n}" for n in range(1, 51)]
    assert len(EXAMPLES) == 155
    for typo in TYPOS:  # each typo is really printed where it is said to be
        assert any(t == typo.table and typo.printed in s for t, s in EXAMPLES), typo


@pytest.mark.parametrize(("table", "printed"), EXAMPLES, ids=[t for t, _ in EXAMPLES])
def test_it_reads_each_example_strictly(table: str, printed: str) -> None:
    segment = as_meant(table, printed)
    frame = encode_frame(segment)
    assert decode_frame(frame, strict=True) == segment
    packet = parse(frame, strict=True)
    assert packet.version == VERSION_2017 and packet.mn == "010000A8900016F000169DC0"


@pytest.mark.parametrize("typo", [t for t in TYPOS if t.violation], ids=lambda t: t.table)
def test_it_names_what_each_printed_typo_breaks(typo: Typo) -> None:
    table, printed, violation = typo.table, typo.printed, typo.violation
    segment = next(s for t, s in EXAMPLES if t == table and printed in s)
    alone = segment.replace("…", "")
    for other in TYPOS:  # only this typo left in the segment
        if other.table == table and other.printed != printed:
            alone = alone.replace(other.printed, other.corrected)
    with pytest.raises(ParseError):
        parse(encode_frame(alone), strict=True)
    assert violation in parse(encode_frame(alone)).violation_counts()  # lenient: read, counted


def test_it_answers_as_every_table_prints_the_answers() -> None:
    checked = Counter[str]()
    for table in dict.fromkeys(t for t, _ in EXAMPLES):
        asked: dict[str, Packet] = {}
        for segment in (as_meant(t, s) for t, s in EXAMPLES if t == table):
            packet = parse(encode_frame(segment), strict=True)
            if packet.st != "91":
                asked[packet.qn] = packet
                continue
            answer = ANSWERS[packet.cn](asked[packet.qn])
            assert decode_frame(answer) == segment, table
            checked[packet.cn] += 1
    assert checked == {"9011": 31, "9012": 31, "9013": 3, "9014": 19}  # every answer printed
