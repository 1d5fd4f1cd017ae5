"""`convert-schedules`: rewrite a project's legacy schedules as schedule triggers, for review."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.app import err, handle_errors, main


@main.command("convert-schedules")
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--project", "slug", required=True, help="The project whose schedules to convert.")
@click.option(
    "--definition", help="The pipeline definition the triggers join (needed if it has several)."
)
@click.option("--write", is_flag=True, help="Write the file; without it, only show the diff.")
@handle_errors
def convert_schedules(manifest: Path, slug: str, definition: str | None, write: bool) -> None:
    """Show (or --write) MANIFEST with the project's `schedules` as schedule triggers.

    Each timetable becomes a cron expression and its branch or tag the trigger's refs; the
    attribution is kept. `schedules` is left empty, so the next apply creates the triggers
    first and only then deletes the legacy schedules. A timetable no single cron expression
    states is refused and nothing is written.
    """
    from reconciler.resources.schedule_convert import convert

    result = convert(manifest, slug, definition)
    click.echo(result.diff, nl=False)
    for note in result.notes:
        err(f"Note: {note}")
    if write:
        manifest.write_text(result.text, encoding="utf-8")
        err(f"Wrote {manifest}: {len(result.triggers)} schedule trigger(s); review the plan.")
    else:
        err("Nothing written; --write writes it.")
