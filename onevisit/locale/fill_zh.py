"""Fill the zh_Hans catalogue from the glossary below (run by `make messages`).

Kept in the repository so that the translation of every UI string is reviewed as code.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ZH = {
    "Accounts": "账户",
    "Supervisor (justice bureau)": "执法监督（司法局）",
    "Department admin": "部门管理员",
    "Inspector": "执法人员",
    "Enterprise": "企业",
    "full name": "姓名",
    "role": "角色",
    "body": "检查主体",
    "enterprise": "企业",
    "user": "用户",
    "users": "用户",
    "A department admin or inspector needs a body.": "部门管理员和执法人员须属于一个检查主体。",
    "An enterprise user needs an enterprise.": "企业用户须绑定一个企业。",
    "name": "名称",
    "API token": "API 令牌",
    "API tokens": "API 令牌",
    "Token created. Copy it now: it is shown only once.": "令牌已创建。请立即复制：它只显示这一次。",
    "Token revoked.": "令牌已吊销。",
    "Audit log": "审计日志",
    "created": "新建",
    "changed": "修改",
    "deleted": "删除",
    "action": "操作",
    "time": "时间",
    "actor": "操作人",
    "actor name": "操作人名称",
    "verb": "动作",
    "object type": "对象类型",
    "object id": "对象编号",
    "object": "对象",
    "changes": "变更内容",
    "audit entry": "审计记录",
    "audit entries": "审计记录",
    "Registry": "主体名录",
    "Code or name": "代码或名称",
    "District": "行政区划",
    "All districts": "全部区划",
    "Industry": "行业",
    "All industries": "全部行业",
    "Status": "状态",
    "Any status": "全部状态",
    "Industry code (GB/T 4754-2017)": "国民经济行业代码（GB/T 4754-2017）",
    "e.g. C3451, 3451 or 34": "例如 C3451、3451 或 34",
    "Unknown industry code (GB/T 4754-2017).": "未知的国民经济行业代码（GB/T 4754-2017）。",
    "What": "导入内容",
    "File (.xlsx or .csv)": "文件（.xlsx 或 .csv）",
    "Check only, change nothing": "只检查，不写入",
    "Enterprises": "企业",
    "Inspecting bodies": "检查主体",
    "Inspectors": "执法人员",
    "Invalid unified social credit code: %(reason)s": "统一社会信用代码无效：%(reason)s",
    "prefecture-level city": "地级市",
    "district": "市辖区",
    "county": "县",
    "county-level city": "县级市",
    "development zone": "开发区",
    "code": "代码",
    "kind": "类型",
    "standard": "标准",
    "districts": "行政区划",
    "industry": "行业",
    "industries": "行业",
    "in business (存续)": "存续",
    "deregistered (注销)": "注销",
    "licence revoked (吊销)": "吊销",
    "unified social credit code": "统一社会信用代码",
    "former names": "曾用名",
    "one per line": "每行一个",
    "industry division": "行业大类",
    "industry code": "行业代码",
    "registered address": "注册地址",
    "legal representative": "法定代表人",
    "land area (mu)": "占地面积（亩）",
    "employees": "从业人数",
    "status": "状态",
    "latitude": "纬度",
    "longitude": "经度",
    "enterprises": "企业",
    "Give both latitude and longitude, or neither.": "经度和纬度须同时填写或同时留空。",
    "administrative organ (行政机关)": "行政机关",
    "organisation authorised by law (法律法规授权组织)": "法律法规授权组织",
    "entrusted organisation (受委托组织)": "受委托组织",
    "city": "市级",
    "entrusting body": "委托机关",
    "level": "层级",
    "published": "已公开",
    "duties": "执法职责",
    "phone": "电话",
    "inspecting body": "检查主体",
    "inspecting bodies": "检查主体",
    "An entrusted organisation names its entrusting body; other kinds do not.": "受委托组织须注明委托机关，其他类型不填。",
    "A body of this name exists in this district.": "该区划已有同名检查主体。",
    "user account": "用户账户",
    "certificate number": "执法证号",
    "certificate valid from": "执法证有效期起",
    "certificate valid until": "执法证有效期止",
    "districts served": "执法区域",
    "active": "在岗",
    "inspector": "执法人员",
    "inspectors": "执法人员",
    "An inspector needs a certificate number.": "执法人员须有执法证号。",
    "The certificate cannot expire before it starts.": "执法证的截止日期不能早于起始日期。",
    "Saved.": "已保存。",
    "Simplified Chinese": "简体中文",
    "English": "英文",
    "Log in": "登录",
    "User name": "用户名",
    "Password": "密码",
    "Change password": "修改密码",
    "Password changed": "密码已修改",
    "Home": "首页",
    "A token lets a program use the API as you: send it as the header Authorization: Bearer <token>. Only its hash is stored.": "令牌让程序以您的身份使用 API：在请求头中发送 Authorization: Bearer <令牌>。系统只保存它的哈希值。",
    "Your new token (shown once):": "新令牌（只显示一次）：",
    "Name": "名称",
    "Create a token": "创建令牌",
    "Starts with": "开头",
    "Created": "创建时间",
    "Last used": "最近使用",
    "Revoke": "吊销",
    "No token yet.": "还没有令牌。",
    "onevisit": "进一次门",
    "Coordinated enterprise inspections": "涉企行政检查协同平台",
    "My enterprise": "本企业",
    "Import": "导入",
    "Admin": "后台管理",
    "Language": "语言",
    "no role": "无角色",
    "Log out": "退出",
    "Fewer, lawful, coordinated inspections of enterprises": "少扰企、依法查、协同查：涉企行政检查协同平台",
    "onevisit coordinates the inspections that the city's departments make of enterprises: published lists of who may inspect, joint visits, and results that are followed to the end.": "本平台统筹全市各部门的涉企行政检查：公开检查主体清单，“进一次门、查多项事”，检查结果跟踪到底。",
    "City overview": "全市概况",
    "%(n)s published": "已公开 %(n)s 个",
    "%(n)s with a valid certificate": "%(n)s 人持有效执法证",
    "Search enterprises": "查询企业",
    "Import from Excel": "从 Excel 导入",
    "Valid certificate today": "今日执法证有效",
    "Certificates expiring within 60 days": "60 日内到期的执法证",
    "Our entry in the public list": "本单位在主体清单中的信息",
    "Here you will see who inspects your enterprise, what they check, and what is asked of you afterwards.": "在这里可以看到谁来检查本企业、检查什么，以及检查后需要企业做什么。",
    "Our registered data": "本企业登记信息",
    "Your account has no role yet": "您的账户尚未分配角色",
    "Ask the platform administrator to assign you a role.": "请联系平台管理员分配角色。",
    "Code": "代码",
    "Kind": "类型",
    "Entrusting body": "委托机关",
    "Level": "层级",
    "Duties": "执法职责",
    "Phone": "电话",
    "Certificate": "执法证",
    "Valid until": "有效期至",
    "None you may see.": "没有您可查看的人员。",
    "Inspecting bodies (public list)": "检查主体清单（公开）",
    "Only the bodies on this list may inspect enterprises. Entrusted organisations act in the name of the body that entrusted them.": "只有本清单中的主体可以对企业实施行政检查。受委托组织以委托机关的名义实施检查。",
    "Export to Excel": "导出 Excel",
    "not published": "未公开",
    "entrusted by %(name)s": "受 %(name)s 委托",
    "No body has been published yet.": "尚未公开任何检查主体。",
    "Unified social credit code": "统一社会信用代码",
    "Former names": "曾用名",
    "Registered address": "注册地址",
    "Legal representative": "法定代表人",
    "Land area (mu)": "占地面积（亩）",
    "Employees": "从业人数",
    "Location": "位置",
    "Edit": "编辑",
    "New enterprise": "新增企业",
    "Save": "保存",
    "credit code or part of the name": "信用代码或名称中的字词",
    "Search": "查询",
    "more than %(n)s enterprises: narrow the search": "超过 %(n)s 家企业，请缩小查询范围",
    "Add an enterprise": "新增企业",
    "Credit code": "信用代码",
    "No enterprise matches.": "没有符合条件的企业。",
    "Previous": "上一页",
    "Page %(page)s": "第 %(page)s 页",
    "Next": "下一页",
    "Import from Excel or CSV": "从 Excel 或 CSV 导入",
    "The first row holds the column names, in Chinese or English (统一社会信用代码/uscc, 企业名称/name, 行政区划代码/district, 国民经济行业代码/industry, 注册地址/address, …). A file with any bad row changes nothing.": "第一行为列名，中英文均可（统一社会信用代码/uscc、企业名称/name、行政区划代码/district、国民经济行业代码/industry、注册地址/address 等）。文件中只要有一行错误，就不会写入任何数据。",
    "Upload": "上传",
    "The file is good (checked only, nothing written)": "文件无误（仅检查，未写入）",
    "Imported": "导入完成",
    "The file was rejected: nothing was changed": "文件被拒绝：没有写入任何数据",
    "%(rows)s rows · %(created)s new · %(updated)s updated · %(unchanged)s unchanged": "共 %(rows)s 行 · 新增 %(created)s · 更新 %(updated)s · 未变 %(unchanged)s",
    "Columns not used": "未使用的列",
    "Row": "行号",
    "Column": "列",
    "Value": "值",
    "Problem": "问题",
    "Body": "检查主体",
    "Certificate number": "执法证号",
    "Valid": "有效期",
    "may inspect today": "今日可执法",
    "may not inspect": "不可执法",
    "expires within 60 days": "60 日内到期",
    "Districts served": "执法区域",
    "Active": "在岗",
    "May inspect today": "今日可执法",
    "yes": "是",
    "no": "否",
    "No inspector.": "暂无执法人员。",
    "Working days": "工作日",
    "year": "年份",
    "source": "来源",
    "calendar year": "日历年度",
    "calendar years": "日历年度",
    "date": "日期",
    "is a working day": "是工作日",
    "holiday or adjusted workday": "节假日或调休工作日",
    "holidays and adjusted workdays": "节假日和调休工作日",
    "the file is larger than %(megabytes)s MB": "文件超过 %(megabytes)s MB",
    "the file cannot be read: %(kind)s": "文件无法读取：%(kind)s",
    "not a readable .xlsx workbook (%(kind)s)": "不是可读取的 .xlsx 工作簿（%(kind)s）",
    "the workbook has no sheet": "工作簿中没有工作表",
    "not a text CSV file (it contains binary data)": "不是文本 CSV 文件（含有二进制数据）",
    "CSV is neither UTF-8 nor GB18030 text": "CSV 文件既不是 UTF-8 也不是 GB18030 编码",
    "CSV cannot be parsed: %(error)s": "CSV 文件无法解析：%(error)s",
    "the file is empty": "文件为空",
    "unsupported file type %(suffix)s: use .xlsx or .csv": "不支持的文件类型 %(suffix)s：请使用 .xlsx 或 .csv",
    "no such file: %(path)s": "文件不存在：%(path)s",
    "more than %(limit)s rows: split the file": "超过 %(limit)s 行：请拆分文件",
    "the file has a header row but no data rows": "文件只有表头，没有数据行",
    "column %(header)s appears twice": "列“%(header)s”重复出现",
    "required columns missing from the header row: %(names)s": "表头缺少必填列：%(names)s",
    "not a date (use 2026-01-31)": "不是日期（格式如 2026-01-31）",
    "no such day in the calendar": "日历中没有这一天",
    "character %(char)s is not allowed in an organisation code": "组织机构代码中不允许出现字符 %(char)s",
    "must have 18 characters, has %(length)s": "应为 18 位，实际 %(length)s 位",
    "characters 1-8 must be digits and the rest from 0-9 and A-Y without I, O, S, V, Z": "第 1-8 位须为数字，其余各位须为 0-9 或 A-Y（不含 I、O、S、V、Z）",
    "check character (18th) is wrong: expected %(expected)s": "校验码（第 18 位）错误：应为 %(expected)s",
    "organisation code check (GB 11714, characters 9-17) is wrong: expected %(expected)s as the 17th character": "组织机构代码校验位错误（GB 11714，第 9-17 位）：第 17 位应为 %(expected)s",
    "must be a GB/T 4754-2017 code of 2 or 4 digits, optionally after the section letter (e.g. C3451, 3451, 34)": "须为 2 位或 4 位的 GB/T 4754-2017 行业代码，可带门类字母（如 C3451、3451、34）",
    "row %(row)s, %(column)s%(value)s: %(reason)s": "第 %(row)s 行，%(column)s%(value)s：%(reason)s",
    "file rejected: %(reason)s": "文件被拒绝：%(reason)s",
    "file rejected: %(bad)s bad rows of %(rows)s; nothing was changed": "文件被拒绝：%(rows)s 行中有 %(bad)s 行错误，未写入任何数据",
    "%(rows)s rows: would create %(created)s, update %(updated)s, leave %(unchanged)s unchanged (dry run, nothing written)": "共 %(rows)s 行：将新增 %(created)s、更新 %(updated)s、%(unchanged)s 行不变（仅检查，未写入）",
    "%(rows)s rows: created %(created)s, updated %(updated)s, unchanged %(unchanged)s": "共 %(rows)s 行：新增 %(created)s，更新 %(updated)s，未变 %(unchanged)s",
    "is empty": "为空",
    "is longer than %(max)s characters (%(length)s)": "超过 %(max)s 个字符（%(length)s）",
    "is not a number": "不是数字",
    "must lie between %(low)s and %(high)s": "须在 %(low)s 到 %(high)s 之间",
    "must be a whole number of 0 or more": "须为非负整数",
    "must be 是 or 否 (yes/no)": "须为“是”或“否”",
    "must be one of %(options)s": "须为以下之一：%(options)s",
    "unknown district code (GB/T 2260)": "未知的行政区划代码（GB/T 2260）",
    "invalid code: %(reason)s": "代码无效：%(reason)s",
    "unknown industry code (GB/T 4754-2017)": "未知的国民经济行业代码（GB/T 4754-2017）",
    "give both latitude and longitude, or neither": "经度和纬度须同时填写或同时留空",
    "duplicate in this file (first in row %(row)s)": "与本文件第 %(row)s 行重复",
    "an entrusted organisation names its entrusting body": "受委托组织须填写委托机关",
    "only an entrusted organisation has one": "只有受委托组织才填写委托机关",
    "no body with this code": "没有此编码的检查主体",
    "a body cannot entrust itself": "检查主体不能委托自己",
    "you may import only your own body's inspectors": "只能导入本单位的执法人员",
    "is before the start of validity": "早于有效期起始日期",
    "belongs to another body": "属于其他检查主体",
}
PLURALS = {
    "See the published list of %(counter)s inspecting body": "查看已公开的 %(counter)s 个检查主体",
    "%(counter)s enterprise": "%(counter)s 家企业",
    "%(counter)s inspector": "%(counter)s 名执法人员",
}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def fill(path: Path) -> list[str]:
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    missing: list[str] = []
    out = []
    for block in blocks:
        lines = block.split("\n")
        match = re.search(r'^msgid ((?:".*"\n?)+)', block + "\n", re.M)
        if not match:
            out.append(block)
            continue
        msgid = "".join(s[1:-1] for s in re.findall(r'".*"', match.group(1)))
        msgid = msgid.replace('\\"', '"').replace("\\n", "\n")
        if not msgid:  # the catalogue header
            out.append(block)
            continue
        keep = [
            ln
            for ln in lines
            if not ln.startswith("msgstr") and not (ln.startswith('"') and _after_msgstr(lines, ln))
        ]
        keep = [ln for ln in keep if not ln.startswith("#, fuzzy")]
        if "msgid_plural" in block:
            zh = PLURALS.get(msgid)
            if zh is None:
                missing.append(msgid)
            out.append("\n".join([*keep, f"msgstr[0] {_quote(zh or '')}"]))
        else:
            zh = ZH.get(msgid)
            if zh is None:
                missing.append(msgid)
            out.append("\n".join([*keep, f"msgstr {_quote(zh or '')}"]))
    path.write_text("\n\n".join(out), encoding="utf-8")
    return missing


def _after_msgstr(lines: list[str], target: str) -> bool:
    seen = False
    for line in lines:
        if line.startswith("msgstr"):
            seen = True
        if line is target:
            return seen
    return False


if __name__ == "__main__":
    po = Path(__file__).parent / "zh_Hans" / "LC_MESSAGES" / "django.po"
    left = fill(po)
    if left:
        print("untranslated:", *left, sep="\n  ")
        sys.exit(1)
