"""Runs: everything that starts a process.

One runner and git helper (``processes``); baked projects and their steps (``projects``);
the generated suites (``suites``, ``forked_pytest``, ``newcomer``), every offered Python
(``pythons``, ``debian_roots``), the images (``images``), the service served and attacked
(``services``, ``service_faults``), the library's builds (``distributions``) and a template
repository to refresh from (``template_repo``).
"""
