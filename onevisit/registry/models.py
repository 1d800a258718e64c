from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onevisit.registry import industries
from onevisit.registry.identifiers import InvalidIdentifier, validate_uscc
from onevisit.registry.search import bigrams


def uscc_validator(value: str) -> None:
    try:
        validate_uscc(value, District.objects.local_codes())
    except InvalidIdentifier as error:
        raise ValidationError(
            _("Invalid unified social credit code: %(reason)s"), params={"reason": str(error)}
        ) from None


class DistrictQuerySet(models.QuerySet["District"]):
    def local_codes(self) -> frozenset[str]:
        """The codes the city gave areas that no GB/T 2260 edition lists (its zones)."""
        return frozenset(self.exclude(standard=GBT_2260).values_list("code", flat=True))

    def area_codes(self, code: str) -> list[str]:
        """The district's code and those of every division under it: a city's counties and
        zones, a province's cities and their counties."""
        found = [code]
        level = [code]
        while level:
            level = list(self.filter(parent_id__in=level).values_list("code", flat=True))
            found += level
        return found

    def cities(self) -> DistrictQuerySet:
        return self.filter(kind=District.Kind.CITY)


GBT_2260 = "GB/T 2260"


class District(models.Model):
    """A GB/T 2260 division, or a named area such as a development zone, whose code is then
    the city's own (`standard` says which)."""

    class Kind(models.TextChoices):
        CITY = "city", _("prefecture-level city")
        DISTRICT = "district", _("district")
        COUNTY = "county", _("county")
        COUNTY_CITY = "county_city", _("county-level city")
        ZONE = "zone", _("development zone")

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    standard = models.CharField(_("standard"), max_length=30, default=GBT_2260)

    objects = DistrictQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name

    def city_code(self) -> str | None:
        """The code of the prefecture-level city the district lies in (itself if a city)."""
        district: District | None = self
        while district is not None:
            if district.kind == District.Kind.CITY:
                return district.code
            district = district.parent
        return None


