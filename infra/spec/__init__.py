"""The environment spec: the single source of truth every other part reads."""

from infra.spec.catalog import Catalog, CatalogEntry
from infra.spec.loader import available_stacks, load_catalog, load_from_engine, load_stack
from infra.spec.models import (
    AddonSpec,
    AppSpec,
    DeploySpec,
    DomainSpec,
    DrainSpec,
    FormationSpec,
    HealthCheck,
    StackSpec,
)
from infra.spec.secret import Secret, fingerprint

__all__ = [
    "AddonSpec",
    "AppSpec",
    "Catalog",
    "CatalogEntry",
    "DeploySpec",
    "DomainSpec",
    "DrainSpec",
    "FormationSpec",
    "HealthCheck",
    "Secret",
    "StackSpec",
    "available_stacks",
    "fingerprint",
    "load_catalog",
    "load_from_engine",
    "load_stack",
]
