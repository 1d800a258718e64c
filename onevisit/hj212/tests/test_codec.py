"""The HJ 212 codec, specified on constructed packets."""

from __future__ import annotations

import random

import pytest

from onevisit.hj212 import (
    FrameBuffer,
    FrameError,
    ParseError,
    Reassembler,
    answer_data,
    answer_request,
    answer_result,
    crc16,
    crc16_bitwise,
    decode_frame,
    encode_frame,
    parse,
    parse_segment,
)

REAL = (
    b"##0139ST=32;CN=2011;PW=123456;MN=LD130133000015;CP=&&DataTime=20160824003817000;"
    b"B01-Rtd=36.91;011-Rtd=231.0,011-Flag=N;060-Rtd=1.803,060-Flag=N&&4980\r\n"
)
MODERN = (
    "QN=20261127103000123;ST=32;CN=2011;PW=123456;MN=010000A8900016F000169DC0;Flag=5;"
    "CP=&&DataTime=20261127103000;w01018-Rtd=45.2,w01018-Flag=N;w21003-Rtd=1.23,"
    "w21003-Flag=N;SB1-RS=1&&"
)


def test_it_computes_the_appendix_crc_with_a_lookup_table() -> None:
    rng = random.Random(212)
    for size in (0, 1, 2, 7, 100, 1000):
        data = bytes(rng.randrange(256) for _ in range(size))
        assert crc16(data) == crc16_bitwise(data)
    assert crc16(REAL[6:-6]) == 0x4980


def test_it_is_not_crc16_modbus() -> None:
    data = b"123456789"
    assert crc16(data) != 0x4B37  # CRC-16/MODBUS check value
    assert crc16(data) == crc16_bitwise(data)


def test_it_decodes_a_real_frame_and_compares_the_crc_in_any_case() -> None:
    assert decode_frame(REAL).startswith("ST=32;CN=2011")
    assert decode_frame(REAL.replace(b"4980", b"4980".lower()))


def test_it_round_trips_chinese_text_counting_bytes() -> None:
    frame = encode_frame("ST=91;CN=9014;PW=1;MN=聊城01;Flag=4;CP=&&&&")
    assert frame[2:6] == b"%04d" % len("ST=91;CN=9014;PW=1;MN=聊城01;Flag=4;CP=&&&&".encode())
    assert decode_frame(frame).endswith("CP=&&&&")


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (REAL[:80], "length"),
        (REAL.replace(b"4980", b"4981"), "crc"),
        (REAL.replace(b"4980", b"49G0"), "crc"),
        (b"#!" + REAL[2:], "header"),
        (b"##01x9" + REAL[6:], "length"),
        (b"", "header"),
    ],
)
def test_it_names_what_is_wrong_with_a_frame(frame: bytes, reason: str) -> None:
    with pytest.raises(FrameError) as caught:
        decode_frame(frame)
    assert caught.value.reason == reason


def test_it_parses_a_2017_packet_strictly() -> None:
    packet = parse(encode_frame(MODERN), strict=True)
    assert packet.qn == "20261127103000123" and packet.mn == "010000A8900016F000169DC0"
    assert packet.factors["w01018"] == {"Rtd": "45.2", "Flag": "N"}
    assert packet.equipment == {"SB1": {"RS": "1"}}
    assert packet.data_time == "20261127103000"
    assert packet.wants_answer and packet.version == 1 and packet.violations == []


def test_it_lists_what_a_real_device_broke_in_lenient_mode() -> None:
    packet = parse(REAL)
    assert packet.factors["011"] == {"Rtd": "231.0", "Flag": "N"}
    assert packet.violation_counts() == {
        "missing_qn": 1,
        "missing_flag": 1,
        "datatime_format": 1,
        "factor_code_2005": 3,
        "mn_format": 1,
    }
    assert "DataTime has 17 digits (expected 14, YYYYMMDDhhmmss)" in map(str, packet.violations)
    assert "2005-style factor code B01" in map(str, packet.violations)
    with pytest.raises(ParseError, match="2005-style factor code B01"):
        parse(REAL, strict=True)


