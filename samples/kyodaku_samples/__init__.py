"""Synthetic media for tests and benchmarks, deliberately not installed with kyodaku.

`kyodaku_samples.synthetic` draws deterministic reference pictures and clips from a seed. The test
suite finds this folder through pytest's ``pythonpath`` (pyproject.toml) and the benchmarks put it on
``sys.path`` themselves (bench/_common.py); the installed package never imports it.
"""
