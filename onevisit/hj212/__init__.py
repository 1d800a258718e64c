"""HJ 212 (2017 and 2025) codec for online-monitoring packets. Pure Python: no Django import."""

from onevisit.hj212.codec import (
    FrameBuffer,
    FrameError,
    Packet,
    ParseError,
    Reassembler,
    Violation,
    answer_data,
    answer_notice,
    answer_request,
    answer_result,
    crc16,
    crc16_bitwise,
    decode_frame,
    encode_frame,
    parse,
    parse_segment,
)

__all__ = [
    "FrameBuffer",
    "FrameError",
    "Packet",
    "ParseError",
    "Reassembler",
    "Violation",
    "answer_data",
    "answer_notice",
    "answer_request",
    "answer_result",
    "crc16",
    "crc16_bitwise",
    "decode_frame",
    "encode_frame",
    "parse",
    "parse_segment",
]