def test_it_refuses_a_segment_without_command_parameters() -> None:
    with pytest.raises(ParseError):
        parse_segment("ST=32;CN=2011;PW=1;MN=X")


def test_it_builds_the_answers() -> None:
    request = parse_segment(MODERN)
    data = parse_segment(decode_frame(answer_data(request)))
    assert (data.cn, data.st, data.qn, data.mn, data.flag) == (
        "9014",
        "91",
        request.qn,
        request.mn,
        4,
    )
    assert parse_segment(decode_frame(answer_request(request))).cp == {"QnRtn": "1"}
    assert parse_segment(decode_frame(answer_result(request, False))).cp == {"ExeRtn": "2"}


def test_it_cuts_frames_from_any_segmentation_and_skips_garbage() -> None:
    second = encode_frame(MODERN)
    stream = b"\x00\xffnoise" + REAL + b"junk##9" + second + REAL.replace(b"4980", b"0000")
    for step in (1, 3, 64, len(stream)):
        buffer = FrameBuffer()
        segments = [
            s for i in range(0, len(stream), step) for s in buffer.feed(stream[i : i + step])
        ]
        assert segments == [decode_frame(REAL), MODERN]
        assert buffer.rejects.get("crc") == 1 and buffer.rejects.get("garbage", 0) >= 1


def test_it_refuses_a_declared_length_over_the_maximum() -> None:
    buffer = FrameBuffer(max_length=100)
    assert list(buffer.feed(REAL)) == []
    assert buffer.rejects["length"] == 1


def test_it_survives_random_bytes() -> None:
    rng = random.Random(7)
    buffer = FrameBuffer()
    for _ in range(2000):
        chunk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
        if rng.random() < 0.05:
            chunk += b"##" + bytes(str(rng.randrange(10000)).zfill(4), "ascii")
        list(buffer.feed(chunk))
    assert list(buffer.feed(REAL)) == [decode_frame(REAL)]


def test_it_reassembles_split_packets_in_any_order() -> None:
    base = "QN=20261127103000123;ST=32;CN=2011;PW=1;MN=M1;Flag=7;PNUM=2;PNO={n};CP=&&{cp}&&"
    first = parse_segment(base.format(n=1, cp="DataTime=20261127103000;w01018-Rtd=1"))
    second = parse_segment(base.format(n=2, cp="w21003-Rtd=2"))
    assembler = Reassembler()
    assert assembler.add(second) is None
    whole = assembler.add(first)
    assert whole is not None and set(whole.factors) == {"w01018", "w21003"}
    assert whole.data_time == "20261127103000" and assembler.pending == {}


@pytest.mark.parametrize(
    ("segment", "name"),
    [
        (MODERN.replace("SB1-RS=1", "SB1-RS=1;" + "w01001-Rtd=7.1;" * 70), "segment_too_long"),
        (MODERN.replace("Flag=5", "Flag=261"), "flag_range"),
        (MODERN.replace("QN=20261127103000123", "QN=20261127253000123"), "qn_not_a_time"),
        (MODERN.replace("ST=32;", "ST=32;ST=21;"), "duplicate_field"),
        (MODERN.replace("SB1-RS=1", "SB1-RS=1;w01018-Rtd=46"), "duplicate_field"),
        (MODERN.replace("MN=010000A8900016F000169DC0", "MN=LD130133000015"), "mn_format"),
        (MODERN.replace("MN=010000A8900016F000169DC0", "MN=010000a8900016f000169dc0"), "mn_format"),
        (MODERN.replace("SB1-RS=1", "SB1-RS=1;" + "w01001-Rtd=7;" * 70), "cp_too_long"),
        (MODERN + "ignored", "text_after_cp"),
        (MODERN.replace("ST=32", "ST=3"), "st_format"),
        (MODERN.replace("ST=32", "ST=321"), "st_format"),
        (MODERN.replace("CN=2011", "CN=10620"), "cn_format"),
        (MODERN.replace("CN=2011", "CN=5011"), "cn_format"),
        (MODERN.replace("Flag=5", "Flag=7;PNUM=00002;PNO=1"), "pnum_too_long"),
        (MODERN.replace("Flag=5", "Flag=7;PNUM=2;PNO=00001"), "pno_too_long"),
        (MODERN.replace("Flag=5", "Flag=7;PNUM=2;PNO=0"), "pno_range"),
        (MODERN.replace("Flag=5", "Flag=7;PNUM=2;PNO=3"), "pno_range"),
        (MODERN.replace("Flag=5", "Flag=7;PNUM=0;PNO=1"), "pnum_range"),
        (MODERN.replace("=20261127103000;", "=20161301000000;"), "datatime_not_a_time"),
        (MODERN.replace("w01018-Flag=N", "w01018-Flag=NN"), "data_flag_format"),
        (MODERN.replace("w01018-Flag=N", "w01018-Flag=N,w01018-EFlag=ABCDE"), "eflag_format"),
        (MODERN.replace("w01018-Flag=N", "w01018-Flag=N,w01018-Foo=1"), "unknown_kind"),
        (MODERN.replace("SB1-RS=1", "SB1-RS=1;BeginTime=20261127"), "time_format"),
        (MODERN.replace("SB1-RS=1", "SB1-RS=1;VaseNo=100"), "field_format"),
        (MODERN.replace("Flag=5", "Flag=5;RF=1"), "rf_field"),  # RF is a 2025 field
    ],
)
def test_it_refuses_in_strict_mode_what_section_6_forbids(segment: str, name: str) -> None:
    lenient = parse_segment(segment)
    assert name in lenient.violation_counts()  # counted by name, and the data still read
    assert lenient.factors["w21003"]["Rtd"] == "1.23"
    with pytest.raises(ParseError):
        parse_segment(segment, strict=True)


