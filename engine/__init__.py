"""The engine that proves the template: bake, check, render in memory, run the suites.

tests/ holds the tests that use it and benchmarks/ measures it; the template itself is
cookiecutter.json, hooks/ and ``{{cookiecutter.project_slug}}/``, which engine/ground.py
alone reads as data: every other module asks it.
"""
