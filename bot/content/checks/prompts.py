"""The plan and its reflection prompts: the eight phases with their numbers, and enough
prompts in each phase for a coachee who answers one most days.
"""

from __future__ import annotations

from collections import Counter

from bot.content.checks.common import problem_at
from bot.content.loader import Content, Problem, YamlDoc
from bot.content.schema import PHASE_IDS

MIN_PROMPTS_PER_PHASE = 5


def check_phases(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    doc = docs["phases.yaml"]
    problems = []
    ids = [p.id for p in content.phases]
    missing = [p for p in PHASE_IDS if p not in ids]
    if missing:
        problems.append(
            problem_at(
                doc,
                ["phases"],
                f"the plan has eight phases, and these are missing: "
                f"{', '.join(missing)}; add an entry with `id:` for each "
                "(prompts and exercises point at them)",
            )
        )
    for index, phase in enumerate(content.phases):
        number = PHASE_IDS.index(phase.id) + 1
        if phase.number != number:
            problems.append(
                problem_at(
                    doc,
                    ["phases", index, "number"],
                    f"phase {phase.id!r} is number {number} in the plan; write `number: {number}`",
                )
            )
    return problems


def check_prompts_per_phase(content: Content, docs: dict[str, YamlDoc]) -> list[Problem]:
    doc = docs["prompts.yaml"]
    counts = Counter(p.phase for p in content.prompts)
    problems = []
    for phase in PHASE_IDS:
        if counts[phase] >= MIN_PROMPTS_PER_PHASE:
            continue
        positions = [i for i, p in enumerate(content.prompts) if p.phase == phase]
        loc: list[object] = ["prompts", positions[-1], "phase"] if positions else ["prompts"]
        problems.append(
            problem_at(
                doc,
                loc,
                f"phase {phase!r} has {counts[phase]} reflection prompt(s); "
                f"a coachee answers one most days, so each phase needs at "
                f"least {MIN_PROMPTS_PER_PHASE}: add "
                f"{MIN_PROMPTS_PER_PHASE - counts[phase]} more with "
                f"`phase: {phase}`",
            )
        )
    return problems
