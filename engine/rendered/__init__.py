"""Renderings in memory: the template's files rendered without a bake.

The CI files of every combination (``renderings``), copier.yml made from cookiecutter.json
(``copier_yaml``) and the proof that copier renders every file as cookiecutter does
(``copier_proof``), and the workflows' expressions evaluated (``expressions``).
"""
