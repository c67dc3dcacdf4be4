"""Keep the monthly store of every open-data dataset current, so no reader waits for a first computation.

citizen_app.jobs runs this every minute (a month touched by new rows is recomputed there, not in a request) and
`flask stats warm` fills the store once after a deployment or an import of old records.
"""

import click
from flask.cli import AppGroup

from citizen_app.stats import brigade, documents, parking
from citizen_app.stats.rollup import Dataset, month_start, months_between, stored_months

stats_cli = AppGroup("stats", help="Open data.")
DATASETS = (documents.DATASET, brigade.DATASET, parking.DATASET)


def warm(dataset: Dataset) -> int:
    """Store every month the dataset has data for (months already current are only read); returns their count."""
    first, last = dataset.extent()
    if first is None:
        return 0
    return len(stored_months(dataset, months_between(month_start(first), month_start(last))))


def warm_all() -> dict[str, int]:
    return {dataset.name: warm(dataset) for dataset in DATASETS}


@stats_cli.command("warm")
def warm_command() -> None:
    """Compute and store the monthly figures of every dataset now."""
    for name, months in warm_all().items():
        click.echo(f"{name}: {months} months current")
