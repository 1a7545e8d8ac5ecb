"""The geoevents command line: a thin layer over the library."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from geoevents import __version__
from geoevents import errors as E
from geoevents.errors import EXIT_PROBLEMS, EXIT_VALID

DEBUG = "GEOEVENTS_DEBUG"


class Guarded(click.Group):
    """A click group whose commands never end in a traceback.

    Foreseen failures (``geoevents.errors``) print their message and hint and exit
    with their code; an OSError is the environment (exit 3) with its path; anything
    else is an internal error (exit 4), whose traceback ``GEOEVENTS_DEBUG=1`` shows.
    """

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except E.GeoeventsError as exc:
            _fail(exc)
        except OSError as exc:
            _fail(E.from_os_error(exc, "read or write"))
        except MemoryError:
            _fail(E.EnvironmentFailure("out of memory", "the input is too large for this machine"))
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # a bug: say so in one line
            if os.environ.get(DEBUG):
                raise
            click.echo(f"internal error: {type(exc).__name__}: {str(exc)[:300]}", err=True)
            click.echo(f"hint: this is a bug in geoevents; run again with {DEBUG}=1 to see "
                       "the traceback, and report it", err=True)
            sys.exit(E.EXIT_INTERNAL)


def _fail(exc: E.GeoeventsError):
    if os.environ.get(DEBUG):
        raise exc
    table = getattr(exc, "problems", None)
    if table is not None and table.height:
        from geoevents import problems

        click.echo(problems.to_text(table))
    click.echo(f"error: {exc.message}", err=True)
    if exc.hint:
        click.echo(f"hint: {exc.hint}", err=True)
    sys.exit(exc.exit_code)


@click.group(cls=Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="geoevents")
def main() -> None:
    """Validate, build and load the geoevents dataset.

    Exit status: 0 valid, 1 problems in the data, 2 usage error, 3 the environment
    stopped it (permission, disk, network, corrupt cache or index), 4 internal error
    (GEOEVENTS_DEBUG=1 shows the traceback).
    """
    from geoevents.codebook import pandera as _pandera

    _pandera.HIDE_OPTIONAL = True  # this process is ours: keep pandas out of validate


@main.command()
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="The annotation project (holds seeds/ and annotations/).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text for people, json for machines.")
@click.option("--strict", is_flag=True, help="Treat warnings as problems too (exit 1).")
@click.option("--errors-only", is_flag=True,
              help="Do not print warnings (the summary counts them; the exit status is "
                   "the same: with --strict, warnings still fail).")
def validate(root: Path, fmt: str, strict: bool, errors_only: bool) -> None:
    """Check every annotation file; report every problem with file and line.

    Exit status: 0 valid, 1 problems found, 2 usage error, 3 environment, 4 internal.
    """
    from geoevents import check, problems

    result = check.run(root)  # NotAProject (exit 2) for a folder that is none
    found = result.problems
    click.echo(problems.to_json(found, errors_only) if fmt == "json"
               else problems.to_text(found, errors_only))
    failing = found if strict else result.errors
    sys.exit(EXIT_PROBLEMS if failing.height else EXIT_VALID)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Scaffold an empty annotation project in DIRECTORY."""
    from geoevents import scaffold

    try:
        made = scaffold.init(directory)
    except FileExistsError as exc:
        raise click.UsageError(str(exc)) from None
    for path in made:
        click.echo(f"created {path}")
    click.echo(f"next: copy source texts into {directory}/seeds/ and run "
               f"'geoevents validate --root {directory}'")


@main.command()
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Use this project's schemas/ (default: the packaged codebook).")
@click.option("--table", default="events", show_default=True, help="Table the schema describes.")
def schema(root: Path | None, table: str) -> None:
    """Print the JSON Schema of a YAML annotation file (for editors)."""
    from geoevents.codebook import jsonschema, load_codebook, schemas_dir

    codebook = load_codebook(schemas_dir(root))
    if table not in codebook.tables:
        raise click.UsageError(f"no table {table!r}; tables: {', '.join(codebook.tables)}")
    click.echo(jsonschema.dumps(codebook, table))


@main.command()
@click.argument("version", required=False)
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="The annotation project.")
@click.option("--check", "check_only", is_flag=True,
              help="Rebuild the latest release elsewhere and compare it byte for byte.")
@click.option("--docs", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also write great-expectations Data Docs (HTML) to this folder.")
def build(version: str | None, root: Path, check_only: bool, docs: Path | None) -> None:
    """Validate, then publish release VERSION to dataset/VERSION/.

    Refuses invalid or unchecked data, a version that understates the change,
    a version without its CHANGELOG.md section, and a version already published.
    """
    from geoevents import release

    if check_only:
        latest, differing = release.check_latest(root)
        if differing:
            click.echo(f"dataset/{latest} drifts from a rebuild; differing files:")
            for name in differing:
                click.echo(f"  {name}")
            sys.exit(EXIT_PROBLEMS)
        click.echo(f"dataset/{latest} rebuilds byte for byte")
        return
    if not version:
        raise click.UsageError("give the VERSION to build, or --check")
    built = release.build(root, version, docs=docs)
    for note in built.notes:
        click.echo(f"note: {note}")
    if built.finished:  # an interrupted build of this version was finished
        click.echo(f"dataset/{version} is published; dataset/index.json updated")
        return
    added = len(built.changes["tables"].get("events", {}).get("added", []))
    click.echo(f"built dataset/{version} ({added} event(s) added since "
               f"{built.previous or 'nothing'}); dataset/index.json updated")


@main.command()
@click.argument("old")
@click.argument("new")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="The project holding dataset/.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def diff(old: str, new: str, root: Path, fmt: str) -> None:
    """The change list between two published releases."""
    from geoevents import release
    from geoevents.release import changes, metadata

    before, after = release.read_verified(root, old), release.read_verified(root, new)
    keys = release.release_keys(root, old) | release.release_keys(root, new)
    doc = {"previous": old, "version": new, **changes.diff(before, after, keys)}
    click.echo(metadata.dumps(doc) if fmt == "json" else changes.to_text(doc))


@main.command()
def versions() -> None:
    """The published releases: which ship with the package, which are cached, and
    whether those copies verify against index.json.

    state: verified (loads offline), remote (downloads on first use), corrupt (a
    cached file differs: the next download replaces it) or tampered (a bundled file
    differs: load() refuses it; exit 3).
    """
    from geoevents import loading as load

    releases = load.versions()
    click.echo(f"{'version':<10} {'date':<11} {'bundled':<9} {'cached':<9} state")
    for r in releases:
        click.echo(f"{r:<10} {r.date:<11} {r.bundled:<9} {r.cached:<9} {r.state}")
    for r in releases:
        for problem in r.problems:
            click.echo(f"{r}: {problem}")
    click.echo(f"cache: {load.cache_dir()}  source: {load.display_url()}")
    tampered = [r for r in releases if r.state == "tampered"]
    if tampered:
        raise E.TamperedRelease(
            f"bundled files of {', '.join(tampered)} differ from index.json (listed above)",
            "reinstall geoevents, or in a source tree restore dataset/ from version control")


@main.command()
@click.argument("version")
def fetch(version: str) -> None:
    """Download and verify every file of release VERSION into the cache."""
    from geoevents import loading as load

    folder = load.fetch(version)
    click.echo(str(folder))
