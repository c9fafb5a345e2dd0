"""Generate a large TipSite network for benchmarks, fast.

    .venv/bin/python bench/generate.py --size quick|full [--database-url URL]

Migrates the database, empties what an earlier run loaded (and refuses to empty anything it did
not load), bulk-inserts topics, categories, gurus, tips and comments, builds the search index
once, and writes bench/last_run.json (the pages bench/run.py loads) and the lists of addresses
the crawl and zipf rows walk (bench/data/lists/). Without --database-url or
DATABASE_URL it uses bench/data/bench.sqlite3, never the development database.
"""

import argparse
import dataclasses
import datetime
import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
DEFAULT_DATABASE_URL = f"sqlite:///{BENCH_DIR / 'data' / 'bench.sqlite3'}"
DEFAULT_MANIFEST = BENCH_DIR / "last_run.json"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=["tiny", "quick", "full"], default="full")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        help="default: $DATABASE_URL, else bench/data/bench.sqlite3 (never the development "
        "database; a database holding topics this script did not make is refused)",
    )
    for name in ("tips", "comments", "topics", "categories", "gurus"):
        parser.add_argument(f"--{name}", type=int, help=f"override the size's number of {name}")
    parser.add_argument("--seed", type=int, default=2024, help="same seed, same network")
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    return parser.parse_args()


def ensure_postgres_database(url: str) -> None:
    """Create the benchmark's database on a server that does not have it yet."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(database_url: str) -> None:
    """Development settings with DEBUG off: no query log growing by a million entries."""
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    elif database_url.startswith("postgres"):
        ensure_postgres_database(database_url)
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "tipsite.settings.development"
    os.environ["DEBUG"] = "false"
    sys.path.insert(0, str(PROJECT_DIR))

    import django

    django.setup()


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)

    # Models can be imported only now that Django is set up.
    from bench.network import SIZES, build
    from bench.progress import Phases

    overrides = {
        name: getattr(args, name)
        for name in ("tips", "comments", "topics", "categories", "gurus")
        if getattr(args, name) is not None
    }
    size = dataclasses.replace(SIZES[args.size], **overrides)
    print(
        f"Generating the {args.size} network ({size.tips:,} tips, {size.comments:,} comments, "
        f"{size.topics} topics, {size.categories} categories, {size.gurus} gurus)",
        flush=True,
    )
    phases = Phases()
    manifest = build(size=size, seed=args.seed, phases=phases)
    manifest["generated_at"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    manifest["preset"] = args.size
    manifest["seconds"] = {**phases.seconds, "total": phases.total}
    manifest["lists"] = write_lists(manifest["lists"], args.manifest.parent / "data" / "lists")
    args.manifest.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"Done in {phases.total:.1f} s; pages to load are in {args.manifest}")


def write_lists(lists: dict[str, list[str]], folder: Path) -> dict[str, dict]:
    """Each list of addresses in a file of its own, one a line: bench/run.py walks them."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for kind, paths in lists.items():
        path = folder / f"{kind}.txt"
        path.write_text("".join(f"{p}\n" for p in paths), encoding="utf-8")
        written[kind] = {"path": str(path), "count": len(paths)}
    return written


if __name__ == "__main__":
    main()
