"""The public draw API (一公开): no login, plans and records only."""

from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import paginate

from onevisit.draws.disclosure import drawn_tasks, public_results
from onevisit.draws.models import Draw
from onevisit.draws.schemas import DrawOut, DrawResultOut
from onevisit.lib.api import BoundedPagination
from onevisit.lib.fields import Id, one_line

public_router = Router(tags=["public"], auth=None)


def _out(draw: Draw) -> DrawOut:
    return DrawOut(
        id=draw.pk,
        title=draw.title,
        body=draw.body.name if draw.body else None,
        status=draw.status,
        algorithm=draw.algorithm,
        pool_size=len(draw.pool),
        pool_sha256=draw.pool_sha256,
        strata_by=draw.strata_by,
        ratio=str(draw.ratio),
        seed_source=draw.seed_source,
        seed_known_after=draw.seed_known_after,
        drawn_at=draw.drawn_at,
        key=draw.key,
    )


@public_router.get("/draws", response=list[DrawOut])
def list_draws(request: HttpRequest, q: Annotated[str, one_line(100)] = "") -> list[DrawOut]:
    draws = Draw.objects.select_related("body").order_by("-created")
    if q:
        draws = draws.filter(title__icontains=q)
    return [_out(d) for d in draws[:200]]


@public_router.get("/draws/{draw_id}", response=DrawOut)
def get_draw(request: HttpRequest, draw_id: Id) -> DrawOut:
    return _out(get_object_or_404(Draw.objects.select_related("body"), pk=draw_id))


@public_router.get("/draws/{draw_id}/record", response=dict[str, Any])
def get_record(request: HttpRequest, draw_id: Id) -> dict[str, Any]:
    draw = get_object_or_404(Draw, pk=draw_id, status=Draw.Status.DRAWN)
    return draw.public_record() or {}


@public_router.get("/draw-results", response=list[DrawResultOut])
@paginate(BoundedPagination)
def list_draw_results(
    request: HttpRequest, q: Annotated[str, one_line(100)] = "", draw: Id | None = None
) -> Any:
    """The results of inspections made from draws; `q` searches enterprise, credit code, body
    and draw title."""
    return _Results(drawn_tasks(q, draw))


class _Results:
    """A lazily sliced list: the pagination slices the tasks, then only that page is resolved."""

    def __init__(self, tasks: Any) -> None:
        self.tasks = tasks

    def __len__(self) -> int:
        return int(self.tasks.count())

    def __getitem__(self, window: slice) -> list[DrawResultOut]:
        return [DrawResultOut(**vars(r)) for r in public_results(list(self.tasks[window]))]