def test_it_holds_a_split_set_complete_only_with_each_part_from_1_to_pnum() -> None:
    base = "QN=20261127103000123;ST=32;CN=2011;PW=1;MN=M1;Flag=7;PNUM=2;PNO={n};CP=&&{cp}&&"
    first = parse_segment(base.format(n=1, cp="DataTime=20261127103000;w01018-Rtd=1"))
    third = parse_segment(base.format(n=3, cp="w21003-Rtd=2"))
    assembler = Reassembler()
    assert assembler.add(first) is None
    assert assembler.add(third) is None  # parts 1 and 3 of two: not a whole set
    second = parse_segment(base.format(n=2, cp="w21003-Rtd=2"))
    whole = assembler.add(second)
    assert whole is not None and set(whole.factors) == {"w01018", "w21003"}


def test_it_refuses_to_encode_a_segment_over_1024_bytes_when_strict() -> None:
    def padded(size: int) -> str:
        return MODERN.replace("SB1-RS=1", "SB1-RS=1;Pad=" + "x" * (size - len(MODERN) - 5))

    assert len(padded(1025).encode()) == 1025
    assert len(encode_frame(padded(1025))) == 1025 + 12  # lenient: what four digits can say
    with pytest.raises(FrameError, match="1,024"):
        encode_frame(padded(1025), strict=True)
    assert len(encode_frame(padded(1024), strict=True)) == 1024 + 12


def test_it_refuses_a_frame_without_its_cr_lf_in_strict_mode() -> None:
    frame = encode_frame(MODERN)
    assert parse(frame, strict=True).violations == []
    with pytest.raises(FrameError) as caught:
        parse(frame[:-2], strict=True)
    assert caught.value.reason == "crlf"
    assert parse(frame[:-2]).violation_counts() == {"no_crlf": 1}


def test_it_accepts_the_noise_codes_of_table_b3_and_lettered_system_codes() -> None:
    noise = (
        "QN=20261127103000123;ST=23;CN=2011;PW=123456;MN=010000A8900016F000169DC0;Flag=5;"
        "CP=&&DataTime=20261127103000;LA-Rtd=52.1;L5-Rtd=60.3;L10-Rtd=58.2;L50-Rtd=50.9;"
        "L90-Rtd=45.0;L95-Rtd=44.1;Leq-Rtd=53.4;Ldn-Rtd=55.0;Ld-Rtd=54.2;Ln-Rtd=47.7;"
        "LMx-Rtd=71.3;LMn-Rtd=40.2&&"
    )
    packet = parse_segment(noise, strict=True)
    assert set(packet.factors) == {
        "LA", "L5", "L10", "L50", "L90", "L95", "Leq", "Ldn", "Ld", "Ln", "LMx", "LMn"
    }  # fmt: skip
    assert parse_segment(MODERN.replace("ST=32", "ST=A7"), strict=True).st == "A7"
    with pytest.raises(ParseError):
        parse_segment(MODERN.replace("ST=32", "ST=a7"), strict=True)