class Industry(models.Model):
    """A GB/T 4754-2017 section (门类, a letter) or division (大类, two digits)."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=60)
    section = models.ForeignKey(
        "self",
        verbose_name=_("section (门类)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="divisions",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_section(self) -> bool:
        return self.section_id is None


class EnterpriseQuerySet(models.QuerySet["Enterprise"]):
    def with_refs(self) -> EnterpriseQuerySet:
        return self.select_related("district", "industry", "industry__section")

    def in_industries(self, codes: Iterable[str]) -> EnterpriseQuerySet:
        """Enterprises whose GB/T 4754 code starts with one of the codes ("C", "C26", "3451";
        with its section letter or, as older lists have them, without)."""
        match = Q(pk__in=[])
        for code in filter(None, codes):
            if code[:1].isalpha():
                match |= Q(industry__section_id=code[0], industry_code__startswith=code[1:])
            else:
                match |= Q(industry_code__startswith=code)
        return self.filter(match)

    def in_area(self, code: str) -> EnterpriseQuerySet:
        """Enterprises in the district or any division under it (a city, a province)."""
        return self.filter(district__in=District.objects.area_codes(code))

    def matching_name(self, fragment: str) -> EnterpriseQuerySet:
        """Enterprises whose name or a former name contains the fragment (a plain LIKE).

        Right for small sets (an enterprise user's own, a district-and-industry slice);
        the whole register is searched through the bigram index in `queries.EnterpriseSearch`.
        """
        fragment = fragment.strip()
        if not fragment:
            return self
        return self.filter(Q(name__icontains=fragment) | Q(former_names__icontains=fragment))


class Enterprise(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("in business (存续)")
        DEREGISTERED = "deregistered", _("deregistered (注销)")
        REVOKED = "revoked", _("licence revoked (吊销)")

    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[uscc_validator]
    )
    name = models.CharField(_("name"), max_length=200)
    former_names = models.TextField(_("former names"), blank=True, help_text=_("one per line"))
    # Both foreign keys are served by the indexes in Meta (district first, then industry alone):
    # an index of their own would be one more to write for every row of a bulk import.
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="enterprises",
        db_index=False,
    )
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("industry division"),
        on_delete=models.PROTECT,
        related_name="enterprises",
        db_index=False,
        limit_choices_to={"section__isnull": False},
    )
    industry_code = models.CharField(_("industry code"), max_length=4)
    address = models.CharField(_("registered address"), max_length=300, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    land_area_mu = models.DecimalField(
        _("land area (mu)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    above_scale = models.BooleanField(
        _("above designated size (规上)"),
        default=False,
        help_text=_("on the statistics bureau's list of enterprises above designated size"),
    )
    credit_class = models.CharField(
        _("credit risk class"),
        max_length=1,
        blank=True,
        choices=[("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")],
        help_text=_("企业信用风险分类 A (lowest risk) to D, when known"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        indexes = [
            # in id order within a district and industry: the list's first page stops at 25
            # (a county's 1,146 enterprises of one division, at 3.6 million: 0.2 ms, not 54)
            models.Index(
                fields=["district", "industry", "id"], name="enterprise_district_industry"
            ),
            models.Index(fields=["industry"], name="enterprise_industry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__isnull=False) & Q(longitude__isnull=False)),
                name="enterprise_geo_point_complete",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def industry_class_name(self) -> str:
        """The name of the GB/T 4754 class, where the code names one (the division is a row)."""
        return industries.name_of(self.industry_code) if len(self.industry_code) == 4 else ""

    @property
    def former_name_list(self) -> list[str]:
        return [line.strip() for line in self.former_names.splitlines() if line.strip()]

    def search_grams(self) -> set[str]:
        grams = bigrams(self.name)
        for former in self.former_name_list:
            grams |= bigrams(former)
        return grams


class EnterpriseGramManager(models.Manager["EnterpriseGram"]):
    def by_rarity(
        self, grams: set[str], probe: int, area: dict[str, Any] | None = None
    ) -> list[tuple[str, int]]:
        """The grams with their posting counts (each counted only up to `probe`) within the
        area's lookups (`district_id` or `district_id__in`), rarest first."""
        counted = []
        scope = self.filter(**(area or {}))
        for gram in sorted(grams):
            count = scope.filter(gram=gram)[:probe].count()
            counted.append((gram, count))
            if count == 0:
                break
        return sorted(counted, key=lambda item: item[1])


class EnterpriseGram(models.Model):
    """The bigram index behind Chinese substring search, identical on SQLite and PostgreSQL."""

    pk = models.CompositePrimaryKey("gram", "enterprise")
    gram = models.CharField(max_length=2)
    # A name writes a dozen rows here, so the table keeps only the indexes its queries use
    # (those in Meta), none per foreign key.
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="grams", db_index=False
    )
    # A copy of the enterprise's district: "this fragment in my county", the commonest
    # search, then walks one index without touching the enterprise table.
    district = models.ForeignKey(
        District, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", db_index=False
    )

    objects = EnterpriseGramManager()

    class Meta:
        indexes = [
            models.Index(fields=["enterprise"], name="enterprisegram_enterprise"),
            models.Index(
                fields=["gram", "district", "enterprise"], name="enterprisegram_gram_district"
            ),
        ]


# The usual short forms of departments in document numbers (机关代字), longest name first.
DEPARTMENT_SHORT_FORMS = (
    ("住房和城乡建设局", "建"),
    ("人力资源和社会保障局", "人社"),
    ("自然资源和规划局", "自然资源"),
    ("市场监督管理局", "监"),
    ("工业和信息化局", "工信"),
    ("卫生健康委员会", "卫健"),
    ("发展和改革委员会", "发改"),
    ("文化和旅游局", "文旅"),
    ("生态环境局", "环"),
    ("应急管理局", "应急"),
    ("交通运输局", "交"),
    ("城市管理局", "城管"),
    ("综合行政执法局", "综执"),
    ("农业农村局", "农"),
    ("消防救援", "消"),
    ("税务局", "税"),
    ("水利局", "水"),
    ("商务局", "商"),
    ("公安局", "公"),
    ("司法局", "司"),
    ("教育局", "教"),
)


def default_doc_prefix(name: str, district: str) -> str:
    """A 机关代字 made from the body's name and district: 聊城市市场监督管理局 → 聊市监,
    临清市生态环境局 → 临市环; a department not in the list keeps its first two characters."""
    place = district[:1] + (district[-1:] if district[-1:] in "市县区" else "")
    department = name.removeprefix(district)
    short = next(
        (abbr for full, abbr in DEPARTMENT_SHORT_FORMS if full in department), department[:2]
    )
    return place + short


