"""Notebooks both ways: `cmlab run` writes an .ipynb that names the CMLab kernel,
nbclient executes it with that kernel (text, a table and a figure come back), and
`cmlab run` runs a notebook written through Jupyter again, headless."""
import base64
import json
import subprocess
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from conftest import CMLAB
from pngcheck import decode, inked_fraction

HERE = Path(__file__).resolve().parent


def outputs(cell, kind):
    return [o for o in cell["outputs"] if o["output_type"] == kind]


def run_cml(tmp_path):
    out = tmp_path / "report"
    subprocess.run([str(CMLAB), "run", str(HERE / "notebook.cml"), "--out", str(out)], check=True,
                   capture_output=True)
    return out / "notebook.ipynb"


def test_nbclient_runs_the_report_of_cmlab_run(tmp_path):
    path = run_cml(tmp_path)
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "cmlab"
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(tmp_path)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == [1, 2, 3, 4]

    hello = code[1]
    assert "".join(o["text"] for o in outputs(hello, "stream")) == "hello from CMLab\n"
    assert outputs(hello, "execute_result")[0]["data"]["text/plain"] == "3"

    figure = outputs(code[2], "display_data")
    assert len(figure) == 1
    pixels = decode(base64.b64decode(figure[0]["data"]["image/png"]))
    assert pixels.shape[0] > 100 and pixels.shape[1] > 100
    # Axes, ticks, labels and 500 points: a few per cent of the page is ink.
    assert inked_fraction(pixels) > 0.02

    table = outputs(code[3], "execute_result")[0]["data"]
    assert table["text/markdown"].splitlines()[:2] == ["| model | steps | ode_error |", "| --- | --- | ---: |"]
    assert table["text/markdown"].splitlines()[2].startswith("| teacher (euler N=6) | — | 0 [0, 0] |")
    assert '<th style="text-align: left">model</th>' in table["text/html"]
    # The same table as cmlab run printed it (the same seed gives the same numbers).
    ran = json.loads(path.read_text())["cells"][-1]["outputs"][-1]["data"]["text/plain"]
    assert table["text/plain"] == "".join(ran)


def test_cmlab_runs_an_ipynb_written_through_jupyter(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "cmlab", "display_name": "CMLab", "language": "cmlab"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Written in Jupyter"),
        nbformat.v4.new_code_cell("n = 3", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell('print("n is", n)\nn * 2'),
    ]
    source = tmp_path / "lab.ipynb"
    nbformat.write(nb, source)
    out = tmp_path / "report"
    done = subprocess.run([str(CMLAB), "run", str(source), "--out", str(out), "-p", "n=5"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = nbformat.read(out / "lab.ipynb", as_version=4)
    last = report.cells[-1]
    assert outputs(last, "stream")[0]["text"] == "n is 5\n"
    assert outputs(last, "execute_result")[0]["data"]["text/plain"] == "10"


def test_cmlab_run_refuses_another_kernels_notebook(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("print(1)")]
    source = tmp_path / "py.ipynb"
    nbformat.write(nb, source)
    done = subprocess.run([str(CMLAB), "run", str(source), "--out", str(tmp_path / "r")],
                          capture_output=True, text=True)
    assert done.returncode != 0
    assert "is a python notebook" in done.stderr
