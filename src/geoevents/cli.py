"""The geoevents command line: a thin layer over the library."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from geoevents import __version__
from geoevents import errors as E
from geoevents.errors import EXIT_PROBLEMS, EXIT_VALID, UsageError

DEBUG = "GEOEVENTS_DEBUG"


class Guarded(click.Group):
    """A click group whose commands never end in a traceback.

    Foreseen failures (``geoevents.errors``) print their message and hint and exit
    with their code; an OSError is the environment (exit 3) with its path; anything
    else is an internal error (exit 4), whose traceback ``GEOEVENTS_DEBUG=1`` shows.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Arguments are UTF-8 text: a name or value that is not (bytes the system passed
        through as they were) is refused here, before any command writes it anywhere."""
        for arg in args:
            try:
                arg.encode("utf-8")
            except UnicodeEncodeError:
                shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                raise click.UsageError(f"the argument '{shown}' is not UTF-8 text: names and "
                                       "values are read and written as UTF-8",
                                       ctx=ctx) from None
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        if sys.stdout is None:  # started with standard output closed: what it says is lost
            click.echo("error: standard output is closed: nothing can be written", err=True)
            click.echo("hint: open standard output (or redirect it to a file)", err=True)
            sys.exit(E.EXIT_ENVIRONMENT)
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:  # the reader left (| head): stop quietly, as cat does
            _quiet_stdout()
            sys.exit(EXIT_PROBLEMS)
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


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's last flush fails no more."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


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


class RootPath(click.Path):
    """A --root folder; an empty one is a usage error, not the current folder (which
    is what Path('') would silently be)."""

    def convert(self, value, param, ctx):
        if isinstance(value, str) and not value.strip():
            self.fail("is empty: name the project folder (--root . for the current one)",
                      param, ctx)
        return super().convert(value, param, ctx)


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
@click.option("--root", type=RootPath(file_okay=False, path_type=Path), default=".",
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
    click.echo(problems.to_json(found, errors_only, strict=strict) if fmt == "json"
               else problems.to_text(found, errors_only, strict=strict))
    failing = found if strict else result.errors
    sys.exit(EXIT_PROBLEMS if failing.height else EXIT_VALID)


@main.command("sign-off")
@click.argument("event_ids", nargs=-1, metavar="EVENT_ID...")
@click.option("--by", "curator", required=True, metavar="CURATOR",
              help="The curator who checked the events (a curator_id of the curators table).")
@click.option("--on", "day", metavar="YYYY-MM-DD", default=None,
              help="The day of the check (default: today).")
@click.option("--all-clean", is_flag=True,
              help="Sign off every event not yet checked that has no error; list the others.")
@click.option("--force", is_flag=True,
              help="Sign off again named events already checked (their check is replaced).")
@click.option("--root", type=RootPath(file_okay=False, path_type=Path), default=".",
              show_default=True, help="The annotation project.")
def sign_off(event_ids: tuple[str, ...], curator: str, day: str | None, all_clean: bool,
             force: bool, root: Path) -> None:
    """Write checked_by and checked_on into each event's record, changing nothing else.

    Refuses (and writes nothing) if any event named is unknown, has errors, is
    checked already (unless --force), or, when geoevents.yaml sets distinct_checker:
    true, was annotated by CURATOR; refuses a CURATOR the curators table lacks.
    """
    from geoevents import signoff

    try:
        done = signoff.sign_off(root, event_ids, by=curator, on=day, all_clean=all_clean,
                                force=force)
    except signoff.Refused as exc:
        for refusal in exc.refusals:
            click.echo(refusal.text())
        raise
    for s in done.signed:
        click.echo(f"signed off {s.event_id} ({s.file}, line {s.line})")
    for refusal in done.skipped:
        click.echo(f"skipped {refusal.text()}")
    if done.already_checked:
        click.echo(f"skipped {len(done.already_checked)} event(s) checked already")
    if not done.signed:
        click.echo("nothing to sign off")
        return
    files = f"wrote {', '.join(done.written)}" if done.written else "no file changed"
    click.echo(f"{len(done.signed)} event(s) signed off by {done.by} on {done.on.isoformat()}; "
               f"{files}")


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--data-license", default=None, metavar="SPDX",
              help="The data's licence, an SPDX identifier such as CC-BY-4.0 (default: a "
                   "placeholder in geoevents.yaml to fill in).")
def init(directory: Path, data_license: str | None) -> None:
    """Scaffold an annotation project in DIRECTORY: the project file, CHANGELOG.md, a
    data licence file, a curation guide, .gitignore, empty annotation files and a
    copy of the codebook."""
    from geoevents import scaffold

    try:
        made = scaffold.init(directory, data_license)
    except FileExistsError as exc:
        raise click.UsageError(str(exc)) from None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--data-license") from None
    for path in made:
        click.echo(f"created {path}")
    click.echo(f"next: fill in {directory}/geoevents.yaml, copy source texts into "
               f"{directory}/seeds/ and register each with 'geoevents source add "
               f"seeds/FILE --root {directory}', then 'geoevents validate --root {directory}'")


@main.group()
def source() -> None:
    """Register source texts (seeds/ and seeds/sources.yaml)."""


@source.command("add")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--root", type=RootPath(file_okay=False, path_type=Path), default=".",
              show_default=True, help="The annotation project.")
@click.option("--id", "source_id", default=None,
              help="The source's ID (a lowercase slug); default: from the file name.")
@click.option("--language", default=None,
              help="ISO 639-1 code of the text's language; default: guessed from the text.")
@click.option("--title", default=None,
              help="Title in the original language; default: the text's first line.")
@click.option("--set", "values", multiple=True, metavar="FIELD=VALUE",
              help="Any other field of the record (repeatable), e.g. --set publisher=KCNA.")
def source_add(file: Path, root: Path, source_id: str | None, language: str | None,
               title: str | None, values: tuple[str, ...]) -> None:
    """Register FILE as a source: copy it into seeds/ if it is not there, and append
    its record (sha256, language, ID, title, placeholders) to seeds/sources.yaml."""
    from geoevents import sources

    given = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise E.UsageError(f"--set {item!r} is not FIELD=VALUE",
                               "for example --set publisher=KCNA")
        given[name.strip()] = value
    if title is not None:
        given["title"] = title
    added = sources.add(root, file, source_id=source_id, language=language, values=given)
    if added.copied_from is not None:
        click.echo(f"copied {added.copied_from} to seeds/{added.file}")
    if added.created:
        click.echo(f"created {added.location}")
    first, last = added.lines
    click.echo(f"registered seeds/{added.file} as source {added.source_id} in "
               f"{added.location} (lines {first}-{last}):")
    width = max(len(name) for name in added.values)
    for name, value in added.values.items():
        click.echo(f"  {name:<{width}}  {value}")
    if added.language_guessed:
        code, confidence = added.language_guessed
        click.echo(f"language {code} is a guess ({confidence:.0%} sure): if it is wrong, "
                   f"correct it in {added.location}")
    if added.todo:
        click.echo(f"left to fill in ({added.location}): " + ", ".join(
            f"{name} (line {line})" for name, line in added.todo.items()))
    click.echo(f"next: geoevents validate --root {root}")


@main.command()
@click.option("--root", type=RootPath(exists=True, file_okay=False, path_type=Path), default=None,
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
@click.option("--root", type=RootPath(file_okay=False, path_type=Path), default=".",
              show_default=True, help="The annotation project.")
@click.option("--check", "check_only", is_flag=True,
              help="Rebuild the latest release elsewhere and compare it byte for byte.")
@click.option("--docs", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also write great-expectations Data Docs (HTML) to this folder.")
@click.option("--dry-run", is_flag=True,
              help="Report every refusal, the version the change needs and the change list; "
                   "write nothing.")
def build(version: str | None, root: Path, check_only: bool, docs: Path | None,
          dry_run: bool) -> None:
    """Validate, then publish release VERSION to dataset/VERSION/.

    Refuses invalid or unchecked data, a version that understates the change,
    a version without its CHANGELOG.md section, and a version already published
    (all of them at once). --dry-run shows them, with the change list, and
    writes nothing.
    """
    from geoevents import release

    if dry_run:
        if not version or check_only or docs:
            raise click.UsageError("--dry-run needs the VERSION to try, and no --check or --docs")
        _dry_run(root, version)
        return
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
    from geoevents.release import changes

    click.echo(f"built dataset/{version} ({changes.bump_reasons(built.changes)} since "
               f"{built.previous or 'nothing'}); dataset/index.json updated")


def _dry_run(root: Path, version: str) -> None:
    from geoevents import problems, release

    p, notes = release.dry_run(root, version)
    for note in notes:
        click.echo(f"note: {note}")
    click.echo(f"dry run of {version}: nothing is written")
    if p is None:
        click.echo(f"{version} would be published as the interrupted build left it")
        return
    _echo_change(p, "change list: none while the annotations have errors")
    if not p.refusals:
        click.echo(f"{version} would be built")
        return
    error = p.error()
    if error.problems is not None and error.problems.height:
        click.echo(problems.to_text(error.problems))
    click.echo(f"refused: {error.message}")
    if error.hint:
        click.echo(f"hint: {error.hint}")
    sys.exit(error.exit_code)


def _echo_change(p, unknown: str) -> None:
    """The change in words and its list, or ``unknown`` while there is none."""
    from geoevents.release import changes

    if p.changes is None:
        click.echo(unknown)
        return
    click.echo(f"change: {changes.explain(p.changes)}")
    for line in changes.listing(p.changes):
        click.echo(f"  {line}")


@main.command()
@click.argument("old")
@click.argument("new")
@click.option("--root", type=RootPath(file_okay=False, path_type=Path), default=None,
              help="The project holding dataset/ (default: the current folder if it is an "
                   "annotation project, else the releases geoevents knows).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def diff(old: str, new: str, root: Path | None, fmt: str) -> None:
    """The change list from OLD to NEW: published versions, LATEST (the latest
    release) or . (the working annotations of --root).

    Inside an annotation project (or with --root), versions are those of its
    dataset/; anywhere else, those geoevents knows (bundled, cached or downloaded,
    verified as load() verifies them)."""
    from geoevents import release
    from geoevents.check import is_project
    from geoevents.release import changes, metadata

    if root is None and not is_project(Path(".")):
        doc = release.compare_releases(old, new)
    else:
        doc = release.compare(root if root is not None else Path("."), old, new)
    click.echo(metadata.dumps(doc) if fmt == "json" else changes.to_text(doc))


@main.command()
@click.option("--root", type=RootPath(file_okay=False, path_type=Path), default=".",
              show_default=True, help="The annotation project.")
def status(root: Path) -> None:
    """Where the working annotations stand: problems, the change since the latest
    release and the least version it needs (same as 'diff LATEST .', in short)."""
    from geoevents import problems, release

    p = release.status(root)
    found = p.result.problems
    unchecked = found.filter(found["rule"] == "unchecked").height
    click.echo(f"latest release: {p.previous or 'none'}")
    click.echo(f"annotations: {problems.summary(found)}"
               + (f" ({unchecked} unchecked event(s))" if unchecked else ""))
    _echo_change(p, "change: unknown until the errors are fixed (geoevents validate lists them)")
    blockers = [r for r in p.refusals if r.kind in ("change", "releases")]
    for r in blockers:  # what stops every next release, whatever its version
        click.echo(f"blocks any release: {r.message}")
        click.echo(f"  hint: {r.hint}")
    if p.changes is None or blockers:
        sys.exit(max([EXIT_PROBLEMS] + [r.exit_code for r in blockers]))


@main.command()
@click.argument("version", required=False)
@click.option("--root", type=RootPath(file_okay=False, path_type=Path), default=".",
              show_default=True, help="The annotation project.")
@click.option("--date", "day", default=None, help="The release date (default: today).")
@click.option("--write", is_flag=True,
              help="Insert the section into CHANGELOG.md (newest first) instead of printing it.")
def changelog(version: str | None, root: Path, day: str | None, write: bool) -> None:
    """Draft the CHANGELOG.md section of the next release from its change list.

    VERSION defaults to the least version the change needs. Edit the draft: say
    in words what changed and why.
    """
    import datetime as dt

    from geoevents import release
    from geoevents.release import changelog as log
    from geoevents.release import changes

    if version is not None:
        release.check_version(version)
    day = _day(day) if day else dt.date.today().isoformat()
    p = release.status(root)
    if p.changes is None:
        raise E.ProblemsFound(
            f"the annotations have {p.result.errors.height} error(s): the change list is drawn "
            "from annotations without errors", "run 'geoevents validate' and fix what it reports")
    blockers = [r for r in p.refusals if r.kind in ("change", "releases")]
    if blockers:
        raise E.ProblemsFound(f"no release can be built: {blockers[0].message}", blockers[0].hint)
    version = version or p.least
    dated = p.previous and release.survey(root).dates.get(p.previous)
    if dated and day < dated:
        raise click.BadParameter(f"{day} is before {p.previous}'s release date, {dated}",
                                 param_hint="--date")
    why = p.previous and changes.understated(p.previous, version, p.changes["required_bump"])
    if why:
        raise E.UsageError(f"{why}: {changes.bump_reasons(p.changes)}",
                           f"draft {p.least} or a higher version")
    section = log.draft({**p.changes, "previous": p.previous}, version, day)
    if not write:
        click.echo(section, nl=False)
        return
    try:
        path = log.insert(root, section, version)
    except log.ChangelogError as exc:
        raise E.UsageError(str(exc), exc.hint) from None
    click.echo(f"wrote the section [{version}] - {day} into {path}; edit it, then: "
               f"geoevents build {version}")


def _day(text: str) -> str:
    """A --date: a real day written YYYY-MM-DD."""
    import datetime as dt
    import re

    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise ValueError(text)
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a day written YYYY-MM-DD",
                                 param_hint="--date") from None


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def versions(fmt: str) -> None:
    """The published releases: which ship with the package, which are cached, and
    whether those copies verify against index.json.

    state: verified (loads offline), remote (downloads on first use), corrupt (a
    cached file differs: the next download replaces it) or tampered (a bundled file
    differs: load() refuses it; exit 3). --format json: a list with, for each
    version, its date, latest, bundled, cached, state, problems and url.
    """
    from geoevents import loading as load

    releases = load.versions()
    if fmt == "json":
        from geoevents.release import metadata

        latest = load.latest()
        click.echo(metadata.dumps([
            {"version": str(r), "date": r.date, "latest": r == latest, "bundled": r.bundled,
             "cached": r.cached, "state": r.state, "problems": r.problems,
             "url": f"{load.display_url()}/{r}/"} for r in releases]), nl=False)
    else:
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
            f"bundled files of {', '.join(tampered)} differ from index.json (listed "
            f"{'in problems' if fmt == 'json' else 'above'})",
            "reinstall geoevents, or in a source tree restore dataset/ from version control")


@main.command()
@click.argument("version")
def fetch(version: str) -> None:
    """Every file of release VERSION, verified; prints the folder that holds them.

    A release shipped with the package is verified where it is, with no network;
    any other is downloaded into the cache (what it lacks) and verified."""
    from geoevents import loading as load

    folder = load.fetch(version)
    click.echo(str(folder))


@main.command()
@click.argument("table", default="events")
@click.option("--version", "version", default=None, metavar="VERSION",
              help="The release (default: the latest).")
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet",
              show_default=True)
def path(table: str, version: str | None, fmt: str) -> None:
    """The local file of TABLE (default: events) of a release, verified; downloaded
    into the cache first when the package does not ship that release."""
    from geoevents import loading as load

    click.echo(str(load.path(table, version, fmt)))


@main.command()
@click.argument("version", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "bibtex", "cff"]), default="text",
              show_default=True)
def cite(version: str | None, fmt: str) -> None:
    """How to cite release VERSION (default: the latest), from its CITATION.cff."""
    from geoevents.citation import cite as citation

    click.echo(citation(version, fmt), nl=False)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["polecat", "geojson", "web-annotation"]),
              required=True, help="polecat: POLECAT's tab-separated layout; geojson: an RFC "
                                  "7946 FeatureCollection of events; web-annotation: every "
                                  "citation as a W3C Web Annotation (JSON-LD).")
@click.option("--version", "version", default=None, metavar="VERSION",
              help="The release (default: the latest).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file, replaced whole (default: standard output).")
@click.option("--root", type=RootPath(exists=True, file_okay=False, path_type=Path),
              default=None, help="An annotation project whose seeds/ hold the release's "
                                 "source texts: web annotations then quote the text around "
                                 "each citation (prefix, suffix).")
def export(fmt: str, version: str | None, out: Path | None, root: Path | None) -> None:
    """Write a release in another format: POLECAT TSV, GeoJSON or Web Annotations."""
    from geoevents import exports
    from geoevents import loading as load

    if out is not None:
        exports.check_out(out)
    texts = None
    if root is not None:
        from geoevents.check import is_project

        if not is_project(root):
            raise UsageError(f"{root} is not an annotation project (no geoevents.yaml, "
                             "seeds/ or annotations/)",
                             "give --root the project whose seeds/ hold the release's texts")
        if fmt != "web-annotation":
            raise UsageError("--root is read by --format web-annotation only (the text "
                             "around each quote)", "leave --root out for this format")
        texts = exports.seed_texts(root, load.load("sources", version))
    exports.write(fmt, exports.export(fmt, version, texts), out)


@main.command()
@click.option("--root", type=RootPath(file_okay=False, path_type=Path), default=".",
              show_default=True, help="The annotation project.")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="The folder to write the site into: new, empty, or a site review wrote.")
def review(root: Path, out: Path) -> None:
    """Write a static review site: each source with its cited spans highlighted, what
    no citation covers, every problem in place, and an index of the events.

    Works from file:// with no network. The site is written whole or not at all.
    """
    from geoevents.pages import review as site

    made = site.write(root, out)
    click.echo(f"wrote {out}/index.html and {len(made.pages) - 1} source page(s) "
               f"({made.problems} problem(s) shown)")


@main.command()
@click.option("--version", "version", default=None, metavar="VERSION",
              help="The release (default: the latest); 'geoevents versions' lists them.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write (replaced whole if it exists).")
def explore(version: str | None, out: Path) -> None:
    """Write the explorer page of a published release: its events with filters, search,
    a timeline, a map and every citation, in one file that works offline."""
    import json

    from geoevents import loading as load
    from geoevents.pages import explorer

    tables = load.load_all(version)
    package = json.loads(load.release_file(version, "datapackage.json").read_text("utf-8"))
    explorer.write_whole(out, tables, package)
    click.echo(f"wrote {out} (release {package.get('version', version)}, "
               f"{tables['events'].height} events)")
