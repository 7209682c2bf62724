"""Command-line interface: parses options, calls one library function, formats its result."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from kg.errors import KGError
from kg.paths import DEFAULT_OUT

log = logging.getLogger("kg")


def out_option(f):
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=DEFAULT_OUT,
        show_default=True,
        help="Folder holding the store and exports.",
    )(f)


def store_option(f):
    """`--store URL`: a SPARQL endpoint instead of the embedded store (also $KG_STORE)."""
    return click.option(
        "--store",
        "store_url",
        envvar="KG_STORE",
        default=None,
        metavar="URL",
        help="SPARQL 1.1 endpoint holding the graph instead of <out>/store (default: the one "
        "`kg build --store` recorded in --out; 'embedded' for the local store). Also $KG_STORE.",
    )(f)


def format_option(*choices: str, default: str = "table"):
    def deco(f):
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(choices),
            default=default,
            show_default=True,
            help="Output format.",
        )(f)

    return deco


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KGError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Group)
@click.version_option(package_name="health-claims-kg")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def main(verbose: int) -> None:
    """Evidence-grading knowledge graph for health claims.

    Example: kg build && kg report unsupported
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s", stream=sys.stderr)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@out_option
@store_option
@click.option("--max-bytes", type=int, default=None, help="Skip files larger than this.")
@click.option(
    "--export",
    "exports",
    multiple=True,
    type=click.Choice(["ttl", "nt", "trig", "jsonld"]),
    help="Export formats besides Turtle (repeatable).",
)
@click.option("--force", is_flag=True, help="Re-extract every document, changed or not.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Extraction processes (default: one per core).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar (default: on a terminal, off in CI or when piped).",
)
@format_option("text", "json", default="text")
@click.option("--no-views", is_flag=True, help="Do not write the default HTML views.")
def build(paths, out_dir, store_url, max_bytes, exports, force, jobs, progress, fmt, no_views) -> None:
    """Build the graph from documents (default: the bundled demo corpus); re-runs are incremental.

    Example: kg build docs/ --out out/ --jobs 4 --store http://127.0.0.1:7878
    """
    import os

    from kg.build import RichProgress
    from kg.build import build as run_build
    from kg.ingest import DEFAULT_MAX_BYTES

    def on_document(source, status):
        if status != "error":
            log.info("%s: %s", source.name, status)

    if progress is None:
        progress = sys.stderr.isatty() and not os.environ.get("CI") and fmt == "text"
    bar = RichProgress(console=None) if progress else None
    try:
        report = run_build(
            list(paths) or None,
            out_dir,
            max_bytes=max_bytes or DEFAULT_MAX_BYTES,
            exports=tuple(dict.fromkeys(("ttl", *exports))),
            force=force,
            on_document=on_document,
            jobs=jobs,
            store_url=store_url,
            progress=bar,
        )
    finally:
        if bar:
            bar.stop()
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        click.echo(
            f"{report.documents} documents ({len(report.built)} built, {len(report.unchanged)} unchanged, "
            f"{len(report.removed)} removed, {len(report.errors)} failed); "
            f"{report.triples:,} quads in {report.store}; {report.seconds:.2f}s"
        )
        for path in report.exports:
            click.echo(f"wrote {path}" if path in report.written else f"up to date: {path}")
    if not no_views and report.documents:
        from kg.render import update_default_views

        paths, rewritten = update_default_views(out_dir, report.state)
        if fmt == "text":
            for path in paths:
                click.echo(f"wrote {path}" if rewritten else f"up to date: {path}")
    if report.errors and not report.documents:
        sys.exit(1)
    if report.errors:
        sys.exit(2)


@main.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--docs",
    "docs_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder with the gold's documents (default: bundled corpus).",
)
@format_option("table", "json")
@click.option("--verbose", "show_details", is_flag=True, help="List each miss and false hit.")
def eval_command(gold, docs_dir, fmt, show_details) -> None:
    """Score extraction (and grading) against a gold file; builds into a temporary store.

    Example: kg eval ../shared/eval/seeds.gold.jsonl --docs ../shared/corpus --format json
    """
    from kg.evaluate import evaluate
    from kg.paths import BUNDLED_CORPUS

    result = evaluate(gold, docs_dir or BUNDLED_CORPUS)
    details = result.pop("details")
    if fmt == "json":
        if show_details:
            result["details"] = details
        click.echo(json.dumps(result, indent=2, sort_keys=True))
        return
    from kg.formatting import eval_table

    click.echo(eval_table(result, details if show_details else None))


@main.command()
@click.argument("name", type=click.Choice(["unsupported", "claims", "studies", "documents", "summary"]))
@out_option
@store_option
@format_option("table", "md", "json")
@click.option("--doc", help="Only this document (file name or id).")
@click.option("--cell-source", help="Only claims about this cell source key (narrower ones included).")
@click.option("--outcome", help="Only claims about this outcome key (narrower ones included).")
@click.option("--status", help="Only claims with this support status.")
@click.option("--reason", help="Only claims flagged for this reason.")
def report(name, out_dir, store_url, fmt, doc, cell_source, outcome, status, reason) -> None:
    """Print a report: unsupported | claims | studies | documents | summary.

    Example: kg report unsupported --reason vague-citation --format md
    """
    from kg.formatting import report_text
    from kg.report import Filters, run_report

    data = run_report(out_dir, name, Filters(doc, cell_source, outcome, status, reason), store_url)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(report_text(name, data, fmt))


