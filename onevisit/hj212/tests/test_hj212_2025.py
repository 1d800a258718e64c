"""HJ 212-2025 beside 2017: the version in Flag, the answers in the asker's version, the 2025
commands. The examples are the requests and answers of the peer implementation caoyiliang/HJ212
(Test/Program.cs, HJ212/Request/*.cs); the 2025 text itself was not available to us."""

from __future__ import annotations

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
from onevisit.hj212.codec import STANDARDS, VERSION_2017, VERSION_2025

MN = "010000A8900016F000169DC0"
HEAD = f"QN=20240601085857223;ST=32;PW=123456;MN={MN}"

# Host → device commands of Test/Program.cs (Flag=9: version 2025, answer wanted).
HOST_COMMANDS_2025 = [
    f"{HEAD};CN=3022;Flag=9;CP=&&PolId=w01018&&",
    f"{HEAD};CN=3024;Flag=9;CP=&&PolId=w01018&&",
    f"{HEAD};CN=2062;Flag=9;CP=&&BeginTime=20240601080000;EndTime=20240601080000&&",
    f"{HEAD};CN=3021;Flag=9;CP=&&PolId=w01018;InfoId=i13004;i13004-Info=168.0&&",
    f"{HEAD};CN=3020;Flag=9;CP=&&PolId=w01018;InfoId=i12001&&",
    f"{HEAD};CN=3019;Flag=9;CP=&&PolId=w01018&&",
    f"{HEAD};CN=3011;Flag=9;CP=&&PolId=w01018,CalibrationType=0&&",
    f"{HEAD};CN=2061;Flag=9;CP=&&BeginTime=20240601080000;EndTime=20240601080000&&",
    f"{HEAD};CN=2011;Flag=9;CP=&&&&",
    f"{HEAD};CN=1072;Flag=9;CP=&&NewPW=654321&&",
    f"{HEAD};CN=1064;Flag=9;CP=&&MinInterval=10&&",
    f"{HEAD};CN=1014;Flag=9;CP=&&SKCreateTime=20240601085857223,NewSK=0000000000000000&&",
    f"{HEAD};CN=1012;Flag=9;CP=&&PolId=w01018;SystemTime=20240601085857&&",
    f"{HEAD};CN=1002;Flag=9;CP=&&i23005-Info=6970000000001ABCDEFG1234&&",
    f"{HEAD};CN=1000;Flag=9;CP=&&OverTime=5;ReCount=3&&",
]
# Device → host uploads as HJ212/Request/*.cs builds them for version 2025 (Flag = A | 8).
DEVICE_UPLOADS_2025 = [
    f"{HEAD};CN=9015;Flag=9;CP=&&&&",  # HeartbeatReq
    f"{HEAD};CN=1001;Flag=9;CP=&&i23005-Info=6970000000001ABCDEFG1234;i23006-Info=A800200A8C6D;"
    "i23007-Info=E86A643C7BBC;i23008-Info=A763742C1AE1&&",  # UploadHardwareSNReq
    f"{HEAD};CN=1014;Flag=9;CP=&&SKCreateTime=20240601085857223&&",  # AskNewSKReq
    f"{HEAD};CN=2111;Flag=9;CP=&&DataTime=20240601085500;a01901-Avg=868&&",  # furnace, 5 min
    f"{HEAD};CN=2081;Flag=9;CP=&&DataTime=20240601085857;RestartTime=20240601080000&&",
    f"{HEAD};CN=2011;Flag=9;CP=&&DataTime=20240601085800;a01001-Rtd=50.4,a01001-Flag=N;"
    "a01002-Rtd=35.2,a01002-Flag=D&&",  # UploadRealTimeDataReq
]


@pytest.mark.parametrize("segment", HOST_COMMANDS_2025 + DEVICE_UPLOADS_2025)
def test_it_reads_2025_packets_strictly_as_version_2025(segment: str) -> None:
    frame = encode_frame(segment)
    assert decode_frame(frame, strict=True) == segment
    packet = parse(frame, strict=True)
    assert (packet.version, packet.wants_answer, packet.mn) == (VERSION_2025, True, MN)
    assert STANDARDS[VERSION_2025] == "HJ 212-2025"


def test_it_answers_each_version_in_its_own_version() -> None:
    asked_2025 = parse(encode_frame(DEVICE_UPLOADS_2025[0]))
    asked_2017 = parse(encode_frame(DEVICE_UPLOADS_2025[0].replace("Flag=9", "Flag=5")))
    assert asked_2017.version == VERSION_2017
    for answer in (answer_request, answer_result, answer_data, answer_notice):
        assert b";Flag=8;" in answer(asked_2025)  # as the peer's ResponseReq: Flag = 0 | 8
        assert b";Flag=4;" in answer(asked_2017)
    # The peer's expected notification answer (Test/Program.cs): ST=91, CN=9013, Flag=8.
    expected = f"QN=20240601085857223;ST=91;CN=9013;PW=123456;MN={MN};Flag=8;CP=&&&&"
    assert decode_frame(answer_notice(asked_2025)) == expected


def test_it_reads_the_2025_hardware_serials_as_information_not_factors() -> None:
    packet = parse(encode_frame(DEVICE_UPLOADS_2025[1]), strict=True)
    assert packet.factors["i23006"] == {"Info": "A800200A8C6D"}


@pytest.mark.parametrize("flag", [0, 1, 12, 13])
def test_it_refuses_versions_it_does_not_know_in_strict_mode(flag: int) -> None:
    frame = encode_frame(DEVICE_UPLOADS_2025[0].replace("Flag=9", f"Flag={flag}"))
    with pytest.raises(ParseError, match="version"):
        parse(frame, strict=True)
    assert parse(frame).violation_counts()["flag_version"] == 1  # lenient: counted


def test_it_reads_rf_as_a_2025_field_that_marks_a_packet_sent_again() -> None:
    resent = DEVICE_UPLOADS_2025[-1].replace("Flag=9;", "Flag=9;RF=1;")
    packet = parse(encode_frame(resent), strict=True)
    assert packet.resent and packet.factors["a01001"]["Rtd"] == "50.4"
    assert not parse(encode_frame(DEVICE_UPLOADS_2025[-1]), strict=True).resent
    with pytest.raises(ParseError, match="RF"):
        parse(encode_frame(resent.replace("RF=1", "RF=2")), strict=True)
