"""The production pipeline: one job from a script to N voiced, captioned clips in a project."""

from editfactory.pipeline.production import JOB_KIND, ProductionRequest, production_job, start_production
from editfactory.pipeline.render_task import VariantResult, VariantTask, render_variant

__all__ = [
    "JOB_KIND", "ProductionRequest", "VariantResult", "VariantTask", "production_job", "render_variant",
    "start_production",
]
