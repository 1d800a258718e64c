"""The item list as officials keep it in Excel: one row per check point."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from onevisit.catalog.models import Item, ItemQuerySet

# fixed labels, whatever the page's language, so that the file imports back as it is
STATUS_LABELS = {"draft": "草稿", "published": "已发布", "withdrawn": "已撤回"}

ITEM_EXPORT_HEADERS = [
    "主体编码",
    "检查主体",
    "事项编码",
    "事项名称",
    "版本",
    "状态",
    "设定依据",
    "实施层级/科室",
    "适用行业",
    "互认期限(天)",
    "序号",
    "检查内容",
    "检查标准",
    "检查方法",
    "整改指引",
    "共享检查点",
]


def item_export_rows(items: ItemQuerySet) -> Iterator[list[Any]]:
    for item in (
        items.select_related("body")
        .prefetch_related("points")
        .order_by("body__code", "code", "-version")
    ):
        head = _head(item)
        points = list(item.points.all())
        if not points:
            yield [*head, "", "", "", "", "", ""]
        for point in points:
            yield [
                *head,
                point.number,
                point.content,
                point.standard,
                point.method,
                point.guidance,
                point.topic,
            ]


def _head(item: Item) -> list[Any]:
    return [
        item.body.code,
        item.body.name,
        item.code,
        item.name,
        item.version,
        STATUS_LABELS[item.status],
        item.legal_basis,
        item.responsible,
        item.industries,
        item.recognition_days,
    ]
