"""The shipped learned model is what its labelled data gives: rebuilt byte for byte.

A file of its own, so the parallel test run gives it a worker of its own from the start (it
is the slowest single test: training, and encoding five thousand sentences).
"""

from __future__ import annotations

import os
import subprocess
import sys
from hashlib import sha256
from pathlib import Path

from bot.content.live import MODEL_FILE

HERE = Path(__file__).parent
CONTENT = HERE.parents[1] / "content"


def test_the_model_file_is_rebuilt_byte_for_byte_from_the_labelled_data(tmp_path):
    folder = tmp_path / "content"
    (folder / "safety").mkdir(parents=True)
    subprocess.run(
        [sys.executable, "-m", "bot", "safety", "train", "--content", str(folder)],
        check=True,
        capture_output=True,
        cwd=HERE.parents[1],
    )
    # Digests, not the bytes: pytest's diff of two 2 MB byte strings ran for minutes on end.
    rebuilt, shipped = ((f / MODEL_FILE).read_bytes() for f in (folder, CONTENT))
    assert (len(rebuilt), sha256(rebuilt).hexdigest()) == (
        len(shipped),
        sha256(shipped).hexdigest(),
    ), (
        "the shipped model is not what the training data gives: run `python -m bot safety "
        "train` and commit content/safety/learned-model.bin"
    )


def test_training_pins_its_numerics_so_other_processors_give_the_same_bytes(monkeypatch):
    from bot import safety_tools

    for name in safety_tools.PINNED_NUMERICS:
        monkeypatch.delenv(name, raising=False)
    assert not safety_tools.numerics_pinned()
    monkeypatch.setattr(safety_tools.platform, "machine", lambda: "x86_64")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "8")  # the caller's own setting gives way
    environment = safety_tools.pinned_environment()
    assert environment is not None
    assert all(environment[k] == v for k, v in safety_tools.PINNED_NUMERICS.items())
    assert environment["PATH"] == os.environ["PATH"]  # the rest of the environment is kept
    assert not safety_tools.numerics_pinned()
    for name, value in safety_tools.PINNED_NUMERICS.items():
        monkeypatch.setenv(name, value)
    assert safety_tools.numerics_pinned()
    monkeypatch.setattr(safety_tools.platform, "machine", lambda: "aarch64")
    assert safety_tools.pinned_environment() is None


def test_train_runs_again_in_a_pinned_child_with_the_parsed_arguments(monkeypatch, tmp_path):
    import subprocess as subprocess_module

    from bot import safety_tools
    from bot.__main__ import main

    for name in safety_tools.PINNED_NUMERICS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(safety_tools.platform, "machine", lambda: "x86_64")
    seen = {}

    def run(command, env, check):
        seen.update(command=command, env=env)
        return subprocess_module.CompletedProcess(command, 0)

    monkeypatch.setattr(subprocess_module, "run", run)
    monkeypatch.setattr(sys, "argv", ["pytest", "-q"])
    assert main(["safety", "train", "--content", str(tmp_path), "--no-embeddings"]) == 0
    assert seen["command"][1:] == [
        "-m",
        "bot",
        "safety",
        "train",
        "--content",
        str(tmp_path),
        "--no-embeddings",
    ]
    assert all(seen["env"][k] == v for k, v in safety_tools.PINNED_NUMERICS.items())
