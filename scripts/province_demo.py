"""A post-2025 province for `make demo-province`: a workspace in build/province/ (made by `cchc init`) holding
the registry of «tỉnh Minh Hải» (a made-up province: 10 agencies, 118 communes and wards, a special zone),
twelve months of unit-month statistics (2025-07 … 2026-06), the example commune-level criteria as its 2026 set and
its communes' self-assessed scores for 2026-H1, deterministic from a seed.

    .venv/bin/python scripts/province_demo.py [FOLDER]
"""

from __future__ import annotations

import csv
import random
import subprocess
import sys
from pathlib import Path

AGENCIES = (
    "Sở Tài chính",
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Xây dựng",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Nông nghiệp và Môi trường",
    "Sở Công Thương",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Thanh tra tỉnh",
)
SYLLABLES = (
    "An",
    "Bình",
    "Cát",
    "Đông",
    "Hòa",
    "Hưng",
    "Khánh",
    "Lạc",
    "Long",
    "Minh",
    "Mỹ",
    "Nam",
    "Ngọc",
    "Phú",
    "Phước",
    "Quang",
    "Tân",
    "Thạnh",
    "Thuận",
    "Trung",
    "Vĩnh",
    "Xuân",
    "Yên",
    "Hải",
)
MONTHS = [f"{2025 + (m + 6) // 12}-{(m + 6) % 12 + 1:02d}" for m in range(12)]


def registry(folder: Path, rng: random.Random) -> list[tuple[str, str, str, str]]:
    units = [("tinh-minh-hai", "UBND tỉnh Minh Hải", "tỉnh Minh Hải", "tinh")]
    units += [(f"so-{i:02d}", name, name, "co_quan") for i, name in enumerate(AGENCIES, start=1)]
    names: set[str] = set()
    while len(names) < 118:
        names.add(f"{rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)}")
    for i, name in enumerate(sorted(names), start=1):
        kind = "phuong" if i % 4 == 0 else "xa"
        units.append((f"dv-{i:03d}", f"UBND {'phường' if kind == 'phuong' else 'xã'} {name}", name, kind))
    units.append(("dac-khu-hon-ngoc", "UBND đặc khu Hòn Ngọc", "Hòn Ngọc", "dac_khu"))
    with (folder / "params" / "units" / "minh-hai.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "short_name", "kind", "parent", "valid_from", "valid_to", "aliases"])
        for uid, name, short, kind in units:
            w.writerow([uid, name, short, kind, "" if kind == "tinh" else "tinh-minh-hai", "2025-07-01", "", ""])
    return units


def statistics(folder: Path, units: list[tuple[str, str, str, str]], rng: random.Random) -> list[Path]:
    heads = [
        "ky",
        "don_vi",
        "tiep_nhan",
        "so_hoa_tiep_nhan",
        "ket_qua",
        "so_hoa_ket_qua",
        "co_phi",
        "thanh_toan_truc_tuyen",
        "ky_truoc_chuyen_sang",
        "phai_truc_tuyen",
        "truc_tuyen",
        "dung_han",
        "qua_han",
        "dang_giai_quyet",
        "chung_thuc_dien_tu",
    ]
    size = {u[0]: rng.randint(30, 900) for u in units}
    quality = {u[0]: rng.uniform(0.8, 1.0) for u in units}
    files = []
    for month in MONTHS:
        path = folder / "so-lieu" / f"so-lieu-{month}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(heads)
            for uid, name, _, kind in units:
                if kind == "tinh":
                    continue
                n = max(1, int(size[uid] * rng.uniform(0.8, 1.2)))
                q = min(1.0, quality[uid] + rng.uniform(-0.05, 0.05))
                done = int(n * rng.uniform(0.85, 1.0))
                fee = int(n * rng.uniform(0.2, 0.6))
                online = int(n * rng.uniform(0.9, 1.0))
                late = rng.choice((0, 0, 0, 1))
                w.writerow(
                    [
                        month,
                        name,
                        n,
                        int(n * q),
                        done,
                        int(done * q),
                        fee,
                        int(fee * rng.uniform(0.1, 0.9)),
                        rng.randint(0, 20),
                        n,
                        online,
                        max(0, done - late),
                        late,
                        rng.randint(0, 30),
                        rng.randint(0, 40) if kind != "co_quan" else 0,
                    ]
                )
        files.append(path)
    return files


def scores(folder: Path, units: list[tuple[str, str, str, str]], rng: random.Random) -> Path:
    """The example criteria (params/criteria/examples/cap-xa-sau-2025.yaml) as this province's for 2026, and every
    commune's self-assessed scores for 2026-H1."""
    import yaml

    example = folder / "params" / "criteria" / "examples" / "cap-xa-sau-2025.yaml"
    text = example.read_text(encoding="utf-8").replace("area: vi-du", "area: minh-hai")
    (folder / "params" / "criteria" / "minh-hai-2026-xa.yaml").write_text(text, encoding="utf-8")
    spec = yaml.safe_load(text)
    path = folder / "so-lieu" / "tu-cham-2026-H1.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ky", "don_vi", "tieu_chi", "diem"])
        for _, name, _, kind in units:
            if kind not in spec["applies_to"]:
                continue
            for field in spec["fields"]:
                for c in field["criteria"]:
                    if c.get("method", "self") == "self":
                        w.writerow(["2026-H1", name, c["id"], round(c["max"] * rng.uniform(0.6, 1.0) * 2) / 2])
    return path


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "build/province").resolve()
    cchc = str(Path(sys.executable).with_name("cchc"))
    subprocess.run([cchc, "init", str(folder)], check=True, stdout=subprocess.DEVNULL)
    rng = random.Random(2025)
    units = registry(folder, rng)
    files = statistics(folder, units, rng)
    scores(folder, units, rng)
    print(f"{folder}: {len(units) - 1} đơn vị, {len(files)} tháng số liệu, điểm tự chấm 2026-H1")


if __name__ == "__main__":
    main()
