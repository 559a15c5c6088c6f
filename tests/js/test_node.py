"""The Node-side tests (node --test tests/js/): app/static/identity.js against the shared vector table."""

import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).parent


def test_the_browser_validator_passes_the_shared_identity_vectors_in_node():
    node = shutil.which("node")
    assert node, "Node 20 is needed for the browser-side validator's tests"
    run = subprocess.run([node, "--test", str(HERE / "identity.test.js")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout
