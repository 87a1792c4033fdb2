"""Train the clone classifier on labelled method pairs and save its weights."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from oreo.model import DEFAULT_MODEL_PATH
from oreo.training import read_labelled_pairs, train_classifier, training_rows


class Command(BaseCommand):
    help = (
        "Train the clone classifier on labelled pairs of Java methods (JSON "
        "lines as written by bench/clones/generate.py) and write its weights."
    )

    def add_arguments(self, parser):
        parser.add_argument("pairs", type=Path, help="JSON-lines file of pairs")
        parser.add_argument(
            "--output",
            type=Path,
            default=DEFAULT_MODEL_PATH,
            help=f"where to write the weights (default: {DEFAULT_MODEL_PATH})",
        )
        parser.add_argument(
            "--seed", type=int, default=7, help="seed of the weight initialization"
        )
        parser.add_argument(
            "--epochs", type=int, default=400, help="full-batch training steps"
        )

    def handle(self, *args, **options):
        pairs_path: Path = options["pairs"]
        try:
            with pairs_path.open() as stream:
                pairs = read_labelled_pairs(stream)
        except OSError as error:
            raise CommandError(
                f"Cannot read pairs file {pairs_path}: {error}"
            ) from error
        except ValueError as error:
            raise CommandError(f"Invalid pairs file {pairs_path}: {error}") from None

        rows = training_rows(pairs)
        if rows.labels.size == 0 or rows.labels.min() == rows.labels.max():
            raise CommandError(
                f"{pairs_path} has no clone pairs or no negative pairs that reach "
                "the classifier; generate more pairs of both kinds."
            )
        result = train_classifier(
            rows.left,
            rows.right,
            rows.labels,
            seed=options["seed"],
            epochs=options["epochs"],
        )
        result.classifier.save(options["output"])
        self.stdout.write(
            f"Trained on {result.positives} clone and {result.negatives} negative "
            f"pairs ({rows.skipped} pairs did not reach the classifier): recall "
            f"{result.recall:.1%}, false positive rate "
            f"{result.false_positive_rate:.1%} on the training pairs. "
            f"Wrote {options['output']}."
        )
