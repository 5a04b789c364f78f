"""Fixed costs a user feels on small problems: imports, the first fit, n_jobs.

Every number is measured in a fresh Python process, as a user's script or a
joblib worker starts, with the anchors measured in the same run:

* imports: ``import sklearn``, ``import imbbce`` (the package alone),
  ``from imbbce import BalancedBCEClassifier`` (torch, skorch and the
  estimator), ``MLPClassifier`` and ``import skorch`` (which imports torch),
  each timed around its import statement; and the wall time of the whole
  ``imbbce --help`` process next to ``python -c pass``;
* the first and the second fit of a small problem (500 x 5, 2 epochs) after
  the imports: imbbce, ``MLPClassifier`` and skorch's
  ``NeuralNetBinaryClassifier``;
* a small grid search (6 candidates x ``--cv`` folds, 3 by default = 18 fits, ``--rows`` x 10
  features, 10 % positives, ``--epochs`` epochs) with ``n_jobs=1`` and
  ``n_jobs=-1``, each run twice in its process: the first search starts
  joblib's workers, which import everything and pay their own first fit; the
  second reuses them (joblib keeps its loky workers for later calls).

Processes are interleaved (A B C ..., A B C ...) and medians of ``--repeats``
reported. The machine's load average is written in the header: on a shared
machine parallel fits compete with other work for the same cores.

Run ``python benchmarks/fixed_costs.py`` (needs skorch, installed with
imbbce). Tables go to ``benchmarks/results/fixed_costs.md`` (``--tag`` adds
a suffix) and the raw times to ``fixed_costs.csv``.
"""

import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"

IMPORTS = {
    "import sklearn": "import sklearn",
    "import imbbce": "import imbbce",
    "from imbbce import BalancedBCEClassifier": (
        "from imbbce import BalancedBCEClassifier; BalancedBCEClassifier"
    ),
    "from sklearn.neural_network import MLPClassifier": (
        "from sklearn.neural_network import MLPClassifier"
    ),
    "import skorch": "import skorch",
}

# Builders of a small estimator, as code run in the child; `epochs` is set there.
ESTIMATORS = {
    "imbbce": (
        "from imbbce import BalancedBCEClassifier\n"
        "def make(**params):\n"
        "    return BalancedBCEClassifier(max_iter=epochs, random_state=0, **params)\n"
        "GRID = {'sampler': [None, 'smote', 'balanced_batch'], 'loss': ['bce', 'focal']}\n"
    ),
    "MLPClassifier": (
        "from sklearn.neural_network import MLPClassifier\n"
        "def make(**params):\n"
        "    return MLPClassifier((64, 32), max_iter=epochs, random_state=0, **params)\n"
        "GRID = {'alpha': [1e-4, 1e-3, 1e-2], 'learning_rate_init': [1e-3, 1e-2]}\n"
    ),
    "skorch": (
        "import torch\n"
        "from skorch import NeuralNetBinaryClassifier\n"
        "class Net(torch.nn.Module):\n"
        "    def __init__(self, n_in=10):\n"
        "        super().__init__()\n"
        "        self.layers = torch.nn.Sequential(torch.nn.Linear(n_in, 64), torch.nn.ReLU(),\n"
        "            torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))\n"
        "    def forward(self, X):\n"
        "        return self.layers(X).squeeze(-1)\n"
        "def make(**params):\n"
        "    params.setdefault('module__n_in', n_features)\n"
        "    return NeuralNetBinaryClassifier(Net, max_epochs=epochs, train_split=None,\n"
        "        batch_size=256, optimizer=torch.optim.Adam, iterator_train__shuffle=True,\n"
        "        verbose=0, **params)\n"
        "GRID = {'lr': [1e-3, 3e-3, 1e-2], 'optimizer__weight_decay': [0.0, 1e-4]}\n"
    ),
}

DATA = (
    "import numpy as np\n"
    "from sklearn.datasets import make_classification\n"
    "X, y = make_classification(n_samples=n_rows, n_features=n_features, weights=[0.9],\n"
    "    random_state=0)\n"
    "X, y = X.astype(np.float32), y.astype(np.float32 if name == 'skorch' else np.int64)\n"
)

FIT_CHILD = (
    "import time, warnings, json\n"
    "warnings.simplefilter('ignore')\n"
    "name, epochs, n_rows, n_features = {name!r}, 2, 500, 5\n"
    "{estimator}"
    "{data}"
    "times = []\n"
    "for _ in range(2):\n"
    "    start = time.perf_counter(); make().fit(X, y); times.append(time.perf_counter() - start)\n"
    "print(json.dumps(times))\n"
)