# -- SPARQL: query and serve --------------------------------------------------------------------
def _query_safety_options(f):
    f = click.option(
        "--allow-service",
        is_flag=True,
        help="Permit SERVICE clauses (they make the query send requests to other endpoints).",
    )(f)
    return click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=30.0,
        show_default=True,
        help="Stop a query after this many seconds.",
    )(f)


@main.command(name="query")
@click.argument("query_spec", metavar="QUERY", required=False)
@out_option
@store_option
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help='Bind a variable to <iri>, voc:x, "text", 5 or true (repeatable).',
)
@format_option("table", "md", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld")
@_query_safety_options
@click.option("--list", "list_only", is_flag=True, help="List the named queries and their parameters.")
@click.option(
    "--queries",
    "query_dirs",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of extra named queries (*.rq) that add to or replace the shipped ones.",
)
def query_command(
    query_spec, out_dir, store_url, params, fmt, timeout, allow_service, list_only, query_dirs
) -> None:
    """Run a read-only SPARQL query: a named query, a .rq file, inline SPARQL, or - (stdin).

    Example: kg query unsupported-claims --param reason=anecdote --format csv
    """
    from kg.query import list_named_queries, parse_assignments, render, render_named_queries, run_query

    if list_only:
        click.echo(render_named_queries(list_named_queries(query_dirs), fmt))
        return
    if not query_spec:
        raise click.UsageError("give a QUERY: a name from `kg query --list`, a .rq file, SPARQL text, or -")
    if query_spec == "-":
        query_spec = sys.stdin.read()
    result = run_query(
        out_dir,
        query_spec,
        parse_assignments(params),
        timeout=timeout,
        allow_service=allow_service,
        query_dirs=query_dirs,
        store_url=store_url,
    )
    output = render(result, fmt)
    if isinstance(output, bytes):
        click.echo(output, nl=not output.endswith(b"\n"))
    else:
        click.echo(output)
    if fmt == "table" and result.form == "solutions":
        click.echo(f"{len(result)} rows in {result.seconds * 1000:.0f} ms", err=True)


@main.command()
@out_option
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=7878, show_default=True, help="Port (0: any free one)."
)
@_query_safety_options
@click.option(
    "--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="Queries run in parallel."
)
def serve(out_dir, store_url, host, port, timeout, allow_service, workers) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint (GET/POST; JSON, CSV, TSV, XML, Turtle).

    Example: kg serve --out out/ --port 7878   (then point any SPARQL client at /sparql)
    """
    from kg.serve import make_server, serve_until_stopped

    server = make_server(
        out_dir,
        host,
        port,
        timeout=timeout,
        allow_service=allow_service,
        workers=workers,
        store_url=store_url,
    )
    if host not in ("127.0.0.1", "localhost"):
        click.echo(f"warning: listening on {host}: anyone who can reach it can query the graph", err=True)
    click.echo(f"SPARQL endpoint: {server.url} (read-only; Ctrl-C to stop)")
    serve_until_stopped(server)


@main.command(name="validate")
@out_option
@store_option
@format_option("table", "json")
@click.option(
    "--vocabulary",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Check this SKOS vocabulary file on its own instead of a built graph.",
)
@click.option("--limit", type=int, default=50, show_default=True, help="Table rows at most (0: all).")
def validate_command(out_dir, store_url, fmt, vocabulary, limit) -> None:
    """Check a built graph against the SHACL shapes and the vocabulary; exit 1 if it does not conform.

    Example: kg validate --out out/ --format json
    """
    from kg.validate import result_table, validate_store, validate_vocabulary

    result = validate_vocabulary(vocabulary) if vocabulary else validate_store(out_dir, store_url=store_url)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo(result_table(result, limit or None))
    if not result.conforms:
        sys.exit(1)


@main.command(name="view")
@out_option
@store_option
@click.option(
    "--claims",
    type=click.Choice(["unsupported", "all"]),
    default=None,
    help="Claim audit: claims with the studies and concepts bearing on them, coloured by support.",
)
@click.option("--doc", metavar="ID", default=None, help="One document (id or file name).")
@click.option(
    "--concept", metavar="KEY", default=None, help="One concept and its narrower ones (e.g. uc-msc)."
)
@click.option(
    "--max-nodes",
    type=int,
    default=1500,
    show_default=True,
    help="Node cap: larger views are aggregated or cut to their most relevant part.",
)
@click.option(
    "-o",
    "--output",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Page to write (default: <out>/views/<view>.html).",
)
@click.option("--open", "open_page", is_flag=True, help="Open the page in a browser.")
def view_command(out_dir, store_url, claims, doc, concept, max_nodes, html_path, open_page) -> None:
    """Write an interactive offline HTML view of the graph (default: the corpus overview).

    Example: kg view --claims unsupported --out out/
    """
    from kg.render import write_view

    spec, path = write_view(
        out_dir,
        claims=claims,
        doc=doc,
        concept=concept,
        cap=max_nodes,
        html_path=html_path,
        store_url=store_url,
    )
    click.echo(f"{spec.title}: {spec.summary}")
    for note in spec.notes:
        click.echo(f"note: {note}")
    click.echo(f"wrote {path}")
    if open_page:
        click.launch(str(path))


if __name__ == "__main__":
    main()
