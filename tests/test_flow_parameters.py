"""The flow records its parameters as Prefect's own encoder would, without importing FastAPI."""

import subprocess
import sys
from pathlib import Path

from prefect import Flow

from pipeline.flows import extract_corpus

PARAMETERS = {"raw_dir": Path("raw"), "out_dir": "processed", "n_process": 2, "reuse": True, "realign": False,
              "dask_address": None, "lock_wait": 1.5}


def test_plain_parameters_are_recorded_as_prefects_encoder_records_them():
    assert extract_corpus.serialize_parameters(PARAMETERS) == Flow.serialize_parameters(extract_corpus, PARAMETERS)
    assert extract_corpus.serialize_parameters(PARAMETERS)["raw_dir"] == "raw"


def test_other_values_still_go_through_prefects_encoder():
    class Odd:  # not a plain value: Prefect's placeholder or encoding, whatever it decides
        pass

    params = {**PARAMETERS, "extra": Odd()}
    assert extract_corpus.serialize_parameters(params) == Flow.serialize_parameters(extract_corpus, params)


def test_recording_plain_parameters_does_not_import_fastapi():
    code = ("import sys; from pathlib import Path; from pipeline.flows import extract_corpus; "
            "extract_corpus.serialize_parameters({'raw_dir': Path('raw'), 'n_process': 1}); "
            "print('fastapi' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
