"""Model files: a trained model as a zip of JSON members (its description, its weights and,
for a model with thresholds for unfamiliar articles, the training articles' familiarity
profile), written atomically and read back with every member checked (a model file is input
like any other, and may be hostile).
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from ..core.cache import cached
from ..core.errors import FramecheckError
from ..core.model import MAX_FACTOR
from ..core.taxonomy import TECHNIQUES
from .familiarity import Familiarity
from .features import FEATURE_VERSION, READABLE_FEATURE_VERSIONS
from .learned import LearnedModel, Thresholds, Unfamiliar

FORMAT = "framecheck-model"
FORMAT_VERSION = 1
META_NAME = "framecheck-model.json"
WEIGHTS_NAME = "weights.json"
FAMILIARITY_NAME = "familiarity.json"
MAX_MEMBER_BYTES = 256 * 1024 * 1024  # a bigger member is not a model this tool wrote
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed, so the same model always writes the same bytes


def save_model(model: LearnedModel, path: Path) -> None:
    """Write ``model`` as a zip of two JSON members (atomically: a temporary file renamed)."""
    import zipfile  # imported on use: a scan without a model never reads or writes one

    from ..outputs.atomic import atomic_binary_file

    meta = {
        **model.meta, "format": FORMAT, "format_version": FORMAT_VERSION, "feature_version": FEATURE_VERSION,
        "thresholds": asdict(model.thresholds), "transitions": dict(sorted(model.transitions.items())),
    }
    weights = {name: round(weight, 6) for name, weight in sorted(model.weights.items()) if round(weight, 6)}
    members: list[tuple[str, Any]] = [(META_NAME, meta), (WEIGHTS_NAME, weights)]
    if model.unfamiliar is not None and model.familiarity is not None:
        meta["unfamiliar"] = {"below": model.unfamiliar.below, "thresholds": asdict(model.unfamiliar.thresholds)}
        members.append((FAMILIARITY_NAME, model.familiarity.to_dict()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, json.dumps(content, indent=None, sort_keys=True, ensure_ascii=False))
    with atomic_binary_file(path) as handle:
        handle.write(buffer.getvalue())


def load_model(path: str | Path) -> LearnedModel:
    """Read a model file; anything else (missing, corrupt, another version) is a one-line error.

    The checked model and the tables a scan scores with come from the on-disk cache when this
    exact file was read before: parsing 44,000 weights and laying them out costs a whole scan
    ~0.07 s, unpickling them ~0.01 s (errors are never cached)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FramecheckError(f"{path}: model file not found") from None
    except IsADirectoryError:
        raise FramecheckError(f"{path}: is a folder, not a model file") from None
    except OSError as exc:
        raise FramecheckError(f"{path}: cannot read the model: {exc.strerror or exc}") from None
    return cached("model", "", data, lambda: _read(data, path))


def _read(data: bytes, path: Path) -> LearnedModel:
    """The model in ``data`` (the bytes of ``path``), checked, with its scoring tables laid out."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            meta = _member(archive, META_NAME, path)
            weights = _member(archive, WEIGHTS_NAME, path)
            profile = (_member(archive, FAMILIARITY_NAME, path)
                       if isinstance(meta, dict) and "unfamiliar" in meta else None)
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise FramecheckError(f"{path}: not a framecheck model file ({_plain_reason(exc)})") from None
    model = _model_from(meta, weights, path)
    if profile is not None:
        model.unfamiliar, model.familiarity = _unfamiliar(meta["unfamiliar"], profile, path)
    model.tables  # noqa: B018 - laid out now, so the cache keeps them
    return model


def _plain_reason(exc: Exception) -> str:
    return str(exc).rstrip(".") or type(exc).__name__


def _member(archive: Any, name: str, path: Path) -> Any:
    import zipfile

    try:
        info = archive.getinfo(name)
    except KeyError:
        raise FramecheckError(f"{path}: not a framecheck model file (no {name} inside)") from None
    if info.file_size > MAX_MEMBER_BYTES:
        raise FramecheckError(f"{path}: not a framecheck model file ({name} is {info.file_size:,} bytes)")
    try:
        return json.loads(archive.read(info).decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise FramecheckError(f"{path}: corrupt model file ({name}: {_plain_reason(exc)})") from None
    except zipfile.BadZipFile as exc:  # a damaged member: CRC mismatch, bad compressed data
        raise FramecheckError(f"{path}: corrupt model file ({_plain_reason(exc)})") from None


def _reject_constant(name: str) -> float:
    raise json.JSONDecodeError(f"{name} is not a number a model may hold", name, 0)


def _model_from(meta: Any, weights: Any, path: Path) -> LearnedModel:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise FramecheckError(f"{path}: not a framecheck model file (its description names no framecheck model)")
    if meta.get("format_version") != FORMAT_VERSION or meta.get("feature_version") not in READABLE_FEATURE_VERSIONS:
        raise FramecheckError(
            f"{path}: model made for feature version {meta.get('feature_version')!r} "
            f"(file format {meta.get('format_version')!r}); this framecheck reads feature version "
            f"{FEATURE_VERSION} (format {FORMAT_VERSION}): train it again with 'framecheck train'"
        )
    weights = _weights(weights, path)
    transitions = meta.get("transitions")
    if not isinstance(transitions, dict) or set(transitions) != {"OO", "OI", "IO", "II"} or not all(
        _finite(v) for v in transitions.values()
    ):
        raise FramecheckError(f"{path}: corrupt model file (transitions must give OO, OI, IO and II)")
    thresholds = _thresholds(meta.get("thresholds"), path, "thresholds")
    _check_article_score(meta.get("article_score"), path)
    _check_reliability(meta.get("reliability"), path)
    extra = {k: v for k, v in meta.items() if k not in ("transitions", "thresholds", "unfamiliar")}
    return LearnedModel(weights, {k: float(v) for k, v in transitions.items()}, thresholds, extra)


def _thresholds(raw: Any, path: Path, what: str) -> Thresholds:
    names = set(Thresholds.__dataclass_fields__)
    if not isinstance(raw, dict) or set(raw) != names or not all(_finite(v) and 0 <= v <= 1 for v in raw.values()):
        expected = ", ".join(sorted(names))
        raise FramecheckError(f"{path}: corrupt model file ({what} must be {expected}, each 0 to 1)")
    return Thresholds(**{k: float(v) for k, v in raw.items()})


def _unfamiliar(raw: Any, profile: Any, path: Path) -> tuple[Unfamiliar, Familiarity]:
    """The thresholds for unfamiliar articles and the profile that tells them, checked."""
    if not isinstance(raw, dict) or set(raw) != {"below", "thresholds"} or not (
            _finite(raw["below"]) and 0 <= raw["below"] <= 1):
        raise FramecheckError(f"{path}: corrupt model file (unfamiliar must give 'below', 0 to 1, and 'thresholds')")
    thresholds = _thresholds(raw["thresholds"], path, "unfamiliar thresholds")
    try:
        familiarity = Familiarity.from_dict(profile)
    except (ValueError, TypeError, OverflowError) as exc:
        raise FramecheckError(f"{path}: corrupt model file ({FAMILIARITY_NAME}: {exc})") from None
    return Unfamiliar(float(raw["below"]), thresholds), familiarity


def _check_article_score(fitted: Any, path: Path) -> None:
    """A fitted article score, if any, maps known techniques to factors a score may use."""
    if fitted is None:
        return
    factors = fitted.get("technique") if isinstance(fitted, dict) else None
    if not isinstance(factors, dict) or not all(
        name in TECHNIQUES and _finite(value) and 0 <= value <= MAX_FACTOR for name, value in factors.items()
    ):
        raise FramecheckError(f"{path}: corrupt model file (article_score.technique must map techniques to "
                              f"factors from 0 to {MAX_FACTOR:g})")


def _check_reliability(curve: Any, path: Path) -> None:
    """A reliability curve, if any, is a list of bins whose bounds and precision are 0 to 1."""
    if curve is None:
        return
    bounds = ("low", "high", "precision")
    if not isinstance(curve, list) or not all(
        isinstance(row, dict) and all(_finite(row.get(key)) and 0 <= row[key] <= 1 for key in bounds) for row in curve
    ):
        raise FramecheckError(f"{path}: corrupt model file (reliability must list bins with low, high and precision "
                              "from 0 to 1)")


def _weights(weights: Any, path: Path) -> dict[str, float]:
    """The feature weights as floats, checked in bulk (a model holds tens of thousands; JSON object
    keys are always strings, but a value could be anything, or overflow to infinity)."""
    if isinstance(weights, dict) and set(map(type, weights.values())) <= {int, float}:
        values = np.fromiter(weights.values(), np.float64, len(weights))
        if np.isfinite(values).all():
            return dict(zip(weights, values.tolist()))
    raise FramecheckError(f"{path}: corrupt model file (weights must map feature names to numbers)")


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
