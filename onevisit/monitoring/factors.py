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
    # table B.3: noise, in dB(A)
    "LA": ("A 声级", "dB(A)"),
    "L5": ("L5 累积百分声级", "dB(A)"),
    "L10": ("L10 累积百分声级", "dB(A)"),
    "L50": ("L50 累积百分声级", "dB(A)"),
    "L90": ("L90 累积百分声级", "dB(A)"),
    "L95": ("L95 累积百分声级", "dB(A)"),
    "Leq": ("等效声级", "dB(A)"),
    "Ldn": ("昼夜等效声级", "dB(A)"),
    "Ld": ("昼间等效声级", "dB(A)"),
    "Ln": ("夜间等效声级", "dB(A)"),
    "LMx": ("最大声级", "dB(A)"),
    "LMn": ("最小声级", "dB(A)"),
}
KINDS = {
    "Rtd": "实时值",
    "Avg": "均值",
    "Min": "最小值",
    "Max": "最大值",
    "Cou": "累计量",
    "ZsRtd": "折算实时值",
    "ZsAvg": "折算均值",
    "ZsMin": "折算最小值",
    "ZsMax": "折算最大值",
    "Data": "测量值",
    "DayData": "昼间值",
    "NightData": "夜间值",
    "SampleRd": "标样核查测量值",
    "StandardValue": "标样标准值",
    "Ala": "报警值",
    "RT": "运行时间",
}
# What a device reports about itself (table 4 fields and table B.10 information codes)
REPORTS = {
    "SN": "仪器编码（SN）",
    "SystemTime": "现场机时间",
    "RestartTime": "数采仪开机时间",
    "RtdInterval": "实时数据间隔（秒）",
    "MinInterval": "分钟数据间隔（分钟）",
    "CstartTime": "采样起始时间",
    "CTime": "采样周期（小时）",
    "Ctime": "采样周期（小时）",
    "Stime": "出样时间（分钟）",
    "VaseNo": "超标留样瓶号",
    "AlarmType": "报警类型",
    "i11001": "运行日志",
    "i12001": "工作状态",
    "i12002": "分析仪与数采仪通讯状态",
    "i12003": "分析仪报警状态",
    "i13001": "测量量程",
    "i13002": "测量精度",
    "i13003": "测量间隔（分钟）",
    "i13004": "消解温度（℃）",
    "i13005": "消解时长（分钟）",
    "i13006": "校准时间",
    "i13007": "截距",
    "i13008": "斜率",
    "i13009": "测量检出限",
    "i21001": "数采仪运行日志",
    "i22001": "数采仪工作状态",
    "i22003": "数采仪与上位机通讯状态",
    "i23001": "本地大气压力（千帕）",
    "i23005": "数采仪编号",  # 2025's 1001, as caoyiliang/HJ212 UploadHardwareSN orders them
    "i23006": "数采仪 CPU 序号",
    "i23007": "数采仪网卡地址 1",
    "i23008": "数采仪网卡地址 2",
    "i31001": "门禁日志",
    "i32001": "门禁状态",
}


def report_label(name: str) -> str:
    """运行日志 for i11001; the name itself when it is not known."""
    return REPORTS.get(name, name)


def factor_label(factor: str, kind: str = "") -> str:
    """化学需氧量 实时值 (mg/L) for w01018-Rtd; the code itself when it is not known."""
    name, unit = FACTORS.get(factor, (factor, ""))
    text = f"{name} {KINDS.get(kind, kind)}".strip()
    return f"{text}（{unit}）" if unit else text


def factor_name(factor: str) -> str:
    """化学需氧量 for w01018, without kind or unit; the code itself when it is not known."""
    return FACTORS.get(factor, (factor, ""))[0]


def unit_of(factor: str) -> str:
    return FACTORS.get(factor, ("", ""))[1]