class Body(models.Model):
    """检查主体: a department allowed to inspect. The published ones form the public list."""

    class Kind(models.TextChoices):
        ADMINISTRATIVE = "administrative", _("administrative organ (行政机关)")
        AUTHORIZED = "authorized", _("organisation authorised by law (法律法规授权组织)")
        ENTRUSTED = "entrusted", _("entrusted organisation (受委托组织)")

    class Level(models.TextChoices):
        CITY = "city", _("city")
        COUNTY = "county", _("county")

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    entrusted_by = models.ForeignKey(
        "self",
        verbose_name=_("entrusting body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entrusted",
    )
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="bodies"
    )
    published = models.BooleanField(_("published"), default=False)
    doc_prefix = models.CharField(
        _("机关代字 (document prefix)"),
        max_length=12,
        blank=True,
        help_text=_(
            "the body's short name in its document numbers, e.g. 聊市监 in 聊市监〔2026〕检记2号; "
            "empty: made from the district and the department's name"
        ),
    )
    system = models.CharField(
        _("system"),
        max_length=20,
        blank=True,
        help_text=_(
            "the system the body belongs to across levels, e.g. SCJG for every 市场监管局; "
            "empty: the part of its code after the last hyphen"
        ),
    )
    duties = models.TextField(_("duties"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["level", "district_id", "code"]
        verbose_name = _("inspecting body")
        verbose_name_plural = _("inspecting bodies")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="entrusted") & Q(entrusted_by__isnull=False))
                | (~Q(kind="entrusted") & Q(entrusted_by__isnull=True)),
                name="body_entrusted_has_entrusting_body",
                violation_error_message=_(
                    "An entrusted organisation names its entrusting body; other kinds do not."
                ),
            ),
            models.UniqueConstraint(
                fields=["name", "district"],
                name="body_unique_name_per_district",
                violation_error_message=_("A body of this name exists in this district."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def system_code(self) -> str:
        """The system across levels (city and county 市场监管局 are one system)."""
        return self.system or self.code.rsplit("-", 1)[-1]

    @property
    def document_prefix(self) -> str:
        """机关代字: as the data steward set it, or made from the name."""
        return self.doc_prefix or default_doc_prefix(self.name, self.district.name)

    def acts_in_name_of(self) -> Body:
        """受委托组织 inspect in the name of the body that entrusted them."""
        return self.entrusted_by if self.entrusted_by is not None else self


class InspectorQuerySet(models.QuerySet["Inspector"]):
    def certified(self, on: dt.date) -> InspectorQuerySet:
        """Active inspectors whose certificate is valid on the given day."""
        return self.filter(
            active=True, certificate_valid_from__lte=on, certificate_valid_until__gte=on
        )


class NotCertified(Exception):
    """Raised when someone without a valid certificate would be put on an inspection."""


class Inspector(models.Model):
    """执法人员. Only a person with a valid enforcement certificate may inspect."""

    user = models.OneToOneField(
        "accounts.User",
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspector",
    )
    name = models.CharField(_("name"), max_length=50)
    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="inspectors"
    )
    certificate_number = models.CharField(_("certificate number"), max_length=30, unique=True)
    certificate_valid_from = models.DateField(_("certificate valid from"))
    certificate_valid_until = models.DateField(_("certificate valid until"))
    districts = models.ManyToManyField(
        District, verbose_name=_("districts served"), related_name="inspectors"
    )
    active = models.BooleanField(_("active"), default=True)
    weekly_capacity = models.PositiveSmallIntegerField(
        _("visits per week"), default=5, help_text=_("how many visits the planner may book a week")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = InspectorQuerySet.as_manager()

    class Meta:
        ordering = ["body_id", "name"]
        verbose_name = _("inspector")
        verbose_name_plural = _("inspectors")
        constraints = [
            models.CheckConstraint(
                condition=~Q(certificate_number=""),
                name="inspector_has_certificate_number",
                violation_error_message=_("An inspector needs a certificate number."),
            ),
            models.CheckConstraint(
                condition=Q(certificate_valid_until__gte=models.F("certificate_valid_from")),
                name="inspector_certificate_dates_ordered",
                violation_error_message=_("The certificate cannot expire before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.certificate_number})"

    def can_inspect(self, on: dt.date) -> bool:
        return self.active and self.certificate_valid_from <= on <= self.certificate_valid_until

    @property
    def can_inspect_today(self) -> bool:
        return self.can_inspect(timezone.localdate())

    @property
    def district_codes(self) -> list[str]:
        return sorted(d.code for d in self.districts.all())

    def assert_can_inspect(self, on: dt.date) -> None:
        """Every place that puts a person on an inspection calls this first."""
        if not self.active:
            raise NotCertified(f"{self} is not an active inspector")
        if not self.can_inspect(on):
            raise NotCertified(
                f"{self}: certificate valid {self.certificate_valid_from} to "
                f"{self.certificate_valid_until}, not on {on}"
            )