# Appendix C, tables C.49 and C.50 (HJ 212-2017, p. 58-60): one hour of data sent in two parts,
# each under its own QN. The printed parts end in "…" (the rest of the factors, elided in print):
# left out here.
C50_PARTS = [
    "QN=20160801085857534;ST=32;CN=2061;PW=123456;MN=010000A8900016F000169DC0;Flag=7;PNUM=2;"
    "PNO=1;CP=&&DataTime=20160801080000;w00000-Cou=63.0,w00000-Min=16.4,w00000-Avg=17.5,"
    "w00000-Max=20.1,w00000-Flag=N;w01001-Min=7.1,w01001-Avg=7.5,w01001-Max=7.8,"
    "w01001-Flag=N&&",
    "QN=20160801085857535;ST=32;CN=2061;PW=123456;MN=010000A8900016F000169DC0;Flag=7;PNUM=2;"
    "PNO=2;CP=&&DataTime=20160801080000;w01018-Cou=63.0,w01018-Min=40.1,w01018-Avg=40.1,"
    "w01018-Max=40.1,w01018-Flag=N&&",
]
C50_ANSWERS = [
    "QN=20160801085857534;ST=91;CN=9014;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&&&",
    "QN=20160801085857535;ST=91;CN=9014;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&&&",
]


def test_it_joins_the_split_parts_of_table_c50_though_each_has_its_own_qn() -> None:
    parts = [parse_segment(p, strict=True) for p in C50_PARTS]
    assert [p.is_split and p.wants_answer for p in parts] == [True, True]
    assert [decode_frame(answer_data(p)) for p in parts] == C50_ANSWERS
    assembler = Reassembler()
    assert assembler.add(parts[0]) is None
    whole = assembler.add(parts[1])
    assert whole is not None and set(whole.factors) == {"w00000", "w01001", "w01018"}
    assert whole.qn == "20160801085857534" and whole.data_time == "20160801080000"
    # C.49: the same parts with Flag=6 ask for no answer
    quiet = [parse_segment(p.replace("Flag=7", "Flag=6"), strict=True) for p in C50_PARTS]
    assert [p.is_split and not p.wants_answer for p in quiet] == [True, True]


def test_it_drops_a_set_whose_parts_stop_coming_or_start_again() -> None:
    first = parse_segment(C50_PARTS[0])
    assembler = Reassembler(expire_after=60)
    assert assembler.add(first, now=0) is None
    assert assembler.add(parse_segment(C50_PARTS[0]), now=1) is None  # part 1 again: a new set
    assert assembler.expire(now=30) == 1 and len(assembler.pending) == 1
    assert assembler.expire(now=100) == 1 and assembler.pending == {}


# The packets of xiaoyao9184/hj-t212-parser's T212ParserTest: a 2005-era device's upload. The
# peer reads both because its CRC check (VerifyFeature.DATA_CRC) is off by default; the first
# carries the CRC of the second and is refused here.
PEER_2005_UPLOAD = (
    "ST=32;CN=2011;PW=123456;MN=LD130133000015;CP=&&DataTime=20160824003817000;"
    "B01-Rtd=36.91;011-Rtd=231.0,011-Flag=N;060-Rtd=1.803,060-Flag=N&&"
)


def test_it_reads_the_peer_parsers_2005_packet_leniently_and_names_each_departure() -> None:
    frame = f"##0139{PEER_2005_UPLOAD}4980\r\n".encode()
    assert sorted(parse(frame).violation_counts()) == [
        "datatime_format",
        "factor_code_2005",
        "missing_flag",
        "missing_qn",
        "mn_format",
    ]
    shorter = PEER_2005_UPLOAD.replace("003817000", "003817")
    with pytest.raises(FrameError, match="crc"):
        parse(f"##0136{shorter}4980\r\n".encode())
