"""`archgen diagram`'s output: the views it chose, in the formats it chose, as a generator
the pipeline plans like any other."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from archgen.generators.diagrams.generator import Progress, render_files
from archgen.generators.diagrams.model import View
from archgen.output import GenerationContext, OutputFile


@dataclass  # not frozen: the Generator protocol's attributes are plain ones
class ChosenViews:
    views: Sequence[View]
    formats: Sequence[str]
    progress: Progress | None = None  # called with each view's name once it is drawn
    name: str = "diagrams"
    description: str = "the views and formats `archgen diagram` was asked for"

    def plan(self, ctx: GenerationContext) -> list[OutputFile]:
        return render_files(self.views, self.formats, progress=self.progress)