SEARCH_CHILD = (
    "import time, warnings, json, os\n"
    "warnings.simplefilter('ignore')\n"
    "os.environ['PYTHONWARNINGS'] = 'ignore'  # joblib's workers inherit it\n"
    "name, epochs, n_rows, n_features = {name!r}, {epochs}, {rows}, 10\n"
    "{estimator}"
    "{data}"
    "from sklearn.model_selection import GridSearchCV\n"
    "times = []\n"
    "for _ in range(2):\n"
    "    start = time.perf_counter()\n"
    "    GridSearchCV(make(), GRID, cv={cv}, n_jobs={n_jobs}, scoring='average_precision',\n"
    "                 error_score='raise').fit(X, y)\n"
    "    times.append(time.perf_counter() - start)\n"
    "print(json.dumps(times))\n"
)


def run_child(code, env=None):
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def import_seconds(statement):
    code = (
        "import time, json; start = time.perf_counter()\n"
        f"{statement}\n"
        "print(json.dumps([time.perf_counter() - start]))\n"
    )
    return run_child(code)[0]


def process_seconds(argv):
    start = time.perf_counter()
    subprocess.run([sys.executable, *argv], capture_output=True, check=True)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1000, help="rows of the search's data")
    parser.add_argument("--epochs", type=int, default=20, help="epochs of each search fit")
    parser.add_argument("--cv", type=int, default=3, help="folds of the search (GridSearchCV's cv)")
    parser.add_argument("--skip", nargs="*", default=[], help="sections to skip: imports fits")
    parser.add_argument(
        "--estimators", nargs="*", default=list(ESTIMATORS), choices=list(ESTIMATORS)
    )
    parser.add_argument("--tag", default="", help="suffix of the output file names")
    args = parser.parse_args(argv)
    # One torch/OpenMP thread per process, as the estimator chooses for small
    # networks; the anchors get the same.
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    samples = {}  # (section, what) -> list of seconds

    def add(section, what, seconds):
        samples.setdefault((section, what), []).append(seconds)

    load_before = os.getloadavg()
    for repeat in range(args.repeats):
        if "imports" not in args.skip:
            add("process", "python -c pass", process_seconds(["-c", "pass"]))
            add("process", "imbbce --help", process_seconds(["-m", "imbbce", "--help"]))
            for what, statement in IMPORTS.items():
                add("import", what, import_seconds(statement))
        estimators = {name: ESTIMATORS[name] for name in args.estimators}
        if "fits" not in args.skip:
            for name, estimator in estimators.items():
                code = FIT_CHILD.format(name=name, estimator=estimator, data=DATA)
                first, second = run_child(code, env)
                add("fit", f"{name}: first fit", first)
                add("fit", f"{name}: second fit", second)
        for name, estimator in estimators.items():
            for n_jobs in (1, -1):
                code = SEARCH_CHILD.format(
                    name=name,
                    estimator=estimator,
                    data=DATA,
                    epochs=args.epochs,
                    rows=args.rows,
                    n_jobs=n_jobs,
                    cv=args.cv,
                )
                first, second = run_child(code, env)
                add("search", f"{name}: n_jobs={n_jobs}, first search", first)
                add("search", f"{name}: n_jobs={n_jobs}, second search", second)
        print(f"repeat {repeat + 1} of {args.repeats} done", flush=True)
    load_after = os.getloadavg()
    write(samples, args, load_before, load_after)


def write(samples, args, load_before, load_after):
    RESULTS.mkdir(exist_ok=True)
    stem = "fixed_costs" + (f"_{args.tag}" if args.tag else "")
    with open(RESULTS / f"{stem}.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["section", "what", "run", "seconds"])
        for (section, what), values in samples.items():
            for run, value in enumerate(values):
                writer.writerow([section, what, run, f"{value:.4f}"])
    command = "python benchmarks/fixed_costs.py " + " ".join(
        f"--{k} {v if isinstance(v, int) else ' '.join(v)}"
        for k, v in vars(args).items()
        if v and k != "tag"
    )
    lines = [
        f"# Fixed costs ({date.today().isoformat()}; {platform.machine()}, "
        f"{os.cpu_count()} cores, load average {load_before[0]:.1f} before and "
        f"{load_after[0]:.1f} after)",
        "",
        f"Fresh processes, one thread each, medians of {args.repeats} interleaved runs; "
        f"`{command}`. Search: 6 candidates x {args.cv} folds = {6 * args.cv} fits on "
        f"{args.rows} x 10, "
        f"{args.epochs} epochs each.",
        "",
        "| what | median s | min s | max s |",
        "|---|---:|---:|---:|",
    ]
    for (_, what), values in samples.items():
        lines.append(
            f"| {what} | {statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f} |"
        )
    text = "\n".join(lines) + "\n"
    (RESULTS / f"{stem}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
