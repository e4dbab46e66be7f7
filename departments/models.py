"""The registry: provinces and the institutions whose nuclear-medicine departments report."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.roles import scope_of
from survey.text import validate_text

PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")
    NONPUBLIC = "nonpublic", _("Non-public")


class Tier(models.TextChoices):
    TERTIARY_TOP = "tertiary_top", _("Top-tier tertiary (grade 3A)")
    TERTIARY = "tertiary", _("Other tertiary")
    SECONDARY = "secondary", _("Secondary")
    OTHER = "other", _("Other")


TERTIARY_TIERS = (Tier.TERTIARY_TOP, Tier.TERTIARY)


class DeptAffiliation(models.TextChoices):
    INDEPENDENT = "independent", _("Independent department")
    MEDICAL_IMAGING = "medical_imaging", _("Medical imaging department")
    PET_CT_CENTER = "pet_ct_center", _("PET/CT centre")
    RADIOLOGY = "radiology", _("Radiology department")
    OTHER = "other", _("Other")


class InstitutionProfile(models.Model):
    """The classification items of the instrument's institution section.

    `Institution` keeps the latest known classification, each `survey.models.Report` the one
    that held in its own year: the same three fields, defined once.
    """

    ownership = models.CharField(
        _("Ownership: public | nonpublic"),
        max_length=16,
        choices=Ownership.choices,
        blank=True,
    )
    tier = models.CharField(
        _(
            "Hospital level: tertiary_top (top-tier tertiary, 三级甲等) | tertiary | secondary | other"
        ),
        max_length=16,
        choices=Tier.choices,
        blank=True,
    )
    dept_affiliation = models.CharField(
        _(
            "Administrative affiliation of the nuclear medicine unit: "
            "independent | medical_imaging | pet_ct_center | radiology | other"
        ),
        max_length=16,
        choices=DeptAffiliation.choices,
        blank=True,
    )

    class Meta:
        abstract = True


def bilingual_name(name_zh, name_en):
    """The name in the active language, falling back to the other one."""
    if get_language() == "en":
        return name_en or name_zh
    return name_zh or name_en


class ProvinceQuerySet(models.QuerySet):
    def resolve(self, spelling):
        """The province a file names by code (`51`), Chinese name with or without suffix
        (`四川省`, `四川`) or English name (`Sichuan`), or None."""
        spelling = (spelling or "").strip()
        if not spelling:
            return None
        by_spelling = {}
        for province in self:
            for name in province.spellings():
                by_spelling[name] = province
        return by_spelling.get(spelling.casefold())


class Province(models.Model):
    """A province-level division of mainland China, as in GB/T 2260."""

    code = models.CharField(_("GB/T 2260 code"), max_length=2, primary_key=True)
    name_en = models.CharField(_("English name"), max_length=64, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=32, unique=True)
    population_10k = models.DecimalField(
        _("resident population at the end of 2023 (10,000 people)"),
        max_digits=8,
        decimal_places=1,
    )

    objects = ProvinceQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self):
        return self.name

    @property
    def name(self):
        return bilingual_name(self.name_zh, self.name_en)

    @property
    def population_millions(self):
        return float(self.population_10k) / 100

    def short_name_zh(self):
        for suffix in PROVINCE_SUFFIXES:
            if self.name_zh.endswith(suffix) and len(self.name_zh) > len(suffix) + 1:
                return self.name_zh[: -len(suffix)]
        return self.name_zh

    def spellings(self):
        """Every accepted way of writing this province, case-folded."""
        return {s.casefold() for s in (self.code, self.name_en, self.name_zh, self.short_name_zh())}


inst_code_validator = RegexValidator(
    re.compile(r"^[A-Za-z0-9_-]{1,32}$"),
    _("Use 1 to 32 characters: letters A-Z, digits, hyphen or underscore."),
)


class InstitutionQuerySet(models.QuerySet):
    def by_code_in_any_case(self, codes):
        """The institutions of `codes` keyed by upper-cased code (codes are one in any case)."""
        wanted = {code.upper() for code in codes}
        found = self.annotate(code_upper=Upper("code")).filter(code_upper__in=wanted)
        return {institution.code.upper(): institution for institution in found}

    def visible_to(self, user):
        """The institutions whose reports `user` may read (see `accounts.roles`)."""
        return self.visible_in(scope_of(user))

    def visible_in(self, scope):
        """The institutions of `scope` (`accounts.roles.Scope`)."""
        return self.none() if scope.nothing else self.filter(scope.q(""))


class Institution(InstitutionProfile):
    """A hospital with a nuclear-medicine department; it exists across survey years.

    Ownership, tier and affiliation here are the latest known classification (used to filter
    the registry); each report keeps the classification that held in its own year.
    """

    code = models.CharField(
        _("Institution code (unique, stable across survey years)"),
        max_length=32,
        unique=True,
        validators=[inst_code_validator],
    )
    name_en = models.CharField(
        _("Institution name (English)"), max_length=200, blank=True, validators=[validate_text]
    )
    name_zh = models.CharField(
        _("Institution name (Chinese)"), max_length=200, blank=True, validators=[validate_text]
    )
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        related_name="institutions",
        verbose_name=_(
            "Province-level division (GB/T 2260 two-digit code, or its Chinese or English name)"
        ),
    )
    objects = InstitutionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(name_en="") & models.Q(name_zh="")),
                name="institution_has_a_name",
            ),
            # `nm51-0002` is the same institution as `NM51-0002`: one code whatever its case.
            models.UniqueConstraint(
                Upper("code"),
                name="institution_code_unique_in_any_case",
                violation_error_message=_("An institution with this code (in any case) exists."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def name(self):
        return bilingual_name(self.name_zh, self.name_en)

    def clean(self):
        if not self.name_en.strip() and not self.name_zh.strip():
            raise ValidationError(
                {"name_zh": _("Give the institution's name in Chinese or in English.")}
            )
