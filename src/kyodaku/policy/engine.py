"""Permissions -> a verdict per registered entry.

Consent first: an entry found in the content is blocked unless one of its
owner's permissions allows this use, for this licensee, in this region, at this
time. An explicit deny beats any allow. An allow with conditions (forbidden
themes) holds only when the content shows none of those themes. Every verdict
names the rule it came from, so a rightsholder or auditor can check it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kyodaku.domain.findings import ThemeHit, Verdict
from kyodaku.domain.model import ANY, Catalog, Effect, Entity, Permission, Use

DEFAULT_DENY = "default-deny"


@dataclass(frozen=True)
class ScreenContext:
    """Who asks, where and when: what a permission is checked against."""

    licensee: str | None = None
    region: str | None = None
    at: datetime | None = None
    use: Use | None = None  # None: the entry's default use (generate, or style for styles)

    def to_dict(self) -> dict[str, str | None]:
        return {
            "licensee": self.licensee,
            "region": self.region,
            "at": self.at.isoformat() if self.at else None,
            "use": self.use.value if self.use else None,
        }


@dataclass(frozen=True)
class PolicyOutcome:
    verdict: Verdict
    rule: str
    reason: str
    permission: str | None = None


class PolicyEngine:
    """Read-only view of the permissions of one registry version."""

    def __init__(self, catalog: Catalog) -> None:
        self._by_owner: dict[str, list[Permission]] = {}
        for p in catalog.permissions:
            self._by_owner.setdefault(p.owner, []).append(p)

    def applicable(self, entity: Entity, use: Use, ctx: ScreenContext, at: datetime) -> list[Permission]:
        subjects = {entity.id, ANY}
        if entity.work:
            subjects.add(entity.work)
        return [
            p
            for p in self._by_owner.get(entity.owner, ())
            if p.subject in subjects
            and use in p.uses
            and p.covers_licensee(ctx.licensee)
            and p.covers_region(ctx.region)
            and p.covers_time(at)
        ]

    def decide(
        self, entity: Entity, ctx: ScreenContext, at: datetime, themes: list[ThemeHit]
    ) -> PolicyOutcome:
        use = ctx.use or entity.default_use
        perms = self.applicable(entity, use, ctx, at)
        denies = [p for p in perms if p.effect is Effect.DENY]
        if denies:
            p = denies[0]
            return PolicyOutcome(
                Verdict.BLOCK, f"deny:{p.id}", f"{entity.owner} denies {use.value} ({p.id})", p.id
            )
        allows = [p for p in perms if p.effect is Effect.ALLOW]
        if not allows:
            return PolicyOutcome(
                Verdict.BLOCK,
                DEFAULT_DENY,
                f"no permission to {use.value}",
            )
        detected = {t.theme for t in themes}
        for p in allows:
            bad = sorted(detected & set(p.conditions.forbidden_themes))
            if not bad:
                return PolicyOutcome(Verdict.ALLOW, f"allow:{p.id}", f"permitted by {p.id}", p.id)
        p = allows[0]
        bad = sorted(detected & set(p.conditions.forbidden_themes))
        return PolicyOutcome(
            Verdict.BLOCK,
            f"condition:{p.id}",
            f"permission {p.id} forbids these themes, found in the content: {', '.join(bad)}",
            p.id,
        )
