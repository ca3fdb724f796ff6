"""Simulators of the seven vendor APIs the hub talks to, served by one local HTTP server.

`python -m sandbox` (or `toothpick sandbox`) starts it; `sandbox.testing.run_sandbox()`
runs it inside a test; `sandbox.control.SandboxControl` edits "the vendor side" and
reads its truth. See sandbox/README.md for how a vendor package plugs in.
"""
