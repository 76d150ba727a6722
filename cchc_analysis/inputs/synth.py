"""A deterministic generator of realistic dossier lists, from one district (the registry's units) to the whole
country (3.321 commune-level units): skewed unit sizes, seasonality, fields, and rates near the seeds' levels.

The same seed gives the same file, chunk by chunk, so a benchmark of 100 million dossiers never holds them
in memory at once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from cchc_analysis.inputs.units import Registry

FIELDS = (
    "Hộ tịch",
    "Chứng thực",
    "Đất đai",
    "Lao động - Thương binh và Xã hội",
    "Tư pháp",
    "Xây dựng",
    "Thành lập và hoạt động doanh nghiệp",
    "Văn hóa",
    "Giáo dục và Đào tạo",
    "Y tế",
    "Nông nghiệp",
    "Tài chính",
)
FIELD_WEIGHTS = np.array([30, 25, 12, 10, 6, 4, 3, 3, 2, 2, 2, 1], dtype=float)
# Fewer dossiers around Tết (January–February), more in mid-year.
SEASON = np.array([0.75, 0.7, 1.0, 1.0, 1.05, 1.1, 1.1, 1.05, 1.0, 1.0, 1.05, 1.1])
CHUNK = 2_000_000
SCHEMA = pa.schema(
    [
        ("unit", pa.string()),
        ("field", pa.string()),
        ("procedure_code", pa.string()),
        ("received_at", pa.date32()),
        ("due_at", pa.date32()),
        ("resolved_at", pa.date32()),
        ("status", pa.string()),
        ("channel", pa.string()),
        ("online_required", pa.bool_()),
        ("digitized_input", pa.bool_()),
        ("result_required", pa.bool_()),
        ("digitized_output", pa.bool_()),
        ("fee", pa.float64()),
        ("paid_online", pa.bool_()),
        ("reused_data", pa.bool_()),
        ("e_cert", pa.bool_()),
    ]
)


def unit_names(units: int, registry: Registry | None) -> list[str]:
    """The registry's units when it has enough; otherwise numbered commune names."""
    if registry is not None:
        names = [u.name for u in registry.units if u.kind not in ("huyen", "tinh")]
        if units <= len(names):
            return names[:units]
    return [f"UBND xã Tổng Hợp {i:04d}" for i in range(1, units + 1)]


def write_registry(names: list[str], path: Path) -> None:
    """A registry for generated names, so the generated file ingests."""
    lines = ["id,name,short_name,kind,parent,valid_from,valid_to,aliases"]
    lines += [f"synth-{i:04d},{n},{n.removeprefix('UBND xã ')},xa,synth,,," for i, n in enumerate(names, start=1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _chunk(
    rng: np.random.Generator, n: int, names: np.ndarray, weights: np.ndarray, year: int, months: int
) -> pa.Table:
    unit_idx = rng.choice(len(names), size=n, p=weights)
    season = SEASON[:months] / SEASON[:months].sum()
    month = rng.choice(months, size=n, p=season)
    start = np.array([(dt.date(year, m + 1, 1) - dt.date(1970, 1, 1)).days for m in range(months)])
    length = np.array(
        [((dt.date(year + (m + 1) // 12, (m + 1) % 12 + 1, 1)) - dt.date(year, m + 1, 1)).days for m in range(months)]
    )
    received = start[month] + (rng.random(n) * length[month]).astype(np.int32)
    allowed = rng.choice(np.array([1, 3, 5, 7, 10, 15]), size=n, p=[0.3, 0.25, 0.2, 0.1, 0.1, 0.05])
    due = received + allowed
    fate = rng.random(n)
    # 99,9% on time among resolved; 0,6% returned; 0,02% cancelled; 0,5% open, a tenth of them paused
    status = np.where(
        fate < 0.006,
        "tra_lai",
        np.where(
            fate < 0.0062,
            "huy",
            np.where(fate < 0.0112, np.where(rng.random(n) < 0.1, "tam_dung", "dang_giai_quyet"), "da_giai_quyet"),
        ),
    )
    late = rng.random(n) < 0.001
    took = np.where(late, allowed + 1 + rng.integers(0, 10, n), (rng.random(n) * (allowed + 1)).astype(np.int64))
    resolved = np.where(np.isin(status, ["dang_giai_quyet", "tam_dung"]), -1, received + took)
    online_required = rng.random(n) < 0.97
    online = online_required & (rng.random(n) < 0.995)
    channel = np.where(online, "truc_tuyen", np.where(rng.random(n) < 0.95, "truc_tiep", "buu_chinh"))
    result_required = status == "da_giai_quyet"
    fee = np.where(rng.random(n) < 0.3, rng.choice(np.array([10_000.0, 20_000.0, 50_000.0, 100_000.0]), n), 0.0)
    field = rng.choice(len(FIELDS), size=n, p=FIELD_WEIGHTS / FIELD_WEIGHTS.sum())
    fields = np.array(FIELDS, dtype=object)[field]
    codes = np.char.add("TT-", (field * 100 + rng.integers(1, 40, n)).astype(str))
    return pa.table(
        {
            "unit": pa.array(names[unit_idx], pa.string()),
            "field": pa.array(fields, pa.string()),
            "procedure_code": pa.array(codes, pa.string()),
            "received_at": pa.array(received, pa.int32()).cast(pa.date32()),
            "due_at": pa.array(due.astype(np.int32), pa.int32()).cast(pa.date32()),
            "resolved_at": pa.array(
                np.where(resolved < 0, 0, resolved).astype(np.int32), pa.int32(), mask=resolved < 0
            ).cast(pa.date32()),
            "status": pa.array(status, pa.string()),
            "channel": pa.array(channel, pa.string()),
            "online_required": pa.array(online_required),
            "digitized_input": pa.array(rng.random(n) < 0.96),
            "result_required": pa.array(result_required),
            "digitized_output": pa.array(result_required & (rng.random(n) < 0.96)),
            "fee": pa.array(fee),
            "paid_online": pa.array((fee > 0) & (rng.random(n) < 0.4)),
            "reused_data": pa.array(rng.random(n) < 0.3),
            "e_cert": pa.array(rng.random(n) < 0.01),
        },
        schema=SCHEMA,
    )


def synthesize(
    out: Path,
    dossiers: int,
    units: int,
    seed: int = 1,
    year: int = 2023,
    months: int = 12,
    registry: Registry | None = None,
) -> list[str]:
    """Write ``dossiers`` rows to ``out`` (Parquet), chunk by chunk; returns the unit names used."""
    names = unit_names(units, registry)
    sizes = np.random.default_rng(seed).lognormal(mean=0, sigma=0.8, size=len(names))  # skewed unit sizes
    weights = sizes / sizes.sum()
    arr = np.array(names, dtype=object)
    out.parent.mkdir(parents=True, exist_ok=True)
    with pq.ParquetWriter(out, SCHEMA, compression="zstd") as writer:
        for k, start in enumerate(range(0, dossiers, CHUNK)):
            rng = np.random.default_rng([seed, k])
            writer.write_table(
                _chunk(rng, min(CHUNK, dossiers - start), arr, weights, year, months), row_group_size=500_000
            )
    return names
