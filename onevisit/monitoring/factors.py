"""What the factor codes of monitoring data mean, as the people who read them say it.

HJ 212-2017 codes (table B.1/B.2 of the standard) for the factors the city's stations send,
the 2005-era codes real devices still use, and the electricity monitors' own fields. A code not
listed is shown as it is.
"""

from __future__ import annotations

# code -> (name, unit)
FACTORS: dict[str, tuple[str, str]] = {
    "w00000": ("污水流量", "L/s"),
    "w01001": ("pH 值", ""),
    "w01018": ("化学需氧量", "mg/L"),
    "w01019": ("高锰酸盐指数", "mg/L"),
    "w21003": ("氨氮", "mg/L"),
    "w21011": ("总磷", "mg/L"),
    "w21001": ("总氮", "mg/L"),
    "a00000": ("废气流量", "m³/s"),
    "a01011": ("烟气流速", "m/s"),
    "a01012": ("烟气温度", "℃"),
    "a01014": ("烟气湿度", "%"),
    "a19001": ("氧含量", "%"),
    "a21002": ("氮氧化物", "mg/m³"),
    "a21026": ("二氧化硫", "mg/m³"),
    "a34013": ("颗粒物", "mg/m³"),
    "011": ("化学需氧量", "mg/L"),
    "060": ("氨氮", "mg/L"),
    "001": ("pH 值", ""),
    "B01": ("污水流量", "L/s"),
    "02": ("二氧化硫", "mg/m³"),
    "03": ("氮氧化物", "mg/m³"),
    "01": ("烟尘", "mg/m³"),
    "P": ("有功功率", "kW"),
    "E": ("用电量", "kWh"),
    "I": ("电流", "A"),
    "U": ("电压", "V"),
    "RS": ("运行状态", ""),
}
KINDS = {"Rtd": "实时值", "Avg": "均值", "Min": "最小值", "Max": "最大值", "Cou": "累计量"}


def factor_label(factor: str, kind: str = "") -> str:
    """化学需氧量 实时值 (mg/L) for w01018-Rtd; the code itself when it is not known."""
    name, unit = FACTORS.get(factor, (factor, ""))
    text = f"{name} {KINDS.get(kind, kind)}".strip()
    return f"{text}（{unit}）" if unit else text


def unit_of(factor: str) -> str:
    return FACTORS.get(factor, ("", ""))[1]
